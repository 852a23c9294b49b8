/**
 * Memory a streamed answer keeps: the heap a `TrialResult` holds after a full garbage collection,
 * per result, for short (32 content events) and long (500) answers from the fixture server (a
 * child process). A comparison or a suite keeps every result until its report is written, so this
 * is what its heap grows by per request.
 *
 * Side by side, in the same run and from the same deltas: the answer's text as the result holds
 * it, and the same text built the usual way, `text += delta` (V8 keeps such a string as a tree of
 * its pieces until something flattens it).
 *
 *   node --expose-gc --import tsx test/bench/resultMemory.ts [--results 1000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend, RequestParams } from '../../src/core/config';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';
import type { TrialResult } from '../../src/core/types';
import { machineLines, startFixtureProcess, writeSection } from './report';

const args = process.argv.slice(2);
const resultsWanted = Number(args[args.indexOf('--results') + 1] ?? NaN) || 1000;
const inFlight = 16;
const answers = { short: 32, long: 500 } as const;

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after two full collections (the second catches what the first's finalisers freed). */
function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

interface Kept {
  /** Bytes of heap per result kept, after full collections. */
  perItemBytes: number;
  items: number;
}

/**
 * Streams `count` answers with `inFlight` at a time, keeps what `keep` returns for each, and
 * measures the heap that adds.
 */
async function measureKept(backend: Backend, count: number, keep: (result: TrialResult, deltas: string[]) => unknown): Promise<Kept> {
  const memory = new UsageSupportMemory();
  const params = RequestParams.parse({ maxTokens: 1024, temperature: 0 });
  const stream = async (): Promise<unknown> => {
    const deltas: string[] = [];
    const result = await streamCompletion({
      backend,
      messages: [{ role: 'user', content: 'Say the words.' }],
      params,
      usageMemory: memory,
      promptTokens: 4,
      onDelta: (d) => deltas.push(d.content),
    });
    if (result.status !== 'ok') throw new Error(`${backend.model}: ${result.status}`);
    return keep(result, deltas);
  };
  // Warm-up: code loaded and compiled, the connection machinery's first allocations made.
  for (let i = 0; i < 16; i++) await stream();
  const kept: unknown[] = [];
  const before = heapAfterGc();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next++;
        kept.push(await stream());
      }
    }),
  );
  const after = heapAfterGc();
  if (kept.length !== count) throw new Error(`kept ${kept.length} of ${count}`);
  return { perItemBytes: (after - before) / count, items: kept.length };
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-bench-memory-'));
  const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');
  const fixture = await startFixtureProcess(dir, {
    short: { text: words(answers.short), usage: 'always' },
    long: { text: words(answers.long), usage: 'always' },
  });
  const rows: string[] = [];
  try {
    for (const [name, events] of Object.entries(answers)) {
      const backend = Backend.parse({ id: name, kind: 'local', baseUrl: fixture.baseUrl, model: name, pricing: { type: 'free' } });
      let textLength = 0;
      const whole = await measureKept(backend, resultsWanted, (r) => ((textLength = r.text.length), r));
      const text = await measureKept(backend, resultsWanted, (r) => r.text);
      const grown = await measureKept(backend, resultsWanted, (_r, deltas) => {
        let s = '';
        for (const d of deltas) s += d;
        return s;
      });
      const kib = (b: number) => (b / 1024).toFixed(2);
      rows.push(
        `| ${events} content events (${textLength.toLocaleString('en-US')} characters) | ${whole.items} | ${kib(whole.perItemBytes)} | ${kib(text.perItemBytes)} | ${kib(grown.perItemBytes)} |`,
      );
    }
  } finally {
    fixture.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const table = [
    '| Answer | Results kept | Heap per result (KiB) | … its text alone (KiB) | the same text built with `+=` (KiB) |',
    '|---|---:|---:|---:|---:|',
    ...rows,
  ];
  writeSection('Memory kept per answer', [
    'What one streamed answer (`streamCompletion`, the fixture server in a child process, 16 in flight) keeps on the heap: the',
    'heap in use after full collections, before and after streaming the answers and keeping each, divided by the count. A',
    'comparison or a suite keeps every result until its report is written. The result holds the text, the arrival time of',
    'every event (three arrays: every event, content events, and their sizes), the timing breakdown, metrics and cost.',
    'Side by side from the same deltas: the text as the result holds it, and the same text built with `text += delta`',
    '(V8 keeps such a string as a tree of its pieces). Reproduce with `npm run bench`.',
    '',
    ...machineLines(),
    '',
    ...table,
  ]);
  console.log(table.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
