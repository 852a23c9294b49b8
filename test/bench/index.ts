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
const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.exitCode = build.status ?? 1;
} else {
  for (const script of ['ttftBias.ts', 'sseFraming.ts', 'tokenCount.ts', 'cli.ts', 'editor.ts', 'webview.ts']) {
    const args = [...process.execArgv, path.join(__dirname, script), ...process.argv.slice(2), '--no-build'];
    const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (run.status !== 0) {
      process.exitCode = run.status ?? 1;
      break;
    }
  }
}
