/**
 * Summary figures for the panel: per-column medians, percentiles across trials and ratios
 * against the baseline (first) column. Pure; no DOM.
 */
import { percentile } from '../core/stats';
import type { TrialSnapshot } from '../shared/protocol';

export { percentile };

/** Trials whose timings are meaningful: the stream ended normally or hit the token limit. */
export function isUsableTrial(trial: TrialSnapshot): boolean {
  return trial.final !== null && (trial.final.status === 'ok' || trial.final.status === 'truncated');
}

/**
 * Whether a column's answer actions apply: the trial ended and left some text (the partial text
 * of a cancelled, timed-out or truncated trial counts; a failed trial's empty answer does not).
 */
export function hasAnswer(trial: TrialSnapshot | undefined): boolean {
  return trial !== undefined && trial.final !== null && trial.text.trim() !== '';
}

/** What the summary shows for one column: medians over its usable trials. */
export interface ColumnFigures {
  backendId: string;
  ttftMs: number | null;
  totalMs: number | null;
  costUsd: number | null;
  /** Trials that ended (any status). */
  finishedTrials: number;
  /** Trials counted in the medians. */
  usableTrials: number;
}

const nonNull = (values: Array<number | null>): number[] => values.filter((v): v is number => v !== null);

/** Medians of TTFT, total time and cost over one backend's usable trials. */
export function columnFigures(backendId: string, trials: readonly TrialSnapshot[]): ColumnFigures {
  const own = trials.filter((t) => t.backendId === backendId);
  const usable = own.filter(isUsableTrial);
  const finals = usable.map((t) => t.final!);
  return {
    backendId,
    ttftMs: percentile(nonNull(finals.map((f) => f.metrics.ttftMs)), 50),
    totalMs: percentile(nonNull(finals.map((f) => f.metrics.totalMs)), 50),
    costUsd: percentile(nonNull(finals.map((f) => f.cost.costUsd)), 50),
    finishedTrials: own.filter((t) => t.final !== null).length,
    usableTrials: usable.length,
  };
}

/** p50 / p95 of TTFT and total time for one backend across its usable trials. */
export interface TrialStats {
  backendId: string;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  totalP50Ms: number | null;
  totalP95Ms: number | null;
  usableTrials: number;
}

export function trialStats(backendId: string, trials: readonly TrialSnapshot[]): TrialStats {
  const finals = trials.filter((t) => t.backendId === backendId && isUsableTrial(t)).map((t) => t.final!);
  const ttft = nonNull(finals.map((f) => f.metrics.ttftMs));
  const total = nonNull(finals.map((f) => f.metrics.totalMs));
  return {
    backendId,
    ttftP50Ms: percentile(ttft, 50),
    ttftP95Ms: percentile(ttft, 95),
    totalP50Ms: percentile(total, 50),
    totalP95Ms: percentile(total, 95),
    usableTrials: finals.length,
  };
}

/**
 * `value / baseline`, or null when either is unknown or the baseline is not positive (a ratio
 * against a free or instant baseline means nothing).
 */
export function ratio(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || !Number.isFinite(value) || !Number.isFinite(baseline)) return null;
  if (baseline <= 0) return null;
  return value / baseline;
}
