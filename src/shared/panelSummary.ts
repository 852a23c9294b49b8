/**
 * The panel's figures: the core summary (src/core/summary.ts) applied to the panel's state, so
 * the panel shows exactly what the CLI and the exports compute from the same trials.
 * No zod at runtime: the webview bundles this module.
 */
import { summarize, type Summary, type SummaryTrial } from '../core/summary';
import type { PanelState, TrialSnapshot } from './protocol';

/** A finished snapshot as the summary reads it; null while the trial runs. */
export function summaryTrialOf(snapshot: TrialSnapshot): SummaryTrial | null {
  const final = snapshot.final;
  if (!final) return null;
  return {
    backendId: snapshot.backendId,
    trial: snapshot.trial,
    status: final.status,
    text: snapshot.text,
    reasoning: snapshot.reasoning,
    error: final.error,
    metrics: final.metrics,
    cost: final.cost,
    retries: final.retries,
    retryWaitMs: final.retryWaitMs,
    wallMs: final.wallMs,
    tlsUnverified: final.tlsUnverified,
  };
}

/** The summary of what the panel shows now (ended trials only); null before any run. */
export function panelSummary(state: PanelState): Summary | null {
  const run = state.run;
  if (!run) return null;
  const trials: SummaryTrial[] = [];
  for (const snapshot of state.trials) {
    const trial = summaryTrialOf(snapshot);
    if (trial) trials.push(trial);
  }
  return summarize({
    backends: run.backends,
    trials,
    plannedTrials: run.trials,
    baselineId: state.baselineId,
    outcome: state.runStatus === 'cancelled' ? 'cancelled' : 'finished',
  });
}

/**
 * Whether a column's answer actions apply: the trial ended and left some text (the partial text
 * of a cancelled, timed-out or truncated trial counts; a failed trial's empty answer does not).
 */
export function hasAnswer(trial: TrialSnapshot | undefined): boolean {
  return trial !== undefined && trial.final !== null && trial.text.trim() !== '';
}
