/**
 * The one place where a suite run's figures are derived. Every report (.json, .md, .html, .csv,
 * JUnit, the CLI table, `--json`) and `bakeoff merge` read {@link summarizeSuite}; none computes a
 * figure of its own.
 *
 * Latency, speed, cost and completion come from `summarize` in ../summary.ts, with its rules
 * (delivered = ended `ok` with content; latency and speed over delivered cells; completion =
 * delivered / attempted; cost per answer = known spend / delivered). This module adds what a suite
 * has that one comparison has not — formulas in README → Suites → Statistics:
 * - passed = delivered and the test passed; pass rate = passed / graded cells (cells whose grade
 *   is known: every attempted cell except a delivered one whose test had an assertion not run),
 *   with a 95 % Wilson interval;
 * - accuracy = mean test score over graded cells (an undelivered answer scores 0), with a 95 %
 *   cluster-bootstrap interval resampling tests;
 * - p50/p95 intervals, and ratios against the baseline (ratio of medians over the tests both
 *   delivered on), by the same cluster bootstrap: tests are drawn with replacement and all
 *   trials of a drawn test — of both backends — come along;
 * - pass-rate and accuracy differences against the baseline with paired-bootstrap intervals over
 *   tests, McNemar's exact p over (test, trial) pairs, and the smallest pass-rate difference the
 *   run could detect at its number of tests;
 * - cost per passed test; breakdowns per `metadata.lengthLabel` and `metadata.family`.
 * Pure and deterministic: the same cells in any order give the same summary.
 */
import type { BackendKind } from '../config';
import { clusterBootstrap, clusterBootstrapMany, mcnemarExactP, minimalDetectableDifference, mixSeed, namedSeed, pairedBootstrapDifference, percentile, ratio, wilsonInterval } from '../stats';
import { isDelivered, summarize, type BaselineChoice, type BackendSummary, type SummaryTrial } from '../summary';
import type { CostSource, TerminalStatus, TokenSource } from '../types';
import { notRunAssertions } from './assertions';
import type { PlanBackend, SuiteCell, SuiteOutcome, TestInfo } from './types';

/** Resamples of every bootstrap interval. */
export const suiteBootstrapResamples = 2_000;
/** A rate or difference interval wider than this (in absolute terms, 0.20 = 20 points) is flagged wide. */
export const wideRateWidth = 0.2;
/** A ratio interval whose high / low exceeds this is flagged wide. */
export const wideRatioSpread = 1.5;

/** A proportion with its Wilson interval. */
export interface RateFigure {
  value: number;
  ci95: [number, number];
  /** Cells behind it. */
  n: number;
  wide: boolean;
}

/** A mean or percentile with its cluster-bootstrap interval (null with fewer than 3 tests). */
export interface EstimateFigure {
  value: number;
  ci95: [number, number] | null;
  wide: boolean;
}

/** Five-number summary plus p95 (linear-interpolation percentiles). */
export interface Quantiles {
  min: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  max: number;
  n: number;
}

function quantiles(groups: PerTest): Quantiles | null {
  const values = [...groups.values()].flat();
  if (values.length === 0) return null;
  const q = (p: number) => percentile(values, p)!;
  return { min: q(0), p25: q(25), p50: q(50), p75: q(75), p95: q(95), max: q(100), n: values.length };
}

/** A ratio against the baseline. */
export interface RatioCi {
  value: number;
  ci95: [number, number] | null;
  ciCrossesOne: boolean;
  wide: boolean;
  /** Tests with delivered answers on both sides. */
  nTests: number;
}

/** A paired difference against the baseline (this backend − baseline). */
export interface DiffFigure {
  value: number;
  ci95: [number, number] | null;
  wide: boolean;
  /** Tests graded on both sides. */
  nTests: number;
}

export interface VsBaseline {
  ttftRatio: RatioCi | null;
  latencyRatio: RatioCi | null;
  /** Ratio of median answer costs; null against a $0 baseline (see costDiffUsd). */
  costRatio: RatioCi | null;
  costDiffUsd: number | null;
  costComparison: 'ratio' | 'difference' | null;
  passRateDiff: (DiffFigure & { mcnemarP: number | null; onlyThisPassed: number; onlyBaselinePassed: number; nPairs: number }) | null;
  accuracyDiff: DiffFigure | null;
  /** Smallest pass-rate difference this run could detect (α = 0.05 two-sided, 80 % power). */
  minDetectableDiff: number | null;
}

export interface SuiteBackendSummary {
  id: string;
  label: string;
  kind: BackendKind;
  model: string;
  /** Planned cells (tests × trials). */
  cells: number;
  /** Planned cells with no result (in flight when the run stopped, or not yet run). */
  missing: number;
  attempted: number;
  notSent: number;
  cancelled: number;
  delivered: number;
  /** delivered / attempted (the summary's completion rate). */
  deliveredRate: RateFigure | null;
  /** Cells with a known grade. */
  graded: number;
  /** Delivered cells whose test could not be graded (some assertion not run). */
  notGraded: number;
  passed: number;
  failed: number;
  passRate: RateFigure | null;
  accuracy: EstimateFigure | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  ttftP50Ci95: [number, number] | null;
  ttftP95Ci95: [number, number] | null;
  totalP50Ci95: [number, number] | null;
  totalP95Ci95: [number, number] | null;
  tokensPerSecondP50: number | null;
  /** Quantiles of delivered cells' times, for distribution charts. */
  ttftQuantilesMs: Quantiles | null;
  totalQuantilesMs: Quantiles | null;
  costP50Usd: number | null;
  costSource: CostSource | 'mixed';
  costBadge: BackendSummary['costBadge'];
  tokenSource: TokenSource | 'mixed' | null;
  spendUsd: number | null;
  unpricedCells: number;
  costPerAnswerUsd: number | null;
  /** spendUsd / passed. */
  costPerPassUsd: number | null;
  /** Some sent cell's cost is unknown: the per-answer and per-pass costs are lower bounds. */
  costIsLowerBound: boolean;
  retries: number;
  retriedCells: number;
  statuses: Partial<Record<TerminalStatus, number>>;
  failureLabel: string | null;
  /** Mean of each named metric (assertion `metric`) over the cells that recorded it. */
  namedScores: Record<string, number>;
  isBaseline: boolean;
  vsBaseline: VsBaseline | null;
}

/** Figures of one group of tests (a context length, a task family). */
export interface GroupFigures {
  backend: string;
  cells: number;
  graded: number;
  passed: number;
  passRate: RateFigure | null;
  accuracy: EstimateFigure | null;
  /** Mean `prompt_tokens` the backend reported for these cells; null when it reported none. */
  promptTokensReportedMean: number | null;
  /** Accuracy difference against the baseline within the group. */
  accuracyDiff: DiffFigure | null;
}

export interface GroupBreakdown {
  /** The `metadata.lengthLabel` or `metadata.family` value. */
  label: string;
  tests: number;
  /** Median `metadata.targetTokens` of the group's tests, when given. */
  targetTokens: number | null;
  backends: GroupFigures[];
}

export interface SuiteSummary {
  baseline: BaselineChoice;
  outcome: SuiteOutcome;
  /** Tests covered by the cells. */
  tests: number;
  trials: number;
  seed: number;
  backends: SuiteBackendSummary[];
  byLength: GroupBreakdown[];
  byFamily: GroupBreakdown[];
  /** Assertions that could not run, by type and reason. */
  notRun: Array<{ type: string; reason: string; count: number }>;
}

export interface SuiteSummaryInput {
  backends: ReadonlyArray<Pick<PlanBackend, 'id' | 'label' | 'kind' | 'model'>>;
  tests: readonly TestInfo[];
  cells: readonly SuiteCell[];
  trials: number;
  seed: number;
  baselineId?: string | null;
  outcome?: SuiteOutcome;
}

/** The measures a bootstrap seed is taken for (see {@link figureSeed}). */
const seedMeasures = { accuracy: 1, percentiles: 2, passRate: 4, passRateDiff: 10, ratios: 11, accuracyDiff: 14 } as const;

/**
 * The bootstrap seed of one figure: the run's seed, the backend's id and the measure. The same
 * cells give the same interval wherever the figure is shown — the whole run, a length or family
 * breakdown, a claims table scoped to one length, a merge of shards — and whichever other backends
 * are in the summary.
 */
function figureSeed(runSeed: number, backendId: string, measure: number): number {
  return mixSeed(runSeed, namedSeed(backendId, measure));
}

/** The summary's view of a cell. */
function toTrial(cell: SuiteCell, trial: number): SummaryTrial {
  return {
    backendId: cell.backend,
    trial,
    status: cell.status,
    text: cell.text,
    reasoning: cell.reasoning,
    error: cell.error ? { type: cell.error.type as TerminalStatus, httpStatus: cell.error.httpStatus, timeoutPhase: cell.error.timeoutPhase, code: cell.error.code } : null,
    metrics: { ttftMs: cell.ttftMs, totalMs: cell.totalMs, tokensPerSecond: cell.tokensPerSecond, tokenSource: cell.tokenSource },
    cost: { costUsd: cell.costUsd, costSource: cell.costSource },
    retries: cell.retries,
    retryWaitMs: cell.retryWaitMs,
    wallMs: cell.wallMs,
  };
}

const rate = (k: number, n: number): RateFigure | null => {
  const ci = wilsonInterval(k, n);
  return ci ? { value: k / n, ci95: ci, n, wide: ci[1] - ci[0] > wideRateWidth } : null;
};

const isGraded = (c: SuiteCell) => c.passed !== null && c.status !== 'not_sent' && c.status !== 'cancelled';

/**
 * Pass rate of graded cells with its 95 % interval. With one graded cell per test the cells are
 * independent: Wilson interval. With several trials of a test they are not (a test that is hard
 * for a backend fails all its trials), and Wilson over cells would be too narrow: the interval then
 * resamples tests, each with all its trials (cluster bootstrap, as accuracy does) — Wilson still
 * when fewer than 3 tests were graded, as no bootstrap is possible then.
 */
function passRateOf(graded: readonly SuiteCell[], seed: number): RateFigure | null {
  const passed = graded.filter((c) => c.passed === true).length;
  const wilson = rate(passed, graded.length);
  if (!wilson) return null;
  const { sum: passes, count } = perTestTotals(graded, (c) => (c.passed === true ? 1 : 0));
  if (count.length === graded.length) return wilson;
  const ci95 = pooledRatioInterval(passes, count, seed);
  return ci95 ? { ...wilson, ci95, wide: ci95[1] - ci95[0] > wideRateWidth } : wilson;
}

/** Per test (in test order): the sum of `pick` over `cells` and how many cells gave a value. */
function perTestTotals(cells: readonly SuiteCell[], pick: (c: SuiteCell) => number | null): { sum: Float64Array; count: Float64Array } {
  const totals = new Map<number, { sum: number; n: number }>();
  for (const c of cells) {
    const v = pick(c);
    if (v === null) continue;
    const t = totals.get(c.testIndex) ?? { sum: 0, n: 0 };
    t.sum += v;
    t.n += 1;
    totals.set(c.testIndex, t);
  }
  const tests = [...totals.keys()].sort((a, b) => a - b);
  return { sum: Float64Array.from(tests, (t) => totals.get(t)!.sum), count: Float64Array.from(tests, (t) => totals.get(t)!.n) };
}

/**
 * Cluster-bootstrap interval of Σ numerators ÷ Σ denominators over tests (one entry per test):
 * the drawn tests bring their sums, so a test with more trials weighs more, as in the point value.
 */
function pooledRatioInterval(numerators: Float64Array, denominators: Float64Array, seed: number): [number, number] | null {
  const interval = clusterBootstrap(
    numerators.length,
    (draw) => {
      let num = 0;
      let den = 0;
      for (const d of draw) {
        num += numerators[d]!;
        den += denominators[d]!;
      }
      return den ? num / den : null;
    },
    suiteBootstrapResamples,
    seed,
  );
  return ci(interval);
}

/** Values per test index (delivered cells only), for the cluster bootstrap. */
type PerTest = Map<number, number[]>;

function perTest(cells: readonly SuiteCell[], pick: (c: SuiteCell) => number | null): PerTest {
  const out: PerTest = new Map();
  for (const c of cells) {
    if (!isDelivered(c)) continue;
    const v = pick(c);
    if (v === null || !Number.isFinite(v)) continue;
    let list = out.get(c.testIndex);
    if (!list) out.set(c.testIndex, (list = []));
    list.push(v);
  }
  return out;
}

/**
 * The values of some tests sorted once, each with the position of its test, so a bootstrap draw
 * is read without copying or sorting: a drawn test counts its values as many times as it was
 * drawn, and percentiles are found by walking the sorted values with those multiplicities.
 */
export class SortedByTest {
  readonly values: Float64Array;
  readonly owner: Int32Array;
  /** Values per test position. */
  readonly lengths: Int32Array;

  constructor(groups: PerTest, tests: readonly number[]) {
    const pairs: Array<[number, number]> = [];
    this.lengths = new Int32Array(tests.length);
    tests.forEach((t, k) => {
      for (const v of groups.get(t) ?? []) pairs.push([v, k]);
      this.lengths[k] = groups.get(t)?.length ?? 0;
    });
    pairs.sort((a, b) => a[0] - b[0]);
    this.values = Float64Array.from(pairs, (p) => p[0]);
    this.owner = Int32Array.from(pairs, (p) => p[1]);
  }

  /** Number of values in a draw whose per-position multiplicities are `counts`. */
  total(counts: Int32Array): number {
    let n = 0;
    for (let k = 0; k < counts.length; k++) n += counts[k]! * this.lengths[k]!;
    return n;
  }

  /**
   * Percentiles `ps` (ascending) of the multiset the counts describe — the same definition as
   * `percentile` (linear interpolation between closest ranks) — written to out[at + j].
   */
  percentiles(counts: Int32Array, total: number, ps: readonly number[], out: Float64Array, at: number): void {
    if (total === 0 || ps.length === 0) return;
    let j = 0;
    let rank = (ps[0]! / 100) * (total - 1);
    let lo = Math.floor(rank);
    // The value at order position `lo` once known; carried over when the next percentile shares it.
    let low: number | null = null;
    let lastLo = -1;
    let lastLow = NaN;
    let cum = 0;
    for (let i = 0; i < this.values.length && j < ps.length; i++) {
      const c = counts[this.owner[i]!]!;
      if (c === 0) continue;
      const v = this.values[i]!;
      cum += c; // positions cum − c … cum − 1 (0-based) hold v
      while (j < ps.length) {
        if (low === null) {
          if (cum <= lo) break;
          low = v;
        }
        if (rank === lo) out[at + j] = low;
        else {
          if (cum <= lo + 1) break;
          out[at + j] = low + (v - low) * (rank - lo);
        }
        lastLo = lo;
        lastLow = low;
        j++;
        if (j < ps.length) {
          rank = (ps[j]! / 100) * (total - 1);
          lo = Math.floor(rank);
          low = lo === lastLo ? lastLow : null;
        }
      }
    }
  }
}

/** Multiplicity of each test position in a draw. */
function drawCounts(draw: readonly number[], counts: Int32Array): Int32Array {
  counts.fill(0);
  for (const d of draw) counts[d]!++;
  return counts;
}

const ci = (i: { low: number; high: number } | null | undefined): [number, number] | null => (i ? [i.low, i.high] : null);

/** Cluster-bootstrap intervals of p50 and p95 of TTFT and total time (one set of draws). */
function percentileCis(ttft: PerTest, total: PerTest, seed: number): { ttftP50: [number, number] | null; ttftP95: [number, number] | null; totalP50: [number, number] | null; totalP95: [number, number] | null } {
  const tests = [...new Set([...ttft.keys(), ...total.keys()])].sort((a, b) => a - b);
  const a = new SortedByTest(ttft, tests);
  const b = new SortedByTest(total, tests);
  const counts = new Int32Array(tests.length);
  const ps = [50, 95];
  const intervals = clusterBootstrapMany(
    tests.length,
    4,
    (draw, out) => {
      drawCounts(draw, counts);
      const na = a.total(counts);
      const nb = b.total(counts);
      a.percentiles(counts, na, ps, out, 0);
      b.percentiles(counts, nb, ps, out, 2);
      return na > 0 || nb > 0;
    },
    suiteBootstrapResamples,
    seed,
  );
  return { ttftP50: ci(intervals?.[0]), ttftP95: ci(intervals?.[1]), totalP50: ci(intervals?.[2]), totalP95: ci(intervals?.[3]) };
}

/**
 * Ratios of medians this/baseline (TTFT, total time, cost) over the tests both delivered on — a
 * paired comparison: the same prompts on both sides — with cluster-bootstrap intervals over
 * those tests (one set of draws for the three).
 */
function ratioCis(mine: PerTest[], base: PerTest[], seed: number): Array<RatioCi | null> {
  const delivered = (g: PerTest[]) => new Set(g.flatMap((x) => [...x.keys()]));
  const baseTests = delivered(base);
  const tests = [...delivered(mine)].filter((t) => baseTests.has(t)).sort((a, b) => a - b);
  const mineSorted = mine.map((g) => new SortedByTest(g, tests));
  const baseSorted = base.map((g) => new SortedByTest(g, tests));
  const values = mine.map((_, k) => ratio(percentile([...mineSorted[k]!.values], 50), percentile([...baseSorted[k]!.values], 50)));
  const counts = new Int32Array(tests.length);
  const medians = new Float64Array(2);
  const intervals = clusterBootstrapMany(
    tests.length,
    mine.length,
    (draw, out) => {
      drawCounts(draw, counts);
      let any = false;
      for (let k = 0; k < mine.length; k++) {
        if (values[k] === null) continue;
        medians.fill(NaN);
        mineSorted[k]!.percentiles(counts, mineSorted[k]!.total(counts), [50], medians, 0);
        baseSorted[k]!.percentiles(counts, baseSorted[k]!.total(counts), [50], medians, 1);
        const r = ratio(Number.isNaN(medians[0]!) ? null : medians[0], Number.isNaN(medians[1]!) ? null : medians[1]);
        if (r !== null) {
          out[k] = r;
          any = true;
        }
      }
      return any;
    },
    suiteBootstrapResamples,
    seed,
  );
  return values.map((value, k) => {
    if (value === null) return null;
    const ci95 = ci(intervals?.[k]);
    return {
      value,
      ci95,
      ciCrossesOne: ci95 !== null && ci95[0] <= 1 && ci95[1] >= 1,
      wide: ci95 !== null && ci95[0] > 0 && ci95[1] / ci95[0] > wideRatioSpread,
      nTests: tests.length,
    };
  });
}

/** Mean graded score with a cluster-bootstrap interval over tests. */
function accuracyOf(cells: readonly SuiteCell[], seed: number): EstimateFigure | null {
  const { sum, count } = perTestTotals(cells, (c) => (isGraded(c) ? c.score : null));
  if (sum.length === 0) return null;
  let total = 0;
  let n = 0;
  for (let k = 0; k < sum.length; k++) {
    total += sum[k]!;
    n += count[k]!;
  }
  const ci95 = pooledRatioInterval(sum, count, seed);
  return { value: total / n, ci95, wide: ci95 !== null && ci95[1] - ci95[0] > wideRateWidth };
}

/** Per test: mean of `pick` over graded cells. */
function perTestMean(cells: readonly SuiteCell[], pick: (c: SuiteCell) => number | null): Map<number, number> {
  const acc = new Map<number, { sum: number; n: number }>();
  for (const c of cells) {
    if (!isGraded(c)) continue;
    const v = pick(c);
    if (v === null) continue;
    const s = acc.get(c.testIndex) ?? { sum: 0, n: 0 };
    s.sum += v;
    s.n += 1;
    acc.set(c.testIndex, s);
  }
  return new Map([...acc].map(([k, s]) => [k, s.sum / s.n]));
}

function pairedDiff(mine: Map<number, number>, base: Map<number, number>, seed: number): DiffFigure | null {
  const tests = [...mine.keys()].filter((t) => base.has(t)).sort((a, b) => a - b);
  if (tests.length === 0) return null;
  const d = pairedBootstrapDifference(
    tests.map((t) => [mine.get(t)!, base.get(t)!] as const),
    suiteBootstrapResamples,
    seed,
  );
  if (!d) return null;
  return { value: d.value, ci95: d.ci95, wide: d.ci95 !== null && d.ci95[1] - d.ci95[0] > wideRateWidth, nTests: d.n };
}

/** Orders cells canonically: test, backend column, trial. */
function canonical(cells: readonly SuiteCell[], backendOrder: Map<string, number>): SuiteCell[] {
  return [...cells].sort(
    (a, b) => a.testIndex - b.testIndex || (backendOrder.get(a.backend) ?? 0) - (backendOrder.get(b.backend) ?? 0) || a.trial - b.trial,
  );
}

/** A label's sort key: `metadata.targetTokens` when given, else the label read as a size (`32k` = 32000). */
function sizeOf(label: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(label);
  if (!m) return null;
  return Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1000 : m[2]!.toLowerCase() === 'm' ? 1_000_000 : 1);
}

function breakdown(
  key: 'lengthLabel' | 'family',
  tests: readonly TestInfo[],
  cells: readonly SuiteCell[],
  backends: SuiteSummaryInput['backends'],
  baselineId: string | null,
  seed: number,
): GroupBreakdown[] {
  const groupOf = new Map<number, string>();
  for (const t of tests) {
    const v = t.metadata[key];
    if (typeof v === 'string' && v.trim() !== '') groupOf.set(t.index, v);
    else if (typeof v === 'number') groupOf.set(t.index, String(v));
  }
  if (groupOf.size === 0) return [];
  const labels = [...new Set(groupOf.values())];
  const targetOf = (label: string): number | null => {
    const targets = tests.filter((t) => groupOf.get(t.index) === label).map((t) => t.metadata.targetTokens).filter((v): v is number => typeof v === 'number');
    return percentile(targets, 50);
  };
  const order = labels.map((label) => ({ label, target: targetOf(label), size: key === 'lengthLabel' ? sizeOf(label) : null }));
  order.sort((a, b) => (a.target ?? a.size ?? Infinity) - (b.target ?? b.size ?? Infinity) || a.label.localeCompare(b.label));
  return order.map(({ label, target }) => {
    const inGroup = cells.filter((c) => groupOf.get(c.testIndex) === label);
    const baseCells = baselineId ? inGroup.filter((c) => c.backend === baselineId) : [];
    const baseScores = perTestMean(baseCells, (c) => c.score);
    return {
      label,
      tests: tests.filter((t) => groupOf.get(t.index) === label).length,
      targetTokens: target,
      backends: backends.map((b) => {
        const mine = inGroup.filter((c) => c.backend === b.id);
        const graded = mine.filter(isGraded);
        const passed = graded.filter((c) => c.passed === true).length;
        const reported = mine.map((c) => c.promptTokensReported).filter((v): v is number => typeof v === 'number');
        return {
          backend: b.id,
          cells: mine.length,
          graded: graded.length,
          passed,
          passRate: passRateOf(graded, figureSeed(seed, b.id, seedMeasures.passRate)),
          accuracy: accuracyOf(mine, figureSeed(seed, b.id, seedMeasures.accuracy)),
          promptTokensReportedMean: reported.length ? reported.reduce((s, v) => s + v, 0) / reported.length : null,
          accuracyDiff:
            baselineId && b.id !== baselineId
              ? pairedDiff(perTestMean(mine, (c) => c.score), baseScores, figureSeed(seed, b.id, seedMeasures.accuracyDiff))
              : null,
        };
      }),
    };
  });
}

/** Summarises a suite run (or merged shards) from its cells. */
export function summarizeSuite(input: SuiteSummaryInput): SuiteSummary {
  const backendOrder = new Map(input.backends.map((b, i) => [b.id, i]));
  const cells = canonical(
    input.cells.filter((c) => backendOrder.has(c.backend)),
    backendOrder,
  );
  const byBackend = new Map<string, SuiteCell[]>(input.backends.map((b) => [b.id, []]));
  for (const c of cells) byBackend.get(c.backend)!.push(c);
  const trials: SummaryTrial[] = [];
  for (const [, list] of byBackend) list.forEach((c, i) => trials.push(toTrial(c, i + 1)));
  const core = summarize({
    backends: input.backends.map((b) => ({ id: b.id, label: b.label, kind: b.kind, model: b.model })),
    trials,
    baselineId: input.baselineId ?? null,
    outcome: input.outcome === 'interrupted' ? 'cancelled' : 'finished',
    // Comparisons are resampled by test below, not trial by trial.
    ratios: false,
  });
  const baselineId = core.baseline.id;
  const planned = input.tests.length * input.trials;
  const baseCells = baselineId ? byBackend.get(baselineId)! : [];
  const baseTtft = perTest(baseCells, (c) => c.ttftMs);
  const baseTotal = perTest(baseCells, (c) => c.totalMs);
  const baseCost = perTest(baseCells, (c) => c.costUsd);
  const basePass = perTestMean(baseCells, (c) => (c.passed ? 1 : 0));
  const baseScore = perTestMean(baseCells, (c) => c.score);

  const backends = input.backends.map((b, bi): SuiteBackendSummary => {
    const s = core.backends[bi]!;
    const mine = byBackend.get(b.id)!;
    const graded = mine.filter(isGraded);
    const passed = graded.filter((c) => c.passed === true).length;
    const notGraded = mine.filter((c) => c.passed === null && c.status !== 'not_sent' && c.status !== 'cancelled').length;
    const seed = (k: number) => figureSeed(input.seed, b.id, k);
    const ttft = perTest(mine, (c) => c.ttftMs);
    const total = perTest(mine, (c) => c.totalMs);
    const percentiles = percentileCis(ttft, total, seed(seedMeasures.percentiles));
    const named = new Map<string, { sum: number; n: number }>();
    for (const c of mine) {
      for (const [k, v] of Object.entries(c.namedScores ?? {})) {
        const m = named.get(k) ?? { sum: 0, n: 0 };
        m.sum += v;
        m.n += 1;
        named.set(k, m);
      }
    }
    const isBaseline = baselineId === b.id;
    let vsBaseline: VsBaseline | null = null;
    if (!isBaseline && baselineId !== null) {
      const myPass = perTestMean(mine, (c) => (c.passed ? 1 : 0));
      const diff = pairedDiff(myPass, basePass, seed(seedMeasures.passRateDiff));
      // McNemar over (test, trial) pairs graded on both sides.
      const baseByKey = new Map(baseCells.filter(isGraded).map((c) => [`${c.testIndex}:${c.trial}`, c.passed === true]));
      let onlyThis = 0;
      let onlyBase = 0;
      let pairs = 0;
      for (const c of graded) {
        const other = baseByKey.get(`${c.testIndex}:${c.trial}`);
        if (other === undefined) continue;
        pairs++;
        const mineOk = c.passed === true;
        if (mineOk && !other) onlyThis++;
        if (!mineOk && other) onlyBase++;
      }
      const pooledPasses = passed + baseCells.filter((c) => isGraded(c) && c.passed === true).length;
      const pooledGraded = graded.length + baseCells.filter(isGraded).length;
      const costComparison = s.costComparison;
      const [ttftRatio, latencyRatio, costRatio] = s.delivered
        ? ratioCis([ttft, total, perTest(mine, (c) => c.costUsd)], [baseTtft, baseTotal, baseCost], seed(seedMeasures.ratios))
        : [null, null, null];
      const baseSummary = core.backends.find((x) => x.id === baselineId)!;
      vsBaseline = {
        ttftRatio: ttftRatio ?? null,
        latencyRatio: latencyRatio ?? null,
        costRatio: costComparison === 'ratio' ? (costRatio ?? null) : null,
        costDiffUsd: s.costP50Usd !== null && baseSummary.costP50Usd !== null ? s.costP50Usd - baseSummary.costP50Usd : null,
        costComparison,
        passRateDiff: diff ? { ...diff, mcnemarP: pairs ? mcnemarExactP(onlyThis, onlyBase) : null, onlyThisPassed: onlyThis, onlyBaselinePassed: onlyBase, nPairs: pairs } : null,
        accuracyDiff: pairedDiff(perTestMean(mine, (c) => c.score), baseScore, seed(seedMeasures.accuracyDiff)),
        minDetectableDiff: diff ? minimalDetectableDifference(diff.nTests, (pooledPasses + 1) / (pooledGraded + 2)) : null,
      };
    }
    const spend = s.spendUsd;
    return {
      id: b.id,
      label: b.label,
      kind: b.kind,
      model: b.model,
      cells: planned,
      missing: Math.max(0, planned - mine.length),
      attempted: s.attempted,
      notSent: s.notSent,
      cancelled: s.cancelled,
      delivered: s.delivered,
      deliveredRate: s.completionRate ? { ...s.completionRate, n: s.attempted, wide: s.completionRate.ci95[1] - s.completionRate.ci95[0] > wideRateWidth } : null,
      graded: graded.length,
      notGraded,
      passed,
      failed: graded.length - passed,
      passRate: passRateOf(graded, seed(seedMeasures.passRate)),
      accuracy: accuracyOf(mine, seed(seedMeasures.accuracy)),
      ttftP50Ms: s.ttftP50Ms,
      ttftP95Ms: s.ttftP95Ms,
      totalP50Ms: s.totalP50Ms,
      totalP95Ms: s.totalP95Ms,
      ttftP50Ci95: percentiles.ttftP50,
      ttftP95Ci95: percentiles.ttftP95,
      totalP50Ci95: percentiles.totalP50,
      totalP95Ci95: percentiles.totalP95,
      tokensPerSecondP50: s.tokensPerSecondP50,
      ttftQuantilesMs: quantiles(ttft),
      totalQuantilesMs: quantiles(total),
      costP50Usd: s.costP50Usd,
      costSource: s.costSource,
      costBadge: s.costBadge,
      tokenSource: s.tokenSource,
      spendUsd: spend,
      unpricedCells: s.unpricedTrials,
      costPerAnswerUsd: s.costPerAnswerUsd,
      costPerPassUsd: spend !== null && passed > 0 ? spend / passed : null,
      costIsLowerBound: s.costPerAnswerIsLowerBound,
      retries: s.retries,
      retriedCells: s.retriedTrials,
      statuses: s.statuses,
      failureLabel: s.failureLabel,
      namedScores: Object.fromEntries([...named].map(([k, m]) => [k, m.sum / m.n])),
      isBaseline,
      vsBaseline,
    };
  });

  const notRunCounts = new Map<string, { type: string; reason: string; count: number }>();
  for (const c of cells) {
    for (const a of notRunAssertions(c.assertions ?? [])) {
      const key = `${a.type}\u0000${a.notRun}`;
      const entry = notRunCounts.get(key) ?? { type: a.type, reason: a.notRun!, count: 0 };
      entry.count++;
      notRunCounts.set(key, entry);
    }
  }

  return {
    baseline: core.baseline,
    outcome: input.outcome ?? 'finished',
    tests: input.tests.length,
    trials: input.trials,
    seed: input.seed,
    backends,
    byLength: breakdown('lengthLabel', input.tests, cells, input.backends, baselineId, input.seed),
    byFamily: breakdown('family', input.tests, cells, input.backends, baselineId, input.seed),
    notRun: [...notRunCounts.values()].sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
  };
}
