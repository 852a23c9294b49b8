/**
 * `npm run bench`: runs every benchmark in turn, each in its own process, with the same
 * arguments; each writes its own section of BENCHMARKS.md.
 *
 *   npm run bench                       # all, default sizes
 *   npm run bench -- --samples 50       # arguments go to every benchmark (unknown ones are ignored)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benchmarks = ['ttftBias.ts', 'tokenCount.ts'];
for (const file of benchmarks) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, [...process.execArgv, path.join(__dirname, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${file} failed (exit ${result.status ?? result.signal})`);
    process.exitCode = 1;
  }
}
