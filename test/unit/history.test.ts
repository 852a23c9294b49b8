import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HistoryStore,
  historyMaxBytes,
  historyRunEndRecord,
  historyRunRecord,
  historyTrialRecord,
  parseHistory,
  samePrompt,
  combineRuns,
  historySuiteCellRecord,
  historySuiteEndRecord,
  historySuiteStartRecord,
  storedRunResult,
  type RunRecord,
} from '../../src/core/history';
import { makeTrial } from './helpers/makeResult';

const key = 'sk-live-abcdefghijklmnop1234';

function runRecord(runId: string, prompt = 'hello', extra: Partial<RunRecord> = {}): RunRecord {
  return historyRunRecord(
    {
      runId,
      startedAt: '2026-03-01T10:00:00.000Z',
      mode: 'compare',
      title: `Prompt ${prompt}`,
      request: { messages: [{ role: 'user', content: prompt }], params: { maxTokens: 64, temperature: 0 } },
      backends: [
        { id: 'a', label: 'A', kind: 'closed', model: 'm-a', pricingNote: '' },
        { id: 'b', label: 'B', kind: 'decentralized', model: 'm-b', pricingNote: '' },
      ],
      trials: 2,
      ...extra,
    },
    [key],
  );
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'bakeoff-history-')), 'history.jsonl');
}

function store(file: string, maxBytes = 10 * 1024 * 1024, warnings: string[] = []): HistoryStore {
  return new HistoryStore(file, { maxBytes: () => maxBytes, onWarning: (w) => warnings.push(w) });
}

test('a run is written as it goes and read back with its trials in column order', async () => {
  const file = tempFile();
  const s = store(file);
  await s.append(runRecord('r1'));
  await s.append(historyTrialRecord('r1', makeTrial({ backendId: 'b', trial: 1 }), [key]));
  await s.append(historyTrialRecord('r1', makeTrial({ backendId: 'a', trial: 2 }), [key]));
  await s.append(historyTrialRecord('r1', makeTrial({ backendId: 'a', trial: 1 }), [key]));
  await s.append(historyRunEndRecord('r1', 'finished', null));
  const { runs, warnings } = await s.read();
  assert.deepEqual(warnings, []);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.outcome, 'finished');
  assert.deepEqual(runs[0]!.results.map((r) => `${r.backendId}#${r.trial}`), ['a#1', 'b#1', 'a#2']);
  const result = storedRunResult(runs[0]!);
  assert.equal(result.outcome, 'finished');
  assert.deepEqual(result.request.messages, [{ role: 'user', content: 'hello' }]);
});

test('a run killed half-way keeps its finished trials and reads back as interrupted', async () => {
  const file = tempFile();
  const s = store(file);
  await s.append(runRecord('r1'));
  await s.append(historyTrialRecord('r1', makeTrial({ backendId: 'a', trial: 1 }), [key]));
  // The editor died while writing the next line: half a JSON object, no newline.
  appendFileSync(file, '{"type":"trial","v":1,"runId":"r1","result":{"backendId":"b","tri');
  const warnings: string[] = [];
  const reading = await store(file, 10 * 1024 * 1024, warnings).read();
  assert.equal(reading.runs[0]!.outcome, 'interrupted');
  assert.equal(reading.runs[0]!.results.length, 1);
  assert.equal(reading.warnings.length, 1);
  assert.match(reading.warnings[0]!, /^line 3: not valid JSON/);
  assert.equal(warnings.length, 1, 'the skipped line is reported once');
  assert.equal(storedRunResult(reading.runs[0]!).outcome, 'cancelled');

  // The next append starts on a line of its own, so the cut line does not swallow it.
  const s2 = store(file);
  await s2.append(runRecord('r2'));
  const after = await s2.read();
  assert.deepEqual(after.runs.map((r) => r.record.runId), ['r1', 'r2']);
  assert.equal(after.warnings.length, 1);
});

test('corrupt, foreign and newer lines are skipped with a warning each; the rest loads', () => {
  const good = JSON.stringify(runRecord('r1'));
  const text = [
    good,
    'not json at all',
    JSON.stringify({ type: 'trial', v: 1, runId: 'r1', result: { backendId: 'a' } }),
    JSON.stringify({ type: 'run', v: 7, runId: 'future' }),
    JSON.stringify({ type: 'mystery', v: 1 }),
    JSON.stringify(historyTrialRecord('ghost', makeTrial({ backendId: 'a' }), [])),
    '',
    JSON.stringify(historyRunEndRecord('r1', 'cancelled', null)),
  ].join('\n');
  const reading = parseHistory(text);
  assert.equal(reading.runs.length, 1);
  assert.equal(reading.runs[0]!.outcome, 'cancelled');
  assert.equal(reading.warnings.length, 5);
  assert.match(reading.warnings[0]!, /^line 2: not valid JSON/);
  assert.match(reading.warnings[1]!, /^line 3: not a history record \(result\./);
  assert.match(reading.warnings[2]!, /^line 4: written by a newer version/);
  assert.match(reading.warnings[3]!, /^line 5: not a history record/);
  assert.match(reading.warnings[4]!, /^line 6: a trial of run ghost, whose first line is missing/);
});

test('no key is ever written: answers, errors, the recorded request and the prompt are scrubbed', async () => {
  const file = tempFile();
  const s = store(file);
  const leaky = makeTrial({
    backendId: 'a',
    text: `the key is ${key.toUpperCase()}`,
    reasoning: `thinking about ${key}`,
    status: 'http_error',
    error: { type: 'http_error', message: `HTTP 401: bad key ${key}`, hint: 'fix it', body: `{"key":"${key}"}` },
    request: { url: 'https://x/v1/chat/completions', headers: { authorization: 'Bearer ***' }, body: { messages: [{ role: 'user', content: `use ${key}` }] } },
  });
  await s.append(runRecord('r1', `my key is ${key}`));
  await s.append(historyTrialRecord('r1', leaky, [key, 'short']));
  const raw = readFileSync(file, 'utf8');
  assert.ok(!raw.toLowerCase().includes(key.toLowerCase()), raw);
  const { runs } = await s.read();
  assert.equal(runs[0]!.results[0]!.keyRedacted, true);
  assert.match(runs[0]!.results[0]!.text, /the key is \*\*\*/);
  assert.equal((statSync(file).mode & 0o777).toString(8), '600');
});

test('past the size cap the oldest runs are dropped, with their votes, never the run being written', async () => {
  const file = tempFile();
  const warnings: string[] = [];
  const big = 'x'.repeat(2_000);
  const s = store(file, 12_000, warnings);
  for (const id of ['r1', 'r2', 'r3']) {
    await s.append(runRecord(id));
    await s.append(historyTrialRecord(id, makeTrial({ backendId: 'a', text: big }), []));
    await s.append(historyRunEndRecord(id, 'finished', null));
  }
  await s.append({
    type: 'battle',
    v: 1,
    battleId: 'b1',
    runId: 'r1',
    model_a: 'a/m-a',
    model_b: 'b/m-b',
    label_a: 'A',
    label_b: 'B',
    winner: 'model_a',
    tstamp: 1,
    swapped: false,
  });
  // Four runs of ~3.2 KB go past 12,000 bytes: the file is trimmed to ≤ 80 % of the cap.
  await s.append(runRecord('r4'));
  await s.append(historyTrialRecord('r4', makeTrial({ backendId: 'a', text: big }), []));
  const { runs, battles } = await s.read();
  const ids = runs.map((r) => r.record.runId);
  assert.ok(!ids.includes('r1'), `oldest dropped: ${ids.join(',')}`);
  assert.ok(ids.includes('r4'), 'the run being written stays');
  assert.equal(battles.length, 0, 'the vote of a dropped run goes with it');
  assert.ok(statSync(file).size <= 12_000 * 0.8, `size ${statSync(file).size}`);
  assert.ok(warnings.some((w) => /dropped the \d+ oldest run/.test(w)), warnings.join('\n'));
});

test('delete and clear', async () => {
  const file = tempFile();
  const s = store(file);
  await s.append(runRecord('r1'), historyRunEndRecord('r1', 'finished', null), runRecord('r2'));
  writeFileSync(file, readFileSync(file, 'utf8') + 'garbage\n');
  await s.deleteRuns(['r1']);
  const after = await s.read();
  assert.deepEqual(after.runs.map((r) => r.record.runId), ['r2']);
  assert.deepEqual(after.warnings, [], 'rewriting drops unreadable lines');
  await s.clear();
  assert.deepEqual((await s.read()).runs, []);
});

test('same prompt; size cap setting clamped', () => {
  assert.ok(samePrompt(runRecord('x', 'p'), runRecord('y', 'p')));
  assert.ok(!samePrompt(runRecord('x', 'p'), runRecord('y', 'q')));
  assert.equal(historyMaxBytes(undefined), 25 * 1024 * 1024);
  assert.equal(historyMaxBytes(0), 1024 * 1024);
  assert.equal(historyMaxBytes(10), 10 * 1024 * 1024);
});

test('two runs of one prompt side by side: one column per backend and run', () => {
  const text = [
    JSON.stringify(runRecord('r1')),
    JSON.stringify(historyTrialRecord('r1', makeTrial({ backendId: 'a', text: 'first a' }), [])),
    JSON.stringify(historyTrialRecord('r1', makeTrial({ backendId: 'b', text: 'first b' }), [])),
    JSON.stringify(historyRunEndRecord('r1', 'finished', null)),
    JSON.stringify(runRecord('r2')),
    JSON.stringify(historyTrialRecord('r2', makeTrial({ backendId: 'a', text: 'second a' }), [])),
    JSON.stringify(historyRunEndRecord('r2', 'cancelled', null)),
  ].join('\n');
  const { runs } = parseHistory(text);
  const both = combineRuns(runs, ['Mar 1', 'Mar 2']);
  assert.deepEqual(both.record.backends.map((b) => `${b.id}=${b.label}`), ['a.1=A · Mar 1', 'b.1=B · Mar 1', 'a.2=A · Mar 2', 'b.2=B · Mar 2']);
  assert.deepEqual(both.results.map((r) => `${r.backendId}:${r.text}`), ['a.1:first a', 'b.1:first b', 'a.2:second a']);
  assert.equal(both.results[2]!.backendLabel, 'A · Mar 2');
  assert.equal(both.outcome, 'cancelled');
  assert.equal(both.record.runId, 'r1+r2');
  const long = combineRuns([{ ...runs[0]!, record: { ...runs[0]!.record, backends: [{ ...runs[0]!.record.backends[0]!, id: 'x'.repeat(64) }] } }], ['t']);
  assert.equal(long.record.backends[0]!.id, `${'x'.repeat(62)}.1`);
});

test('a store keeps its reading up to date with its own appends and sees lines another window appended', async () => {
  const file = tempFile();
  const mine = store(file);
  const other = store(file);
  await mine.append(runRecord('r1'));
  assert.deepEqual((await mine.read()).runs[0]!.results, []);
  await mine.append(historyTrialRecord('r1', makeTrial({ backendId: 'b' }), []));
  await mine.append(historyTrialRecord('r1', makeTrial({ backendId: 'a' }), []));
  const updated = await mine.read();
  assert.deepEqual(updated.runs[0]!.results.map((r) => r.backendId), ['a', 'b'], 'in column order');
  await other.append(historyRunEndRecord('r1', 'finished', null), runRecord('r2'));
  const seen = await mine.read();
  assert.equal(seen.runs[0]!.outcome, 'finished');
  assert.deepEqual(seen.runs.map((r) => r.record.runId), ['r1', 'r2']);
  // The same trial written again (a retried write) keeps the later line.
  await mine.append(historyTrialRecord('r1', makeTrial({ backendId: 'a', text: 'again' }), []));
  const again = (await mine.read()).runs[0]!.results;
  assert.deepEqual(again.map((r) => `${r.backendId}:${r.text}`), ['a:again', 'b:answer']);
});

test('a suite run is kept cell by cell: a cell written again keeps the later line, requests get their test messages back, no key is written', async () => {
  const file = tempFile();
  const s = store(file);
  const header = {
    type: 'header' as const, format: 'bakeoff-suite-results' as const, version: 1 as const, runId: 's1', startedAt: '2026-03-01T10:00:00.000Z', bakeoffVersion: '0.1.0',
    suite: { file: 'suite.yaml', description: 'demo', hash: 'h', tests: 1, format: 'suite-yaml' as const }, seed: 7, trials: 1, shard: null,
    backends: [{ id: 'a', label: 'A', kind: 'closed' as const, model: 'm', baseUrl: 'http://127.0.0.1/v1', pricing: 'perToken' as const, concurrency: 1, params: { maxTokens: 64, temperature: 0 } }],
    tests: [{ id: 't1', index: 0, description: 'first', promptLabel: 'p', metadata: {} }], baselineId: null,
  };
  await s.append(historySuiteStartRecord({ runId: 's1', startedAt: header.startedAt, title: `Suite with ${key}`, suiteFile: 'suite.yaml', suiteUri: null, header, tests: [{ index: 0, messages: [{ role: 'user', content: `ask ${key}` }] }], allowJs: false, jsNote: null }, [key]));
  const cell = {
    type: 'cell' as const, test: 't1', testIndex: 0, backend: 'a', trial: 1, order: 0, status: 'cancelled' as const, delivered: false, passed: null, score: null, reason: 'cancelled',
    ttftMs: null, totalMs: null, wallMs: null, tokensPerSecond: null, inputTokens: null, outputTokens: null, promptTokensReported: null, tokenSource: null,
    costUsd: null, costSource: 'unknown' as const, retries: 0, retryWaitMs: 0, error: null, finishReason: null, text: '', reasoning: '', assertions: [], namedScores: {}, lengthLabel: null, startedAt: header.startedAt,
  };
  const request = { url: 'http://127.0.0.1/v1/chat/completions', headers: { authorization: 'Bearer ***' }, body: { model: 'm', messages: [{ role: 'user', content: `ask ${key}` }], stream: true } };
  await s.append(historySuiteCellRecord('s1', cell, request, [key]));
  await s.append(historySuiteCellRecord('s1', { ...cell, status: 'ok', delivered: true, passed: true, text: `echo ${key.toUpperCase()}` }, request, [key]));
  const raw = readFileSync(file, 'utf8');
  assert.ok(!raw.toLowerCase().includes(key.toLowerCase()), raw);
  assert.ok(!raw.includes('"messages":[{"role":"user","content":"ask ***"}],"stream"'), 'a cell line does not repeat the prompt');
  const { suites, runs } = await s.read();
  assert.equal(runs.length, 0);
  assert.equal(suites.length, 1);
  assert.equal(suites[0]!.outcome, 'interrupted', 'no end line yet');
  assert.deepEqual(suites[0]!.cells.map((c) => c.status), ['ok'], 'the cell written again keeps the later line');
  assert.equal(suites[0]!.cells[0]!.text, 'echo ***');
  const sent = suites[0]!.requests.get('t1\u0000a\u00001')!;
  assert.deepEqual(sent.body.messages, [{ role: 'user', content: 'ask ***' }], 'the exact request, messages included');
  await s.append(historySuiteEndRecord('s1', 'finished', ['a note'], null));
  assert.equal((await s.read()).suites[0]!.outcome, 'finished');
  await s.deleteRuns(['s1']);
  assert.equal((await s.read()).suites.length, 0, 'deleting a suite run removes all its lines');
});
