/**
 * API keys in the editor's secret store, each bound to the origin it was saved for
 * (see `core/keyBinding`). Keys are never logged or shown.
 */
import type * as vscode from 'vscode';
import type { Backend } from '../core/config';
import { checkKeyBinding, decodeStoredKey, encodeStoredKey, secretName, type KeyCheck } from '../core/keyBinding';

/** Reads, writes and deletes backend keys in `context.secrets`. */
export class ApiKeyStore {
  /** Every key handed out or stored during this session, for redaction of error text. */
  private readonly seen = new Set<string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The key for `backend` if one is stored for its current origin; otherwise why not. */
  async check(backend: Pick<Backend, 'id' | 'label' | 'baseUrl'>): Promise<KeyCheck> {
    const result = checkKeyBinding(await this.secrets.get(secretName(backend.id)), backend);
    if (result.status === 'ok') this.seen.add(result.key);
    return result;
  }

  /** Whether anything is stored under the backend's id (whatever its origin). */
  async has(backendId: string): Promise<boolean> {
    const raw = await this.secrets.get(secretName(backendId));
    return raw !== undefined && raw !== '';
  }

  /** Stores `key` bound to the origin of `backend.baseUrl`. */
  async store(backend: Pick<Backend, 'id' | 'baseUrl'>, key: string): Promise<void> {
    this.seen.add(key);
    await this.secrets.store(secretName(backend.id), encodeStoredKey(key, backend.baseUrl));
  }

  /** The origin the stored key of `backendId` is bound to; undefined when none is stored. */
  async boundOrigin(backendId: string): Promise<string | undefined> {
    return decodeStoredKey(await this.secrets.get(secretName(backendId)))?.origin;
  }

  /** Deletes the stored key of a backend. */
  async delete(backendId: string): Promise<void> {
    await this.secrets.delete(secretName(backendId));
  }

  /** Keys known this session, to pass to `redactSecrets`. */
  knownKeys(): string[] {
    return [...this.seen];
  }

  /** Fires when a key is stored or deleted (event carries the backend id). */
  onDidChange(listener: (backendId: string) => void): vscode.Disposable {
    const prefix = secretName('');
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith(prefix)) listener(e.key.slice(prefix.length));
    });
  }
}
