/**
 * Runs every benchmark in turn, each in its own process; each writes its section of
 * BENCHMARKS.md. The production bundles are built once first (the CLI, editor and panel
 * benchmarks measure them). Arguments go to every script.
 *
 *   npm run bench
 *   npm run bench -- --samples 50 --sessions 3
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Each script, with the Node flags and the arguments it needs besides ours. */
const scripts: Array<[string, string[], string[]]> = [
  ['ttftBias.ts', [], []],
  ['sseFraming.ts', [], []],
  ['tokenCount.ts', [], []],
  // Measures memory after full collections.
  ['suiteBench.ts', ['--expose-gc'], []],
  ['resultMemory.ts', ['--expose-gc'], []],
  ['cli.ts', [], ['--no-build']],
  ['editor.ts', [], ['--no-build']],
  ['webview.ts', [], ['--no-build']],
];
const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.exitCode = build.status ?? 1;
} else {
  for (const [script, flags, args] of scripts) {
    const run = spawnSync(process.execPath, [...flags, ...process.execArgv, path.join(__dirname, script), ...process.argv.slice(2), ...args], { stdio: 'inherit' });
    if (run.status !== 0) {
      process.exitCode = run.status ?? 1;
      break;
    }
  }
}
