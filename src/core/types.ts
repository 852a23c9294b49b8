/**
 * Result types of one streamed completion and of a whole comparison. These are the contract
 * between the streaming client, the runner, the CLI, the extension and the panel.
 */
import type { BackendKind, ChatMessage, RequestParams } from './config';

/**
 * Every trial ends in exactly one of these states. `not_sent`: no request reached the network
 * (no usable key, cancelled before it started); every metric of such a trial is null.
 */
export const terminalStatuses = [
  'ok',
  'not_sent',
  'cancelled',
  'timeout',
  'http_error',
  'network_error',
  'tls_error',
  'protocol_error',
  'truncated',
  'upstream_error',
] as const;
export type TerminalStatus = (typeof terminalStatuses)[number];

/** Which limit a `timeout` hit. */
export type TimeoutPhase = 'connect' | 'firstByte' | 'idle' | 'total';

/** Why a stream did not end `ok`. Messages never contain API keys. */
export interface StreamError {
  type: Exclude<TerminalStatus, 'ok'>;
  /** One line for humans, e.g. `HTTP 401 Unauthorized: invalid api key`. */
  message: string;
  /** One line saying what the user can do about it. */
  hint: string;
  /** HTTP status for `http_error` (and for `upstream_error` when known). */
  httpStatus?: number;
  /** For `timeout`. */
  timeoutPhase?: TimeoutPhase;
  /** Error body text, HTML stripped, capped at `maxErrorBodyBytes`. */
  body?: string;
  /**
   * Node error code when the cause was a socket error (`ECONNREFUSED`, `ENOTFOUND`…); for
   * `not_sent`, why (`noKey`, `keyUnreadable`, `cancelled`: see `notSentReasons` in format.ts).
   */
  code?: string;
}

/**
 * How a backend's requests connect: `fresh` opens a new connection for every request (every
 * backend pays DNS, TCP and TLS alike); `warm` sends each measured request over a kept-alive
 * connection opened beforehand by an unmeasured warm-up request, as production clients run.
 */
export type ConnectionMode = 'fresh' | 'warm';

/**
 * When each step of a request's connection happened (same clock as {@link TimingMarks}), as the
 * built-in fetch saw it on the socket. Null: the step did not happen for this request (no DNS
 * lookup for an IP address or a reused connection, no TLS for http, no tunnel without a proxy).
 */
export interface ConnectionMarks {
  /** DNS lookup done (of the backend, or of the proxy). */
  dnsMs: number | null;
  /** TCP connection established (to the backend, or to the proxy). */
  tcpMs: number | null;
  /** The proxy answered the CONNECT request (the tunnel is open). */
  tunnelMs: number | null;
  /** TLS handshake with the backend done. */
  tlsMs: number | null;
  /** The whole request (headers and body) was handed to the connection. */
  sentMs: number | null;
  /** The request went over a connection kept alive from an earlier request. */
  reused: boolean;
}

/**
 * Where the time of one request went, ms, from the marks: consecutive phases that add up to TTFT
 * (all but `decodeMs`) and to Total (all of them). A phase is null when it did not happen or was
 * not observed (a custom fetch reports no connection marks). See README → Metrics.
 */
export interface TimingPhases {
  /** Request start → DNS lookup done. */
  dnsMs: number | null;
  /** → TCP connected (to the backend or the proxy). */
  connectMs: number | null;
  /** → proxy tunnel open (CONNECT answered). */
  tunnelMs: number | null;
  /** → TLS handshake done. */
  tlsMs: number | null;
  /** → request written to the connection (without a new connection: from request start). */
  sendMs: number | null;
  /** Request sent → response headers. */
  requestToHeadersMs: number | null;
  /** Response headers → first body byte. */
  headersToFirstByteMs: number | null;
  /** First body byte → first token (queueing and prefill the server did after answering). */
  firstByteToFirstTokenMs: number | null;
  /** First token → end of stream (decoding). */
  decodeMs: number | null;
  /** Whether the request reused a kept-alive connection; null when not observed. */
  connectionReused: boolean | null;
}

/**
 * What the shape of a stream says about how honest its timing is. Null: not judged (too little
 * arrived). See README → Metrics.
 */
export interface StreamFlags {
  /** At least half of the answer's bytes arrived in the last 10 % of the answer's time (first content → end, at least 1 ms). */
  buffered: boolean | null;
  /** The first event carried no content (typically only the assistant role): first byte ≠ first token. */
  firstByteWithoutContent: boolean | null;
}

/**
 * Raw monotonic timestamps (`performance.now()`, milliseconds, same clock origin) taken as the
 * bytes arrived, before any parsing or rendering work.
 */
export interface TimingMarks {
  /** When the trial's first attempt was issued (before any 429 wait). */
  callStartMs?: number;
  /** When the HTTP request of the final attempt was issued (after any 429 waits). */
  startMs: number;
  /** Response headers received (of the final, non-retried attempt). */
  headersMs: number | null;
  /** First body byte. */
  firstByteMs: number | null;
  /** First non-empty content or reasoning delta. */
  firstContentMs: number | null;
  /**
   * Arrival time of every SSE chunk that carried content or reasoning (role-only and usage chunks
   * excluded). Chunk-gap metrics use these: gaps between tokens, not between keep-alive events.
   */
  chunkMs: number[];
  /**
   * Arrival time of every SSE data event the stream delivered, content-less ones included (the
   * role chunk, finish and usage chunks; not `[DONE]`). Filled by `streamCompletion`; absent in
   * results made without a stream.
   */
  allChunkMs?: number[];
  /** UTF-8 bytes of content and reasoning each chunk of `chunkMs` carried (same order). */
  chunkBytes?: number[];
  /** Whether the first SSE event carried content or reasoning; null when no event arrived. */
  firstEventHasContent?: boolean | null;
  /** The connection steps of the final attempt; absent when the fetch reports none (a custom fetch). */
  connection?: ConnectionMarks;
  /** Derived from the marks above (metrics.ts `timingPhases`); absent for results made without a stream. */
  phases?: TimingPhases;
  /** End of the stream: when `[DONE]` arrived, else when the body ended or the stream failed. */
  endMs: number;
}

/**
 * Derived metrics. Formulas are documented in README.md → "Metrics". Every figure is null when it
 * was not measured: nothing is shown as 0 that did not happen.
 */
export interface Metrics {
  /** Time to first token: firstContentMs − startMs. Null when no content arrived. */
  ttftMs: number | null;
  /**
   * endMs − startMs, for a trial whose answer stream began (a 2xx response with body bytes).
   * Null when the request failed before that (refused, HTTP error, no response) or was not sent:
   * how long such a trial took is `TrialResult.wallMs`, shown in its state line.
   */
  totalMs: number | null;
  /** Time per output token after the first: (totalMs − ttftMs) / (outputTokens − 1). */
  tpotMs: number | null;
  /** Median / 95th percentile gap between consecutive chunks, ms. */
  chunkGapP50Ms: number | null;
  chunkGapP95Ms: number | null;
  /** outputTokens / ((endMs − firstContentMs) / 1000); null with fewer than 2 tokens. */
  tokensPerSecond: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Cached input tokens when the server reports them. */
  cachedInputTokens: number | null;
  /** Reasoning tokens when the server reports them (billed as output). */
  reasoningTokens: number | null;
  /**
   * `reported` = from the server's `usage`; `estimated` = counted with a tokenizer; null = no
   * counts (nothing was sent, or the request failed before an answer began).
   */
  tokenSource: TokenSource | null;
}

export type TokenSource = 'reported' | 'estimated';

export type CostSource = 'catalog' | 'modelsEndpoint' | 'override' | 'gpuHour' | 'free' | 'unknown';

export interface Cost {
  /** US dollars; null when unknown (never invented). */
  costUsd: number | null;
  costSource: CostSource;
  /** Human-readable derivation, e.g. `1,000 in × $0.15/M + 500 out × $0.60/M (genai-prices: openai gpt-4o-mini)`. */
  detail: string;
  /** Date of the price data, ISO, when known. */
  asOf?: string;
}

/** Exactly what was sent to a backend, with secrets redacted, so fairness can be shown. */
export interface SentRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** One backend × one trial. */
export interface TrialResult {
  backendId: string;
  backendLabel: string;
  kind: BackendKind;
  model: string;
  /** 1-based. */
  trial: number;
  status: TerminalStatus;
  error: StreamError | null;
  /** Content text exactly as streamed (kept when the stream failed part-way). */
  text: string;
  /** Reasoning text (`reasoning_content` / `reasoning`), if any. */
  reasoning: string;
  finishReason: string | null;
  metrics: Metrics;
  cost: Cost;
  timing: TimingMarks;
  request: SentRequest;
  /** How many 429 retries happened before the first byte. */
  retries: number;
  /** Time spent waiting out 429s before the final attempt, ms (0 without retries). */
  retryWaitMs: number;
  /** The last `Retry-After` the server sent with a 429, ms; null when none. */
  retryAfterMs: number | null;
  /**
   * Wall time of the whole trial, ms: from the first attempt (429 waits included) to the end.
   * Null when nothing was sent.
   */
  wallMs: number | null;
  /** Whether the server sent a usage chunk. */
  usageReported: boolean;
  /** The answer contained an API key in use; it was replaced by `***` in `text`/`reasoning`. */
  keyRedacted: boolean;
  /** The backend's TLS certificate was not verified (`tls.insecure`, or a proxy with strict SSL off). */
  tlsUnverified: boolean;
  /** How the backend's requests connected (absent: `fresh`). */
  connection?: ConnectionMode;
  /** Buffered stream, first byte without content (metrics.ts `streamFlags`); absent: not judged. */
  streamFlags?: StreamFlags;
}

export interface ComparisonRequest {
  messages: ChatMessage[];
  params: RequestParams;
}

export interface ComparisonResult {
  runId: string;
  /** Wall-clock start, ISO (for the record only; durations use the monotonic clock). */
  startedAt: string;
  request: ComparisonRequest;
  results: TrialResult[];
  /** `cancelled` when the user stopped the run; its cancelled trials hold partial figures. */
  outcome: RunOutcome;
  /** Most requests in flight per backend while it ran (1: trials of a backend never overlapped). */
  perBackendConcurrency: number;
}

export type RunOutcome = 'finished' | 'cancelled';

/** Events emitted while a comparison runs, in arrival order. */
export type RunEvent =
  | { type: 'started'; backendId: string; trial: number }
  | { type: 'delta'; backendId: string; trial: number; content: string; reasoning: string }
  /**
   * The first content (or reasoning) of a trial arrived: `ttftMs` is its time to first token,
   * measured as the final result's `metrics.ttftMs` will be (first content − request start).
   */
  | { type: 'firstToken'; backendId: string; trial: number; ttftMs: number }
  | { type: 'finished'; result: TrialResult };
