/**
 * What the `bakeoff` commands share: where they read and write, usage errors, number options,
 * and reading API keys from the environment variables a backend names.
 */
import { InvalidArgumentError } from 'commander';
import type { Backend } from '../core/config';

/** Where the CLI reads and writes; injectable so tests run it in-process. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  /** `isTTY` (as on process.stderr) turns the progress line of `bakeoff run` on. */
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Aborts the running command (wired to SIGINT and SIGTERM by the binary; the reason names the signal). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** A bad command line or setup: exit code 2 with the message. */
export class UsageError extends Error {}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}

/** Resolves every key up front so a missing variable is reported before anything is sent. */
export function resolveKeys(backends: Backend[], env: CliIo['env']): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const b of backends) {
    if (!b.apiKeyEnv) {
      keys.set(b.id, undefined);
      continue;
    }
    const value = env[b.apiKeyEnv];
    if (value) keys.set(b.id, value);
    else if (b.kind === 'local') keys.set(b.id, undefined);
    else missing.push(`backend "${b.id}": environment variable ${b.apiKeyEnv} is not set`);
  }
  if (missing.length) throw new UsageError(`Missing API keys:\n  - ${missing.join('\n  - ')}`);
  return keys;
}
