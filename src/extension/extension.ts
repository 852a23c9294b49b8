/**
 * Entry point of the extension host. Activation is cheap: no network, the log channel and the
 * report provider are created on first use, the panel only when a comparison starts.
 */
import * as vscode from 'vscode';
import { ApiKeyCommands, type BakeoffTestApi } from './apiKeys';
import { BackendCheckCommand } from './backendCheck';
import { BackendCommands } from './backends';
import { registerCommands } from './commands';
import { CompareCommands, promptDocumentContextKey } from './compare';
import { exportResults } from './export';
import { ComparePanel } from './panel';
import { HostServices } from './services';

let services: HostServices | undefined;

/**
 * Registers the commands, the status-bar item and the panel serializer. Returns a small
 * key-store API only when the editor runs the extension's own test suite.
 */
export function activate(context: vscode.ExtensionContext): BakeoffTestApi | undefined {
  const shared = new HostServices(context);
  services = shared;
  const compare = new CompareCommands(shared);
  const apiKeys = new ApiKeyCommands(shared);
  const backends = new BackendCommands(shared, apiKeys);
  const backendCheck = new BackendCheckCommand(shared);
  const backendIdArg = (arg: unknown) => (typeof arg === 'string' ? arg : undefined);
  context.subscriptions.push(
    shared,
    ...registerCommands(
      {
        compareSelection: () => compare.compareSelection(),
        comparePrompt: () => compare.comparePrompt(),
        rerunLast: () => compare.rerunLast(),
        cancel: () => compare.cancel(),
        chooseBackends: () => backends.chooseBackends(),
        addBackendFromPreset: () => backends.addBackendFromPreset(),
        setApiKey: (arg) => apiKeys.setApiKey(backendIdArg(arg)),
        clearApiKey: (arg) => apiKeys.clearApiKey(backendIdArg(arg)),
        testBackends: () => backendCheck.testBackends(),
        openLogs: () => shared.log.show(true),
        exportResults: () => exportResults(shared),
        checkCandidates: () => compare.checks.run(),
        applyDiffToSelection: (uri) => compare.applyFromDiff('replace', uri),
        applyDiffToFile: (uri) => compare.applyFromDiff('replaceFile', uri),
        copyDiffAnswer: (uri) => compare.applyFromDiff('copy', uri),
        runPromptDocument: () => compare.runPromptDocument(),
      },
      shared,
    ),
    ComparePanel.registerSerializer(context, compare.panelHost),
    vscode.window.onDidChangeActiveTextEditor((editor) =>
      vscode.commands.executeCommand('setContext', promptDocumentContextKey, compare.isPromptEditor(editor)),
    ),
  );
  return context.extensionMode === vscode.ExtensionMode.Test ? apiKeys.testApi() : undefined;
}

/** Aborts a running comparison; everything else is disposed through the subscriptions. */
export function deactivate(): void {
  services?.dispose();
  services = undefined;
}
