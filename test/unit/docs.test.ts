import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/core/configFile';
import { presetsMarkdownTable } from '../../src/core/presets';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

test('README starts with the build-and-run command and the test command', () => {
  const firstBlock = readme.split('```')[1];
  assert.match(firstBlock, /npm ci && npm run demo/);
  assert.match(firstBlock, /^npm test\b/m);
});

test('README presets table is generated from the preset data', () => {
  const table = readme.split('<!-- presets:start -->\n')[1]?.split('\n<!-- presets:end -->')[0];
  assert.equal(table, presetsMarkdownTable().trimEnd());
});

test('README CLI config example is a valid config', () => {
  const yaml = readme.split('```yaml\n')[1].split('```')[0];
  const config = parseConfigText(yaml, 'README.yaml');
  assert.deepEqual(config.backends.map((b) => b.id), ['openai', 'chutes']);
});
