/**
 * Resume after `kill -9`: the real `bakeoff` command runs in a child process and is killed
 * mid-run with SIGKILL (no handler runs); `--resume` then completes the run, and the fixture
 * server's request log shows that no finished cell was sent again. Also: SIGTERM to the child
 * exits 143 with the partial report written.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, chats, jsonl, suiteKeys, tempDir, write, writeConfig } from './helpers/suiteRun';

const root = join(__dirname, '..', '..');
let server: FixtureServer;
let dir: string;
let config: string;
let suite: string;
const tests = 12;

before(async () => {
  server = await startFixtureServer();
  server.setSchedule('closed-m', { text: 'Paris.', ttftMs: 60, chunkIntervalMs: 5 });
  server.setSchedule('dec-m', { text: 'Paris!', ttftMs: 80, chunkIntervalMs: 5, usage: 'never' });
  dir = tempDir('bakeoff-suite-kill-');
  config = writeConfig(dir, server);
  suite = write(
    dir,
    'suite.yaml',
    ['prompts: ["Kill test {{n}}"]', 'tests:', ...Array.from({ length: tests }, (_, i) => `  - { vars: { n: "${i}" }, assert: [{ type: icontains, value: paris }] }`)].join('\n'),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function spawnCli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
    // `--import tsx` resolves from the working directory.
    cwd: root,
    env: { PATH: process.env.PATH, ...suiteKeys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** Waits until the results file holds at least `n` cell lines. */
async function waitForCells(path: string, n: number, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (existsSync(path)) {
      const cells = readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"type":"cell"')).length;
      if (cells >= n) return;
    }
    await delay(20);
  }
  throw new Error(`no ${n} cells in ${path} after ${timeoutMs} ms`);
}

const cellOf = (model: string, prompt: string) => `${model === 'closed-m' ? 'closed' : 'dec'}|t${String(Number(prompt.split(' ').at(-1)) + 1).padStart(4, '0')}`;

test('kill -9 mid-run, then --resume completes it without re-sending finished cells', async () => {
  const results = join(dir, 'killed.jsonl');
  const from = server.requests.length;
  const { child, done } = spawnCli(['run', suite, '-c', config, '--backends', 'closed,dec', '--seed', '3', '-o', results]);
  await waitForCells(results, 6);
  child.kill('SIGKILL');
  const exit = await done;
  assert.equal(exit.signal, 'SIGKILL');
  await delay(100);
  const sentBeforeKill = chats(server, from).map((c) => cellOf(c.model, c.prompt));
  const saved = jsonl(results);
  assert.equal(saved[0]!.type, 'header');
  const finished = saved.slice(1).map((c) => `${c.backend}|${c.test}`);
  assert.ok(finished.length >= 6 && finished.length < 2 * tests, `${finished.length} finished`);
  for (const f of finished) assert.ok(sentBeforeKill.includes(f));
  // At most the cells in flight were lost: per backend one streaming and one being graded or written.
  assert.ok(sentBeforeKill.length - finished.length <= 4, `lost ${sentBeforeKill.length - finished.length}`);

  const resumeFrom = server.requests.length;
  const resumed = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--resume', results, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const resent = chats(server, resumeFrom).map((c) => cellOf(c.model, c.prompt));
  for (const f of finished) assert.ok(!resent.includes(f), `${f} was sent again`);
  assert.equal(new Set([...finished, ...resent]).size, 2 * tests, 'every cell ran once in the end');
  assert.equal(resent.length, 2 * tests - finished.length);
  const summary = JSON.parse(resumed.stdout).summary;
  assert.equal(summary.backends[0].passed + summary.backends[1].passed, 2 * tests);
  const lines = jsonl(results);
  assert.equal(lines.filter((l) => l.type === 'header').length, 1, 'one header; the resumed cells were appended');
  assert.equal(lines.length - 1, 2 * tests);
});

test('SIGTERM to the running command exits 143 and writes the partial report', async () => {
  const report = join(dir, 'terminated.json');
  const results = join(dir, 'terminated.jsonl');
  const { child, done } = spawnCli(['run', suite, '-c', config, '--backends', 'closed,dec', '-o', results, '-o', report]);
  await waitForCells(results, 3);
  child.kill('SIGTERM');
  const exit = await done;
  assert.equal(exit.code, 143, exit.stderr);
  const j = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(j.outcome, 'interrupted');
  assert.ok(j.summary.backends[0].delivered + j.summary.backends[1].delivered >= 3);
});
