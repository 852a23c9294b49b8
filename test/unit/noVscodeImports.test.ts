import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Code outside src/extension must run without VS Code (CLI, tests, browser). */
const guardedDirs = ['src/core', 'src/shared', 'src/cli', 'src/webview'];
const root = join(__dirname, '..', '..');

const vscodeImport = new RegExp(
  [
    String.raw`\bfrom\s*(['"\x60])vscode\1`, // import x from 'vscode', import type, export … from
    String.raw`\bimport\s*(['"\x60])vscode\2`, // import 'vscode'
    String.raw`\bimport\s*\(\s*(['"\x60])vscode\3\s*\)`, // import('vscode')
    String.raw`\brequire\s*\(\s*(['"\x60])vscode\4\s*\)`, // require('vscode'), import x = require('vscode')
    String.raw`<reference\s+types\s*=\s*(['"])vscode\5`, // /// <reference types="vscode" />
  ].join('|'),
);

/** Removes comments (keeping string literals) so prose that mentions 'vscode' is not a hit. */
function stripComments(source: string): string {
  return source.replace(
    /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\/\/\s*<reference[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (match, str: string | undefined) => (str !== undefined || match.startsWith('///') ? match : ''),
  );
}

/** True when `source` imports or requires the `vscode` module in any form. */
function importsVscode(source: string): boolean {
  return vscodeImport.test(stripComments(source));
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?[jt]sx?)$/.test(name) ? [path] : [];
  });
}

test('the guard detects every form of importing vscode', () => {
  const planted = [
    `import * as vscode from 'vscode';`,
    `import { window } from "vscode";`,
    `import type { Uri } from 'vscode';`,
    `import type {\n  Uri,\n} from 'vscode';`,
    `export { Uri } from 'vscode';`,
    `import 'vscode';`,
    `const v = await import('vscode');`,
    `const v = import( "vscode" );`,
    'const v = require(`vscode`);',
    `const v = require("vscode");`,
    `import vscode = require('vscode');`,
    `/// <reference types="vscode" />`,
    `// harmless comment\nimport * as vscode from 'vscode'; // trailing`,
  ];
  for (const code of planted) assert.equal(importsVscode(code), true, code);
});

test('the guard ignores look-alikes', () => {
  const harmless = [
    `import type { WebviewApi } from 'vscode-webview';`,
    `import { x } from './vscode';`,
    `const name = 'vscode';`,
    `// this module must never import from 'vscode'`,
    `/* require('vscode') is only allowed in src/extension */`,
    `const url = 'https://example.com'; // see require("vscode") docs`,
    `declare function acquireVsCodeApi(): unknown;`,
  ];
  for (const code of harmless) assert.equal(importsVscode(code), false, code);
});

test('no file under src/core, src/shared, src/cli or src/webview imports vscode', () => {
  const files = guardedDirs.flatMap((d) => sourceFiles(join(root, d)));
  assert.ok(files.some((f) => f.endsWith(join('core', 'config.ts'))), 'the scan reaches src/core');
  const offenders = files.filter((f) => importsVscode(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
  assert.deepEqual(offenders, []);
});
