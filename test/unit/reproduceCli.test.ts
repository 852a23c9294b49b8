/**
 * `bakeoff reproduce` end to end against stand-in backends on the fixture server: a closed one
 * that reads the whole prompt, a decentralized one that sees only the end of it, answers more
 * slowly and refuses prompts longer than its window.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, chats, tempDir, write } from './helpers/suiteRun';
import { CliInterrupt } from '../../src/cli/exit';

let server: FixtureServer;
let dir: string;

const keys = { CLOSED_KEY: 'closed-key-0001', DEC_KEY: 'dec-key-0002' };

function config(name: string, extra: { decModel?: string; decPricing?: string; decKind?: string } = {}): string {
  return write(
    dir,
    name,
    [
      'backends:',
      `  - { id: closed, label: Stand-in closed, kind: closed, baseUrl: "${server.baseUrl}", model: rp-closed, apiKeyEnv: CLOSED_KEY,`,
      '      pricing: { type: perToken, inputPerMTok: 0.15, outputPerMTok: 0.6 } }',
      `  - { id: dec, label: Stand-in decentralized, kind: ${extra.decKind ?? 'decentralized'}, baseUrl: "${server.baseUrl}", model: ${extra.decModel ?? 'rp-dec'}, apiKeyEnv: DEC_KEY,`,
      `      pricing: ${extra.decPricing ?? '{ type: perToken, inputPerMTok: 0.06, outputPerMTok: 0.24 }'} }`,
      `  - { id: mine, kind: local, baseUrl: "${server.baseUrl}", model: rp-closed }`,
      'timeouts: { firstByteMs: 20000, idleMs: 20000, totalMs: 60000 }',
    ].join('\n'),
  );
}

before(async () => {
  server = await startFixtureServer();
  server.setSchedule('rp-closed', { answerer: { type: 'perfect' }, ttftMs: 10 });
  // Window 3,000 tokens: accepts the 1k and 2k tasks, refuses 4k.
  server.setSchedule('rp-dec', { answerer: { type: 'windowed', windowTokens: 1200 }, ttftMs: 30, contextWindow: 3000 });
  server.requireKey(null);
  dir = tempDir('bakeoff-reproduce-');
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const small = ['--lengths', '1k,2k,4k', '--n', '1', '--completion-n', '2'];

test('reproduce --dry-run: tokens and cost per backend, what the plan can detect, under $1 by default; nothing sent', async () => {
  const from = server.requests.length;
  const r = await bakeoff(['reproduce', '-c', config('dry.yaml'), ...small, '--dry-run'], { env: keys });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Plan: 10 completion tasks and 15 long-context tasks \(1k, 2k, 4k; 1 per family per length\) on 2 backends; seed 1; max_tokens 128\./);
  assert.match(r.stdout, /probed with at most 2 requests/);
  assert.match(r.stdout, /^closed\s+closed\s+rp-closed\s+25\s+[\d,]+\s+3,200\s+2 \([\d,]+\)\s+\$0\.\d+$/m);
  assert.match(r.stdout, /^dec\s+decentralized\s+rp-dec\s+25\s/m);
  assert.match(r.stdout, /The default plan \(lengths 4k,8k,16k,32k,64k,128k, --n 2, --completion-n 8\) costs ≤ \$0\.\d+ per backend at that price: ≤ \$0\.\d+ for one closed and one decentralized backend, under \$1\./);
  assert.match(r.stdout, /Completion \(87 % claim\): 10 tasks pin a completion rate near 87 % to \d+ %–\d+ %/);
  assert.match(r.stdout, /smallest gap this plan can detect is \d+ points per length/);
  assert.match(r.stdout, /Not used \(neither closed nor decentralized\): mine \(local\)/);
  assert.match(r.stdout, /Dry run: nothing was sent\./);
  assert.equal(server.requests.length, from, 'no request');
});

test('reproduce: probes, runs up to the longest length every backend accepts, prints the claims per length, writes every report', async () => {
  const work = join(dir, 'work');
  const html = join(dir, 'report.html');
  const md = join(dir, 'report.md');
  const json = join(dir, 'report.json');
  const from = server.requests.length;
  const r = await bakeoff(['reproduce', '-c', config('run.yaml'), ...small, '--work-dir', work, '-o', html, '-o', md, '-o', json, '--banner', 'Stand-ins, not real providers'], { env: keys });
  assert.equal(r.code, 0, r.stderr);
  // Probes: a binary search over 1k, 2k, 4k — the decentralized stand-in refuses 4k.
  assert.match(r.stderr, /probe dec at 4k: too long/);
  assert.match(r.stdout, /Long-context tasks ran up to 2k, the largest length every backend accepts \(limited by dec\)\./);
  const sent = chats(server, from);
  assert.ok(!sent.some((c) => c.model === 'rp-closed' && c.raw.body.model !== 'rp-closed'));
  const longPrompts = sent.filter((c) => /Question: (What are all the special|Which variables|What are the 10 most common|What are the 3 most frequent|Where is the)/.test(c.prompt));
  assert.equal(longPrompts.length, 2 * 10, 'two lengths × five families × one item, on both backends');
  // The local backend (same model, no key) is not part of the check.
  assert.ok(sent.every((c) => typeof c.raw.headers.authorization === 'string'));

  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.deepEqual(report.plan.lengthsRun, ['1k', '2k']);
  assert.deepEqual(report.plan.lengthsRequested, ['1k', '2k', '4k']);
  assert.equal(report.reference, 'closed');
  assert.deepEqual(report.backends.map((b: { id: string }) => b.id), ['closed', 'dec']);
  const scopes = (claim: string) => report.claims.filter((c: { claim: string }) => c.claim === claim).map((c: { scope: string }) => c.scope);
  assert.deepEqual(scopes('latency'), ['completion tasks', 'length 1k', 'length 2k']);
  assert.deepEqual(scopes('cost'), ['completion tasks', 'length 1k', 'length 2k']);
  assert.deepEqual(scopes('completion'), ['completion tasks']);
  assert.deepEqual(scopes('accuracyGap'), ['long context, all lengths', 'length 1k', 'length 2k']);
  for (const c of report.claims) assert.ok(['consistent', 'not consistent', 'too few samples', 'not measured'].includes(c.verdict));
  const completion = report.claims.find((c: { claim: string }) => c.claim === 'completion');
  assert.equal(completion.measured, 1, 'the windowed stand-in solves the short completion tasks');
  const cost = report.claims.find((c: { claim: string; scope: string }) => c.claim === 'cost' && c.scope === 'completion tasks');
  assert.ok(Math.abs(cost.measured - 0.6) < 1e-9, 'the stand-in prices are 60 % lower');
  // Per length: the perfect reader is right everywhere; prompt tokens as each backend reported them.
  assert.deepEqual(report.lengths.map((l: { label: string }) => l.label), ['1k', '2k']);
  for (const l of report.lengths) {
    const closed = l.backends.find((b: { backend: string }) => b.backend === 'closed');
    assert.equal(closed.accuracy.value, 1);
    assert.ok(closed.promptTokensReportedMean > 700);
  }
  assert.ok(report.buckets.length >= 2);
  for (const b of report.buckets) assert.ok(b.reportedPerReference > 0.9 && b.reportedPerReference < 1.1, 'the stand-ins count with the reference tokenizer');
  assert.equal(report.probes.length, 2);
  assert.equal(report.probes.find((p: { backend: string }) => p.backend === 'dec').largest, '2k');

  // The terminal table and the other formats.
  assert.match(r.stdout, /^Claims — decentralized backends vs closed$/m);
  assert.match(r.stdout, /^87 % task completion\s+dec vs closed\s+completion tasks\s+100 %/m);
  assert.match(r.stdout, /^By context length$/m);
  assert.match(r.stdout, /^Accuracy by the prompt tokens each backend reported$/m);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<h1>Bakeoff: checking the claims<\/h1>/);
  assert.match(page, /Stand-ins, not real providers/);
  assert.match(page, /class="verdict-/);
  assert.ok(!/https?:\/\/(?!127\.0\.0\.1)/.test(page.replace(/http:\/\/127\.0\.0\.1:\d+/g, '')), 'no remote resource');
  assert.match(readFileSync(md, 'utf8'), /^## Claims$/m);
  // Everything is kept: the suites (loadable again), the probes and the raw results.
  assert.deepEqual(readdirSync(work).sort(), ['completion.jsonl', 'completion.yaml', 'longctx.jsonl', 'longctx.yaml', 'probes.json', 'report.json']);
  const longSuite = parseYaml(readFileSync(join(work, 'longctx.yaml'), 'utf8'));
  assert.deepEqual([...new Set(longSuite.tests.map((t: { metadata: { lengthLabel: string } }) => t.metadata.lengthLabel))], ['1k', '2k']);
  for (const key of Object.values(keys)) {
    for (const f of readdirSync(work)) assert.ok(!readFileSync(join(work, f), 'utf8').includes(key), `${f} holds a key`);
    assert.ok(!page.includes(key));
  }
});

test('reproduce --budget none: an unpriced backend runs without a limit (the plan says so)', async () => {
  const r = await bakeoff(['reproduce', '-c', config('nobudget.yaml', { decPricing: '{ type: unknown }' }), ...small, '--budget', 'none', '--dry-run'], { env: keys });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /budget/i, 'no budget shown or enforced');
  assert.match(r.stdout, /Dry run: nothing was sent\./);
});

test('reproduce stopped by SIGTERM exits 143, by Ctrl-C 130', async () => {
  for (const [signalName, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    const controller = new AbortController();
    controller.abort(new CliInterrupt(signalName));
    const r = await bakeoff(['reproduce', '-c', config(`sig-${signalName}.yaml`), ...small, '--work-dir', join(dir, `work-${signalName}`)], { env: keys, signal: controller.signal });
    assert.equal(r.code, code, `${signalName}: ${r.stderr}`);
  }
});

test('reproduce: clear usage errors before anything is sent', async () => {
  const from = server.requests.length;
  const cases: Array<[string[], RegExp]> = [
    [['-c', config('nodec.yaml', { decKind: 'local' })], /needs at least one of each/],
    [['-c', config('unpriced.yaml', { decPricing: '{ type: unknown }' })], /price of dec is unknown, so a budget of \$1\.00 cannot be held.*--budget none/],
    [['-c', config('ok.yaml'), '--budget', '0.0001'], /may cost up to \$[\d.]+ .* more than --budget \$0\.0001.*Lower --n/],
    [['-c', config('ok2.yaml'), '--lengths', '4k,lots'], /--lengths: "lots" is not a length/],
    [['-c', config('ok3.yaml'), '--budget', 'cheap'], /must be an amount in US dollars/],
    [['-c', config('ok4.yaml'), '-o', join(dir, 'x.pdf')], /unknown format/],
  ];
  for (const [args, message] of cases) {
    const r = await bakeoff(['reproduce', ...small, ...args, '--work-dir', join(dir, 'never')], { env: keys });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const missingKey = await bakeoff(['reproduce', '-c', config('ok5.yaml'), ...small, '--work-dir', join(dir, 'never')], { env: { CLOSED_KEY: 'x' } });
  assert.equal(missingKey.code, 2);
  assert.match(missingKey.stderr, /DEC_KEY is not set/);
  assert.equal(server.requests.length, from, 'nothing sent');
  assert.ok(!existsSync(join(dir, 'never')));
});

test('reproduce: a backend that cannot be probed stops the check with what to do; nothing else is sent', async () => {
  server.setSchedule('rp-broken', { fault: { type: 'status', status: 503 } });
  const from = server.requests.length;
  const work = join(dir, 'work-broken');
  const r = await bakeoff(['reproduce', '-c', config('broken.yaml', { decModel: 'rp-broken' }), ...small, '--work-dir', work], { env: keys });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /could not probe dec \(2k: HTTP 503/);
  assert.match(r.stderr, /bakeoff backends check/);
  const sent = chats(server, from);
  assert.ok(sent.every((c) => /Reply with the single word OK/.test(c.prompt)), 'only probes were sent');
  assert.ok(existsSync(join(work, 'probes.json')));
});
