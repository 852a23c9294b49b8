/**
 * Coalesces streamed deltas so the webview receives at most one message about every
 * `intervalMs` (default 34 ms: at most 30 messages in any second) however fast tokens arrive. Pure: no
 * `vscode` import, clock and timer are injectable for tests.
 */
import { trialKey } from '../shared/panelReducer';

/** Text appended to one (backend, trial) since the previous flush. */
export interface BatchedDelta {
  backendId: string;
  trial: number;
  content: string;
  reasoning: string;
}

/** The clock and timer the batcher uses; defaults to `performance.now` and global timers. */
export interface BatcherTimers {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DeltaBatcherOptions {
  /** Minimum time between two flushes, ms. */
  intervalMs?: number;
  timers?: BatcherTimers;
}

/** Default spacing between two flushes, ms: 30 of them never fit in one second (29 × 34 ms = 986 ms, 30 × 34 ms > 1 s). */
export const defaultBatchIntervalMs = 34;

const systemTimers: BatcherTimers = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Appends deltas per (backend, trial) and hands them to `onFlush` in batches. The first delta
 * after a quiet period is flushed at once (so the first token shows without delay); later ones
 * wait for the next slot. Concatenating everything flushed gives back exactly what was appended.
 */
export class DeltaBatcher {
  private readonly intervalMs: number;
  private readonly timers: BatcherTimers;
  private readonly pending = new Map<string, BatchedDelta>();
  private timer: unknown = undefined;
  private lastFlushMs = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(
    private readonly onFlush: (deltas: BatchedDelta[]) => void,
    options: DeltaBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? defaultBatchIntervalMs;
    this.timers = options.timers ?? systemTimers;
  }

  /** Number of (backend, trial) pairs with unsent text. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Queues text for one (backend, trial). Empty deltas are ignored. */
  append(backendId: string, trial: number, content: string, reasoning = ''): void {
    if (this.disposed || (content === '' && reasoning === '')) return;
    const key = trialKey(backendId, trial);
    const entry = this.pending.get(key);
    if (entry) {
      entry.content += content;
      entry.reasoning += reasoning;
    } else {
      this.pending.set(key, { backendId, trial, content, reasoning });
    }
    this.schedule();
  }

  /** Sends everything pending now (call before announcing that a trial finished). */
  flushAll(): void {
    this.cancelTimer();
    if (this.pending.size === 0) return;
    const deltas = [...this.pending.values()];
    this.pending.clear();
    this.lastFlushMs = this.timers.now();
    this.onFlush(deltas);
  }

  /**
   * Sends the pending text of one (backend, trial) now, leaving the others to their slot (call
   * before announcing that trial's first token: other columns keep their message rate).
   */
  flush(backendId: string, trial: number): void {
    const key = trialKey(backendId, trial);
    const entry = this.pending.get(key);
    if (!entry) return;
    this.pending.delete(key);
    if (this.pending.size === 0) this.cancelTimer();
    this.onFlush([entry]);
  }

  /** Drops pending text without sending it (a new run replaces the old one). */
  discard(): void {
    this.cancelTimer();
    this.pending.clear();
  }

  /** Drops pending text and stops the timer; later appends are ignored. */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const waitMs = this.lastFlushMs + this.intervalMs - this.timers.now();
    if (waitMs <= 0) {
      this.flushAll();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flushAll();
    }, waitMs);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
