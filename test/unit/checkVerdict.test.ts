import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, type BackendInput } from '../../src/core/config';
import { checkVerdict } from '../../src/core/checkVerdict';
import { checkBackend } from '../../src/core/runner';
import { UsageSupportMemory } from '../../src/core/stream';
import { useFixtureServer } from './helpers/fixture';

const fixture = useFixtureServer();
const backend = (model: string, extra: Partial<BackendInput> = {}) => Backend.parse({ id: `b-${model}`, kind: 'decentralized', baseUrl: fixture.server.baseUrl, model, ...extra });

test('a backend whose chat requests all fail is "not working", even when it lists the model', async () => {
  fixture.server.setSchedule('always-500', { fault: { type: 'status', status: 500 } });
  const check = await checkBackend(backend('always-500'), undefined, { usageMemory: new UsageSupportMemory() });
  assert.equal(check.reachable, true);
  assert.equal(check.modelFound, true, 'the model is listed…');
  assert.equal(check.chat.status, 'http_error', '…but the chat request failed');
  assert.equal(check.chat.httpStatus, 500);
  const v = checkVerdict(check, { model: 'always-500' });
  assert.equal(v.level, 'failing');
  assert.equal(v.headline, 'Not working');
  assert.match(v.reasons[0]!, /^A chat request failed: HTTP 500/);
  assert.deepEqual(v.fixes, ['retry']);
});

test('ready, caveats (no streamed usage), and a missing model with the ids the server lists', async () => {
  fixture.server.setSchedule('fine', { text: 'ok' });
  fixture.server.setSchedule('no-usage', { text: 'ok', usage: 'never' });
  const memory = new UsageSupportMemory();
  const ready = checkVerdict(await checkBackend(backend('fine'), undefined, { usageMemory: memory }), { model: 'fine' });
  assert.equal(ready.level, 'ready');
  const caveats = checkVerdict(await checkBackend(backend('no-usage'), undefined, { usageMemory: memory }), { model: 'no-usage' });
  assert.equal(caveats.level, 'caveats');
  assert.match(caveats.reasons.join(' '), /token counts \(and costs\) are estimated/);
  const missingCheck = await checkBackend(backend('not-there'), undefined, { usageMemory: memory });
  const missing = checkVerdict(missingCheck, { model: 'not-there' });
  // The fixture answers any model, so the chat works: a caveat naming the models it does list.
  assert.equal(missing.level, 'caveats');
  assert.match(missing.reasons[0]!, /"not-there" is not in the server's model list/);
  assert.ok(missing.otherModels.includes('fine') && missing.otherModels.includes('fixture-model'), missing.otherModels.join(', '));
  assert.ok(!missing.otherModels.includes('not-there'));
  assert.deepEqual(missing.fixes, ['openSettings']);
  const insecure = checkVerdict(await checkBackend(backend('fine'), undefined, { usageMemory: memory }), { model: 'fine', tlsInsecure: true });
  assert.equal(insecure.level, 'caveats');
});

test('an unreachable backend is not working, with its connection error', async () => {
  const down = await checkBackend(backend('x', { baseUrl: 'http://127.0.0.1:9/v1' }), undefined, { timeouts: { connectMs: 2000 } });
  const v = checkVerdict(down, { model: 'x' });
  assert.equal(v.level, 'failing');
  assert.match(v.reasons[0]!, /^Not reachable: Connection failed/);
  assert.ok(v.fixes.includes('openSettings'));
});
