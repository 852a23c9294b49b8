/**
 * Pure derivation of {@link Metrics} from raw timestamps and token counts. No clock, no I/O.
 */
import { percentiles } from './stats';
import type { ChatMessage } from './config';
import { countMessageTokens, countTokens, type CountOptions } from './tokenCounter';
import type { Metrics, StreamFlags, TimingMarks, TimingPhases } from './types';

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

/** A token count as a server may report it: a whole number ≥ 0, else null. */
function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * The reported counts when `usage` has both `prompt_tokens` and `completion_tokens` as whole
 * numbers ≥ 0 and they can be true, else null (the counts are then estimated): no output tokens
 * for an answer that has text or reasoning, or no prompt tokens for a prompt that has text, is a
 * server filling in zeros, not a count.
 */
function reportedCounts(usage: UsageReport | null, input?: Pick<TokenCountInput, 'text' | 'reasoning' | 'messages'>): TokenCounts | null {
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  if (!usage || promptTokens === null || completionTokens === null) return null;
  if (input && completionTokens === 0 && (input.text !== '' || input.reasoning !== '')) return null;
  if (input && promptTokens === 0 && input.messages.some((m) => m.content !== '')) return null;
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

/**
 * Counts that were not reported by the server (`estimated`; cached and reasoning counts unknown).
 * When neither could be counted, nothing was estimated: the source is unknown (null) too.
 */
export function estimatedCounts(inputTokens: number | null, outputTokens: number | null): TokenCounts {
  const tokenSource = inputTokens === null && outputTokens === null ? null : 'estimated';
  return { inputTokens, outputTokens, cachedInputTokens: null, reasoningTokens: null, tokenSource };
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
  const reported = reportedCounts(input.usage, input);
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
 * - `tpotMs` = (totalMs − ttftMs) / (outputTokens − 1), null with fewer than 2 output tokens or
 *   fewer than 2 content events (an answer that arrived in one event shows no decoding);
 * - `chunkGapP50Ms` / `chunkGapP95Ms` = percentiles (linear interpolation, {@link percentile} in stats.ts) of the
 *   gaps between consecutive content-bearing chunk arrivals, null with fewer than 2 chunks;
 * - `tokensPerSecond` = outputTokens / ((endMs − firstContentMs) / 1000), null with fewer than
 *   2 output tokens, fewer than 2 content events, or no elapsed time.
 * Token fields are copied from `tokens`.
 */
export function computeMetrics(timing: TimingMarks, tokens: TokenCounts, streamed = true): Metrics {
  const totalMs = streamed ? timing.endMs - timing.startMs : null;
  const ttftMs = timing.firstContentMs === null ? null : timing.firstContentMs - timing.startMs;
  const out = tokens.outputTokens;
  // Decoding is seen only between content events: after a single one, the time to the end is
  // the server closing the stream, not producing tokens.
  const decodingSeen = timing.chunkMs.length >= 2;
  const tpotMs = decodingSeen && totalMs !== null && ttftMs !== null && out !== null && out >= 2 ? (totalMs - ttftMs) / (out - 1) : null;
  const decodeMs = timing.firstContentMs === null ? 0 : timing.endMs - timing.firstContentMs;
  const tokensPerSecond = decodingSeen && out !== null && out >= 2 && decodeMs > 0 ? out / (decodeMs / 1000) : null;
  const gaps = chunkGaps(timing.chunkMs);
  const [gapP50, gapP95] = percentiles(gaps, [50, 95]);
  return {
    ttftMs,
    totalMs,
    tpotMs,
    chunkGapP50Ms: gapP50,
    chunkGapP95Ms: gapP95,
    tokensPerSecond,
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cachedInputTokens: tokens.cachedInputTokens,
    reasoningTokens: tokens.reasoningTokens,
    tokenSource: tokens.tokenSource,
  };
}

/** b − a when both marks exist (and in order), else null. */
function span(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null ? null : Math.max(0, b - a);
}

/**
 * Where the time of one request went (README → Metrics → "Timing breakdown"), from its marks:
 * request start → DNS → TCP connect → proxy tunnel → TLS → request written → response headers →
 * first body byte → first token → end. Each phase runs from the previous mark that exists, so the
 * phases up to the first token add up to TTFT and all of them to Total. Steps that did not happen
 * (no DNS for an IP address or a reused connection, no TLS for http) are null; without connection
 * marks (a custom fetch) the connection phases and `requestToHeadersMs` are null.
 */
export function timingPhases(timing: TimingMarks): TimingPhases {
  const c = timing.connection;
  const start = timing.startMs;
  const connected = c ? (c.tlsMs ?? c.tunnelMs ?? c.tcpMs ?? c.dnsMs ?? start) : null;
  return {
    dnsMs: c ? span(start, c.dnsMs) : null,
    connectMs: c ? span(c.dnsMs ?? start, c.tcpMs) : null,
    tunnelMs: c ? span(c.tcpMs, c.tunnelMs) : null,
    tlsMs: c ? span(c.tunnelMs ?? c.tcpMs, c.tlsMs) : null,
    sendMs: c ? span(connected, c.sentMs) : null,
    requestToHeadersMs: c ? span(c.sentMs, timing.headersMs) : null,
    headersToFirstByteMs: span(timing.headersMs, timing.firstByteMs),
    firstByteToFirstTokenMs: span(timing.firstByteMs, timing.firstContentMs),
    decodeMs: span(timing.firstContentMs, timing.firstContentMs === null ? null : timing.endMs),
    connectionReused: c ? c.reused : null,
  };
}

/** Share of the stream's time that counts as its end for the *buffered* flag. */
export const bufferedTailShare = 0.1;
/**
 * The shortest tail, ms: bytes that arrive within a millisecond of the end arrived at once, however
 * short the answer's time (an answer delivered in one go after a wait arrives in a few reads
 * microseconds apart).
 */
export const bufferedTailMinMs = 1;
/** Share of the answer's bytes arriving in that tail that makes a stream *buffered*. */
export const bufferedBytesShare = 0.5;

/**
 * The stream honesty flags (README → Metrics):
 * - `buffered`: at least half of the answer's bytes (content and reasoning, UTF-8) arrived in the
 *   last 10 % of the answer's time, from its first content to the end (at least its last
 *   millisecond) — a server or proxy that holds the answer back and sends it at once. The wait
 *   before the first content (queueing, prefill, keep-alive comments after a role-only first
 *   event) is not part of it: a long wait followed by a short, really streamed answer is not
 *   buffered. Null with fewer than two content events (nothing to judge) or without the marks.
 * - `firstByteWithoutContent`: the first event carried no content or reasoning (typically only
 *   the assistant role), so the first byte does not mean the first token. Null without events.
 */
export function streamFlags(timing: TimingMarks): StreamFlags {
  const bytes = timing.chunkBytes;
  let buffered: boolean | null = null;
  if (bytes && bytes.length === timing.chunkMs.length && bytes.length >= 2 && timing.firstContentMs !== null) {
    const total = bytes.reduce((n, b) => n + b, 0);
    const tailStart = timing.endMs - Math.max((timing.endMs - timing.firstContentMs) * bufferedTailShare, bufferedTailMinMs);
    let tail = 0;
    for (let i = 0; i < bytes.length; i++) if (timing.chunkMs[i]! >= tailStart) tail += bytes[i]!;
    buffered = total > 0 ? tail >= total * bufferedBytesShare : null;
  }
  const first = timing.firstEventHasContent;
  return { buffered, firstByteWithoutContent: first === undefined || first === null ? null : !first };
}
