import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configureTokenCounter, countMessageTokens, countTokens, holdTokenCounter, tokenCounterMode } from '../../src/core/tokenCounter';
import { countTokensAsync } from '../../src/core/tokenWorker';
import { referenceCount, referenceMessageCount } from './helpers/referenceTokens';

const sample = "function add(a, b) {\n  return a + b; // it's 42\n}\nПривет, 你好 🙂 — naïve café.\n";

test('counts run in a worker thread, which never keeps the process alive', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'helpers', 'countAndExit.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let printedAt = 0;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    printedAt ||= performance.now();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = setTimeout(() => child.kill(), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const exitedAt = performance.now();
  clearTimeout(deadline);
  assert.equal(code, 0, `the process did not exit by itself (${code}) ${err}`);
  const result = JSON.parse(out.trim()) as { counts: Array<number | null>; mode: string };
  assert.equal(result.mode, 'worker');
  assert.equal(result.counts[0], 6);
  assert.ok((result.counts[1] ?? 0) > 0, JSON.stringify(result));
  assert.equal(result.counts[2], referenceMessageCount([{ role: 'user', content: 'Hello!' }], 'gpt-4'));
  assert.ok(exitedAt - printedAt < 3000, `exited ${(exitedAt - printedAt).toFixed(0)} ms after its last count`);
});

test('an idle worker stops (its tokenizer memory handed back); the next count starts a new one', async (t) => {
  t.after(() => configureTokenCounter({}));
  configureTokenCounter({ idleMs: 200 });
  assert.equal(await countTokens(sample, 'gpt-4'), referenceCount(sample, 'gpt-4'));
  assert.equal(tokenCounterMode(), 'worker');
  // Counts in a row keep the worker: each one re-arms the idle time.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await countTokens('Hello!', 'gpt-4'), referenceCount('Hello!', 'gpt-4'));
    assert.equal(tokenCounterMode(), 'worker');
  }
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(tokenCounterMode(), 'idle', 'the worker was still running after its idle time');
  assert.equal(await countTokens(sample, 'gpt-4'), referenceCount(sample, 'gpt-4'));
  assert.equal(tokenCounterMode(), 'worker');
});

test('a held worker does not stop when idle; released, it does', async (t) => {
  t.after(() => configureTokenCounter({}));
  configureTokenCounter({ idleMs: 150 });
  const release = holdTokenCounter();
  assert.equal(await countTokens(sample, 'gpt-4'), referenceCount(sample, 'gpt-4'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(tokenCounterMode(), 'worker', 'the worker stopped while a stream held it');
  release();
  release(); // a second call changes nothing
  const second = holdTokenCounter();
  second();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(tokenCounterMode(), 'idle', 'the worker was still running after every hold was released');
});

test('worker: false counts on this thread, with the same results', async (t) => {
  t.after(() => configureTokenCounter({}));
  configureTokenCounter({ worker: false });
  assert.equal(await countTokens(sample, 'gpt-4o'), referenceCount(sample, 'gpt-4o'));
  assert.equal(tokenCounterMode(), 'in-thread');
  const messages = [{ role: 'user' as const, content: sample }];
  assert.equal(await countMessageTokens(messages, 'gpt-4'), referenceMessageCount(messages, 'gpt-4'));
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await countTokens(sample, 'gpt-4', { signal: aborted.signal }), null);
});

test('a worker that cannot start: counts fall back to this thread', async (t) => {
  t.after(() => configureTokenCounter({}));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-worker-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Loads as a module on this thread, throws as a worker.
  const file = path.join(dir, 'tokenWorker.js');
  fs.writeFileSync(
    file,
    `if (!require('node:worker_threads').isMainThread) throw new Error('no worker here');\n` +
      `module.exports = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'src', 'core', 'tokenWorker.ts'))});\n`,
  );
  configureTokenCounter({ workerFile: file });
  const [a, b] = await Promise.all([countTokens(sample, 'gpt-4'), countTokens('hello world', 'gpt-4o')]);
  assert.equal(a, referenceCount(sample, 'gpt-4'));
  assert.equal(b, 2);
  assert.equal(tokenCounterMode(), 'in-thread');
});

test('no worker file at all: counts are null (unknown), never a throw', async (t) => {
  t.after(() => configureTokenCounter({}));
  configureTokenCounter({ workerFile: path.join(os.tmpdir(), 'bakeoff-no-such-dir', 'tokenWorker.js') });
  assert.equal(await countTokens(sample, 'gpt-4'), null);
  assert.equal(await countMessageTokens([{ role: 'user', content: 'hi' }], 'gpt-4'), null);
  assert.equal(await countTokens('', 'gpt-4'), 0, 'nothing to count needs no tokenizer');
});

test('counting on this thread: exact whatever the slice size, and yields to the event loop', async () => {
  for (const model of ['gpt-4o', 'llama-3.1-8b']) {
    const expected = referenceCount(sample, model);
    for (const sliceChars of [1, 3, 7, 16, 10_000]) {
      assert.equal(await countTokensAsync(sample, model, { sliceChars }), expected, `${model} slice ${sliceChars}`);
    }
  }
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(4000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    assert.equal(await countTokensAsync(text, 'llama-3.1-8b', { budgetMs: 1 }), referenceCount(text, 'llama-3.1-8b'));
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'timers ran while counting');
  let checks = 0;
  assert.equal(await countTokensAsync(text, 'gpt-4', { isCancelled: () => ++checks > 2 }), null, 'stops when cancelled');
});

test('the tokenizer ranks are bundled only with the worker, never with the extension or the CLI', async () => {
  const esbuild = await import('esbuild');
  const root = path.resolve(__dirname, '..', '..');
  const inputsOf = async (entry: string): Promise<string[]> => {
    const result = await esbuild.build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      outdir: path.join(os.tmpdir(), 'bakeoff-bundle-check'),
      logLevel: 'silent',
    });
    return Object.keys(result.metafile.inputs);
  };
  for (const entry of ['src/extension/extension.ts', 'src/cli/main.ts']) {
    const tiktoken = (await inputsOf(entry)).filter((input) => input.includes('js-tiktoken'));
    assert.deepEqual(tiktoken, [], entry);
  }
  const worker = await inputsOf('src/core/tokenWorker.ts');
  for (const ranks of ['cl100k_base', 'o200k_base']) {
    assert.ok(worker.some((input) => input.includes('js-tiktoken') && input.includes(ranks)), ranks);
  }
});
