import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, RequestParams, type BackendInput, type ChatMessage } from '../../src/core/config';
import { streamCompletion, UsageSupportMemory, type StreamOptions } from '../../src/core/stream';
import { createNodeFetch } from '../../src/core/timedFetch';
import { referenceCount } from './helpers/referenceTokens';
import { redactHeaders, redactSecrets } from '../../src/core/redact';
import { useFixtureServer } from './helpers/fixture';

const fixture = useFixtureServer();

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say hello to the fixture.' },
];

function backend(model: string, extra: Partial<BackendInput> = {}): Backend {
  return Backend.parse({ id: `b-${model}`, kind: 'decentralized', baseUrl: fixture.server.baseUrl, model, ...extra });
}

function run(model: string, extra: Partial<StreamOptions> = {}, backendExtra: Partial<BackendInput> = {}) {
  return streamCompletion({
    backend: backend(model, backendExtra),
    messages,
    params: RequestParams.parse({ maxTokens: 64, temperature: 0.2, seed: 7 }),
    timeouts: { firstByteMs: 3000, idleMs: 3000, totalMs: 10_000 },
    usageMemory: new UsageSupportMemory(),
    ...extra,
  });
}

const settled = () => fixture.settled();

function requestsFor(model: string) {
  return fixture.server.requests.filter((r) => r.path.endsWith('/chat/completions') && r.body?.model === model);
}

test('streams content, asks for usage and uses the reported counts', async () => {
  const text = 'One small step for a fixture, one giant leap for streaming.';
  fixture.server.setSchedule('happy', { text, completionTokens: 42, promptTokens: 17, cachedTokens: 5 });
  const deltas: string[] = [];
  const r = await run('happy', { onDelta: (d) => deltas.push(d.content) });
  assert.equal(r.status, 'ok');
  assert.equal(r.error, null);
  assert.equal(r.text, text);
  assert.equal(deltas.join(''), text);
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.usageReported, true);
  assert.equal(r.metrics.tokenSource, 'reported');
  assert.equal(r.metrics.outputTokens, 42);
  assert.equal(r.metrics.inputTokens, 17);
  assert.equal(r.metrics.cachedInputTokens, 5);
  assert.equal(r.backendId, 'b-happy');
  assert.equal(r.trial, 1);

  const [sent] = requestsFor('happy');
  assert.ok(sent);
  assert.equal(sent.method, 'POST');
  assert.equal(sent.body.stream, true);
  assert.deepEqual(sent.body.stream_options, { include_usage: true });
  assert.equal(sent.body.max_tokens, 64);
  assert.equal(sent.body.temperature, 0.2);
  assert.equal(sent.body.seed, 7);
  assert.deepEqual(sent.body.messages, messages);
  assert.equal(sent.headers.authorization, undefined, 'no key given, no Authorization header');
  assert.deepEqual(r.request.body, sent.body, 'the recorded request is what the server got');
  assert.equal(r.request.url, `${fixture.server.baseUrl}/chat/completions`);
  await settled();
});

test('timing marks are ordered and come from the monotonic clock', async () => {
  const text = 'a b c d e f';
  fixture.server.setSchedule('timed', { text, headersDelayMs: 30, ttftMs: 120, chunkIntervalMs: 40 });
  const before = performance.now();
  const r = await run('timed');
  const afterMs = performance.now();
  assert.equal(r.status, 'ok');
  const t = r.timing;
  assert.ok(before <= t.startMs, 'start after the call');
  assert.ok(t.startMs <= t.headersMs! && t.headersMs! <= t.firstByteMs! && t.firstByteMs! <= t.firstContentMs!);
  assert.ok(t.firstContentMs! <= t.endMs && t.endMs <= afterMs);
  assert.equal(t.chunkMs.length, 6, 'one arrival per content chunk');
  assert.equal(t.chunkMs[0], t.firstContentMs);
  // generous tolerances: the server waits 30 ms + 120 ms before the first token, 40 ms between chunks
  assert.ok(t.headersMs! - t.startMs >= 25, `headers after ${t.headersMs! - t.startMs} ms`);
  assert.ok(r.metrics.ttftMs! >= 140 && r.metrics.ttftMs! < 1500, `ttft ${r.metrics.ttftMs}`);
  assert.ok(r.metrics.chunkGapP50Ms! >= 30 && r.metrics.chunkGapP50Ms! < 500, `gap p50 ${r.metrics.chunkGapP50Ms}`);
  assert.ok(r.metrics.totalMs! >= r.metrics.ttftMs! + 5 * 35);
  // first body byte (the role chunk) arrives right after headers, well before content
  assert.ok(t.firstContentMs! - t.firstByteMs! >= 100);
  await settled();
});

test('uses the injected clock and fetch', async () => {
  fixture.server.setSchedule('injected', { text: 'x y z' });
  let tick = 0;
  const calls: string[] = [];
  const base = createNodeFetch();
  const r = await run('injected', {
    now: () => ++tick,
    fetch: (input, init) => {
      calls.push(String(input));
      return base(input, init);
    },
  });
  assert.equal(r.status, 'ok');
  assert.equal(r.text, 'x y z');
  assert.deepEqual(calls, [`${fixture.server.baseUrl}/chat/completions`]);
  for (const v of [r.timing.startMs, r.timing.headersMs, r.timing.firstByteMs, r.timing.firstContentMs, r.timing.endMs]) {
    assert.ok(Number.isInteger(v) && v! <= tick, `mark ${v} taken from the fake clock`);
  }
  assert.ok(r.timing.startMs < r.timing.headersMs! && r.timing.headersMs! < r.timing.firstByteMs!);
  await settled();
});

test('reasoning deltas (reasoning_content or reasoning) go to result.reasoning', async () => {
  fixture.server.setSchedule('thinker', { reasoning: 'Let me think about it.', text: 'Answer.' });
  const r = await run('thinker');
  assert.equal(r.status, 'ok');
  assert.equal(r.reasoning, 'Let me think about it.');
  assert.equal(r.text, 'Answer.');
  // first content mark counts the first reasoning delta
  assert.equal(r.timing.firstContentMs, r.timing.chunkMs[0]);

  // the `reasoning` field name, from a tiny local stream
  const sse = [
    { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
    { choices: [{ index: 0, delta: { reasoning: 'hmm ' } }] },
    { choices: [{ index: 0, delta: { reasoning: 'ok' } }] },
    { choices: [{ index: 0, delta: { content: 'Yes.' }, finish_reason: 'stop' }] },
  ]
    .map((c) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', ...c })}\n\n`)
    .join('');
  const local = await run('local', {
    fetch: async () => new Response(`${sse}data: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } }),
  });
  assert.equal(local.status, 'ok');
  assert.equal(local.reasoning, 'hmm ok');
  assert.equal(local.text, 'Yes.');
  await settled();
});

/** A stream of `chunks` (chat chunk fields) then `[DONE]`, served by an in-memory fetch. */
function localStream(chunks: Array<Record<string, unknown>>): StreamOptions['fetch'] {
  const sse = chunks.map((c) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', ...c })}\n\n`).join('');
  return async () => new Response(`${sse}data: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } });
}

test("wall time starts when the first request is issued, not while the client's request template is built", async () => {
  fixture.server.setSchedule('wall-fresh', { text: 'hello there' });
  // A base URL never used before in this process: its client and request template are built on this call.
  const r = await run('wall-fresh', {}, { baseUrl: `${fixture.server.baseUrl}/`, headers: { 'x-fresh-client': String(Math.random()) } });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.retries, 0);
  assert.equal(r.wallMs, r.metrics.totalMs, 'without retries, wall time is the total');
  assert.equal(r.timing.callStartMs, r.timing.startMs);
  await settled();
});

test('reasoning is taken from whichever field has text; content parts and refusals are answer text', async () => {
  // `reasoning_content` present but empty beside `reasoning` with text: the text is the reasoning.
  const both = await run('local', {
    fetch: localStream([
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
      { choices: [{ index: 0, delta: { reasoning_content: '', reasoning: 'think ' } }] },
      { choices: [{ index: 0, delta: { reasoning_content: '', reasoning: 'more' } }] },
      { choices: [{ index: 0, delta: { content: 'Done.' }, finish_reason: 'stop' }] },
    ]),
  });
  assert.equal(both.reasoning, 'think more');
  assert.equal(both.text, 'Done.');
  assert.equal(both.timing.firstContentMs, both.timing.chunkMs[0], 'the first token is the first reasoning delta');
  assert.equal(both.timing.chunkMs.length, 3);

  // Content as an array of parts (as some servers stream it): the text parts are the answer.
  const parts = await run('local', {
    fetch: localStream([
      { choices: [{ index: 0, delta: { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] } }] },
      { choices: [{ index: 0, delta: { content: [{ type: 'text', text: ', ' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'world' }] } }] },
      { choices: [{ index: 0, delta: { content: [] }, finish_reason: 'stop' }] },
    ]),
  });
  assert.equal(parts.status, 'ok');
  assert.equal(parts.text, 'Hello, world');

  // A refusal streamed instead of content is what the model answered.
  const refused = await run('local', {
    fetch: localStream([
      { choices: [{ index: 0, delta: { role: 'assistant', content: null, refusal: '' } }] },
      { choices: [{ index: 0, delta: { refusal: "I can't help " } }] },
      { choices: [{ index: 0, delta: { refusal: 'with that.' }, finish_reason: 'stop' }] },
    ]),
  });
  assert.equal(refused.text, "I can't help with that.");
  assert.ok(refused.metrics.ttftMs !== null);
});

test('without usage, output tokens are counted with the tokenizer, not from chunks', async () => {
  const text = 'Tokenizers split words into pieces; chunks group several tokens together anyway.';
  fixture.server.setSchedule('nousage', { text, usage: 'never', tokensPerChunk: 4 });
  const r = await run('nousage', {}, { model: 'nousage' });
  assert.equal(r.status, 'ok');
  assert.equal(r.usageReported, false);
  assert.equal(r.metrics.tokenSource, 'estimated');
  assert.equal(r.metrics.outputTokens, referenceCount(text, 'nousage'));
  assert.notEqual(r.metrics.outputTokens, r.timing.chunkMs.length);
  await settled();
});

test('whether a backend reports usage is remembered from its last answer', async () => {
  const memory = new UsageSupportMemory();
  fixture.server.setSchedule('remember-usage', { text: 'reported answer' });
  const withUsage = backend('remember-usage');
  assert.equal(memory.reportsUsage(withUsage), false);
  assert.equal((await run('remember-usage', { usageMemory: memory, backend: withUsage })).usageReported, true);
  assert.equal(memory.reportsUsage(withUsage), true);

  fixture.server.setSchedule('remember-usage', { text: 'counted answer', usage: 'never' });
  assert.equal((await run('remember-usage', { usageMemory: memory, backend: withUsage })).usageReported, false);
  assert.equal(memory.reportsUsage(withUsage), false);
  await settled();
});

test('a prompt count still running is awaited only without usage, and never by a cancelled stream', async () => {
  const never = new Promise<number>(() => undefined);
  fixture.server.setSchedule('pending-usage', { text: 'reported answer' });
  const reported = await run('pending-usage', { promptTokens: never });
  assert.equal(reported.status, 'ok');
  assert.equal(reported.metrics.tokenSource, 'reported');

  fixture.server.setSchedule('pending-estimated', { text: 'counted answer', usage: 'never' });
  const estimated = await run('pending-estimated', { promptTokens: Promise.resolve(41) });
  assert.equal(estimated.metrics.inputTokens, 41);
  assert.equal(estimated.metrics.outputTokens, referenceCount('counted answer', 'pending-estimated'));

  // A long degenerate answer, then the user cancels: the result comes at once, counts unknown.
  fixture.server.setSchedule('pending-cancel', { text: 'ab'.repeat(200_000), usage: 'never', fault: { type: 'stall', afterChunks: 1 } });
  const controller = new AbortController();
  const cancelling = run('pending-cancel', { promptTokens: never, signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const abortedAt = performance.now();
  controller.abort();
  const cancelled = await cancelling;
  assert.ok(performance.now() - abortedAt < 100, `result ${(performance.now() - abortedAt).toFixed(0)} ms after cancel`);
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.text, 'ab'.repeat(200_000));
  assert.deepEqual([cancelled.metrics.inputTokens, cancelled.metrics.outputTokens], [null, null]);
  await settled();
});

test('stream_options rejected with 400: retried once without it, and remembered', async () => {
  fixture.server.setSchedule('picky', { rejectStreamOptions: true, text: 'fine then' });
  const memory = new UsageSupportMemory();
  const b = backend('picky');
  const base = { backend: b, messages, params: RequestParams.parse({}), usageMemory: memory };
  const first = await streamCompletion(base);
  assert.equal(first.status, 'ok');
  assert.equal(first.text, 'fine then');
  assert.equal(first.usageReported, false);
  let sent = requestsFor('picky');
  assert.equal(sent.length, 2);
  assert.ok('stream_options' in sent[0]!.body);
  assert.ok(!('stream_options' in sent[1]!.body));
  assert.ok(!('stream_options' in first.request.body), 'the recorded request is the one that streamed');
  assert.equal(memory.isRejected(b), true);
  assert.equal(memory.isRejected({ id: b.id, baseUrl: 'http://elsewhere.invalid/v1' }), false);

  const second = await streamCompletion(base);
  assert.equal(second.status, 'ok');
  sent = requestsFor('picky');
  assert.equal(sent.length, 3, 'one request only, the memory skipped stream_options');
  assert.ok(!('stream_options' in sent[2]!.body));
  await settled();
});

test('a 400 unrelated to stream_options is retried once, then reported, not remembered', async () => {
  fixture.server.setSchedule('badreq', {
    fault: { type: 'status', status: 400, body: JSON.stringify({ error: { message: 'max_tokens is too large' } }) },
  });
  const memory = new UsageSupportMemory();
  const r = await run('badreq', { usageMemory: memory });
  assert.equal(r.status, 'http_error');
  assert.equal(r.error?.httpStatus, 400);
  assert.match(r.error!.message, /max_tokens is too large/);
  assert.equal(requestsFor('badreq').length, 2);
  assert.equal(memory.isRejected(backend('badreq')), false);
  await settled();
});

test("streamUsage 'never' sends no stream_options", async () => {
  fixture.server.setSchedule('never', { text: 'ok' });
  const r = await run('never', {}, { streamUsage: 'never' });
  assert.equal(r.status, 'ok');
  const [sent] = requestsFor('never');
  assert.ok(!('stream_options' in sent!.body));
  assert.equal(r.metrics.tokenSource, 'estimated');
  await settled();
});

test('extraBody is merged but cannot override model, messages or stream', async () => {
  fixture.server.setSchedule('extra', { text: 'merged' });
  const r = await run('extra', {}, { extraBody: { model: 'evil', stream: false, messages: [], top_p: 0.5, provider: { sort: 'latency' } } });
  assert.equal(r.status, 'ok');
  const [sent] = requestsFor('extra');
  assert.equal(sent!.body.model, 'extra');
  assert.equal(sent!.body.stream, true);
  assert.deepEqual(sent!.body.messages, messages);
  assert.equal(sent!.body.top_p, 0.5);
  assert.deepEqual(sent!.body.provider, { sort: 'latency' });
  await settled();
});

test('the key is sent as Bearer but never recorded, and custom secret headers are redacted', async () => {
  const key = 'sk-live-VERY-SECRET-0123456789';
  fixture.server.requireKey(key);
  try {
    fixture.server.setSchedule('keyed', { text: 'authorised' });
    const r = await run('keyed', { apiKey: key }, { headers: { 'X-Api-Key': 'also-secret-value', 'X-Trace': 'visible' } });
    assert.equal(r.status, 'ok');
    const [sent] = requestsFor('keyed');
    assert.equal(sent!.headers.authorization, `Bearer ${key}`);
    assert.equal(sent!.headers['x-api-key'], 'also-secret-value');
    assert.equal(r.request.headers.authorization, 'Bearer ***');
    assert.equal(r.request.headers['x-api-key'], '***');
    assert.equal(r.request.headers['x-trace'], 'visible');
    assert.ok(!JSON.stringify(r).includes(key));
    assert.ok(!JSON.stringify(r).includes('also-secret-value'));

    // a wrong key: 401 with a hint, and the server echoing the key does not leak it
    fixture.server.setSchedule('echo', {
      fault: { type: 'status', status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${key}x` } }) },
    });
    const bad = await run('echo', { apiKey: key });
    assert.equal(bad.status, 'http_error');
    assert.equal(bad.error?.httpStatus, 401);
    assert.match(bad.error!.hint, /API key/);
    assert.match(bad.error!.message, /Incorrect API key provided/);
    assert.ok(!JSON.stringify(bad).includes(key), 'key scrubbed from message, body and request');
  } finally {
    fixture.server.requireKey(null);
  }
  await settled();
});

test('redactHeaders and redactSecrets', () => {
  assert.deepEqual(
    redactHeaders({ Authorization: 'Bearer abc', 'X-API-KEY': 'k', 'x-auth-token': 't', 'Client-Secret': 's', Accept: 'json' }),
    { authorization: 'Bearer ***', 'x-api-key': '***', 'x-auth-token': '***', 'client-secret': '***', accept: 'json' },
  );
  assert.deepEqual(redactHeaders(new Headers({ authorization: 'Basic Zm9v' })), { authorization: '***' });
  assert.equal(redactSecrets('key sk-123 and sk-123 again', ['sk-123', undefined, '']), 'key *** and *** again');
  assert.equal(redactSecrets('header was "Bearer abc.def-ghi"', []), 'header was "Bearer ***"');
});

test('a slow drip split across event boundaries is still ok', async () => {
  const text = 'Drip drip drip: héllo wörld ✓';
  fixture.server.setSchedule('drip', { text, fault: { type: 'drip', bytesPerWrite: 3, intervalMs: 2 } });
  const r = await run('drip');
  assert.equal(r.status, 'ok');
  assert.equal(r.text, text);
  assert.equal(r.usageReported, true);
  await settled();
});

test('[DONE] without finish_reason is ok; finish_reason without [DONE] is ok', async () => {
  fixture.server.setSchedule('nofinish', { text: 'a b', finishReason: false });
  const a = await run('nofinish');
  assert.equal(a.status, 'ok');
  assert.equal(a.finishReason, null);
  fixture.server.setSchedule('nodone', { text: 'a b', done: false });
  const b = await run('nodone');
  assert.equal(b.status, 'ok');
  assert.equal(b.finishReason, 'stop');
  await settled();
});

test('extraBody cannot change the shared parameters: n, max_tokens, max_completion_tokens, temperature, seed are dropped', async () => {
  fixture.server.setSchedule('extra-shared', { text: 'shared' });
  const extraBody = {
    n: 3,
    max_tokens: 1,
    max_completion_tokens: 5,
    temperature: 2,
    seed: 99,
    stream_options: { include_usage: false },
    model: 'evil',
    messages: [],
    stream: false,
    top_p: 0.5,
  };
  // No seed in the shared parameters: extraBody must not sneak one in either.
  const r = await streamCompletion({
    backend: backend('extra-shared', { extraBody }),
    messages,
    params: RequestParams.parse({ maxTokens: 64, temperature: 0.2 }),
    timeouts: { firstByteMs: 3000, idleMs: 3000, totalMs: 10_000 },
    usageMemory: new UsageSupportMemory(),
  });
  assert.equal(r.status, 'ok');
  const [sent] = requestsFor('extra-shared');
  assert.deepEqual(sent!.body, {
    top_p: 0.5,
    model: 'extra-shared',
    messages,
    max_tokens: 64,
    temperature: 0.2,
    stream: true,
    stream_options: { include_usage: true },
  });
  await settled();
});

test('only choice 0 is measured when a server streams several choices', async () => {
  fixture.server.setSchedule('twochoices', { text: 'first answer here', fault: { type: 'extraChoice', text: 'OTHER ANSWER' } });
  const deltas: string[] = [];
  const r = await run('twochoices', { onDelta: (d) => deltas.push(d.content) });
  assert.equal(r.status, 'ok');
  assert.equal(r.text, 'first answer here');
  assert.equal(deltas.join(''), 'first answer here');
  assert.equal(r.finishReason, 'stop', "choice 1's finish_reason 'length' is ignored");
  await settled();
});

test('allChunkMs stamps every data event (role, content, usage); chunkMs only content-bearing ones', async () => {
  fixture.server.setSchedule('allchunks', { text: 'a b c', ttftMs: 30, chunkIntervalMs: 10 });
  const r = await run('allchunks');
  assert.equal(r.status, 'ok');
  const t = r.timing;
  assert.equal(t.chunkMs.length, 3);
  // role chunk + 3 content chunks (the last carries finish_reason) + usage chunk
  assert.equal(t.allChunkMs?.length, 5);
  assert.ok(t.allChunkMs!.every((ms, i) => i === 0 || ms >= t.allChunkMs![i - 1]!), 'in arrival order');
  for (const ms of t.chunkMs) assert.ok(t.allChunkMs!.includes(ms));
  assert.ok(t.allChunkMs![0]! < t.firstContentMs!, 'the role chunk came before the first token');
  await settled();
});

test('a key echoed in the answer (any case, split by an inline tag) never reaches a delta, the text or the reasoning', async () => {
  const key = 'sk-proj-EchoMe0123456789';
  const text = `Debug: your key is ${key}, or ${key.toUpperCase()}, or sk-proj-Echo<b>Me01234</b>56789. Bye.`;
  fixture.server.setSchedule('echo-key', { text, reasoning: `thinking about ${key}` });
  const deltas: string[] = [];
  const thoughts: string[] = [];
  const r = await run('echo-key', {
    apiKey: key,
    onDelta: (d) => {
      deltas.push(d.content);
      thoughts.push(d.reasoning);
    },
  });
  assert.equal(r.status, 'ok');
  assert.equal(r.keyRedacted, true);
  assert.equal(r.text, 'Debug: your key is ***, or ***, or ***. Bye.');
  assert.equal(r.reasoning, 'thinking about ***');
  assert.equal(deltas.join(''), r.text, 'what streamed is exactly the final text');
  assert.equal(thoughts.join(''), r.reasoning);
  for (const piece of [...deltas, ...thoughts]) assert.ok(!/echome/i.test(piece), `a delta carried part of the key: ${piece}`);
  assert.ok(r.metrics.outputTokens! > 0);

  // A short placeholder key (`ollama`) is not a secret: answers mentioning the word stay intact.
  fixture.server.setSchedule('placeholder', { text: 'Install ollama, then run ollama serve.' });
  const p = await run('placeholder', { apiKey: 'ollama' });
  assert.equal(p.text, 'Install ollama, then run ollama serve.');
  assert.equal(p.keyRedacted, false);
  await settled();
});

test('an event whose terminator is split across writes is stamped when its first part arrived, for every terminator pair', async () => {
  // Each write ends inside a terminator (a trailing CR, or CR LF CR); the rest comes with the next
  // event, 400 ms later. The event is complete with the first write, so it is stamped then: within
  // a few ms of the fixture writing it (same process, same clock), never at the next write.
  const ttftMs = 150;
  const gapMs = 400;
  const cases = [
    { eventEnd: '\r\r', holdBack: 0 },
    { eventEnd: '\n\r\n', holdBack: 1 },
    { eventEnd: '\r\n\r', holdBack: 0 },
    { eventEnd: '\r\r\n', holdBack: 1 },
    { eventEnd: '\r\n\r\n', holdBack: 1 },
  ];
  const results = await Promise.all(
    cases.map((c, i) => {
      fixture.server.setSchedule(`split-end-${i}`, { text: 'a b c', ttftMs, chunkIntervalMs: gapMs, fault: { type: 'lineEnds', ...c } });
      return run(`split-end-${i}`);
    }),
  );
  results.forEach((r, i) => {
    const what = JSON.stringify(cases[i]);
    assert.equal(r.status, 'ok', `${what}: ${r.error?.message}`);
    assert.equal(r.text, 'a b c', what);
    const [sent] = requestsFor(`split-end-${i}`);
    assert.equal(sent!.chunkSentAtMs.length, 3);
    r.timing.chunkMs.forEach((stampMs, k) => {
      const lateMs = stampMs - sent!.chunkSentAtMs[k]!;
      assert.ok(lateMs >= 0 && lateMs < 100, `${what}: chunk ${k + 1} stamped ${lateMs.toFixed(1)} ms after the server wrote it (next write ${gapMs} ms later)`);
    });
    const firstMs = r.timing.firstContentMs! - r.timing.headersMs!;
    assert.ok(firstMs >= ttftMs - 10 && firstMs < sent!.chunkSentAtMs[0]! - sent!.receivedAtMs + 100, `${what}: first token ${firstMs.toFixed(1)} ms after the headers`);
  });
  await settled();
});

test('the request is the one the openai SDK would send: same URL, headers and body, key or none; an HTTP error is its APIError', async () => {
  const { OpenAI } = await import('openai');
  const key = 'sk-same-as-sdk-0123456789';
  const transport = new Set(['host', 'connection', 'content-length']);
  // A key read from a file or a CRLF .env ends in a line break: sent as the SDK sent it (trimmed).
  for (const apiKey of [key, `${key}\r\n`, undefined]) {
    fixture.server.setSchedule('same-as-sdk', { text: 'hello' });
    const r = await run('same-as-sdk', apiKey ? { apiKey } : {}, { headers: { 'X-Trace': 'visible' } });
    assert.equal(r.status, 'ok');
    const sent = requestsFor('same-as-sdk').at(-1)!;
    // The SDK itself, with the same key, default headers and body; its fetch only records what it was given.
    let sdkUrl = '';
    let sdkHeaders: Array<[string, string]> = [];
    let sdkBody = '';
    const client = new OpenAI({
      baseURL: fixture.server.baseUrl,
      apiKey: apiKey ?? 'unused',
      organization: null,
      project: null,
      defaultHeaders: { 'X-Trace': 'visible' },
      maxRetries: 0,
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        sdkUrl = String(url);
        sdkHeaders = [];
        new Headers(init?.headers).forEach((value, name) => sdkHeaders.push([name, value]));
        sdkBody = String(init?.body);
        return new Response('data: {"choices":[]}\n\ndata: [DONE]\n\n', { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    const stream = await client.chat.completions.create(sent.body as never, apiKey ? {} : { headers: { Authorization: null } });
    for await (const _ of stream as unknown as AsyncIterable<unknown>) void _;
    const received = Object.entries(sent.headers)
      .filter(([name]) => !transport.has(name))
      .map(([name, value]) => [name, String(value)])
      .sort(([a], [b]) => (a < b ? -1 : 1));
    assert.deepEqual(received, sdkHeaders, `headers with ${apiKey ? JSON.stringify(apiKey) : 'no key'}`);
    assert.equal(new URL(sdkUrl).pathname, sent.path);
    assert.deepEqual(JSON.parse(sdkBody), sent.body);
  }
  fixture.server.setSchedule('sdk-error', { fault: { type: 'status', status: 404, body: JSON.stringify({ error: { message: 'The model does not exist', type: 'invalid_request_error' } }) } });
  const missing = await run('sdk-error');
  assert.equal(missing.status, 'http_error');
  assert.equal(missing.error?.httpStatus, 404);
  assert.match(missing.error!.message, /The model does not exist/);
  await settled();
});

test('a key with a line break inside is refused before anything is sent, and never shown', async () => {
  const key = 'sk-broken\nkey-0123456789';
  fixture.server.setSchedule('broken-key', { text: 'never sent' });
  const r = await run('broken-key', { apiKey: key });
  assert.equal(r.status, 'not_sent');
  assert.match(r.error!.message, /cannot go in an HTTP header/);
  assert.equal(requestsFor('broken-key').length, 0, 'nothing reached the server');
  assert.ok(!JSON.stringify(r).includes('sk-broken'), JSON.stringify(r.error));
  await settled();
});
