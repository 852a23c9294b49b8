/**
 * The run history in the editor: where the file lives (the extension's global storage), the
 * recorder every comparison writes through as it goes, and the change event the History view
 * listens to. The store itself (format, redaction, size cap) is `src/core/history.ts`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  HistoryStore,
  historyFileName,
  historyMaxBytes,
  historyRunEndRecord,
  historyRunRecord,
  historySuiteCellRecord,
  historySuiteEndRecord,
  historySuiteStartRecord,
  historyTrialRecord,
  type BattleRecord,
  type SuiteEndRecord,
  type SuiteStartRecord,
  type HistoryContents,
  type RunEndRecord,
  type RunRecord,
} from '../core/history';
import type { SuiteCell } from '../core/suite/types';
import type { SentRequest, TrialResult } from '../core/types';
import { settingKeys, settingsSection } from './settings';

/** Longest wait before finished trials (or suite cells) are written to the history, ms. */
const batchDelayMs = 500;

/** Writes one run into the history as it goes. Never throws: a failed write is logged. */
export interface RunRecorder {
  trial(result: TrialResult): void;
  end(outcome: RunEndRecord['outcome'], errorMessage: string | null): void;
}

/** Writes one suite run into the history as it goes. Never throws: a failed write is logged. */
export interface SuiteRecorder {
  cell(cell: SuiteCell, request: SentRequest | null): void;
  end(outcome: SuiteEndRecord['outcome'], notes: readonly string[], errorMessage: string | null): void;
}

export class RunHistory implements vscode.Disposable {
  private storeInstance: HistoryStore | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after a run starts or ends, a vote, a delete or a clear. */
  readonly onDidChange = this.changed.event;
  private readonly running = new Set<string>();
  private warnedWrite = false;
  private shownUnreadable = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: () => vscode.LogOutputChannel,
    /** Every key known this session, scrubbed from what is written along with the run's own. */
    private readonly knownKeys: () => readonly string[],
  ) {}

  /** The store, opened on first use (nothing is read at activation). */
  get store(): HistoryStore {
    this.storeInstance ??= new HistoryStore(path.join(this.context.globalStorageUri.fsPath, historyFileName), {
      maxBytes: () => historyMaxBytes(vscode.workspace.getConfiguration(settingsSection).get<number>(settingKeys.historyMaxSizeMB)),
      onWarning: (message) => this.log().warn(message),
    });
    return this.storeInstance;
  }

  /** Whether the run is still being written by this window. */
  isRunning(runId: string): boolean {
    return this.running.has(runId);
  }

  /**
   * Writes the `run` line now and returns the recorder of its trials and end. `keys` are
   * scrubbed from everything written (with every key known to the session).
   */
  startRun(fields: Omit<RunRecord, 'type' | 'v' | 'startedAt'> & { startedAt?: string }, runKeys: readonly (string | undefined)[]): RunRecorder {
    const { runId } = fields;
    const keys = [...runKeys, ...this.knownKeys()];
    this.running.add(runId);
    this.write([historyRunRecord({ ...fields, startedAt: fields.startedAt ?? new Date().toISOString() }, keys)], true);
    let ended = false;
    const trials = this.batch<TrialResult>((results) => this.write(results.map((r) => historyTrialRecord(runId, r, keys)), false));
    return {
      trial: (result) => {
        if (!ended) trials.add(result);
      },
      end: (outcome, errorMessage) => {
        if (ended) return;
        ended = true;
        trials.flush();
        this.write([historyRunEndRecord(runId, outcome, errorMessage)], true, () => this.running.delete(runId));
      },
    };
  }

  /** Writes the `suiteStart` line now and returns the recorder of the suite's cells and end. */
  startSuite(fields: Omit<SuiteStartRecord, 'type' | 'v'>, runKeys: readonly (string | undefined)[]): SuiteRecorder {
    const { runId } = fields;
    const keys = [...runKeys, ...this.knownKeys()];
    this.running.add(runId);
    this.write([historySuiteStartRecord(fields, keys)], true);
    let ended = false;
    const cells = this.batch<Parameters<SuiteRecorder['cell']>>((batch) => this.write(batch.map(([cell, request]) => historySuiteCellRecord(runId, cell, request, keys)), false));
    return {
      cell: (cell, request) => {
        if (!ended) cells.add([cell, request]);
      },
      end: (outcome, notes, errorMessage) => {
        if (ended) return;
        ended = true;
        cells.flush();
        this.write([historySuiteEndRecord(runId, outcome, notes, errorMessage)], true, () => this.running.delete(runId));
      },
    };
  }

  /** Stores a vote. */
  async addBattle(record: BattleRecord): Promise<void> {
    await this.store.append(record);
    this.changed.fire();
  }

  /** Everything stored; tells the user once per new batch of unreadable lines. */
  async read(): Promise<HistoryContents> {
    const contents = await this.store.read();
    if (contents.warnings.length > this.shownUnreadable) {
      this.shownUnreadable = contents.warnings.length;
      const n = contents.warnings.length;
      void vscode.window
        .showWarningMessage(`Bakeoff: ${n} line${n === 1 ? '' : 's'} of the run history could not be read and ${n === 1 ? 'was' : 'were'} skipped; everything else is shown.`, 'Open Logs')
        .then((choice) => {
          if (choice) this.log().show(true);
        });
    }
    return contents;
  }

  async deleteRuns(runIds: readonly string[]): Promise<void> {
    await this.store.deleteRuns(runIds);
    this.changed.fire();
  }

  async deleteVotes(): Promise<void> {
    await this.store.deleteBattles();
    this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.store.clear();
    this.shownUnreadable = 0;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  /**
   * Lines of a run written together, at most {@link batchDelayMs} after the first of them: the
   * scrubbing and file writes stay off the moment a trial ends (when the next request of that
   * backend is on the wire), and a run killed mid-way loses at most that much of what finished.
   */
  private batch<T>(writeAll: (items: T[]) => void): { add(item: T): void; flush(): void } {
    let pending: T[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!pending.length) return;
      const items = pending;
      pending = [];
      writeAll(items);
    };
    return {
      add: (item) => {
        pending.push(item);
        timer ??= setTimeout(flush, batchDelayMs);
      },
      flush,
    };
  }

  private write(records: Parameters<HistoryStore['append']>, notify: boolean, then?: () => void): void {
    this.store.append(...records).then(
      () => {
        then?.();
        if (notify) this.changed.fire();
      },
      (err: unknown) => {
        then?.();
        const message = err instanceof Error ? err.message : String(err);
        this.log().error(`Could not write the run history: ${message}`);
        if (!this.warnedWrite) {
          this.warnedWrite = true;
          void vscode.window.showWarningMessage(`Bakeoff: the run history could not be written (${message}). Comparisons still work.`);
        }
      },
    );
  }
}
