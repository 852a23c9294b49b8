/**
 * Turns a ComparisonResult into numbers one can defend (per-backend percentiles, ratios against
 * the baseline, completion rate) and into the CLI's JSON and Markdown reports.
 */
import type { BackendKind } from './config';
import { bootstrapMedianRatio, percentile, ratio, type RatioInterval } from './stats';
import { redactDeep, redactSecrets } from './redact';
import type { ComparisonResult, CostSource, TerminalStatus, TrialResult } from './types';

/** Per-backend aggregate over its trials. Latencies in ms, cost in USD per answer. */
export interface BackendSummary {
  backendId: string;
  label: string;
  kind: BackendKind;
  model: string;
  trials: number;
  /** Trials that ended `ok`. */
  okCount: number;
  /** okCount / trials. */
  completionRate: number;
  /** Percentiles over trials that produced a first token (TTFT) / ended ok (total, tokens/s, cost). */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  tokensPerSecondP50: number | null;
  costP50Usd: number | null;
  costSource: CostSource;
  tokenSource: 'reported' | 'estimated' | 'mixed';
  /** totalP50Ms / baseline totalP50Ms (1 for the baseline itself). */
  latencyRatio: number | null;
  ttftRatio: number | null;
  costRatio: number | null;
  /** 95 % bootstrap interval of the total-latency ratio; needs ≥ 3 ok trials on both sides. */
  latencyRatioCi: RatioInterval | null;
  costRatioCi: RatioInterval | null;
  /** Terminal states seen, with counts. */
  statuses: Partial<Record<TerminalStatus, number>>;
}

const nums = (xs: Array<number | null | undefined>): number[] =>
  xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

/**
 * Summarises every backend of a comparison. The baseline is the first backend (the first column
 * in the panel), unless `baselineId` names another.
 */
export function summarize(result: ComparisonResult, baselineId?: string): BackendSummary[] {
  const order: string[] = [];
  const byBackend = new Map<string, TrialResult[]>();
  for (const r of result.results) {
    if (!byBackend.has(r.backendId)) {
      byBackend.set(r.backendId, []);
      order.push(r.backendId);
    }
    byBackend.get(r.backendId)!.push(r);
  }
  const baseId = baselineId && byBackend.has(baselineId) ? baselineId : order[0];
  const okOf = (id: string) => (byBackend.get(id) ?? []).filter((r) => r.status === 'ok');
  const base = okOf(baseId);
  const baseTotals = nums(base.map((r) => r.metrics.totalMs));
  const baseTtfts = nums(base.map((r) => r.metrics.ttftMs));
  const baseCosts = nums(base.map((r) => r.cost.costUsd));

  return order.map((id) => {
    const trials = byBackend.get(id)!;
    const first = trials[0];
    const ok = okOf(id);
    const totals = nums(ok.map((r) => r.metrics.totalMs));
    const ttfts = nums(trials.map((r) => r.metrics.ttftMs));
    const costs = nums(ok.map((r) => r.cost.costUsd));
    const statuses: Partial<Record<TerminalStatus, number>> = {};
    for (const r of trials) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const tokenSources = new Set(trials.map((r) => r.metrics.tokenSource));
    const costSources = new Set(ok.map((r) => r.cost.costSource));
    const totalP50Ms = percentile(totals, 50);
    const ttftP50Ms = percentile(ttfts, 50);
    const costP50Usd = percentile(costs, 50);
    return {
      backendId: id,
      label: first.backendLabel,
      kind: first.kind,
      model: first.model,
      trials: trials.length,
      okCount: ok.length,
      completionRate: ok.length / trials.length,
      ttftP50Ms,
      ttftP95Ms: percentile(ttfts, 95),
      totalP50Ms,
      totalP95Ms: percentile(totals, 95),
      tokensPerSecondP50: percentile(nums(ok.map((r) => r.metrics.tokensPerSecond)), 50),
      costP50Usd,
      costSource: costSources.size === 1 ? [...costSources][0] : (first.cost.costSource ?? 'unknown'),
      tokenSource: tokenSources.size === 1 ? [...tokenSources][0] : 'mixed',
      latencyRatio: ratio(totalP50Ms, percentile(baseTotals, 50)),
      ttftRatio: ratio(ttftP50Ms, percentile(baseTtfts, 50)),
      costRatio: ratio(costP50Usd, percentile(baseCosts, 50)),
      latencyRatioCi: id === baseId ? null : bootstrapMedianRatio(totals, baseTotals),
      costRatioCi: id === baseId ? null : bootstrapMedianRatio(costs, baseCosts),
      statuses,
    };
  });
}

/** One row of the CLI's `--json` output (documented in README → "CLI JSON output"). */
export interface JsonResultRow {
  backend: string;
  trial: number;
  status: TerminalStatus;
  text: string;
  ttftMs: number | null;
  totalMs: number;
  tokensPerSecond: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  tokenSource: 'reported' | 'estimated';
  costUsd: number | null;
  costSource: CostSource;
  error: { type: string; message: string } | null;
}

export interface JsonReport {
  results: JsonResultRow[];
  summary: BackendSummary[];
  runId: string;
  startedAt: string;
}

const round = (x: number | null, digits = 3): number | null =>
  x == null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

export function toJsonReport(result: ComparisonResult): JsonReport {
  return {
    results: result.results.map((r) => ({
      backend: r.backendId,
      trial: r.trial,
      status: r.status,
      text: r.text,
      ttftMs: round(r.metrics.ttftMs),
      totalMs: round(r.metrics.totalMs)!,
      tokensPerSecond: round(r.metrics.tokensPerSecond),
      inputTokens: r.metrics.inputTokens,
      outputTokens: r.metrics.outputTokens,
      tokenSource: r.metrics.tokenSource,
      costUsd: r.cost.costUsd,
      costSource: r.cost.costSource,
      error: r.error ? { type: r.error.type, message: r.error.message } : null,
    })),
    summary: summarize(result),
    runId: result.runId,
    startedAt: result.startedAt,
  };
}

/** Formats milliseconds for people: `850 ms`, `1.24 s`. */
export function formatMs(ms: number | null): string {
  if (ms == null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Formats US dollars with enough precision for sub-cent answers: `$0.000412`. */
export function formatUsd(usd: number | null): string {
  if (usd == null) return 'unknown';
  if (usd === 0) return '$0';
  if (usd >= 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toPrecision(3)}`;
}

export function formatRatio(x: number | null, ci?: RatioInterval | null): string {
  if (x == null) return '—';
  const base = `${x.toFixed(2)}×`;
  return ci ? `${base} (95% CI ${ci.low.toFixed(2)}–${ci.high.toFixed(2)})` : base;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A Markdown report: summary table, then each answer. */
export function toMarkdownReport(result: ComparisonResult): string {
  const summary = summarize(result);
  const lines: string[] = [];
  lines.push(`# Bakeoff comparison`, '', `Run \`${result.runId}\` started ${result.startedAt}.`, '');
  const p = result.request.params;
  lines.push(
    `Same request to every backend: max_tokens ${p.maxTokens}, temperature ${p.temperature}` +
      (p.seed != null ? `, seed ${p.seed}` : '') +
      `. Baseline for ratios: **${cell(summary[0]?.label ?? '—')}**.`,
    '',
  );
  lines.push(
    '| Backend | Kind | Model | OK | TTFT p50 | Total p50 | Total p95 | tok/s p50 | Cost p50 | Latency × | Cost × |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of summary) {
    lines.push(
      `| ${cell(s.label)} | ${s.kind} | ${cell(s.model)} | ${s.okCount}/${s.trials} | ${formatMs(s.ttftP50Ms)} | ${formatMs(
        s.totalP50Ms,
      )} | ${formatMs(s.totalP95Ms)} | ${s.tokensPerSecondP50 == null ? '—' : s.tokensPerSecondP50.toFixed(1)} | ${formatUsd(
        s.costP50Usd,
      )} (${s.costSource}) | ${formatRatio(s.latencyRatio, s.latencyRatioCi)} | ${formatRatio(s.costRatio, s.costRatioCi)} |`,
    );
  }
  lines.push('', `Token counts: ${summary.map((s) => `${cell(s.label)} ${s.tokenSource}`).join(', ')}.`, '');
  for (const r of result.results) {
    lines.push(`## ${cell(r.backendLabel)} — trial ${r.trial} — ${r.status}`, '');
    if (r.error) lines.push(`> **${r.error.type}**: ${cell(r.error.message)}  `, `> ${cell(r.error.hint)}`, '');
    const fence = '`'.repeat(Math.max(3, ...[...r.text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    lines.push(`${fence}text`, r.text, fence, '');
  }
  return lines.join('\n');
}

/**
 * The result with keys scrubbed from everything a server could have echoed them into (answer,
 * reasoning, error). Done field by field, not over the serialised report: ids, numbers and JSON
 * syntax stay intact. Values under 8 characters are placeholders (`ollama`, `EMPTY`), not
 * secrets, and would only mangle ordinary words.
 */
export function redactResult(result: ComparisonResult, keys: readonly (string | undefined)[]): ComparisonResult {
  const secrets = keys.filter((k): k is string => !!k && k.length >= 8);
  return {
    ...result,
    results: result.results.map((r) => ({
      ...r,
      text: redactSecrets(r.text, secrets),
      reasoning: redactSecrets(r.reasoning, secrets),
      error: r.error ? redactDeep(r.error, secrets) : null,
    })),
  };
}
