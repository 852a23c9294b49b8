/**
 * The fetch layer under the OpenAI SDK: a small `fetch` over `node:http`/`node:https` (so the
 * connect phase can be timed and socket error codes survive), and an instrumenting wrapper that
 * takes the timestamps, enforces the limits, caps bodies and retries 429s before the first byte.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  capText,
  cleanErrorBody,
  compressedBodyError,
  messageFromBody,
  oneLine,
  protocolError,
  redirectError,
  streamTooLargeError,
  timeoutError,
  toStreamError,
  TransportError,
} from './errors';
import { SseParser } from './sse';
import { redactCutText, redactDeep, redactHeaders, redactSecrets } from './redact';
import type { Timeouts } from './config';
import type { ConnectionMarks, SentRequest, StreamError } from './types';
import { prepareConnection, type ConnectInfo, type ConnectionPool, type ProxySettings } from './proxy';
import { trustedContext } from './tlsTrust';

/** The `fetch` signature the SDK and Bakeoff use. */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Limit for DNS + TCP connect + TLS handshake, ms. Fails with a `timeout`/`connect` TransportError. */
  connectTimeoutMs?: number;
  /** Custom DNS lookup (tests). */
  lookup?: LookupFunction;
  /** Extra trusted CA certificates (PEM) for https. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** A PEM file of extra CA certificates, trusted along with the public roots (a backend's `tls.ca`). */
  caFile?: string;
  /** Skip certificate verification (a backend's `tls.insecure`). Otherwise always verified, whatever NODE_TLS_REJECT_UNAUTHORIZED says. */
  insecure?: boolean;
  /** Proxies and the hosts that bypass them (proxy.ts); absent: direct connections. */
  proxy?: ProxySettings;
  /** Called once per request when the connection is ready (TCP, proxy tunnel and TLS done). */
  onConnected?: (info: ConnectInfo) => void;
  /**
   * Kept-alive connections to reuse (a backend's `connection: "warm"`); absent: a fresh
   * connection for every request.
   */
  pool?: ConnectionPool;
}

/**
 * What a caller passes in a request's `init` (under {@link requestObserver}) to learn when each
 * step of the request happened, stamped with its own clock as the socket reports it, and reads
 * the body with each chunk's arrival time.
 */
export interface RequestObserver {
  now(): number;
  connection: ConnectionMarks;
  /** Response headers received. */
  headersMs: number | null;
  /**
   * The response body read without a web stream: every chunk received so far at once, each with
   * its arrival time (null at the end), and cancel (no reason: the answer is complete, so a
   * kept-alive connection may be reused; a reason: close the connection). Set by createNodeFetch
   * with the response, whose own `body` is then null.
   */
  body?: { take(): Promise<TimedChunk[] | null>; cancel(reason?: unknown): void };
}

/** A body chunk and when it came off the socket (the observer's clock). */
export interface TimedChunk {
  chunk: Uint8Array;
  arrivedMs: number;
}

/** The `init` key under which createNodeFetch finds a {@link RequestObserver}. */
export const requestObserver = Symbol('bakeoff.requestObserver');

/** A request's `init` with an optional observer. */
export type ObservedInit = RequestInit & { [requestObserver]?: RequestObserver };

/** An observer with no mark yet. */
export function newRequestObserver(now: () => number): RequestObserver {
  return {
    now,
    connection: { dnsMs: null, tcpMs: null, tunnelMs: null, tlsMs: null, sentMs: null, reused: false },
    headersMs: null,
  };
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * A queue read through a pull-based `ReadableStream` (high-water mark 0: nothing is pulled ahead
 * of the reader). Unlike `controller.error()`, which drops chunks enqueued but not yet read, an
 * end or a failure reaches the reader only after every queued item. The first end or failure wins.
 */
class ChunkQueue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private outcome: 'end' | { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  /** The pending {@link take}, if a reader waits. */
  private waiting: { resolve: (items: T[] | null) => void; reject: (error: unknown) => void } | null = null;

  /** Whether the queue was ended or failed. */
  get settled(): boolean {
    return this.outcome !== null;
  }

  push(item: T): void {
    if (this.outcome) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.settle('end');
  }

  fail(error: unknown): void {
    this.settle({ error });
  }

  /**
   * Everything queued so far, at once; waits while the queue is empty. Resolves null after the
   * end and rejects with the failure, each only once every queued item was taken.
   */
  take(): Promise<T[] | null> {
    if (this.head < this.items.length) return Promise.resolve(this.drain());
    if (this.outcome === 'end') return Promise.resolve(null);
    if (this.outcome) return Promise.reject(this.outcome.error);
    return new Promise((resolve, reject) => {
      // Settled by the next push or end straight away (see notify): one promise per wait.
      this.waiting = { resolve, reject };
    });
  }

  /** Everything queued, removed from the queue; there is at least one item. */
  private drain(): T[] {
    const out = (this.head === 0 ? this.items : this.items.slice(this.head)) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }

  /** The stream reading the queue; `toChunk` runs as each item is handed to the reader. */
  stream(toChunk: (item: T) => Uint8Array, onCancel: (reason: unknown) => void): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const deliverNext = (): boolean => {
            if (this.head < this.items.length) {
              const item = this.items[this.head]!;
              this.items[this.head++] = undefined;
              if (this.head > 256 && this.head * 2 > this.items.length) {
                this.items.splice(0, this.head);
                this.head = 0;
              }
              controller.enqueue(toChunk(item));
              return true;
            }
            if (this.outcome === 'end') controller.close();
            else if (this.outcome) controller.error(this.outcome.error);
            return this.outcome !== null;
          };
          if (deliverNext()) return;
          // A pull that resolves without enqueuing is not called again: wait for something to deliver.
          return new Promise<void>((resolve) => {
            const arm = () => {
              this.wake = () => {
                if (deliverNext()) resolve();
                else arm();
              };
            };
            arm();
          });
        },
        cancel: (reason) => {
          this.settle('end');
          onCancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  private settle(outcome: 'end' | { error: unknown }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.notify();
  }

  private notify(): void {
    // A queue is read either by take() or through stream(), never both: one of these is set.
    const taker = this.waiting;
    if (taker) {
      this.waiting = null;
      // Called after a push (an item is queued) or a settle (an outcome is set).
      if (this.head < this.items.length) taker.resolve(this.drain());
      else if (this.outcome === 'end') taker.resolve(null);
      else if (this.outcome) taker.reject(this.outcome.error);
    }
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }
}

/**
 * `init.headers` as name/value pairs with lowercase names, in the order given (a `Headers` object
 * iterates its names sorted). Pairs already lowercase are used as they are: the stream sends its
 * headers that way (checked and sorted once per client), sparing a `Headers` object per request.
 */
function headerPairs(headers: RequestInit['headers']): ReadonlyArray<readonly [string, string]> {
  if (!headers) return [];
  const list: Array<[string, string]> = [];
  if (headers instanceof Headers) {
    headers.forEach((value, name) => list.push([name, value]));
    return list;
  }
  if (Array.isArray(headers)) {
    const pairs = headers as Array<[string, string]>;
    if (pairs.every((pair) => pair.length === 2 && pair[0] === pair[0].toLowerCase())) return pairs;
  }
  // Anything else goes through Headers, which validates names and values as fetch would.
  new Headers(headers).forEach((value, name) => list.push([name, value]));
  return list;
}

function bodyToBuffer(body: RequestInit['body']): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  throw new TypeError('Unsupported request body type (only strings and byte arrays are sent)');
}

/**
 * A `fetch` over `node:http`/`node:https`: one fresh connection per request (no pooling, so
 * every backend pays connection setup alike and no socket outlives its request), redirects are
 * never followed, no compression is negotiated, socket errors keep their Node `code`, and the
 * connect phase (DNS + TCP + TLS) has its own limit. The response body is a pull-based
 * `ReadableStream` over the socket's `data` events that delivers every byte received before a
 * failure, then the failure.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchFn {
  return (input, init: ObservedInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const observer = init[requestObserver];
      const url = new URL(input instanceof Request ? input.url : String(input));
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new TypeError(`Unsupported protocol ${url.protocol}`));
        return;
      }
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of headerPairs(init.headers)) headers[name] = value;
      let body: Buffer | null;
      try {
        body = bodyToBuffer(init.body);
      } catch (err) {
        reject(err);
        return;
      }
      if (body) headers['content-length'] = String(body.length);
      const requestOptions: https.RequestOptions = {
        method: (init.method ?? 'GET').toUpperCase(),
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        ...(isHttps && options.ca ? { ca: options.ca } : {}),
      };
      if (url.username || url.password) {
        requestOptions.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      }
      // Proxy, tunnel, TLS trust and a fresh agent per request (proxy.ts). The request is built
      // with `new ClientRequest`, not `http.request`, so an editor's patched `request` cannot swap
      // the agent for a pooled one.
      let connection: ReturnType<typeof prepareConnection>;
      try {
        if (isHttps && options.caFile) Object.assign(requestOptions, { secureContext: trustedContext(options.caFile) });
        connection = prepareConnection(url, requestOptions, { ...options, ...(observer ? { observer } : {}) });
      } catch (err) {
        reject(err);
        return;
      }
      const req = new http.ClientRequest(connection.options);
      let settled = false;
      let failBody: ((err: unknown) => void) | null = null;
      let connectTimer: NodeJS.Timeout | undefined;

      const onAbort = () => {
        const reason = abortReason(signal!);
        failBody?.(reason);
        req.destroy(reason instanceof Error ? reason : new Error(String(reason)));
        if (!settled) {
          settled = true;
          reject(reason);
        }
      };
      const release = () => {
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.once('close', () => connection.cancel());
      signal?.addEventListener('abort', onAbort, { once: true });

      if (options.connectTimeoutMs) {
        const limitMs = options.connectTimeoutMs;
        connectTimer = setTimeout(() => req.destroy(new TransportError(timeoutError('connect', limitMs))), limitMs);
      }
      // The connect phase ends when the socket is ready for the request: TCP (and, through a
      // proxy, the CONNECT tunnel) plus the TLS handshake for https.
      req.once('socket', (socket) => {
        const marks = observer?.connection;
        if (marks) marks.reused = req.reusedSocket;
        const connected = () => {
          clearTimeout(connectTimer);
          if (marks && connection.secure && !marks.reused) marks.tlsMs ??= observer.now();
          options.onConnected?.(connection.info(performance.now()));
        };
        if (marks && socket.connecting) {
          // A direct connection (through a tunnel these were stamped on the proxy connection).
          socket.once('lookup', () => (marks.dnsMs ??= observer.now()));
          socket.once('connect', () => (marks.tcpMs ??= observer.now()));
        }
        if (connection.secure && !(socket as { _secureEstablished?: boolean })._secureEstablished) socket.once('secureConnect', connected);
        else if (socket.connecting) socket.once('connect', connected);
        else connected();
      });
      if (observer) req.once('finish', () => (observer.connection.sentMs = observer.now()));

      req.on('error', (err) => {
        release();
        failBody?.(err);
        if (!settled) {
          settled = true;
          reject(err);
        }
      });

      req.once('response', (res) => {
        if (observer) observer.headersMs = observer.now();
        clearTimeout(connectTimer);
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          } catch {
            // a header value fetch cannot represent: drop it
          }
        }
        let stream: ReadableStream<Uint8Array> | null = null;
        if (nullBodyStatuses.has(status) || requestOptions.method === 'HEAD') {
          res.resume();
          res.once('end', release);
        } else {
          // Every byte received before a failure is delivered before it: node:http reports a parse
          // error (a broken chunk header) before the body bytes of the same packet, which are
          // still buffered in `res` then, so they are drained first.
          const body = new ChunkQueue<TimedChunk>();
          const settle = (error: unknown) => {
            if (body.settled) return;
            if (error !== null) {
              try {
                // In flowing mode each `read()` also emits 'data', which queues the chunk.
                while (res.read() !== null);
              } catch {
                // nothing more to read
              }
              body.fail(error);
            } else body.end();
            release();
          };
          failBody = (err) => settle(err);
          res.on('data', (chunk: Buffer) => body.push({ chunk, arrivedMs: observer ? observer.now() : 0 }));
          res.once('end', () => settle(null));
          res.on('error', (err) => settle(err));
          // Every response closes; the error (and its stack trace) is built only when the body was cut.
          res.once('close', () => {
            if (!body.settled) settle(Object.assign(new Error('The connection closed before the response ended'), { code: 'ECONNRESET' }));
          });
          // Cancelled without a reason, the response is complete: a kept-alive connection stays
          // for the next request. With a reason (a failure), the connection is closed.
          const cancelBody = (reason: unknown) => {
            failBody = null;
            release();
            if (connection.pooled && reason === undefined) keepAlive(res, req);
            else {
              res.destroy();
              req.destroy();
            }
          };
          // An observer reads the body straight from the queue: no web stream is built then.
          if (observer) {
            observer.body = {
              take: () => body.take(),
              cancel: (reason) => {
                body.end();
                cancelBody(reason);
              },
            };
          } else stream = body.stream((item) => item.chunk, cancelBody);
        }
        try {
          resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        } catch (err) {
          req.destroy();
          release();
          reject(new TransportError(protocolError(`Invalid HTTP response (status ${status}): ${(err as Error).message}`)));
        }
      });

      req.end(body ?? undefined);
    });
}

/** How long a kept-alive connection may take to finish a response read no further, ms. */
const keepAliveDrainMs = 1_000;

/**
 * A response no longer read (`[DONE]` came, or the reader stopped) on a kept-alive connection:
 * let it finish, so the connection goes back to the pool, unless it takes too long (a server that
 * keeps streaming after `[DONE]`): then close it.
 */
function keepAlive(res: http.IncomingMessage, req: http.ClientRequest): void {
  res.resume();
  if (res.complete) return;
  const timer = setTimeout(() => {
    res.destroy();
    req.destroy();
  }, keepAliveDrainMs);
  timer.unref();
  res.once('end', () => clearTimeout(timer));
  res.once('close', () => clearTimeout(timer));
}

/**
 * Parses `Retry-After` (seconds, possibly fractional, or an HTTP date) into ms; null when absent
 * or invalid. An HTTP date can only be compared with the wall clock, hence `nowEpochMs`; no
 * duration of a stream is ever measured with it.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowEpochMs: number = new Date().getTime()): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(parseFloat(text) * 1000);
  // An HTTP date starts with its weekday (IMF-fixdate, RFC 850 and asctime forms alike); anything
  // else (`-5`, `soon`) is invalid rather than whatever `Date.parse` makes of it.
  if (!/^[A-Za-z]{3}/.test(text)) return null;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowEpochMs);
}

/** Reads at most `maxBytes` of a body as UTF-8, then cancels the rest. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
}

/** Options of {@link FetchInstrument}. */
export interface InstrumentOptions {
  /** The fetch that does the network work. */
  base: FetchFn;
  /** Monotonic clock, ms. */
  now: () => number;
  timeouts: Timeouts;
  /** Aborted (with the failure as reason) when a limit runs out or the stream is cancelled. */
  controller: AbortController;
  /** Secrets to keep out of messages and the recorded request. */
  secrets: ReadonlyArray<string | undefined>;
  /** 429 retries before the first byte. Default 2. */
  maxRateLimitRetries?: number;
  /** Longest Retry-After honoured, ms; a longer one ends the stream with the 429. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Waits before each 429 retry when the server sends no Retry-After, ms. Default [1000, 2000]. */
  rateLimitBackoffMs?: readonly number[];
  /**
   * Hands each event of a 200 event stream (its data and the arrival of the bytes that completed
   * it) to this function as soon as it is parsed, instead of re-encoding it into the response
   * body, which is then empty: for a caller that reads the events itself (streamCompletion), not
   * through the SDK's parser. What it throws ends the stream: reading stops, the connection is
   * closed and {@link FetchInstrument.ended} rejects with it.
   */
  directEvents?: (data: string, arrivedMs: number) => void;
  /** Records of requests already sent in this run, to share instead of building each again. */
  sharedRecords?: Map<string, SentRequest>;
}

/** One complete event of the stream (not a keep-alive), with the arrival of the bytes that completed it. */
export interface StreamEvent {
  data: string;
  arrivedMs: number;
}

/** Whether an event's data is empty or only blanks: a keep-alive, not a chunk (the SDK would `JSON.parse` it and fail). */
function isKeepAlive(data: string): boolean {
  return /^[ \t\n]*$/.test(data);
}

/** An event re-encoded for the SDK: one `data:` line per data line, then the blank line. */
function encodeEvent(data: string): Buffer {
  return Buffer.from(`data: ${data.replace(/\n/g, '\ndata: ')}\n\n`);
}

/**
 * Per-stream instrumentation around a base fetch. Hand {@link fetch} to the SDK. It records
 * `startMs` (request issued), `headersMs`, `firstByteMs` and each body chunk's arrival time the
 * moment the bytes come out of the base fetch, enforces the firstByte/idle limits and
 * `maxStreamBytes`, and reads error bodies itself (capped, HTML stripped). The body is read
 * eagerly from the network and parsed here ({@link SseParser}); the SDK is handed complete
 * events only, one per read, re-encoded as `data: <line>\n` per data line and a blank line (event
 * names, ids and comments dropped; the SDK ignores them in chat streams), and never an event
 * whose data is empty or blank. `deliveredMs` is the arrival time of the bytes that completed the
 * event the SDK took last, i.e. of the event it is yielding now.
 */
export class FetchInstrument {
  startMs: number;
  headersMs: number | null = null;
  firstByteMs: number | null = null;
  lastByteMs: number | null = null;
  deliveredMs: number | null = null;
  bodyBytes = 0;
  /** A `data: [DONE]` line was seen in the stream. */
  sawDone = false;
  /** Arrival of the bytes that completed the `data: [DONE]` line; the stream ends there. */
  doneMs: number | null = null;
  /**
   * When the trial's first attempt started (before any 429 wait): set when the first request is
   * issued, so the caller's own preparation is not in the wall time; until then, when this
   * instrument was made.
   */
  callStartMs: number;
  /** 429 retries done. */
  retries = 0;
  /** A request was issued (the first one set {@link callStartMs}). */
  private fetched = false;
  /** Time spent waiting between attempts after 429s, ms. */
  retryWaitMs = 0;
  /** The last `Retry-After` a 429 carried, ms; null when none did. */
  retryAfterMs: number | null = null;
  /** The first terminal failure detected by this layer (timeouts, caps, socket errors, cancel). */
  failure: StreamError | null = null;
  httpStatus: number | null = null;
  statusText: string | null = null;
  location: string | null = null;
  /** Error body of a failed response, HTML stripped and capped. */
  errorBody: string | null = null;
  /** The last request issued, secrets redacted. */
  sent: SentRequest | null = null;

  private firstByteTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private interruptBody: ((err: unknown) => void) | null = null;
  /** The marks of the current attempt, filled by the base fetch when it is createNodeFetch. */
  private observer: RequestObserver | null = null;
  /** With `directEvents`: ends (or fails) when the answer's body does; it carries no items. */
  private bodyEnd: ChunkQueue<StreamEvent> | null = null;
  private bodyEnded: Promise<void> | null = null;
  /** Headers of the response whose events go to `directEvents`. */
  responseHeaders: Headers | null = null;

  /**
   * With `directEvents`: resolves once every event of the answer was handed over (at once when
   * no answer body is read), rejects with the failure that ended the stream or with what the
   * event handler threw.
   */
  ended(): Promise<void> {
    if (!this.bodyEnd) return Promise.resolve();
    // One wait on the queue, however many callers: it holds a single waiting reader.
    this.bodyEnded ??= this.bodyEnd.take().then(() => undefined);
    return this.bodyEnded;
  }

  /** The connection steps of the last attempt; undefined when the base fetch reported none. */
  get connection(): ConnectionMarks | undefined {
    return this.observer?.headersMs != null ? { ...this.observer.connection } : undefined;
  }

  constructor(private readonly options: InstrumentOptions) {
    this.startMs = options.now();
    this.callStartMs = this.startMs;
  }

  /** Ends the stream with `error` (first call wins): aborts the request and wakes the reader. */
  fail(error: StreamError): void {
    if (this.failure) return;
    this.failure = error;
    this.clearTimers();
    const reason = new TransportError(error);
    this.interruptBody?.(reason);
    this.options.controller.abort(reason);
  }

  /** Clears every timer this layer armed. */
  dispose(): void {
    this.clearTimers();
  }

  private clearTimers(): void {
    clearTimeout(this.firstByteTimer);
    clearTimeout(this.idleTimer);
    this.firstByteTimer = undefined;
    this.idleTimer = undefined;
  }

  private remember(err: unknown): StreamError {
    if (!this.failure) this.failure = toStreamError(err, { secrets: this.options.secrets });
    return this.failure;
  }

  private record(url: string, init: RequestInit | undefined): void {
    const secrets = this.options.secrets;
    const headers = headerPairs(init?.headers);
    // Trials of a run send the same request: they share one record (a long prompt is kept once).
    const shared = this.options.sharedRecords;
    const key = shared && typeof init?.body === 'string' ? JSON.stringify([url, headers, init.body, secrets]) : null;
    const known = key === null ? undefined : shared!.get(key);
    if (known) {
      this.sent = known;
      return;
    }
    let body: Record<string, unknown> = {};
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body) as Record<string, unknown>;
      } catch {
        body = { raw: init.body };
      }
    }
    this.sent = {
      url: redactSecrets(url, secrets),
      headers: redactHeaders(headers),
      body: redactDeep(body, secrets),
    };
    if (key !== null) shared!.set(key, this.sent);
  }

  /** The fetch to hand to the SDK. */
  readonly fetch: FetchFn = async (input, init) => {
    const { now, timeouts, controller } = this.options;
    const url = input instanceof Request ? input.url : String(input);
    const maxRetries = this.options.maxRateLimitRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      if (this.failure) throw new TransportError(this.failure);
      this.record(url, init);
      this.startMs = now();
      if (!this.fetched) {
        this.fetched = true;
        this.callStartMs = this.startMs;
      }
      this.headersMs = this.firstByteMs = this.lastByteMs = this.deliveredMs = this.doneMs = null;
      const observer = newRequestObserver(now);
      this.observer = observer;
      this.firstByteTimer = setTimeout(() => this.fail(timeoutError('firstByte', timeouts.firstByteMs)), timeouts.firstByteMs);
      let res: Response;
      try {
        const observed: ObservedInit = { ...init, redirect: 'manual', [requestObserver]: observer };
        res = await this.options.base(url, observed);
      } catch (err) {
        clearTimeout(this.firstByteTimer);
        throw new TransportError(this.remember(err));
      }
      // Stamped by the base fetch as the headers arrived, when it can; else now.
      this.headersMs = observer.headersMs ?? now();
      this.httpStatus = res.status;
      this.statusText = res.statusText || null;
      // The body straight from the base fetch (createNodeFetch), else `res.body`.
      const direct = observer.body;
      const cancelBody = (): void => {
        if (direct) direct.cancel();
        else res.body?.cancel().catch(() => undefined);
      };
      if (this.failure) {
        cancelBody();
        throw new TransportError(this.failure);
      }

      if (res.status === 429) {
        const retryAfterMs = parseRetryAfterMs(res.headers.get('retry-after'));
        if (retryAfterMs !== null) this.retryAfterMs = retryAfterMs;
      }
      if (res.status === 429 && attempt < maxRetries) {
        const waitMs = this.rateLimitWaitMs(res.headers.get('retry-after'), attempt);
        if (waitMs !== null) {
          clearTimeout(this.firstByteTimer);
          cancelBody();
          const waitStartMs = now();
          try {
            await sleep(waitMs, controller.signal);
          } catch {
            throw new TransportError(this.failure ?? this.remember(controller.signal.reason));
          } finally {
            this.retryWaitMs += now() - waitStartMs;
          }
          // Counted once the wait is over and the request goes again: a limit that ends the wait
          // leaves the retry undone.
          this.retries++;
          continue;
        }
      }

      if (res.status >= 300 && res.status < 400) {
        clearTimeout(this.firstByteTimer);
        this.location = res.headers.get('location');
        cancelBody();
        this.failure ??= redirectError(res.status, this.location, url);
        throw new TransportError(this.failure);
      }

      const contentType = res.headers.get('content-type');
      // No compression is asked for (no Accept-Encoding): a compressed body cannot be read as it streams.
      const encoding = res.headers.get('content-encoding')?.trim().toLowerCase() || null;
      const compressed = encoding && encoding !== 'identity' ? encoding : null;
      if (!res.ok) {
        if (compressed) {
          cancelBody();
          this.errorBody = `(${compressed}-compressed body, not shown)`;
        } else {
          const raw = await this.readBody(res, Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8));
          this.errorBody = this.cleanBody(raw, contentType);
        }
        clearTimeout(this.firstByteTimer);
        return new Response(this.errorBody, { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      if (compressed) {
        clearTimeout(this.firstByteTimer);
        cancelBody();
        this.failure ??= compressedBodyError(compressed);
        throw new TransportError(this.failure);
      }
      if (contentType && !/event-stream/i.test(contentType) && /html|json/i.test(contentType)) {
        const raw = await this.readBody(res, Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8));
        clearTimeout(this.firstByteTimer);
        const body = this.cleanBody(raw, contentType);
        this.errorBody = body;
        // An event stream under a JSON or HTML label: say so, rather than "a single JSON body".
        const mislabelled = /^\uFEFF?\s*(?:data|event|id|retry)\s*:|^\uFEFF?:/.test(raw);
        this.failure ??= mislabelled
          ? protocolError(
              `The server sent an event stream labelled ${contentType.split(';')[0]!.trim()} instead of text/event-stream`,
              'Bakeoff reads an answer as it streams only when it is labelled text/event-stream (or not labelled at all); fix the Content-Type the server or a proxy sets.',
              body,
            )
          : this.nonStreamFailure(contentType, body);
        throw new TransportError(this.failure);
      }
      if (!res.body && !direct) return res;
      this.responseHeaders = res.headers;
      const wrapped = this.wrapBody(res.body, contentType);
      // With `directEvents` the events go to its handler: the response (without a body) serves as it is.
      if (wrapped === null && direct) return res;
      return new Response(wrapped, { status: res.status, statusText: res.statusText, headers: res.headers });
    }
  };

  /**
   * A body for display: a key the read limit cut in half redacted first (`redactCutText`), then
   * `cleanErrorBody` redacts, strips HTML, redacts again and caps at `maxErrorBodyBytes`.
   */
  private cleanBody(raw: string, contentType: string | null): string {
    const secrets = this.options.secrets;
    return cleanErrorBody(redactCutText(raw, secrets), contentType, this.options.timeouts.maxErrorBodyBytes, secrets);
  }

  /**
   * Failure for a 200 body without any `data:` line; null when there is nothing to say beyond the
   * stream being cut short (a body labelled as an event stream that is neither JSON nor HTML).
   */
  private plainBodyFailure(contentType: string | null, raw: string, isEventStream: boolean): StreamError | null {
    // An event stream whose body is a bare JSON error (or HTML page) says what went wrong.
    if (isEventStream && !/^\s*[[{<]/.test(raw)) return null;
    const body = this.cleanBody(raw, contentType);
    if (/html/i.test(contentType ?? '') || /^\s*</.test(raw)) return this.nonStreamFailure('text/html', body);
    if (/^\s*[[{]/.test(raw)) return this.nonStreamFailure('application/json', body);
    const what = contentType ? contentType.split(';')[0]!.trim() : 'no content type';
    const hint =
      'The endpoint answered without streaming: check that the service is up and that baseUrl is the API root (usually ending in /v1).';
    if (!body) return protocolError(`The server answered 200 with an empty body (${what}) instead of an event stream`, hint);
    return protocolError(`The server answered 200 with ${what} instead of an event stream: ${capText(oneLine(body), 160)}`, hint, body);
  }

  private nonStreamFailure(contentType: string, body: string): StreamError {
    if (/html/i.test(contentType)) {
      return protocolError(
        'The server answered 200 with an HTML page instead of an event stream',
        'baseUrl probably points at a web page, a login portal or a proxy; it should be the API root, usually ending in /v1.',
        body,
      );
    }
    if (/"error"\s*:/.test(body)) {
      return {
        type: 'upstream_error',
        message: `The backend answered with an error instead of a stream: ${messageFromBody(body)}`,
        hint: 'The model server refused the request; check the model id and parameters.',
        body,
      };
    }
    return protocolError(
      'The server answered with a single JSON body instead of an event stream (streaming unsupported?)',
      'This endpoint ignores stream: true; Bakeoff needs a streaming OpenAI-compatible endpoint.',
      body,
    );
  }

  /**
   * Reads the body of an answer that is not an event stream (an HTTP error, a JSON or HTML page)
   * to show why it failed: at most `maxBytes`, for at most the idle limit in all, keeping what
   * arrived when that limit, the cap or a broken connection ends it — the HTTP status stays the
   * error, never a timeout of its body. The first-byte limit ends with the headers here; the
   * first chunk's arrival is the first byte.
   */
  private async readBody(res: Response, maxBytes: number): Promise<string> {
    clearTimeout(this.firstByteTimer);
    const { now, timeouts } = this.options;
    const direct = this.observer?.body;
    const reader = direct ? null : (res.body?.getReader() ?? null);
    if (!direct && !reader) return '';
    const next = (): Promise<TimedChunk[] | null> =>
      direct ? direct.take() : reader!.read().then((r) => (r.done ? null : [{ chunk: r.value, arrivedMs: now() }]));
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(() => resolve('limit'), timeouts.idleMs)));
    const parts: Uint8Array[] = [];
    let size = 0;
    try {
      while (size < maxBytes) {
        const got = await Promise.race([next(), limit]);
        if (got === 'limit' || got === null) break;
        for (const { chunk, arrivedMs } of got) {
          this.firstByteMs ??= arrivedMs;
          parts.push(chunk);
          size += chunk.byteLength;
        }
      }
    } catch {
      // the connection broke mid-body: what arrived still explains the failure
    } finally {
      clearTimeout(timer);
      if (direct) direct.cancel();
      else reader!.cancel().catch(() => undefined);
    }
    return Buffer.concat(parts).subarray(0, maxBytes).toString('utf8');
  }

  private rateLimitWaitMs(retryAfter: string | null, attempt: number): number | null {
    const maxMs = this.options.maxRetryAfterMs ?? 60_000;
    const parsed = parseRetryAfterMs(retryAfter);
    if (parsed !== null) return parsed <= maxMs ? parsed : null;
    const backoff = this.options.rateLimitBackoffMs ?? [1000, 2000];
    return backoff[Math.min(attempt, backoff.length - 1)] ?? 1000;
  }

  private armIdle(delayMs: number): void {
    const { now, timeouts } = this.options;
    this.idleTimer = setTimeout(() => {
      const silentMs = now() - (this.lastByteMs ?? now());
      if (silentMs >= timeouts.idleMs - 1) this.fail(timeoutError('idle', timeouts.idleMs));
      else this.armIdle(timeouts.idleMs - silentMs);
    }, delayMs);
  }

  private wrapBody(source: ReadableStream<Uint8Array> | null, contentType: string | null): ReadableStream<Uint8Array> | null {
    const { now, timeouts } = this.options;
    // Straight from the base fetch when it offers that (createNodeFetch), else through the body.
    const direct = this.observer?.body;
    const reader = direct ? null : source!.getReader();
    // Straight from the queue when direct (no extra promise per read; each chunk stamped by the
    // base fetch as its bytes came off the socket), else one chunk per read, stamped when read.
    const readChunks = (): Promise<TimedChunk[] | null> =>
      direct ? direct.take() : reader!.read().then(({ done, value }) => (done ? null : [{ chunk: value, arrivedMs: now() }]));
    const cancelSource = (reason?: unknown): void => {
      if (direct) direct.cancel(reason);
      else reader!.cancel(reason).catch(() => undefined);
    };
    const isEventStream = /event-stream/i.test(contentType ?? '');
    // Only complete events go to the SDK (see the class comment), so it never holds a partial
    // line: its own line decoder would keep a trailing CR until the next chunk (stamping the event
    // late) and re-scan a growing partial line on every chunk (quadratic in a large event).
    const parser = new SseParser({ endData: '[DONE]' });
    // The body is kept (up to a limit) until a `data:` line shows it is an event stream; a body
    // without one becomes the error body (a JSON error under an event-stream label included).
    const previewLimit = Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8);
    let preview: Buffer[] | null = [];
    let previewBytes = 0;
    // The first two body bytes, until they are known not to be the gzip magic number.
    let head: Buffer | null = Buffer.alloc(0);
    const queue = new ChunkQueue<StreamEvent>();
    const onEvent = this.options.directEvents;
    const finish = () => {
      clearTimeout(this.idleTimer);
      clearTimeout(this.firstByteTimer);
    };
    this.interruptBody = (err) => {
      queue.fail(err);
      cancelSource(err);
    };

    const pump = async () => {
      try {
        let clean = true;
        read: for (;;) {
          const chunks = await readChunks();
          if (chunks === null) break;
          for (const { chunk: value, arrivedMs } of chunks) {
            if (!value || value.byteLength === 0) continue;
            if (this.firstByteMs === null) {
              this.firstByteMs = arrivedMs;
              clearTimeout(this.firstByteTimer);
              this.armIdle(timeouts.idleMs);
            }
            this.lastByteMs = arrivedMs;
            this.bodyBytes += value.byteLength;
            if (this.bodyBytes > timeouts.maxStreamBytes) {
              this.fail(streamTooLargeError(timeouts.maxStreamBytes));
              clean = false;
              break read;
            }
            if (preview && previewBytes < previewLimit) {
              preview.push(Buffer.from(value));
              previewBytes += value.byteLength;
            }
            if (head) {
              head = Buffer.concat([head, value.subarray(0, 2 - head.length)]);
              if (head.length === 2) {
                if (head[0] === 0x1f && head[1] === 0x8b) {
                  this.fail(compressedBodyError(null));
                  clean = false;
                  break read;
                }
                head = null;
              }
            }
            const events = parser.push(value, arrivedMs);
            if (parser.sawData) preview = null;
            for (const event of events) {
              if (isKeepAlive(event.data)) continue;
              if (!onEvent) {
                queue.push({ data: event.data, arrivedMs: event.completedMs });
                continue;
              }
              try {
                onEvent(event.data, event.completedMs);
              } catch (err) {
                queue.fail(err);
                cancelSource(err);
                clean = false;
                break read;
              }
              // The handler's listeners may have ended the stream (a cancel): hand over nothing more.
              if (queue.settled) {
                clean = false;
                break read;
              }
            }
            if (parser.endedMs !== null) {
              // `[DONE]` ends the answer: stop here even if the server keeps the connection open or
              // sends more (a kept-alive connection is drained for a moment, then closed).
              cancelSource();
              clean = false;
              break read;
            }
          }
        }
        if (clean) {
          parser.end(this.lastByteMs ?? now());
          if (preview && !parser.sawData && !this.failure) {
            const failure = this.plainBodyFailure(contentType, Buffer.concat(preview).subarray(0, previewLimit).toString('utf8'), isEventStream);
            if (failure) this.failure = failure;
          }
        }
        // However reading stopped (a handler's throw in the piece holding it included), a
        // `[DONE]` the parser saw marks where the answer ended.
        if (parser.endedMs !== null) {
          this.sawDone = true;
          this.doneMs = parser.endedMs;
        }
        queue.end();
      } catch (err) {
        queue.fail(new TransportError(this.remember(err)));
      }
      finish();
    };
    void pump();

    if (onEvent) {
      this.bodyEnd = queue;
      return null;
    }
    return queue.stream(
      (item) => {
        this.deliveredMs = item.arrivedMs;
        return encodeEvent(item.data);
      },
      (reason) => {
        cancelSource(reason);
        finish();
      },
    );
  }
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
