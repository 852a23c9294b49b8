/**
 * Runs inside the real extension host (see index.ts): activation, contributed commands, the
 * secret store through the extension's test API, and the scope of backend settings.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readBackends } from '../../src/extension/settings';

const extensionId = 'bakeoff.bakeoff';

/** Test hooks `activate()` returns (the secret store is otherwise reachable only through UI prompts). */
interface BakeoffTestApi {
  setApiKey(backendId: string, key: string): Promise<void>;
  getApiKeyOrigin(backendId: string): Promise<string | undefined>;
  clearApiKey(backendId: string): Promise<void>;
  keyMatches(backendId: string, key: string): Promise<boolean>;
}

interface ConfigurationContribution {
  properties?: Record<string, { scope?: string }>;
}

function bakeoffExtension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `extension ${extensionId} is not installed`);
  return ext;
}

function contributedSettings(): Record<string, { scope?: string }> {
  const raw = (bakeoffExtension().packageJSON as { contributes?: { configuration?: ConfigurationContribution | ConfigurationContribution[] } })
    .contributes?.configuration;
  const sections = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return Object.assign({}, ...sections.map((s) => s.properties ?? {}));
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const userBackends = [
  { id: 'it-closed', label: 'IT closed', kind: 'closed', baseUrl: 'http://127.0.0.1:9/v1', model: 'm-closed', pricing: { type: 'free' } },
  { id: 'it-dec', label: 'IT decentralized', kind: 'decentralized', baseUrl: 'http://127.0.0.1:10/v1', model: 'm-dec', pricing: { type: 'free' } },
];
const hostileBackends = [
  { id: 'it-closed', kind: 'closed', baseUrl: 'http://attacker.invalid/v1', model: 'stolen' },
  { id: 'evil', kind: 'gateway', baseUrl: 'http://attacker.invalid/v1', model: 'stolen' },
];

suite('Bakeoff in the extension host', () => {
  let api: unknown;

  suiteSetup(async () => {
    await vscode.workspace.getConfiguration('bakeoff').update('backends', userBackends, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('bakeoff').update('backends', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the extension activates', async () => {
    const ext = bakeoffExtension();
    api = await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('start-up loads only dist/extension.js; the rest loads with the first command', async () => {
    const ext = bakeoffExtension();
    const loaded = () => Object.keys(require.cache).filter((f) => f.startsWith(ext.extensionPath)).map((f) => f.slice(ext.extensionPath.length + 1).replace(/\\/g, '/'));
    const before = loaded();
    assert.ok(before.includes('dist/extension.js'), `the entry point is loaded: ${before.join(', ')}`);
    for (const file of ['dist/host.js', 'dist/priceCatalogue.js']) assert.ok(!before.includes(file), `${file} is not loaded at start-up (${before.join(', ')})`);
    await vscode.commands.executeCommand('bakeoff.openLogs');
    assert.ok(loaded().includes('dist/host.js'), 'the first command loaded dist/host.js');
  });

  test('every command contributed in package.json is registered', async () => {
    const declared = ((bakeoffExtension().packageJSON as { contributes?: { commands?: Array<{ command: string }> } }).contributes?.commands ?? []).map(
      (c) => c.command,
    );
    assert.ok(declared.length >= 10, `expected the ten bakeoff.* commands, package.json declares ${declared.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
    for (const id of ['bakeoff.compareSelection', 'bakeoff.setApiKey', 'bakeoff.cancel']) assert.ok(declared.includes(id), `${id} not declared`);
  });

  test('an API key round-trips through the secret store, bound to the backend origin', async () => {
    const testApi = api as Partial<BakeoffTestApi> | undefined;
    assert.ok(
      testApi &&
        typeof testApi.setApiKey === 'function' &&
        typeof testApi.getApiKeyOrigin === 'function' &&
        typeof testApi.clearApiKey === 'function' &&
        typeof testApi.keyMatches === 'function',
      'activate() must return { setApiKey, getApiKeyOrigin, clearApiKey, keyMatches }',
    );
    const full = testApi as BakeoffTestApi;
    const key = 'sk-integration-0001';
    const config = () => vscode.workspace.getConfiguration('bakeoff');
    const baseUrlOf = (id: string) => readBackends(config()).backends.find((b) => b.id === id)?.baseUrl;
    await full.clearApiKey('it-closed');
    assert.equal(await full.getApiKeyOrigin('it-closed'), undefined);
    assert.equal(await full.keyMatches('it-closed', key), false, 'no key stored yet');
    await full.setApiKey('it-closed', key);
    try {
      assert.equal(await full.getApiKeyOrigin('it-closed'), 'http://127.0.0.1:9');
      assert.equal(await full.keyMatches('it-closed', key), true, 'the stored value comes back for its origin');
      assert.equal(await full.keyMatches('it-closed', `${key}x`), false, 'another value does not match');
      assert.equal(await full.keyMatches('it-dec', key), false, 'a key for one backend must not appear under another');
      assert.equal(await full.getApiKeyOrigin('it-dec'), undefined, 'a key for one backend must not appear under another');

      // Origin binding: the same backend id pointed at another host must not get the key.
      const moved = userBackends.map((b) => (b.id === 'it-closed' ? { ...b, baseUrl: 'http://127.0.0.1:11/v1' } : b));
      await config().update('backends', moved, vscode.ConfigurationTarget.Global);
      try {
        await until(() => baseUrlOf('it-closed') === 'http://127.0.0.1:11/v1', 'the moved baseUrl to apply');
        assert.equal(await full.keyMatches('it-closed', key), false, 'a key saved for one origin is not handed to another');
        assert.equal(await full.getApiKeyOrigin('it-closed'), 'http://127.0.0.1:9', 'the key stays bound to the origin it was saved for');
      } finally {
        await config().update('backends', userBackends, vscode.ConfigurationTarget.Global);
        await until(() => baseUrlOf('it-closed') === 'http://127.0.0.1:9/v1', 'the original baseUrl to come back');
      }
      assert.equal(await full.keyMatches('it-closed', key), true, 'back on its origin, the key matches again');
    } finally {
      await full.clearApiKey('it-closed');
    }
    assert.equal(await full.getApiKeyOrigin('it-closed'), undefined);
    assert.equal(await full.keyMatches('it-closed', key), false, 'cleared');
  });

  test('every backends-related setting is application-scoped', () => {
    const settings = contributedSettings();
    const backendKeys = Object.keys(settings).filter((k) => /backend/i.test(k));
    assert.ok(backendKeys.includes('bakeoff.backends'), `bakeoff.backends not contributed (found ${Object.keys(settings).join(', ')})`);
    for (const key of backendKeys) assert.equal(settings[key]!.scope, 'application', `${key} scope`);
    const inspected = vscode.workspace.getConfiguration('bakeoff').inspect('backends');
    assert.ok(inspected, 'bakeoff.backends cannot be inspected');
    assert.deepEqual(inspected.globalValue, userBackends);
  });

  test('bakeoff.backends written at Workspace target does not change the backends used', async () => {
    const before = readBackends(vscode.workspace.getConfiguration('bakeoff'));
    assert.deepEqual(
      before.backends.map((b) => [b.id, b.baseUrl]),
      userBackends.map((b) => [b.id, b.baseUrl]),
    );
    let rejected: unknown;
    try {
      await vscode.workspace.getConfiguration('bakeoff').update('backends', hostileBackends, vscode.ConfigurationTarget.Workspace);
    } catch (err) {
      rejected = err;
    }
    try {
      const after = readBackends(vscode.workspace.getConfiguration('bakeoff'));
      assert.deepEqual(
        after.backends.map((b) => [b.id, b.baseUrl]),
        userBackends.map((b) => [b.id, b.baseUrl]),
        'workspace value leaked into the backends in use',
      );
      assert.ok(!after.backends.some((b) => b.baseUrl.includes('attacker.invalid')));
      // The editor itself refuses application settings from the workspace (write rejected or value ignored).
      const effective = vscode.workspace.getConfiguration('bakeoff').get<Array<{ baseUrl: string }>>('backends') ?? [];
      assert.ok(rejected !== undefined || !effective.some((b) => b.baseUrl.includes('attacker.invalid')), 'workspace value became effective');
    } finally {
      if (rejected === undefined) {
        await vscode.workspace.getConfiguration('bakeoff').update('backends', undefined, vscode.ConfigurationTarget.Workspace);
      }
    }
  });

  test('a .vscode/settings.json written on disk cannot redirect a backend', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the suite needs an open folder');
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeConfiguration(() => {
        sub.dispose();
        resolve();
      });
    });
    await vscode.workspace.fs.writeFile(
      file,
      Buffer.from(JSON.stringify({ 'bakeoff.backends': hostileBackends, 'editor.tabSize': 7 }, null, 2)),
    );
    try {
      await changed;
      // editor.tabSize proves the file was read; bakeoff.backends from it must stay ignored.
      await until(() => vscode.workspace.getConfiguration('editor').get('tabSize') === 7, 'workspace settings to load');
      const reading = readBackends(vscode.workspace.getConfiguration('bakeoff'));
      assert.deepEqual(
        reading.backends.map((b) => b.baseUrl),
        userBackends.map((b) => b.baseUrl),
      );
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});
