/**
 * Entry point of the extension host. Activation is cheap: no network, the log channel and the
 * report provider are created on first use, the panel only when a comparison starts.
 */
import * as vscode from 'vscode';
import { BakeoffController, type BakeoffTestApi } from './commands';
import { ComparePanel } from './panel';

let controller: BakeoffController | undefined;

/**
 * Registers the commands, the status-bar item and the panel serializer. Returns a small
 * key-store API only when the editor runs the extension's own test suite.
 */
export function activate(context: vscode.ExtensionContext): BakeoffTestApi | undefined {
  controller = new BakeoffController(context);
  context.subscriptions.push(
    controller,
    ...controller.registerCommands(),
    ComparePanel.registerSerializer(context, controller.panelHost),
  );
  return context.extensionMode === vscode.ExtensionMode.Test ? controller.testApi() : undefined;
}

/** Aborts a running comparison; everything else is disposed through the subscriptions. */
export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
