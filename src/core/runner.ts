/**
 * Runs one comparison: the same request to N backends × T trials, streamed concurrently, one
 * result per pair in trial-major order. Also the backend health check and the `/models` price
 * reader.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Timeouts, type Backend, type ChatMessage, type RequestParams } from './config';
import {
  cancelledBeforeStartError,
  httpStatusHint,
  messageFromBody,
  MissingKeyError,
  notSentError,
  protocolError,
  toStreamError,
} from './errors';
import { type ModelsEndpointPrice } from './pricing';
import { redactCutText, redactSecrets } from './redact';
import { buildRequestBody, describeRequest, streamCompletion, UsageSupportMemory, sharedUsageMemory } from './stream';
import { createNodeFetch, readCapped, type FetchFn, type NodeFetchOptions } from './timedFetch';
import { ConnectionPool } from './proxy';
import { backendTlsOptions } from './tlsTrust';
import { countMessageTokens } from './tokenCounter';
import { tokenizerName, type TokenizerName } from './tokens';
import type { ComparisonResult, Metrics, RunEvent, StreamError, TrialResult } from './types';

/** A price read from a `/models` listing, US dollars per million tokens. */
export type ModelsPrice = ModelsEndpointPrice;

/** Options of {@link runComparison}. */
export interface RunOptions {
  /** Id of this run (the extension uses its own so logs, panel and exports agree). Default: a random UUID. */
  runId?: string;
  backends: Backend[];
  messages: ChatMessage[];
  params: RequestParams;
  timeouts: Timeouts;
  /** Trials per backend. Default 1. */
  trials?: number;
  /** Most streams open at once, across all backends and trials. Default: number of backends (min 1). */
  concurrency?: number;
  /**
   * Most streams open at once for one backend. Default 1: trials of a backend never overlap, so
   * its percentiles are not measured under load the comparison made itself.
   */
  perBackendConcurrency?: number;
  /** Cancels every stream; trials not yet started end `not_sent` (reason `cancelled`). */
  signal?: AbortSignal;
  /**
   * The API key of a backend (undefined: send none). Called once per backend. Throwing means no
   * request is sent to that backend: its trials end `not_sent`, with the error's message
   * (a {@link MissingKeyError} is reason `noKey`, anything else `keyUnreadable`).
   */
  resolveKey: (backend: Backend) => Promise<string | undefined> | string | undefined;
  /** Progress events, in arrival order. Exceptions thrown here are ignored. */
  onEvent?: (event: RunEvent) => void;
  /** Replaces the built-in fetch (tests). */
  fetch?: FetchFn;
  usageMemory?: UsageSupportMemory;
  /** Price source for `pricing.type === 'modelsEndpoint'`; default reads the backend's own `GET /models`. */
  modelsPrice?: (backend: Backend) => Promise<ModelsPrice | null>;
  /** Where `/models` prices are kept between runs (the extension keeps one per session). Default: one for this run. */
  priceCache?: ModelsPriceCache;
  /** Options of the built-in fetch (DNS lookup, CA certificates). */
  transport?: Omit<NodeFetchOptions, 'connectTimeoutMs'>;
  /** Waits before 429 retries when no Retry-After is sent, ms. */
  rateLimitBackoffMs?: readonly number[];
}

/** Result of {@link checkBackend}. */
export interface BackendCheck {
  backendId: string;
  /** The server answered HTTP at all (any status) to `GET /models` or to the test request. */
  reachable: boolean;
  /** `GET /models` returned a model list; null when it could not be asked (unreachable). */
  modelsListed: boolean | null;
  /** The configured model is in that list; null without a list. */
  modelFound: boolean | null;
  /**
   * What a tiny streamed request showed: `reported` (a usage chunk came back), `not_reported`
   * (answered fine, no usage), `rejected` (the server refused `stream_options`), `unknown`
   * (the request failed).
   */
  streamUsage: 'reported' | 'not_reported' | 'rejected' | 'unknown';
  /** Round trip of `GET /models`, ms; null when there was no answer. */
  latencyMs: number | null;
  /** The test request's failure, else a `/models` failure other than "not implemented". */
  error: StreamError | null;
  /**
   * How the tiny streamed chat request ended: its state, HTTP status when it failed with one,
   * and its timings (null when not measured). A server can list models and still fail every chat.
   */
  chat: { status: TrialResult['status']; httpStatus: number | null; ttftMs: number | null; totalMs: number | null };
  /** Model ids `GET /models` listed (at most 100, in its order); null without a listing. */
  availableModels: string[] | null;
}

/** Options of {@link checkBackend}. */
export interface CheckOptions {
  fetch?: FetchFn;
  timeouts?: Partial<Timeouts>;
  signal?: AbortSignal;
  /** Updated when the backend turns out to reject `stream_options`. */
  usageMemory?: UsageSupportMemory;
  transport?: Omit<NodeFetchOptions, 'connectTimeoutMs'>;
}

function safeEmit(onEvent: RunOptions['onEvent'], event: RunEvent): void {
  if (!onEvent) return;
  try {
    onEvent(event);
  } catch {
    // a broken listener must not break the run
  }
}

/** Every metric null: what a trial that was not measured shows. */
const emptyMetrics: Metrics = {
  ttftMs: null,
  totalMs: null,
  tpotMs: null,
  chunkGapP50Ms: null,
  chunkGapP95Ms: null,
  tokensPerSecond: null,
  inputTokens: null,
  outputTokens: null,
  cachedInputTokens: null,
  reasoningTokens: null,
  tokenSource: null,
};

/**
 * The result of a trial whose request was never sent (`error.type === 'not_sent'`), or — as a
 * last resort — of a job whose handling threw: every metric null, no cost, and the request that
 * would have been sent. Builds nothing that can throw for a well-formed backend.
 */
export function resultWithoutStream(
  backend: Backend,
  trial: number,
  error: StreamError,
  messages: ChatMessage[],
  params: RequestParams,
  nowMs: number = performance.now(),
): TrialResult {
  let request: TrialResult['request'];
  try {
    request = describeRequest(backend, buildRequestBody(backend, messages, params, backend.streamUsage !== 'never'), undefined);
  } catch {
    request = { url: '', headers: {}, body: {} };
  }
  return { ...minimalResult(backend, trial, error, nowMs), request };
}

/** The last-resort result: nothing in it can throw again. */
function minimalResult(backend: Backend, trial: number, error: StreamError, nowMs: number = performance.now()): TrialResult {
  const label = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return {
    backendId: label(backend?.id, 'unknown'),
    backendLabel: label(backend?.label, label(backend?.id, 'unknown')),
    kind: backend?.kind ?? 'decentralized',
    model: label(backend?.model, ''),
    trial,
    status: error.type,
    error,
    text: '',
    reasoning: '',
    finishReason: null,
    metrics: { ...emptyMetrics },
    cost: {
      costUsd: null,
      costSource: 'unknown',
      detail: error.type === 'not_sent' ? 'Not sent: no request reached the provider.' : 'The request could not be made.',
    },
    timing: { startMs: nowMs, headersMs: null, firstByteMs: null, firstContentMs: null, chunkMs: [], endMs: nowMs },
    request: { url: '', headers: {}, body: {} },
    retries: 0,
    retryWaitMs: 0,
    retryAfterMs: null,
    wallMs: null,
    usageReported: false,
    keyRedacted: false,
    tlsUnverified: Boolean(backend?.tls?.insecure),
  };
}

/** A {@link StreamError} for anything thrown; never throws itself. */
function safeStreamError(err: unknown): StreamError {
  try {
    return toStreamError(err);
  } catch {
    return protocolError('Unexpected failure while running the comparison');
  }
}

/**
 * A count that starts only when something first awaits it: a result whose server reported no
 * usage. A run whose servers all report usage never starts the tokenizer (whose start would
 * compete for the CPU with the streams being timed).
 */
export function countWhenNeeded(start: () => Promise<number | null>): PromiseLike<number | null> {
  let running: Promise<number | null> | undefined;
  return {
    then: (onCounted, onFailed) => (running ??= start()).then(onCounted, onFailed),
  };
}

/**
 * Prompt tokens per tokenizer used by `backends`: one count per tokenizer, made in the
 * token-counting worker when the first result that needs it asks (see {@link countWhenNeeded});
 * the requests go out at once whatever the prompt's size. Cancelling the run (`signal`) resolves
 * the counts still running to null at once.
 */
function promptTokensByTokenizer(messages: ChatMessage[], backends: Backend[], signal: AbortSignal | undefined): Map<TokenizerName, PromiseLike<number | null>> {
  const counts = new Map<TokenizerName, PromiseLike<number | null>>();
  for (const backend of backends) {
    let name: TokenizerName;
    try {
      name = tokenizerName(backend.model);
    } catch {
      continue;
    }
    if (!counts.has(name)) counts.set(name, countWhenNeeded(() => countMessageTokens(messages, backend.model, signal ? { signal } : {})));
  }
  return counts;
}

/**
 * Streams `messages` to every backend `trials` times. Jobs are queued trial-major (all backends
 * of trial 1, then trial 2…); at most `concurrency` run at once, and at most
 * `perBackendConcurrency` (default 1) for one backend. Never rejects: every
 * backend × trial gets a {@link TrialResult}, whatever happened to the others. Results are in
 * queue order, not completion order.
 */
export async function runComparison(options: RunOptions): Promise<ComparisonResult> {
  const startedAt = new Date().toISOString();
  const { backends, messages, params, signal } = options;
  const trials = Math.max(1, Math.floor(options.trials ?? 1));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? backends.length));
  const perBackend = Math.max(1, Math.floor(options.perBackendConcurrency ?? 1));
  const usageMemory = options.usageMemory ?? sharedUsageMemory;
  // Every stream and price lookup in flight listens to the run's signal (and removes its listener
  // when done): more than 10 at once is expected, not a leak.
  if (signal) setMaxListeners(concurrency + backends.length + 10, signal);
  const jobs: Array<{ backend: Backend; trial: number }> = [];
  for (let trial = 1; trial <= trials; trial++) for (const backend of backends) jobs.push({ backend, trial });
  let promptCounts = new Map<TokenizerName, PromiseLike<number | null>>();
  try {
    promptCounts = promptTokensByTokenizer(messages, backends, signal);
  } catch {
    // counts stay unknown; every job still gets a result
  }
  const promptTokensOf = new Map<Backend, PromiseLike<number | null>>();
  const promptTokensFor = (backend: Backend): PromiseLike<number | null> => {
    let count = promptTokensOf.get(backend);
    if (!count) {
      try {
        count = promptCounts.get(tokenizerName(backend.model)) ?? Promise.resolve(null);
      } catch {
        count = Promise.resolve(null);
      }
      promptTokensOf.set(backend, count);
    }
    return count;
  };

  const runTrial = createTrialRunner({ ...options, usageMemory });
  const runJob = (backend: Backend, trial: number): Promise<TrialResult> =>
    runTrial(backend, trial, messages, params, promptTokensFor(backend));

  // Queue order is trial-major; a job starts when a global slot is free and its backend has
  // fewer than `perBackend` streams open, so backends run side by side while each backend's
  // trials follow one another (by default).
  const results: TrialResult[] = new Array<TrialResult>(jobs.length);
  const pending = jobs.map((job, index) => ({ ...job, index }));
  const open = new Map<string, number>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (running < concurrency) {
        const at = pending.findIndex((job) => (open.get(job.backend.id) ?? 0) < perBackend);
        if (at < 0) break;
        const job = pending.splice(at, 1)[0]!;
        running++;
        open.set(job.backend.id, (open.get(job.backend.id) ?? 0) + 1);
        const done = (result: TrialResult): void => {
          results[job.index] = result;
          running--;
          open.set(job.backend.id, open.get(job.backend.id)! - 1);
          if (pending.length === 0 && running === 0) resolve();
          else pump();
        };
        runJob(job.backend, job.trial).then(done, (err: unknown) => done(minimalResult(job.backend, job.trial, safeStreamError(err))));
      }
    };
    if (jobs.length === 0) resolve();
    else pump();
  });
  runTrial.close();
  return {
    runId: options.runId ?? randomUUID(),
    startedAt,
    request: { messages, params },
    results,
    outcome: signal?.aborted ? 'cancelled' : 'finished',
    perBackendConcurrency: perBackend,
  };
}

/** What every trial of a run shares: key lookup, price lookup, transport, cancel and events. */
export type TrialRunnerOptions = Pick<
  RunOptions,
  'timeouts' | 'signal' | 'resolveKey' | 'onEvent' | 'fetch' | 'usageMemory' | 'modelsPrice' | 'priceCache' | 'transport' | 'rateLimitBackoffMs'
>;

/**
 * Runs one trial of one backend — key, stream, cost — and always resolves with a
 * {@link TrialResult}. `promptTokens` is the prompt already counted with the backend's
 * tokenizer (null: could not be counted).
 */
export type TrialRunner = ((
  backend: Backend,
  trial: number,
  messages: ChatMessage[],
  params: RequestParams,
  promptTokens: number | null | PromiseLike<number | null>,
) => Promise<TrialResult>) & {
  /** Closes the kept-alive connections of `connection: "warm"` backends (call when the run ended). */
  close(): void;
};

/**
 * The trial primitive {@link runComparison} and the suite runner share: each backend's key is
 * resolved once (a missing or unreadable key ends its trials `not_sent`), `/models` prices come
 * from one {@link ModelsPriceCache}, a cancelled run ends trials not yet started `not_sent`. A
 * backend set to `connection: "warm"` gets a kept-alive connection, opened by an unmeasured
 * `GET /models` whenever none is idle, for its measured requests; trials that send the same
 * request share one record of it.
 */
export function createTrialRunner(options: TrialRunnerOptions): TrialRunner {
  const { signal } = options;
  const usageMemory = options.usageMemory ?? sharedUsageMemory;
  const keys = new Map<string, Promise<string | undefined>>();
  const keyFor = (backend: Backend): Promise<string | undefined> => {
    let key = keys.get(backend.id);
    if (!key) {
      key = (async () => options.resolveKey(backend))();
      keys.set(backend.id, key);
    }
    return key;
  };
  const priceCache = options.priceCache ?? new ModelsPriceCache();
  const priceFor = (backend: Backend, key: string | undefined) => () =>
    priceCache.get(backend, () =>
      options.modelsPrice
        ? options.modelsPrice(backend)
        : fetchModelsPrice(backend, key, options.fetch, { timeouts: options.timeouts, signal, transport: options.transport }),
    );

  // The trials of a backend send the same request: one record of it, shared by their results.
  const sharedRecords = new Map<string, TrialResult['request']>();
  // Kept-alive connections of the backends set to `connection: "warm"`, closed with the runner.
  const pools = new Map<string, ConnectionPool>();
  const poolFor = (backend: Backend): ConnectionPool | undefined => {
    if (backend.connection !== 'warm' || options.fetch) return undefined;
    let pool = pools.get(backend.id);
    if (!pool) pools.set(backend.id, (pool = new ConnectionPool()));
    return pool;
  };
  /** Opens a kept-alive connection with an unmeasured request, unless one is idle already. Never throws. */
  const warmUp = async (backend: Backend, key: string | undefined, pool: ConnectionPool): Promise<void> => {
    if (pool.idleConnections() > 0 || signal?.aborted) return;
    const fetch = createNodeFetch({ ...options.transport, ...backendTlsOptions(backend), pool, connectTimeoutMs: options.timeouts.connectMs });
    await getModels(backend, key, fetch, { timeouts: options.timeouts, ...(signal ? { signal } : {}) });
  };

  const runTrial = async (backend: Backend, trial: number, messages: ChatMessage[], params: RequestParams, promptTokens: number | null | PromiseLike<number | null>): Promise<TrialResult> => {
    safeEmit(options.onEvent, { type: 'started', backendId: backend.id, trial });
    let result: TrialResult;
    try {
      let key: string | undefined;
      let keyError: StreamError | null = null;
      if (!signal?.aborted) {
        try {
          key = (await keyFor(backend)) || undefined;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          keyError =
            err instanceof MissingKeyError
              ? notSentError('noKey', message, err.hint)
              : notSentError('keyUnreadable', `Not sent: the API key could not be read (${message})`, 'Set the key again (environment variable or secret store) and rerun.');
        }
      }
      if (signal?.aborted) {
        result = resultWithoutStream(backend, trial, cancelledBeforeStartError(), messages, params);
      } else if (keyError) {
        result = resultWithoutStream(backend, trial, keyError, messages, params);
      } else {
        const pool = poolFor(backend);
        if (pool) await warmUp(backend, key, pool);
        const transport = pool ? { ...options.transport, pool } : options.transport;
        result = await streamCompletion({
          backend,
          apiKey: key,
          messages,
          params,
          timeouts: options.timeouts,
          trial,
          usageMemory,
          sharedRecords,
          promptTokens,
          modelsEndpointPrice: priceFor(backend, key),
          ...(signal ? { signal } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(transport ? { transport } : {}),
          ...(options.rateLimitBackoffMs ? { rateLimitBackoffMs: options.rateLimitBackoffMs } : {}),
          ...(options.onEvent
            ? {
                onFirstToken: (ttftMs: number) => safeEmit(options.onEvent, { type: 'firstToken', backendId: backend.id, trial, ttftMs }),
                onDelta: (delta: { content: string; reasoning: string }) =>
                  safeEmit(options.onEvent, { type: 'delta', backendId: backend.id, trial, content: delta.content, reasoning: delta.reasoning }),
              }
            : {}),
        });
      }
    } catch (err) {
      result = minimalResult(backend, trial, safeStreamError(err));
    }
    safeEmit(options.onEvent, { type: 'finished', result });
    return result;
  };
  return Object.assign(runTrial, {
    close: () => {
      for (const pool of pools.values()) pool.destroy();
      pools.clear();
    },
  });
}

/**
 * `/models` prices by backend (id, base URL, model), each looked up once: concurrent trials share
 * one request, and a lookup that found no price is forgotten so a later run asks again.
 */
export class ModelsPriceCache {
  private readonly prices = new Map<string, Promise<ModelsPrice | null>>();

  get(backend: Pick<Backend, 'id' | 'baseUrl' | 'model'>, lookUp: () => Promise<ModelsPrice | null>): Promise<ModelsPrice | null> {
    const key = `${backend.id}\n${backend.baseUrl}\n${backend.model}`;
    let price = this.prices.get(key);
    if (!price) {
      price = lookUp().catch(() => null);
      this.prices.set(key, price);
      void price.then((found) => {
        if (!found && this.prices.get(key) === price) this.prices.delete(key);
      });
    }
    return price;
  }

  clear(): void {
    this.prices.clear();
  }
}

interface ModelsAnswer {
  /** HTTP status, null when no answer. */
  status: number | null;
  entries: Array<Record<string, unknown>> | null;
  latencyMs: number | null;
  error: StreamError | null;
}

/** `GET {baseUrl}/models` with the key; never throws. */
async function getModels(
  backend: Backend,
  key: string | undefined,
  fetchImpl: FetchFn | undefined,
  opts: { timeouts?: Partial<Timeouts>; signal?: AbortSignal; transport?: CheckOptions['transport'] },
): Promise<ModelsAnswer> {
  const timeouts = Timeouts.parse(opts.timeouts ?? {});
  const base = fetchImpl ?? createNodeFetch({ ...opts.transport, ...backendTlsOptions(backend), connectTimeoutMs: timeouts.connectMs });
  const controller = new AbortController();
  const limitMs = Math.min(timeouts.firstByteMs, timeouts.totalMs);
  const timer = setTimeout(() => controller.abort(new Error('timeout')), limitMs);
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = { accept: 'application/json', ...(backend.headers ?? {}) };
  if (key) headers.authorization = `Bearer ${key}`;
  const started = performance.now();
  try {
    const res = await base(`${backend.baseUrl.replace(/\/+$/, '')}/models`, {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = await readCapped(res.body, 32 * 1024 * 1024);
    const latencyMs = performance.now() - started;
    if (!res.ok) {
      // Redact before cutting, so the cut cannot leave part of a key behind.
      const body = redactCutText(text, [key]).slice(0, timeouts.maxErrorBodyBytes);
      return {
        status: res.status,
        entries: null,
        latencyMs,
        error: {
          type: 'http_error',
          httpStatus: res.status,
          message: redactSecrets(`GET /models: HTTP ${res.status}${body ? `: ${messageFromBody(body).slice(0, 200)}` : ''}`, [key]),
          hint: httpStatusHint(res.status),
          ...(body ? { body } : {}),
        },
      };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status: res.status, entries: null, latencyMs, error: protocolError('GET /models did not return JSON') };
    }
    const list = Array.isArray(json) ? json : (json as { data?: unknown })?.data;
    const entries = Array.isArray(list)
      ? list.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      : null;
    return {
      status: res.status,
      entries,
      latencyMs,
      error: entries ? null : protocolError('GET /models returned no model list'),
    };
  } catch (err) {
    const error = controller.signal.aborted && !opts.signal?.aborted
      ? { type: 'timeout' as const, timeoutPhase: 'firstByte' as const, message: `GET /models got no answer within ${limitMs} ms`, hint: 'Check baseUrl and the network.' }
      : toStreamError(err, { secrets: [key], userAborted: opts.signal?.aborted ?? false });
    return { status: null, entries: null, latencyMs: null, error };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (value && typeof value === 'object' && 'usd' in value) return toNumber((value as { usd: unknown }).usd);
  return null;
}

/**
 * Price of one `/models` entry, US dollars per million tokens. Reads `pricing` (or `price`):
 * `prompt` / `completion` are US dollars per token (OpenRouter's convention, numbers or decimal
 * strings) and are multiplied by 10⁶; `input` / `output` are US dollars per million tokens (a
 * nested `{usd: n}` is accepted). Null when absent, negative (OpenRouter's "-1" = variable) or
 * incomplete.
 */
export function priceFromModelEntry(entry: Record<string, unknown>): { inputPerMTok: number; outputPerMTok: number } | null {
  const pricing = (entry.pricing ?? entry.price) as Record<string, unknown> | undefined;
  if (!pricing || typeof pricing !== 'object') return null;
  let input: number | null = null;
  let output: number | null = null;
  const prompt = toNumber(pricing.prompt);
  const completion = toNumber(pricing.completion);
  if (prompt !== null && completion !== null) {
    input = prompt * 1e6;
    output = completion * 1e6;
  } else {
    input = toNumber(pricing.input);
    output = toNumber(pricing.output);
  }
  if (input === null || output === null || input < 0 || output < 0) return null;
  return { inputPerMTok: Number(input.toPrecision(12)), outputPerMTok: Number(output.toPrecision(12)) };
}

/**
 * Reads this backend's model price from its own `GET /models` listing (see
 * {@link priceFromModelEntry} for the accepted shapes). `asOf` is today's date. Null when the
 * listing, the model or its price is missing; never throws.
 */
export async function fetchModelsPrice(
  backend: Backend,
  key: string | undefined,
  fetch?: FetchFn,
  opts: { timeouts?: Partial<Timeouts>; signal?: AbortSignal; transport?: CheckOptions['transport'] } = {},
): Promise<ModelsPrice | null> {
  const answer = await getModels(backend, key, fetch, opts);
  const entry = answer.entries?.find((e) => e.id === backend.model || e.name === backend.model);
  const price = entry ? priceFromModelEntry(entry) : null;
  return price ? { ...price, asOf: new Date().toISOString().slice(0, 10) } : null;
}

/**
 * Health check for `bakeoff backends check`: `GET /models` with the key (reachable? model
 * listed?), then a tiny streamed request (max_tokens 4) asking for usage, to see whether the
 * server reports usage, ignores the request for it, or rejects it.
 */
export async function checkBackend(backend: Backend, key: string | undefined, opts: CheckOptions = {}): Promise<BackendCheck> {
  const models = await getModels(backend, key, opts.fetch, opts);
  const probeMemory = new UsageSupportMemory();
  const result = await streamCompletion({
    backend: { ...backend, streamUsage: 'auto' },
    apiKey: key,
    messages: [{ role: 'user', content: 'Reply with the single word: ok' }],
    params: { maxTokens: 4, temperature: 0 },
    timeouts: opts.timeouts ?? {},
    usageMemory: probeMemory,
    estimateTokens: false,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
  });
  const rejected = probeMemory.isRejected(backend);
  if (rejected) opts.usageMemory?.markRejected(backend);
  const answered = result.status === 'ok' || (result.status === 'truncated' && result.timing.firstByteMs !== null);
  const streamUsage: BackendCheck['streamUsage'] = rejected
    ? 'rejected'
    : result.usageReported
      ? 'reported'
      : answered
        ? 'not_reported'
        : 'unknown';
  const modelsMissing = models.status === 404 || models.status === 405;
  const listed = models.entries !== null;
  return {
    backendId: backend.id,
    reachable: models.status !== null || result.timing.headersMs !== null,
    modelsListed: listed ? true : models.status !== null && (modelsMissing || models.status < 400) ? false : null,
    modelFound: listed ? models.entries!.some((e) => e.id === backend.model || e.name === backend.model) : null,
    streamUsage,
    latencyMs: models.latencyMs,
    error: result.error ?? (models.error && !modelsMissing ? models.error : null),
    chat: {
      status: result.status,
      httpStatus: result.error?.httpStatus ?? null,
      ttftMs: result.metrics.ttftMs,
      totalMs: result.metrics.totalMs,
    },
    // The ids come from the server, which may echo the key in one: redacted like its error messages.
    availableModels: listed ? modelIds(models.entries!, [key]).slice(0, 100) : null,
  };
}

/**
 * The ids of a `/models` listing's entries (`id`, else `name`), each once, in order, with the
 * `secrets` redacted (see {@link redactSecrets}).
 */
export function modelIds(entries: ReadonlyArray<Record<string, unknown>>, secrets: ReadonlyArray<string | null | undefined> = []): string[] {
  const ids: string[] = [];
  for (const e of entries) {
    const raw = typeof e.id === 'string' ? e.id : typeof e.name === 'string' ? e.name : null;
    const id = raw === null ? null : redactSecrets(raw, secrets);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * The model ids a server lists at `GET {baseUrl}/models` (for picking a model when adding a
 * backend); `error` says why there is no list (401 without a key, no listing, unreachable).
 */
export async function listModels(
  backend: Backend,
  key: string | undefined,
  opts: { fetch?: FetchFn; timeouts?: Partial<Timeouts>; signal?: AbortSignal; transport?: CheckOptions['transport'] } = {},
): Promise<{ ids: string[] | null; status: number | null; error: StreamError | null }> {
  const answer = await getModels(backend, key, opts.fetch, opts);
  return { ids: answer.entries ? modelIds(answer.entries, [key]) : null, status: answer.status, error: answer.error };
}
