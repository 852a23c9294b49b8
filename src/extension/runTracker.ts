/**
 * The comparison that is running (one at a time) and the last one that finished, which is
 * what the panel shows and what Export Results… writes.
 */
import { randomUUID } from 'node:crypto';
import type { ComparisonResult } from '../core/types';

/** A running comparison: its id and how to stop it. */
export interface ActiveRun {
  runId: string;
  abort: AbortController;
}

/** The last finished comparison (for Export Results…) and the keys its run used (for redaction). */
export interface FinishedRun {
  result: ComparisonResult;
  keys: readonly string[];
  /** E.g. `Selection from cart.ts (12 lines)`. */
  title?: string;
  /** The compared file's name (`cart.ts`), for export file names. */
  sourceName?: string;
}

export class RunTracker {
  private active: ActiveRun | undefined;
  private finished: FinishedRun | undefined;

  /** `onRunningChange` hears when a run starts and when the current run ends. */
  constructor(private readonly onRunningChange: (running: boolean) => void) {}

  /** The running comparison, if any. */
  get current(): ActiveRun | undefined {
    return this.active;
  }

  /** The last comparison that finished, unless a newer one has started since. */
  get lastFinished(): FinishedRun | undefined {
    return this.finished;
  }

  /**
   * Starts tracking a new run, which becomes the current one. The previous one, if still
   * running, must have been aborted by the caller; its result will not be kept.
   */
  start(): ActiveRun {
    // The panel now shows the new run, so what Export Results… writes follows it.
    this.finished = undefined;
    const run: ActiveRun = { runId: randomUUID(), abort: new AbortController() };
    this.active = run;
    this.onRunningChange(true);
    return run;
  }

  /** Whether `run` is still the current run (not replaced by a newer one). */
  isCurrent(run: ActiveRun): boolean {
    return this.active === run;
  }

  /** Keeps the result of `run` for export, if it is still the current run. */
  keepResult(run: ActiveRun, finished: FinishedRun): void {
    if (this.isCurrent(run)) this.finished = finished;
  }

  /**
   * The panel now shows `finished`, a run read back from the history: Export Results… writes
   * it. Only while no comparison runs.
   */
  showPast(finished: FinishedRun): void {
    if (!this.active) this.finished = finished;
  }

  /** `run` is over (finished, failed or cancelled); nothing runs any more if it was current. */
  end(run: ActiveRun): void {
    if (!this.isCurrent(run)) return;
    this.active = undefined;
    this.onRunningChange(false);
  }

  /** Aborts the running comparison (on deactivation). */
  dispose(): void {
    this.active?.abort.abort();
    this.active = undefined;
  }
}
