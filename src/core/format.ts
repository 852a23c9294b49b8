/**
 * How Bakeoff writes numbers and states for people: one definition for the panel, the CLI, the
 * Markdown/JSON exports and error messages. Pure (no Node built-ins, no DOM), so the webview
 * bundle uses it too.
 */
import type { ConnectionMode, StreamFlags, TerminalStatus, TimeoutPhase, TimingPhases } from './types';

/** What every view shows for a number that is not known. */
export const unknownMark = '—';

/** `412 ms`, `1.24 s`, `73.5 s`, `2m 05s`; `—` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return unknownMark;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds === 60 ? `${minutes + 1}m 00s` : `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** `4.0 s` style for waits, always in seconds with one decimal. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

/**
 * US dollars with enough precision for sub-cent answers: `$0.000423`, `$0.0123`, `$1.23`;
 * `$0` for free; `—` when unknown (never a made-up zero).
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return unknownMark;
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '−' : '';
  const abs = Math.abs(usd);
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`;
  return `${sign}$${Number(abs.toPrecision(3)).toString()}`;
}

/** A unit price (per million tokens, per hour): `$0.15`, `$2.50`, `$0.075` — at least two decimals, no float noise. */
export function formatUnitPriceUsd(usd: number): string {
  const fixed2 = usd.toFixed(2);
  if (Math.abs(Number(fixed2) - usd) < 1e-12) return `$${fixed2}`;
  return `$${Number(usd.toPrecision(6)).toString()}`;
}

/** A signed dollar difference: `+$0.000412`, `−$0.0012`, `±$0`. */
export function formatUsdDiff(usd: number | null | undefined): string {
  if (usd == null || !Number.isFinite(usd)) return unknownMark;
  if (usd === 0) return '±$0';
  return usd > 0 ? `+${formatUsd(usd)}` : formatUsd(usd);
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1,234` (tokens, counts). */
export function formatCount(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return unknownMark;
  // One formatter for every call: `toLocaleString` builds one each time (slow where the panel counts live).
  return countFormat.format(Math.round(value));
}

/** `182.9` or `1204` tokens per second. */
export function formatRate(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return unknownMark;
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** `87 %` from a fraction. */
export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction == null || !Number.isFinite(fraction)) return unknownMark;
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** `2.40×`; `—` when unknown. */
export function formatRatio(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return unknownMark;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(2)}×`;
}

/** `0.91× [0.88–0.95]`: a ratio with its 95 % interval when there is one. */
export function formatRatioWithCi(value: number | null | undefined, ci95: readonly [number, number] | null | undefined): string {
  const base = formatRatio(value);
  if (base === unknownMark || !ci95) return base;
  return `${base} [${ci95[0].toFixed(2)}–${ci95[1].toFixed(2)}]`;
}

/** `12.3 KB`, `4.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * Text safe inside one Markdown table cell: backslashes and pipes escaped, line breaks flattened,
 * and the inline syntax that could format or inject something escaped (code spans, emphasis,
 * HTML, links). With `inCode`, for text inside a code span (where backslashes are
 * literal): only pipes and line breaks, which a table row cannot hold.
 */
export function markdownCell(text: string, inCode = false): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ');
  if (inCode) return flat.replace(/\|/g, '\\|');
  // Brackets stay readable; a `](` that would open a link is broken.
  return flat.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/([`*<>])/g, '\\$1').replace(/\]\(/g, ']\\(');
}

/** Short names of the terminal states, as every view shows them. */
export const statusLabels: Record<TerminalStatus, string> = {
  ok: 'Done',
  not_sent: 'Not sent',
  cancelled: 'Cancelled',
  timeout: 'Timed out',
  http_error: 'HTTP error',
  network_error: 'Network error',
  tls_error: 'TLS error',
  protocol_error: 'Protocol error',
  truncated: 'Truncated',
  upstream_error: 'Upstream error',
};

const timeoutPhaseNames: Record<TimeoutPhase, string> = {
  connect: 'connect',
  firstByte: 'first byte',
  idle: 'idle',
  total: 'total',
};

/** Reasons a request was not sent (`StreamError.code` of a `not_sent` result). */
export const notSentReasons = {
  noKey: 'no key',
  keyUnreadable: 'key unreadable',
  cancelled: 'cancelled',
} as const;
export type NotSentReason = keyof typeof notSentReasons;

/** What {@link outcomeLabel} needs of a trial's error. */
export interface OutcomeError {
  type: TerminalStatus;
  httpStatus?: number | undefined;
  timeoutPhase?: TimeoutPhase | undefined;
  code?: string | undefined;
}

/**
 * A short label for how a trial ended when it delivered nothing usable: `✗ HTTP 500`,
 * `✗ timeout (first byte)`, `✗ network error (ECONNREFUSED)`, `not sent: no key`. Summary rows
 * and charts show it in place of numbers, so a failed backend never reads as "unknown".
 */
export function outcomeLabel(status: TerminalStatus, error: OutcomeError | null | undefined): string {
  switch (status) {
    case 'ok':
      return 'ok';
    case 'not_sent': {
      const reason = error?.code && error.code in notSentReasons ? notSentReasons[error.code as NotSentReason] : 'not sent';
      return reason === 'not sent' ? 'not sent' : `not sent: ${reason}`;
    }
    case 'cancelled':
      return 'cancelled';
    case 'http_error':
      return error?.httpStatus ? `✗ HTTP ${error.httpStatus}` : '✗ HTTP error';
    case 'timeout':
      return error?.timeoutPhase ? `✗ timeout (${timeoutPhaseNames[error.timeoutPhase]})` : '✗ timeout';
    case 'network_error':
      return error?.code ? `✗ network error (${error.code})` : '✗ network error';
    case 'tls_error':
      return '✗ TLS error';
    case 'protocol_error':
      return '✗ protocol error';
    case 'truncated':
      return '✗ truncated';
    case 'upstream_error':
      return error?.httpStatus ? `✗ upstream error ${error.httpStatus}` : '✗ upstream error';
  }
}

/** What {@link retryNote} needs. */
export interface RetryInfo {
  retries: number;
  /** Time spent waiting between attempts, ms. */
  retryWaitMs: number;
  /** The last `Retry-After` the server sent, ms; null when it sent none. */
  retryAfterMs: number | null;
}

/** `after 2 retries (waited 4.0 s, Retry-After 2 s)`; empty without retries. */
export function retryNote(info: RetryInfo): string {
  if (!info.retries) return '';
  const after = info.retryAfterMs !== null ? `, Retry-After ${+(info.retryAfterMs / 1000).toFixed(1)} s` : '';
  return `after ${info.retries} retr${info.retries === 1 ? 'y' : 'ies'} (waited ${formatSeconds(info.retryWaitMs)}${after})`;
}

/** What {@link trialStateLine} needs of a trial (a `TrialResult`, or the panel's view of one). */
export interface StateLineTrial extends RetryInfo {
  status: TerminalStatus;
  error: (OutcomeError & { message: string }) | null;
  metrics: { totalMs: number | null };
  wallMs: number | null;
}

/**
 * How one trial ended, in one line, as every view says it: `Done in 1.24 s`,
 * `Connection failed (ECONNREFUSED) — failed after 6 ms`,
 * `HTTP 429 … — failed after 4.01 s, after 2 retries (waited 4.0 s, Retry-After 2 s)`. A trial
 * that failed before its answer began has no total: its elapsed (wall) time is said here.
 */
export function trialStateLine(r: StateLineTrial): string {
  const retries = retryNote(r);
  if (r.status === 'ok') return `${statusLabels.ok} in ${formatMs(r.metrics.totalMs)}${retries ? ` ${retries}` : ''}`;
  const elapsed = r.status === 'not_sent' ? '' : r.metrics.totalMs === null && r.wallMs !== null ? ` — failed after ${formatMs(r.wallMs)}` : '';
  const message = r.error?.message ?? outcomeLabel(r.status, r.error);
  return `${message}${elapsed}${retries ? `, ${retries}` : ''}`;
}

/** `62 % [41–79 %]`: a proportion with its 95 % interval when there is one. */
export function formatPercentWithCi(fraction: number | null | undefined, ci95: readonly [number, number] | null | undefined): string {
  const base = formatPercent(fraction);
  if (base === unknownMark || !ci95) return base;
  return `${base} [${(ci95[0] * 100).toFixed(0)}–${formatPercent(ci95[1])}]`;
}

/** An Elo-scale rating, `1,043`, with its 95 % interval when there is one: `1,043 [1,001–1,088]`. */
export function formatRating(value: number | null | undefined, ci95?: readonly [number, number] | null): string {
  if (value == null || !Number.isFinite(value)) return unknownMark;
  const round = (x: number) => Math.round(x).toLocaleString('en-US');
  return ci95 ? `${round(value)} [${round(ci95[0])}–${round(ci95[1])}]` : round(value);
}

/** A phase duration: `0.4 ms`, `9.8 ms` below 10 ms, else as {@link formatMs}. */
export function formatPhaseMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return unknownMark;
  return ms < 10 ? `${ms.toFixed(1)} ms` : formatMs(ms);
}

/** The phases of the timing breakdown in order, with their names (README → Metrics). */
export const phaseLabels: ReadonlyArray<readonly [Exclude<keyof TimingPhases, 'connectionReused'>, string]> = [
  ['dnsMs', 'DNS'],
  ['connectMs', 'TCP connect'],
  ['tunnelMs', 'proxy tunnel'],
  ['tlsMs', 'TLS'],
  ['sendMs', 'request written'],
  ['requestToHeadersMs', 'sent → headers'],
  ['headersToFirstByteMs', 'headers → first byte'],
  ['firstByteToFirstTokenMs', 'first byte → first token'],
  ['decodeMs', 'decode'],
];

/** `DNS 1.2 ms · TCP connect 0.4 ms · …`: the phases that happened; '' when none is known. */
export function describePhases(phases: TimingPhases | null | undefined): string {
  if (!phases) return '';
  return phaseLabels
    .filter(([key]) => phases[key] !== null)
    .map(([key, label]) => `${label} ${formatPhaseMs(phases[key])}`)
    .join(' · ');
}

/** `fresh connection`, `warm connection (reused)`, `warm connection (not reused)`. */
export function connectionLabel(mode: ConnectionMode | undefined, reused?: boolean | null): string {
  if (mode !== 'warm') return 'fresh connection';
  if (reused === true) return 'warm connection (reused)';
  if (reused === false) return 'warm connection (not reused: a new one was opened)';
  return 'warm connection';
}

/** Names of the stream honesty flags, as badges and report notes. */
export const streamFlagLabels: Record<keyof StreamFlags, string> = {
  buffered: 'buffered',
  firstByteWithoutContent: 'first byte without content',
};

/** What each flag means, for hovers and reports. */
export const streamFlagNotes: Record<keyof StreamFlags, string> = {
  buffered: 'at least half of the answer arrived in the last 10 % of its time: the server or a proxy held it back, so TTFT and tokens/s do not show real streaming',
  firstByteWithoutContent: 'the first event carried no text (only the role): time to first byte is not time to first token',
};

/** The flags that are set, in order. */
export function raisedStreamFlags(flags: StreamFlags | null | undefined): Array<keyof StreamFlags> {
  if (!flags) return [];
  return (Object.keys(streamFlagLabels) as Array<keyof StreamFlags>).filter((k) => flags[k] === true);
}

/** `text` safe inside HTML text and attribute values (every report page escapes through this). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
