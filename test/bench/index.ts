/**
 * Runs every benchmark in turn, each in its own process; each writes its section of
 * BENCHMARKS.md (`ttftBias.ts` first: it starts the file afresh). Arguments go to every script.
 *
 *   npm run bench
 *   npm run bench -- --samples 50
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Each script, with the Node flags it needs besides ours. */
const scripts: Array<[string, string[]]> = [
  ['ttftBias.ts', []],
  ['sseFraming.ts', []],
  ['tokenCount.ts', []],
  // Measures memory after full collections.
  ['suiteBench.ts', ['--expose-gc']],
];
for (const [script, flags] of scripts) {
  const run = spawnSync(process.execPath, [...flags, ...process.execArgv, path.join(__dirname, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) {
    process.exitCode = run.status ?? 1;
    break;
  }
}
