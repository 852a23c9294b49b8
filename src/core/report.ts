/**
 * The CLI's and the extension's reports of a comparison: the `--json` object, the Markdown
 * export and the rows of the summary table. Every figure comes from {@link summarize} in
 * summary.ts and every number is written by format.ts, so these reports show exactly what the
 * panel shows.
 */
import {
  formatCount,
  formatMs,
  formatPercent,
  formatRate,
  formatRatioWithCi,
  formatUsd,
  formatUsdDiff,
  markdownCell,
  statusLabels,
  trialStateLine,
} from './format';
import { redactDeep, redactKeysInText, secretKeys } from './redact';
import { backendsOf, summarize, type BackendSummary, type RatioFigure, type Summary } from './summary';
import type { ComparisonResult, CostSource, TerminalStatus, TokenSource, TrialResult } from './types';

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
      error: r.error ? { type: r.error.type, message: r.error.message, hint: r.error.hint } : null,
    })),
    summary: summarizeComparison(result, baselineId),
  };
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

/** A Markdown report: verdict table first, then the setup, then each answer. */
export function toMarkdownReport(result: ComparisonResult, baselineId?: string | null): string {
  const summary = summarizeComparison(result, baselineId);
  const lines: string[] = [];
  lines.push(`# Bakeoff comparison${result.outcome === 'cancelled' ? ' (cancelled)' : ''}`, '');
  lines.push(`| ${summaryHeader.join(' | ')} |`, `|${summaryHeader.map((_, i) => (i < 4 ? '---' : '---:')).join('|')}|`);
  for (const row of summaryRows(summary)) lines.push(`| ${row.map((c) => markdownCell(c)).join(' | ')} |`);
  lines.push('');
  for (const note of summaryNotes(result, summary)) lines.push(`- ${markdownCell(note)}`);
  lines.push('');
  const p = result.request.params;
  lines.push(
    `Run \`${result.runId}\` started ${result.startedAt}. Same request to every backend: max_tokens ${p.maxTokens}, temperature ${p.temperature}` +
      (p.seed != null ? `, seed ${p.seed}` : '') +
      '.',
    '',
  );
  for (const r of result.results) {
    lines.push(`## ${markdownCell(r.backendLabel)} — trial ${r.trial} — ${statusLabels[r.status]}`, '');
    lines.push(`${markdownCell(trialStateLine(r))}  `);
    lines.push(
      `TTFT ${formatMs(r.metrics.ttftMs)} · total ${formatMs(r.metrics.totalMs)} · ${formatCount(r.metrics.outputTokens)} output tokens` +
        `${r.metrics.tokenSource ? ` (${r.metrics.tokenSource})` : ''} · cost ${formatUsd(r.cost.costUsd)} (${r.cost.costSource})`,
      '',
    );
    if (r.keyRedacted) lines.push('> This answer contained your API key; it was redacted.', '');
    if (r.tlsUnverified) lines.push('> Unverified TLS: the certificate of this backend was not checked; these figures could have been read or altered.', '');
    if (r.error && r.status !== 'ok') lines.push(`> What to do: ${markdownCell(r.error.hint)}`, '');
    if (r.text) {
      const fence = fenceFor(r.text);
      lines.push(`${fence}text`, r.text, fence, '');
    }
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
