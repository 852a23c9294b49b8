/**
 * What the comparison and the backend check share before they send anything: the key each
 * chosen backend will use (or why it cannot run), and the prompts that offer to fix a missing
 * key or a missing backend.
 */
import * as vscode from 'vscode';
import { keyRequired, type Backend } from '../core/config';
import { originOf } from '../core/keyBinding';
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
      if (check.status === 'missing' && !keyRequired(backend)) return { backend, key: undefined };
      return { backend, blocked: check.message };
    }),
  );
}

/**
 * Asks, right there, for the key of each backend that cannot run without one (an input box
 * naming the origin the key will be bound to), stores what is entered and returns the backends
 * with their keys. A backend whose prompt is dismissed stays blocked: its column says why and
 * offers Set API Key.
 */
export async function askForMissingKeys(services: Pick<HostServices, 'keys' | 'log'>, keyed: KeyedBackend[]): Promise<KeyedBackend[]> {
  const out: KeyedBackend[] = [];
  const blockedCount = keyed.filter(isBlocked).length;
  let asked = 0;
  for (const item of keyed) {
    if (!isBlocked(item)) {
      out.push(item);
      continue;
    }
    asked++;
    const { backend } = item;
    const origin = originOf(backend.baseUrl) ?? backend.baseUrl;
    const key = await vscode.window.showInputBox({
      title: `API key for ${backendName(backend)}${blockedCount > 1 ? ` (${asked}/${blockedCount})` : ''}`,
      prompt: `${item.blocked.replace(/ Run "Bakeoff: Set API Key…" to add one\.$/, '')} Enter it to run the comparison: it is kept in the secret store and sent only to ${origin}. Escape compares without ${backendName(backend)}.`,
      placeHolder: `Key for ${origin}`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (/\s/.test(value.trim()) ? 'A key has no spaces or line breaks.' : undefined),
    });
    const trimmed = key?.trim();
    if (!trimmed) {
      out.push(item);
      continue;
    }
    await services.keys.store(backend, trimmed);
    services.log.info(`Stored an API key for ${backend.id} (bound to ${origin}) when a comparison needed it.`);
    out.push({ backend, key: trimmed });
  }
  return out;
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

/** Says that no backend is configured and offers Add Backend… or the demo. */
export async function offerAddBackend(): Promise<void> {
  const add = 'Add Backend';
  const demo = 'Try a Demo Comparison';
  const choice = await vscode.window.showWarningMessage('Bakeoff: no backends are configured yet. Add one, or try the demo (no key needed).', add, demo);
  if (choice === add) await vscode.commands.executeCommand(commandIds.addBackendFromPreset);
  if (choice === demo) await vscode.commands.executeCommand(commandIds.tryDemo);
}
