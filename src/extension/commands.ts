/**
 * Every Bakeoff command id, and the one place that registers them: each command runs its
 * handler, and a failure is logged and shown (redacted) instead of being lost.
 */
import * as vscode from 'vscode';
import type { HostServices } from './services';

/** Every command id; the manifest contributes exactly these. */
export const commandIds = {
  compareSelection: 'bakeoff.compareSelection',
  comparePrompt: 'bakeoff.comparePrompt',
  rerunLast: 'bakeoff.rerunLast',
  cancel: 'bakeoff.cancel',
  chooseBackends: 'bakeoff.chooseBackends',
  addBackendFromPreset: 'bakeoff.addBackendFromPreset',
  setApiKey: 'bakeoff.setApiKey',
  clearApiKey: 'bakeoff.clearApiKey',
  testBackends: 'bakeoff.testBackends',
  openLogs: 'bakeoff.openLogs',
  exportResults: 'bakeoff.exportResults',
  checkCandidates: 'bakeoff.checkCandidates',
  applyDiffToSelection: 'bakeoff.applyDiffToSelection',
  applyDiffToFile: 'bakeoff.applyDiffToFile',
  copyDiffAnswer: 'bakeoff.copyDiffAnswer',
  runPromptDocument: 'bakeoff.runPromptDocument',
  showLastResults: 'bakeoff.showLastResults',
  openHistoryRun: 'bakeoff.openHistoryRun',
  rerunHistoryRun: 'bakeoff.rerunHistoryRun',
  compareHistoryRuns: 'bakeoff.compareHistoryRuns',
  exportHistoryRun: 'bakeoff.exportHistoryRun',
  deleteHistoryRun: 'bakeoff.deleteHistoryRun',
  clearHistory: 'bakeoff.clearHistory',
  testBackend: 'bakeoff.testBackend',
  compareBlind: 'bakeoff.compareBlind',
  voteOnBlindRun: 'bakeoff.voteOnBlindRun',
  showLeaderboard: 'bakeoff.showLeaderboard',
  exportVotes: 'bakeoff.exportVotes',
  tryDemo: 'bakeoff.tryDemo',
  runSuite: 'bakeoff.runSuite',
} as const;

/** View type of the comparison panel (its serializer is registered at start-up). */
export const panelViewType = 'bakeoff.panel';

/** View type of the suite report panel (its serializer is registered at start-up too). */
export const suitePanelViewType = 'bakeoff.suiteReport';

/** View ids of the Bakeoff view container (package.json contributes exactly these). */
export const viewIds = { backends: 'bakeoff.backends', history: 'bakeoff.history' } as const;

/** What each command does, by the key of its id in {@link commandIds}. */
export type CommandHandlers = Record<keyof typeof commandIds, (...args: unknown[]) => unknown>;

/** Registers every command. */
export function registerCommands(handlers: CommandHandlers, services: Pick<HostServices, 'log' | 'errorText'>): vscode.Disposable[] {
  const register = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await fn(...args);
      } catch (err) {
        const message = services.errorText(err);
        services.log.error(`${id} failed: ${message}`);
        void vscode.window.showErrorMessage(`Bakeoff: ${message}`);
      }
    });
  return [
    register(commandIds.compareSelection, handlers.compareSelection),
    register(commandIds.comparePrompt, handlers.comparePrompt),
    register(commandIds.rerunLast, handlers.rerunLast),
    register(commandIds.cancel, handlers.cancel),
    register(commandIds.chooseBackends, handlers.chooseBackends),
    register(commandIds.addBackendFromPreset, handlers.addBackendFromPreset),
    register(commandIds.setApiKey, handlers.setApiKey),
    register(commandIds.clearApiKey, handlers.clearApiKey),
    register(commandIds.testBackends, handlers.testBackends),
    register(commandIds.openLogs, handlers.openLogs),
    register(commandIds.exportResults, handlers.exportResults),
    register(commandIds.checkCandidates, handlers.checkCandidates),
    register(commandIds.applyDiffToSelection, handlers.applyDiffToSelection),
    register(commandIds.applyDiffToFile, handlers.applyDiffToFile),
    register(commandIds.copyDiffAnswer, handlers.copyDiffAnswer),
    register(commandIds.runPromptDocument, handlers.runPromptDocument),
    register(commandIds.showLastResults, handlers.showLastResults),
    register(commandIds.openHistoryRun, handlers.openHistoryRun),
    register(commandIds.rerunHistoryRun, handlers.rerunHistoryRun),
    register(commandIds.compareHistoryRuns, handlers.compareHistoryRuns),
    register(commandIds.exportHistoryRun, handlers.exportHistoryRun),
    register(commandIds.deleteHistoryRun, handlers.deleteHistoryRun),
    register(commandIds.clearHistory, handlers.clearHistory),
    register(commandIds.testBackend, handlers.testBackend),
    register(commandIds.compareBlind, handlers.compareBlind),
    register(commandIds.voteOnBlindRun, handlers.voteOnBlindRun),
    register(commandIds.showLeaderboard, handlers.showLeaderboard),
    register(commandIds.exportVotes, handlers.exportVotes),
    register(commandIds.tryDemo, handlers.tryDemo),
    register(commandIds.runSuite, handlers.runSuite),
  ];
}
