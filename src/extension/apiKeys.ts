/**
 * Set API Key… and Clear API Key…, and the key-store operations the in-editor tests use.
 * Keys go to the secret store bound to the backend's origin; they are never logged or shown.
 */
import * as vscode from 'vscode';
import { keyRequired, type Backend } from '../core/config';
import { originOf } from '../core/keyBinding';
import { offerAddBackend } from './backendKeys';
import type { HostServices } from './services';
import { backendName } from './settings';

/** What `activate()` returns in test mode. */
export interface BakeoffTestApi {
  setApiKey(backendId: string, key: string): Promise<void>;
  getApiKeyOrigin(backendId: string): Promise<string | undefined>;
  clearApiKey(backendId: string): Promise<void>;
  /** Whether the key stored for the backend's current origin equals `key` (the key itself never leaves). */
  keyMatches(backendId: string, key: string): Promise<boolean>;
}

export class ApiKeyCommands {
  constructor(private readonly services: HostServices) {}

  /**
   * Key-store operations for the in-editor test suite only (returned by `activate()` when the
   * extension runs in test mode). Never exposes a key itself.
   */
  testApi(): BakeoffTestApi {
    const backend = (id: string): Backend => {
      const found = this.services.settings.configuredBackends(false).find((b) => b.id === id);
      if (!found) throw new Error(`No configured backend "${id}"`);
      return found;
    };
    return {
      setApiKey: (id, key) => this.services.keys.store(backend(id), key),
      getApiKeyOrigin: (id) => this.services.keys.boundOrigin(id),
      clearApiKey: (id) => this.services.keys.delete(id),
      keyMatches: async (id, key) => {
        const check = await this.services.keys.check(backend(id));
        return check.status === 'ok' && check.key === key;
      },
    };
  }

  private async pickBackend(configured: readonly Backend[], placeHolder: string, onlyWithKeys = false): Promise<Backend | undefined> {
    const items: Array<vscode.QuickPickItem & { backend: Backend }> = [];
    for (const backend of configured) {
      const check = await this.services.keys.check(backend);
      if (onlyWithKeys && check.status === 'missing') continue;
      const state =
        check.status === 'ok'
          ? '$(key) key set'
          : check.status === 'missing'
            ? !keyRequired(backend)
              ? `no key (optional ${backend.kind === 'local' ? 'for a local backend' : 'with auth: none'})`
              : 'no key'
            : check.status === 'originMismatch'
              ? `$(warning) key saved for ${check.savedOrigin}`
              : '$(warning) stored key unreadable';
      items.push({
        label: backendName(backend),
        description: `${backend.kind} · ${originOf(backend.baseUrl) ?? backend.baseUrl}`,
        detail: state,
        backend,
      });
    }
    if (!items.length) return undefined;
    return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.backend;
  }

  /** Set API Key…: asks for the key of a backend (the given one, else picked) and stores it. */
  async setApiKey(backendId?: string): Promise<void> {
    const configured = this.services.settings.configuredBackends(true);
    if (!configured.length) return offerAddBackend();
    const backend =
      configured.find((b) => b.id === backendId) ??
      (await this.pickBackend(configured, 'Set the API key of which backend?'));
    if (!backend) return;
    const origin = originOf(backend.baseUrl) ?? backend.baseUrl;
    const key = await vscode.window.showInputBox({
      title: `API key for ${backendName(backend)}`,
      prompt: `Stored in the secret store and sent only to ${origin}.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const trimmed = value.trim();
        if (!trimmed) return 'Enter the key.';
        if (/\s/.test(trimmed)) return 'A key has no spaces or line breaks.';
        return undefined;
      },
    });
    if (key === undefined) return;
    await this.services.keys.store(backend, key.trim());
    this.services.log.info(`Stored an API key for ${backend.id} (bound to ${origin}).`);
    void vscode.window.showInformationMessage(`Bakeoff: saved the API key for ${backendName(backend)} (${origin}).`);
  }

  /** Clear API Key…: deletes the stored key of a backend (the given one, else picked). */
  async clearApiKey(backendId?: string): Promise<void> {
    const configured = this.services.settings.configuredBackends(true);
    let backend = configured.find((b) => b.id === backendId);
    if (!backend) {
      const withKeys: Backend[] = [];
      for (const b of configured) if (await this.services.keys.has(b.id)) withKeys.push(b);
      if (!withKeys.length) {
        void vscode.window.showInformationMessage('Bakeoff: no API keys are stored for the configured backends.');
        return;
      }
      backend = await this.pickBackend(withKeys, 'Clear the API key of which backend?', true);
    }
    if (!backend) return;
    await this.services.keys.delete(backend.id);
    this.services.log.info(`Cleared the API key for ${backend.id}.`);
    void vscode.window.showInformationMessage(`Bakeoff: cleared the API key for ${backendName(backend)}.`);
  }
}
