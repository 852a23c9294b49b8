import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs, formatRatioWithCi, formatUsd, markdownCell, outcomeLabel, retryNote, trialStateLine } from '../../src/core/format';
import { redactResult, toJsonReport, toMarkdownReport } from '../../src/core/report';
import { makeComparison, makeTrial } from './helpers/makeResult';

test('JSON report has the documented row shape; nothing unmeasured is a number', () => {
  const result = makeComparison([
    makeTrial({
      backendId: 'x',
      status: 'http_error',
      text: '',
      error: { type: 'http_error', message: 'HTTP 500', hint: 'retry later', httpStatus: 500 },
      metrics: { ttftMs: null, totalMs: null, tokensPerSecond: null, inputTokens: null, outputTokens: null, tokenSource: null } as never,
      wallMs: 6.2,
    }),
  ]);
  const report = toJsonReport(result);
  const row = report.results[0]!;
  assert.deepEqual(Object.keys(row).sort(), [
    'backend', 'costSource', 'costUsd', 'error', 'inputTokens', 'keyRedacted', 'outputTokens', 'retries', 'retryAfterMs', 'retryWaitMs',
    'status', 'text', 'tlsUnverified', 'tokenSource', 'tokensPerSecond', 'totalMs', 'trial', 'ttftMs', 'wallMs',
  ]);
  assert.deepEqual(row.error, { type: 'http_error', message: 'HTTP 500', hint: 'retry later' });
  assert.equal(row.totalMs, null);
  assert.equal(row.tokenSource, null);
  assert.equal(row.wallMs, 6.2);
  assert.deepEqual(Object.keys(report).sort(), ['outcome', 'perBackendConcurrency', 'results', 'runId', 'startedAt', 'summary']);
  assert.equal(report.summary.backends[0]!.failureLabel, '✗ HTTP 500');
});

test('Markdown report: verdict table first, fences that survive embedded fences, state lines', () => {
  const text = 'Here:\n````js\nx\n````\nend';
  const md = toMarkdownReport(
    makeComparison([
      makeTrial({ backendId: 'a', text }),
      makeTrial({
        backendId: 'b',
        status: 'http_error',
        text: '',
        error: { type: 'http_error', message: 'HTTP 429 Too Many Requests', hint: 'slow down', httpStatus: 429 },
        metrics: { totalMs: null, ttftMs: null } as never,
        retries: 2,
        retryWaitMs: 4000,
        retryAfterMs: 2000,
        wallMs: 4006,
      }),
    ]),
  );
  assert.ok(md.includes('`````text\n' + text + '\n`````'), md);
  assert.ok(md.indexOf('| A | closed | m | 1/1 |') < md.indexOf('## A'), md);
  assert.match(md, /\| B \| closed \| m \| 0\/1 · ✗ HTTP 429 ↻1 \|/);
  assert.match(md, /HTTP 429 Too Many Requests — failed after 4\.01 s, after 2 retries \(waited 4\.0 s, Retry-After 2 s\)/);
  assert.match(md, /Baseline: A \(the first backend that delivered\)/);
});

test('formatting is one definition: times, dollars, ratios, labels', () => {
  assert.equal(formatMs(null), '—');
  assert.equal(formatMs(412.4), '412 ms');
  assert.equal(formatMs(1240), '1.24 s');
  assert.equal(formatMs(125_000), '2m 05s');
  assert.equal(formatUsd(null), '—');
  assert.equal(formatUsd(0), '$0');
  assert.equal(formatUsd(0.000423), '$0.000423');
  assert.equal(formatUsd(1.234), '$1.23');
  assert.equal(formatRatioWithCi(0.9123, [0.88, 0.951]), '0.91× [0.88–0.95]');
  assert.equal(markdownCell('a|b\nc\\'), 'a\\|b c\\\\');
  assert.equal(markdownCell('[95 % CI] [x](javascript:1) <b>*e*</b> snake_case'), '[95 % CI] [x]\\(javascript:1) \\<b\\>\\*e\\*\\</b\\> snake_case');
  assert.equal(markdownCell('`OPENAI_API_KEY`|x', true), '`OPENAI_API_KEY`\\|x');
  assert.equal(outcomeLabel('not_sent', { type: 'not_sent', code: 'noKey' }), 'not sent: no key');
  assert.equal(outcomeLabel('timeout', { type: 'timeout', timeoutPhase: 'firstByte' }), '✗ timeout (first byte)');
  assert.equal(retryNote({ retries: 2, retryWaitMs: 4000, retryAfterMs: 2000 }), 'after 2 retries (waited 4.0 s, Retry-After 2 s)');
  assert.equal(retryNote({ retries: 0, retryWaitMs: 0, retryAfterMs: null }), '');
});

test('a trial that failed before its first byte reports the elapsed time in its state line, not as a total', () => {
  const refused = makeTrial({
    backendId: 'x',
    status: 'network_error',
    text: '',
    error: { type: 'network_error', message: 'Connection failed (ECONNREFUSED)', hint: 'h', code: 'ECONNREFUSED' },
    metrics: { totalMs: null, ttftMs: null } as never,
    wallMs: 6,
  });
  assert.equal(trialStateLine(refused), 'Connection failed (ECONNREFUSED) — failed after 6 ms');
  const notSent = makeTrial({ backendId: 'y', status: 'not_sent', text: '', error: { type: 'not_sent', message: 'No API key is set', hint: 'h', code: 'noKey' }, wallMs: null });
  assert.equal(trialStateLine(notSent), 'No API key is set');
});

test('redactResult scrubs echoed keys (any case, split by tags) from answers and errors; short placeholders stay', () => {
  const key = 'sk-live-0123456789abcdef';
  const result = makeComparison([
    makeTrial({ backendId: 'ollama', text: `Your key is ${key.toUpperCase()}; use ollama locally.`, reasoning: 'sk-live-0123<b>456789</b>abcdef' }),
    makeTrial({ backendId: 'b', status: 'http_error', text: '', error: { type: 'http_error', message: `bad key ${key}`, hint: 'h', body: `{"key":"${key}"}` } }),
  ]);
  const safe = redactResult(result, [key, 'ollama', undefined]);
  assert.equal(safe.results[0]!.text, 'Your key is ***; use ollama locally.');
  assert.equal(safe.results[0]!.reasoning, '***');
  assert.equal(safe.results[0]!.keyRedacted, true);
  assert.equal(safe.results[0]!.backendId, 'ollama');
  assert.equal(safe.results[1]!.error?.message, 'bad key ***');
  assert.ok(!JSON.stringify(toJsonReport(safe)).toLowerCase().includes(key.toLowerCase()));
  assert.equal(result.results[0]!.text.includes(key.toUpperCase()), true, 'the original is not modified');
});
