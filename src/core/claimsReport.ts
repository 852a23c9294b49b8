/**
 * The report of `bakeoff reproduce`: the claims table over the runs of its two suites (completion
 * tasks and long-context tasks), every figure per context length, accuracy bucketed by the
 * prompt tokens each backend reported, the probes of each backend's window and what was spent.
 *
 * Nothing is computed here that the suite summary computes already: each scope (the completion
 * tasks, one context length, a prompt-token bucket) is summarised with `summarizeSuite` and judged
 * with `evaluateClaims` on the cells of that scope, so the numbers are those `bakeoff run` would
 * show for the same cells.
 */
import os from 'node:os';
import { evaluateClaims, seedClaims, type ClaimId, type ClaimRow } from './claims';
import { formatMs, formatPercent, formatRatioWithCi, formatUsd, unknownMark } from './format';
import type { ProbeOutcome } from './reproduce';
import { buildSuiteReport, claimMeasuredText, rateText, type SuiteReport } from './suite/report';
import { summarizeSuite, type EstimateFigure, type RatioCi, type SuiteSummaryInput } from './suite/suiteSummary';
import type { PlanBackend, ResultsHeader, SuiteCell, SuiteOutcome, TestInfo } from './suite/types';
import { bakeoffVersion } from './version';

/** One suite's run, as `bakeoff run` records it. */
export interface SuiteRunRecord {
  header: ResultsHeader;
  cells: SuiteCell[];
  outcome: SuiteOutcome;
  notes?: string[];
}

export interface ProbeSummary {
  backend: string;
  /** Label of the largest length accepted; null when none was (or probing failed first). */
  largest: string | null;
  probes: Array<{ length: string; targetTokens: number; outcome: ProbeOutcome; costUsd: number | null }>;
  failure: string | null;
}

/** Figures of one backend at one context length. */
export interface LengthFigures {
  backend: string;
  cells: number;
  delivered: number;
  accuracy: EstimateFigure | null;
  ttftP50Ms: number | null;
  totalP50Ms: number | null;
  /** Against the closed reference, at this length. */
  latencyRatio: RatioCi | null;
  costP50Usd: number | null;
  /** Mean `prompt_tokens` the backend reported at this length; null when it reported none. */
  promptTokensReportedMean: number | null;
}

export interface LengthRow {
  label: string;
  targetTokens: number | null;
  tests: number;
  backends: LengthFigures[];
}

/** Accuracy of one backend over the cells whose reported prompt tokens fall in [low, high). */
export interface PromptTokenBucket {
  backend: string;
  label: string;
  lowTokens: number;
  highTokens: number;
  cells: number;
  accuracy: EstimateFigure | null;
  /** Mean of reported prompt tokens ÷ the reference count of the same prompt. */
  reportedPerReference: number | null;
}

export interface ClaimsReportPlan {
  seed: number;
  lengthsRequested: string[];
  /** Lengths every backend accepted (the long-context suite ran at these). */
  lengthsRun: string[];
  /** Long-context tasks per family per length; completion tasks per family. */
  n: number;
  completionN: number;
  budgetUsd: number | null;
}

export interface ClaimsReport {
  environment: { bakeoffVersion: string; node: string; os: string; time: string; seed: number };
  plan: ClaimsReportPlan;
  backends: PlanBackend[];
  /** The closed backend the claims are measured against. */
  reference: string | null;
  /** How each backend's cost is found, in words (by backend id). */
  prices: Record<string, string>;
  probes: ProbeSummary[];
  claims: ClaimRow[];
  lengths: LengthRow[];
  buckets: PromptTokenBucket[];
  /** Known spend per backend: the probes and both suites. */
  spend: Array<{ backend: string; usd: number | null; unpricedRequests: number }>;
  outcome: SuiteOutcome;
  notes: string[];
  completion: SuiteReport | null;
  longContext: SuiteReport | null;
}

export interface ClaimsReportInput {
  plan: ClaimsReportPlan;
  backends: PlanBackend[];
  reference: string | null;
  prices?: Record<string, string>;
  probes: ProbeSummary[];
  completion: SuiteRunRecord | null;
  longContext: SuiteRunRecord | null;
  notes?: string[];
}

/** Chat-format tokens around one user message (added to a task's reference prompt count). */
const messageOverhead = 7;

function summaryInput(run: SuiteRunRecord, reference: string | null, keep?: (t: TestInfo) => boolean): SuiteSummaryInput {
  const tests = keep ? run.header.tests.filter(keep) : run.header.tests;
  const ids = new Set(tests.map((t) => t.index));
  return {
    backends: run.header.backends,
    tests,
    cells: run.cells.filter((c) => ids.has(c.testIndex)),
    trials: run.header.trials,
    seed: run.header.seed,
    baselineId: reference,
    outcome: run.outcome,
  };
}

const claimOrder: ClaimId[] = seedClaims.map((c) => c.id);

/** Claims rows of one scope: the rows `evaluateClaims` gives for all the scope's tests, relabelled. */
function scopeRows(input: SuiteSummaryInput, scope: string, claims: readonly ClaimId[]): ClaimRow[] {
  if (input.tests.length === 0) return [];
  return evaluateClaims(input)
    .filter((r) => r.scope === 'all tests' && claims.includes(r.claim))
    .map((r) => ({ ...r, scope }));
}

const lengthOf = (t: TestInfo): string | null => (typeof t.metadata.lengthLabel === 'string' ? t.metadata.lengthLabel : null);

/** `4k–8k` for [4096, 8192). */
function bucketLabel(low: number, high: number): string {
  const k = (n: number) => (n >= 1024 ? `${n / 1024}k` : String(n));
  return low === 0 ? `< ${k(high)}` : `${k(low)}–${k(high)}`;
}

function bucketOf(tokens: number): { low: number; high: number } {
  if (tokens < 1024) return { low: 0, high: 1024 };
  const low = 1024 * 2 ** Math.floor(Math.log2(tokens / 1024));
  return { low, high: low * 2 };
}

/** Builds the claims report from the runs. */
export function buildClaimsReport(input: ClaimsReportInput): ClaimsReport {
  const { reference } = input;
  const completionReport = input.completion
    ? buildSuiteReport({ header: input.completion.header, cells: input.completion.cells, outcome: input.completion.outcome, notes: input.completion.notes, baselineId: reference })
    : null;
  const longReport = input.longContext
    ? buildSuiteReport({ header: input.longContext.header, cells: input.longContext.cells, outcome: input.longContext.outcome, notes: input.longContext.notes, baselineId: reference })
    : null;

  const claims: ClaimRow[] = [];
  if (input.completion) claims.push(...scopeRows(summaryInput(input.completion, reference), 'completion tasks', ['latency', 'cost', 'completion']));
  const lengths: LengthRow[] = [];
  const buckets: PromptTokenBucket[] = [];
  if (input.longContext && longReport) {
    const run = input.longContext;
    claims.push(...scopeRows(summaryInput(run, reference), 'long context, all lengths', ['accuracyGap']));
    for (const group of longReport.summary.byLength) {
      const scoped = summaryInput(run, reference, (t) => lengthOf(t) === group.label);
      claims.push(...scopeRows(scoped, `length ${group.label}`, ['latency', 'cost', 'accuracyGap']));
      const summary = summarizeSuite(scoped);
      lengths.push({
        label: group.label,
        targetTokens: group.targetTokens,
        tests: group.tests,
        backends: summary.backends.map((b) => ({
          backend: b.id,
          cells: b.attempted,
          delivered: b.delivered,
          accuracy: b.accuracy,
          ttftP50Ms: b.ttftP50Ms,
          totalP50Ms: b.totalP50Ms,
          latencyRatio: b.vsBaseline?.latencyRatio ?? null,
          costP50Usd: b.costP50Usd,
          promptTokensReportedMean: group.backends.find((f) => f.backend === b.id)?.promptTokensReportedMean ?? null,
        })),
      });
    }
    // Accuracy by the prompt tokens each backend reported: backends tokenize differently.
    const testsByIndex = new Map(run.header.tests.map((t) => [t.index, t]));
    for (const b of run.header.backends) {
      const groups = new Map<number, SuiteCell[]>();
      for (const c of run.cells) {
        if (c.backend !== b.id || c.promptTokensReported === null) continue;
        const { low } = bucketOf(c.promptTokensReported);
        groups.set(low, [...(groups.get(low) ?? []), c]);
      }
      for (const low of [...groups.keys()].sort((x, y) => x - y)) {
        const cells = groups.get(low)!;
        const { high } = bucketOf(low);
        const ids = new Set(cells.map((c) => c.testIndex));
        const summary = summarizeSuite({
          backends: [b],
          tests: run.header.tests.filter((t) => ids.has(t.index)),
          cells,
          trials: run.header.trials,
          seed: run.header.seed,
          outcome: run.outcome,
        });
        const ratios = cells
          .map((c) => {
            const ref = testsByIndex.get(c.testIndex)?.metadata.promptTokens;
            return typeof ref === 'number' && ref > 0 ? c.promptTokensReported! / (ref + messageOverhead) : null;
          })
          .filter((v): v is number => v !== null);
        buckets.push({
          backend: b.id,
          label: bucketLabel(low, high),
          lowTokens: low,
          highTokens: high,
          cells: cells.length,
          accuracy: summary.backends[0]!.accuracy,
          reportedPerReference: ratios.length ? ratios.reduce((s, v) => s + v, 0) / ratios.length : null,
        });
      }
    }
  }
  const scopeRank = (scope: string): number => {
    if (scope === 'completion tasks') return -2;
    if (scope === 'long context, all lengths') return -1;
    const i = lengths.findIndex((l) => `length ${l.label}` === scope);
    return i < 0 ? 1000 : i;
  };
  const backendRank = new Map(input.backends.map((b, i) => [b.id, i]));
  claims.sort(
    (a, b) =>
      claimOrder.indexOf(a.claim) - claimOrder.indexOf(b.claim) ||
      (backendRank.get(a.decentralized) ?? 0) - (backendRank.get(b.decentralized) ?? 0) ||
      scopeRank(a.scope) - scopeRank(b.scope),
  );

  const spend = input.backends.map((b) => {
    const fromReports = [completionReport, longReport].flatMap((r) => (r ? [r.summary.backends.find((x) => x.id === b.id)] : []));
    const probeCosts = input.probes.find((p) => p.backend === b.id)?.probes.map((p) => p.costUsd) ?? [];
    const known = [...fromReports.map((s) => s?.spendUsd ?? null), ...probeCosts].filter((v): v is number => v !== null);
    const unpriced = fromReports.reduce((n, s) => n + (s?.unpricedCells ?? 0), 0) + probeCosts.filter((c) => c === null).length;
    return { backend: b.id, usd: known.length ? known.reduce((s, v) => s + v, 0) : null, unpricedRequests: unpriced };
  });
  const outcomes = [completionReport?.outcome, longReport?.outcome].filter((o): o is SuiteOutcome => o !== undefined);
  const outcome: SuiteOutcome = outcomes.includes('interrupted') ? 'interrupted' : outcomes.includes('budget') ? 'budget' : 'finished';
  return {
    environment: { bakeoffVersion, node: process.version, os: `${os.type()} ${os.release()} (${os.arch()})`, time: new Date().toISOString(), seed: input.plan.seed },
    plan: input.plan,
    backends: input.backends,
    reference,
    prices: input.prices ?? {},
    probes: input.probes,
    claims,
    lengths,
    buckets,
    spend,
    outcome,
    notes: input.notes ?? [],
    completion: completionReport,
    longContext: longReport,
  };
}

// ---------------------------------------------------------------------------------------------
// Text (terminal) and Markdown
// ---------------------------------------------------------------------------------------------

/** `2.4×` or `60 %` or `87 %` or `9–14 pts`: the claim as published. */
export function claimedText(c: ClaimRow): string {
  const [lo, hi] = c.claimedRange;
  if (c.claim === 'latency') return `${lo}×`;
  if (c.claim === 'accuracyGap') return lo === hi ? `${Math.round(lo * 100)} pts` : `${Math.round(lo * 100)}–${Math.round(hi * 100)} pts`;
  return formatPercent(lo);
}

export const claimsTableHeader = ['Claim', 'Backends', 'Scope', 'Measured [95 % CI]', 'Claimed', 'Verdict', 'Why'] as const;

export function claimsTableRows(report: Pick<ClaimsReport, 'claims'>): string[][] {
  return report.claims.map((c) => [c.text, `${c.decentralized} vs ${c.closed}`, c.scope, claimMeasuredText(c), claimedText(c), c.verdict, c.note]);
}

export function lengthTableHeader(report: Pick<ClaimsReport, 'backends'>): string[] {
  return ['Length', 'Tests', ...report.backends.flatMap((b) => [`${b.id} accuracy`, `${b.id} total p50`, `${b.id} latency ×`, `${b.id} prompt tokens (reported)`])];
}

export function lengthTableRows(report: Pick<ClaimsReport, 'lengths' | 'backends' | 'reference'>): string[][] {
  return report.lengths.map((l) => [
    l.label,
    String(l.tests),
    ...report.backends.flatMap((b) => {
      const f = l.backends.find((x) => x.backend === b.id);
      if (!f) return [unknownMark, unknownMark, unknownMark, unknownMark];
      return [
        rateText(f.accuracy),
        formatMs(f.totalP50Ms),
        b.id === report.reference ? 'reference' : f.latencyRatio ? formatRatioWithCi(f.latencyRatio.value, f.latencyRatio.ci95) : unknownMark,
        f.promptTokensReportedMean === null ? unknownMark : Math.round(f.promptTokensReportedMean).toLocaleString('en-US'),
      ];
    }),
  ]);
}

export const bucketTableHeader = ['Backend', 'Reported prompt tokens', 'Cells', 'Accuracy [95 % CI]', 'Reported ÷ reference tokens'] as const;

export function bucketTableRows(report: Pick<ClaimsReport, 'buckets'>): string[][] {
  return report.buckets.map((b) => [
    b.backend,
    b.label,
    String(b.cells),
    rateText(b.accuracy),
    b.reportedPerReference === null ? unknownMark : `${b.reportedPerReference.toFixed(2)}×`,
  ]);
}

export const probeTableHeader = ['Backend', 'Largest length accepted', 'Probes'] as const;

function probeText(p: ProbeSummary['probes'][number]): string {
  const o = p.outcome;
  if (o.fits === true) return `${p.length} fits${o.reportedPromptTokens !== null ? ` (${o.reportedPromptTokens.toLocaleString('en-US')} prompt tokens reported)` : ''}`;
  if (o.fits === false) return `${p.length} too long (${o.why === 'truncated' ? 'cut silently' : 'refused'})`;
  return `${p.length} failed: ${o.message}`;
}

export function probeTableRows(report: Pick<ClaimsReport, 'probes'>): string[][] {
  return report.probes.map((p) => [p.backend, p.largest ?? (p.failure ? 'unknown (probe failed)' : 'none'), p.probes.map(probeText).join('; ') || 'not probed']);
}

function textTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function referenceName(report: Pick<ClaimsReport, 'reference' | 'backends'>): string {
  const b = report.backends.find((x) => x.id === report.reference);
  if (!b) return 'a closed backend';
  return b.label && b.label !== b.id ? `${b.id} (${b.label}, closed)` : `${b.id} (closed)`;
}

/** Sentences under the tables. */
export function claimsReportNotes(report: ClaimsReport): string[] {
  const notes = [...report.notes];
  notes.push(
    `Claims are measured for each decentralized backend against ${referenceName(report)}. ` +
      'Latency: ratio of median total times; cost: 1 − ratio of median costs; completion: delivered and correct on the completion tasks; ' +
      'accuracy gap: closed − decentralized mean score, paired by task.',
  );
  notes.push('A verdict is "consistent" only when the claim lies inside a 95 % interval that is not too wide to mean anything; otherwise "too few samples" until the interval excludes it.');
  const spent = report.spend.map(
    (s) => `${s.backend} ${s.usd === null ? 'unknown' : formatUsd(s.usd)}${s.unpricedRequests ? ` (+ ${s.unpricedRequests} request${s.unpricedRequests > 1 ? 's' : ''} of unknown cost)` : ''}`,
  );
  notes.push(`Spent: ${spent.join(', ')}${report.plan.budgetUsd !== null ? `; budget ${formatUsd(report.plan.budgetUsd)}` : ''}.`);
  return notes;
}

/** The terminal report. */
export function toClaimsText(report: ClaimsReport): string {
  const out: string[] = [];
  out.push(`Claims — decentralized backends vs ${report.reference ?? 'no closed backend'}`, '');
  out.push(textTable(claimsTableHeader.slice(0, 6), claimsTableRows(report).map((r) => r.slice(0, 6))), '');
  if (report.lengths.length) out.push('By context length', textTable(lengthTableHeader(report), lengthTableRows(report)), '');
  if (report.buckets.length) out.push('Accuracy by the prompt tokens each backend reported', textTable(bucketTableHeader, bucketTableRows(report)), '');
  if (report.probes.length) out.push('Context windows (probed)', textTable(probeTableHeader, probeTableRows(report)), '');
  out.push(...claimsReportNotes(report).map((n) => `· ${n}`));
  return `${out.join('\n')}\n`;
}

function mdTable(header: readonly string[], rows: string[][]): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

export function toClaimsMarkdown(report: ClaimsReport): string {
  const out: string[] = ['# Bakeoff: checking the claims', ''];
  out.push(`Seed ${report.plan.seed} · lengths run: ${report.plan.lengthsRun.join(', ') || 'none'} · Bakeoff ${report.environment.bakeoffVersion}`, '');
  out.push('## Claims', '', ...mdTable(claimsTableHeader, claimsTableRows(report)), '');
  if (report.lengths.length) out.push('## By context length', '', ...mdTable(lengthTableHeader(report), lengthTableRows(report)), '');
  if (report.buckets.length) out.push('## Accuracy by reported prompt tokens', '', ...mdTable(bucketTableHeader, bucketTableRows(report)), '');
  if (report.probes.length) out.push('## Context windows (probed)', '', ...mdTable(probeTableHeader, probeTableRows(report)), '');
  out.push('## Notes', '', ...claimsReportNotes(report).map((n) => `- ${n}`), '');
  return out.join('\n');
}
