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
} as const;

/** View type of the comparison panel (its serializer is registered at start-up). */
export const panelViewType = 'bakeoff.panel';

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
  ];
}
