import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/core/config';
import { loadConfigFile, parseConfigText } from '../../src/core/configFile';

const yamlConfig = `
backends:
  - id: openai
    kind: closed
    baseUrl: https://api.openai.com/v1
    model: gpt-4o-mini
    apiKeyEnv: OPENAI_API_KEY
    pricing: { type: catalog, providerId: openai }
  - id: chutes
    kind: decentralized
    baseUrl: https://llm.chutes.ai/v1
    model: deepseek-ai/DeepSeek-V3-0324
    apiKeyEnv: CHUTES_API_KEY
request: { maxTokens: 256, temperature: 0, seed: 7 }
timeouts: { firstByteMs: 20000 }
`;

test('YAML and JSON configs parse with defaults filled in', () => {
  const c = parseConfigText(yamlConfig, 'bakeoff.yaml');
  assert.equal(c.backends.length, 2);
  assert.equal(c.backends[1].pricing.type, 'unknown');
  assert.equal(c.request.seed, 7);
  assert.equal(c.timeouts.firstByteMs, 20000);
  assert.equal(c.timeouts.idleMs, 30000);
  const j = parseConfigText(JSON.stringify({ backends: [c.backends[0]] }), 'x.json');
  assert.equal(j.request.maxTokens, 512);
});

test('syntax errors say where', () => {
  assert.throws(() => parseConfigText('backends: [\n  - id: x\n  bad', 'b.yaml'), (e: unknown) => e instanceof ConfigError && /not valid YAML \(line \d+/.test(e.message));
  assert.throws(() => parseConfigText('{"backends": [', 'b.json'), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message));
  assert.throws(() => parseConfigText('- just\n- a list', 'b.yaml'), /must contain an object/);
});

test('schema errors name the backend and the field', () => {
  const bad = yamlConfig.replace('https://llm.chutes.ai/v1', 'ftp://llm.chutes.ai').replace('kind: closed', 'kind: centralised');
  assert.throws(
    () => parseConfigText(bad, 'b.yaml'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.some((i) => i.startsWith('backend "openai" → kind')) &&
      e.issues.some((i) => i.startsWith('backend "chutes" → baseUrl')),
  );
});

test('missing and unreadable files are ConfigErrors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bakeoff-cfg-'));
  try {
    await assert.rejects(loadConfigFile(join(dir, 'nope.yaml')), /Config file not found/);
    const p = join(dir, 'ok.yaml');
    await writeFile(p, yamlConfig);
    assert.equal((await loadConfigFile(p)).backends[0].id, 'openai');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('typos in field names are errors with a suggestion, not silently ignored', () => {
  const typo = yamlConfig.replace('apiKeyEnv: OPENAI_API_KEY', 'apikeyEnv: OPENAI_API_KEY').replace('timeouts:', 'timeout:');
  assert.throws(
    () => parseConfigText(typo, 'b.yaml'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.includes('backend "openai": unknown field "apikeyEnv" (did you mean "apiKeyEnv"?)') &&
      e.issues.includes('(root): unknown field "timeout" (did you mean "timeouts"?)'),
  );
});

test('timeouts beyond what a timer can hold are refused', () => {
  assert.throws(() => parseConfigText(yamlConfig.replace('firstByteMs: 20000', 'firstByteMs: 3000000000'), 'b.yaml'), /timeouts\.firstByteMs: Too big/);
});

test('upper-case .JSON files are parsed and reported as JSON', () => {
  assert.throws(() => parseConfigText('{', 'B.JSON'), /not valid JSON/);
});

test('a JSON or YAML config starting with a UTF-8 BOM is read; UTF-16 with a BOM too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bakeoff-bom-'));
  try {
    const json = JSON.stringify({ backends: [{ id: 'a', kind: 'local', baseUrl: 'http://127.0.0.1:1/v1', model: 'm' }] });
    const files: Array<[string, Buffer]> = [
      ['bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])],
      ['bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yamlConfig)])],
      ['utf16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])],
    ];
    for (const [name, bytes] of files) {
      await writeFile(join(dir, name), bytes);
      const cfg = await loadConfigFile(join(dir, name));
      assert.ok(cfg.backends.length >= 1, name);
    }
    assert.equal(parseConfigText('\uFEFF' + json, 'x.json').backends[0]!.id, 'a');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an endless config (/dev/zero) fails at the 1 MB bound instead of reading forever', { skip: process.platform === 'win32' }, async () => {
  await assert.rejects(loadConfigFile('/dev/zero'), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /Config file \/dev\/zero is larger than 1 MB/);
    return true;
  });
});

test('a config file that is not UTF-8 is refused, naming the byte offset', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bakeoff-latin1-'));
  try {
    const file = join(dir, 'latin1.yaml');
    await writeFile(file, Buffer.concat([Buffer.from('backends: []\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await assert.rejects(loadConfigFile(file), /not valid UTF-8: byte 0xe9 at offset 18/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
