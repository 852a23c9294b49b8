/**
 * The layer rules of eslint.config.mjs fire: planted imports are linted as if they were files in
 * each layer (ESLint's Node API with the repository's config), and every forbidden form is an
 * error while the allowed ones pass. The repository itself is linted by `npm run lint`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

/** Rule ids reported for `code` as if it were the file `file` (relative to the repository). */
async function ruleHits(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  assert.ok(result, file);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `parse error in planted code: ${code}`);
  return result.messages.map((m) => m.ruleId ?? '');
}

const layerRule = /no-restricted-imports|no-restricted-syntax|triple-slash-reference/;

async function assertForbidden(file: string, code: string): Promise<void> {
  const hits = await ruleHits(file, code);
  assert.ok(hits.some((r) => layerRule.test(r)), `${file}: expected a layer error for: ${code} (got ${hits.join(', ') || 'none'})`);
}

async function assertAllowed(file: string, code: string): Promise<void> {
  const hits = (await ruleHits(file, code)).filter((r) => layerRule.test(r));
  assert.deepEqual(hits, [], `${file}: expected no layer error for: ${code}`);
}

const vscodeForms = [
  `import * as vscode from 'vscode';\nvoid vscode;`,
  `import { window } from "vscode";\nvoid window;`,
  `import type { Uri } from 'vscode';\nexport type U = Uri;`,
  `import type {\n  Uri,\n} from 'vscode';\nexport type U = Uri;`,
  `export { Uri } from 'vscode';`,
  `import 'vscode';`,
  `export async function f() { return import('vscode'); }`,
  'export const v = require(`vscode`);',
  `export const v = require("vscode");`,
  `import vscode = require('vscode');\nvoid vscode;`,
  `/// <reference types="vscode" />\nexport {};`,
];

test('vscode in any form is an error outside src/extension', async () => {
  for (const file of ['src/core/planted.ts', 'src/shared/planted.ts', 'src/cli/planted.ts', 'src/webview/planted.ts', 'src/webview/parts/planted.ts']) {
    for (const code of vscodeForms) await assertForbidden(file, code);
  }
});

test('vscode is allowed in src/extension; look-alikes pass everywhere', async () => {
  await assertAllowed('src/extension/planted.ts', `import * as vscode from 'vscode';\nvoid vscode;`);
  const harmless = [
    `import { x } from './vscode';\nvoid x;`,
    `export const name = 'vscode';`,
    `// this module must never import from 'vscode'\nexport {};`,
    `/* require('vscode') is only allowed in src/extension */\nexport {};`,
  ];
  for (const code of harmless) await assertAllowed('src/core/planted.ts', code);
  await assertAllowed('src/webview/planted.ts', `import type { WebviewApi } from 'vscode-webview';\nexport type A = WebviewApi<unknown>;`);
});

test('src/core imports nothing from the layers above it', async () => {
  for (const target of ['shared/protocol', 'extension/settings', 'webview/format', 'cli/main']) {
    await assertForbidden('src/core/planted.ts', `import { x } from '../${target}';\nvoid x;`);
    await assertForbidden('src/core/planted.ts', `export * from '../${target}';`);
  }
  await assertAllowed('src/core/planted.ts', `import { x } from './config';\nimport { readFile } from 'node:fs/promises';\nvoid x; void readFile;`);
});

test('browser code imports only src/shared, its own files and the allow-listed pure core modules', async () => {
  for (const file of ['src/webview/planted.ts', 'src/webview/parts/planted.ts']) {
    const up = file.includes('/parts/') ? '../..' : '..';
    await assertAllowed(file, `import { percentile } from '${up}/core/stats';\nimport type { RunView } from '${up}/shared/protocol';\nvoid percentile; export type R = RunView;`);
    await assertAllowed(file, `import { x } from '${up}/core/summary';\nvoid x;`);
    for (const forbidden of ['core/timedFetch', 'core/runner', 'core/configFile', 'extension/panel', 'cli/main']) {
      await assertForbidden(file, `import { x } from '${up}/${forbidden}';\nvoid x;`);
    }
  }
  await assertForbidden('src/shared/planted.ts', `import { x } from '../core/runner';\nvoid x;`);
  await assertForbidden('src/shared/planted.ts', `import { x } from '../webview/format';\nvoid x;`);
  await assertAllowed('src/shared/planted.ts', `import { BackendKind } from '../core/config';\nvoid BackendKind;`);
});

test('Node built-ins are errors in src/webview, src/shared and the pure core modules', async () => {
  const forms = [
    `import { readFile } from 'node:fs/promises';\nvoid readFile;`,
    `import fs from 'fs';\nvoid fs;`,
    `import { join } from 'path';\nvoid join;`,
    `import { strict } from 'assert/strict';\nvoid strict;`,
    `import http from 'node:http';\nvoid http;`,
    `export const c = require('node:crypto');`,
    `export const c = require('crypto');`,
    `export async function f() { return import('node:net'); }`,
  ];
  for (const file of ['src/webview/planted.ts', 'src/shared/planted.ts', 'src/core/stats.ts', 'src/core/config.ts']) {
    for (const code of forms) await assertForbidden(file, code);
  }
  // A pure core module may only lean on other pure ones, so purity holds transitively.
  await assertForbidden('src/core/stats.ts', `import { x } from './timedFetch';\nvoid x;`);
  await assertAllowed('src/core/stats.ts', `import { x } from './types';\nvoid x;`);
  // Node-only core modules may use Node.
  await assertAllowed('src/core/timedFetch.ts', `import http from 'node:http';\nvoid http;`);
});
