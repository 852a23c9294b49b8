/**
 * Entry point of the extension host. Activation is cheap: no network, the log channel and the
 * report provider are created on first use, the panel only when a comparison starts.
 */
import type * as vscode from 'vscode';
import { BakeoffController } from './commands';
import { ComparePanel } from './panel';

let controller: BakeoffController | undefined;

/** Registers the commands, the status-bar item and the panel serializer. */
export function activate(context: vscode.ExtensionContext): void {
  controller = new BakeoffController(context);
  context.subscriptions.push(
    controller,
    ...controller.registerCommands(),
    ComparePanel.registerSerializer(context, controller.panelHost),
  );
}

/** Aborts a running comparison; everything else is disposed through the subscriptions. */
export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
