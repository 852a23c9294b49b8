/**
 * The one place where Bakeoff derives figures from trials: which trials count, percentiles,
 * completion rates with their intervals, cost per answer, the baseline and the ratios against it
 * with bootstrap intervals. The panel, the CLI table, `--json` and the Markdown export all read
 * {@link summarize}; none computes a figure of its own, so they cannot disagree.
 *
 * Pure: no Node built-ins, no DOM (the webview bundles this module).
 *
 * The rules (also in README → Metrics → "Which trials count"):
 * - A trial is *delivered* when it ended `ok` with some content (text or reasoning).
 * - A trial is *attempted* when its request was sent and the user did not cancel it: every
 *   state but `not_sent` and `cancelled`. A backend's completion rate is delivered / attempted,
 *   with a 95 % Wilson interval; not-sent and cancelled trials are counted, never as failures.
 * - Latency and speed figures (TTFT, total, wall time, tokens/s percentiles) and the median cost
 *   of an answer come from delivered trials only: a failed stream's timings measure the failure.
 * - Total excludes time spent waiting out 429s (it runs from the final attempt); wall time
 *   includes it.
 * - Cost per answer = known cost of every trial of the backend ÷ delivered answers; when some
 *   sent trial has an unknown cost the figure is a lower bound (`costPerAnswerIsLowerBound`).
 * - The baseline is the backend the user chose, when it delivered; otherwise the first backend
 *   (in column order) that delivered. Ratios are ratios of medians over delivered trials, with
 *   95 % percentile-bootstrap intervals (2,000 resamples) when both sides have ≥ 3 delivered
 *   trials. Against a $0 baseline, costs are compared as differences, not ratios.
 * - Speed rank: backends that delivered, ordered by median total time (1 = quickest; equal times
 *   share a rank). *Fastest* and *cheapest* are awarded once every planned trial has ended, to
 *   one backend among at least two that delivered: the lowest median total time, and the lowest
 *   median cost when every one of them has a known cost. A tie awards nobody.
 */
import type { BackendKind } from './config';
import { outcomeLabel, type OutcomeError } from './format';
import { bootstrapMedianRatio, namedSeed, percentile, ratio, wilsonInterval } from './stats';
import type { CostSource, RunOutcome, TerminalStatus, TokenSource } from './types';

/** What the summary needs of one trial. A `TrialResult` is one; the panel maps its snapshots to it. */
export interface SummaryTrial {
  backendId: string;
  trial: number;
  status: TerminalStatus;
  text: string;
  reasoning: string;
  error: OutcomeError | null;
  metrics: {
    ttftMs: number | null;
    totalMs: number | null;
    tokensPerSecond: number | null;
    tokenSource: TokenSource | null;
  };
  cost: { costUsd: number | null; costSource: CostSource };
  retries: number;
  retryWaitMs: number;
  wallMs: number | null;
  /** The backend's certificate was not verified for this trial. */
  tlsUnverified?: boolean;
}

/** A backend as the summary names it. */
export interface SummaryBackend {
  id: string;
  label: string;
  kind: BackendKind;
  model: string;
}

export interface SummaryInput {
  /** Backends in column order. Backends with no trial yet are summarised as pending. */
  backends: readonly SummaryBackend[];
  /** Ended trials (any order). */
  trials: readonly SummaryTrial[];
  /** Trials planned per backend (to count pending ones); default: the trials present. */
  plannedTrials?: number;
  /** The backend the user chose as baseline, if any. */
  baselineId?: string | null;
  /** `cancelled`: the run was stopped, cancelled trials hold partial figures. */
  outcome?: RunOutcome;
  /**
   * False skips the ratio figures against the baseline (and their bootstrap), for a caller that
   * derives its own comparisons (the suite summary resamples by test). Default true.
   */
  ratios?: boolean;
}

/** A ratio against the baseline. */
export interface RatioFigure {
  /** median(this backend) / median(baseline). */
  value: number;
  /** 95 % percentile-bootstrap interval; null with fewer than 3 delivered trials on a side. */
  ci95: [number, number] | null;
  /** Whether the interval includes 1.00× (no detectable difference). */
  ciCrossesOne: boolean;
  /** Trials behind this backend's median / the baseline's. */
  n: number;
  nBaseline: number;
}

/** How the baseline was chosen. */
export interface BaselineChoice {
  /** Null when no backend delivered. */
  id: string | null;
  /** `chosen`: the user's pick; `firstDelivered`: the first backend that delivered. */
  how: 'chosen' | 'firstDelivered' | 'none';
  /** One sentence for people, e.g. `Baseline: OpenAI (first backend that delivered).` */
  note: string;
}

/** One backend's figures. Times in ms, costs in US dollars. */
export interface BackendSummary {
  id: string;
  label: string;
  kind: BackendKind;
  model: string;
  /** Ended trials. */
  trials: number;
  /** Planned trials that have not ended. */
  pending: number;
  notSent: number;
  cancelled: number;
  /** Sent and not cancelled by the user. */
  attempted: number;
  /** Ended `ok` with content. */
  delivered: number;
  /** delivered / attempted with a 95 % Wilson interval; null when nothing was attempted. */
  completionRate: { value: number; ci95: [number, number] } | null;
  /** Count of trials per terminal state. */
  statuses: Partial<Record<TerminalStatus, number>>;
  /**
   * Null when the backend delivered; else what happened, e.g. `✗ HTTP 500`, `not sent: no key`
   * (the most common ending, the latest on ties), shown in place of its numbers.
   */
  failureLabel: string | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  /** Wall time including 429 waits, over delivered trials. */
  wallP50Ms: number | null;
  tokensPerSecondP50: number | null;
  /** Median cost of a delivered answer, over those with a known cost. */
  costP50Usd: number | null;
  /** Price sources of the delivered answers' costs; `mixed` when they differ, `unknown` when none. */
  costSource: CostSource | 'mixed';
  /** How the cost figure was obtained. */
  costBadge: 'reported' | 'estimated' | 'free' | 'unknown';
  /** Sum of the known costs of all trials. */
  spendUsd: number | null;
  /** Sent trials whose cost is unknown (their spend is not in `spendUsd`). */
  unpricedTrials: number;
  /** spendUsd / delivered; null without a delivered answer or without any known cost. */
  costPerAnswerUsd: number | null;
  /** True when some sent trial's cost is unknown, so the true cost per answer may be higher. */
  costPerAnswerIsLowerBound: boolean;
  tokenSource: TokenSource | 'mixed' | null;
  /** 429 retries over all trials, trials that needed any, and the time waited. */
  retries: number;
  retriedTrials: number;
  retryWaitMs: number;
  /** Some trial was cancelled mid-stream: figures of those trials are partial. */
  partial: boolean;
  /** Some trial ran without TLS certificate verification: every figure is marked *unverified TLS*. */
  tlsUnverified: boolean;
  /** The delivered trial whose total time is the median (the one a card opens on); else the last ended trial. */
  medianTrial: number | null;
  isBaseline: boolean;
  /** Ratios against the baseline (null for the baseline itself, or when either side is unknown). */
  ttftRatio: RatioFigure | null;
  latencyRatio: RatioFigure | null;
  costRatio: RatioFigure | null;
  /** Rank by median total time among the backends that delivered (1 = quickest); null when it delivered nothing. */
  speedRank: number | null;
  /** costP50Usd − baseline's, when both are known. */
  costDiffUsd: number | null;
  /** `ratio`, or `difference` when the baseline's cost is $0 (a ratio against zero means nothing). */
  costComparison: 'ratio' | 'difference' | null;
}

export interface Summary {
  baseline: BaselineChoice;
  backends: BackendSummary[];
  outcome: RunOutcome;
  /** The backend with the lowest median total time, once every trial ended (see the rules above); else null. */
  fastestId: string | null;
  /** The backend with the lowest median cost of an answer, when every delivering backend's cost is known; else null. */
  cheapestId: string | null;
}

/** Resamples of every bootstrap interval. */
export const bootstrapResamples = 2_000;

const finite = (values: ReadonlyArray<number | null | undefined>): number[] =>
  values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** Whether a trial delivered an answer: ended `ok` with content. */
export function isDelivered(trial: Pick<SummaryTrial, 'status' | 'text' | 'reasoning'>): boolean {
  // `\S` is exactly what `trim()` keeps, without copying the answer.
  return trial.status === 'ok' && (/\S/.test(trial.text) || /\S/.test(trial.reasoning));
}

/** Whether a trial counts in the completion rate: sent and not cancelled by the user. */
export function isAttempted(trial: Pick<SummaryTrial, 'status'>): boolean {
  return trial.status !== 'not_sent' && trial.status !== 'cancelled';
}

/** How a cost was obtained, as every view badges it. */
export function costBadgeOf(
  cost: { costUsd: number | null; costSource: CostSource },
  tokenSource: TokenSource | null,
): 'reported' | 'estimated' | 'free' | 'unknown' {
  if (cost.costUsd === null) return 'unknown';
  if (cost.costSource === 'free') return 'free';
  if (tokenSource !== 'reported' || cost.costSource === 'gpuHour') return 'estimated';
  return 'reported';
}

function ratioFigure(sample: number[], baseline: number[], seed: number): RatioFigure | null {
  const value = ratio(percentile(sample, 50), percentile(baseline, 50));
  if (value === null) return null;
  const ci = bootstrapMedianRatio(sample, baseline, bootstrapResamples, seed);
  const ci95: [number, number] | null = ci ? [ci.low, ci.high] : null;
  return { value, ci95, ciCrossesOne: ci95 !== null && ci95[0] <= 1 && ci95[1] >= 1, n: sample.length, nBaseline: baseline.length };
}

function chooseBaseline(
  backends: readonly SummaryBackend[],
  delivered: (id: string) => number,
  preferred: string | null | undefined,
): BaselineChoice {
  const first = backends.find((b) => delivered(b.id) > 0);
  const wanted = preferred ? backends.find((b) => b.id === preferred) : undefined;
  if (wanted && delivered(wanted.id) > 0) {
    return { id: wanted.id, how: 'chosen', note: `Baseline: ${wanted.label} (your choice).` };
  }
  if (!first) return { id: null, how: 'none', note: 'No backend delivered an answer, so there is no baseline for ratios.' };
  const why = wanted
    ? `${wanted.label}, your baseline, delivered no answer; the baseline is ${first.label}, the first backend that delivered.`
    : `Baseline: ${first.label} (the first backend that delivered).`;
  return { id: first.id, how: 'firstDelivered', note: why };
}

function mostCommonEnding(trials: readonly SummaryTrial[]): SummaryTrial | undefined {
  const counts = new Map<TerminalStatus, number>();
  for (const t of trials) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  let best: SummaryTrial | undefined;
  for (const t of trials) {
    if (!best || counts.get(t.status)! >= counts.get(best.status)!) best = t;
  }
  return best;
}

/** Summarises a comparison: one {@link BackendSummary} per backend, in column order. */
export function summarize(input: SummaryInput): Summary {
  const byBackend = new Map<string, SummaryTrial[]>();
  for (const b of input.backends) byBackend.set(b.id, []);
  for (const t of input.trials) byBackend.get(t.backendId)?.push(t);
  for (const list of byBackend.values()) list.sort((a, b) => a.trial - b.trial);
  const deliveredOf = (id: string) => (byBackend.get(id) ?? []).filter(isDelivered);
  const baseline = chooseBaseline(input.backends, (id) => deliveredOf(id).length, input.baselineId);
  const base = baseline.id ? deliveredOf(baseline.id) : [];
  const baseTtft = finite(base.map((t) => t.metrics.ttftMs));
  const baseTotal = finite(base.map((t) => t.metrics.totalMs));
  const baseCost = finite(base.map((t) => t.cost.costUsd));
  const baseCostP50 = percentile(baseCost, 50);

  const backends = input.backends.map((backend): BackendSummary => {
    const trials = byBackend.get(backend.id)!;
    const delivered = trials.filter(isDelivered);
    const attempted = trials.filter(isAttempted);
    const statuses: Partial<Record<TerminalStatus, number>> = {};
    for (const t of trials) statuses[t.status] = (statuses[t.status] ?? 0) + 1;

    const ttfts = finite(delivered.map((t) => t.metrics.ttftMs));
    const totals = finite(delivered.map((t) => t.metrics.totalMs));
    const costs = finite(delivered.map((t) => t.cost.costUsd));
    const costP50Usd = percentile(costs, 50);

    const pricedDelivered = delivered.filter((t) => t.cost.costUsd !== null);
    const costSources = new Set(pricedDelivered.map((t) => t.cost.costSource));
    const tokenSources = new Set(delivered.map((t) => t.metrics.tokenSource).filter((s): s is TokenSource => s !== null));
    const tokenSource = tokenSources.size === 0 ? null : tokenSources.size === 1 ? [...tokenSources][0]! : 'mixed';
    const badges = new Set(pricedDelivered.map((t) => costBadgeOf(t.cost, t.metrics.tokenSource)));
    const costBadge = costP50Usd === null ? 'unknown' : badges.has('estimated') ? 'estimated' : badges.has('reported') ? 'reported' : 'free';

    const sent = trials.filter((t) => t.status !== 'not_sent');
    const knownCosts = finite(sent.map((t) => t.cost.costUsd));
    const spendUsd = knownCosts.length ? knownCosts.reduce((a, b) => a + b, 0) : null;
    const unpricedTrials = sent.length - knownCosts.length;

    let medianTrial: number | null = trials.length ? trials[trials.length - 1]!.trial : null;
    if (delivered.length) {
      const byTotal = [...delivered].sort((a, b) => (a.metrics.totalMs ?? Infinity) - (b.metrics.totalMs ?? Infinity) || a.trial - b.trial);
      medianTrial = byTotal[Math.floor((byTotal.length - 1) / 2)]!.trial;
    }

    const isBaseline = baseline.id === backend.id;
    const compare = input.ratios !== false && !isBaseline && baseline.id !== null && delivered.length > 0;
    const seed = (measure: number) => namedSeed(backend.id, measure);
    const costComparison: BackendSummary['costComparison'] =
      costP50Usd === null || baseCostP50 === null ? null : baseCostP50 === 0 ? 'difference' : 'ratio';
    const ending = delivered.length ? undefined : mostCommonEnding(trials);

    return {
      id: backend.id,
      label: backend.label,
      kind: backend.kind,
      model: backend.model,
      trials: trials.length,
      pending: Math.max(0, (input.plannedTrials ?? trials.length) - trials.length),
      notSent: statuses.not_sent ?? 0,
      cancelled: statuses.cancelled ?? 0,
      attempted: attempted.length,
      delivered: delivered.length,
      completionRate: attempted.length
        ? { value: delivered.length / attempted.length, ci95: wilsonInterval(delivered.length, attempted.length)! }
        : null,
      statuses,
      failureLabel: ending ? outcomeLabel(ending.status, ending.error) : null,
      ttftP50Ms: percentile(ttfts, 50),
      ttftP95Ms: percentile(ttfts, 95),
      totalP50Ms: percentile(totals, 50),
      totalP95Ms: percentile(totals, 95),
      wallP50Ms: percentile(finite(delivered.map((t) => t.wallMs)), 50),
      tokensPerSecondP50: percentile(finite(delivered.map((t) => t.metrics.tokensPerSecond)), 50),
      costP50Usd,
      costSource: costSources.size === 0 ? 'unknown' : costSources.size === 1 ? [...costSources][0]! : 'mixed',
      costBadge,
      spendUsd,
      unpricedTrials,
      costPerAnswerUsd: spendUsd !== null && delivered.length ? spendUsd / delivered.length : null,
      costPerAnswerIsLowerBound: unpricedTrials > 0,
      tokenSource,
      retries: trials.reduce((n, t) => n + t.retries, 0),
      retriedTrials: trials.filter((t) => t.retries > 0).length,
      retryWaitMs: trials.reduce((n, t) => n + t.retryWaitMs, 0),
      partial: input.outcome === 'cancelled' && (statuses.cancelled ?? 0) > 0,
      tlsUnverified: trials.some((t) => t.tlsUnverified === true),
      medianTrial,
      isBaseline,
      ttftRatio: compare ? ratioFigure(ttfts, baseTtft, seed(0)) : null,
      latencyRatio: compare ? ratioFigure(totals, baseTotal, seed(1)) : null,
      costRatio: compare && costComparison === 'ratio' ? ratioFigure(costs, baseCost, seed(2)) : null,
      costDiffUsd: compare && costP50Usd !== null && baseCostP50 !== null ? costP50Usd - baseCostP50 : null,
      costComparison: isBaseline ? null : costComparison,
      speedRank: null,
    };
  });
  const racers = backends.filter((b) => b.delivered > 0 && b.totalP50Ms !== null);
  for (const b of racers) b.speedRank = 1 + racers.filter((o) => o.totalP50Ms! < b.totalP50Ms!).length;
  const allEnded = backends.every((b) => b.pending === 0);
  const delivering = backends.filter((b) => b.delivered > 0);
  const soleLowest = (values: Array<{ id: string; value: number | null }>): string | null => {
    if (values.length < 2 || values.some((v) => v.value === null)) return null;
    const low = Math.min(...values.map((v) => v.value!));
    const at = values.filter((v) => v.value === low);
    return at.length === 1 ? at[0]!.id : null;
  };
  const fastestId = allEnded ? soleLowest(delivering.map((b) => ({ id: b.id, value: b.totalP50Ms }))) : null;
  const cheapestId = allEnded ? soleLowest(delivering.map((b) => ({ id: b.id, value: b.costP50Usd }))) : null;
  return { baseline, backends, outcome: input.outcome ?? 'finished', fastestId, cheapestId };
}

/** The backends of a set of results, in order of first appearance. */
export function backendsOf(
  results: ReadonlyArray<{ backendId: string; backendLabel: string; kind: BackendKind; model: string }>,
): SummaryBackend[] {
  const seen = new Map<string, SummaryBackend>();
  for (const r of results) {
    if (!seen.has(r.backendId)) seen.set(r.backendId, { id: r.backendId, label: r.backendLabel, kind: r.kind, model: r.model });
  }
  return [...seen.values()];
}
