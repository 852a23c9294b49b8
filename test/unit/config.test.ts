import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, ChatMessage, Concurrency, ConfigError, Pricing, Trials, backendWarnings, hostWarning, keyRequired, parseBackends, parseConfig } from '../../src/core/config';
import { concurrencyLimits, trialsLimits } from '../../src/core/limits';

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

test('header names and values that would break or split the request are refused, naming backend and field', () => {
  for (const [headers, field, message] of [
    [{ 'X Custom': 'v' }, 'headers → X Custom', /header names are/],
    [{ 'X-Ok:': 'v' }, 'headers → X-Ok:', /header names are/],
    [{ 'X-Inject\r\nEvil': 'v' }, 'headers', /header names are/],
    [{ 'X-Custom': 'a\r\nInjected: 1' }, 'headers → X-Custom', /line breaks/],
    [{ 'X-Custom': 'a\nb' }, 'headers → X-Custom', /line breaks/],
    [{ 'X-Custom': 'nul\0' }, 'headers → X-Custom', /control characters/],
  ] as const) {
    const issues = issuesOf(() => parseConfig({ backends: [{ ...good, headers }] }));
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.ok(issues[0]!.startsWith(`backend "openai" → ${field}`), issues[0]);
    assert.match(issues[0]!, message);
  }
  // Spaces inside a value are legal HTTP.
  assert.deepEqual(parseConfig({ backends: [{ ...good, headers: { 'X-Title': 'My app (test)' } }] }).backends[0]!.headers, { 'X-Title': 'My app (test)' });
});

test('extraBody nested 100,000 deep is refused without overflowing the stack', () => {
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 100_000; i++) {
    const next: Record<string, unknown> = {};
    deep.a = next;
    deep = next;
  }
  const issues = issuesOf(() => parseConfig({ backends: [{ ...good, extraBody: root }] }));
  assert.deepEqual(issues, ['backend "openai" → extraBody: nested deeper than 32 levels']);
  // Ordinary nesting passes.
  assert.ok(parseConfig({ backends: [{ ...good, extraBody: { a: { b: [{ c: 1 }] } } }] }));
});

test('a baseUrl with user:password@ is refused: keys belong in the secret store or the environment', () => {
  for (const baseUrl of ['https://user:sk-secret@api.openai.com/v1', 'https://sk-secret@api.openai.com/v1']) {
    const issues = issuesOf(() => parseConfig({ backends: [{ ...good, baseUrl }] }));
    assert.equal(issues.length, 1);
    assert.match(issues[0]!, /^backend "openai" → baseUrl: must not contain a user name or password/);
    assert.ok(!issues[0]!.includes('sk-secret'), 'the credentials are not echoed');
  }
});

test('a host that mixes scripts gets a warning naming the punycode form', () => {
  const lookalike = 'https://\u0430pi.openai.com/v1'; // Cyrillic а
  const cfg = parseConfig({ backends: [{ ...good, baseUrl: lookalike }] });
  const warnings = backendWarnings(cfg.backends);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^backend "openai" → baseUrl: host "\u0430pi\.openai\.com" mixes Cyrillic and Latin letters; the request goes to xn--pi-6kc\.openai\.com/);
  assert.equal(hostWarning('https://api.openai.com/v1'), null);
  assert.equal(hostWarning('https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/v1'), null, 'a host in one script is fine');
  assert.equal(hostWarning('http://127.0.0.1:8080/v1'), null);
});

test('per-backend TLS options: verification on by default, insecure and ca accepted, unknown fields refused', () => {
  assert.equal(parseConfig({ backends: [good] }).backends[0]!.tls, undefined);
  const b = parseConfig({ backends: [{ ...good, tls: { insecure: true, ca: '/etc/ssl/corp.pem' } }] }).backends[0]!;
  assert.deepEqual(b.tls, { insecure: true, ca: '/etc/ssl/corp.pem' });
  assert.deepEqual(parseConfig({ backends: [{ ...good, tls: {} }] }).backends[0]!.tls, { insecure: false });
  assert.match(issuesOf(() => parseConfig({ backends: [{ ...good, tls: { insecur: true } }] }))[0]!, /unknown field "insecur" \(did you mean "insecure"\?\)/);
  assert.match(backendWarnings([b]).join('\n'), /backend "openai" → tls\.insecure: certificates are not verified/);
});

test('trials and concurrency share one range with the CLI and the extension (limits.ts)', () => {
  assert.equal(Trials.safeParse(trialsLimits.max).success, true);
  assert.equal(Trials.safeParse(trialsLimits.max + 1).success, false);
  assert.equal(Concurrency.safeParse(concurrencyLimits.max + 1).success, false);
  assert.equal(Concurrency.safeParse(0).success, false);
});

test('keyRequired: a remote backend needs a key unless auth is none; a local one never', () => {
  assert.equal(keyRequired({ kind: 'closed', auth: undefined }), true);
  assert.equal(keyRequired({ kind: 'decentralized', auth: 'bearer' }), true);
  assert.equal(keyRequired({ kind: 'gateway', auth: 'none' }), false);
  assert.equal(keyRequired({ kind: 'local', auth: undefined }), false);
  assert.equal(keyRequired({ kind: 'local', auth: 'bearer' }), false);
});
