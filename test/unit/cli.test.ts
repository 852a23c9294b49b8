import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodes, runCli } from '../../src/cli/main';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';

let closed: FixtureServer;
let open: FixtureServer;
let dir: string;
let config: string;

before(async () => {
  closed = await startFixtureServer({ apiKey: 'closed-secret-key', schedules: { '*': { text: 'Closed answer here.', ttftMs: 20 } } });
  open = await startFixtureServer({ apiKey: 'open-secret-key', schedules: { '*': { text: 'Open answer, slower.', ttftMs: 60, usage: 'never' } } });
  dir = await mkdtemp(join(tmpdir(), 'bakeoff-cli-'));
  config = join(dir, 'bakeoff.yaml');
  await writeFile(
    config,
    [
      'backends:',
      `  - { id: closed, kind: closed, baseUrl: "${closed.baseUrl}", model: c1, apiKeyEnv: CLOSED_KEY,`,
      '      pricing: { type: perToken, inputPerMTok: 2.5, outputPerMTok: 10 } }',
      `  - { id: open, kind: decentralized, baseUrl: "${open.baseUrl}", model: o1, apiKeyEnv: OPEN_KEY }`,
      'request: { maxTokens: 64, temperature: 0, seed: 3 }',
    ].join('\n'),
  );
});

after(async () => {
  await Promise.all([closed.close(), open.close()]);
  await rm(dir, { recursive: true, force: true });
});

function io(env: Record<string, string> = { CLOSED_KEY: 'closed-secret-key', OPEN_KEY: 'open-secret-key' }) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

test('compare --json prints one object with the documented fields', async () => {
  const t = io();
  const code = await runCli(['compare', '--config', config, '--prompt', 'Say hi', '--json'], t.io);
  assert.equal(code, exitCodes.ok, t.stderr());
  const report = JSON.parse(t.stdout());
  assert.equal(report.results.length, 2);
  const [c, o] = report.results;
  assert.equal(c.backend, 'closed');
  assert.equal(c.status, 'ok');
  assert.equal(c.text, 'Closed answer here.');
  assert.equal(c.tokenSource, 'reported');
  assert.equal(c.costSource, 'override');
  assert.ok(c.costUsd > 0);
  assert.ok(c.ttftMs >= 15, `ttft ${c.ttftMs}`);
  assert.equal(o.text, 'Open answer, slower.');
  assert.equal(o.tokenSource, 'estimated');
  assert.equal(o.costUsd, null);
  assert.equal(o.costSource, 'unknown');
  assert.equal(report.summary.baseline.id, 'closed');
  assert.equal(report.summary.backends[0].isBaseline, true);
  assert.equal(report.summary.backends[0].latencyRatio, null);
  assert.ok(report.summary.backends[1].latencyRatio.value > 1);
  assert.equal(report.summary.backends[1].delivered, 1);
  // The key came from the environment and was sent as a bearer token.
  assert.equal(closed.requests.at(-1)!.headers.authorization, 'Bearer closed-secret-key');
  assert.ok(!t.stdout().includes('secret-key'));
});

test('--backends and --trials select what runs', async () => {
  const t = io();
  const code = await runCli(['compare', '-c', config, '-p', 'x', '--backends', 'open', '--trials', '2', '--json'], t.io);
  assert.equal(code, exitCodes.ok, t.stderr());
  const rows = JSON.parse(t.stdout()).results;
  assert.deepEqual(rows.map((r: { backend: string; trial: number }) => `${r.backend}#${r.trial}`), ['open#1', 'open#2']);
});

test('--markdown prints a report table', async () => {
  const t = io();
  assert.equal(await runCli(['compare', '-c', config, '-p', 'x', '--markdown'], t.io), exitCodes.ok);
  assert.match(t.stdout(), /^# Bakeoff comparison/m);
  assert.match(t.stdout(), /\| closed \| closed \| c1 \| 1\/1 \|/);
  assert.match(t.stdout(), /Baseline: closed/);
});

test('a failing backend gives exit code 1 and a typed error', async () => {
  open.setSchedule('*', { fault: { type: 'status', status: 503 } });
  try {
    const t = io();
    const code = await runCli(['compare', '-c', config, '-p', 'x', '--json'], t.io);
    assert.equal(code, exitCodes.someFailed);
    const o = JSON.parse(t.stdout()).results[1];
    assert.equal(o.status, 'http_error');
    assert.equal(o.error.type, 'http_error');
    assert.match(o.error.message, /503/);
  } finally {
    open.setSchedule('*', { text: 'Open answer, slower.', ttftMs: 60, usage: 'never' });
  }
});

test('usage errors exit 2 with a clear message', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['compare', '-c', config], /--prompt TEXT or --prompt-file/],
    [['compare', '-c', join(dir, 'missing.yaml'), '-p', 'x'], /Config file not found/],
    [['compare', '-c', config, '-p', 'x', '--backends', 'nope'], /Unknown backend: nope/],
    [['compare', '-c', config, '-p', 'x', '--trials', '0'], /whole number/],
    [['compare', '-c', config, '-p', 'x', '--json', '--markdown'], /cannot be used with/],
    [['compare', '-c', config, '-f', join(dir, 'nope.txt')], /Prompt file not found/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [argv, message] of cases) {
    const t = io();
    assert.equal(await runCli(argv, t.io), exitCodes.usage, argv.join(' '));
    assert.match(t.stderr(), message, argv.join(' '));
  }
});

test('missing key variables are named and nothing is sent', async () => {
  const before = closed.requests.length + open.requests.length;
  const t = io({ CLOSED_KEY: 'closed-secret-key' });
  assert.equal(await runCli(['compare', '-c', config, '-p', 'x'], t.io), exitCodes.usage);
  assert.match(t.stderr(), /backend "open": environment variable OPEN_KEY is not set/);
  assert.equal(closed.requests.length + open.requests.length, before);
});

test('a bad config names the backend and the field', async () => {
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ backends: [{ id: 'x', kind: 'closed', baseUrl: 'not a url', model: 'm' }] }));
  const t = io();
  assert.equal(await runCli(['compare', '-c', bad, '-p', 'x'], t.io), exitCodes.usage);
  assert.match(t.stderr(), /backend "x" → baseUrl/);
});

test('backends check reports reachability, model listing and streamed usage', async () => {
  const t = io();
  const code = await runCli(['backends', 'check', '-c', config, '--json'], t.io);
  assert.equal(code, exitCodes.ok, t.stderr() + t.stdout());
  const { checks } = JSON.parse(t.stdout());
  assert.equal(checks.length, 2);
  assert.equal(checks[0].reachable, true);
  assert.equal(checks[0].streamUsage, 'reported');
  assert.equal(checks[1].streamUsage, 'not_reported');
  assert.ok(!t.stdout().includes('secret-key'));
});

test('an aborted run exits 130 with cancelled results', async () => {
  open.setSchedule('*', { text: 'slow', ttftMs: 5000 });
  try {
    const controller = new AbortController();
    const t = io();
    const run = runCli(['compare', '-c', config, '-p', 'x', '--json'], { ...t.io, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    assert.equal(await run, exitCodes.interrupted);
    const rows = JSON.parse(t.stdout()).results;
    assert.equal(rows[1].status, 'cancelled');
  } finally {
    open.setSchedule('*', { text: 'Open answer, slower.', ttftMs: 60, usage: 'never' });
  }
});

test('human output shows each answer once and a summary table', async () => {
  const t = io();
  assert.equal(await runCli(['compare', '-c', config, '-p', 'x', '--trials', '2'], t.io), exitCodes.ok, t.stderr());
  const out = t.stdout();
  assert.equal(out.split('Closed answer here.').length - 1, 1, out);
  assert.match(out, /trial 2 · ok ──\n\(same text as trial 1\)/);
  assert.match(out, /^Backend\s+Kind\s+Model\s+Delivered\s+TTFT p50/m);
  assert.match(out, /^closed\s+closed\s+c1\s+2\/2\s+\d+ ms/m);
  assert.match(t.stderr(), /✔ closed trial 1: Done in \d+ ms/);
});

test('a key echoed back in an error is redacted; a short placeholder key does not mangle the report', async () => {
  open.setSchedule('*', {
    fault: { type: 'status', status: 401, body: JSON.stringify({ error: { message: 'Incorrect API key provided: open-secret-key' } }), contentType: 'application/json' },
  });
  try {
    const t = io();
    assert.equal(await runCli(['compare', '-c', config, '-p', 'x', '--json'], t.io), exitCodes.someFailed);
    const row = JSON.parse(t.stdout()).results[1];
    assert.equal(row.status, 'http_error');
    assert.match(row.error.message, /Incorrect API key provided: \*\*\*/);
    assert.ok(!t.stdout().includes('open-secret-key'));
  } finally {
    open.setSchedule('*', { text: 'Open answer, slower.', ttftMs: 60, usage: 'never' });
  }
  // A local server that ignores keys, configured with a placeholder that also occurs in the answer.
  const local = await startFixtureServer({ schedules: { '*': { text: 'Use ollama to run it locally.' } } });
  try {
    const cfg = join(dir, 'local.json');
    await writeFile(cfg, JSON.stringify({ backends: [{ id: 'ollama', kind: 'local', baseUrl: local.baseUrl, model: 'm', apiKeyEnv: 'OLLAMA_API_KEY' }] }));
    const t = io({ OLLAMA_API_KEY: 'ollama' });
    assert.equal(await runCli(['compare', '-c', cfg, '-p', 'x', '--json'], t.io), exitCodes.ok, t.stderr());
    const row = JSON.parse(t.stdout()).results[0];
    assert.equal(row.backend, 'ollama');
    assert.equal(row.text, 'Use ollama to run it locally.');
  } finally {
    await local.close();
  }
});

test('an oversized prompt file is refused before anything is sent', async () => {
  const big = join(dir, 'big.txt');
  await writeFile(big, Buffer.alloc(4_000_001, 'a'));
  const before = closed.requests.length + open.requests.length;
  const t = io();
  assert.equal(await runCli(['compare', '-c', config, '-f', big], t.io), exitCodes.usage);
  assert.match(t.stderr(), /Prompt file .* is 4\.0 MB; the limit is 4 MB/);
  assert.equal(closed.requests.length + open.requests.length, before);
});

test('a remote backend with auth: none runs without its key variable; without the flag the same config is refused', async () => {
  const keyless = await startFixtureServer({ schedules: { '*': { text: 'Testnet answer.', ttftMs: 5 } } });
  try {
    const file = join(dir, 'keyless.yaml');
    const yaml = (auth: string) =>
      ['backends:', `  - { id: testnet, kind: decentralized, baseUrl: "${keyless.baseUrl}", model: t1, apiKeyEnv: TESTNET_KEY${auth} }`].join('\n');
    await writeFile(file, yaml(', auth: none'));
    const t = io({});
    assert.equal(await runCli(['compare', '-c', file, '-p', 'hi', '--json'], t.io), exitCodes.ok, t.stderr());
    assert.equal(JSON.parse(t.stdout()).results[0].text, 'Testnet answer.');
    assert.equal(keyless.requests.at(-1)?.headers.authorization, undefined, 'no key sent');
    await writeFile(file, yaml(''));
    const refused = io({});
    assert.equal(await runCli(['compare', '-c', file, '-p', 'hi'], refused.io), exitCodes.usage);
    assert.match(refused.stderr(), /TESTNET_KEY is not set/);
  } finally {
    await keyless.close();
  }
});
