/**
 * The progress line of `bakeoff run` on a terminal: cells done/total, failures, spend so far and
 * the time left, rewritten in place at most ten times a second. Silent when stderr is not a
 * terminal (piped or redirected), so logs stay clean.
 */
import { formatMs, formatUsd } from '../core/format';
import type { SuiteProgress } from '../core/suite/execute';
import type { CliIo } from './common';
import { rawStream, terminalText } from './terminalText';

export class ProgressLine {
  private last = 0;
  private shown = false;
  private pending: SuiteProgress | null = null;

  constructor(
    private readonly stderr: CliIo['stderr'],
    private readonly enabled: boolean = stderr.isTTY === true,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The line for a progress report. */
  static text(p: SuiteProgress): string {
    const eta = p.etaMs === null ? '' : ` · ETA ${formatMs(p.etaMs)}`;
    return `${p.done}/${p.total} cells · ${p.failed} failed · ${formatUsd(p.spentUsd)} spent${eta}`;
  }

  update(p: SuiteProgress): void {
    if (!this.enabled) return;
    this.pending = p;
    const t = this.now();
    if (t - this.last < 100 && p.done < p.total) return;
    this.last = t;
    this.draw();
  }

  private draw(): void {
    if (!this.pending) return;
    // Its own controls (back to the line start, erase the line) bypass the terminal filter.
    rawStream(this.stderr).write(`\r\x1b[2K${terminalText(ProgressLine.text(this.pending))}`);
    this.shown = true;
  }

  /** Draws the last state and ends the line. */
  finish(): void {
    if (!this.enabled) return;
    this.draw();
    if (this.shown) this.stderr.write('\n');
    this.shown = false;
  }
}

/**
 * Progress lines (one per finished trial of `bakeoff compare`) written in batches: at most one
 * write every `intervalMs`, where a run of thousands of trials made one write — on a pipe, one
 * system call — per trial. {@link flush} writes what is pending; call it before printing anything
 * else.
 */
export class BatchedLines {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private batching = true;

  constructor(
    private readonly out: CliIo['stderr'],
    private readonly intervalMs = 100,
  ) {}

  /** Queues `line` (with its own line end); written at once after {@link unbatch}. */
  push(line: string): void {
    if (!this.batching) {
      this.out.write(line);
      return;
    }
    this.pending.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Writes what is pending and every later line at once (after a cancel, a second one may exit at any moment). */
  unbatch(): void {
    this.flush();
    this.batching = false;
  }

  /** Writes every queued line now, in order. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }
}
