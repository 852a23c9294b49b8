/**
 * Everything behind Bakeoff's commands and panel, loaded by extension.ts the first time a command
 * runs or the editor restores the panel (bundled apart, as dist/host.js): the command modules, the
 * panel host, the runner, the OpenAI SDK and the schemas. Start-up loads none of it.
 */
import * as vscode from 'vscode';
import { ApiKeyCommands, type BakeoffTestApi } from './apiKeys';
import { BackendCheckCommand } from './backendCheck';
import { BackendCommands } from './backends';
import type { CommandHandlers } from './commands';
import { CompareCommands, promptDocumentContextKey } from './compare';
import { exportResults } from './export';
import { ComparePanel } from './panel';
import { HostServices } from './services';
import type { BakeoffStatusBar } from './statusBar';

/** What the start-up module (extension.ts) calls into. */
export interface Host {
  readonly services: HostServices;
  /** The handler of every command. */
  readonly handlers: CommandHandlers;
  /** Takes over a panel the editor restored after a window reload. */
  revivePanel(panel: vscode.WebviewPanel, saved: unknown): void;
  /** Another editor became active (the Run action shows on prompt documents). */
  activeEditorChanged(editor: vscode.TextEditor | undefined): void;
  /** Key-store operations for the in-editor test suite. */
  testApi(): BakeoffTestApi;
  dispose(): void;
}

/** Builds the services and command modules; `statusBar` is the item shown since start-up. */
export function createHost(context: vscode.ExtensionContext, statusBar: BakeoffStatusBar): Host {
  const services = new HostServices(context, statusBar);
  const compare = new CompareCommands(services);
  const apiKeys = new ApiKeyCommands(services);
  const backends = new BackendCommands(services, apiKeys);
  const backendCheck = new BackendCheckCommand(services);
  const backendIdArg = (arg: unknown) => (typeof arg === 'string' ? arg : undefined);
  context.subscriptions.push(services);
  return {
    services,
    handlers: {
      compareSelection: () => compare.compareSelection(),
      comparePrompt: () => compare.comparePrompt(),
      rerunLast: () => compare.rerunLast(),
      cancel: () => compare.cancel(),
      chooseBackends: () => backends.chooseBackends(),
      addBackendFromPreset: () => backends.addBackendFromPreset(),
      setApiKey: (arg) => apiKeys.setApiKey(backendIdArg(arg)),
      clearApiKey: (arg) => apiKeys.clearApiKey(backendIdArg(arg)),
      testBackends: () => backendCheck.testBackends(),
      openLogs: () => services.log.show(true),
      exportResults: () => exportResults(services),
      checkCandidates: () => compare.checks.run(),
      applyDiffToSelection: (uri) => compare.applyFromDiff('replace', uri),
      applyDiffToFile: (uri) => compare.applyFromDiff('replaceFile', uri),
      copyDiffAnswer: (uri) => compare.applyFromDiff('copy', uri),
      runPromptDocument: () => compare.runPromptDocument(),
    },
    revivePanel: (panel, saved) => ComparePanel.revive(panel, saved, context, compare.panelHost),
    activeEditorChanged: (editor) => void vscode.commands.executeCommand('setContext', promptDocumentContextKey, compare.isPromptEditor(editor)),
    testApi: () => apiKeys.testApi(),
    dispose: () => services.dispose(),
  };
}
