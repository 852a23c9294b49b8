/**
 * Pure derivation of {@link Metrics} from raw timestamps and token counts. No clock, no I/O.
 */
import { percentile } from './stats';
import type { ChatMessage } from './config';
import { countMessageTokens, countTokens, type CountOptions } from './tokenCounter';
import type { Metrics, TimingMarks } from './types';

/** Token counts of one answer and where they came from. */
export interface TokenCounts {
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  /** Null when nothing was counted (no usage report, and nothing worth estimating). */
  tokenSource: 'reported' | 'estimated' | null;
}

/** No counts at all: for trials that were not sent or failed before an answer began. */
export const noTokenCounts: TokenCounts = {
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  reasoningTokens: null,
  tokenSource: null,
};

/** The `usage` object of an OpenAI-compatible stream (fields other servers may omit are optional). */
export interface UsageReport {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** The reported counts when `usage` has both `prompt_tokens` and `completion_tokens`, else null. */
function reportedCounts(usage: UsageReport | null): TokenCounts | null {
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  if (!usage || promptTokens === null || completionTokens === null) return null;
  return {
    inputTokens: promptTokens,
    outputTokens: completionTokens,
    cachedInputTokens: count(usage.prompt_tokens_details?.cached_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
    tokenSource: 'reported',
  };
}

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** What {@link resolveTokenCounts} works from. */
export interface TokenCountInput {
  usage: UsageReport | null;
  text: string;
  reasoning: string;
  messages: ChatMessage[];
  model: string;
  /**
   * Prompt tokens already counted — or being counted — for these messages and this model's
   * tokenizer (the runner starts counting the prompt once per run, in parallel with the
   * requests). Awaited only when the server reported no usage; counted here when undefined.
   */
  promptTokens?: number | null | PromiseLike<number | null>;
}

/** Counts that were not reported by the server (`estimated`; cached and reasoning counts unknown). */
export function estimatedCounts(inputTokens: number | null, outputTokens: number | null): TokenCounts {
  return { inputTokens, outputTokens, cachedInputTokens: null, reasoningTokens: null, tokenSource: 'estimated' };
}

/** `value` once settled, or null as soon as `signal` aborts (or when it rejects). */
async function unlessAborted(value: number | null | PromiseLike<number | null>, signal: AbortSignal | undefined): Promise<number | null> {
  if (value === null || typeof value === 'number') return value;
  if (signal?.aborted) return null;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve(value).then((v) => (typeof v === 'number' ? v : null), () => null), aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Token counts for an answer. When the server reported `usage` with both `prompt_tokens` and
 * `completion_tokens`, those are used (`reported`), with cached input from
 * `prompt_tokens_details.cached_tokens` and reasoning from
 * `completion_tokens_details.reasoning_tokens`; nothing is counted or awaited then. Otherwise
 * the prompt is counted with `countMessageTokens` and the output as `countTokens(text) +
 * countTokens(reasoning)` (`estimated`; cached and reasoning counts are then null), in the
 * token-counting worker (tokenCounter.ts), so this never blocks the event loop. Stream chunks
 * are never counted as tokens: servers batch several tokens per chunk. A count that cannot be
 * made (text over `maxCountedChars`, past the time limit, `options.signal` aborted, tokenizer
 * failure) is null: with an aborted signal every count is null at once. Never rejects.
 */
export async function resolveTokenCounts(input: TokenCountInput, options: CountOptions = {}): Promise<TokenCounts> {
  const reported = reportedCounts(input.usage);
  if (reported) return reported;
  const [inputTokens, text, reasoning] = await Promise.all([
    input.promptTokens !== undefined
      ? unlessAborted(input.promptTokens, options.signal)
      : countMessageTokens(input.messages, input.model, options),
    countTokens(input.text, input.model, options),
    countTokens(input.reasoning, input.model, options),
  ]);
  return estimatedCounts(inputTokens, sum(text, reasoning));
}

/** {@link resolveTokenCounts}, under the name the asynchronous variant had when a synchronous one existed. */
export const resolveTokenCountsAsync = resolveTokenCounts;

/** Gaps between consecutive chunk arrivals, ms. */
export function chunkGaps(chunkMs: readonly number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < chunkMs.length; i++) gaps.push(chunkMs[i]! - chunkMs[i - 1]!);
  return gaps;
}

/**
 * Metrics of one stream. All times in ms from the monotonic marks:
 * - `ttftMs` = firstContentMs − startMs (null when no content or reasoning arrived);
 * - `totalMs` = endMs − startMs when `streamed` (the answer stream began), else null;
 * - `tpotMs` = (totalMs − ttftMs) / (outputTokens − 1), null with fewer than 2 output tokens;
 * - `chunkGapP50Ms` / `chunkGapP95Ms` = percentiles (linear interpolation, {@link percentile} in stats.ts) of the
 *   gaps between consecutive content-bearing chunk arrivals, null with fewer than 2 chunks;
 * - `tokensPerSecond` = outputTokens / ((endMs − firstContentMs) / 1000), null with fewer than
 *   2 output tokens or no elapsed time.
 * Token fields are copied from `tokens`.
 */
export function computeMetrics(timing: TimingMarks, tokens: TokenCounts, streamed = true): Metrics {
  const totalMs = streamed ? timing.endMs - timing.startMs : null;
  const ttftMs = timing.firstContentMs === null ? null : timing.firstContentMs - timing.startMs;
  const out = tokens.outputTokens;
  const tpotMs = totalMs !== null && ttftMs !== null && out !== null && out >= 2 ? (totalMs - ttftMs) / (out - 1) : null;
  const decodeMs = timing.firstContentMs === null ? 0 : timing.endMs - timing.firstContentMs;
  const tokensPerSecond = out !== null && out >= 2 && decodeMs > 0 ? out / (decodeMs / 1000) : null;
  const gaps = chunkGaps(timing.chunkMs);
  return {
    ttftMs,
    totalMs,
    tpotMs,
    chunkGapP50Ms: percentile(gaps, 50),
    chunkGapP95Ms: percentile(gaps, 95),
    tokensPerSecond,
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cachedInputTokens: tokens.cachedInputTokens,
    reasoningTokens: tokens.reasoningTokens,
    tokenSource: tokens.tokenSource,
  };
}
