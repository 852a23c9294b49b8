/**
 * Entry point of the extension host. Activation is cheap: no network, the log channel and the
 * report provider are created on first use, the panel only when a comparison starts, the run
 * history is read only when its view is shown, and the Blind A/B, demo and suite modules load
 * on their first command.
 */
import * as vscode from 'vscode';
import type { ArenaCommands } from './arena';
import { ApiKeyCommands, type BakeoffTestApi } from './apiKeys';
import { BackendCheckCommand } from './backendCheck';
import { BackendCommands } from './backends';
import { registerCommands } from './commands';
import { CompareCommands } from './compare';
import type { DemoCommands } from './demo';
import { exportResults } from './export';
import { HistoryCommands } from './historyCommands';
import { ComparePanel } from './panel';
import { HostServices } from './services';
import { SuitePanel } from './suitePanel';
import type { SuiteCommands } from './suites';
import { registerViews } from './views';

let services: HostServices | undefined;

/**
 * Registers the commands, the views, the status-bar item and the panel serializer. Returns a
 * small key-store API only when the editor runs the extension's own test suite.
 */
export function activate(context: vscode.ExtensionContext): BakeoffTestApi | undefined {
  const shared = new HostServices(context);
  services = shared;
  const compare = new CompareCommands(shared);
  const apiKeys = new ApiKeyCommands(shared);
  const backends = new BackendCommands(shared, apiKeys);
  const backendCheck = new BackendCheckCommand(shared);
  let demo: Promise<DemoCommands> | undefined;
  const demoCommands = () =>
    (demo ??= import('./demo.js').then((m) => {
      const commands = new m.DemoCommands(shared, compare);
      context.subscriptions.push(commands);
      return commands;
    }));
  let suites: Promise<SuiteCommands> | undefined;
  const suiteCommands = () =>
    (suites ??= import('./suites.js').then((m) => {
      const commands = new m.SuiteCommands(shared);
      context.subscriptions.push(commands);
      return commands;
    }));
  const history = new HistoryCommands(shared, compare, async () => (await demoCommands()).prepared(), suiteCommands);
  let arena: Promise<ArenaCommands> | undefined;
  const arenaCommands = () => (arena ??= import('./arena.js').then((m) => new m.ArenaCommands(shared, compare, history)));
  const backendIdArg = (arg: unknown) => (typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && typeof (arg as { backendId?: unknown }).backendId === 'string' ? (arg as { backendId: string }).backendId : undefined);
  context.subscriptions.push(
    shared,
    ...registerCommands(
      {
        compareSelection: () => compare.compareSelection(),
        comparePrompt: () => compare.comparePrompt(),
        rerunLast: () => (compare.hasLast || shared.runs.current ? compare.rerunLast() : history.rerunShownOrNewest()),
        cancel: () => compare.cancel(),
        chooseBackends: () => backends.chooseBackends(),
        addBackendFromPreset: () => backends.addBackendFromPreset(),
        setApiKey: (arg) => apiKeys.setApiKey(backendIdArg(arg)),
        clearApiKey: (arg) => apiKeys.clearApiKey(backendIdArg(arg)),
        testBackends: () => backendCheck.testBackends(),
        openLogs: () => shared.log.show(true),
        exportResults: () => (shared.runs.lastFinished || shared.runs.current ? exportResults(shared) : history.exportShownOrNewest()),
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
      shared,
    ),
    ...registerViews(shared),
    ComparePanel.registerSerializer(context, compare.panelHost),
    SuitePanel.registerSerializer(context, async (panel, runId) => (await suiteCommands()).restorePanel(panel, runId)),
  );
  return context.extensionMode === vscode.ExtensionMode.Test ? apiKeys.testApi() : undefined;
}

/** Aborts a running comparison; everything else is disposed through the subscriptions. */
export function deactivate(): void {
  services?.dispose();
  services = undefined;
}
