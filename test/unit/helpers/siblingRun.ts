/**
 * Child-process half of the runner's "sibling timings" test: runs one comparison in a fresh
 * process (no tokenizer loaded yet) against the parent's fixture server and prints a summary of
 * the results as one JSON line. Usage: node --import tsx siblingRun.ts BASE_URL
 */
import { Backend, RequestParams, Timeouts } from '../../../src/core/config';
import { runComparison } from '../../../src/core/runner';
import { UsageSupportMemory } from '../../../src/core/stream';

async function main(): Promise<void> {
  const baseUrl = process.argv[2]!;
  // A prompt large enough that counting it takes a noticeable time.
  const prompt = 'Review this code carefully and explain every function. '.repeat(2000);
  const result = await runComparison({
    backends: [
      Backend.parse({ id: 'no-usage', kind: 'local', baseUrl, model: 'sib-no-usage' }),
      Backend.parse({ id: 'slow', kind: 'local', baseUrl, model: 'sib-slow' }),
    ],
    messages: [{ role: 'user', content: prompt }],
    params: RequestParams.parse({ maxTokens: 512 }),
    timeouts: Timeouts.parse({ firstByteMs: 5000, idleMs: 5000, totalMs: 20_000 }),
    trials: 2,
    resolveKey: () => undefined,
    usageMemory: new UsageSupportMemory(),
  });
  const summary = result.results.map((r) => ({
    backendId: r.backendId,
    status: r.status,
    ttftMs: r.metrics.ttftMs,
    totalMs: r.metrics.totalMs,
    tokenSource: r.metrics.tokenSource,
    inputTokens: r.metrics.inputTokens,
    outputTokens: r.metrics.outputTokens,
  }));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
