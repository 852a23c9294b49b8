/**
 * One streamed chat completion against one OpenAI-compatible backend: the request as the `openai`
 * SDK builds it, sent and read through Bakeoff's instrumented fetch. Always resolves (never
 * rejects) with a {@link TrialResult} in exactly one terminal state, keeping whatever text and
 * timings arrived.
 */
import { APIError, OpenAI } from 'openai';
import { Timeouts, type Backend, type ChatMessage, type RequestParams } from './config';
import { cancelledError, emptyStreamError, notSentError, scrubError, timeoutError, toStreamError, truncatedError } from './errors';
import { computeMetrics, noTokenCounts, resolveTokenCountsAsync, streamFlags, timingPhases, type TokenCounts, type UsageReport } from './metrics';
import { isBillable, trialCost, type ModelsEndpointPrice } from './pricing';
import { redactDeep, redactHeaders, redactSecrets, StreamingKeyRedactor } from './redact';
import { holdTokenCounter } from './tokenCounter';
import { createNodeFetch, FetchInstrument, type FetchFn, type NodeFetchOptions } from './timedFetch';
import { tlsUnverified } from './proxy';
import { backendTlsOptions } from './tlsTrust';
import type { SentRequest, StreamError, TerminalStatus, TimingMarks, TrialResult } from './types';

/**
 * Remembers which backends reject `stream_options` (keyed by id + baseUrl), so the fallback
 * request is made once per backend, not on every trial. Share one instance between runs.
 */
export class UsageSupportMemory {
  private readonly rejected = new Set<string>();
  private readonly reporting = new Set<string>();

  private static keyOf(backend: Pick<Backend, 'id' | 'baseUrl'>): string {
    return `${backend.id}\n${backend.baseUrl}`;
  }

  /** Whether this backend rejected `stream_options` before. */
  isRejected(backend: Pick<Backend, 'id' | 'baseUrl'>): boolean {
    return this.rejected.has(UsageSupportMemory.keyOf(backend));
  }

  /** Records that this backend rejects `stream_options`. */
  markRejected(backend: Pick<Backend, 'id' | 'baseUrl'>): void {
    this.rejected.add(UsageSupportMemory.keyOf(backend));
  }

  /** Whether this backend's last answer reported its token usage (its counts then need no tokenizer). */
  reportsUsage(backend: Pick<Backend, 'id' | 'baseUrl'>): boolean {
    return this.reporting.has(UsageSupportMemory.keyOf(backend));
  }

  /** Records whether this backend's answer reported its token usage. */
  markUsageReported(backend: Pick<Backend, 'id' | 'baseUrl'>, reported: boolean): void {
    if (reported) this.reporting.add(UsageSupportMemory.keyOf(backend));
    else this.reporting.delete(UsageSupportMemory.keyOf(backend));
  }

  /** Forgets everything (e.g. after the configuration changed). */
  clear(): void {
    this.rejected.clear();
    this.reporting.clear();
  }
}

/** Process-wide memory used when none is passed. */
export const sharedUsageMemory = new UsageSupportMemory();

/**
 * Body fields `extraBody` can never set: the model and prompt, the streaming switches, and the
 * request parameters shared by every backend of a comparison (`max_tokens` and its newer alias
 * `max_completion_tokens`, `temperature`, `seed`, and `n`, which would stream several answers
 * at once). Such keys in `extraBody` are dropped, not merged.
 */
export const protectedBodyFields: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'n',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'seed',
]);

/**
 * OpenAI clients are shared (building one costs more than sending a request through it): one per
 * base URL and default headers, without a key (each request sends its own `Authorization`).
 */
const clients = new Map<string, OpenAI>();
const maxClients = 64;

function sharedClient(baseURL: string, defaultHeaders: Record<string, string | null>): OpenAI {
  const cacheKey = JSON.stringify([baseURL, defaultHeaders]);
  let client = clients.get(cacheKey);
  if (!client) {
    client = new OpenAI({
      baseURL,
      apiKey: 'no-key',
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      defaultHeaders,
      fetch: () => Promise.reject(new Error('Bakeoff sends its requests through the stream instrument')),
      maxRetries: 0,
      logLevel: 'off',
    });
    if (clients.size >= maxClients) clients.delete(clients.keys().next().value!);
    clients.set(cacheKey, client);
  }
  return client;
}

/**
 * What the SDK sends for a chat stream of one client: the URL and the headers (User-Agent, Accept,
 * `X-Stainless-*`, the backend's headers, content type) as `chat.completions.create` builds them,
 * minus `Authorization`. The SDK builds it once per client (`buildRequest`); each request then
 * sends it with its own key and body through the stream instrument. The SDK's per-request
 * pipeline (option merging, a `Headers` object per step, request-log formatting even when logging
 * is off) cost about 0.15–0.2 ms of CPU per request.
 */
interface ChatRequestTemplate {
  url: string;
  /** Lowercase names, sorted as a `Headers` object iterates them. */
  headers: ReadonlyArray<readonly [string, string]>;
}
const chatTemplates = new WeakMap<OpenAI, Promise<ChatRequestTemplate>>();

function chatRequestTemplate(client: OpenAI): Promise<ChatRequestTemplate> {
  let template = chatTemplates.get(client);
  if (!template) {
    template = client
      .buildRequest({ method: 'post', path: '/chat/completions', body: {}, stream: true, headers: { Authorization: null }, __security: { bearerAuth: true } })
      .then(({ req, url }) => {
        // Frozen: every request of the client is sent with these very pairs.
        const headers: Array<readonly [string, string]> = [];
        new Headers(req.headers).forEach((value, name) => headers.push(Object.freeze([name, value] as const)));
        return { url, headers: Object.freeze(headers) };
      });
    chatTemplates.set(client, template);
    // A template that failed (e.g. a header value fetch refuses) is built again next time.
    template.catch(() => chatTemplates.delete(client));
  }
  return template;
}

/**
 * Each backend's template, remembered on the backend object (the trials of a run share one) while
 * its URL and headers stay the same: the client's key and default headers are then not rebuilt for
 * every request. `OPENAI_CUSTOM_HEADERS` is read when the template is made, as the SDK reads it
 * when its client is made.
 */
const backendTemplates = new WeakMap<Backend, { baseUrl: string; headers: Backend['headers']; template: Promise<ChatRequestTemplate> }>();

function templateFor(backend: Backend): Promise<ChatRequestTemplate> {
  const known = backendTemplates.get(backend);
  if (known && known.baseUrl === backend.baseUrl && known.headers === backend.headers) return known.template;
  // Headers named in OPENAI_CUSTOM_HEADERS are removed: the SDK would add them to every backend.
  const defaultHeaders: Record<string, string | null> = {};
  for (const name of envHeaderNames()) defaultHeaders[name] = null;
  Object.assign(defaultHeaders, backend.headers ?? {});
  const template = chatRequestTemplate(sharedClient(backend.baseUrl.replace(/\/+$/, ''), defaultHeaders));
  backendTemplates.set(backend, { baseUrl: backend.baseUrl, headers: backend.headers, template });
  template.catch(() => backendTemplates.delete(backend));
  return template;
}

/**
 * `Bearer <key>` as a `Headers` object holds it — what the SDK sent: surrounding spaces, tabs and
 * line breaks (a key read from a file or a CRLF `.env`) removed. Null when fetch would refuse it
 * (a line break or NUL inside, a character above U+00FF). Remembered per key: a run sends the same
 * few keys thousands of times.
 */
const authorizationValues = new Map<string, string | null>();

function authorizationValue(apiKey: string): string | null {
  let value = authorizationValues.get(apiKey);
  if (value === undefined) {
    try {
      value = new Headers([['authorization', `Bearer ${apiKey}`]]).get('authorization');
    } catch {
      value = null;
    }
    if (authorizationValues.size >= 64) authorizationValues.clear();
    authorizationValues.set(apiKey, value);
  }
  return value;
}

/** The `not_sent` error of a key that cannot go in a header (see {@link authorizationValue}). */
function unsendableKeyError(): StreamError {
  return notSentError(
    'keyUnreadable',
    'Not sent: the API key cannot go in an HTTP header (it has a line break, a NUL or a character outside Latin-1 inside it)',
    'Set the key again without line breaks or pasted symbols (Bakeoff: Set API Key…, or the environment variable).',
  );
}

/** The template's headers with `authorization` in its sorted place. */
function withAuthorization(headers: ReadonlyArray<readonly [string, string]>, value: string): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  let placed = false;
  for (const pair of headers) {
    if (!placed && pair[0] > 'authorization') {
      out.push(['authorization', value]);
      placed = true;
    }
    out.push(pair);
  }
  if (!placed) out.push(['authorization', value]);
  return out;
}

/** The SDK's error for an HTTP error answer (its `makeRequest` rule): JSON body as the error, else the text as message. */
async function statusError(res: Response): Promise<APIError> {
  const text = await res.text().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  let json: object | undefined;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = undefined;
  }
  return APIError.generate(res.status, json, json ? undefined : text, res.headers);
}

/** The reason the request's own signal is aborted with when the answer was left before its end. */
const streamEnded = new Error('The stream ended');

/** Parsed limits by the object they came from: the trials of a run share one. */
const timeoutsParsed = new WeakMap<object, Timeouts>();
let defaultTimeouts: Timeouts | null = null;
function parsedTimeouts(given: Partial<Timeouts> | undefined): Timeouts {
  if (!given) return (defaultTimeouts ??= Timeouts.parse({}));
  let parsed = timeoutsParsed.get(given);
  if (!parsed) timeoutsParsed.set(given, (parsed = Timeouts.parse(given)));
  return parsed;
}

/** Options of {@link streamCompletion}. */
export interface StreamOptions {
  backend: Backend;
  /** Sent as `Authorization: Bearer …` when given; never recorded or shown. */
  apiKey?: string;
  messages: ChatMessage[];
  params: RequestParams;
  /** Limits; missing fields take the defaults of `Timeouts` in config.ts. */
  timeouts?: Partial<Timeouts>;
  /** Cancels the stream (status `cancelled`, partial text kept). */
  signal?: AbortSignal;
  /** Replaces the built-in `node:http` fetch (tests, proxies). The connect limit then does not apply. */
  fetch?: FetchFn;
  /** Options of the built-in fetch (custom DNS lookup, extra CA certificates). */
  transport?: Omit<NodeFetchOptions, 'connectTimeoutMs'>;
  /** Monotonic clock in ms; default `performance.now()`. */
  now?: () => number;
  usageMemory?: UsageSupportMemory;
  /**
   * Called for each content/reasoning delta as it arrives, with the API key redacted: a tail that
   * could be the start of an echoed key is held back until the next delta. Exceptions are ignored.
   */
  onDelta?: (delta: { content: string; reasoning: string }) => void;
  /**
   * Called once, when the first content or reasoning arrives, with the time to first token
   * (first content − request start of the final attempt: the figure `metrics.ttftMs` will hold).
   */
  onFirstToken?: (ttftMs: number) => void;
  /** 1-based trial number recorded in the result. Default 1. */
  trial?: number;
  /**
   * Price from the provider's `/models` listing, for `pricing.type === 'modelsEndpoint'`: a value,
   * or a function asked once, after the stream ended and only when the cost can be computed.
   */
  modelsEndpointPrice?: ModelsEndpointPrice | null | (() => Promise<ModelsEndpointPrice | null>);
  /** Waits before 429 retries when no Retry-After is sent, ms. Default [1000, 2000]. */
  rateLimitBackoffMs?: readonly number[];
  /**
   * Prompt tokens of `messages` for this backend's tokenizer, counted (null: could not be
   * counted) or still being counted. The runner counts the prompt once per run, in parallel with
   * the requests, and passes the pending count here; it is awaited only when the server reports
   * no usage. When undefined it is counted after the stream in that case.
   */
  promptTokens?: number | null | PromiseLike<number | null>;
  /** Records of the requests of this run, shared by trials that send the same request (the runner's). */
  sharedRecords?: Map<string, SentRequest>;
  /**
   * Count tokens with the tokenizer when the server reports no usage. Default true; false leaves
   * the counts null (health checks, which need no counts).
   */
  estimateTokens?: boolean;
}

/**
 * Builds the JSON body sent to `/chat/completions`: `backend.extraBody` first, without the
 * {@link protectedBodyFields}, then the model, messages, shared parameters and streaming fields.
 */
export function buildRequestBody(
  backend: Backend,
  messages: ChatMessage[],
  params: RequestParams,
  includeUsage: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(backend.extraBody ?? {})) {
    if (!protectedBodyFields.has(key)) body[key] = value;
  }
  Object.assign(body, {
    model: backend.model,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    max_tokens: params.maxTokens,
    temperature: params.temperature,
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
    stream: true,
  });
  if (includeUsage) body.stream_options = { include_usage: true };
  return body;
}

/** Header names set through `OPENAI_CUSTOM_HEADERS`, which the SDK would otherwise add to every backend. */
function envHeaderNames(): string[] {
  const raw = process.env.OPENAI_CUSTOM_HEADERS;
  if (!raw) return [];
  // The SDK's reading: a line without a colon is skipped.
  return raw
    .split('\n')
    .filter((line) => line.includes(':'))
    .map((line) => line.slice(0, line.indexOf(':')).trim())
    .filter((name) => name.length > 0);
}

function isStatus(err: unknown, statuses: number[]): err is APIError {
  return err instanceof APIError && typeof err.status === 'number' && statuses.includes(err.status);
}

function mentionsStreamOptions(err: unknown, body: string | null): boolean {
  return /stream_options|include_usage/i.test(`${err instanceof Error ? err.message : ''} ${body ?? ''}`);
}

interface DeltaShape {
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
}

/**
 * The text of a delta's `content`: a string, or (as some servers stream it) an array of content
 * parts whose `text` parts are joined; anything else is no text.
 */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as Array<{ type?: unknown; text?: unknown } | null>) {
    if (part && typeof part === 'object' && part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/** A delta's visible answer: its content, then its refusal (a model declining streams it instead of content). */
function deltaContent(delta: DeltaShape | undefined): string {
  if (!delta) return '';
  const content = contentText(delta.content);
  return typeof delta.refusal === 'string' ? content + delta.refusal : content;
}

/** A delta's reasoning: `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, Ollama), whichever has text. */
function deltaReasoning(delta: DeltaShape | undefined): string {
  if (!delta) return '';
  if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') return delta.reasoning_content;
  return typeof delta.reasoning === 'string' ? delta.reasoning : '';
}

interface ChoiceShape {
  index?: number | null;
  delta?: DeltaShape;
  finish_reason?: string | null;
}

/**
 * Streams one chat completion and measures it. Sends what `client.chat.completions.create({stream:
 * true})` would send (see {@link chatRequestTemplate}), with `stream_options.include_usage` unless
 * `backend.streamUsage === 'never'` or the backend is remembered to reject it; a 400/422 to the
 * first request that asked for usage is retried once without `stream_options` (and remembered
 * when that was the cause).
 *
 * Timing: `startMs` is when the HTTP request of the final attempt was issued (after any 429
 * waits), so TTFT measures the backend, not our retry pauses; `retries` says how many 429s
 * preceded it. The total limit runs from the call itself.
 */
export async function streamCompletion(options: StreamOptions): Promise<TrialResult> {
  const { backend, messages, params } = options;
  const now = options.now ?? (() => performance.now());
  const timeouts = parsedTimeouts(options.timeouts);
  const memory = options.usageMemory ?? sharedUsageMemory;
  const apiKey = options.apiKey || undefined;
  const secrets = [apiKey];
  const internal = new AbortController();
  // A backend not known to report usage may need the tokenizer when its answer ends: keep a
  // running token-counting worker until then (one that reports usage lets it stop when idle).
  const releaseCounter = options.estimateTokens !== false && !memory.reportsUsage(backend) ? holdTokenCounter() : null;

  const instrument = new FetchInstrument({
    base: options.fetch ?? createNodeFetch({ ...options.transport, ...backendTlsOptions(backend), connectTimeoutMs: timeouts.connectMs }),
    now,
    timeouts,
    controller: internal,
    secrets,
    directEvents: (data, arrivedMs) => onEvent(data, arrivedMs),
    ...(options.sharedRecords ? { sharedRecords: options.sharedRecords } : {}),
    ...(options.rateLimitBackoffMs ? { rateLimitBackoffMs: options.rateLimitBackoffMs } : {}),
  });
  const onUserAbort = () => instrument.fail(cancelledError());
  if (options.signal?.aborted) onUserAbort();
  else options.signal?.addEventListener('abort', onUserAbort, { once: true });
  const totalTimer = setTimeout(() => instrument.fail(timeoutError('total', timeouts.totalMs)), timeouts.totalMs);

  // Raw answer (for token counting) and what is shown: the same with echoed keys redacted. Kept
  // as pieces and joined once when the stream ends: a string grown by `+=` from hundreds of deltas
  // stays a tree of those pieces, about four times the size of the text, for as long as the
  // result is kept.
  const rawTextPieces: string[] = [];
  const rawReasoningPieces: string[] = [];
  const textPieces: string[] = [];
  const reasoningPieces: string[] = [];
  const textRedactor = new StreamingKeyRedactor([apiKey]);
  const reasoningRedactor = new StreamingKeyRedactor([apiKey]);
  const emit = (content: string, thought: string): void => {
    if (content) textPieces.push(content);
    if (thought) reasoningPieces.push(thought);
    if (options.onDelta && (content || thought)) {
      try {
        options.onDelta({ content, reasoning: thought });
      } catch {
        // a failing listener must not end the stream
      }
    }
  };
  let finishReason: string | null = null;
  let usage: UsageReport | null = null;
  let firstContentMs: number | null = null;
  const chunkMs: number[] = [];
  const chunkBytes: number[] = [];
  const allChunkMs: number[] = [];
  let firstEventHasContent: boolean | null = null;
  let caught: unknown = null;
  let includeUsage = backend.streamUsage !== 'never' && !memory.isRejected(backend);
  let body = buildRequestBody(backend, messages, params, includeUsage);

  /** One event of the answer, as the SDK's chat stream yields it, stamped with its arrival. */
  const handleChunk = (chunk: Record<string, unknown> | null, arrivedMs: number): void => {
    allChunkMs.push(arrivedMs);
    if (allChunkMs.length === 1) firstEventHasContent = false;
    if (!chunk || typeof chunk !== 'object') return;
    if (chunk.usage && typeof chunk.usage === 'object') usage = chunk.usage as UsageReport;
    // Only the first choice is measured: a server that streams several (`n` > 1, which
    // extraBody cannot ask for) interleaves them by `index`.
    const choices = chunk.choices as Array<ChoiceShape | null> | undefined;
    const choice = Array.isArray(choices) ? choices.find((c): c is ChoiceShape => !!c && (c.index === undefined || c.index === null || c.index === 0)) : undefined;
    if (!choice) return;
    const delta = choice.delta;
    const content = deltaContent(delta);
    const thought = deltaReasoning(delta);
    if (content || thought) {
      if (firstContentMs === null) {
        firstContentMs = arrivedMs;
        if (options.onFirstToken) {
          try {
            options.onFirstToken(arrivedMs - instrument.startMs);
          } catch {
            // a failing listener must not end the stream
          }
        }
      }
      if (allChunkMs.length === 1) firstEventHasContent = true;
      chunkMs.push(arrivedMs);
      chunkBytes.push(Buffer.byteLength(content) + Buffer.byteLength(thought));
      if (content) rawTextPieces.push(content);
      if (thought) rawReasoningPieces.push(thought);
      emit(textRedactor.push(content), reasoningRedactor.push(thought));
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  };

  /**
   * Each event the instrument parsed, as it is parsed, with the SDK's rules for a chat stream (its
   * `Stream.fromSSEResponse`): data starting with `[DONE]` ends the answer, other data is JSON
   * (a SyntaxError otherwise), and data with an `error` member is an APIError. What it throws
   * ends the stream and is what `instrument.ended()` rejects with.
   */
  let done = false;
  const onEvent = (data: string, arrivedMs: number): void => {
    if (done) return;
    if (data.startsWith('[DONE]')) {
      done = true;
      return;
    }
    const chunk = JSON.parse(data) as Record<string, unknown> | null;
    if (chunk && chunk.error) throw new APIError(undefined, chunk.error as object, undefined, instrument.responseHeaders ?? new Headers());
    handleChunk(chunk, arrivedMs);
  };

  try {
    const template = await templateFor(backend);
    // No key: no Authorization header at all.
    const authorization = apiKey ? authorizationValue(apiKey) : undefined;
    if (authorization === null) instrument.fail(unsendableKeyError());
    const headers = authorization ? withAuthorization(template.headers, authorization) : template.headers;
    // The events of the answer go to onEvent as the instrument parses them (`directEvents`); an
    // HTTP error becomes the SDK's APIError for its status.
    const open = async (): Promise<void> => {
      const res = await instrument.fetch(template.url, { method: 'POST', headers: headers as Array<[string, string]>, body: JSON.stringify(body), signal: internal.signal });
      if (!res.ok) throw await statusError(res);
    };
    try {
      await open();
    } catch (err) {
      if (!includeUsage || instrument.failure || !isStatus(err, [400, 422])) throw err;
      // Retry once without stream_options; the retry's answer tells whether that was the cause.
      const named = mentionsStreamOptions(err, instrument.errorBody);
      includeUsage = false;
      body = buildRequestBody(backend, messages, params, false);
      instrument.errorBody = null;
      try {
        await open();
      } catch (retryErr) {
        if (named || (!instrument.failure && !isStatus(retryErr, [400, 422]))) memory.markRejected(backend);
        throw retryErr;
      }
      memory.markRejected(backend);
    }
    await instrument.ended();
  } catch (err) {
    caught = err;
  }
  // `[DONE]` ends the answer: anything the server did after it (keeping the connection open,
  // sending more) is not part of the measured stream. Without `[DONE]`, an answer that finished
  // (a finish reason arrived) ends with its last event: a server that lingers before closing
  // does not stretch the total either.
  const endMs = instrument.doneMs ?? (finishReason !== null && allChunkMs.length > 0 ? allChunkMs[allChunkMs.length - 1]! : now());
  clearTimeout(totalTimer);
  options.signal?.removeEventListener('abort', onUserAbort);
  instrument.dispose();
  // A stream left early (a malformed or error event) may still be receiving: stop it.
  if (caught !== null && !internal.signal.aborted) internal.abort(streamEnded);

  let error: StreamError | null = null;
  if (instrument.failure) error = instrument.failure;
  else if (caught !== null) {
    error = toStreamError(caught, {
      secrets,
      errorBody: instrument.errorBody,
      statusText: instrument.statusText,
      location: instrument.location,
      userAborted: options.signal?.aborted ?? false,
    });
  } else if (options.signal?.aborted) error = cancelledError();
  else if (!finishReason && !instrument.sawDone) error = allChunkMs.length === 0 ? emptyStreamError(instrument.httpStatus) : truncatedError();
  const status: TerminalStatus = error ? error.type : 'ok';
  emit(textRedactor.flush(), reasoningRedactor.flush());
  const rawText = rawTextPieces.join('');
  const rawReasoning = rawReasoningPieces.join('');
  const text = textPieces.join('');
  const reasoning = reasoningPieces.join('');

  const timing: TimingMarks = {
    callStartMs: instrument.callStartMs,
    startMs: instrument.startMs,
    headersMs: instrument.headersMs,
    firstByteMs: instrument.firstByteMs,
    firstContentMs,
    chunkMs,
    allChunkMs,
    chunkBytes,
    firstEventHasContent,
    ...(instrument.connection ? { connection: instrument.connection } : {}),
    endMs,
  };
  timing.phases = timingPhases(timing);
  // The answer stream began: a 2xx response delivered at least one event (`[DONE]` included).
  // Only then is there a total time to report, or an answer whose tokens are worth estimating: a
  // 200 whose body is a JSON object or an HTML page is not an answer stream.
  const status2xx = instrument.httpStatus !== null && instrument.httpStatus >= 200 && instrument.httpStatus < 300;
  const streamed = status2xx && (allChunkMs.length > 0 || instrument.sawDone);
  // Runs after endMs was taken, so counting never delays a timestamp. Counting happens in the
  // token-counting worker; a cancelled stream does not wait for it (its counts are null).
  const tokens: TokenCounts =
    usage || (streamed && options.estimateTokens !== false)
      ? await resolveTokenCountsAsync({
          usage,
          text: rawText,
          reasoning: rawReasoning,
          messages,
          model: backend.model,
          ...(options.promptTokens !== undefined ? { promptTokens: options.promptTokens } : {}),
        }, options.signal ? { signal: options.signal } : {})
      : noTokenCounts;
  releaseCounter?.();
  if (streamed) memory.markUsageReported(backend, tokens.tokenSource === 'reported');
  const metrics = computeMetrics(timing, tokens, streamed);
  const costInput = { backend, status, usageReported: usage !== null, producedOutput: rawText !== '' || rawReasoning !== '', metrics };
  // The `/models` price is looked up only when it decides the cost: a failure that produced
  // nothing costs "unknown" whatever the price.
  const price = options.modelsEndpointPrice;
  const needsPrice = backend.pricing.type === 'modelsEndpoint' && isBillable(costInput);
  const cost = trialCost({
    ...costInput,
    modelsEndpointPrice: !needsPrice ? null : typeof price === 'function' ? await price().catch(() => null) : (price ?? null),
  });
  const request: SentRequest = instrument.sent ?? describeRequest(backend, body, apiKey);

  return {
    backendId: backend.id,
    backendLabel: backend.label ?? backend.id,
    kind: backend.kind,
    model: backend.model,
    trial: options.trial ?? 1,
    status,
    error: error ? scrubError(error, secrets) : null,
    text,
    reasoning,
    finishReason,
    metrics,
    cost,
    timing,
    request,
    retries: instrument.retries,
    retryWaitMs: instrument.retryWaitMs,
    retryAfterMs: instrument.retryAfterMs,
    wallMs: endMs - instrument.callStartMs,
    usageReported: usage !== null,
    keyRedacted: textRedactor.found || reasoningRedactor.found,
    tlsUnverified: tlsUnverified(backend, options.transport?.proxy),
    connection: options.transport?.pool ? 'warm' : 'fresh',
    streamFlags: streamFlags(timing),
  };
}

/** The request that would be sent, secrets redacted (used when none reached the network). */
export function describeRequest(backend: Backend, body: Record<string, unknown>, apiKey: string | undefined): SentRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(backend.headers ?? {}) };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return {
    url: redactSecrets(`${backend.baseUrl.replace(/\/+$/, '')}/chat/completions`, [apiKey]),
    headers: redactHeaders(headers),
    body: redactDeep(body, [apiKey]),
  };
}
