/**
 * Everything behind Bakeoff's commands, views and panels, loaded by extension.ts the first time a
 * command runs, a view is shown or the editor restores a panel (bundled apart, as dist/host.js):
 * the command modules, the panel hosts, the history, the runner, the OpenAI SDK and the schemas.
 * Start-up loads none of it. The Blind A/B, demo and suite modules load on their first command.
 */
import * as vscode from 'vscode';
import { ApiKeyCommands, type BakeoffTestApi } from './apiKeys';
import type { ArenaCommands } from './arena';
import { BackendCheckCommand } from './backendCheck';
import { BackendCommands } from './backends';
import type { CommandHandlers } from './commands';
import { CompareCommands, promptDocumentContextKey } from './compare';
import type { DemoCommands } from './demo';
import { exportResults } from './export';
import { HistoryCommands } from './historyCommands';
import type { ViewProviders } from './lazyViews';
import { ComparePanel } from './panel';
import { HostServices } from './services';
import type { BakeoffStatusBar } from './statusBar';
import { SuitePanel } from './suitePanel';
import type { SuiteCommands } from './suites';
import { createViews, type BakeoffTrees } from './views';

/** What the start-up module (extension.ts) calls into. */
export interface Host {
  readonly services: HostServices;
  /** The handler of every command. */
  readonly handlers: CommandHandlers;
  /** Takes over a comparison panel the editor restored after a window reload. */
  revivePanel(panel: vscode.WebviewPanel, saved: unknown): void;
  /** Takes over a suite report the editor restored after a window reload (read back from the history). */
  reviveSuitePanel(panel: vscode.WebviewPanel, saved: unknown): Promise<void>;
  /** The rows of the Backends and History views, for the trees created at start-up. */
  views(trees: BakeoffTrees): ViewProviders;
  /** Another editor became active (the Run action shows on prompt documents). */
  activeEditorChanged(editor: vscode.TextEditor | undefined): void;
  /** Key-store operations for the in-editor test suite. */
  testApi(): BakeoffTestApi;
  dispose(): void;
}

/** A backend id from a command argument: the id itself, or a Backends view row. */
function backendIdArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { backendId?: unknown }).backendId === 'string') return (arg as { backendId: string }).backendId;
  return undefined;
}

/** Builds the services and command modules; `statusBar` is the item shown since start-up. */
export function createHost(context: vscode.ExtensionContext, statusBar: BakeoffStatusBar): Host {
  const services = new HostServices(context, statusBar);
  const compare = new CompareCommands(services);
  const apiKeys = new ApiKeyCommands(services);
  const backends = new BackendCommands(services, apiKeys);
  const backendCheck = new BackendCheckCommand(services);
  context.subscriptions.push(services);

  let demo: Promise<DemoCommands> | undefined;
  const demoCommands = () =>
    (demo ??= import('./demo.js').then((m) => {
      const commands = new m.DemoCommands(services, compare);
      context.subscriptions.push(commands);
      return commands;
    }));
  let suites: Promise<SuiteCommands> | undefined;
  const suiteCommands = () =>
    (suites ??= import('./suites.js').then((m) => {
      const commands = new m.SuiteCommands(services);
      context.subscriptions.push(commands);
      return commands;
    }));
  const history = new HistoryCommands(services, compare, async () => (await demoCommands()).prepared(), suiteCommands);
  let arena: Promise<ArenaCommands> | undefined;
  const arenaCommands = () => (arena ??= import('./arena.js').then((m) => new m.ArenaCommands(services, compare, history)));

  return {
    services,
    handlers: {
      compareSelection: () => compare.compareSelection(),
      comparePrompt: () => compare.comparePrompt(),
      // After a window reload nothing ran in this session: repeat the run the panel shows (or the newest) from the history.
      rerunLast: () => (compare.hasLast || services.runs.current ? compare.rerunLast() : history.rerunShownOrNewest()),
      cancel: () => compare.cancel(),
      chooseBackends: () => backends.chooseBackends(),
      addBackendFromPreset: () => backends.addBackendFromPreset(),
      setApiKey: (arg) => apiKeys.setApiKey(backendIdArg(arg)),
      clearApiKey: (arg) => apiKeys.clearApiKey(backendIdArg(arg)),
      testBackends: () => backendCheck.testBackends(),
      openLogs: () => services.log.show(true),
      exportResults: () => (services.runs.lastFinished || services.runs.current ? exportResults(services) : history.exportShownOrNewest()),
      checkCandidates: () => compare.checks.run(),
      applyDiffToSelection: (uri) => compare.applyFromDiff('replace', uri),
      applyDiffToFile: (uri) => compare.applyFromDiff('replaceFile', uri),
      copyDiffAnswer: (uri) => compare.applyFromDiff('copy', uri),
      runPromptDocument: () => compare.runPromptDocument(),
      showLastResults: () => history.showLastResults(),
      openHistoryRun: (arg) => history.open(arg),
      rerunHistoryRun: (arg) => history.rerun(arg),
      compareHistoryRuns: (arg, selected) => history.compareRuns(arg, selected),
      exportHistoryRun: (arg) => history.export(arg),
      deleteHistoryRun: (arg, selected) => history.delete(arg, selected),
      clearHistory: () => history.clear(),
      testBackend: (arg) => {
        const id = backendIdArg(arg);
        return id ? backendCheck.testBackends([id]) : backendCheck.testBackends();
      },
      compareBlind: async () => (await arenaCommands()).compareBlind(),
      voteOnBlindRun: async (arg) => (await arenaCommands()).voteOnPending(arg),
      showLeaderboard: async () => (await arenaCommands()).showLeaderboardCommand(),
      exportVotes: async () => (await arenaCommands()).exportVotes(),
      tryDemo: async () => (await demoCommands()).tryDemo(),
      runSuite: async (arg) => (await suiteCommands()).runSuite(arg),
    },
    revivePanel: (panel, saved) => ComparePanel.revive(panel, saved, context, compare.panelHost),
    reviveSuitePanel: (panel, saved) => SuitePanel.revive(panel, saved, async (runId) => (await suiteCommands()).restorePanel(panel, runId)),
    views: (trees) => {
      const views = createViews(services, trees);
      context.subscriptions.push(...views.disposables);
      return views;
    },
    activeEditorChanged: (editor) => void vscode.commands.executeCommand('setContext', promptDocumentContextKey, compare.isPromptEditor(editor)),
    testApi: () => apiKeys.testApi(),
    dispose: () => services.dispose(),
  };
}
