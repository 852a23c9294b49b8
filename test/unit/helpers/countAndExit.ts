/**
 * Child-process half of the "worker never keeps a process alive" test: counts a few texts with
 * the worker, prints the results as one JSON line, starts loading another tokenizer without
 * waiting for it, and then simply returns. The process must exit by itself.
 * Usage: node --import tsx countAndExit.ts
 */
import { countMessageTokens, countTokens, tokenCounterMode, warmTokenCounter } from '../../../src/core/tokenCounter';

async function main(): Promise<void> {
  const counts = [
    await countTokens('tiktoken is great!', 'gpt-4'),
    await countTokens(' '.repeat(64_000), 'gpt-4'),
    await countMessageTokens([{ role: 'user', content: 'Hello!' }], 'gpt-4'),
  ];
  process.stdout.write(`${JSON.stringify({ counts, mode: tokenCounterMode() })}\n`);
  warmTokenCounter(['gpt-4o']);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
