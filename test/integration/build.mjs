// Compiles the in-host suite to out/integration/ (CommonJS; `vscode` and `mocha` resolved at run time).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDir = path.join(root, 'test', 'integration');
const outDir = path.join(root, 'out', 'integration');
const entries = fs.readdirSync(srcDir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts'));

fs.rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: entries.map((f) => path.join(srcDir, f)),
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`built ${entries.length} file(s) into ${path.relative(root, outDir)}/`);
