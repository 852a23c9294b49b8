import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkKeyBinding, decodeStoredKey, encodeStoredKey, originOf, secretName } from '../../src/core/keyBinding';

const backend = { id: 'chutes', label: 'Chutes', baseUrl: 'https://llm.chutes.ai/v1' };

test('secret name is per backend id', () => {
  assert.equal(secretName('chutes'), 'bakeoff.apiKey.chutes');
});

test('origin ignores path and query but keeps scheme, host and non-default port', () => {
  assert.equal(originOf('https://llm.chutes.ai/v1?x=1'), 'https://llm.chutes.ai');
  assert.equal(originOf('https://llm.chutes.ai:443/v1'), 'https://llm.chutes.ai');
  assert.equal(originOf('http://127.0.0.1:8080/v1'), 'http://127.0.0.1:8080');
  assert.equal(originOf('not a url'), null);
  assert.equal(originOf('file:///etc/passwd'), null);
});

test('a key saved for a backend is returned while the origin is unchanged', () => {
  const raw = encodeStoredKey('sk-secret-123', backend.baseUrl);
  assert.deepEqual(decodeStoredKey(raw), { key: 'sk-secret-123', origin: 'https://llm.chutes.ai' });
  const movedPath = { ...backend, baseUrl: 'https://llm.chutes.ai/v2/openai' };
  assert.deepEqual(checkKeyBinding(raw, movedPath), { status: 'ok', key: 'sk-secret-123' });
});

test('a key is withheld when the backend now points at another origin', () => {
  const raw = encodeStoredKey('sk-secret-123', backend.baseUrl);
  for (const baseUrl of ['https://evil.example/v1', 'http://llm.chutes.ai/v1', 'https://llm.chutes.ai:8443/v1']) {
    const check = checkKeyBinding(raw, { ...backend, baseUrl });
    assert.equal(check.status, 'originMismatch', baseUrl);
    assert.ok(!('key' in check));
    assert.ok(check.status === 'originMismatch');
    assert.equal(check.savedOrigin, 'https://llm.chutes.ai');
    assert.equal(
      check.message,
      `The key for Chutes was saved for https://llm.chutes.ai; this backend now points at ${new URL(baseUrl).origin}. Set the key again to allow it.`,
    );
    assert.ok(!check.message.includes('sk-secret-123'));
  }
});

test('a backend URL that no longer parses withholds the key', () => {
  const raw = encodeStoredKey('k', backend.baseUrl);
  assert.equal(checkKeyBinding(raw, { ...backend, baseUrl: 'nonsense' }).status, 'originMismatch');
});

test('missing and malformed entries are reported without a key', () => {
  assert.equal(checkKeyBinding(undefined, backend).status, 'missing');
  assert.equal(checkKeyBinding('', backend).status, 'missing');
  const legacy = checkKeyBinding('sk-plain-string', backend);
  assert.equal(legacy.status, 'unreadable');
  assert.ok('message' in legacy && !legacy.message.includes('sk-plain-string'));
  assert.equal(checkKeyBinding(JSON.stringify({ key: 'k' }), backend).status, 'unreadable');
  assert.equal(checkKeyBinding(JSON.stringify({ key: '', origin: 'https://llm.chutes.ai' }), backend).status, 'unreadable');
});

test('the label falls back to the id in messages', () => {
  const check = checkKeyBinding(undefined, { id: 'x1', baseUrl: 'https://a.example' });
  assert.ok(check.status === 'missing' && check.message.includes('x1'));
});

test('encoding refuses URLs without an http(s) origin', () => {
  assert.throws(() => encodeStoredKey('k', 'ftp://host/'), /valid http/);
});
