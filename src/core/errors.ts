/**
 * The single place where failures (SDK errors, socket errors, our own transport checks) become a
 * {@link StreamError} with a one-line hint saying what the user can do.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { formatBytes, formatMs, notSentReasons, type NotSentReason } from './format';
import { redactSecrets } from './redact';
import type { StreamError, TimeoutPhase } from './types';

/**
 * An error raised by Bakeoff's own fetch layer (timeouts, caps, protocol checks). It carries the
 * final {@link StreamError}; it survives being wrapped by the SDK as a `cause`.
 */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(readonly streamError: StreamError) {
    super(streamError.message);
  }
}

/**
 * The error as the editor shows it: hints that name the CLI's ways (environment variables,
 * `bakeoff backends check`, `--proxy`) name the editor's commands and settings instead.
 */
export function forEditor<T extends { hint: string }>(error: T): T {
  const hint = error.hint
    .replace('`bakeoff backends check` lists the models', '"Bakeoff: Test Backends" lists the models')
    .replace('Set the key again (environment variable or secret store) and rerun.', 'Set the key again with "Bakeoff: Set API Key…" and re-run.')
    .replace('(HTTPS_PROXY / HTTP_PROXY, --proxy, or the proxy setting)', '(the http.proxy setting)');
  return hint === error.hint ? error : { ...error, hint };
}

/** What a column offers to fix a failed trial (buttons in the editor). */
export type ErrorFix = 'setApiKey' | 'openSettings' | 'testBackends' | 'retry';

/** The fixes worth offering for a failed trial, most useful first; none for `ok`. */
export function suggestedFixes(error: { type: string; httpStatus?: number | undefined; code?: string | undefined } | null): ErrorFix[] {
  if (!error) return [];
  switch (error.type) {
    case 'not_sent':
      return error.code === 'cancelled' ? ['retry'] : ['setApiKey', 'retry'];
    case 'http_error': {
      const status = error.httpStatus ?? 0;
      if (status === 401 || status === 403) return ['setApiKey', 'retry'];
      if (status === 400 || status === 404 || status === 422) return ['openSettings', 'testBackends', 'retry'];
      if (status >= 300 && status < 400) return ['openSettings'];
      return ['retry'];
    }
    case 'network_error':
    case 'tls_error':
      return ['retry', 'openSettings', 'testBackends'];
    default:
      return ['retry'];
  }
}

/** Hint shown for an HTTP status. */
export function httpStatusHint(status: number): string {
  if (status >= 300 && status < 400) {
    return 'Set baseUrl to the final URL; redirects are never followed so the key is not sent to another host.';
  }
  switch (status) {
    case 400:
      return 'The server rejected the request; check the model id and any extraBody fields.';
    case 401:
      return 'Check the API key for this backend (is it set, and still valid?).';
    case 402:
      return 'The account has no credit left; top it up with the provider.';
    case 403:
      return 'The key is not allowed to use this model or endpoint; check the account permissions, plan or region.';
    case 407:
      return 'The proxy needs credentials: put them in the proxy URL (http://user:password@host:port); they are never shown.';
    case 404:
      return 'Check baseUrl (it usually ends in /v1) and the model id; `bakeoff backends check` lists the models.';
    case 408:
      return 'The server timed out reading the request; try again.';
    case 413:
      return 'The prompt is too large for this backend; shorten it.';
    case 422:
      return 'The server rejected a request field; check the parameters and extraBody.';
    case 429:
      return 'Rate limited: wait a little, lower the number of trials or parallel streams, or check the quota.';
    case 502:
    case 503:
    case 504:
      return 'The backend or its gateway is overloaded or down; try again later.';
    default:
      return status >= 500
        ? 'The backend failed internally; try again later or check its status page.'
        : 'The server refused the request; check baseUrl, model id and key.';
  }
}

/** Hint for a socket-level error code. */
function networkHint(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'Nothing is listening there; check the host and port in baseUrl and that the server is running.';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'The host name does not resolve; check baseUrl for typos and the network or DNS.';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'The connection was cut by the server or a proxy; retry, and check proxies and firewalls.';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'The network cannot reach that host; check the connection, VPN or proxy.';
    default:
      return 'The connection failed; check baseUrl and the network.';
  }
}

const tlsCodes = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ECONNABORTED_TLS',
]);

/** Whether a Node error code means the TLS handshake or certificate check failed. */
export function isTlsCode(code: string | undefined): boolean {
  if (!code) return false;
  return tlsCodes.has(code) || /^(ERR_SSL_|ERR_TLS_|CERT_)/.test(code);
}

/** Builds the error for a socket-level failure with a Node error code. */
export function socketError(code: string | undefined, message: string): StreamError {
  if (code?.startsWith('HPE_')) {
    // node:http's parser refused the response bytes (a broken chunk header, a bad header line…).
    return {
      type: 'protocol_error',
      message: `The server sent a malformed HTTP response (${code}): ${oneLine(message)}`,
      hint: 'The server or a proxy in between broke the HTTP framing; retry, and check any proxy or load balancer on the way.',
      code,
    };
  }
  if (isTlsCode(code) || /\b(SSL|TLS)\b|wrong version number|certificate/i.test(message)) {
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
    return {
      type: 'tls_error',
      message: `TLS failed${code ? ` (${code})` : ''}: ${oneLine(reason)}`,
      hint: 'Check http:// versus https:// in baseUrl, and that the server certificate is valid for the host.',
      ...(code ? { code } : {}),
    };
  }
  return {
    type: 'network_error',
    message: `Connection failed${code ? ` (${code})` : ''}: ${oneLine(message)}`,
    hint: networkHint(code),
    ...(code ? { code } : {}),
  };
}

/** Builds the error for a limit that ran out. */
export function timeoutError(phase: TimeoutPhase, limitMs: number): StreamError {
  const limit = Number.isFinite(limitMs) ? formatMs(limitMs) : null;
  const what: Record<TimeoutPhase, string> = {
    connect: `Could not connect within ${limit ?? 'the time limit'}`,
    firstByte: `No response data within ${limit ?? 'the time limit'}`,
    idle: `The stream went silent for ${limit ?? 'longer than allowed'}`,
    total: `The answer was not complete after ${limit ?? 'the time limit'}`,
  };
  const hint: Record<TimeoutPhase, string> = {
    connect: 'The host did not accept the connection; check baseUrl, firewall or VPN, or raise timeouts.connectMs.',
    firstByte: 'The backend is queueing or cold-starting; retry, or raise timeouts.firstByteMs.',
    idle: 'The backend stopped sending mid-answer; retry, or raise timeouts.idleMs.',
    total: 'A long answer needs more time: lower maxTokens or raise timeouts.totalMs. If nothing arrived at all, the backend is queueing or waiting out rate limits; retry later.',
  };
  return {
    type: 'timeout',
    timeoutPhase: phase,
    message: `${what[phase]} (${phase} timeout)`,
    hint: hint[phase],
  };
}

/**
 * Builds the error of a trial whose request was never sent (`not_sent`): `reason` is one of
 * {@link notSentReasons}, `message` says why in a sentence, `hint` what to do.
 */
export function notSentError(reason: NotSentReason, message: string, hint: string): StreamError {
  return { type: 'not_sent', code: reason, message: oneLine(message), hint };
}

/** The `not_sent` error of a trial cancelled before its request was sent. */
export function cancelledBeforeStartError(): StreamError {
  return notSentError('cancelled', `Not sent: the run was ${notSentReasons.cancelled} before this request started`, 'Run the comparison again when ready.');
}

/** Builds the error for a user cancel. */
export function cancelledError(): StreamError {
  return { type: 'cancelled', message: 'Cancelled by the user', hint: 'Run the comparison again when ready.' };
}

/** Builds a `protocol_error` (the server answered, but not with a usable event stream). */
export function protocolError(message: string, hint?: string, body?: string): StreamError {
  return {
    type: 'protocol_error',
    message: oneLine(message),
    hint: hint ?? 'The server does not speak the OpenAI streaming protocol here; check baseUrl and the model id.',
    ...(body ? { body } : {}),
  };
}

/** Builds the error for a stream that ended cleanly without `[DONE]` and without a finish reason. */
export function truncatedError(): StreamError {
  return {
    type: 'truncated',
    message: 'The stream ended without a finish reason or [DONE]; the answer may be cut off',
    hint: 'A proxy or the backend closed the connection early; retry, and check proxy timeouts.',
  };
}

/**
 * The error of a successful response that carried no event at all (an empty event stream, a 204):
 * nothing was cut off, there was never an answer.
 */
export function emptyStreamError(httpStatus: number | null): StreamError {
  return protocolError(
    `The server answered${httpStatus !== null ? ` ${httpStatus}` : ''} without sending any event (no answer, no [DONE])`,
    'The endpoint accepted the request but streamed nothing: check the model id and that baseUrl is an OpenAI-compatible API root (usually ending in /v1).',
  );
}

/** Builds the error for a stream that exceeded `maxStreamBytes`. */
export function streamTooLargeError(maxBytes: number): StreamError {
  return protocolError(
    `stream exceeded ${formatBytes(maxBytes)}`,
    'The answer was cut at the stream size cap; lower maxTokens or raise timeouts.maxStreamBytes.',
  );
}

/**
 * Builds the error for a body the server compressed although Bakeoff asked for no compression:
 * `encoding` is the declared `content-encoding`, null when only the gzip magic bytes gave it away.
 */
export function compressedBodyError(encoding: string | null): StreamError {
  return protocolError(
    encoding
      ? `The server compressed the stream (content-encoding: ${encoding}) although it was not asked to`
      : 'The server sent a gzip-compressed body without saying so (no content-encoding), although it was not asked to compress',
    'Bakeoff asks for no compression so it can time each event as it arrives; turn compression off for this endpoint (or for text/event-stream in the proxy or gateway in front of it), and remove any Accept-Encoding from the backend headers.',
  );
}

/** Removes tags, scripts and styles from an HTML page and collapses whitespace. */
export function stripHtml(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/gi, "'")
    .replace(/&amp;/gi, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes (never splitting a character), adding `…` when cut. */
export function capText(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = Buffer.from(text).subarray(0, Math.max(0, maxBytes - 3)).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Readable error body: HTML stripped when it looks like HTML, then capped. The `secrets` are
 * redacted (see {@link redactSecrets}) before the tags are stripped, so a key split by tags
 * (`<code>sk-ab</code><code>cd…</code>`, which stripping would turn into `sk-ab cd…`) is caught,
 * and again after, before the cap. A body read up to a byte limit should go through
 * `redactCutText` first.
 */
export function cleanErrorBody(raw: string, contentType: string | null, maxBytes: number, secrets: ReadonlyArray<string | null | undefined> = []): string {
  const looksHtml = /html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)\b/i.test(raw);
  const text = redactSecrets(raw, secrets);
  return capText(redactSecrets(looksHtml ? stripHtml(text) : text.trim(), secrets), maxBytes);
}

/** The most useful one-line message inside an error body (`error.message`, `detail`, `message`…). */
export function messageFromBody(body: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    const pick = (v: unknown): string | undefined => {
      if (typeof v === 'string' && v) return v;
      if (Array.isArray(v)) return v.length ? pick(v[0]) : undefined;
      if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        return pick(o.message) ?? pick(o.error) ?? pick(o.detail) ?? pick(o.msg);
      }
      return undefined;
    };
    const found = pick(json);
    if (found) return collapseRepeats(oneLine(found));
  } catch {
    // not JSON: fall through to the text itself
  }
  return collapseRepeats(oneLine(body));
}

/**
 * One line without its repeats: a phrase said several times in a row (an HTML error page that
 * repeats its title in a heading, a paragraph printed a thousand times) is said once.
 * A single word is collapsed only when it comes three times or more ("very very" stays).
 */
export function collapseRepeats(line: string): string {
  const words = line.split(' ');
  const out: string[] = [];
  const same = (a: number, b: number, k: number): boolean => {
    for (let j = 0; j < k; j++) if (words[a + j]!.toLowerCase() !== words[b + j]!.toLowerCase()) return false;
    return true;
  };
  let i = 0;
  while (i < words.length) {
    let collapsed = false;
    for (let k = 1; k <= 40 && i + 2 * k <= words.length; k++) {
      if (!same(i, i + k, k)) continue;
      let repeats = 2;
      while (i + (repeats + 1) * k <= words.length && same(i, i + repeats * k, k)) repeats++;
      if (k === 1 && repeats < 3) continue;
      out.push(...words.slice(i, i + k));
      const block = words.slice(i, i + k);
      i += repeats * k;
      // A repeat cut short at the end of the text (a capped body: "… upstream expl…") goes too.
      const rest = words.slice(i);
      const cut = (word: string, whole: string) => whole.toLowerCase().startsWith(word.replace(/…$/, '').toLowerCase());
      if (rest.length > 0 && rest.length <= k && rest.every((w, j) => (j === rest.length - 1 ? cut(w, block[j]!) : w.toLowerCase() === block[j]!.toLowerCase()))) {
        i = words.length;
      }
      collapsed = true;
      break;
    }
    if (!collapsed) out.push(words[i++]!);
  }
  return out.join(' ');
}

/** What {@link toStreamError} knows besides the thrown value. */
export interface ErrorContext {
  /** Secrets to scrub from the message and body. */
  secrets?: ReadonlyArray<string | undefined | null>;
  /** Error body already read (HTML stripped, capped) by the fetch layer. */
  errorBody?: string | null;
  /** HTTP status text of the failed response, when known. */
  statusText?: string | null;
  /** `Location` header of a redirect, when known. */
  location?: string | null;
  /** Whether the user cancelled. */
  userAborted?: boolean;
}

/** Node error code found anywhere along the `cause` chain. */
function findCode(err: unknown): { code?: string; message: string } {
  let cur: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; cur && depth < 6; depth++) {
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string') return { code: e.code, message: typeof e.message === 'string' ? e.message : message };
    if (Array.isArray(e.errors) && e.errors.length) {
      const inner = findCode(e.errors[0]);
      if (inner.code) return inner;
    }
    if (typeof e.message === 'string' && e.message) message = e.message;
    cur = e.cause;
  }
  return { message };
}

function findTransportError(err: unknown): TransportError | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 6; depth++) {
    if (cur instanceof TransportError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `error` with the secrets redacted from its message, hint and body. */
export function scrubError(error: StreamError, secrets: ReadonlyArray<string | undefined | null>): StreamError {
  const out: StreamError = { ...error, message: redactSecrets(error.message, secrets), hint: redactSecrets(error.hint, secrets) };
  if (error.body !== undefined) out.body = redactSecrets(error.body, secrets);
  return out;
}

/** Error for a 3xx answer: never followed. */
export function redirectError(status: number, location: string | null, baseUrl?: string): StreamError {
  let target = 'another location';
  if (location) {
    try {
      target = new URL(location, baseUrl).origin;
    } catch {
      target = location;
    }
  }
  return {
    type: 'http_error',
    httpStatus: status,
    message: `HTTP ${status}: the server redirected to ${target}; the redirect was not followed`,
    hint: httpStatusHint(status),
  };
}

/**
 * Maps anything thrown while streaming to a {@link StreamError}: our {@link TransportError}s,
 * SDK errors (`APIError` subclasses with a status → `http_error`, `APIError` without a status,
 * i.e. an `{"error":…}` event inside the stream → `upstream_error`, `APIUserAbortError` →
 * `cancelled`, `APIConnectionTimeoutError` → `timeout`/total, `APIConnectionError` → by socket
 * code), socket errors (`tls_error` / `network_error`) and JSON syntax errors (`protocol_error`).
 * Keys listed in `ctx.secrets` are scrubbed from the result.
 */
export function toStreamError(err: unknown, ctx: ErrorContext = {}): StreamError {
  const secrets = ctx.secrets ?? [];
  const transport = findTransportError(err);
  if (transport) return scrubError(transport.streamError, secrets);
  if (ctx.userAborted) return cancelledError();

  if (err instanceof APIUserAbortError) return cancelledError();
  if (err instanceof APIConnectionTimeoutError) return scrubError(timeoutError('total', NaN), secrets);
  if (err instanceof APIConnectionError) {
    const { code, message } = findCode(err.cause ?? err);
    return scrubError(socketError(code, message), secrets);
  }
  if (err instanceof APIError) {
    const status = err.status;
    if (typeof status === 'number') {
      const body = ctx.errorBody ?? undefined;
      if (status >= 300 && status < 400) {
        const location = ctx.location ?? err.headers?.get('location') ?? null;
        return scrubError({ ...redirectError(status, location), ...(body ? { body } : {}) }, secrets);
      }
      const statusText = ctx.statusText ? ` ${ctx.statusText}` : '';
      // Secrets go before any cut, so a cut cannot leave part of a key behind.
      let detail = redactSecrets(body ? messageFromBody(body) : oneLine(err.message.replace(/^\d{3}\s*/, '')), secrets);
      // HTML error pages usually repeat the status line in their <title>/<h1>: drop the echo.
      for (const echo of [String(status), ctx.statusText ?? '']) {
        if (echo && detail.toLowerCase().startsWith(echo.toLowerCase())) detail = detail.slice(echo.length).replace(/^[\s:.-]+/, '');
      }
      return scrubError(
        {
          type: 'http_error',
          httpStatus: status,
          // The full (stripped, capped) body stays in `body`; the message is one short line.
          message: capText(`HTTP ${status}${statusText}${detail ? `: ${detail}` : ''}`, 160),
          hint: httpStatusHint(status),
          ...(body ? { body } : {}),
        },
        secrets,
      );
    }
    const upstream = err.error as { message?: unknown; code?: unknown } | undefined;
    const message = redactSecrets(typeof upstream?.message === 'string' ? upstream.message : err.message, secrets);
    const code = typeof upstream?.code === 'number' ? upstream.code : Number(upstream?.code);
    return scrubError(
      {
        type: 'upstream_error',
        message: capText(`The backend reported an error mid-stream: ${oneLine(message)}`, 300),
        hint: 'The model server failed while answering; retry, or try a smaller request.',
        ...(Number.isInteger(code) && code >= 100 && code < 600 ? { httpStatus: code } : {}),
      },
      secrets,
    );
  }
  if (err instanceof SyntaxError) {
    return scrubError(protocolError(`Malformed event data: ${err.message}`), secrets);
  }
  if (err && typeof err === 'object' && (err as { name?: unknown }).name === 'AbortError') return cancelledError();
  const { code, message } = findCode(err);
  if (code) return scrubError(socketError(code, message), secrets);
  return scrubError(protocolError(`Unexpected failure: ${message}`), secrets);
}

/** Collapses whitespace so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Thrown by a key resolver when a backend has no usable key: its trials end `not_sent` (reason
 * `noKey`) with this message and hint, and nothing is sent.
 */
export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
  constructor(
    message: string,
    readonly hint: string = 'Set the API key for this backend and run again.',
  ) {
    super(message);
  }
}
