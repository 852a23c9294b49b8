import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/config';
import { runComparison } from '../../src/core/runner';
import { useFixtureServer } from './helpers/fixture';

const fixture = useFixtureServer();

test('a run with more than 10 concurrent streams on one signal prints no MaxListenersExceededWarning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    fixture.server.setSchedule('*', { text: 'Twelve at once.', ttftMs: 50 });
    const backends = parseConfig({
      backends: Array.from({ length: 12 }, (_, i) => ({ id: `b${i}`, kind: 'local', baseUrl: fixture.server.baseUrl, model: `m${i}`, pricing: { type: 'modelsEndpoint' } })),
    }).backends;
    const controller = new AbortController();
    const result = await runComparison({
      backends,
      messages: [{ role: 'user', content: 'hi' }],
      params: { maxTokens: 8, temperature: 0 },
      timeouts: parseConfig({ backends: [backends[0]] }).timeouts,
      trials: 2,
      concurrency: 24,
      signal: controller.signal,
      resolveKey: () => undefined,
    });
    assert.equal(result.results.length, 24);
    assert.ok(result.results.every((r) => r.status === 'ok'), result.results.map((r) => r.status).join(','));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
  }
  await fixture.settled();
});
