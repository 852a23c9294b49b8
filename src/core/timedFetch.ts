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
  messageFromBody,
  oneLine,
  protocolError,
  redirectError,
  streamTooLargeError,
  timeoutError,
  toStreamError,
  TransportError,
} from './errors';
import { redactCutText, redactDeep, redactHeaders, redactSecrets } from './redact';
import type { Timeouts } from './config';
import type { SentRequest, StreamError } from './types';
import { prepareConnection, type ConnectInfo, type ProxySettings } from './proxy';
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
}

const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
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
 * connect phase (DNS + TCP + TLS) has its own limit. The response body is a push-based
 * `ReadableStream` fed directly from socket `data` events.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchFn {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
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
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
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
        connection = prepareConnection(url, requestOptions, options);
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
        const connected = () => {
          clearTimeout(connectTimer);
          options.onConnected?.(connection.info(performance.now()));
        };
        if (connection.secure && !(socket as { _secureEstablished?: boolean })._secureEstablished) socket.once('secureConnect', connected);
        else if (socket.connecting) socket.once('connect', connected);
        else connected();
      });

      req.on('error', (err) => {
        release();
        failBody?.(err);
        if (!settled) {
          settled = true;
          reject(err);
        }
      });

      req.once('response', (res) => {
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
          stream = new ReadableStream<Uint8Array>({
            start(controller) {
              let finished = false;
              failBody = (err) => {
                if (finished) return;
                finished = true;
                release();
                controller.error(err);
              };
              res.on('data', (chunk: Buffer) => {
                if (!finished) controller.enqueue(chunk);
              });
              res.once('end', () => {
                if (finished) return;
                finished = true;
                release();
                controller.close();
              });
              res.on('error', (err) => failBody?.(err));
              res.once('close', () => {
                if (!finished) {
                  failBody?.(Object.assign(new Error('The connection closed before the response ended'), { code: 'ECONNRESET' }));
                }
              });
            },
            cancel() {
              failBody = null;
              release();
              res.destroy();
              req.destroy();
            },
          });
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

/**
 * Parses `Retry-After` (seconds, possibly fractional, or an HTTP date) into ms; null when absent
 * or invalid. An HTTP date can only be compared with the wall clock, hence `nowEpochMs`; no
 * duration of a stream is ever measured with it.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowEpochMs: number = new Date().getTime()): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(parseFloat(text) * 1000);
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
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const COLON = 58;
const DATA = Buffer.from('data:');
const EVENT = Buffer.from('event:');
const DONE = Buffer.from('[DONE]');
/** Longest partial line held back at the end of a chunk while its kind is still open. */
const maxHeldLineBytes = 256;

type LineKind = 'other' | 'comment' | 'done' | 'hold';

/**
 * Watches the raw SSE bytes line by line on their way to the SDK (`\n`, `\r` and `\r\n` end a
 * line, as in the SSE spec):
 * - notes the `data: [DONE]` line and whether any `data:` line came at all;
 * - turns `data:` lines whose value is empty (or only blanks), bare `data` lines and `event:`
 *   lines into comment lines by overwriting their first byte with `:`. An event without data is
 *   then not dispatched, as the SSE spec says; the SDK would otherwise `JSON.parse('')` it and
 *   fail. Events with data parse exactly as before (the SDK ignores event names of chat streams);
 * - holds back a partial line at the end of a network chunk while it may still turn out to be
 *   one of those (at most {@link maxHeldLineBytes}); such a line completes no event, so the SDK
 *   could not have used it earlier. It goes out with the next chunk, stamped with that chunk's
 *   arrival, which is when the event it belongs to became complete.
 */
export class SseLineScanner {
  /** A complete `data: [DONE]` line was seen. */
  sawDone = false;
  /** At least one `data:` line was seen. */
  sawData = false;
  private held: Buffer | null = null;
  private midLine = false;

  /**
   * The bytes of `chunk` to deliver now. With `done`, a `[DONE]` line ended inside them: the
   * bytes stop after that line and the rest of the body is of no use.
   */
  push(chunk: Uint8Array): { out: Buffer; done: boolean } {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let owned = false;
    if (this.held) {
      buf = Buffer.concat([this.held, buf]);
      this.held = null;
      owned = true;
    }
    const n = buf.length;
    let i = 0;
    let nextCr = -2;
    const terminatorFrom = (from: number): number => {
      if (nextCr !== -1 && nextCr < from) nextCr = buf.indexOf(CR, from);
      const lf = buf.indexOf(LF, from);
      if (nextCr === -1) return lf;
      return lf === -1 ? nextCr : Math.min(lf, nextCr);
    };
    if (this.midLine) {
      const t = terminatorFrom(0);
      if (t === -1) return { out: buf, done: false };
      this.midLine = false;
      i = t;
    }
    while (i < n) {
      const c = buf[i];
      if (c === LF || c === CR) {
        i++;
        continue;
      }
      const t = terminatorFrom(i);
      const end = t === -1 ? n : t;
      const kind = this.classify(buf, i, end, t !== -1);
      if (kind === 'hold') {
        this.held = Buffer.from(buf.subarray(i));
        return { out: buf.subarray(0, i), done: false };
      }
      if (kind === 'comment') {
        if (!owned) {
          buf = Buffer.from(buf);
          owned = true;
        }
        buf[i] = COLON;
      } else if (kind === 'done') {
        this.sawDone = true;
        let stop = end + 1;
        if (buf[end] === CR && buf[end + 1] === LF) stop++;
        return { out: buf.subarray(0, Math.min(stop, n)), done: true };
      }
      if (t === -1) {
        this.midLine = true;
        return { out: buf, done: false };
      }
      i = t;
    }
    return { out: buf, done: false };
  }

  /** End of the body: whatever is still held back, read as a complete line. */
  end(): Buffer | null {
    const held = this.held;
    this.held = null;
    if (!held) return null;
    const kind = this.classify(held, 0, held.length, true);
    if (kind === 'comment') held[0] = COLON;
    if (kind === 'done') this.sawDone = true;
    return held;
  }

  private classify(buf: Buffer, start: number, end: number, complete: boolean): LineKind {
    const len = end - start;
    const startsWith = (word: Buffer): boolean => len >= word.length && buf.compare(word, 0, word.length, start, start + word.length) === 0;
    const isPrefixOf = (word: Buffer): boolean => len < word.length && buf.compare(word, 0, len, start, end) === 0;
    const holdable = !complete && len < maxHeldLineBytes;
    if (startsWith(DATA)) {
      this.sawData = true;
      let v = start + DATA.length;
      let w = v;
      while (w < end && (buf[w] === SPACE || buf[w] === TAB)) w++;
      if (w === end) return complete ? 'comment' : holdable ? 'hold' : 'other';
      if (buf[v] === SPACE) v++;
      const m = Math.min(end - v, DONE.length);
      if (buf.compare(DONE, 0, m, v, v + m) === 0) {
        if (complete) return m === DONE.length ? 'done' : 'other';
        return holdable ? 'hold' : 'other';
      }
      return 'other';
    }
    if (startsWith(EVENT)) return complete ? 'comment' : holdable ? 'hold' : 'other';
    if (complete) {
      // A bare field name is a field with an empty value (`data` adds an empty data line).
      return len === 4 && isPrefixOf(DATA) ? 'comment' : len === 5 && isPrefixOf(EVENT) ? 'comment' : 'other';
    }
    return isPrefixOf(DATA) || isPrefixOf(EVENT) ? 'hold' : 'other';
  }
}

/**
 * Per-stream instrumentation around a base fetch. Hand {@link fetch} to the SDK. It records
 * `startMs` (request issued), `headersMs`, `firstByteMs` and each body chunk's arrival time the
 * moment the bytes come out of the base fetch, enforces the firstByte/idle limits and
 * `maxStreamBytes`, and reads error bodies itself (capped, HTML stripped). The body handed to the
 * SDK is read eagerly from the network and delivered on demand; `deliveredMs` is the arrival
 * time of the chunk the SDK most recently took, i.e. of the bytes that completed the event the
 * SDK is yielding now.
 */
export class FetchInstrument {
  startMs: number;
  headersMs: number | null = null;
  firstByteMs: number | null = null;
  lastByteMs: number | null = null;
  deliveredMs: number | null = null;
  bodyBytes = 0;
  /** A `data: [DONE]` line was seen in the raw stream. */
  sawDone = false;
  /** Arrival of the bytes that completed the `data: [DONE]` line; the stream ends there. */
  doneMs: number | null = null;
  /** 429 retries done. */
  retries = 0;
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

  constructor(private readonly options: InstrumentOptions) {
    this.startMs = options.now();
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
      headers: redactHeaders(new Headers(init?.headers)),
      body: redactDeep(body, secrets),
    };
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
      this.headersMs = this.firstByteMs = this.lastByteMs = this.deliveredMs = this.doneMs = null;
      this.firstByteTimer = setTimeout(() => this.fail(timeoutError('firstByte', timeouts.firstByteMs)), timeouts.firstByteMs);
      let res: Response;
      try {
        res = await this.options.base(url, { ...init, redirect: 'manual' });
      } catch (err) {
        clearTimeout(this.firstByteTimer);
        throw new TransportError(this.remember(err));
      }
      this.headersMs = now();
      this.httpStatus = res.status;
      this.statusText = res.statusText || null;
      if (this.failure) {
        res.body?.cancel().catch(() => undefined);
        throw new TransportError(this.failure);
      }

      if (res.status === 429 && attempt < maxRetries) {
        const waitMs = this.rateLimitWaitMs(res.headers.get('retry-after'), attempt);
        if (waitMs !== null) {
          clearTimeout(this.firstByteTimer);
          await res.body?.cancel().catch(() => undefined);
          this.retries++;
          await sleep(waitMs, controller.signal).catch(() => {
            throw new TransportError(this.failure ?? this.remember(controller.signal.reason));
          });
          continue;
        }
      }

      if (res.status >= 300 && res.status < 400) {
        clearTimeout(this.firstByteTimer);
        this.location = res.headers.get('location');
        res.body?.cancel().catch(() => undefined);
        this.failure ??= redirectError(res.status, this.location, url);
        throw new TransportError(this.failure);
      }

      const contentType = res.headers.get('content-type');
      if (!res.ok) {
        const raw = await this.readBody(res, Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8));
        this.errorBody = this.cleanBody(raw, contentType);
        clearTimeout(this.firstByteTimer);
        return new Response(this.errorBody, { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      if (contentType && !/event-stream/i.test(contentType) && /html|json/i.test(contentType)) {
        const raw = await this.readBody(res, Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8));
        clearTimeout(this.firstByteTimer);
        const body = this.cleanBody(raw, contentType);
        this.errorBody = body;
        this.failure ??= this.nonStreamFailure(contentType, body);
        throw new TransportError(this.failure);
      }
      if (!res.body) return res;
      return new Response(this.wrapBody(res.body, contentType), { status: res.status, statusText: res.statusText, headers: res.headers });
    }
  };

  /**
   * A body for display: secrets redacted first (on the raw text, so the cap below cannot cut a
   * key in half and leave a piece of it), then HTML stripped and capped at `maxErrorBodyBytes`.
   */
  private cleanBody(raw: string, contentType: string | null): string {
    const secrets = this.options.secrets;
    return redactSecrets(cleanErrorBody(redactCutText(raw, secrets), contentType, this.options.timeouts.maxErrorBodyBytes), secrets);
  }

  /** Failure for a 200 body that is not an event stream and carried no `data:` line. */
  private plainBodyFailure(contentType: string | null, raw: string): StreamError {
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

  private async readBody(res: Response, maxBytes: number): Promise<string> {
    try {
      const text = await readCapped(res.body, maxBytes);
      if (text.length && this.firstByteMs === null) this.firstByteMs = this.options.now();
      return text;
    } catch (err) {
      throw new TransportError(this.remember(err));
    }
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

  private wrapBody(source: ReadableStream<Uint8Array>, contentType: string | null): ReadableStream<Uint8Array> {
    const { now, timeouts } = this.options;
    const reader = source.getReader();
    const scanner = new SseLineScanner();
    // A body not labelled as an event stream is kept (up to a limit) until a `data:` line shows it
    // is one after all; otherwise it becomes the error body.
    const previewLimit = Math.max(64 * 1024, timeouts.maxErrorBodyBytes * 8);
    let preview: Buffer[] | null = /event-stream/i.test(contentType ?? '') ? null : [];
    let previewBytes = 0;
    const queue: Array<{ value: Uint8Array; arrivedMs: number }> = [];
    let head = 0;
    let ended = false;
    let error: unknown = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const finish = () => {
      clearTimeout(this.idleTimer);
      clearTimeout(this.firstByteTimer);
    };
    this.interruptBody = (err) => {
      if (!error && !ended) error = err;
      reader.cancel(err).catch(() => undefined);
      notify();
    };

    const pump = async () => {
      try {
        let clean = true;
        for (;;) {
          const { done, value } = await reader.read();
          const arrivedMs = now();
          if (done) break;
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
            break;
          }
          if (preview && previewBytes < previewLimit) {
            preview.push(Buffer.from(value));
            previewBytes += value.byteLength;
          }
          const { out, done: sawDone } = scanner.push(value);
          if (scanner.sawData) preview = null;
          if (out.byteLength > 0) queue.push({ value: out, arrivedMs });
          if (sawDone) {
            // `[DONE]` ends the answer: stop here even if the server keeps the connection open or
            // sends more, and close the connection.
            this.sawDone = true;
            this.doneMs = arrivedMs;
            reader.cancel().catch(() => undefined);
            clean = false;
            break;
          }
          notify();
        }
        if (clean) {
          const rest = scanner.end();
          if (rest) queue.push({ value: rest, arrivedMs: this.lastByteMs ?? now() });
          if (scanner.sawDone && !this.sawDone) {
            this.sawDone = true;
            this.doneMs = this.lastByteMs;
          }
          if (preview && !scanner.sawData && !this.failure) {
            this.failure = this.plainBodyFailure(contentType, Buffer.concat(preview).subarray(0, previewLimit).toString('utf8'));
          }
        }
        ended = true;
      } catch (err) {
        if (!error) error = new TransportError(this.remember(err));
      }
      finish();
      notify();
    };
    void pump();

    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          const deliver = (): boolean => {
            if (head < queue.length) {
              const item = queue[head]!;
              queue[head++] = undefined as never;
              if (head > 256 && head * 2 > queue.length) {
                queue.splice(0, head);
                head = 0;
              }
              this.deliveredMs = item.arrivedMs;
              controller.enqueue(item.value);
              return true;
            }
            if (error) {
              controller.error(error);
              return true;
            }
            if (ended) {
              controller.close();
              return true;
            }
            return false;
          };
          if (deliver()) return;
          return new Promise<void>((resolve) => {
            // A wake-up may bring nothing to deliver (bytes held back by the line scanner): wait
            // again, since a pull that resolves without enqueuing is not called again.
            const arm = () => {
              wake = () => {
                if (deliver()) resolve();
                else arm();
              };
            };
            arm();
          });
        },
        cancel: (reason) => {
          reader.cancel(reason).catch(() => undefined);
          finish();
        },
      },
      { highWaterMark: 0 },
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
