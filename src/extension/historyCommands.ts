/**
 * What the History view and its commands do with a stored run: open it in the comparison panel
 * read-only (nothing is sent), re-run it, show two runs of the same prompt side by side,
 * export, delete, clear, and Show Last Results.
 */
import * as vscode from 'vscode';
import { combineRuns, runPromptText, samePrompt, storedRunResult, type HistoryContents, type StoredRun, type StoredSuite } from '../core/history';
import { isDelivered } from '../core/summary';
import { toTrialSnapshot, type PanelState } from '../shared/protocol';
import { commandIds } from './commands';
import type { CompareCommands } from './compare';
import type { PreparedRun } from './comparisonRun';
import type { SuiteCommands } from './suites';
import { exportResults } from './export';
import { ComparePanel, toRunView } from './panel';
import type { HostServices } from './services';

/** What the history commands accept as their run: a History view item, or a run id. */
export interface RunRef {
  runId: string;
}

export function isRunRef(value: unknown): value is RunRef {
  return typeof value === 'object' && value !== null && typeof (value as RunRef).runId === 'string';
}

/** `12 Mar 14:02` (with the year when it is not this year). */
export function shortDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return date.toLocaleString(undefined, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }), hour: '2-digit', minute: '2-digit' });
}

/**
 * Whether a blind run still hides who answered: it is running, or both sides answered and
 * nobody has voted yet. (A blind run with a failed side has nothing to vote on.)
 */
export function isSealed(run: StoredRun, contents: Pick<HistoryContents, 'battles'>, running = false): boolean {
  if (run.record.mode !== 'blind' || contents.battles.some((b) => b.runId === run.record.runId)) return false;
  if (running) return true;
  return run.outcome === 'finished' && run.record.backends.every((b) => run.results.some((r) => r.backendId === b.id && isDelivered(r)));
}

/**
 * Short names telling two runs apart in column labels: the time when both ran the same day
 * (with seconds when in the same minute), else the date.
 */
export function runTags(first: string, second: string): [string, string] {
  const a = new Date(first);
  const b = new Date(second);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return [first, second];
  if (a.toDateString() !== b.toDateString()) return [shortDate(first), shortDate(second)];
  const sameMinute = Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);
  const time = (d: Date) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(sameMinute ? { second: '2-digit' } : {}) });
  return [time(a), time(b)];
}

const statusOfOutcome: Record<StoredRun['outcome'], PanelState['runStatus']> = {
  finished: 'finished',
  cancelled: 'cancelled',
  failed: 'failed',
  interrupted: 'interrupted',
};

/** The comparison panel's state for a stored run: everything ended, nothing streaming. */
export function pastRunState(run: StoredRun, baselineId: string | null): PanelState {
  const { record } = run;
  const view = toRunView({
    runId: record.runId,
    title: record.title,
    promptPreview: runPromptText(record).slice(0, 300),
    backends: record.backends,
    trials: record.trials,
    perBackendConcurrency: record.perBackendConcurrency,
    baselineId,
  });
  const errorMessage =
    run.outcome === 'interrupted'
      ? 'This run stopped before it ended (the editor was closed or its extension host stopped); the trials that finished are shown.'
      : run.outcome === 'failed'
        ? (run.errorMessage ?? 'The run failed.')
        : null;
  return {
    version: 1,
    run: view,
    runStatus: statusOfOutcome[run.outcome],
    errorMessage,
    trials: run.results.map(toTrialSnapshot),
    target: null,
    baselineId: baselineId && view.backends.some((b) => b.id === baselineId) ? baselineId : null,
    fromHistory: record.startedAt,
  };
}

/** What Re-run sends for a stored run: the same messages, parameters and trials, to the same backends. */
export function replayOf(run: StoredRun): PreparedRun {
  const { record } = run;
  return {
    title: record.title,
    userPrompt: runPromptText(record),
    replay: { messages: record.request.messages, params: record.request.params, trials: record.trials, backendIds: record.backends.map((b) => b.id) },
  };
}

export class HistoryCommands {
  constructor(
    private readonly services: HostServices,
    private readonly compare: CompareCommands,
    /** What Re-run repeats for a demo run shown from the history (the stand-ins restart). */
    private readonly demoRun: () => Promise<PreparedRun>,
    /** The suite commands (loaded on first use), for suite runs of the history. */
    private readonly suites: () => Promise<SuiteCommands>,
  ) {}

  /** Opens a stored run in the comparison panel, read-only: nothing is sent. */
  async open(arg?: unknown): Promise<void> {
    const found = await this.runFrom(arg, 'Open which run? (nothing is sent)');
    if (!found) return;
    if ('suite' in found) return (await this.suites()).openStored(found.suite.record.runId);
    const { run, contents } = found;
    if (this.sealed(run, contents)) {
      await vscode.commands.executeCommand(commandIds.voteOnBlindRun, { runId: run.record.runId });
      return;
    }
    this.show(pastRunState(run, this.services.settings.rememberedBaseline()), run, replayOf(run));
  }

  /** Sends a stored run's prompt again to the same backends (those still configured). */
  async rerun(arg?: unknown): Promise<void> {
    const found = await this.runFrom(arg, 'Re-run which run?');
    if (!found) return;
    if ('suite' in found) {
      const uri = found.suite.record.suiteUri;
      if (!uri) {
        void vscode.window.showWarningMessage('Bakeoff: the suite file of that run is not known; run it with Run Suite….');
        return;
      }
      return (await this.suites()).runSuite(vscode.Uri.parse(uri, true));
    }
    if (found.run.record.mode === 'demo') {
      await vscode.commands.executeCommand(commandIds.tryDemo);
      return;
    }
    await this.compare.runPrepared(replayOf(found.run));
  }

  /** Shows two runs of the same prompt side by side (from a multi-selection, or picks the other). */
  async compareRuns(arg?: unknown, selected?: unknown): Promise<void> {
    const contents = await this.services.history.read();
    const ids = (Array.isArray(selected) ? selected : [arg]).filter(isRunRef).map((r) => r.runId);
    let runs = ids.map((id) => contents.runs.find((r) => r.record.runId === id)).filter((r): r is StoredRun => r !== undefined);
    if (runs.some((r) => this.sealed(r, contents))) {
      void vscode.window.showInformationMessage('Bakeoff: a blind comparison without a vote cannot be opened; vote first.');
      return;
    }
    if (runs.length > 2) {
      void vscode.window.showWarningMessage('Bakeoff: select two runs to compare.');
      return;
    }
    if (runs.length < 1) {
      const first = await this.pick(contents, 'Compare which run with another of the same prompt?', (r) => contents.runs.some((o) => o !== r && samePrompt(o.record, r.record)));
      if (!first) return;
      runs = [first];
    }
    if (runs.length === 1) {
      const only = runs[0]!;
      const other = await this.pick(contents, 'Compare with which run of the same prompt?', (r) => r !== only && samePrompt(r.record, only.record));
      if (!other) {
        if (!contents.runs.some((r) => r !== only && samePrompt(r.record, only.record))) {
          void vscode.window.showInformationMessage('Bakeoff: no other run in the history has the same prompt.');
        }
        return;
      }
      runs = [only, other];
    }
    const [a, b] = [...runs].sort((x, y) => x.record.startedAt.localeCompare(y.record.startedAt));
    if (!samePrompt(a!.record, b!.record)) {
      void vscode.window.showWarningMessage('Bakeoff: these runs sent different prompts; only runs of the same prompt can be compared side by side.');
      return;
    }
    const combined = combineRuns([a!, b!], runTags(a!.record.startedAt, b!.record.startedAt));
    const state = pastRunState(combined, null);
    this.show(state, combined, replayOf(a!));
  }

  /** Saves a stored run as Markdown or JSON (the same files as Export Results…). */
  async export(arg?: unknown): Promise<void> {
    const found = await this.runFrom(arg, 'Export which run?');
    if (!found) return;
    if ('suite' in found) return (await this.suites()).exportRun(found.suite.record.runId);
    if (this.sealed(found.run, found.contents)) {
      void vscode.window.showInformationMessage('Bakeoff: vote on this blind comparison before exporting it.');
      return;
    }
    await exportResults(this.services, { result: storedRunResult(found.run), keys: [] });
  }

  /** Deletes the selected runs (with their votes) after a confirmation. */
  async delete(arg?: unknown, selected?: unknown): Promise<void> {
    let ids = (Array.isArray(selected) ? selected : [arg]).filter(isRunRef).map((r) => r.runId);
    if (!ids.length) {
      const found = await this.runFrom(undefined, 'Delete which run?');
      if (!found) return;
      ids = ['suite' in found ? found.suite.record.runId : found.run.record.runId];
    }
    const running = ids.filter((id) => this.services.history.isRunning(id));
    if (running.length) {
      void vscode.window.showWarningMessage('Bakeoff: a run that is still running cannot be deleted; cancel it first.');
      return;
    }
    const what = ids.length === 1 ? 'this run' : `these ${ids.length} runs`;
    const ok = await vscode.window.showWarningMessage(`Delete ${what} from the Bakeoff history? Its answers and any vote on it are removed.`, { modal: true }, 'Delete');
    if (ok !== 'Delete') return;
    await this.services.history.deleteRuns(ids);
    this.services.log.info(`Deleted ${ids.length} run(s) from the history.`);
  }

  /** Clear History: every run and vote, after a confirmation. */
  async clear(): Promise<void> {
    const contents = await this.services.history.read();
    if (!contents.runs.length && !contents.battles.length) {
      void vscode.window.showInformationMessage('Bakeoff: the history is already empty.');
      return;
    }
    const ok = await vscode.window.showWarningMessage(
      `Delete all ${contents.runs.length} run(s) and ${contents.battles.length} vote(s) from the Bakeoff history? This cannot be undone.`,
      { modal: true },
      'Clear History',
    );
    if (ok !== 'Clear History') return;
    await this.services.history.clear();
    this.services.log.info('Cleared the run history.');
  }

  /**
   * Re-run Last when this session has nothing to repeat (the window was reloaded): the run the
   * panel shows, else the newest run of the history.
   */
  async rerunShownOrNewest(): Promise<void> {
    const run = await this.shownOrNewest();
    if (!run) {
      void vscode.window.showInformationMessage('Bakeoff: nothing to re-run yet. Run Compare Selection or Compare Prompt… first.');
      return;
    }
    await this.rerun({ runId: run.record.runId });
  }

  /** Export Results… when this session has no finished run (the window was reloaded): the run the panel shows, else the newest. */
  async exportShownOrNewest(): Promise<void> {
    const run = await this.shownOrNewest();
    if (!run) {
      void vscode.window.showInformationMessage('Bakeoff: nothing to export yet. Run a comparison first.');
      return;
    }
    await this.export({ runId: run.record.runId });
  }

  private async shownOrNewest(): Promise<StoredRun | undefined> {
    const contents = await this.services.history.read();
    const shown = ComparePanel.current?.shownRunId;
    const usable = (r: StoredRun) => !this.services.history.isRunning(r.record.runId) && !this.sealed(r, contents);
    return contents.runs.find((r) => r.record.runId === shown && usable(r)) ?? [...contents.runs].reverse().find(usable);
  }

  /**
   * Show Last Results: brings the panel back — as it is when open, else with the newest stored
   * run. Never sends a request.
   */
  async showLastResults(): Promise<void> {
    if (ComparePanel.current) {
      ComparePanel.createOrShow(this.services.context, this.compare.panelHost);
      return;
    }
    const contents = await this.services.history.read();
    const newest = [...contents.runs].reverse().find((r) => !this.services.history.isRunning(r.record.runId) && !this.sealed(r, contents));
    if (!newest) {
      const choice = await vscode.window.showInformationMessage('Bakeoff: no results yet. Run a comparison, or try the demo (no key needed).', 'Try a Demo Comparison');
      if (choice) await vscode.commands.executeCommand(commandIds.tryDemo);
      return;
    }
    this.show(pastRunState(newest, this.services.settings.rememberedBaseline()), newest, replayOf(newest));
  }

  private sealed(run: StoredRun, contents: HistoryContents): boolean {
    return isSealed(run, contents, this.services.history.isRunning(run.record.runId));
  }

  private show(state: PanelState, run: StoredRun, prepared: PreparedRun): void {
    if (this.services.runs.current) {
      void vscode.window.showWarningMessage('Bakeoff: a comparison is running in the panel; open the past run once it has finished (or cancel it).');
      return;
    }
    const panel = ComparePanel.createOrShow(this.services.context, this.compare.panelHost);
    panel.restore(state);
    this.services.runs.showPast({ result: storedRunResult(run), keys: [] });
    if (run.record.mode === 'demo') void this.demoRun().then((demo) => this.compare.setLast(demo));
    else this.compare.setLast(prepared);
    this.services.log.info(`Showing run ${run.record.runId} from the history (nothing sent).`);
  }

  /** The run (or suite run) an argument names, or one picked from the history. */
  private async runFrom(arg: unknown, placeHolder: string): Promise<{ run: StoredRun; contents: HistoryContents } | { suite: StoredSuite; contents: HistoryContents } | undefined> {
    const contents = await this.services.history.read();
    const id = isRunRef(arg) ? arg.runId : typeof arg === 'string' ? arg : undefined;
    if (id !== undefined) {
      const suite = contents.suites.find((r) => r.record.runId === id);
      if (suite) return { suite, contents };
      const run = contents.runs.find((r) => r.record.runId === id);
      if (!run) void vscode.window.showWarningMessage('Bakeoff: that run is no longer in the history.');
      return run ? { run, contents } : undefined;
    }
    const entries = [
      ...contents.runs.map((run) => ({ startedAt: run.record.startedAt, run })),
      ...contents.suites.map((suite) => ({ startedAt: suite.record.startedAt, suite })),
    ].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    if (!entries.length) {
      void vscode.window.showInformationMessage('Bakeoff: the history is empty. Runs appear here as you compare.');
      return undefined;
    }
    const items = entries.slice(0, 500).map((e) =>
      'run' in e
        ? {
            label: e.run.record.title,
            description: `${shortDate(e.startedAt)} · ${this.sealed(e.run, contents) ? 'blind, names hidden until you vote' : e.run.record.backends.map((b) => b.label).join(' vs ')}`,
            detail: runPromptText(e.run.record).replace(/\s+/g, ' ').slice(0, 160),
            entry: e,
          }
        : { label: e.suite.record.title, description: `${shortDate(e.startedAt)} · suite · ${e.suite.record.header.backends.map((b) => b.label).join(' vs ')}`, detail: e.suite.record.suiteFile, entry: e },
    );
    const picked = (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))?.entry;
    if (!picked) return undefined;
    return 'run' in picked ? { run: picked.run, contents } : { suite: picked.suite, contents };
  }

  private async pick(contents: HistoryContents, placeHolder: string, filter: (run: StoredRun) => boolean = () => true): Promise<StoredRun | undefined> {
    const candidates = [...contents.runs].reverse().filter(filter);
    if (!candidates.length) {
      if (!contents.runs.length) void vscode.window.showInformationMessage('Bakeoff: the history is empty. Runs appear here as you compare.');
      return undefined;
    }
    const items = candidates.slice(0, 500).map((run) => ({
      label: run.record.title,
      description: `${shortDate(run.record.startedAt)} · ${this.sealed(run, contents) ? 'blind, names hidden until you vote' : run.record.backends.map((b) => b.label).join(' vs ')}`,
      detail: runPromptText(run.record).replace(/\s+/g, ' ').slice(0, 160),
      run,
    }));
    return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))?.run;
  }
}
