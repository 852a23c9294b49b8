import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, RequestParams } from '../../src/core/config';
import { minSecretKeyLength, redactCutText, redactKeysInText, redactSecrets, StreamingKeyRedactor } from '../../src/core/redact';
import { checkBackend, listModels, modelIds } from '../../src/core/runner';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';

const key = 'sk-live-AbCdEf0123456789';

test('echoes of a key are redacted in any case and across inline tags or zero-width characters', () => {
  const cases = [
    key,
    key.toUpperCase(),
    key.toLowerCase(),
    'sk-live-AbC<b>dEf0123</b>456789',
    'sk-live-<span class="x">AbCdEf</span>0123456789',
    `sk-live-AbCd\u200bEf0123456789`,
  ];
  for (const echo of cases) {
    const out = redactKeysInText(`before ${echo} after`, [key]);
    assert.equal(out.text, 'before *** after', echo);
    assert.equal(out.found, true);
  }
  assert.deepEqual(redactKeysInText('nothing here', [key]), { text: 'nothing here', found: false });
  assert.deepEqual(redactKeysInText('ollama rocks', ['ollama']), { text: 'ollama rocks', found: false }, 'short keys are placeholders');
});

test('streamed pieces: no piece ever carries part of the key, and the pieces join to the redacted text (every split)', () => {
  const texts = [
    `Your key: ${key}. Done.`,
    `${key.toUpperCase()} at the start`,
    `ends with the key sk-live-AbC<i>dEf</i>0123456789`,
    `almost sk-live-AbCdEf012345678 but not quite, s k, sk-`,
    `two: ${key} and ${key}`,
  ];
  for (const text of texts) {
    const expected = redactKeysInText(text, [key]).text;
    for (let a = 0; a <= text.length; a++) {
      for (const b of [a, Math.min(text.length, a + 1), Math.min(text.length, a + 7)]) {
        const redactor = new StreamingKeyRedactor([key]);
        const shown = [redactor.push(text.slice(0, a)), redactor.push(text.slice(a, b)), redactor.push(text.slice(b)), redactor.flush()];
        assert.equal(shown.join(''), expected, `${text} split at ${a}/${b}`);
        // A string that only resembles the key is ordinary text and may be shown.
        if (!text.startsWith('almost')) {
          for (const piece of shown) assert.ok(!/abcdef0123/i.test(piece.replace(/<[^>]*>/g, '')), `piece leaks: ${piece}`);
        }
      }
    }
  }
  // Byte by byte.
  const redactor = new StreamingKeyRedactor([key]);
  const pieces = [...`x ${key} y`].map((c) => redactor.push(c));
  pieces.push(redactor.flush());
  assert.equal(pieces.join(''), 'x *** y');
  assert.equal(redactor.found, true);
});

// One rule for everything Bakeoff shows, stores or logs: error messages and bodies, recorded
// requests, exports and model ids are redacted like answers (see README → Security).
const hostile = 'sk-HostileKey1234567890abcdXYZ';
/** Anything left of the hostile key: its middle, in any case. */
const leaks = (text: string) => /hostile|1234567890/i.test(text);

test('redactSecrets: a key of minSecretKeyLength or more is redacted as echoed (case, tags, zero-width, soft hyphen)', () => {
  assert.ok(hostile.length >= minSecretKeyLength);
  const echoes = [
    hostile,
    hostile.toUpperCase(),
    hostile.toLowerCase(),
    'sk-Hostile</code><code>Key1234567890abcdXYZ',
    'sk-Hostile<b>Key</b>1234567890abcdXYZ',
    'sk-Hostile\u200bKey1234567890abcd\u2060XYZ',
    'sk-Hostile\u00adKey1234567890\u00adabcdXYZ',
  ];
  for (const echo of echoes) {
    assert.equal(redactSecrets(`Incorrect API key provided: ${echo}.`, [hostile]), 'Incorrect API key provided: ***.', echo);
  }
  // The 401 body the probe saw.
  assert.equal(
    redactSecrets('{"error":{"message":"Incorrect API key provided: SK-HOSTILEKEY1234567890ABCDXYZ."}}', [undefined, '', hostile]),
    '{"error":{"message":"Incorrect API key provided: ***."}}',
  );
  // Several keys, the same key twice, and again (the compiled pattern is cached).
  const other = 'gsk_OtherKey_abcdefghij';
  for (let round = 0; round < 3; round++) {
    assert.equal(redactSecrets(`${hostile.toUpperCase()} / ${other.toLowerCase()} / ${hostile}`, [hostile, other]), '*** / *** / ***');
  }
  // More keys than the cache holds: each still redacted.
  const many = Array.from({ length: 80 }, (_, i) => `sk-many-${String(i).padStart(4, '0')}-abcdefgh`);
  for (const k of many) assert.equal(redactSecrets(`x ${k.toUpperCase()} y`, [k]), 'x *** y', k);
  for (const k of many.slice(0, 5)) assert.equal(redactSecrets(`x ${k.toUpperCase()} y`, [k]), 'x *** y', k);
  // Bearer handling stays.
  assert.equal(redactSecrets('header was "Bearer abc.def-ghi"', []), 'header was "Bearer ***"');
  assert.equal(redactSecrets(`Authorization: Bearer ${hostile.toUpperCase()}`, [hostile]), 'Authorization: Bearer ***');
});

test('redactSecrets: a key shorter than minSecretKeyLength is a placeholder, redacted only where exact', () => {
  const short = 'sk-local';
  assert.ok(short.length < minSecretKeyLength);
  assert.equal(redactSecrets('key sk-local here', [short]), 'key *** here');
  assert.equal(redactSecrets('key SK-LOCAL here', [short]), 'key SK-LOCAL here');
  assert.equal(redactSecrets('key sk-<b>local</b> here', [short]), 'key sk-<b>local</b> here');
  assert.equal(redactSecrets('ollama says Ollama', ['ollama']), '*** says Ollama');
});

test('echoes with soft hyphens are redacted in answers, whole and streamed', () => {
  const echo = 'sk-live-AbC\u00addEf0123\u00ad456789';
  assert.deepEqual(redactKeysInText(`before ${echo} after`, [key]), { text: 'before *** after', found: true });
  const text = `x ${echo} y`;
  for (let a = 0; a <= text.length; a++) {
    const redactor = new StreamingKeyRedactor([key]);
    const shown = [redactor.push(text.slice(0, a)), redactor.push(text.slice(a)), redactor.flush()];
    assert.equal(shown.join(''), 'x *** y', `split at ${a}`);
    for (const piece of shown) assert.ok(!/abc\u00add?ef/i.test(piece), `piece leaks: ${JSON.stringify(piece)}`);
  }
});

test('redactCutText: the trailing beginning of a key is cut in any case, across tags; short keys only exactly', () => {
  // Whole echoes go as in redactSecrets.
  assert.equal(redactCutText(`key ${hostile.toUpperCase()} end`, [hostile]), 'key *** end');
  // A body read up to a limit that ends inside the key.
  assert.equal(redactCutText(`key ${hostile.slice(0, 15)}`, [hostile]), 'key ***');
  assert.equal(redactCutText(`key ${hostile.slice(0, 15).toUpperCase()}`, [hostile]), 'key ***');
  assert.equal(redactCutText('key <code>sk-Hostile</code><code>Key12', [hostile]), 'key <code>***');
  assert.equal(redactCutText('key <code>SK-HOSTILE</co', [hostile]), 'key <code>***');
  assert.equal(redactCutText('key sk-Ho\u00adst', [hostile]), 'key ***');
  // Fewer than 4 characters of the key, or text that only starts like it, stays.
  assert.equal(redactCutText('key SK-', [hostile]), 'key SK-');
  assert.equal(redactCutText('key sk-Hostile and more', [hostile]), 'key sk-Hostile and more');
  // A short key keeps the exact rule.
  assert.equal(redactCutText('key sk-loc', ['sk-local']), 'key ***');
  assert.equal(redactCutText('key SK-LOC', ['sk-local']), 'key SK-LOC');
});

test('a hostile error body: 401 JSON with the key upper-cased, 401 HTML with the key split by tags, 200 bodies, mid-stream error events', async () => {
  const upper = hostile.toUpperCase();
  const split = '<code>sk-Hostile</code><code>Key1234567890abcdXYZ</code>';
  const cases: Array<{ name: string; status: number; type: string; body: string }> = [
    { name: '401 JSON', status: 401, type: 'application/json', body: JSON.stringify({ error: { message: `Incorrect API key provided: ${upper}.` } }) },
    { name: '401 HTML', status: 401, type: 'text/html', body: `<html><body><h1>401</h1><p>Your key ${split} is wrong</p></body></html>` },
    // Stripped, the key would straddle the 200-byte cap.
    { name: '401 HTML cut', status: 401, type: 'text/html', body: `<html><body><p>${'filler '.repeat(26)}</p><p>${split}</p></body></html>` },
    { name: '200 JSON', status: 200, type: 'application/json', body: JSON.stringify({ error: { message: `bad key ${upper}` } }) },
    { name: '200 HTML', status: 200, type: 'text/html', body: `<html><body>Login: ${split}</body></html>` },
    {
      name: 'error event',
      status: 200,
      type: 'text/event-stream',
      body: `data: ${JSON.stringify({ error: { message: `key ${upper} revoked`, code: 401 } })}\n\n`,
    },
  ];
  const leaked: string[] = [];
  for (const c of cases) {
    const result = await streamCompletion({
      backend: Backend.parse({ id: 'probe', kind: 'decentralized', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }),
      apiKey: hostile,
      messages: [{ role: 'user', content: 'hi' }],
      params: RequestParams.parse({ maxTokens: 8 }),
      timeouts: { firstByteMs: 3000, idleMs: 3000, totalMs: 10_000, ...(c.name.endsWith('cut') ? { maxErrorBodyBytes: 200 } : {}) },
      usageMemory: new UsageSupportMemory(),
      fetch: async () => new Response(c.body, { status: c.status, headers: { 'content-type': c.type } }),
    });
    assert.ok(result.error, c.name);
    if (leaks(JSON.stringify(result))) leaked.push(`${c.name}: ${JSON.stringify(result.error)}`);
    else assert.match(`${result.error.message} ${result.error.body ?? ''}`, /\*\*\*/, c.name);
  }
  assert.deepEqual(leaked, []);
});

test('model ids from /models are redacted like error messages (bakeoff backends check, model picker)', async () => {
  const entries = [{ id: `leak-${hostile}` }, { id: `LEAK2-${hostile.toUpperCase()}` }, { name: 'sk-Hostile<b>Key1234567890abcdXYZ</b>' }, { id: 'gpt-4o' }];
  assert.deepEqual(modelIds(entries, [hostile]), ['leak-***', 'LEAK2-***', '***</b>', 'gpt-4o']);
  assert.deepEqual(modelIds([{ id: 'gpt-4o' }, { id: 'gpt-4o' }]), ['gpt-4o']);

  const fetch = async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith('/models')) return new Response(JSON.stringify({ object: 'list', data: [{ id: `leak-${hostile}` }, { id: 'm' }] }), { headers: { 'content-type': 'application/json' } });
    const chunk = { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] };
    return new Response(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } });
  };
  const backend = Backend.parse({ id: 'probe', kind: 'decentralized', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
  const check = await checkBackend(backend, hostile, { fetch });
  assert.deepEqual(check.availableModels, ['leak-***', 'm']);
  assert.equal(check.modelFound, true);
  assert.ok(!leaks(JSON.stringify(check)), JSON.stringify(check));
  const listed = await listModels(backend, hostile, { fetch });
  assert.deepEqual(listed.ids, ['leak-***', 'm']);
});

test('an answer that ends inside an echoed key shows none of it', () => {
  const key = 'sk-HostileKey1234567890abcdXYZ';
  const redactor = new StreamingKeyRedactor([key]);
  const shown = redactor.push('Here is a key: ') + redactor.push(key.slice(0, 9)) + redactor.push(key.slice(9, 15)) + redactor.flush();
  assert.equal(shown, 'Here is a key: ***');
  assert.equal(redactor.found, true);
  // Fewer than 8 characters of a key at the very end are ordinary text.
  const short = new StreamingKeyRedactor([key]);
  assert.equal(short.push('Keys look like sk-Ho') + short.flush(), 'Keys look like sk-Ho');
  assert.equal(short.found, false);
  // Upper-cased too, as echoes are matched.
  const upper = new StreamingKeyRedactor([key]);
  assert.equal(upper.push('tail ' + key.slice(0, 12).toUpperCase()) + upper.flush(), 'tail ***');
});
