import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend } from '../../src/core/config';
import { toJsonReport } from '../../src/core/report';
import { runComparison } from '../../src/core/runner';
import { demoPrompt, demoStandIns, startStandIn } from '../../src/core/standIn';

test('the demo stand-ins speak the OpenAI streaming format on their schedule; the runner measures them like any backend', async () => {
  const servers = await Promise.all(demoStandIns.map((s) => startStandIn(s.backend.model, s.schedule)));
  try {
    for (const s of servers) assert.match(s.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const backends = demoStandIns.map((s, i) => Backend.parse({ ...s.backend, baseUrl: servers[i]!.baseUrl }));
    const result = await runComparison({
      backends,
      messages: [{ role: 'user', content: demoPrompt }],
      params: { maxTokens: 512, temperature: 0 },
      timeouts: { connectMs: 5_000, firstByteMs: 10_000, idleMs: 10_000, totalMs: 30_000, maxErrorBodyBytes: 8192, maxStreamBytes: 4 * 1024 * 1024 },
      resolveKey: () => undefined,
    });
    const [closed, dec] = result.results;
    for (const [r, s] of [[closed!, demoStandIns[0]!], [dec!, demoStandIns[1]!]] as const) {
      assert.equal(r.status, 'ok', r.error?.message);
      assert.equal(r.text, s.schedule.text, 'the whole answer arrives, word for word');
      assert.ok(r.metrics.ttftMs! >= s.schedule.ttftMs * 0.9, `TTFT ${r.metrics.ttftMs} vs ${s.schedule.ttftMs}`);
      assert.ok(r.metrics.totalMs! > r.metrics.ttftMs!, 'streams after the first token');
      assert.ok(r.backendLabel.includes('demo stand-in'));
      assert.ok(r.cost.costUsd !== null && r.cost.costUsd > 0);
    }
    // Both report usage, so the demo's figures never wait on token counting.
    assert.equal(closed!.metrics.tokenSource, 'reported');
    assert.equal(dec!.metrics.tokenSource, 'reported');
    assert.equal(closed!.metrics.outputTokens, Math.ceil(demoStandIns[0]!.schedule.text.length / 4));
    assert.ok(dec!.metrics.ttftMs! > closed!.metrics.ttftMs!, 'the decentralized stand-in is slower');
    const report = JSON.stringify(toJsonReport(result));
    assert.equal((report.match(/demo stand-in/g) ?? []).length >= 2, true, 'exports name the stand-ins');
    assert.equal(servers[0]!.requests, 1);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
  // Closed: nothing listens any more.
  await assert.rejects(fetch(`${servers[0]!.baseUrl}/models`));
});
