import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { Backend, type BackendInput } from '../../src/core/config';
import { catalogueDate, catalogueVersion, computeCost, type CostInput, describePricing } from '../../src/core/pricing';

function backend(overrides: Partial<BackendInput>): Backend {
  return Backend.parse({ id: 'b', kind: 'closed', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', ...overrides });
}

function input(b: Backend, tokens: Partial<Omit<CostInput, 'backend'>> = {}): CostInput {
  return {
    backend: b,
    inputTokens: 1000,
    outputTokens: 500,
    cachedInputTokens: null,
    reasoningTokens: null,
    tokensPerSecond: null,
    ...tokens,
  };
}

function close(actual: number | null, expected: number): void {
  assert.notEqual(actual, null);
  assert.ok(Math.abs((actual as number) - expected) < 1e-12, `expected ${expected}, got ${actual}`);
}

// The catalogue must never be fetched: any fetch during pricing fails the test.
const realFetch = globalThis.fetch;
let fetchCalls = 0;
beforeEach(() => {
  fetchCalls = 0;
  globalThis.fetch = (async () => {
    fetchCalls++;
    throw new Error('network access during pricing');
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
  assert.equal(fetchCalls, 0, 'pricing made a network request');
});

test('catalogueVersion matches the installed @pydantic/genai-prices', () => {
  const pkg = join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json');
  assert.equal(JSON.parse(readFileSync(pkg, 'utf8')).version, catalogueVersion);
  assert.match(catalogueDate, /^\d{4}-\d{2}-\d{2}$/);
});

test('catalog: gpt-4o-mini at $0.15/M in and $0.60/M out', () => {
  // The unit prices in the bundled data, checked so the expected value below is grounded.
  const ref = calcPrice({ input_tokens: 0, output_tokens: 0 }, 'gpt-4o-mini', { providerId: 'openai' });
  assert.equal(ref?.model_price['input_mtok'], 0.15);
  assert.equal(ref?.model_price['output_mtok'], 0.6);
  assert.equal(ref?.model_price['cache_read_mtok'], 0.075);

  const cost = computeCost(input(backend({ pricing: { type: 'catalog', providerId: 'openai' } })));
  assert.equal(cost.costSource, 'catalog');
  close(cost.costUsd, (1000 * 0.15) / 1e6 + (500 * 0.6) / 1e6);
  assert.match(cost.detail, /1,000 in × \$0\.15\/M/);
  assert.match(cost.detail, /500 out × \$0\.60\/M/);
  assert.match(cost.detail, /openai \/ gpt-4o-mini/);
  assert.match(cost.detail, new RegExp(`v${catalogueVersion.replace(/\./g, '\\.')}`));
  assert.equal(cost.asOf, catalogueDate);
});

test('catalog: cached input is priced at the cache-read price and not counted twice', () => {
  const cost = computeCost(
    input(backend({ pricing: { type: 'catalog', providerId: 'openai' } }), { cachedInputTokens: 200 }),
  );
  close(cost.costUsd, (800 * 0.15) / 1e6 + (200 * 0.075) / 1e6 + (500 * 0.6) / 1e6);
  assert.match(cost.detail, /800 in × \$0\.15\/M/);
  assert.match(cost.detail, /200 cached in × \$0\.075\/M/);
});

test('catalog: reasoning tokens are part of output, not added again', () => {
  const cost = computeCost(
    input(backend({ model: 'o3', pricing: { type: 'catalog', providerId: 'openai' } }), { reasoningTokens: 300 }),
  );
  const ref = calcPrice({ input_tokens: 0, output_tokens: 0 }, 'o3', { providerId: 'openai' });
  const inPrice = ref?.model_price['input_mtok'] as number;
  const outPrice = ref?.model_price['output_mtok'] as number;
  assert.equal(ref?.model_price['output_reasoning_mtok'], undefined);
  close(cost.costUsd, (1000 * inPrice) / 1e6 + (500 * outPrice) / 1e6);
});

test('catalog: provider found from the base URL when providerId is absent', () => {
  const cost = computeCost(input(backend({ pricing: { type: 'catalog' } })));
  assert.equal(cost.costSource, 'catalog');
  close(cost.costUsd, (1000 * 0.15) / 1e6 + (500 * 0.6) / 1e6);
  assert.match(cost.detail, /openai \/ gpt-4o-mini/);
});

test('catalog: modelId overrides the backend model for the lookup', () => {
  const cost = computeCost(
    input(backend({ model: 'my-deployment', pricing: { type: 'catalog', providerId: 'openai', modelId: 'gpt-4o-mini' } })),
  );
  close(cost.costUsd, (1000 * 0.15) / 1e6 + (500 * 0.6) / 1e6);
});

test('catalog: tiered prices switch above 200k prompt tokens (Anthropic)', () => {
  const b = backend({
    baseUrl: 'https://api.anthropic.com/v1/',
    model: 'claude-sonnet-4-5',
    pricing: { type: 'catalog', providerId: 'anthropic' },
  });
  close(computeCost(input(b)).costUsd, (1000 * 3) / 1e6 + (500 * 15) / 1e6);
  const big = computeCost(input(b, { inputTokens: 250_000, outputTokens: 1000 }));
  close(big.costUsd, (250_000 * 6) / 1e6 + (1000 * 22.5) / 1e6);
  assert.match(big.detail, /250,000 in × \$6\.00\/M/);
  assert.match(big.detail, /tiered/);
});

test('catalog: unknown model gives unknown cost, never a number', () => {
  const cost = computeCost(input(backend({ model: 'no-such-model-xyz', pricing: { type: 'catalog', providerId: 'openai' } })));
  assert.equal(cost.costSource, 'unknown');
  assert.equal(cost.costUsd, null);
  assert.match(cost.detail, /not in the price catalogue/);
  assert.match(cost.detail, /no-such-model-xyz/);
});

test('null token counts give unknown with the reason', () => {
  const b = backend({ pricing: { type: 'catalog', providerId: 'openai' } });
  const noIn = computeCost(input(b, { inputTokens: null }));
  assert.equal(noIn.costUsd, null);
  assert.equal(noIn.costSource, 'unknown');
  assert.match(noIn.detail, /input token count not available/);
  const noOut = computeCost(input(backend({ pricing: { type: 'perToken', inputPerMTok: 1, outputPerMTok: 2 } }), { outputTokens: null }));
  assert.equal(noOut.costUsd, null);
  assert.match(noOut.detail, /output token count/);
});

test('modelsEndpoint: uses the listed price, else unknown', () => {
  const b = backend({ kind: 'decentralized', baseUrl: 'https://llm.chutes.ai/v1', model: 'x/y', pricing: { type: 'modelsEndpoint' } });
  const cost = computeCost({ ...input(b), modelsEndpointPrice: { inputPerMTok: 0.27, outputPerMTok: 1.1, asOf: '2025-06-01T10:00:00Z' } });
  assert.equal(cost.costSource, 'modelsEndpoint');
  close(cost.costUsd, (1000 * 0.27) / 1e6 + (500 * 1.1) / 1e6);
  assert.equal(cost.asOf, '2025-06-01T10:00:00Z');
  assert.match(cost.detail, /\/models/);

  for (const missing of [undefined, null]) {
    const none = computeCost({ ...input(b), modelsEndpointPrice: missing });
    assert.equal(none.costSource, 'unknown');
    assert.equal(none.costUsd, null);
  }
});

test('perToken: cached and reasoning subsets priced separately', () => {
  const b = backend({
    pricing: {
      type: 'perToken',
      inputPerMTok: 2,
      outputPerMTok: 8,
      cachedInputPerMTok: 0.5,
      reasoningPerMTok: 10,
      source: 'example.com/pricing',
      asOf: '2025-05-01',
    },
  });
  const cost = computeCost(input(b, { cachedInputTokens: 400, reasoningTokens: 200 }));
  assert.equal(cost.costSource, 'override');
  // 600 × 2 + 400 × 0.5 + 300 × 8 + 200 × 10 = 5,800 µ$
  close(cost.costUsd, (600 * 2 + 400 * 0.5 + 300 * 8 + 200 * 10) / 1e6);
  assert.equal(cost.asOf, '2025-05-01');
  assert.match(cost.detail, /example\.com\/pricing/);
  assert.match(cost.detail, /2025-05-01/);
  assert.match(cost.detail, /400 cached in × \$0\.50\/M/);
});

test('perToken: without cached/reasoning prices they fall back to input/output prices', () => {
  const b = backend({ pricing: { type: 'perToken', inputPerMTok: 2, outputPerMTok: 8 } });
  const cost = computeCost(input(b, { cachedInputTokens: 400, reasoningTokens: 200 }));
  close(cost.costUsd, (1000 * 2 + 500 * 8) / 1e6);
  assert.equal(cost.asOf, undefined);
});

test('gpuHour: $/h ÷ 3600 × output tokens ÷ tokens/s', () => {
  const b = backend({ kind: 'decentralized', pricing: { type: 'gpuHour', usdPerHour: 1.8, source: 'Akash lease', asOf: '2025-04-01' } });
  const cost = computeCost(input(b, { tokensPerSecond: 50 }));
  assert.equal(cost.costSource, 'gpuHour');
  close(cost.costUsd, (1.8 / 3600) * (500 / 50));
  assert.match(cost.detail, /\$1\.80\/h/);
  assert.match(cost.detail, /10\.00 s/);
  assert.equal(cost.asOf, '2025-04-01');

  for (const tps of [null, 0]) {
    const none = computeCost(input(b, { tokensPerSecond: tps }));
    assert.equal(none.costSource, 'unknown');
    assert.equal(none.costUsd, null);
    assert.match(none.detail, /tokens\/s/);
  }
});

test('free is zero even without token counts; unknown is null', () => {
  const free = computeCost(input(backend({ kind: 'local', baseUrl: 'http://localhost:11434/v1', pricing: { type: 'free' } }), { inputTokens: null, outputTokens: null }));
  assert.equal(free.costUsd, 0);
  assert.equal(free.costSource, 'free');
  assert.match(free.detail, /own hardware/);
  const unknown = computeCost(input(backend({})));
  assert.equal(unknown.costUsd, null);
  assert.equal(unknown.costSource, 'unknown');
});

test('describePricing gives one line per pricing type', () => {
  const lines = [
    describePricing(backend({ pricing: { type: 'catalog', providerId: 'openai' } })),
    describePricing(backend({ model: 'no-such-model-xyz', pricing: { type: 'catalog', providerId: 'openai' } })),
    describePricing(backend({ pricing: { type: 'modelsEndpoint' } })),
    describePricing(backend({ pricing: { type: 'perToken', inputPerMTok: 2, outputPerMTok: 8, source: 'my sheet' } })),
    describePricing(backend({ pricing: { type: 'gpuHour', usdPerHour: 1.8 } })),
    describePricing(backend({ pricing: { type: 'free' } })),
    describePricing(backend({})),
  ];
  for (const line of lines) assert.doesNotMatch(line, /\n/);
  assert.equal(lines[0], `genai-prices catalogue (openai / gpt-4o-mini), data as of ${catalogueDate} (v${catalogueVersion})`);
  assert.match(lines[1] as string, /not in the price catalogue/);
  assert.match(lines[2] as string, /\/models/);
  assert.match(lines[3] as string, /\$2\.00\/M in, \$8\.00\/M out \(my sheet\)/);
  assert.match(lines[4] as string, /\$1\.80\/h/);
  assert.match(lines[5] as string, /free/);
  assert.match(lines[6] as string, /unknown/);
});
