import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { exitCodes } from '../../src/cli/main';
import { useFixtureServer } from './helpers/fixture';
import { dna } from './helpers/referenceTokens';

const fixture = useFixtureServer();

test('Ctrl-C during a run whose answer is still being counted: the CLI stops at once, exit code 130', async (t) => {
  // "heavy" answers 400 KB of DNA without usage (a count of seconds); "slow" is still streaming.
  fixture.server.setSchedule('heavy', { text: dna(400_000), usage: 'never' });
  fixture.server.setSchedule('slow', { text: 'one two three four five six seven eight nine ten', chunkIntervalMs: 1000, usage: 'never' });
  const dir = await mkdtemp(join(tmpdir(), 'bakeoff-sigint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'bakeoff.json');
  await writeFile(
    config,
    JSON.stringify({
      backends: [
        { id: 'heavy', kind: 'local', baseUrl: fixture.server.baseUrl, model: 'heavy' },
        { id: 'slow', kind: 'local', baseUrl: fixture.server.baseUrl, model: 'slow' },
      ],
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'compare', '-c', config, '-p', 'Write DNA.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    // Both requests are in, and the heavy answer has been fully sent.
    for (let i = 0; i < 600 && fixture.server.requests.filter((q) => q.path.endsWith('/chat/completions')).length < 2; i++) await delay(50);
    await delay(700);
    const interruptedAt = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    const ms = performance.now() - interruptedAt;
    t.diagnostic(`exited ${ms.toFixed(0)} ms after Ctrl-C`);
    assert.equal(code, exitCodes.interrupted, err);
    assert.ok(ms < 3000, `exited ${ms.toFixed(0)} ms after Ctrl-C`);
    assert.match(err, /Cancelling/);
  } finally {
    clearTimeout(deadline);
    child.kill('SIGKILL');
  }
  await fixture.settled();
});
