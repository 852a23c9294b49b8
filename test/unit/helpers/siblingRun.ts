/**
 * Child-process half of the runner's timing tests: runs one comparison in a fresh process (no
 * tokenizer loaded, no counting worker started yet, as on a first comparison) against the
 * parent's fixture server and prints the outcome as one JSON line:
 * `{startedEpochMs, endedEpochMs, results: [...]}` — epoch times from
 * `performance.timeOrigin + performance.now()`, comparable with the parent's.
 *
 *   node --import tsx siblingRun.ts BASE_URL [SPEC_JSON]
 *
 * SPEC_JSON (optional): `{prompt?: 'code' | 'dna' | 'letter', promptChars?: number,
 * backends?: [{id, model}], trials?: number}`. Default: a long code-review prompt, backends
 * `no-usage` (model sib-no-usage) and `slow` (model sib-slow), 2 trials.
 */
import { Backend, RequestParams, Timeouts } from '../../../src/core/config';
import { runComparison } from '../../../src/core/runner';
import { UsageSupportMemory } from '../../../src/core/stream';
import { dna } from './referenceTokens';

export interface SiblingRunSpec {
  prompt?: 'code' | 'dna' | 'letter';
  promptChars?: number;
  backends?: Array<{ id: string; model: string }>;
  trials?: number;
}

export interface SiblingRunOutput {
  startedEpochMs: number;
  endedEpochMs: number;
  results: Array<{
    backendId: string;
    status: string;
    ttftMs: number | null;
    /** When the first content arrived, epoch ms (null: none arrived). */
    firstContentEpochMs: number | null;
    totalMs: number | null;
    tokenSource: string | null;
    inputTokens: number | null;
    outputTokens: number | null;
  }>;
}

function promptOf(spec: SiblingRunSpec): string {
  switch (spec.prompt ?? 'code') {
    case 'dna':
      return dna(spec.promptChars ?? 12_000);
    case 'letter':
      return 'a'.repeat(spec.promptChars ?? 3_900_000);
    default:
      // A prompt large enough that counting it takes a noticeable time.
      return 'Review this code carefully and explain every function. '.repeat(2000);
  }
}

async function main(): Promise<void> {
  const baseUrl = process.argv[2]!;
  const spec = JSON.parse(process.argv[3] ?? '{}') as SiblingRunSpec;
  const backends = spec.backends ?? [
    { id: 'no-usage', model: 'sib-no-usage' },
    { id: 'slow', model: 'sib-slow' },
  ];
  const prompt = promptOf(spec);
  const epochNow = () => performance.timeOrigin + performance.now();
  const startedEpochMs = epochNow();
  const result = await runComparison({
    backends: backends.map((b) => Backend.parse({ ...b, kind: 'local', baseUrl })),
    messages: [{ role: 'user', content: prompt }],
    params: RequestParams.parse({ maxTokens: 512 }),
    timeouts: Timeouts.parse({ firstByteMs: 5000, idleMs: 5000, totalMs: 20_000 }),
    trials: spec.trials ?? 2,
    resolveKey: () => undefined,
    usageMemory: new UsageSupportMemory(),
  });
  const endedEpochMs = epochNow();
  const output: SiblingRunOutput = {
    startedEpochMs,
    endedEpochMs,
    results: result.results.map((r) => ({
      backendId: r.backendId,
      status: r.status,
      ttftMs: r.metrics.ttftMs,
      firstContentEpochMs: r.timing.firstContentMs === null ? null : performance.timeOrigin + r.timing.firstContentMs,
      totalMs: r.metrics.totalMs,
      tokenSource: r.metrics.tokenSource,
      inputTokens: r.metrics.inputTokens,
      outputTokens: r.metrics.outputTokens,
    })),
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
