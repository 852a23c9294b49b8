import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUsd, redactResult, summarize, toJsonReport, toMarkdownReport } from '../../src/core/report';
import { makeComparison, makeTrial } from './helpers/makeResult';

const trials = (id: string, totals: number[], cost: number | null, extra = {}) =>
  totals.map((totalMs, i) =>
    makeTrial({ backendId: id, trial: i + 1, metrics: { totalMs, ttftMs: totalMs / 10 } as never, cost: { costUsd: cost, costSource: cost == null ? 'unknown' : 'override', detail: '' }, ...extra }),
  );

test('summarize computes ratios against the first backend', () => {
  const result = makeComparison([
    ...trials('closed', [100, 110, 90], 0.01),
    ...trials('dec', [240, 264, 216], 0.004, { kind: 'decentralized' }),
  ]);
  const [base, dec] = summarize(result);
  assert.equal(base.latencyRatio, 1);
  assert.equal(base.latencyRatioCi, null);
  assert.ok(Math.abs(dec.latencyRatio! - 2.4) < 1e-9);
  assert.ok(Math.abs(dec.costRatio! - 0.4) < 1e-9);
  assert.equal(dec.totalP50Ms, 240);
  assert.ok(dec.latencyRatioCi && dec.latencyRatioCi.low <= 2.4 && dec.latencyRatioCi.high >= 2.4);
  assert.equal(dec.completionRate, 1);
});

test('failed trials count against completion and are left out of latency percentiles', () => {
  const result = makeComparison([
    ...trials('a', [100], 0.01),
    makeTrial({ backendId: 'b', trial: 1, metrics: { totalMs: 300 } as never }),
    makeTrial({ backendId: 'b', trial: 2, status: 'timeout', metrics: { totalMs: 60000, ttftMs: null } as never }),
  ]);
  const b = summarize(result)[1];
  assert.equal(b.okCount, 1);
  assert.equal(b.completionRate, 0.5);
  assert.equal(b.totalP50Ms, 300);
  assert.deepEqual(b.statuses, { ok: 1, timeout: 1 });
});

test('unknown cost stays unknown (null), never zero', () => {
  const result = makeComparison([...trials('a', [100], null), ...trials('b', [100], 0.5)]);
  const [a, b] = summarize(result);
  assert.equal(a.costP50Usd, null);
  assert.equal(b.costRatio, null);
  assert.equal(formatUsd(null), 'unknown');
});

test('JSON report has the documented row shape', () => {
  const result = makeComparison([
    makeTrial({ backendId: 'x', status: 'http_error', error: { type: 'http_error', message: 'HTTP 500', hint: 'retry later', httpStatus: 500 } }),
  ]);
  const row = toJsonReport(result).results[0];
  assert.deepEqual(Object.keys(row).sort(), [
    'backend', 'costSource', 'costUsd', 'error', 'inputTokens', 'outputTokens', 'status', 'text', 'tokenSource', 'tokensPerSecond', 'totalMs', 'trial', 'ttftMs',
  ]);
  assert.deepEqual(row.error, { type: 'http_error', message: 'HTTP 500' });
});

test('Markdown report fences answers so embedded fences survive', () => {
  const text = 'Here:\n````js\nx\n````\nend';
  const md = toMarkdownReport(makeComparison([makeTrial({ backendId: 'a', text })]));
  assert.ok(md.includes('`````text\n' + text + '\n`````'), md);
  assert.match(md, /\| A \| closed \| m \| 1\/1 \|/);
});

test('redactResult scrubs echoed keys from answers and errors without touching ids or numbers', () => {
  const key = 'sk-live-0123456789abcdef';
  const result = makeComparison([
    makeTrial({ backendId: 'ollama', text: `Your key is ${key}; use ollama locally.`, reasoning: key }),
    makeTrial({ backendId: 'b', status: 'http_error', text: '', error: { type: 'http_error', message: `bad key ${key}`, hint: 'h', body: `{"key":"${key}"}` } }),
  ]);
  const safe = redactResult(result, [key, 'ollama', undefined]);
  assert.equal(safe.results[0].text, 'Your key is ***; use ollama locally.');
  assert.equal(safe.results[0].reasoning, '***');
  assert.equal(safe.results[0].backendId, 'ollama');
  assert.equal(safe.results[1].error?.message, 'bad key ***');
  assert.ok(!JSON.stringify(toJsonReport(safe)).includes(key));
  assert.equal(result.results[0].text.includes(key), true, 'the original is not modified');
});
