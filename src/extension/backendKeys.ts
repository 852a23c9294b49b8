/**
 * What the comparison and the backend check share before they send anything: the key each
 * chosen backend will use (or why it cannot run), and the prompts that offer to fix a missing
 * key or a missing backend.
 */
import * as vscode from 'vscode';
import type { Backend } from '../core/config';
import { commandIds } from './commands';
import type { ApiKeyStore } from './secrets';
import type { HostServices } from './services';
import { backendName } from './settings';

/** A backend with the key decided for this run, or the reason it cannot run. */
export type KeyedBackend = { backend: Backend; key: string | undefined; blocked?: undefined } | { backend: Backend; blocked: string };

/** A backend that cannot run, and why. */
export type BlockedBackend = Extract<KeyedBackend, { blocked: string }>;

export function isBlocked(keyed: KeyedBackend): keyed is BlockedBackend {
  return keyed.blocked !== undefined;
}

/** Decides each backend's key: local backends may have none; remote ones must have a valid one. */
export async function resolveKeys(keys: ApiKeyStore, backends: readonly Backend[]): Promise<KeyedBackend[]> {
  return Promise.all(
    backends.map(async (backend): Promise<KeyedBackend> => {
      const check = await keys.check(backend);
      if (check.status === 'ok') return { backend, key: check.key };
      if (check.status === 'missing' && backend.kind === 'local') return { backend, key: undefined };
      return { backend, blocked: check.message };
    }),
  );
}

/** Tells the user which backends cannot run for want of a key and offers to set it. */
export function offerKeyFix(services: Pick<HostServices, 'log'>, blocked: readonly BlockedBackend[]): void {
  if (!blocked.length) return;
  for (const { blocked: message } of blocked) services.log.warn(message);
  const first = blocked[0]!;
  const text =
    blocked.length === 1
      ? `Bakeoff: ${first.blocked}`
      : `Bakeoff: ${blocked.length} backends cannot be used until their API key is set: ${blocked
          .map((b) => backendName(b.backend))
          .join(', ')}.`;
  void vscode.window.showWarningMessage(text, 'Set API Key').then((choice) => {
    if (choice) void vscode.commands.executeCommand(commandIds.setApiKey, first.backend.id);
  });
}

/** Says that no backend is configured and offers Add Backend from Preset… or the demo. */
export async function offerAddBackend(): Promise<void> {
  const add = 'Add Backend from Preset';
  const demo = 'Try a Demo Comparison';
  const choice = await vscode.window.showWarningMessage('Bakeoff: no backends are configured yet. Add one, or try the demo (no key needed).', add, demo);
  if (choice === add) await vscode.commands.executeCommand(commandIds.addBackendFromPreset);
  if (choice === demo) await vscode.commands.executeCommand(commandIds.tryDemo);
}
