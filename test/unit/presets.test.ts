import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, BackendKind, ConfigError } from '../../src/core/config';
import { computeCost, describePricing } from '../../src/core/pricing';
import { backendFromPreset, notSupported, presetById, presets, presetsMarkdownTable } from '../../src/core/presets';

test('there are presets for every kind of backend the tool compares', () => {
  const kinds = new Set(presets.map((p) => p.kind));
  for (const kind of ['closed', 'decentralized', 'local'] as const) assert.ok(kinds.has(kind), kind);
  for (const id of ['openai', 'gemini', 'anthropic', 'chutes', 'targon', 'akashml', 'ionet', 'atoma', 'lilypad', 'hyperbolic', 'ollama', 'llamacpp', 'vllm', 'lmstudio']) {
    assert.ok(presetById(id), `missing preset ${id}`);
  }
});

test('every preset parses with the Backend schema and keeps its fields', () => {
  for (const preset of presets) {
    const backend = backendFromPreset(preset);
    assert.deepEqual(Backend.parse(backend), backend);
    assert.equal(backend.id, preset.id);
    assert.equal(backend.model, preset.defaultModel);
    assert.equal(backend.baseUrl, preset.baseUrl);
    assert.equal(backend.apiKeyEnv, preset.apiKeyEnv);
    assert.deepEqual(backend.pricing, preset.pricing);
    assert.equal(backend.trustNote, preset.trustNote);
    assert.ok(preset.trustNote.length > 10 && preset.trustNote.length < 300, preset.id);
    assert.match(preset.docsUrl, /^https:\/\//, preset.id);
  }
});

test('preset ids are unique and kinds valid', () => {
  const ids = presets.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const p of presets) assert.ok(BackendKind.options.includes(p.kind), `${p.id}: ${p.kind}`);
});

test('remote presets use https, local ones http on localhost', () => {
  for (const p of presets) {
    const url = new URL(p.baseUrl);
    if (p.kind === 'local') {
      assert.equal(url.protocol, 'http:', p.id);
      assert.equal(url.hostname, 'localhost', p.id);
    } else {
      assert.equal(url.protocol, 'https:', p.id);
      assert.notEqual(url.hostname, 'localhost', p.id);
    }
  }
});

test('no invented prices: only catalogue, /models listing, free (local) or unknown', () => {
  for (const p of presets) {
    assert.ok(['catalog', 'modelsEndpoint', 'free', 'unknown'].includes(p.pricing.type), p.id);
    if (p.pricing.type === 'free') assert.equal(p.kind, 'local', p.id);
    if (p.kind === 'local') assert.equal(p.pricing.type, 'free', p.id);
  }
});

test('catalogue presets point at models the catalogue actually prices', () => {
  const catalogPresets = presets.filter((p) => p.pricing.type === 'catalog');
  assert.ok(catalogPresets.length >= 3);
  for (const p of catalogPresets) {
    const backend = backendFromPreset(p);
    assert.doesNotMatch(describePricing(backend), /not in the price catalogue/, p.id);
    const cost = computeCost({ backend, inputTokens: 1000, outputTokens: 100, cachedInputTokens: null, reasoningTokens: null, tokensPerSecond: null });
    assert.equal(cost.costSource, 'catalog', p.id);
    assert.ok((cost.costUsd as number) > 0, p.id);
  }
});

test('Gensyn has no preset and is listed as not supported', () => {
  for (const p of presets) assert.doesNotMatch(`${p.id} ${p.label} ${p.baseUrl}`, /gensyn/i);
  const gensyn = notSupported.find((n) => n.name === 'Gensyn');
  assert.ok(gensyn);
  assert.ok(gensyn.reason.length > 20);
});

test('presetById finds presets and returns undefined otherwise', () => {
  assert.equal(presetById('chutes')?.baseUrl, 'https://llm.chutes.ai/v1');
  assert.equal(presetById('nope'), undefined);
});

test('backendFromPreset applies overrides and validates them', () => {
  const openai = presetById('openai');
  assert.ok(openai);
  const b = backendFromPreset(openai, { id: 'openai-4o', model: 'gpt-4o', headers: { 'X-Trace': '1' } });
  assert.equal(b.id, 'openai-4o');
  assert.equal(b.model, 'gpt-4o');
  assert.equal(b.kind, 'closed');
  assert.deepEqual(b.headers, { 'X-Trace': '1' });
  assert.equal(b.streamUsage, 'auto');

  assert.throws(
    () => backendFromPreset(openai, { baseUrl: 'ftp://example.com' }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.includes('backend "openai"') && i.includes('baseUrl')),
  );
  assert.throws(
    () => backendFromPreset(openai, { headers: { Authorization: 'Bearer sk-x' } }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.includes('headers') && i.includes('Authorization')),
  );
});

test('backendFromPreset does not share mutable objects with the preset', () => {
  const preset = { ...(presetById('vllm') ?? assert.fail('vllm')), extraBody: { top_k: 1 } };
  const b = backendFromPreset(preset);
  (b.extraBody as Record<string, unknown>)['top_k'] = 99;
  assert.equal(preset.extraBody.top_k, 1);
});

test('presetsMarkdownTable has one well-formed row per preset', () => {
  const md = presetsMarkdownTable();
  const rows = md.split('\n').filter((l) => l.startsWith('|'));
  assert.equal(rows.length, presets.length + 2);
  const cells = (row: string) => row.split(/(?<!\\)\|/).length;
  for (const row of rows) assert.equal(cells(row), cells(rows[0] as string), row);
  for (const p of presets) assert.ok(md.includes(`\`${p.id}\``), p.id);
  assert.match(md, /Gensyn/);
  assert.match(md, /https:\/\/api\.openai\.com\/v1/);
});
