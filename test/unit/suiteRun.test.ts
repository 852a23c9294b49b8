import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, chats, jsonl, suiteKeys, tempDir, write, writeConfig } from './helpers/suiteRun';
import { CliInterrupt } from '../../src/cli/main';
import { Backend, RequestParams, Timeouts } from '../../src/core/config';
import { runSuite } from '../../src/core/suite/execute';
import { loadSuite } from '../../src/core/suite/load';
import type { PlanBackend } from '../../src/core/suite/types';
import { configureTokenCounter, countMessageTokens, tokenCounterMode } from '../../src/core/tokenCounter';

let server: FixtureServer;
const fixture = {
  get server() {
    return server;
  },
};
let dir: string;
let config: string;
let suite: string;

const closedText = 'The capital is Paris. Tokyo too.';
const decText = 'Paris, I think';

before(async () => {
  server = await startFixtureServer();
  dir = tempDir('bakeoff-suite-run-');
  fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 5, chunkIntervalMs: 1 });
  // The decentralized stand-in echoes its own key (it must be redacted everywhere) and reports no usage.
  fixture.server.setSchedule('dec-m', { text: `${decText}. ${suiteKeys.DEC_KEY}`, ttftMs: 10, chunkIntervalMs: 1, usage: 'never' });
  fixture.server.setSchedule('grader-m', { text: '{"pass": true, "score": 1, "reason": "fine"}', ttftMs: 1 });
  config = writeConfig(dir, fixture.server);
  suite = write(
    dir,
    'suite.yaml',
    [
      'description: Capitals',
      'prompts: ["What is the capital of {{country}}?"]',
      'tests:',
      '  - vars: { country: France }',
      '    assert: [{ type: icontains, value: paris }]',
      '  - vars: { country: Japan }',
      '    assert: [{ type: icontains, value: tokyo }]',
      '  - vars: { country: Peru }',
      '    metadata: { lengthLabel: 4k, targetTokens: 4000 }',
      '    assert: [{ type: item-recall, value: [paris, tokyo] }]',
      '  - vars: { country: Chile }',
      '    metadata: { lengthLabel: 8k, targetTokens: 8000 }',
      '    assert: [{ type: javascript, value: "output.length > 3" }]',
    ].join('\n'),
  );
});

/** Aborts the run once its results file holds `cells` finished cells (load-independent, unlike a timer). */
function abortAfterCells(controller: AbortController, results: string, cells: number, reason: 'SIGINT' | 'SIGTERM'): void {
  const timer = setInterval(() => {
    const lines = existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter((l) => l.includes('"type":"cell"')).length : 0;
    if (lines >= cells) {
      clearInterval(timer);
      controller.abort(new CliInterrupt(reason));
    }
  }, 5);
}

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('bakeoff run writes every report format with the documented field names; keys are never written', async () => {
  const out = (ext: string) => join(dir, `all.${ext}`);
  const r = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--seed', '7', ...['jsonl', 'json', 'md', 'html', 'csv', 'xml'].flatMap((e) => ['-o', out(e)])]);
  assert.equal(r.code, 100, r.stderr + r.stdout);
  for (const e of ['jsonl', 'json', 'md', 'html', 'csv', 'xml']) {
    const text = readFileSync(out(e), 'utf8');
    for (const key of Object.values(suiteKeys)) assert.ok(!text.includes(key), `${e} holds a key`);
  }
  assert.ok(!r.stdout.includes(suiteKeys.DEC_KEY));
  const report = JSON.parse(readFileSync(out('json'), 'utf8'));
  assert.deepEqual(Object.keys(report.environment).sort(), ['bakeoffVersion', 'node', 'os', 'runId', 'seed', 'startedAt', 'time']);
  assert.equal(report.environment.seed, 7);
  assert.equal(report.environment.node, process.version);
  const [closed, dec] = report.summary.backends;
  for (const b of [closed, dec]) {
    for (const field of ['id', 'cells', 'delivered', 'passed', 'passRate', 'ttftP50Ms', 'totalP50Ms', 'costPerPassUsd']) assert.ok(field in b, field);
    assert.equal(b.cells, 4);
    assert.equal(b.delivered, 4);
    assert.equal(typeof b.passRate.value, 'number');
    assert.equal(b.passRate.ci95.length, 2);
    assert.ok(b.ttftP50Ms > 0 && b.totalP50Ms >= b.ttftP50Ms);
  }
  // javascript is not run without --allow-js: Chile is not graded, never passed.
  assert.equal(closed.passed, 3);
  assert.equal(closed.graded, 3);
  assert.equal(closed.notGraded, 1);
  assert.equal(dec.passed, 1, 'France only');
  assert.deepEqual(report.summary.notRun, [{ type: 'javascript', reason: 'javascript assertions run only with --allow-js', count: 2 }]);
  assert.ok(Math.abs(closed.costPerPassUsd - closed.spendUsd / 3) < 1e-15);
  assert.deepEqual(report.summary.byLength.map((g: { label: string }) => g.label), ['4k', '8k']);
  assert.ok(report.claims.length >= 4, 'closed and decentralized backends: a claims table');
  const lines = jsonl(out('jsonl'));
  assert.equal(lines[0]!.type, 'header');
  assert.equal(lines.length, 1 + 8);
  for (const c of lines.slice(1)) {
    for (const field of ['test', 'backend', 'trial', 'status', 'passed', 'ttftMs', 'totalMs', 'tokensPerSecond', 'costUsd', 'assertions']) assert.ok(field in c, field);
  }
  const decPeru = lines.find((c) => c.backend === 'dec' && c.test === 't0003')!;
  assert.equal(decPeru.passed, false);
  assert.equal(decPeru.score, 0.5);
  assert.equal((decPeru.assertions as Array<{ type: string }>)[0]!.type, 'item-recall');
  assert.match(String(decPeru.text), /\*\*\*/, 'the echoed key was redacted in the answer');
  const csv = readFileSync(out('csv'), 'utf8').split('\r\n');
  assert.match(csv[0]!, /^test,description,backend,trial,status,delivered,passed,score,ttftMs,totalMs/);
  assert.equal(csv.filter(Boolean).length, 9);
  const xml = readFileSync(out('xml'), 'utf8');
  assert.match(xml, /<testsuites name="Bakeoff: Capitals" tests="8" failures="2" errors="0" skipped="2">/);
  assert.match(xml, /<testcase classname="bakeoff.dec" name="t0002 country=Japan" time="[\d.]+"><failure type="assertion"/);
  const md = readFileSync(out('md'), 'utf8');
  assert.match(md, /^# Bakeoff suite: Capitals/m);
  assert.match(md, /\| Backend \| Kind \| Delivered \| Passed \| Pass rate \[95 % CI\]/);
  assert.match(md, /## Claims/);
  const html = readFileSync(out('html'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'pass rate, cost, latency and length charts');
  assert.doesNotMatch(html, /<script|https?:\/\/(?!127\.0\.0\.1)/, 'no script, no remote resource');
  assert.match(r.stdout, /^Backend\s+Kind\s+Delivered\s+Passed\s+Pass rate/m);
});

test('--allow-js runs javascript assertions; --json prints the summary object; --fail-under sets the gate', async () => {
  const gated = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--seed', '1', '--allow-js', '--json', '--fail-under', 'passRate=0.5', '-o', join(dir, 'js.jsonl')]);
  assert.equal(gated.code, 0, gated.stderr);
  const j = JSON.parse(gated.stdout);
  assert.equal(j.summary.backends[0].passed, 4);
  assert.equal(j.summary.backends[1].passed, 2, 'France and Chile');
  assert.equal(j.summary.backends[1].passRate.value, 0.5);
  assert.equal(j.summary.notRun.length, 0);
  assert.ok(!('cells' in j));
  assert.equal(j.environment.seed, 1);
  const strict = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--allow-js', '--fail-under', 'passRate=60%', '-o', join(dir, 'js2.jsonl')]);
  assert.equal(strict.code, 100);
  assert.match(strict.stderr, /✖ dec: passRate 0\.500 < 0\.6/);
});

test('--dry-run prints the plan with token and cost estimates and sends nothing', async () => {
  const before = fixture.server.requests.length;
  const r = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--trials', '3', '--seed', '4', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fixture.server.requests.length, before, 'no request of any kind');
  assert.match(r.stdout, /Plan: 4 tests × 2 backends × 3 trials = 24 cells · seed 4/);
  assert.match(r.stdout, /closed\s+closed\s+closed-m\s+12\s+\d+\s+768\s+\$[\d.]+/);
  assert.match(r.stdout, /Dry run: nothing was sent/);
  const j = JSON.parse((await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--dry-run', '--json', '--seed', '4'])).stdout);
  assert.equal(j.plan.cells, 8);
  assert.equal(j.backends[0].outputTokensMax, 4 * 64);
  assert.ok(j.backends[0].costUsdMax > 0);
  assert.equal(fixture.server.requests.length, before);
  // A backend without a price stays unknown.
  const unpriced = writeConfig(dir, fixture.server).replace('backends.yaml', 'unpriced.yaml');
  writeFileSync(unpriced, readFileSync(writeConfig(dir, fixture.server), 'utf8').replace('pricing: { type: perToken, inputPerMTok: 1, outputPerMTok: 4 }', 'pricing: { type: unknown }'));
  const u = await bakeoff(['run', suite, '-c', unpriced, '--backends', 'closed,dec', '--dry-run']);
  assert.match(u.stdout, /dec\s+decentralized\s+dec-m\s+4\s+\d+\s+256\s+unknown/);
});

test('--max-cost stops sending before the estimated spend would pass it', async () => {
  const from = fixture.server.requests.length;
  const pricey = write(
    dir,
    'pricey.yaml',
    [
      'backends:',
      `  - { id: closed, kind: closed, baseUrl: "${fixture.server.baseUrl}", model: closed-m, apiKeyEnv: CLOSED_KEY, pricing: { type: perToken, inputPerMTok: 1000, outputPerMTok: 1000 } }`,
      'request: { maxTokens: 10 }',
    ].join('\n'),
  );
  // Each cell is estimated at (prompt ≈ 15 tokens + 10 answer tokens) × $0.001 ≈ $0.025 before it is sent.
  const r = await bakeoff(['run', suite, '-c', pricey, '--max-cost', '0.06', '--json', '-o', join(dir, 'budget.jsonl')]);
  assert.equal(r.code, 100, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.outcome, 'budget');
  const b = j.summary.backends[0];
  assert.ok(b.attempted >= 1 && b.attempted < 4, `sent ${b.attempted}`);
  assert.ok(b.spendUsd <= 0.06, `spent ${b.spendUsd}`);
  assert.equal(chats(fixture.server, from).length, b.attempted, 'the server saw exactly the cells sent');
  assert.ok(j.notes.some((n: string) => /Stopped sending at the --max-cost budget of \$0\.06: \d cells? (was|were) not sent/.test(n)), j.notes.join('\n'));
  // Unknown prices make a budget impossible to keep: refused before anything is sent.
  const unknownPrice = write(dir, 'unknownprice.yaml', `backends:\n  - { id: x, kind: closed, baseUrl: "${fixture.server.baseUrl}", model: closed-m }\n`);
  const before = fixture.server.requests.length;
  const leftovers = () => readdirSync('.').filter((f) => f.startsWith('bakeoff-results-'));
  const filesBefore = leftovers();
  const refused = await bakeoff(['run', suite, '-c', unknownPrice, '--max-cost', '1']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--max-cost needs a known price for every backend; unknown for: x \(pricing: unknown\)/);
  assert.equal(fixture.server.requests.length, before);
  assert.deepEqual(leftovers(), filesBefore, 'no empty results file is left behind');
});

test('malformed suites and unknown variables exit 2 with file, line and field before any request', async () => {
  const before = fixture.server.requests.length;
  const unknownVar = write(dir, 'unknown-var.yaml', 'prompts: ["Capital of {{country}} in {{year}}?"]\ntests:\n  - vars: { country: France }\n  - vars: { country: Peru, year: 1990 }\n');
  const r1 = await bakeoff(['run', unknownVar, '-c', config]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, new RegExp(`${unknownVar.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: tests\\[0\\]\\.vars: prompt "Capital of \\{\\{country\\}\\} in \\{\\{year\\}\\}\\?": unknown variable "year"`));
  const typo = write(dir, 'typo.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: x }\n    assert:\n      - type: icontain\n        value: x\n');
  const r2 = await bakeoff(['run', typo, '-c', config]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /typo\.yaml:5: tests\[0\]\.assert\[0\]: unknown assertion type "icontain" \(did you mean "icontains"\?\)/);
  const r3 = await bakeoff(['run', join(dir, 'nope.yaml'), '-c', config]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /file not found/);
  const r4 = await bakeoff(['run', suite, '-c', config, '-o', join(dir, 'x.pdf')]);
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /unknown format "\.pdf"/);
  const r5 = await bakeoff(['run', suite, '-c', config, '--shard', '4/3']);
  assert.equal(r5.code, 2);
  assert.match(r5.stderr, /--shard takes i\/N/);
  const r6 = await bakeoff(['run', suite, '-c', config], { env: { CLOSED_KEY: 'x' } });
  assert.equal(r6.code, 2);
  assert.match(r6.stderr, /environment variable DEC_KEY is not set/);
  const r7 = await bakeoff(['run', suite, '-c', config, '--grader', 'nobody']);
  assert.equal(r7.code, 2);
  assert.equal(fixture.server.requests.length, before, 'nothing was sent');
});

test('order: a seeded shuffle of tests, backends interleaved on the same prompt, one request in flight per backend', async () => {
  const many = write(
    dir,
    'many.yaml',
    ['prompts: ["Question {{n}}"]', 'tests:', ...Array.from({ length: 12 }, (_, i) => `  - vars: { n: "${i}" }`)].join('\n'),
  );
  fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 15, chunkIntervalMs: 1 });
  fixture.server.setSchedule('dec-m', { text: decText, ttftMs: 15, chunkIntervalMs: 1, usage: 'never' });
  try {
    const order = async (seed: number) => {
      const from = fixture.server.requests.length;
      const r = await bakeoff(['run', many, '-c', config, '--backends', 'closed,dec', '--seed', String(seed), '-o', join(dir, `order-${seed}.jsonl`)]);
      assert.equal(r.code, 0, r.stderr);
      return chats(fixture.server, from);
    };
    const a = await order(11);
    const b = await order(11);
    const c = await order(12);
    const tests = (list: typeof a, model: string) => list.filter((x) => x.model === model).map((x) => x.prompt);
    assert.deepEqual(tests(a, 'closed-m'), tests(b, 'closed-m'), 'same seed, same order');
    assert.notDeepEqual(tests(a, 'closed-m'), tests(c, 'closed-m'), 'another seed, another order');
    assert.notDeepEqual(tests(a, 'closed-m'), Array.from({ length: 12 }, (_, i) => `Question ${i}`), 'shuffled');
    assert.deepEqual(tests(a, 'closed-m'), tests(a, 'dec-m'), 'both backends take the tests in the same order');
    // One request in flight per backend: each backend's requests are at least one answer apart (≥ 15 ms).
    for (const model of ['closed-m', 'dec-m']) {
      const times = a.filter((x) => x.model === model).map((x) => x.at);
      for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 14, `${model} overlapped: ${times[i]! - times[i - 1]!} ms`);
    }
    // Interleaved: in the order the server received them, both backends' requests for a prompt are a few requests apart.
    for (const prompt of tests(a, 'closed-m')) {
      const i1 = a.findIndex((x) => x.model === 'closed-m' && x.prompt === prompt);
      const i2 = a.findIndex((x) => x.model === 'dec-m' && x.prompt === prompt);
      assert.ok(Math.abs(i1 - i2) <= 4, `${prompt}: ${Math.abs(i1 - i2)} requests apart`);
    }
    // A provider's own concurrency lets its requests overlap.
    const parallel = write(dir, 'parallel.yaml', `providers: [{ id: closed, concurrency: 4 }]\n${readFileSync(many, 'utf8')}`);
    const from = fixture.server.requests.length;
    const r = await bakeoff(['run', parallel, '-c', config, '-o', join(dir, 'parallel.jsonl')]);
    assert.equal(r.code, 0, r.stderr);
    const times = chats(fixture.server, from).map((x) => x.at);
    // Served one at a time, every request would come at least one answer (15 ms) after the previous one.
    assert.ok(times.some((t, i) => i > 0 && t - times[i - 1]! < 14), 'some requests overlapped');
  } finally {
    fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 5, chunkIntervalMs: 1 });
    fixture.server.setSchedule('dec-m', { text: `${decText}. ${suiteKeys.DEC_KEY}`, ttftMs: 10, chunkIntervalMs: 1, usage: 'never' });
  }
});

test('a fast backend does not run ahead of a slow one: both answer each prompt in the same time window', async () => {
  const ten = write(dir, 'ten.yaml', ['prompts: ["Window {{n}}"]', 'tests:', ...Array.from({ length: 10 }, (_, i) => `  - vars: { n: "${i}" }`)].join('\n'));
  fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 2 });
  fixture.server.setSchedule('dec-m', { text: decText, ttftMs: 60, usage: 'never' });
  try {
    const from = fixture.server.requests.length;
    const r = await bakeoff(['run', ten, '-c', config, '--backends', 'closed,dec', '--seed', '3', '-o', join(dir, 'window.jsonl')]);
    assert.equal(r.code, 0, r.stderr);
    const sent = chats(fixture.server, from);
    let worst = 0;
    for (const prompt of new Set(sent.map((x) => x.prompt))) {
      const i1 = sent.findIndex((x) => x.model === 'closed-m' && x.prompt === prompt);
      const i2 = sent.findIndex((x) => x.model === 'dec-m' && x.prompt === prompt);
      worst = Math.max(worst, Math.abs(i1 - i2));
    }
    // Unbounded, the fast backend would send all 10 prompts while the slow one is on its first or second
    // (its last prompt about 9 requests ahead); held to one pair ahead, the two stay a few requests apart.
    assert.ok(worst <= 4, `the same prompt ${worst} requests apart`);
  } finally {
    fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 5, chunkIntervalMs: 1 });
    fixture.server.setSchedule('dec-m', { text: `${decText}. ${suiteKeys.DEC_KEY}`, ttftMs: 10, chunkIntervalMs: 1, usage: 'never' });
  }
});

test('model-graded assertions go to the --grader backend, asked in both orders', async () => {
  const graded = write(dir, 'graded.yaml', 'prompts: ["Describe {{thing}}"]\ntests:\n  - vars: { thing: Paris }\n    assert: [{ type: llm-rubric, value: "mentions the city" }]\n');
  const without = await bakeoff(['run', graded, '-c', config, '--backends', 'closed', '--json', '-o', join(dir, 'g0.jsonl')]);
  assert.equal(without.code, 100, 'not graded is not passed');
  assert.deepEqual(JSON.parse(without.stdout).summary.notRun, [{ type: 'llm-rubric', reason: '"llm-rubric" needs a grader backend (--grader ID)', count: 1 }]);
  const from = fixture.server.requests.length;
  const withGrader = await bakeoff(['run', graded, '-c', config, '--backends', 'closed', '--grader', 'grader', '--json', '-o', join(dir, 'g1.jsonl')]);
  assert.equal(withGrader.code, 0, withGrader.stderr);
  const asked = chats(fixture.server, from).filter((c) => c.model === 'grader-m');
  assert.equal(asked.length, 2, 'both orders');
  assert.ok(asked[0]!.prompt.indexOf('<answer>') < asked[0]!.prompt.indexOf('<rubric>'));
  assert.ok(asked[1]!.prompt.indexOf('<rubric>') < asked[1]!.prompt.indexOf('<answer>'));
  assert.equal(asked[0]!.raw.headers.authorization, `Bearer ${suiteKeys.GRADER_KEY}`);
  const j = JSON.parse(withGrader.stdout);
  assert.equal(j.summary.backends[0].passed, 1);
  assert.ok(j.notes.some((n: string) => /The grader \(grader\) cost \$/.test(n)));
  const cell = jsonl(join(dir, 'g1.jsonl'))[1]!;
  assert.deepEqual((cell.assertions as Array<{ judgements: Array<{ order: string }> }>)[0]!.judgements.map((x) => x.order), ['answer-first', 'reference-first']);
});

test('AI Toolkit and OpenAI Evals JSONL suites run end to end', async () => {
  const toolkit = write(dir, 'toolkit.jsonl', `${JSON.stringify({ query: 'Capital of France?', ground_truth: 'paris' })}\n${JSON.stringify({ query: 'Capital of Japan?', ground_truth: 'Tokyo' })}\n`);
  const r1 = await bakeoff(['run', toolkit, '-c', config, '--backends', 'closed,dec', '--json', '-o', join(dir, 'tk.jsonl')]);
  assert.equal(r1.code, 100);
  const s1 = JSON.parse(r1.stdout).summary.backends;
  assert.deepEqual([s1[0].passed, s1[1].passed], [2, 1]);
  const evals = write(dir, 'evals.jsonl', `${JSON.stringify({ input: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of France?' }], ideal: ['Paris', 'paris'] })}\n`);
  const r2 = await bakeoff(['run', evals, '-c', config, '--backends', 'closed,dec', '--json', '-o', join(dir, 'ev.jsonl')]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(JSON.parse(r2.stdout).suite.format, 'openai-evals-jsonl');
});

test('an interrupted run exits 130 (SIGINT) or 143 (SIGTERM) and still writes the partial report', async () => {
  const slow = write(dir, 'slow.yaml', ['prompts: ["Slow {{n}}"]', 'tests:', ...Array.from({ length: 20 }, (_, i) => `  - vars: { n: "${i}" }`)].join('\n'));
  fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 40 });
  try {
    for (const [reason, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const controller = new AbortController();
      const results = join(dir, `partial-${reason}.jsonl`);
      abortAfterCells(controller, results, 2, reason);
      const report = join(dir, `partial-${reason}.json`);
      const r = await bakeoff(['run', slow, '-c', config, '--backends', 'closed', '-o', results, '-o', report], { signal: controller.signal });
      assert.equal(r.code, code, r.stderr);
      const j = JSON.parse(readFileSync(report, 'utf8'));
      assert.equal(j.outcome, 'interrupted');
      const done = j.summary.backends[0].delivered;
      assert.ok(done >= 1 && done < 20, `delivered ${done}`);
      assert.ok(j.notes.some((n: string) => /interrupted/.test(n)));
    }
  } finally {
    fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 5, chunkIntervalMs: 1 });
  }
});

test('--resume continues a run without sending finished cells again', async () => {
  const slow = write(dir, 'resume.yaml', ['prompts: ["Resume {{n}}"]', 'tests:', ...Array.from({ length: 10 }, (_, i) => `  - vars: { n: "${i}" }`)].join('\n'));
  const results = join(dir, 'resume.jsonl');
  fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 30 });
  try {
    const controller = new AbortController();
    abortAfterCells(controller, results, 4, 'SIGINT');
    const first = await bakeoff(['run', slow, '-c', config, '--backends', 'closed,dec', '--seed', '5', '-o', results], { signal: controller.signal });
    assert.equal(first.code, 130);
    const finished = jsonl(results)
      .slice(1)
      .filter((c) => c.status === 'ok')
      .map((c) => `${c.backend}|${c.test}`);
    assert.ok(finished.length > 0 && finished.length < 20);
    const from = fixture.server.requests.length;
    const second = await bakeoff(['run', slow, '-c', config, '--backends', 'closed,dec', '--resume', results, '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`Resuming .*: ${finished.length} of 20 cells already finished`));
    const resent = chats(fixture.server, from).map((c) => `${c.model === 'closed-m' ? 'closed' : 'dec'}|t${String(Number(c.prompt.split(' ')[1]) + 1).padStart(4, '0')}`);
    for (const f of finished) assert.ok(!resent.includes(f), `${f} was sent again`);
    assert.equal(resent.length + finished.length, 20);
    const j = JSON.parse(second.stdout);
    assert.equal(j.environment.seed, 5, 'the seed comes from the results file');
    assert.equal(j.summary.backends[0].delivered + j.summary.backends[1].delivered, 20);
    // A resume with a different suite is refused.
    const other = write(dir, 'other.yaml', 'prompts: ["x {{n}}"]\ntests:\n  - vars: { n: "1" }\n');
    const refused = await bakeoff(['run', other, '-c', config, '--backends', 'closed,dec', '--resume', results]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /different suite/);
  } finally {
    fixture.server.setSchedule('closed-m', { text: closedText, ttftMs: 5, chunkIntervalMs: 1 });
  }
});

test('progress line on a terminal, quiet when piped', async () => {
  const tty = await bakeoff(['run', suite, '-c', config, '--backends', 'closed', '-o', join(dir, 'tty.jsonl')], { tty: true });
  // eslint-disable-next-line no-control-regex -- the terminal's erase-line sequence is what is checked
  assert.match(tty.stderr, /\r\x1b\[2K4\/4 cells · \d failed · \$[\d.]+ spent/);
  const piped = await bakeoff(['run', suite, '-c', config, '--backends', 'closed', '-o', join(dir, 'piped.jsonl')]);
  assert.doesNotMatch(piped.stderr, /cells ·/);
  assert.ok(existsSync(join(dir, 'piped.jsonl')));
});

test('shards merged equal the unsharded run; merge refuses shards of another suite, seed or N', async () => {
  const nine = write(
    dir,
    'nine.yaml',
    [
      'prompts: ["City {{n}}?"]',
      'tests:',
      ...Array.from({ length: 9 }, (_, i) => [`  - vars: { n: "${i}" }`, `    metadata: { lengthLabel: ${i % 2 ? '8k' : '4k'} }`, `    assert: [{ type: item-recall, value: [paris, ${i % 3 ? 'tokyo' : 'lima'}] }]`]).flat(),
    ].join('\n'),
  );
  const args = ['run', nine, '-c', config, '--backends', 'closed,dec', '--seed', '21', '--trials', '2'];
  const whole = await bakeoff([...args, '-o', join(dir, 'whole.jsonl'), '-o', join(dir, 'whole.json')]);
  assert.equal(whole.code, 100);
  for (const i of [1, 2, 3]) {
    const r = await bakeoff([...args, '--shard', `${i}/3`, '-o', join(dir, `shard-${i}.jsonl`)]);
    assert.equal(r.code, 100, r.stderr);
    const header = jsonl(join(dir, `shard-${i}.jsonl`))[0]!;
    assert.deepEqual(header.shard, { index: i, count: 3 });
    assert.equal((header.tests as unknown[]).length, 3);
  }
  const merged = await bakeoff(['merge', ...[1, 2, 3].map((i) => join(dir, `shard-${i}.jsonl`)), '-o', join(dir, 'merged.json'), '-o', join(dir, 'merged.html')]);
  assert.equal(merged.code, 100, merged.stderr);
  const a = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')).summary;
  const b = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')).summary;
  // Timings differ between two live runs; everything decided by the answers, prices and the seed is equal.
  const stable = (s: typeof a) => ({
    tests: s.tests,
    baseline: s.baseline,
    notRun: s.notRun,
    byLength: s.byLength.map((g: { label: string; tests: number; backends: Array<Record<string, unknown>> }) => ({
      label: g.label,
      tests: g.tests,
      backends: g.backends.map((f) => ({ ...f })),
    })),
    backends: s.backends.map((x: Record<string, unknown> & { vsBaseline: Record<string, unknown> | null }) => ({
      id: x.id,
      cells: x.cells,
      delivered: x.delivered,
      graded: x.graded,
      passed: x.passed,
      passRate: x.passRate,
      accuracy: x.accuracy,
      spendUsd: x.spendUsd,
      costPerPassUsd: x.costPerPassUsd,
      costP50Usd: x.costP50Usd,
      vs: x.vsBaseline && { passRateDiff: x.vsBaseline.passRateDiff, accuracyDiff: x.vsBaseline.accuracyDiff, costRatio: x.vsBaseline.costRatio, minDetectableDiff: x.vsBaseline.minDetectableDiff },
    })),
  });
  assert.deepEqual(stable(b), stable(a));
  // Exactly equal, timings included, when the shards hold the same raw cells as the unsharded run.
  const lines = jsonl(join(dir, 'whole.jsonl'));
  const header = lines[0]!;
  for (const i of [1, 2, 3]) {
    const mine = lines.slice(1).filter((c) => ((c.testIndex as number) % 3) + 1 === i);
    const h = { ...header, shard: { index: i, count: 3 }, tests: (header.tests as Array<{ index: number }>).filter((t) => (t.index % 3) + 1 === i) };
    writeFileSync(join(dir, `split-${i}.jsonl`), [h, ...mine].map((x) => JSON.stringify(x)).join('\n') + '\n');
  }
  const reSplit = await bakeoff(['merge', ...[3, 1, 2].map((i) => join(dir, `split-${i}.jsonl`)), '--json']);
  const unsplit = await bakeoff(['merge', join(dir, 'whole.jsonl'), '--json']);
  assert.deepEqual(JSON.parse(reSplit.stdout).summary, JSON.parse(unsplit.stdout).summary);
  assert.deepEqual(JSON.parse(unsplit.stdout).summary, a, 'the merged report of the unsharded file is the run’s own report');

  const otherSeed = await bakeoff([...args.slice(0, -4), '--seed', '22', '--trials', '2', '--shard', '2/3', '-o', join(dir, 'seed22.jsonl')]);
  assert.equal(otherSeed.code, 100);
  const refusals: Array<[string[], RegExp]> = [
    [[join(dir, 'shard-1.jsonl'), join(dir, 'seed22.jsonl')], /different seed/],
    [[join(dir, 'shard-1.jsonl'), join(dir, 'shard-1.jsonl')], /are the same shard/],
    [[join(dir, 'shard-1.jsonl'), join(dir, 'whole.jsonl')], /different number of shards/],
    [[join(dir, 'shard-1.jsonl'), join(dir, 'order-11.jsonl')], /different suite/],
    [[join(dir, 'nine.yaml')], /not a JSON line|not a Bakeoff results file/],
  ];
  for (const [files, pattern] of refusals) {
    if (!files.every((f) => existsSync(f))) continue;
    const r = await bakeoff(['merge', ...files]);
    assert.equal(r.code, 2, files.join(' '));
    assert.match(r.stderr, pattern);
  }
  const partial = await bakeoff(['merge', join(dir, 'shard-1.jsonl'), join(dir, 'shard-3.jsonl'), '--json']);
  assert.match(partial.stderr, /Shard 2 of 3 is missing/);
  assert.equal(JSON.parse(partial.stdout).plan.tests, 6);
});

test('a suite whose servers report usage never starts the tokenizer; without usage each prompt is counted when its answer needs it', async (t) => {
  t.after(() => configureTokenCounter({}));
  configureTokenCounter({});
  assert.equal(tokenCounterMode(), 'idle');
  const file = write(dir, 'lazy-counts.yaml', ['prompts: ["What is the capital of {{country}}?"]', 'tests:', '  - vars: { country: France }', '  - vars: { country: Japan }'].join('\n'));
  const { tests } = loadSuite(file, { env: {} });
  const runWith = (model: string) => {
    const backend = Backend.parse({ id: model, kind: 'local', baseUrl: fixture.server.baseUrl, model, pricing: { type: 'free' } });
    const plan: PlanBackend = { id: model, label: model, kind: 'local', model, baseUrl: fixture.server.baseUrl, pricing: 'free', concurrency: 2, params: RequestParams.parse({ maxTokens: 32 }) };
    return runSuite({ tests, backends: [{ backend, plan }], trials: 1, seed: 1, concurrency: 2, timeouts: Timeouts.parse({}), resolveKey: () => undefined });
  };
  const reported = await runWith('closed-m');
  assert.deepEqual(reported.cells.map((c) => c.tokenSource), ['reported', 'reported']);
  assert.equal(tokenCounterMode(), 'idle', 'no count was needed, so the tokenizer never started');

  const estimated = await runWith('dec-m');
  assert.deepEqual(estimated.cells.map((c) => c.tokenSource), ['estimated', 'estimated']);
  for (const cell of estimated.cells) {
    const test = tests.find((x) => x.index === cell.testIndex)!;
    assert.equal(cell.inputTokens, await countMessageTokens(test.messages, 'dec-m'));
  }
});
