/**
 * The CLI's and the extension's reports of a comparison: the `--json` object, the Markdown
 * export and the rows of the summary table. Every figure comes from {@link summarize} in
 * summary.ts and every number is written by format.ts, so these reports show exactly what the
 * panel shows.
 */
import {
  connectionLabel,
  describePhases,
  formatCount,
  formatMs,
  formatPercent,
  formatRate,
  formatRatioWithCi,
  formatUsd,
  formatUsdDiff,
  markdownCell,
  raisedStreamFlags,
  statusLabels,
  streamFlagLabels,
  streamFlagNotes,
  trialStateLine,
} from './format';
import { redactDeep, redactKeysInText, secretKeys } from './redact';
import { backendsOf, summarize, type BackendSummary, type RatioFigure, type Summary } from './summary';
import type { ComparisonResult, ConnectionMode, CostSource, StreamFlags, TerminalStatus, TimingPhases, TokenSource, TrialResult } from './types';

/** The summary of a finished comparison (baseline: `baselineId` when it delivered, else the first that did). */
export function summarizeComparison(result: ComparisonResult, baselineId?: string | null): Summary {
  return summarize({
    backends: backendsOf(result.results),
    trials: result.results,
    baselineId: baselineId ?? null,
    outcome: result.outcome,
  });
}

/** One row of the `--json` output's `results` (documented in README → CLI). */
export interface JsonResultRow {
  backend: string;
  trial: number;
  status: TerminalStatus;
  text: string;
  ttftMs: number | null;
  totalMs: number | null;
  wallMs: number | null;
  tokensPerSecond: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  tokenSource: TokenSource | null;
  costUsd: number | null;
  costSource: CostSource;
  retries: number;
  retryWaitMs: number;
  retryAfterMs: number | null;
  /** The answer contained an API key in use; it was redacted. */
  keyRedacted: boolean;
  /** The backend's TLS certificate was not verified. */
  tlsUnverified: boolean;
  /** How the request connected (`warm`: over a kept-alive connection opened by an unmeasured request). */
  connection: ConnectionMode;
  /** Where the time went (README → Metrics → "Timing breakdown"), ms; null when not measured. */
  phases: TimingPhases | null;
  /** Buffered stream, first byte without content; null: not judged. */
  streamFlags: StreamFlags;
  error: { type: string; message: string; hint: string } | null;
}

export interface JsonReport {
  runId: string;
  startedAt: string;
  outcome: ComparisonResult['outcome'];
  perBackendConcurrency: number;
  results: JsonResultRow[];
  summary: Summary;
}

const round = (x: number | null, digits = 3): number | null => (x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function toJsonReport(result: ComparisonResult, baselineId?: string | null): JsonReport {
  return {
    runId: result.runId,
    startedAt: result.startedAt,
    outcome: result.outcome,
    perBackendConcurrency: result.perBackendConcurrency,
    results: result.results.map((r) => ({
      backend: r.backendId,
      trial: r.trial,
      status: r.status,
      text: r.text,
      ttftMs: round(r.metrics.ttftMs),
      totalMs: round(r.metrics.totalMs),
      wallMs: round(r.wallMs),
      tokensPerSecond: round(r.metrics.tokensPerSecond),
      inputTokens: r.metrics.inputTokens,
      outputTokens: r.metrics.outputTokens,
      tokenSource: r.metrics.tokenSource,
      costUsd: r.cost.costUsd,
      costSource: r.cost.costSource,
      retries: r.retries,
      retryWaitMs: round(r.retryWaitMs)!,
      retryAfterMs: r.retryAfterMs,
      keyRedacted: r.keyRedacted,
      tlsUnverified: r.tlsUnverified,
      connection: r.connection ?? 'fresh',
      phases: roundPhases(r.timing.phases),
      streamFlags: { buffered: r.streamFlags?.buffered ?? null, firstByteWithoutContent: r.streamFlags?.firstByteWithoutContent ?? null },
      error: r.error ? { type: r.error.type, message: r.error.message, hint: r.error.hint } : null,
    })),
    summary: summarizeComparison(result, baselineId),
  };
}

function roundPhases(phases: TimingPhases | undefined): TimingPhases | null {
  if (!phases) return null;
  const out = { ...phases };
  for (const key of Object.keys(out) as Array<keyof TimingPhases>) {
    if (key !== 'connectionReused') out[key] = round(phases[key]);
  }
  return out;
}

/** `Timing: DNS 1.2 ms · … (fresh connection)` for one trial; null when nothing was measured. */
export function timingLine(r: Pick<TrialResult, 'connection' | 'timing'>): string | null {
  const phases = describePhases(r.timing.phases);
  if (!phases) return null;
  return `Timing: ${phases} (${connectionLabel(r.connection, r.timing.phases?.connectionReused)})`;
}

/** One sentence per raised stream flag, e.g. `Stream buffered: at least half of …`. */
export function streamFlagLines(flags: StreamFlags | undefined): string[] {
  return raisedStreamFlags(flags).map((flag) => `Stream ${streamFlagLabels[flag]}: ${streamFlagNotes[flag]}.`);
}

/** A ratio cell: `baseline`, `1.84× [1.60–2.10]`, or `—`. */
function ratioText(s: BackendSummary, figure: RatioFigure | null): string {
  if (s.isBaseline) return 'baseline';
  return figure ? formatRatioWithCi(figure.value, figure.ci95) : '—';
}

/** The cost comparison cell: a ratio, or a difference against a $0 baseline. */
function costComparisonText(s: BackendSummary): string {
  if (s.isBaseline) return 'baseline';
  if (s.costComparison === 'difference') return formatUsdDiff(s.costDiffUsd);
  return ratioText(s, s.costRatio);
}

/** `3/3`, `2/3 (67 % [21–94 %])`, `0/3 · ✗ HTTP 500`, with `↻2` when trials were retried after 429s. */
function deliveredText(s: BackendSummary): string {
  const retried = s.retriedTrials ? ` ↻${s.retriedTrials}` : '';
  const counted = `${s.delivered}/${s.attempted}`;
  if (s.failureLabel) return `${counted} · ${s.failureLabel}${retried}`;
  const rate = s.completionRate;
  const interval =
    rate && s.attempted > 1 && rate.value < 1 ? ` (${formatPercent(rate.value)} [${formatPercent(rate.ci95[0])}–${formatPercent(rate.ci95[1])}])` : '';
  const partial = s.partial ? ' (partial)' : '';
  return `${counted}${interval}${partial}${retried}`;
}

/** `$0.00042`, `≥ $0.00042` when some trial's cost is unknown. */
function costPerAnswerText(s: BackendSummary): string {
  if (s.costPerAnswerUsd === null) return '—';
  return `${s.costPerAnswerIsLowerBound ? '≥ ' : ''}${formatUsd(s.costPerAnswerUsd)}`;
}

/** Header of the summary table shared by the CLI and the Markdown export. */
export const summaryHeader = [
  'Backend',
  'Kind',
  'Model',
  'Delivered',
  'TTFT p50',
  'Total p50',
  'Total p95',
  'Wall p50',
  'Tok/s',
  'Cost/answer',
  'Latency ×',
  'Cost ×',
] as const;

/** The summary table's cells for each backend, formatted once for the CLI and the Markdown export. */
export function summaryRows(summary: Summary): string[][] {
  return summary.backends.map((s) => [
    s.tlsUnverified ? `${s.label} (unverified TLS)` : s.label,
    s.kind,
    s.model,
    deliveredText(s),
    formatMs(s.ttftP50Ms),
    formatMs(s.totalP50Ms),
    formatMs(s.totalP95Ms),
    formatMs(s.wallP50Ms),
    formatRate(s.tokensPerSecondP50),
    costPerAnswerText(s),
    ratioText(s, s.latencyRatio),
    costComparisonText(s),
  ]);
}

/** Sentences under the summary table: baseline, how trials ran, what the intervals mean. */
export function summaryNotes(result: ComparisonResult, summary: Summary): string[] {
  const notes = [summary.baseline.note];
  if (result.outcome === 'cancelled') notes.push('The run was cancelled: figures of cancelled trials are partial.');
  const trials = Math.max(0, ...summary.backends.map((s) => s.trials));
  if (trials > 1) {
    notes.push(
      result.perBackendConcurrency === 1
        ? 'Trials of one backend ran one after another (backends side by side), so percentiles are not measured under load the comparison made itself.'
        : `Up to ${result.perBackendConcurrency} trials of one backend ran at once.`,
    );
  }
  const warm = [...new Set(result.results.filter((r) => r.connection === 'warm').map((r) => r.backendLabel))];
  if (warm.length) {
    notes.push(
      `Warm connections for ${warm.join(', ')}: each measured request went over a kept-alive connection opened by an unmeasured request; the others opened a fresh connection per request.`,
    );
  }
  notes.push(
    'Latency, speed and cost figures come from delivered trials (ended ok with content); Delivered = delivered / sent, not counting trials cancelled or not sent. ' +
      'Total excludes waits for 429 retries; Wall includes them. Ratios are ratios of medians with 95 % bootstrap intervals (≥ 3 delivered trials per side); an interval that includes 1.00× shows no detectable difference.',
  );
  return notes;
}

/** The fence that safely wraps `text` in Markdown. */
function fenceFor(text: string): string {
  return '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
}

/** What the caller knows about a comparison besides its result (the editor: where it came from). */
export interface ReportContext {
  /** E.g. `Selection from cart.ts (12 lines)`. */
  title?: string;
}

/** An answer's Markdown, with a code fence it left open closed (so the rest of a report stays outside it). */
function closedMarkdown(text: string): string {
  let open: string | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!m) continue;
    if (open === null) open = m[1]!;
    else if (m[1]![0] === open[0] && m[1]!.length >= open.length && line.trim() === m[1]) open = null;
  }
  return open === null ? text : `${text}\n${open}`;
}

/** The trial each backend's section shows: its median trial (what the panel opens on). */
export function shownTrials(result: ComparisonResult, summary: Summary): ComparisonResult['results'] {
  return summary.backends.flatMap((s) => {
    const mine = result.results.filter((r) => r.backendId === s.id);
    const shown = mine.find((r) => r.trial === s.medianTrial) ?? mine[mine.length - 1];
    return shown ? [shown] : [];
  });
}

/** The user prompt of a comparison (its last user message) and its system prompt, if any. */
function promptOf(result: ComparisonResult): { user: string; system: string | null } {
  const messages = result.request.messages;
  const user = [...messages].reverse().find((m) => m.role === 'user');
  const system = messages.find((m) => m.role === 'system');
  const text = (m: (typeof messages)[number] | undefined): string => (typeof m?.content === 'string' ? m.content : m ? JSON.stringify(m.content) : '');
  return { user: text(user), system: system ? text(system) : null };
}

/** `3 backends × 1 trial · max_tokens 512 · temperature 0 · seed 7 · system prompt: none`. */
function setupLine(result: ComparisonResult, summary: Summary): string {
  const p = result.request.params;
  const trials = Math.max(1, ...summary.backends.map((s) => s.trials));
  const { system } = promptOf(result);
  return [
    `${summary.backends.length} backend${summary.backends.length === 1 ? '' : 's'} × ${trials} trial${trials === 1 ? '' : 's'}`,
    `max_tokens ${p.maxTokens}`,
    `temperature ${p.temperature}`,
    ...(p.seed != null ? [`seed ${p.seed}`] : []),
    system === null ? 'no system prompt' : `system prompt (${system.length.toLocaleString('en-US')} characters)`,
    `run ${result.runId}, started ${result.startedAt}`,
  ].join(' · ');
}

/** The verdict table as Markdown (also what *Copy summary as Markdown table* copies). */
export function summaryMarkdownTable(summary: Summary): string {
  const lines = [`| ${summaryHeader.join(' | ')} |`, `|${summaryHeader.map((_, i) => (i < 4 ? '---' : '---:')).join('|')}|`];
  for (const row of summaryRows(summary)) lines.push(`| ${row.map((c) => markdownCell(c)).join(' | ')} |`);
  return lines.join('\n');
}

/** `fastest: OpenAI · cheapest: Chutes`, from the summary; empty when neither is awarded. */
function verdictLine(summary: Summary): string {
  const name = (id: string | null) => summary.backends.find((b) => b.id === id)?.label;
  const parts = [
    ...(summary.fastestId ? [`fastest: ${name(summary.fastestId)}`] : []),
    ...(summary.cheapestId ? [`cheapest: ${name(summary.cheapestId)}`] : []),
  ];
  return parts.join(' · ');
}

/**
 * A Markdown report people can share: the verdict first (table, fastest and cheapest, notes),
 * the setup and the prompt (collapsed), then one answer per backend — its median trial —
 * rendered with its own code fences, and with several trials a table of every trial.
 */
export function toMarkdownReport(result: ComparisonResult, baselineId?: string | null, context: ReportContext = {}): string {
  const summary = summarizeComparison(result, baselineId);
  const lines: string[] = [];
  const title = context.title ? ` — ${markdownCell(context.title)}` : '';
  lines.push(`# Bakeoff comparison${title}${result.outcome === 'cancelled' ? ' (cancelled)' : ''}`, '');
  const verdict = verdictLine(summary);
  if (verdict) lines.push(`**${markdownCell(verdict)}**`, '');
  lines.push(summaryMarkdownTable(summary), '');
  for (const note of summaryNotes(result, summary)) lines.push(`- ${markdownCell(note)}`);
  lines.push('', `Setup: ${markdownCell(setupLine(result, summary))}.`, '');
  const { user, system } = promptOf(result);
  const promptFence = fenceFor(user);
  lines.push('<details><summary>Prompt</summary>', '', `${promptFence}text`, user, promptFence, '');
  if (system !== null) {
    const systemFence = fenceFor(system);
    lines.push('System prompt:', '', `${systemFence}text`, system, systemFence, '');
  }
  lines.push('</details>', '');
  const multi = Math.max(1, ...summary.backends.map((s) => s.trials)) > 1;
  for (const r of shownTrials(result, summary)) {
    const which = multi ? ` (median trial: ${r.trial})` : '';
    lines.push(`## ${markdownCell(r.backendLabel)}${which}`, '');
    lines.push(`*${markdownCell(r.kind)} · \`${markdownCell(r.model, true)}\` · ${markdownCell(trialStateLine(r))}*  `);
    lines.push(
      `TTFT ${formatMs(r.metrics.ttftMs)} · total ${formatMs(r.metrics.totalMs)} · ${formatCount(r.metrics.outputTokens)} output tokens` +
        `${r.metrics.tokenSource ? ` (${r.metrics.tokenSource})` : ''} · cost ${formatUsd(r.cost.costUsd)} (${r.cost.costSource})`,
      '',
    );
    const timing = timingLine(r);
    if (timing) lines.push(markdownCell(timing), '');
    for (const flag of streamFlagLines(r.streamFlags)) lines.push(`> ${markdownCell(flag)}`, '');
    if (r.keyRedacted) lines.push('> This answer contained your API key; it was redacted.', '');
    if (r.tlsUnverified) lines.push('> Unverified TLS: the certificate of this backend was not checked; these figures could have been read or altered.', '');
    if (r.error && r.status !== 'ok') lines.push(`> What to do: ${markdownCell(r.error.hint)}`, '');
    if (r.text) lines.push(closedMarkdown(r.text), '');
  }
  if (multi) {
    lines.push('## Every trial', '', '| Backend | Trial | State | TTFT | Total | Output tokens | Cost |', '|---|---:|---|---:|---:|---:|---:|');
    for (const r of result.results) {
      lines.push(
        `| ${[r.backendLabel, String(r.trial), statusLabels[r.status], formatMs(r.metrics.ttftMs), formatMs(r.metrics.totalMs), formatCount(r.metrics.outputTokens), formatUsd(r.cost.costUsd)].map((c) => markdownCell(c)).join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * The result with keys scrubbed from everything a server could have echoed them into (answer,
 * reasoning, error). Done field by field, not over the serialised report: ids, numbers and JSON
 * syntax stay intact. Answers use the same rule as streaming (keys of 12 characters or more,
 * echoed in any case or split by inline tags) for errors too; shorter keys are placeholders
 * and were already removed from errors when the trial ran.
 */
export function redactResult(result: ComparisonResult, keys: readonly (string | undefined)[]): ComparisonResult {
  const secrets = secretKeys(keys);
  return { ...result, results: result.results.map((r) => redactTrialResult(r, secrets)) };
}

/** One trial with keys scrubbed as {@link redactResult} does (answer, reasoning, error). */
export function redactTrialResult(r: TrialResult, keys: readonly (string | undefined)[]): TrialResult {
  const secrets = secretKeys(keys);
  const text = redactKeysInText(r.text, secrets);
  const reasoning = redactKeysInText(r.reasoning, secrets);
  return {
    ...r,
    text: text.text,
    reasoning: reasoning.text,
    keyRedacted: r.keyRedacted || text.found || reasoning.found,
    error: r.error ? redactDeep(r.error, secrets) : null,
  };
}

/**
 * `bakeoff-2026-12-01-cart.ts.md`: the run's date (local time) and the compared file's name
 * (`prompt` when the comparison came from a typed prompt), safe for every file system.
 */
export function exportFileName(result: Pick<ComparisonResult, 'startedAt'>, sourceName: string | undefined, extension: string): string {
  const started = new Date(result.startedAt);
  const date = Number.isNaN(started.getTime()) ? new Date() : started;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const source = (sourceName ?? 'prompt').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'prompt';
  return `bakeoff-${day}-${source}.${extension}`;
}
