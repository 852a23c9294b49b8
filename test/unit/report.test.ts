import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs, formatRatioWithCi, formatUsd, markdownCell, outcomeLabel, retryNote, trialStateLine } from '../../src/core/format';
import { exportFileName, redactResult, toJsonReport, toMarkdownReport } from '../../src/core/report';
import { toHtmlReport } from '../../src/core/htmlReport';
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
    'backend', 'connection', 'costSource', 'costUsd', 'error', 'inputTokens', 'keyRedacted', 'outputTokens', 'phases', 'retries', 'retryAfterMs', 'retryWaitMs',
    'status', 'streamFlags', 'text', 'tlsUnverified', 'tokenSource', 'tokensPerSecond', 'totalMs', 'trial', 'ttftMs', 'wallMs',
  ]);
  assert.equal(row.phases, null, 'no breakdown without marks');
  assert.deepEqual(row.streamFlags, { buffered: null, firstByteWithoutContent: null });
  assert.equal(row.connection, 'fresh');
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
  // The answer is rendered with its own code fences (a reader sees highlighted code), and the
  // rest of the report stays outside them.
  assert.ok(md.includes(`\n${text}\n`), md);
  assert.ok(md.indexOf('| A | closed | m | 1/1 |') < md.indexOf('## A'), md);
  assert.match(md, /<details><summary>Prompt<\/summary>/);
  assert.match(md, /\| B \| closed \| m \| 0\/1 · ✗ HTTP 429 ↻1 \|/);
  assert.match(md, /HTTP 429 Too Many Requests — failed after 4\.01 s, after 2 retries \(waited 4\.0 s, Retry-After 2 s\)/);
  assert.match(md, /Baseline: A \(the first backend that delivered\)/);
});

test('Markdown report: one answer per backend (its median trial), an unclosed fence closed, every trial listed', () => {
  const trial = (n: number, totalMs: number, text: string) => makeTrial({ backendId: 'a', trial: n, text, metrics: { totalMs, ttftMs: 10 } as never });
  const md = toMarkdownReport(makeComparison([trial(1, 300, 'slow one'), trial(2, 100, 'fast one'), trial(3, 200, 'Median:\n```ts\nconst x = 1;')]), null, { title: 'Selection from cart.ts (3 lines)' });
  assert.match(md, /^# Bakeoff comparison — Selection from cart\.ts \(3 lines\)/);
  assert.match(md, /## A \(median trial: 3\)/);
  assert.ok(md.includes('Median:\n```ts\nconst x = 1;\n```'), `the open fence is closed:\n${md}`);
  assert.ok(!md.includes('slow one') || md.indexOf('slow one') > md.indexOf('## Every trial'), 'other trials only in the table');
  assert.match(md, /## Every trial/);
  assert.match(md, /Setup: 1 backend × 3 trials · max_tokens 64/);
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

test('timing breakdown, connection and stream flags reach --json, the Markdown export and the notes', () => {
  const phases = {
    dnsMs: 1.23456,
    connectMs: 0.5,
    tunnelMs: null,
    tlsMs: 12,
    sendMs: 0.2,
    requestToHeadersMs: 250,
    headersToFirstByteMs: 0.1,
    firstByteToFirstTokenMs: 80,
    decodeMs: 1500,
    connectionReused: false,
  };
  const result = makeComparison([
    makeTrial({
      backendId: 'w',
      connection: 'warm',
      streamFlags: { buffered: true, firstByteWithoutContent: true },
      timing: { startMs: 0, headersMs: 264, firstByteMs: 264.1, firstContentMs: 344.1, chunkMs: [344.1], endMs: 1844.1, phases },
    }),
    makeTrial({ backendId: 'f' }),
  ]);
  const json = toJsonReport(result);
  assert.deepEqual(json.results[0]!.phases, { ...phases, dnsMs: 1.235 });
  assert.equal(json.results[0]!.connection, 'warm');
  assert.deepEqual(json.results[0]!.streamFlags, { buffered: true, firstByteWithoutContent: true });
  const md = toMarkdownReport(result);
  assert.match(
    md,
    /Timing: DNS 1\.2 ms · TCP connect 0\.5 ms · TLS 12 ms · request written 0\.2 ms · sent → headers 250 ms · headers → first byte 0\.1 ms · first byte → first token 80 ms · decode 1\.50 s \(warm connection \(not reused: a new one was opened\)\)/,
  );
  assert.match(md, /> Stream buffered: at least half of the answer arrived in the last 10 % of its time/);
  assert.match(md, /> Stream first byte without content: the first event carried no text/);
  assert.match(md, /Warm connections for W: each measured request went over a kept-alive connection/);
  assert.equal((md.match(/Stream buffered/g) ?? []).length, 1, 'only the flagged trial');
});

test('HTML report: self-contained, inert answers, the same table as the Markdown report', () => {
  const hostile = '# Hi\n<script>alert(1)</script>\n![x](https://evil.example/a.png) [ok](https://example.org) [js](javascript:alert(1))\n```ts\nconst a = 1;\n```';
  const html = toHtmlReport(makeComparison([makeTrial({ backendId: 'a', text: hostile })]), null, { title: 'Selection from cart.ts (3 lines)' });
  assert.match(html, /<title>Bakeoff comparison — Selection from cart\.ts \(3 lines\)<\/title>/);
  assert.match(html, /default-src 'none'/);
  assert.ok(!html.includes('<script>'), 'no script');
  assert.ok(!/<img/i.test(html), 'no image is loaded');
  assert.ok(!html.includes('href="javascript:'), 'no javascript link');
  assert.match(html, /<a href="https:\/\/example\.org">ok<\/a>/);
  assert.match(html, /<pre><code class="language-ts">const a = 1;/);
  assert.match(html, /<td>A<\/td><td>closed<\/td><td>m<\/td><td>1\/1<\/td>/);
});

test('export file names say when and what: bakeoff-2026-12-01-cart.ts.md', () => {
  const at = new Date(2026, 11, 1, 14, 5).toISOString();
  assert.equal(exportFileName({ startedAt: at }, 'cart.ts', 'md'), 'bakeoff-2026-12-01-cart.ts.md');
  assert.equal(exportFileName({ startedAt: at }, undefined, 'html'), 'bakeoff-2026-12-01-prompt.html');
  assert.equal(exportFileName({ startedAt: at }, '../my file?.ts', 'json'), 'bakeoff-2026-12-01-my_file_.ts.json');
});
