/**
 * Token-counting benchmark: how long it takes to count the inputs that froze Bakeoff when a
 * server sent no usage, and how long the event loop is blocked meanwhile.
 *
 * - before: js-tiktoken's `encode(text).length` on the calling thread — what counting cost
 *   before it moved to a worker (a long run is one pre-token, whose BPE is quadratic). Each runs
 *   in a child process, stopped after a cap, since it cannot be interrupted.
 * - after: `countTokens` (src/core/tokenCounter.ts): the worker thread, pieces of at most
 *   `maxPieceChars`. Median of several runs with the worker already started and the tokenizer
 *   loaded; the first count of a process (worker start and tokenizer load) is a row of its own.
 *
 * Both are measured in the same run, on the same machine. Writes its section of BENCHMARKS.md.
 *
 *   npm run bench                          # both benchmarks
 *   node --import tsx test/bench/tokenCount.ts [--cap-s 30] [--runs 5]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from '../../src/core/stats';
import { countTokens } from '../../src/core/tokenCounter';
import { maxPieceChars, tokenizerName } from '../../src/core/tokens';
import { dna } from '../unit/helpers/referenceTokens';
import { machineLines, writeSection } from './report';

/** cl100k_base: the tokenizer of every non-OpenAI model, i.e. of the endpoints that send no usage. */
const model = 'llama-3.1-8b';

const inputs: Record<string, () => string> = {
  '64,000 spaces': () => ' '.repeat(64_000),
  '12,000 letters': () => 'x'.repeat(12_000),
  '12 KB DNA': () => dna(12_000),
  '3.9 MB of one letter': () => 'a'.repeat(3_900_000),
  '1 MB of prose (ordinary text)': () =>
    'The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun. '.repeat(Math.ceil(1_000_000 / 83)).slice(0, 1_000_000),
};

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Child process: js-tiktoken on this thread, prints the ms it took. */
function before(name: string): void {
  interface Encoder {
    encode(text: string, allowedSpecial?: string[], disallowedSpecial?: string[]): number[];
  }
  const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Encoder };
  const encoder = new Tiktoken(require(`js-tiktoken/ranks/${tokenizerName(model)}`));
  encoder.encode('warm up', [], []);
  const text = inputs[name]!();
  const started = performance.now();
  const n = encoder.encode(text, [], []).length;
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, tokens: n })}\n`);
}

async function measureBefore(name: string, capMs: number): Promise<{ ms: number; tokens: number } | null> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--before', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill(), capMs);
  await new Promise((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  try {
    return JSON.parse(out.trim()) as { ms: number; tokens: number };
  } catch {
    return null;
  }
}

/** One count through the worker; `blockedMs`: the longest event-loop stall meanwhile. */
async function measureAfter(text: string): Promise<{ ms: number; tokens: number | null; blockedMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const tokens = await countTokens(text, model, { timeLimitMs: 120_000 });
  const ms = performance.now() - started;
  delay.disable();
  return { ms, tokens, blockedMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  const capMs = argNumber('--cap-s', 30) * 1000;
  const runs = Math.round(argNumber('--runs', 5));
  const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
  const rows: string[] = [];

  // The machine's own noise: the longest stall of an event loop that does nothing for 300 ms.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 300));
  idle.disable();
  rows.push(`| nothing (an idle wait of 300 ms: the machine's noise) | — | — | ${(idle.max / 1e6).toFixed(1)} ms | — |`);
  const cold = await measureAfter('The first count of a process.');
  rows.push(`| first count of a process (worker start + tokenizer load) | — | ${fmt(cold.ms)} | ${cold.blockedMs.toFixed(1)} ms | ${cold.tokens} |`);
  for (const [name, make] of Object.entries(inputs)) {
    const text = make();
    const after: Array<{ ms: number; tokens: number | null; blockedMs: number }> = [];
    for (let i = 0; i < runs; i++) after.push(await measureAfter(text));
    const old = await measureBefore(name, capMs);
    const medianMs = percentile(after.map((a) => a.ms), 50) ?? NaN;
    const blocked = Math.max(...after.map((a) => a.blockedMs));
    const beforeCell = old ? `${fmt(old.ms)} (${old.tokens} tokens)` : `not finished after ${fmt(capMs)} (stopped)`;
    const row = `| ${name} | ${beforeCell} | ${fmt(medianMs)} | ${blocked.toFixed(1)} ms | ${after[0]!.tokens} |`;
    rows.push(row);
    console.log(row);
  }

  const table = [
    '| Input | Before: js-tiktoken on the event loop (blocks it throughout) | After: worker, median | After: longest event-loop stall | After: tokens |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ];
  writeSection('Token counting', [
    `Time to count the tokens of an answer or prompt with the \`${tokenizerName(model)}\` tokenizer (every non-OpenAI`,
    'model), as when a server reports no usage. *Before*: js-tiktoken `encode(text).length` on the calling thread, as',
    'Bakeoff counted before, each in a child process stopped after the cap; its event loop is blocked for the whole',
    `time. *After*: \`countTokens\` — a worker thread, pre-tokens longer than ${maxPieceChars} characters counted piece by piece;`,
    `median of ${runs} runs with the worker started and the tokenizer loaded, and the longest stall of the calling`,
    "thread's event loop meanwhile (`monitorEventLoopDelay`, 1 ms resolution). Counts of such runs are estimates;",
    'ordinary text is counted exactly (same tokens before and after). Reproduce with `npm run bench`.',
    '',
    ...machineLines(),
    `- Load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}`,
    '',
    ...table,
  ]);
  console.log(table.join('\n'));
}

if (process.argv.includes('--before')) before(process.argv[process.argv.indexOf('--before') + 1]!);
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
