/**
 * Reports of a suite run: the report object (`.json`, `--json`), the results JSONL, Markdown,
 * CSV, JUnit XML and the terminal table. Every figure comes from {@link summarizeSuite} and
 * {@link evaluateClaims}; numbers are written by ../format.ts. The HTML report is in html.ts.
 */
import os from 'node:os';
import { evaluateClaims, hasClaimsTable, type ClaimRow } from '../claims';
import { formatMs, formatPercent, formatRate, formatRatio, formatUsd, markdownCell, unknownMark } from '../format';
import { bakeoffVersion } from '../version';
import { summarizeSuite, type DiffFigure, type EstimateFigure, type RateFigure, type RatioCi, type SuiteBackendSummary, type SuiteSummary } from './suiteSummary';
import type { PlanBackend, ResultsHeader, SuiteCell, SuiteOutcome, TestInfo } from './types';

/** Everything a suite report holds (the `.json` output). Field names are documented in README → Suites. */
export interface SuiteReport {
  environment: {
    bakeoffVersion: string;
    node: string;
    os: string;
    /** When the report was made, ISO. */
    time: string;
    seed: number;
    runId: string;
    startedAt: string;
  };
  suite: ResultsHeader['suite'];
  plan: {
    seed: number;
    trials: number;
    shard: ResultsHeader['shard'];
    /** Shards merged into this report (merge only). */
    shardsMerged?: number[];
    tests: number;
    cells: number;
    backends: PlanBackend[];
    baselineId: string | null;
  };
  outcome: SuiteOutcome;
  summary: SuiteSummary;
  claims: ClaimRow[];
  notes: string[];
  tests: TestInfo[];
  cells: SuiteCell[];
}

export interface ReportInput {
  header: ResultsHeader;
  cells: readonly SuiteCell[];
  outcome: SuiteOutcome;
  /** The tests covered (default: the header's). */
  tests?: readonly TestInfo[];
  shardsMerged?: number[];
  /** Extra sentences (budget stop, resume, warnings). */
  notes?: readonly string[];
  /** Baseline override (default: the header's). */
  baselineId?: string | null;
}

/** Builds the report: summary, claims and notes from the cells. */
export function buildSuiteReport(input: ReportInput): SuiteReport {
  const h = input.header;
  const tests = [...(input.tests ?? h.tests)].sort((a, b) => a.index - b.index);
  const summaryInput = {
    backends: h.backends,
    tests,
    cells: input.cells,
    trials: h.trials,
    seed: h.seed,
    baselineId: input.baselineId !== undefined ? input.baselineId : h.baselineId,
    outcome: input.outcome,
  };
  const summary = summarizeSuite(summaryInput);
  const claims = hasClaimsTable(summary) ? evaluateClaims(summaryInput, summary) : [];
  const order = new Map(h.backends.map((b, i) => [b.id, i]));
  const cells = [...input.cells].sort((a, b) => a.testIndex - b.testIndex || (order.get(a.backend) ?? 0) - (order.get(b.backend) ?? 0) || a.trial - b.trial);
  return {
    environment: {
      bakeoffVersion,
      node: process.version,
      os: `${os.type()} ${os.release()} (${os.arch()})`,
      time: new Date().toISOString(),
      seed: h.seed,
      runId: h.runId,
      startedAt: h.startedAt,
    },
    suite: h.suite,
    plan: {
      seed: h.seed,
      trials: h.trials,
      shard: h.shard,
      ...(input.shardsMerged ? { shardsMerged: input.shardsMerged } : {}),
      tests: tests.length,
      cells: tests.length * h.trials * h.backends.length,
      backends: h.backends,
      baselineId: h.baselineId,
    },
    outcome: input.outcome,
    summary,
    claims,
    notes: [...(input.notes ?? []), ...summaryNotes(summary, h.backends)],
    tests,
    cells,
  };
}

/** `12` or `0.8` points from a fraction. */
function pointsText(fraction: number): string {
  const points = fraction * 100;
  return points >= 10 ? points.toFixed(0) : points.toFixed(1);
}

/** Sentences every report shows under its tables. */
export function summaryNotes(summary: SuiteSummary, backends: readonly PlanBackend[]): string[] {
  const notes = [summary.baseline.note];
  if (summary.outcome === 'interrupted') notes.push('The run was interrupted: these figures cover the cells that finished.');
  if (summary.outcome === 'budget') notes.push('Sending stopped at the --max-cost budget: the figures cover the cells that were sent.');
  const missing = summary.backends.reduce((n, b) => n + b.missing, 0);
  if (missing > 0) notes.push(`${missing} planned cell${missing > 1 ? 's have' : ' has'} no result (not sent, or in flight when the run stopped).`);
  const wide = summary.backends.filter((b) => b.passRate?.wide || b.vsBaseline?.latencyRatio?.wide || b.vsBaseline?.passRateDiff?.wide).map((b) => b.label);
  if (wide.length) notes.push(`Wide intervals (flagged ⚠) for ${wide.join(', ')}: more tests would narrow them.`);
  // The detectable difference rests on the tests graded on both sides (T), which an interrupted
  // run or failed cells make fewer than the suite's tests: the note names the T of the figure it gives.
  const detectable = summary.backends
    .map((b) => ({ mdd: b.vsBaseline?.minDetectableDiff, tests: b.vsBaseline?.passRateDiff?.nTests }))
    .filter((d): d is { mdd: number; tests: number } => typeof d.mdd === 'number' && typeof d.tests === 'number');
  if (detectable.length) {
    const widest = detectable.reduce((a, b) => (b.mdd > a.mdd ? b : a));
    const t = widest.tests;
    const graded = t === summary.tests ? '' : ` graded on both sides (of ${summary.tests})`;
    notes.push(
      `With ${t} test${t === 1 ? '' : 's'}${graded}, the smallest pass-rate difference this run could detect (α = 0.05, 80 % power) is about ${pointsText(widest.mdd)} points.`,
    );
  }
  const params = new Set(backends.map((b) => JSON.stringify(b.params)));
  if (params.size > 1) notes.push('Backends were not sent the same request parameters (see the plan): their answers are not strictly comparable.');
  const perBackend = backends.some((b) => b.concurrency > 1);
  notes.push(
    perBackend
      ? 'Some backends had several requests in flight at once (their concurrency); their latencies include that load.'
      : 'One request in flight per backend: latencies are not measured under load the run made itself.',
  );
  if (summary.notRun.length) {
    const total = summary.notRun.reduce((n, r) => n + r.count, 0);
    notes.push(`${total} assertion${total > 1 ? 's were' : ' was'} not run (see "Not run"); tests that depend on them are not graded, never counted as passed.`);
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Cell text formatting shared by the text reports
// ---------------------------------------------------------------------------------------------

const pct = (x: number) => (x * 100).toFixed(0);

/** `87 % [79–92]` (⚠ when wide). */
export function rateText(r: RateFigure | EstimateFigure | null): string {
  if (!r) return unknownMark;
  const ci = r.ci95 ? ` [${pct(r.ci95[0])}–${pct(r.ci95[1])}]` : '';
  return `${formatPercent(r.value)}${ci}${r.wide ? ' ⚠' : ''}`;
}

/** `2.41× [2.10–2.80]`. */
export function ratioText(r: RatioCi | null): string {
  if (!r) return unknownMark;
  const ci = r.ci95 ? ` [${r.ci95[0].toFixed(2)}–${r.ci95[1].toFixed(2)}]` : '';
  return `${formatRatio(r.value)}${ci}${r.wide ? ' ⚠' : ''}`;
}

/** `+12 pts [4–20]`. */
export function diffText(d: DiffFigure | null): string {
  if (!d) return unknownMark;
  const sign = (x: number) => (x > 0 ? '+' : x < 0 ? '−' : '±');
  const pts = (x: number) => `${sign(x)}${Math.abs(x * 100).toFixed(0)}`;
  const ci = d.ci95 ? ` [${pts(d.ci95[0])}, ${pts(d.ci95[1])}]` : '';
  return `${pts(d.value)} pts${ci}${d.wide ? ' ⚠' : ''}`;
}

export function msWithCi(value: number | null, ci: [number, number] | null): string {
  if (value === null) return unknownMark;
  return ci ? `${formatMs(value)} [${formatMs(ci[0])}–${formatMs(ci[1])}]` : formatMs(value);
}

export function costText(usd: number | null, lowerBound: boolean): string {
  if (usd === null) return unknownMark;
  return `${lowerBound ? '≥ ' : ''}${formatUsd(usd)}`;
}

export function pValueText(p: number | null | undefined): string {
  if (p === null || p === undefined) return unknownMark;
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** `42/50` delivered or `✗ HTTP 500` for a backend that delivered nothing. */
function deliveredText(b: SuiteBackendSummary): string {
  const counted = `${b.delivered}/${b.attempted}`;
  return b.failureLabel ? `${counted} · ${b.failureLabel}` : counted;
}

export const summaryTableHeader = [
  'Backend',
  'Kind',
  'Delivered',
  'Passed',
  'Pass rate [95 % CI]',
  'Accuracy',
  'TTFT p50',
  'Total p50 [95 % CI]',
  'Total p95',
  'Tok/s',
  'Cost/pass',
  'Spend',
] as const;

export function summaryTableRows(summary: SuiteSummary): string[][] {
  return summary.backends.map((b) => [
    `${b.label}${b.isBaseline ? ' (baseline)' : ''}`,
    b.kind,
    deliveredText(b),
    `${b.passed}/${b.graded}${b.notGraded ? ` (+${b.notGraded} not graded)` : ''}`,
    rateText(b.passRate),
    rateText(b.accuracy),
    formatMs(b.ttftP50Ms),
    msWithCi(b.totalP50Ms, b.totalP50Ci95),
    formatMs(b.totalP95Ms),
    formatRate(b.tokensPerSecondP50),
    costText(b.costPerPassUsd, b.costIsLowerBound),
    costText(b.spendUsd, b.unpricedCells > 0),
  ]);
}

export const baselineTableHeader = ['Backend', 'Latency ×', 'TTFT ×', 'Cost ×', 'Pass rate Δ', 'McNemar p', 'Accuracy Δ', 'Detectable Δ'] as const;

export function baselineTableRows(summary: SuiteSummary): string[][] {
  return summary.backends
    .filter((b) => b.vsBaseline)
    .map((b) => {
      const v = b.vsBaseline!;
      const cost = v.costComparison === 'difference' ? (v.costDiffUsd === null ? unknownMark : `${v.costDiffUsd >= 0 ? '+' : '−'}${formatUsd(Math.abs(v.costDiffUsd))}`) : ratioText(v.costRatio);
      return [
        b.label,
        ratioText(v.latencyRatio),
        ratioText(v.ttftRatio),
        cost,
        diffText(v.passRateDiff),
        pValueText(v.passRateDiff?.mcnemarP),
        diffText(v.accuracyDiff),
        v.minDetectableDiff === null ? unknownMark : `${pointsText(v.minDetectableDiff)} pts`,
      ];
    });
}

export function claimMeasuredText(c: ClaimRow): string {
  if (c.measured === null) return unknownMark;
  const fmt = (x: number) => (c.claim === 'latency' ? formatRatio(x) : c.claim === 'accuracyGap' ? `${(x * 100).toFixed(1)} pts` : formatPercent(x));
  return c.ci95 ? `${fmt(c.measured)} [${fmt(c.ci95[0])} – ${fmt(c.ci95[1])}]` : fmt(c.measured);
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

function mdTable(header: readonly string[], rows: string[][], numericFrom = 2): string[] {
  return [
    `| ${header.map((c) => markdownCell(c)).join(' | ')} |`,
    `|${header.map((_, i) => (i < numericFrom ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => markdownCell(c)).join(' | ')} |`),
  ];
}

function outcomeText(r: SuiteReport): string {
  return r.outcome === 'finished' ? 'finished' : r.outcome === 'budget' ? 'stopped at the budget' : 'interrupted';
}

/** The Markdown report. */
export function toSuiteMarkdown(r: SuiteReport): string {
  const s = r.summary;
  const lines: string[] = [];
  lines.push(`# Bakeoff suite: ${markdownCell(r.suite.description ?? r.suite.file)}`, '');
  lines.push(
    `${r.plan.tests} tests × ${r.plan.backends.length} backends × ${r.plan.trials} trial${r.plan.trials > 1 ? 's' : ''} = ${r.plan.cells} cells · seed ${r.plan.seed}` +
      `${r.plan.shard ? ` · shard ${r.plan.shard.index}/${r.plan.shard.count}` : ''}${r.plan.shardsMerged ? ` · merged shards ${r.plan.shardsMerged.join(', ')}` : ''} · ${outcomeText(r)} · started ${r.environment.startedAt}`,
    '',
  );
  lines.push('## Summary', '', ...mdTable(summaryTableHeader, summaryTableRows(s)), '');
  const vs = baselineTableRows(s);
  if (vs.length) lines.push(`## Versus the baseline (${markdownCell(s.baseline.id ?? '—')})`, '', ...mdTable(baselineTableHeader, vs, 1), '');
  for (const [title, groups] of [
    ['By context length', s.byLength],
    ['By task family', s.byFamily],
  ] as const) {
    if (!groups.length) continue;
    const header = ['Group', 'Tests', ...r.plan.backends.flatMap((b) => [`${b.label} accuracy`, `${b.label} pass rate`])];
    const rows = groups.map((g) => [
      g.label,
      String(g.tests),
      ...g.backends.flatMap((f) => [rateText(f.accuracy), rateText(f.passRate)]),
    ]);
    lines.push(`## ${title}`, '', ...mdTable(header, rows, 1), '');
  }
  if (r.claims.length) {
    lines.push('## Claims', '');
    lines.push(
      ...mdTable(
        ['Claim', 'Decentralized', 'Scope', 'Measured [95 % CI]', 'Verdict', 'Why'],
        r.claims.map((c) => [c.text, c.decentralized, c.scope, claimMeasuredText(c), c.verdict, c.note]),
        9,
      ),
      '',
    );
  }
  if (s.notRun.length) lines.push('## Not run', '', ...mdTable(['Assertion', 'Why', 'Count'], s.notRun.map((n) => [n.type, n.reason, String(n.count)]), 2), '');
  lines.push('## Notes', '', ...r.notes.map((n) => `- ${markdownCell(n)}`), '');
  const failures = r.cells.filter((c) => c.passed === false);
  if (failures.length) {
    const byId = new Map(r.tests.map((t) => [t.id, t]));
    lines.push(`## Failures (${failures.length})`, '');
    lines.push(
      ...mdTable(
        ['Test', 'Backend', 'Trial', 'Why'],
        failures.slice(0, 200).map((c) => [`${c.test} ${byId.get(c.test)?.description ?? ''}`.trim(), c.backend, String(c.trial), c.reason]),
        9,
      ),
    );
    if (failures.length > 200) lines.push('', `…and ${failures.length - 200} more (see the .jsonl or .csv output).`);
    lines.push('');
  }
  lines.push(
    `Bakeoff ${r.environment.bakeoffVersion} · Node ${r.environment.node} · ${r.environment.os} · report made ${r.environment.time}. Formulas: README → Suites → Statistics.`,
    '',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Terminal
// ---------------------------------------------------------------------------------------------

function textTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The report printed to a terminal. */
export function toSuiteText(r: SuiteReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`${r.suite.description ?? r.suite.file} — ${r.plan.tests} tests × ${r.plan.backends.length} backends × ${r.plan.trials} trials, seed ${r.plan.seed}, ${outcomeText(r)}`, '');
  out.push(textTable(summaryTableHeader, summaryTableRows(s)), '');
  const vs = baselineTableRows(s);
  if (vs.length) out.push(`Versus ${s.baseline.id}:`, textTable(baselineTableHeader, vs), '');
  if (s.byLength.length) {
    out.push(
      'Accuracy by context length:',
      textTable(
        ['Length', 'Tests', ...r.plan.backends.map((b) => b.label)],
        s.byLength.map((g) => [g.label, String(g.tests), ...g.backends.map((f) => rateText(f.accuracy))]),
      ),
      '',
    );
  }
  if (r.claims.length) {
    out.push(
      'Claims:',
      textTable(
        ['Claim', 'Backend', 'Scope', 'Measured [95 % CI]', 'Verdict'],
        r.claims.map((c) => [c.text, c.decentralized, c.scope, claimMeasuredText(c), c.verdict]),
      ),
      '',
    );
  }
  if (s.notRun.length) out.push('Not run:', ...s.notRun.map((n) => `  ${n.count} × ${n.type}: ${n.reason}`), '');
  out.push(...r.notes.map((n) => `· ${n}`));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// JSONL, CSV, JUnit
// ---------------------------------------------------------------------------------------------

/** The results JSONL: the header then one line per cell. */
export function toResultsJsonl(header: ResultsHeader, cells: readonly SuiteCell[]): string {
  return [JSON.stringify(header), ...cells.map((c) => JSON.stringify(c))].join('\n') + '\n';
}

/** A CSV field: quoted when needed; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvColumns = [
  'test',
  'description',
  'backend',
  'trial',
  'status',
  'delivered',
  'passed',
  'score',
  'ttftMs',
  'totalMs',
  'wallMs',
  'tokensPerSecond',
  'inputTokens',
  'outputTokens',
  'promptTokensReported',
  'costUsd',
  'costSource',
  'lengthLabel',
  'reason',
  'error',
] as const;

/** One row per cell. */
export function toCellsCsv(r: SuiteReport): string {
  const byId = new Map(r.tests.map((t) => [t.id, t]));
  const rows = r.cells.map((c) =>
    [
      c.test,
      byId.get(c.test)?.description ?? '',
      c.backend,
      c.trial,
      c.status,
      c.delivered,
      c.passed,
      c.score,
      c.ttftMs,
      c.totalMs,
      c.wallMs,
      c.tokensPerSecond,
      c.inputTokens,
      c.outputTokens,
      c.promptTokensReported,
      c.costUsd,
      c.costSource,
      c.lengthLabel,
      c.reason,
      c.error ? c.error.message : null,
    ]
      .map(csvField)
      .join(','),
  );
  return [csvColumns.join(','), ...rows].join('\r\n') + '\r\n';
}

/** Text safe in XML (characters XML 1.0 cannot hold are dropped). */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- tab, LF and CR are exactly the control characters XML 1.0 allows
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JUnit XML: one test suite per backend, one test case per cell, so CI systems list failed tests. */
export function toJunitXml(r: SuiteReport): string {
  const byId = new Map(r.tests.map((t) => [t.id, t]));
  const suites = r.plan.backends.map((b) => {
    const cells = r.cells.filter((c) => c.backend === b.id);
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    let seconds = 0;
    const cases = cells.map((c) => {
      const name = `${c.test} ${byId.get(c.test)?.description ?? ''}`.trim() + (r.plan.trials > 1 ? ` (trial ${c.trial})` : '');
      const time = ((c.wallMs ?? c.totalMs ?? 0) / 1000).toFixed(3);
      seconds += Number(time);
      let body = '';
      if (c.status === 'not_sent' || c.status === 'cancelled') {
        skipped++;
        body = `<skipped message="${xml(c.reason)}"/>`;
      } else if (!c.delivered) {
        errors++;
        body = `<error type="${xml(c.status)}" message="${xml(c.reason)}">${xml(c.error ? `${c.error.message}\nWhat to do: ${c.error.hint}` : c.reason)}</error>`;
      } else if (c.passed === false) {
        failures++;
        const details = c.assertions.filter((a) => a.pass === false).map((a) => `${a.type}: ${a.reason}`).join('\n');
        body = `<failure type="assertion" message="${xml(c.reason)}">${xml(details || c.reason)}</failure>`;
      } else if (c.passed === null) {
        skipped++;
        body = `<skipped message="${xml(c.reason)}"/>`;
      }
      return `    <testcase classname="bakeoff.${xml(b.id)}" name="${xml(name)}" time="${time}">${body}</testcase>`;
    });
    return [
      `  <testsuite name="${xml(b.label)}" tests="${cells.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const count = (f: (c: SuiteCell) => boolean) => r.cells.filter(f).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(`Bakeoff: ${r.suite.description ?? r.suite.file}`)}" tests="${r.cells.length}" failures="${count((c) => c.delivered && c.passed === false)}" errors="${count((c) => !c.delivered && c.status !== 'not_sent' && c.status !== 'cancelled')}" skipped="${count((c) => c.passed === null)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** The object `--json` prints: everything but the cells. */
export function toJsonSummary(r: SuiteReport): Omit<SuiteReport, 'cells' | 'tests'> {
  const { cells: _cells, tests: _tests, ...rest } = r;
  void _cells;
  void _tests;
  return rest;
}
