/**
 * The Bakeoff view container in the activity bar: *Backends* (each configured backend with its
 * key status and kind; the checkbox says whether it takes part in this workspace's comparisons;
 * Test and Set API Key actions) and *History* (every run, newest first: date, prompt, backends,
 * outcome). Both read lazily, when the view is shown.
 */
import * as vscode from 'vscode';
import { keyRequired, type Backend } from '../core/config';
import { originOf } from '../core/keyBinding';
import { describePricing } from '../core/pricing';
import { runPromptText, storedRunResult, type HistoryContents, type StoredRun, type StoredSuite } from '../core/history';
import { suiteTally } from '../core/suite/matrix';
import { summarizeComparison } from '../core/report';
import { isSealed, shortDate } from './historyCommands';
import type { HostServices } from './services';
import { backendName, settingKeys, settingsSection } from './settings';


/** A row of the Backends view. */
export interface BackendItem {
  backendId: string;
}

class BackendsProvider implements vscode.TreeDataProvider<BackendItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly services: HostServices) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: BackendItem): BackendItem[] {
    if (element) return [];
    return this.services.settings.configuredBackends(false).map((b) => ({ backendId: b.id }));
  }

  async getTreeItem(element: BackendItem): Promise<vscode.TreeItem> {
    const { configured, chosen } = this.services.settings.chosenBackends(false);
    const backend = configured.find((b) => b.id === element.backendId);
    const item = new vscode.TreeItem(backend ? backendName(backend) : element.backendId);
    item.id = `backend:${element.backendId}`;
    if (!backend) return item;
    const check = await this.services.keys.check(backend);
    const keyState =
      check.status === 'ok'
        ? { text: 'key set', icon: new vscode.ThemeIcon('key', new vscode.ThemeColor('testing.iconPassed')) }
        : check.status === 'missing'
          ? !keyRequired(backend)
            ? { text: 'no key needed', icon: new vscode.ThemeIcon('vm') }
            : { text: 'no key', icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) }
          : { text: check.status === 'originMismatch' ? 'key for another address' : 'key unreadable', icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) };
    item.description = check.status === 'ok' || (check.status === 'missing' && !keyRequired(backend)) ? backend.kind : `${backend.kind} · ${keyState.text}`;
    item.iconPath = keyState.icon;
    item.contextValue = 'bakeoff.backend';
    item.checkboxState = chosen.some((b) => b.id === backend.id) ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
    item.accessibilityInformation = { label: `${backendName(backend)}, ${backend.kind}, ${keyState.text}` };
    item.tooltip = backendTooltip(backend, keyState.text);
    return item;
  }
}

function backendTooltip(backend: Backend, keyText: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(backendName(backend))}** — ${backend.kind}\n\n`);
  md.appendMarkdown(`Model: \`${backend.model.replace(/`/g, "'")}\`  \n`);
  md.appendMarkdown(`Address: ${escapeMd(originOf(backend.baseUrl) ?? backend.baseUrl)}  \n`);
  md.appendMarkdown(`Key: ${keyText}  \n`);
  md.appendMarkdown(`Cost: ${escapeMd(describePricing(backend))}`);
  if (backend.trustNote) md.appendMarkdown(`\n\n${escapeMd(backend.trustNote)}`);
  md.appendMarkdown('\n\nThe checkbox: takes part in this workspace’s comparisons.');
  return md;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** A row of the History view: a day, a run, or the note that older runs are not listed. */
export type HistoryItem = { day: string } | { runId: string } | { more: number };

/** Runs listed in the view (the newest); older ones stay in the file and in the quick picks. */
const maxListedRuns = 300;

/** `2026-03-01` in local time: the day a run is listed under. */
function dayKey(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'unknown';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `Today`, `Yesterday`, `Mon, 1 Dec`, with the year when it is not this year. */
function dayLabel(key: string): string {
  if (key === 'unknown') return 'Unknown date';
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d);
  const today = new Date();
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  const days = Math.round((startOfToday - date.getTime()) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', ...(y === today.getFullYear() ? {} : { year: 'numeric' }) });
}

/** A run or a suite run, as the History view lists them (newest first). */
type Listed = { runId: string; startedAt: string };

class HistoryProvider implements vscode.TreeDataProvider<HistoryItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private contents: HistoryContents | null = null;
  private listed: Listed[] = [];

  constructor(private readonly services: HostServices) {}

  refresh(): void {
    this.contents = null;
    this.changed.fire();
  }

  async getChildren(element?: HistoryItem): Promise<HistoryItem[]> {
    if (element && 'day' in element) {
      return this.listed.filter((r) => dayKey(r.startedAt) === element.day).map((r) => ({ runId: r.runId }));
    }
    if (element) return [];
    this.contents = await this.services.history.read();
    const all: Listed[] = [
      ...this.contents.runs.map((r) => ({ runId: r.record.runId, startedAt: r.record.startedAt })),
      ...this.contents.suites.map((r) => ({ runId: r.record.runId, startedAt: r.record.startedAt })),
    ].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    this.listed = all.slice(0, maxListedRuns);
    const days = [...new Set(this.listed.map((r) => dayKey(r.startedAt)))];
    const items: HistoryItem[] = days.map((day) => ({ day }));
    if (all.length > maxListedRuns) items.push({ more: all.length - maxListedRuns });
    return items;
  }

  getTreeItem(element: HistoryItem): vscode.TreeItem {
    if ('more' in element) {
      const item = new vscode.TreeItem(`${element.more} older run(s) not listed`);
      item.description = 'open them with Bakeoff: Open Run from History…';
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      return item;
    }
    if ('day' in element) {
      const count = this.listed.filter((r) => dayKey(r.startedAt) === element.day).length;
      const item = new vscode.TreeItem(dayLabel(element.day), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `day:${element.day}`;
      item.description = `${count} run${count === 1 ? '' : 's'}`;
      item.contextValue = 'bakeoff.day';
      return item;
    }
    const contents = this.contents;
    const running = this.services.history.isRunning(element.runId);
    const suite = contents?.suites.find((r) => r.record.runId === element.runId);
    if (suite) return suiteTreeItem(suite, running);
    const run = contents?.runs.find((r) => r.record.runId === element.runId);
    if (!contents || !run) return new vscode.TreeItem('(gone)');
    return historyTreeItem(run, contents, running);
  }
}

/** `14:02 · ` for a run's start. */
function timeOf(iso: string): string {
  const started = new Date(iso);
  return Number.isNaN(started.getTime()) ? '' : `${started.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })} · `;
}

/** One suite run as the History view lists it: title, then time · backends · passed cells. */
function suiteTreeItem(suite: StoredSuite, running: boolean): vscode.TreeItem {
  const { record } = suite;
  const item = new vscode.TreeItem(record.title.replace(/\s+/g, ' ').slice(0, 120));
  item.id = `run:${record.runId}`;
  const who = record.header.backends.map((b) => b.label).join(' vs ');
  const tally = suiteTally(suite.cells);
  const outcome = running
    ? 'running…'
    : `${tally.passed}/${tally.graded} passed${suite.outcome === 'finished' ? '' : suite.outcome === 'budget' ? ', stopped at the budget' : `, ${suite.outcome}`}`;
  item.description = `${timeOf(record.startedAt)}${who} · ${outcome}`;
  item.iconPath = new vscode.ThemeIcon(running ? 'loading~spin' : 'checklist');
  item.contextValue = 'bakeoff.suite';
  item.command = { command: 'bakeoff.openHistoryRun', title: 'Open Report', arguments: [{ runId: record.runId }] };
  const md = new vscode.MarkdownString(undefined, false);
  md.appendText(`${record.title}\n`);
  md.appendMarkdown(`\n${shortDate(record.startedAt)} · suite run · ${outcome}\n\n`);
  md.appendText(`${record.suiteFile}: ${record.header.tests.length} tests × ${record.header.backends.length} backends × ${record.header.trials} trial(s), seed ${record.header.seed}`);
  item.tooltip = md;
  item.accessibilityInformation = { label: `${record.title}, ${shortDate(record.startedAt)}, ${who}, ${outcome}` };
  return item;
}

const modeIcons: Record<StoredRun['record']['mode'], string> = { compare: 'beaker', blind: 'eye-closed', demo: 'play-circle' };

const winnerTexts = { model_a: 'A better', model_b: 'B better', tie: 'tie', 'tie (bothbad)': 'both bad' } as const;

/** One run as the History view lists it: title, then date · backends · outcome. */
function historyTreeItem(run: StoredRun, contents: HistoryContents, running: boolean): vscode.TreeItem {
  const { record } = run;
  const sealed = isSealed(run, contents, running);
  const battle = contents.battles.find((b) => b.runId === record.runId);
  const item = new vscode.TreeItem(record.title.replace(/\s+/g, ' ').slice(0, 120));
  item.id = `run:${record.runId}`;
  const who = sealed ? 'names hidden until you vote' : battle ? `${battle.label_a} vs ${battle.label_b}` : record.backends.map((b) => b.label).join(' vs ');
  const outcome = running ? 'running…' : outcomeText(run, battle?.winner, sealed);
  item.description = `${timeOf(record.startedAt)}${who} · ${outcome}`;
  item.iconPath = new vscode.ThemeIcon(running ? 'loading~spin' : modeIcons[record.mode]);
  item.contextValue = sealed ? 'bakeoff.run.sealed' : record.mode === 'demo' ? 'bakeoff.run.demo' : 'bakeoff.run';
  item.command = sealed
    ? { command: 'bakeoff.voteOnBlindRun', title: 'Vote', arguments: [{ runId: record.runId }] }
    : { command: 'bakeoff.openHistoryRun', title: 'Open Run', arguments: [{ runId: record.runId }] };
  const md = new vscode.MarkdownString(undefined, false);
  md.appendText(`${record.title}\n`);
  md.appendMarkdown(`\n${shortDate(record.startedAt)} · ${record.mode === 'blind' ? 'blind A/B' : record.mode === 'demo' ? 'demo (local stand-ins)' : 'comparison'} · ${outcome}\n\n`);
  md.appendCodeblock(runPromptText(record).slice(0, 600), 'text');
  if (!sealed) {
    const summary = summarizeComparison(storedRunResult(run));
    for (const s of summary.backends) md.appendText(`\n${s.label}: ${s.failureLabel ?? `${s.delivered}/${s.attempted} delivered`}`);
  }
  item.tooltip = md;
  item.accessibilityInformation = { label: `${record.title}, ${shortDate(record.startedAt)}, ${who}, ${outcome}` };
  return item;
}

function outcomeText(run: StoredRun, winner: keyof typeof winnerTexts | undefined, sealed: boolean): string {
  if (run.record.mode === 'blind' && run.outcome === 'finished' && (winner || sealed)) return winner ? winnerTexts[winner] : 'vote pending';
  switch (run.outcome) {
    case 'finished': {
      const failed = new Set(run.results.filter((r) => r.status !== 'ok').map((r) => r.backendId));
      return failed.size ? `${failed.size} of ${run.record.backends.length} had errors` : 'done';
    }
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return 'failed';
    case 'interrupted':
      return 'interrupted';
  }
}

/** The two trees, created at start-up (see lazyViews.ts) before their providers exist. */
export interface BakeoffTrees {
  backends: vscode.TreeView<BackendItem>;
  history: vscode.TreeView<HistoryItem>;
}

/** The providers of both views, what they listen to, and the Backends checkboxes. */
export function createViews(services: HostServices, trees: BakeoffTrees): { backends: vscode.TreeDataProvider<BackendItem>; history: vscode.TreeDataProvider<HistoryItem>; disposables: vscode.Disposable[] } {
  const backends = new BackendsProvider(services);
  const history = new HistoryProvider(services);
  const backendsView = trees.backends;
  return { backends, history, disposables: [
    services.history.onDidChange(() => history.refresh()),
    services.keys.onDidChange(() => backends.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${settingsSection}.${settingKeys.backends}`)) backends.refresh();
    }),
    services.settings.onDidChangeChoice(() => backends.refresh()),
    backendsView.onDidChangeCheckboxState(async (event) => {
      const { configured, chosen } = services.settings.chosenBackends(false);
      const ids = new Set(chosen.map((b) => b.id));
      for (const [item, state] of event.items) {
        if (state === vscode.TreeItemCheckboxState.Checked) ids.add(item.backendId);
        else ids.delete(item.backendId);
      }
      const next = configured.filter((b) => ids.has(b.id)).map((b) => b.id);
      if (!next.length) {
        void vscode.window.showInformationMessage('Bakeoff: at least one backend takes part in comparisons.');
        backends.refresh();
        return;
      }
      await services.settings.rememberChoice(next);
      services.refreshStatusBar();
      backends.refresh();
    }),
  ] };
}
