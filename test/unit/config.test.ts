import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, ChatMessage, ConfigError, Pricing, parseBackends, parseConfig } from '../../src/core/config';

const good = { id: 'openai', kind: 'closed', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' };

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.equal(e.name, 'ConfigError');
    for (const issue of e.issues) assert.ok(e.message.includes(issue), 'message lists every issue');
    return e.issues;
  }
  assert.fail('expected a ConfigError');
}

test('a minimal config gets every default', () => {
  const cfg = parseConfig({ backends: [good] });
  const b = cfg.backends[0];
  assert.ok(b);
  assert.deepEqual(b.pricing, { type: 'unknown' });
  assert.equal(b.streamUsage, 'auto');
  assert.equal(b.headers, undefined);
  assert.deepEqual(cfg.request, { maxTokens: 512, temperature: 0 });
  assert.deepEqual(cfg.timeouts, {
    connectMs: 10_000,
    firstByteMs: 60_000,
    idleMs: 30_000,
    totalMs: 300_000,
    maxErrorBodyBytes: 8 * 1024,
    maxStreamBytes: 4 * 1024 * 1024,
  });
});

test('explicit values override defaults', () => {
  const cfg = parseConfig({
    backends: [{ ...good, streamUsage: 'never', pricing: { type: 'perToken', inputPerMTok: 1, outputPerMTok: 2 } }],
    request: { maxTokens: 64, temperature: 0.7, seed: 42 },
    timeouts: { idleMs: 5000 },
  });
  assert.equal(cfg.backends[0]?.streamUsage, 'never');
  assert.deepEqual(cfg.request, { maxTokens: 64, temperature: 0.7, seed: 42 });
  assert.equal(cfg.timeouts.idleMs, 5000);
  assert.equal(cfg.timeouts.totalMs, 300_000);
});

test('validation errors name the backend and the field', () => {
  const issues = issuesOf(() =>
    parseConfig({
      backends: [good, { id: 'chutes', kind: 'decentralized', baseUrl: 'not a url', model: '' }],
    }),
  );
  assert.ok(issues.some((i) => i.startsWith('backend "chutes" → baseUrl:')), issues.join('\n'));
  assert.ok(issues.some((i) => i.startsWith('backend "chutes" → model:')), issues.join('\n'));
  assert.ok(!issues.some((i) => i.includes('"openai"')), 'the valid backend is not blamed');
});

test('a backend without a usable id is named by its position', () => {
  const issues = issuesOf(() => parseConfig({ backends: [good, { kind: 'local', baseUrl: 'http://localhost:11434/v1', model: 'm' }] }));
  assert.ok(issues.some((i) => i.startsWith('backend #2 → id:')), issues.join('\n'));
});

test('invalid ids, kinds, URLs and env names are refused', () => {
  assert.ok(issuesOf(() => parseBackends([{ ...good, id: 'has space' }])).some((i) => i.includes('→ id:')));
  assert.ok(issuesOf(() => parseBackends([{ ...good, id: '-lead' }])).some((i) => i.includes('→ id:')));
  assert.ok(issuesOf(() => parseBackends([{ ...good, kind: 'cloud' }])).some((i) => i.includes('→ kind:')));
  assert.ok(issuesOf(() => parseBackends([{ ...good, baseUrl: 'ftp://example.com/v1' }])).some((i) => i.includes('→ baseUrl:')));
  assert.ok(issuesOf(() => parseBackends([{ ...good, apiKeyEnv: 'MY-KEY' }])).some((i) => i.includes('→ apiKeyEnv:')));
  assert.equal(parseBackends([{ ...good, baseUrl: 'http://127.0.0.1:8000/v1' }])[0]?.baseUrl, 'http://127.0.0.1:8000/v1');
});

test('an Authorization header is refused, whatever its case', () => {
  for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
    const issues = issuesOf(() => parseBackends([{ ...good, headers: { [name]: 'Bearer sk-secret' } }]));
    assert.ok(issues.some((i) => i.startsWith('backend "openai" → headers:') && i.includes('Authorization')), issues.join('\n'));
    assert.ok(!issues.some((i) => i.includes('sk-secret')), 'the secret is not echoed');
  }
  assert.deepEqual(parseBackends([{ ...good, headers: { 'X-Title': 'bakeoff' } }])[0]?.headers, { 'X-Title': 'bakeoff' });
});

test('duplicate backend ids are refused', () => {
  const issues = issuesOf(() => parseConfig({ backends: [good, { ...good, model: 'gpt-4o' }] }));
  assert.deepEqual(issues, ['backend "openai": duplicate id']);
});

test('empty and missing backend lists', () => {
  assert.deepEqual(parseBackends([]), []);
  assert.ok(issuesOf(() => parseConfig({ backends: [] })).some((i) => i.includes('needs at least one backend')));
  assert.ok(issuesOf(() => parseConfig({})).some((i) => i.startsWith('backends:')));
});

test('request parameters are range-checked', () => {
  assert.ok(issuesOf(() => parseConfig({ backends: [good], request: { maxTokens: 0 } })).some((i) => i.startsWith('request.maxTokens:')));
  assert.ok(issuesOf(() => parseConfig({ backends: [good], request: { temperature: 3 } })).some((i) => i.startsWith('request.temperature:')));
  assert.ok(issuesOf(() => parseConfig({ backends: [good], timeouts: { idleMs: -1 } })).some((i) => i.startsWith('timeouts.idleMs:')));
});

test('pricing variants are validated', () => {
  assert.equal(Pricing.safeParse({ type: 'perToken', inputPerMTok: -1, outputPerMTok: 1 }).success, false);
  assert.equal(Pricing.safeParse({ type: 'gpuHour', usdPerHour: 0 }).success, false);
  assert.equal(Pricing.safeParse({ type: 'catalog', providerId: '' }).success, false);
  assert.equal(Pricing.safeParse({ type: 'made-up' }).success, false);
  assert.equal(Pricing.safeParse({ type: 'catalog' }).success, true);
  const issues = issuesOf(() => parseBackends([{ ...good, pricing: { type: 'gpuHour' } }]));
  assert.ok(issues.some((i) => i.startsWith('backend "openai" → pricing')), issues.join('\n'));
});

test('Backend and ChatMessage schemas accept what the runner sends', () => {
  const b = Backend.parse({ ...good, extraBody: { top_k: 1 }, trustNote: 'TEE', label: 'OpenAI' });
  assert.deepEqual(b.extraBody, { top_k: 1 });
  assert.equal(ChatMessage.safeParse({ role: 'user', content: 'hi' }).success, true);
  assert.equal(ChatMessage.safeParse({ role: 'tool', content: 'hi' }).success, false);
});
