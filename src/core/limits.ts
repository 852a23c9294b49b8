/**
 * The one source of Bakeoff's limits and defaults. The config schema (config.ts), the CLI's
 * options, the extension's settings and the generated settings schema in package.json all read
 * these, so the command line and the editor can never accept different ranges.
 * Pure: runs in the browser too (see eslint.config.mjs).
 */

/** Trials per backend in one comparison. Each trial is billed, so the ceiling stays modest. */
export const trialsLimits = { min: 1, max: 100, default: 1 } as const;

/** Requests in flight at once, across all backends and trials of one comparison. */
export const concurrencyLimits = { min: 1, max: 32, default: 4 } as const;

/**
 * Requests in flight at once across all backends of a suite run (`bakeoff run --concurrency`);
 * higher than a comparison's, since a suite spreads them over many prompts and its per-backend
 * limits still apply.
 */
export const suiteConcurrencyLimits = { min: 1, max: 1_024 } as const;

/** Output tokens asked for (`max_tokens`), shared by every backend of a comparison. */
export const maxTokensLimits = { min: 1, max: 1_000_000, default: 512 } as const;

/** Longest delay a Node timer can hold (about 24.8 days); larger values would fire at once. */
export const maxTimerMs = 2_147_483_647;

/** Default stream limits; durations in milliseconds, sizes in bytes. */
export const timeoutDefaults = {
  connectMs: 10_000,
  firstByteMs: 60_000,
  idleMs: 30_000,
  totalMs: 300_000,
  maxErrorBodyBytes: 8 * 1024,
  maxStreamBytes: 4 * 1024 * 1024,
} as const;

/** Largest config file read, bytes. */
export const maxConfigBytes = 1024 * 1024;

/**
 * Largest prompt accepted, bytes. Far above any model's context window; it keeps a mistaken file
 * (a log, a binary) from being tokenized and sent to every backend.
 */
export const maxPromptBytes = 4_000_000;

/** Deepest nesting accepted in a backend's `extraBody` (objects and arrays). */
export const maxExtraBodyDepth = 32;

/** Size cap of the run history (megabytes); past it the oldest runs are dropped. */
export const historyLimits = { minSizeMB: 1, maxSizeMB: 2048, defaultMaxSizeMB: 25 } as const;
