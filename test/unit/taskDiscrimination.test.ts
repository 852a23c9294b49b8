/**
 * Proof that the generated tasks and their scoring measure what they claim: generated suites run
 * with `bakeoff run` against stand-in models on the fixture server that read each prompt — a
 * perfect reader, one that sees only the last K tokens, an echo and a random guesser.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, tempDir, write } from './helpers/suiteRun';

/** The windowed stand-in's window, in tokens. */
const windowTokens = 2048;
const lengths = ['1k', '2k', '4k', '8k', '16k'];

let server: FixtureServer;
let dir: string;
let config: string;

before(async () => {
  server = await startFixtureServer();
  server.setSchedule('perfect', { answerer: { type: 'perfect' } });
  server.setSchedule('windowed', { answerer: { type: 'windowed', windowTokens } });
  server.setSchedule('echo', { answerer: { type: 'echo' } });
  server.setSchedule('random', { answerer: { type: 'random', seed: 5 } });
  dir = tempDir('bakeoff-discrimination-');
  config = write(
    dir,
    'backends.yaml',
    [
      'backends:',
      ...['perfect', 'windowed', 'echo', 'random'].map(
        (m) => `  - { id: ${m}, kind: local, baseUrl: "${server.baseUrl}", model: ${m}, pricing: { type: free } }`,
      ),
      'timeouts: { firstByteMs: 20000, idleMs: 20000, totalMs: 60000 }',
    ].join('\n'),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Figure {
  value: number;
}
interface Report {
  summary: {
    backends: Array<{ id: string; accuracy: Figure | null; delivered: number; cells: number }>;
    byLength: Array<{ label: string; backends: Array<{ backend: string; accuracy: Figure | null; cells: number }> }>;
    byFamily: Array<{ label: string; backends: Array<{ backend: string; accuracy: Figure | null }> }>;
  };
}

async function runSuite(args: string[], name: string): Promise<Report> {
  const suite = join(dir, `${name}.yaml`);
  const gen = await bakeoff(['gen', ...args, '--out', suite]);
  assert.equal(gen.code, 0, gen.stderr);
  const out = join(dir, `${name}.json`);
  const run = await bakeoff(['run', suite, '-c', config, '--concurrency', '8', '-o', out, '-o', join(dir, `${name}.jsonl`)]);
  // 100: some tests failed (they must: three of the four stand-ins are bad models).
  assert.equal(run.code, 100, run.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

const accuracy = (f: Figure | null | undefined): number => {
  assert.ok(f, 'an accuracy figure');
  return f.value;
};

test('long-context tasks: perfect ≈ 100 %, echo and random ≈ 0, the windowed reader falls as the length passes its window', async (t) => {
  const report = await runSuite(['longctx', '--seed', '2024', '--lengths', lengths.join(','), '--n', '3'], 'longctx');
  const overall = new Map(report.summary.backends.map((b) => [b.id, b]));
  for (const b of overall.values()) assert.equal(b.delivered, b.cells, `${b.id} delivered every answer`);
  const byLength = new Map(report.summary.byLength.map((g) => [g.label, new Map(g.backends.map((b) => [b.backend, accuracy(b.accuracy)]))]));
  assert.deepEqual([...byLength.keys()], lengths);
  const row = (id: string) => lengths.map((l) => byLength.get(l)!.get(id)!);
  t.diagnostic(`accuracy by length ${lengths.join(' / ')}`);
  for (const id of ['perfect', 'windowed', 'echo', 'random']) {
    t.diagnostic(`${id}: ${row(id).map((v) => `${(v * 100).toFixed(0)} %`).join(' / ')} (overall ${(accuracy(overall.get(id)!.accuracy) * 100).toFixed(1)} %)`);
  }
  for (const family of report.summary.byFamily) {
    t.diagnostic(`${family.label}: ${family.backends.map((b) => `${b.backend} ${(accuracy(b.accuracy) * 100).toFixed(0)} %`).join(', ')}`);
  }

  for (const v of row('perfect')) assert.ok(v >= 0.99, `perfect ${v}`);
  assert.ok(accuracy(overall.get('echo')!.accuracy) <= 0.02, 'echo ≈ 0');
  assert.ok(accuracy(overall.get('random')!.accuracy) <= 0.05, 'random ≈ 0');
  for (const v of [...row('echo'), ...row('random')]) assert.ok(v <= 0.1, `echo/random at one length: ${v}`);

  const w = row('windowed');
  // Lengths within the window (1k, 2k): the windowed reader sees everything.
  assert.ok(w[0]! >= 0.99 && w[1]! >= 0.99, `windowed within its window: ${w}`);
  // Past the window it falls, and keeps falling.
  assert.ok(w[2]! <= w[1]! - 0.2, `windowed at 2× its window: ${w}`);
  assert.ok(w[4]! <= w[2]! - 0.2, `windowed at 8× its window: ${w}`);
  assert.ok(w[4]! <= 0.4, `windowed at 8× its window: ${w}`);
});

test('completion tasks: perfect ≈ 100 %, echo and random ≈ 0', async (t) => {
  const report = await runSuite(['completion', '--seed', '2024', '--n', '6'], 'completion');
  const acc = new Map(report.summary.backends.map((b) => [b.id, accuracy(b.accuracy)]));
  t.diagnostic(`completion accuracy: ${[...acc].map(([id, v]) => `${id} ${(v * 100).toFixed(1)} %`).join(', ')}`);
  assert.equal(acc.get('perfect'), 1);
  assert.ok(acc.get('echo')! <= 0.02);
  assert.ok(acc.get('random')! <= 0.05);
});
