/**
 * The panels' stylesheets parse cleanly: a rule left open swallows every rule after it (they
 * become nested rules of that selector and stop applying), which no type check notices.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { transform } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');

function stylesheets(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? stylesheets(full) : e.name.endsWith('.css') ? [full] : [];
  });
}

test('every stylesheet under src/webview parses without a warning', async () => {
  const files = stylesheets(path.join(root, 'src/webview'));
  assert.ok(files.length > 0);
  for (const file of files) {
    const result = await transform(fs.readFileSync(file, 'utf8'), { loader: 'css', sourcefile: path.relative(root, file) });
    assert.deepEqual(
      result.warnings.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`),
      [],
      `${path.relative(root, file)} has problems`,
    );
  }
});

test('an unclosed rule is caught', async () => {
  const result = await transform('.a {\n  color: red;\n\n.b { color: blue; }\n', { loader: 'css' });
  assert.ok(result.warnings.length > 0);
});
