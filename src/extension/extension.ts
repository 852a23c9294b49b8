/**
 * Entry point of the extension host, and all the editor loads at start-up: the status-bar item
 * and the registrations (commands, the Bakeoff views' trees, panel serializers). Everything else —
 * command modules, panel hosts, history, runner, SDK, schemas, price catalogue — is in host.ts
 * (bundled apart as dist/host.js) and is loaded the first time a command runs, a Bakeoff view
 * asks for its rows or the editor restores a panel. Nothing here may
 * import a module that pulls those in (the package tests check the size of what activation loads).
 */
import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import type { BakeoffTestApi } from './apiKeys';
import { chooseBackends, chosenStateKey, rememberedChoiceFrom, settingKeys, settingsSection, sketchBackends } from './backendChoice';
import { commandIds, panelViewType, registerCommands, suitePanelViewType, type CommandHandlers } from './commands';
import type { Host } from './host';
import { createLazyViews } from './lazyViews';
import { BakeoffStatusBar } from './statusBar';

let host: Host | undefined;
/** The log of a failure to load the host (the host's own log channel is used otherwise). */
let fallbackLog: vscode.LogOutputChannel | undefined;

/**
 * Shows the status bar, registers the commands, the views and the panel serializers. Returns a small key-store
 * API only when the editor runs the extension's own test suite.
 */
export function activate(context: vscode.ExtensionContext): BakeoffTestApi | undefined {
  const statusBar = new BakeoffStatusBar();
  const loadHost = (): Host => {
    if (!host) {
      // Not a literal `require`: esbuild must leave host.ts (and all it imports) out of this bundle.
      const { createHost } = createRequire(__filename)('./host') as typeof import('./host');
      host = createHost(context, statusBar);
    }
    return host;
  };
  // Until a command loads the rest, the status bar names the configured backends unvalidated.
  const sketchStatusBar = (): void => {
    const raw = vscode.workspace.getConfiguration(settingsSection).inspect<unknown>(settingKeys.backends)?.globalValue;
    statusBar.update(chooseBackends(sketchBackends(raw), rememberedChoiceFrom(context.workspaceState.get<unknown>(chosenStateKey))), false);
  };
  sketchStatusBar();

  const handlers = {} as CommandHandlers;
  for (const name of Object.keys(commandIds) as Array<keyof typeof commandIds>) {
    handlers[name] = (...args) => loadHost().handlers[name](...args);
  }
  context.subscriptions.push(
    statusBar,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!host && e.affectsConfiguration(`${settingsSection}.${settingKeys.backends}`)) sketchStatusBar();
    }),
    // A command that failed is reported through the host's log and redaction; when the host
    // itself could not load, that failure is still shown (not thrown again from the handler).
    ...registerCommands(handlers, {
      get log() {
        return host?.services.log ?? (fallbackLog ??= vscode.window.createOutputChannel('Bakeoff', { log: true }));
      },
      errorText: (err) => host?.services.errorText(err) ?? (err instanceof Error ? err.message : String(err)),
    }),
    vscode.window.registerWebviewPanelSerializer(panelViewType, {
      deserializeWebviewPanel: async (panel, saved) => loadHost().revivePanel(panel, saved),
    }),
    vscode.window.registerWebviewPanelSerializer(suitePanelViewType, {
      deserializeWebviewPanel: (panel, saved) => loadHost().reviveSuitePanel(panel, saved),
    }),
    ...createLazyViews((trees) => loadHost().views(trees)),
    // Only a loaded host can have opened a prompt document (Compare Prompt…).
    vscode.window.onDidChangeActiveTextEditor((editor) => host?.activeEditorChanged(editor)),
  );
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    setApiKey: (id, key) => loadHost().testApi().setApiKey(id, key),
    getApiKeyOrigin: (id) => loadHost().testApi().getApiKeyOrigin(id),
    clearApiKey: (id) => loadHost().testApi().clearApiKey(id),
    keyMatches: (id, key) => loadHost().testApi().keyMatches(id, key),
  };
}

/** Aborts a running comparison; everything else is disposed through the subscriptions. */
export function deactivate(): void {
  host?.dispose();
  host = undefined;
}
