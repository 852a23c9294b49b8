// Builds these bundles (Node ones CommonJS; each loads the next ones from its own folder on first need):
//   dist/extension.js      — what the editor loads at start-up: the status bar and the command and
//                            panel registrations (`vscode` external; must stay small, see test/run-all.mjs)
//   dist/host.js           — everything behind the commands and the panel (runner, SDK, schemas),
//                            loaded by extension.js the first time a command runs
//   dist/cli.js            — the headless `bakeoff` command: option parsing only
//   dist/cliActions.js     — what `bakeoff compare` / `backends check` run, loaded by cli.js
//   dist/priceCatalogue.js — the genai-prices catalogue, loaded on the first price lookup
//   dist/tokenWorker.js    — the token-counting worker thread, the only bundle holding the
//                            tokenizer ranks (~4 MB)
//   dist/webview/*         — panel scripts + stylesheets (browser, IIFE): the comparison panel,
//                            the Blind A/B panel, the suite report
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

/**
 * zod re-exports every locale's messages (~250 KB) as `z.locales`, which Bakeoff never uses (its
 * messages are English, registered by zod itself from `locales/en.js`): that namespace is left empty.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher, zodWithoutLocales],
};

/** Node bundles: each entry is its own file; `createRequire(__filename)('./x')` loads a sibling. */
const node = { ...common, outdir: 'dist', platform: 'node', format: 'cjs', target: 'node20' };

const contexts = await Promise.all([
  esbuild.context({ ...node, entryPoints: { extension: 'src/extension/extension.ts', host: 'src/extension/host.ts' }, external: ['vscode'] }),
  esbuild.context({ ...node, entryPoints: { cli: 'src/cli/main.ts' }, banner: { js: '#!/usr/bin/env node' } }),
  esbuild.context({
    ...node,
    entryPoints: { cliActions: 'src/cli/cliActions.ts', priceCatalogue: 'src/core/priceCatalogue.ts', tokenWorker: 'src/core/tokenWorker.ts' },
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
