// Builds four bundles:
//   dist/extension.js   — extension host (Node, CommonJS, `vscode` external)
//   dist/cli.js         — the headless `bakeoff` command (Node, CommonJS)
//   dist/tokenWorker.js — the token-counting worker thread, the only bundle holding the
//                         tokenizer ranks (~4 MB); extension and CLI start it from their own folder
//   dist/webview/*      — panel scripts + stylesheets (browser, IIFE): the comparison panel, the Blind A/B panel, the suite report
// Flags: --production (minify, no sourcemaps), --watch (rebuild on change).
import * as esbuild from 'esbuild';
import { cp, mkdir } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints esbuild errors in the format VS Code's `$esbuild-watch` problem matcher reads. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const contexts = await Promise.all([
  esbuild.context({
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  }),
  esbuild.context({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.context({
    ...common,
    entryPoints: { tokenWorker: 'src/core/tokenWorker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  }),
  esbuild.context({
    ...common,
    entryPoints: { main: 'src/webview/main.ts', main_css: 'src/webview/main.css', arena: 'src/webview/arena/main.ts', arena_css: 'src/webview/arena/arena.css', suite: 'src/webview/suite/main.ts', suite_css: 'src/webview/suite/suite.css' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file' },
  }),
]);

// Codicons are served from the extension itself (CSP forbids remote fonts).
await mkdir('dist/webview/codicons', { recursive: true });
await cp('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicons/codicon.css');
await cp('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicons/codicon.ttf');

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
