import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { Backend, RequestParams, type BackendInput, type ChatMessage, type Timeouts } from '../../src/core/config';
import { streamCompletion, UsageSupportMemory, type StreamOptions } from '../../src/core/stream';
import { parseRetryAfterMs } from '../../src/core/timedFetch';
import { startFixtureServer } from '../fixtures/server';
import { useFixtureServer } from './helpers/fixture';
import type { TrialResult } from '../../src/core/types';

const fixture = useFixtureServer();

const messages: ChatMessage[] = [{ role: 'user', content: 'Tell me something.' }];
const text = 'one two three four five six seven eight nine ten';
const key = 'sk-fault-test-KEY-424242';

function run(
  model: string,
  opts: Partial<StreamOptions> = {},
  timeouts: Partial<Timeouts> = {},
  backendExtra: Partial<BackendInput> = {},
): Promise<TrialResult> {
  return streamCompletion({
    backend: Backend.parse({ id: `f-${model}`, kind: 'decentralized', baseUrl: fixture.server.baseUrl, model, ...backendExtra }),
    messages,
    params: RequestParams.parse({}),
    timeouts: { connectMs: 2000, firstByteMs: 2000, idleMs: 2000, totalMs: 8000, ...timeouts },
    usageMemory: new UsageSupportMemory(),
    apiKey: key,
    ...opts,
  });
}

const settled = () => fixture.settled();

function chatRequests(model: string) {
  return fixture.server.requests.filter((r) => r.body?.model === model);
}

function assertNoKey(r: TrialResult): void {
  assert.ok(!JSON.stringify(r).includes(key), 'the key never appears in a result');
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A raw HTTP server: `onSocket` writes whatever it likes; resolves with its base URL and a closer. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => onSocket(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('an HTTP error whose body trickles or breaks stays that HTTP error, with what its body said so far', async () => {
  const timers = new Set<NodeJS.Timeout>();
  const trickle = await rawServer((socket) => {
    socket.write('HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
    socket.write('13\r\nupstream overloaded\r\n');
    // Then one byte every 100 ms, never ending: no gap ever reaches the idle limit.
    const t = setInterval(() => socket.writable && socket.write('1\r\n.\r\n'), 100);
    timers.add(t);
    socket.on('close', () => clearInterval(t));
  });
  const broken = await rawServer((socket) => {
    socket.write('HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
    socket.write('e\r\nworker crashed\r\n', () => setTimeout(() => socket.destroy(), 50));
  });
  try {
    const limits = { firstByteMs: 300, idleMs: 700, totalMs: 5000 };
    const started = performance.now();
    const r = await run('x', {}, limits, { baseUrl: trickle.baseUrl });
    assert.equal(r.status, 'http_error', r.error?.message);
    assert.equal(r.error?.httpStatus, 503);
    assert.match(r.error!.message, /upstream overloaded/);
    assert.ok(performance.now() - started < 3000, 'stopped reading the body after the idle limit, not at the total limit');
    assert.ok(r.timing.firstByteMs! - r.timing.headersMs! < 100, 'the first byte is the first chunk of the body, not the end of reading it');

    const b = await run('x', {}, limits, { baseUrl: broken.baseUrl });
    assert.equal(b.status, 'http_error', b.error?.message);
    assert.equal(b.error?.httpStatus, 500);
    assert.match(b.error!.message, /worker crashed/);
  } finally {
    for (const t of timers) clearInterval(t);
    await trickle.close();
    await broken.close();
  }
});

test('connection refused → network_error ECONNREFUSED', async () => {
  const port = await freePort();
  const r = await run('x', {}, {}, { baseUrl: `http://127.0.0.1:${port}/v1` });
  assert.equal(r.status, 'network_error');
  assert.equal(r.error?.code, 'ECONNREFUSED');
  assert.match(r.error!.hint, /listening/);
  assert.equal(r.timing.headersMs, null);
  // Refused before any byte: no total, no token estimate; the elapsed time is the wall time.
  assert.equal(r.metrics.totalMs!, null);
  assert.equal(r.metrics.inputTokens, null);
  assert.equal(r.metrics.outputTokens, null);
  assert.ok(r.wallMs !== null && r.wallMs >= 0 && r.wallMs < 5000);
  assertNoKey(r);
});

test('unknown host (.invalid) → network_error ENOTFOUND', async () => {
  const r = await run('x', {}, { connectMs: 5000 }, { baseUrl: 'http://no-such-host.invalid/v1' });
  assert.equal(r.status, 'network_error');
  assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(r.error!.code!), r.error!.code);
  assert.match(r.error!.hint, /resolve/);
  assertNoKey(r);
});

test('https to a plain-HTTP port → tls_error', async () => {
  const r = await run('x', {}, {}, { baseUrl: fixture.server.baseUrl.replace('http://', 'https://') });
  assert.equal(r.status, 'tls_error');
  assert.match(r.error!.hint, /https/);
  assertNoKey(r);
  await settled();
});

test('connect timeout: a listener whose accept queue is full never completes the handshake', async () => {
  // A stopped child process cannot accept; once its backlog is full the kernel drops new SYNs.
  const child = spawn(process.execPath, [
    '-e',
    "require('net').createServer().listen({port:0,host:'127.0.0.1',backlog:1},function(){process.stdout.write(String(this.address().port))})",
  ]);
  const fillers: net.Socket[] = [];
  try {
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));
    process.kill(child.pid!, 'SIGSTOP');
    let hung = false;
    for (let i = 0; i < 16 && !hung; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      fillers.push(s);
      hung = !(await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 300);
        s.once('connect', () => {
          clearTimeout(t);
          resolve(true);
        });
      }));
    }
    assert.ok(hung, 'the backlog filled up');
    const started = performance.now();
    const r = await run('x', {}, { connectMs: 300, firstByteMs: 5000 }, { baseUrl: `http://127.0.0.1:${port}/v1` });
    assert.equal(r.status, 'timeout');
    assert.equal(r.error?.timeoutPhase, 'connect');
    assert.ok(performance.now() - started < 4000, 'gave up at the connect limit, not a later one');
  } finally {
    for (const s of fillers) s.destroy();
    child.kill('SIGKILL');
  }
});

test('a fetch that never answers → firstByte timeout, and the fetch is aborted', async () => {
  let aborted = false;
  const r = await run('x', {
    fetch: (_input, init) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      }),
  }, { firstByteMs: 150 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.timeoutPhase, 'firstByte');
  assert.equal(aborted, true);
});

test('no headers at all → firstByte timeout', async () => {
  fixture.server.setSchedule('noheaders', { fault: { type: 'stallHeaders' } });
  const r = await run('noheaders', {}, { firstByteMs: 200 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.timeoutPhase, 'firstByte');
  assert.equal(r.timing.headersMs, null);
  await settled();
});

test('stall after the role chunk, before any token → idle timeout', async () => {
  fixture.server.setSchedule('stall0', { text, fault: { type: 'stall', afterChunks: 0 } });
  const r = await run('stall0', {}, { idleMs: 200 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.timeoutPhase, 'idle');
  assert.equal(r.text, '');
  assert.notEqual(r.timing.firstByteMs, null);
  assert.equal(r.metrics.ttftMs, null);
  await settled();
});

test('stall after the first tokens → idle timeout, partial text and metrics kept', async () => {
  fixture.server.setSchedule('stall3', { text, fault: { type: 'stall', afterChunks: 3 } });
  const r = await run('stall3', {}, { idleMs: 200 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.timeoutPhase, 'idle');
  assert.equal(r.text, 'one two three');
  assert.ok(r.metrics.ttftMs! >= 0);
  assert.ok(r.metrics.totalMs! >= 180, `total ${r.metrics.totalMs!}`);
  assert.equal(r.metrics.tokenSource, 'estimated');
  await settled();
});

test('a slow but steady stream within the idle limit is ok', async () => {
  fixture.server.setSchedule('slow', { text: 'a b c d e', chunkIntervalMs: 60 });
  const r = await run('slow', {}, { idleMs: 400 });
  assert.equal(r.status, 'ok');
  assert.equal(r.text, 'a b c d e');
  await settled();
});

test('total timeout ends a stream that keeps dripping, keeping what arrived', async () => {
  fixture.server.setSchedule('forever', { text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '), chunkIntervalMs: 20 });
  const r = await run('forever', {}, { idleMs: 1000, totalMs: 300 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.timeoutPhase, 'total');
  assert.ok(r.text.startsWith('w0 w1'), r.text);
  assert.ok(r.text.length < 800);
  await settled();
});

for (const [status, hint] of [
  [401, /API key/],
  [403, /not allowed/],
  [404, /baseUrl/],
] as const) {
  test(`HTTP ${status} → http_error with status and hint`, async () => {
    fixture.server.setSchedule(`s${status}`, { fault: { type: 'status', status } });
    const r = await run(`s${status}`);
    assert.equal(r.status, 'http_error');
    assert.equal(r.error?.httpStatus, status);
    assert.match(r.error!.message, new RegExp(`^HTTP ${status}`));
    assert.match(r.error!.hint, hint);
    assert.equal(chatRequests(`s${status}`).length, 1, 'not retried');
    assertNoKey(r);
    await settled();
  });
}

test('429 with Retry-After is retried (at most twice) before the first byte', async () => {
  fixture.server.setSchedule('rl2', { text: 'after the wait', fault: { type: 'rateLimit', times: 2, retryAfter: '0.05' } });
  const r = await run('rl2');
  assert.equal(r.status, 'ok');
  assert.equal(r.text, 'after the wait');
  assert.equal(r.retries, 2);
  const reqs = chatRequests('rl2');
  assert.equal(reqs.length, 3);
  assert.ok(reqs[1]!.receivedAtMs - reqs[0]!.receivedAtMs >= 45, 'waited for Retry-After');
  // startMs is the final attempt's
  assert.ok(r.metrics.ttftMs! < r.timing.endMs - reqs[0]!.receivedAtMs + 1000);

  fixture.server.setSchedule('rl3', { fault: { type: 'rateLimit', times: 3, retryAfter: '0.02' } });
  const gaveUp = await run('rl3');
  assert.equal(gaveUp.status, 'http_error');
  assert.equal(gaveUp.error?.httpStatus, 429);
  assert.match(gaveUp.error!.hint, /Rate limited/);
  assert.equal(gaveUp.retries, 2);
  assert.equal(chatRequests('rl3').length, 3);
  // The user waited out both retries: that time is the trial's wall time, not a made-up total.
  assert.equal(gaveUp.metrics.totalMs, null);
  assert.equal(gaveUp.metrics.tokenSource, null);
  assert.equal(gaveUp.retryAfterMs, 20);
  assert.ok(gaveUp.retryWaitMs >= 38, `waited ${gaveUp.retryWaitMs} ms`);
  assert.ok(gaveUp.wallMs! >= gaveUp.retryWaitMs, `wall ${gaveUp.wallMs} vs waits ${gaveUp.retryWaitMs}`);
  assert.ok(r.wallMs! - r.metrics.totalMs! >= 90, 'wall time includes the waits; total does not');
  assert.ok(r.retryWaitMs >= 90, `waited ${r.retryWaitMs} ms`);
  await settled();
});

test('429 without Retry-After uses the backoff; an over-long Retry-After is not waited for', async () => {
  fixture.server.setSchedule('rlnone', { text: 'ok', fault: { type: 'rateLimit', times: 1 } });
  const r = await run('rlnone', { rateLimitBackoffMs: [30, 60] });
  assert.equal(r.status, 'ok');
  assert.equal(r.retries, 1);

  fixture.server.setSchedule('rllong', { fault: { type: 'rateLimit', times: 1, retryAfter: '3600' } });
  const long = await run('rllong');
  assert.equal(long.status, 'http_error');
  assert.equal(long.retries, 0);
  assert.equal(chatRequests('rllong').length, 1);

  // A Retry-After that is neither seconds nor a date: the documented backoff, not an immediate retry.
  fixture.server.setSchedule('rlneg', { text: 'ok', fault: { type: 'rateLimit', times: 1, retryAfter: '-5' } });
  const negative = await run('rlneg', { rateLimitBackoffMs: [80, 160] });
  assert.equal(negative.status, 'ok');
  assert.equal(negative.retryAfterMs, null);
  const negReqs = chatRequests('rlneg');
  assert.ok(negReqs[1]!.receivedAtMs - negReqs[0]!.receivedAtMs >= 75, 'waited the backoff');

  // A total limit that ends the wait: the retry was never sent, so it is not counted.
  fixture.server.setSchedule('rlcut', { fault: { type: 'rateLimit', times: 3, retryAfter: '1' } });
  const cut = await run('rlcut', { timeouts: { firstByteMs: 3000, idleMs: 3000, totalMs: 1500 } });
  assert.equal(cut.status, 'timeout');
  assert.equal(chatRequests('rlcut').length, 2);
  assert.equal(cut.retries, 1, 'two requests sent: one retry');

  const date = new Date(Date.now() - 5000).toUTCString();
  fixture.server.setSchedule('rldate', { text: 'ok', fault: { type: 'rateLimit', times: 1, retryAfter: date } });
  const dated = await run('rldate');
  assert.equal(dated.status, 'ok');
  assert.equal(dated.retries, 1);
  await settled();
});

test('parseRetryAfterMs reads seconds and HTTP dates', () => {
  assert.equal(parseRetryAfterMs('2'), 2000);
  assert.equal(parseRetryAfterMs('0.05'), 50);
  assert.equal(parseRetryAfterMs(null), null);
  assert.equal(parseRetryAfterMs('soon'), null);
  // Not a number of seconds and not an HTTP date (Date.parse would read '-5' as a day in 2001).
  assert.equal(parseRetryAfterMs('-5'), null);
  assert.equal(parseRetryAfterMs('5 seconds'), null);
  assert.equal(parseRetryAfterMs('2026-12-02'), null);
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
  assert.equal(parseRetryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
});

test('500 with a huge HTML body → http_error, body stripped of tags and capped', async () => {
  const page = `<!DOCTYPE html><html><head><style>body{color:red}</style><script>var x = 1;</script></head><body><h1>Internal Server Error</h1><p>${'The upstream worker crashed. '.repeat(8000)}</p></body></html>`;
  assert.ok(page.length > 200_000);
  fixture.server.setSchedule('s500', { fault: { type: 'status', status: 500, body: page, contentType: 'text/html' } });
  const r = await run('s500', {}, { maxErrorBodyBytes: 2048 });
  assert.equal(r.status, 'http_error');
  assert.equal(r.error?.httpStatus, 500);
  assert.ok(r.error!.body!.startsWith('Internal Server Error The upstream worker crashed.'), r.error!.body!.slice(0, 80));
  assert.ok(!/[<>]/.test(r.error!.body!), 'no tags');
  assert.ok(!r.error!.body!.includes('color:red') && !r.error!.body!.includes('var x'), 'no style or script');
  assert.ok(Buffer.byteLength(r.error!.body!) <= 2048);
  assert.ok(!r.error!.message.includes('\n') && Buffer.byteLength(r.error!.message) <= 160, 'one short line');
  assert.match(r.error!.message, /^HTTP 500 Internal Server Error: The upstream worker crashed/);
  // Nothing was produced and nothing reported: the cost is unknown, not an estimate of the prompt.
  assert.equal(r.cost.costUsd, null);
  assert.equal(r.cost.costSource, 'unknown');
  await settled();
});

test('200 with text/html → protocol_error', async () => {
  fixture.server.setSchedule('html', { fault: { type: 'htmlOk' } });
  const r = await run('html');
  assert.equal(r.status, 'protocol_error');
  assert.match(r.error!.message, /HTML/);
  assert.equal(r.metrics.totalMs, null, 'an HTML page is not an answer stream');
  assert.equal(r.metrics.outputTokens, null);
  assert.match(r.error!.hint, /baseUrl/);
  await settled();
});

test('malformed SSE JSON → protocol_error, partial text kept', async () => {
  fixture.server.setSchedule('badjson', { text, fault: { type: 'malformedJson', afterChunks: 2 } });
  const r = await run('badjson');
  assert.equal(r.status, 'protocol_error');
  assert.equal(r.text, 'one two');
  await settled();
});

test('{"error": …} inside the stream → upstream_error with its message', async () => {
  fixture.server.setSchedule('midfail', { text, fault: { type: 'errorInStream', afterChunks: 2, message: 'CUDA out of memory' } });
  const r = await run('midfail');
  assert.equal(r.status, 'upstream_error');
  assert.match(r.error!.message, /CUDA out of memory/);
  assert.equal(r.text, 'one two');
  await settled();
});

test('a success that carries no event at all (an empty event stream, a 204) is a protocol error, not a cut-off answer', async () => {
  const empty = await run('x', { fetch: async () => new Response(': keep-alive\n\n', { headers: { 'content-type': 'text/event-stream' } }) });
  assert.equal(empty.status, 'protocol_error');
  assert.match(empty.error!.message, /answered 200 without sending any event/);
  assert.equal(empty.metrics.totalMs, null, 'no answer stream, no total');
  const noContent = await run('x', { fetch: async () => new Response(null, { status: 204 }) });
  assert.equal(noContent.status, 'protocol_error');
  assert.match(noContent.error!.message, /answered 204 without sending any event/);
});

test('an event stream labelled application/json is named as such', async () => {
  const sse = 'data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
  const r = await run('x', { fetch: async () => new Response(sse, { headers: { 'content-type': 'application/json; charset=utf-8' } }) });
  assert.equal(r.status, 'protocol_error');
  assert.match(r.error!.message, /event stream labelled application\/json instead of text\/event-stream/);
});

test('clean close without [DONE] or finish_reason → truncated', async () => {
  fixture.server.setSchedule('cut', { text, fault: { type: 'closeEarly', afterChunks: 4 } });
  const r = await run('cut');
  assert.equal(r.status, 'truncated');
  assert.equal(r.text, 'one two three four');
  assert.equal(r.finishReason, null);
  await settled();
});

test('TCP reset mid-stream → network_error, partial text kept', async () => {
  fixture.server.setSchedule('rst', { text, fault: { type: 'reset', afterChunks: 3 } });
  const r = await run('rst');
  assert.equal(r.status, 'network_error');
  assert.equal(r.error?.code, 'ECONNRESET');
  assert.equal(r.text, 'one two three');
  await settled();
});

test('user cancel → cancelled, partial text kept', async () => {
  fixture.server.setSchedule('cancel', { text, chunkIntervalMs: 40 });
  const controller = new AbortController();
  let deltas = 0;
  const r = await run('cancel', {
    signal: controller.signal,
    onDelta: () => {
      if (++deltas === 3) controller.abort();
    },
  });
  assert.equal(r.status, 'cancelled');
  assert.equal(r.text, 'one two three');
  assert.ok(r.metrics.ttftMs !== null);
  await settled();

  const pre = new AbortController();
  pre.abort();
  const early = await run('cancel', { signal: pre.signal });
  assert.equal(early.status, 'cancelled');
  await settled();
});

test('redirect to another origin is never followed and the key goes nowhere else', async () => {
  const other = await startFixtureServer();
  try {
    fixture.server.setSchedule('moved', { fault: { type: 'redirect', location: `${other.baseUrl}/chat/completions` } });
    const r = await run('moved');
    assert.equal(r.status, 'http_error');
    assert.equal(r.error?.httpStatus, 307);
    assert.ok(r.error!.message.includes(`http://127.0.0.1:${other.port}`), r.error!.message);
    assert.match(r.error!.message, /not followed/);
    assert.equal(other.requests.length, 0, 'the other origin received nothing');
    assertNoKey(r);
  } finally {
    await other.close();
  }
  await settled();
});

test('a stream over maxStreamBytes → protocol_error "stream exceeded 4 MB", text kept', async () => {
  fixture.server.setSchedule('huge', { fault: { type: 'huge', bytes: 6 * 1024 * 1024 } });
  const r = await run('huge', {}, { totalMs: 20_000 });
  assert.equal(r.status, 'protocol_error');
  assert.match(r.error!.message, /stream exceeded 4 MB/);
  assert.ok(r.text.length > 10_000);
  await settled();
});

test('faults in parallel streams do not disturb each other', async () => {
  fixture.server.setSchedule('p-ok', { text: 'fine', chunkIntervalMs: 20 });
  fixture.server.setSchedule('p-rst', { text, fault: { type: 'reset', afterChunks: 1 } });
  fixture.server.setSchedule('p-500', { fault: { type: 'status', status: 503 } });
  fixture.server.setSchedule('p-stall', { text, fault: { type: 'stall', afterChunks: 1 } });
  const results = await Promise.all([
    run('p-ok'),
    run('p-rst'),
    run('p-500'),
    run('p-stall', {}, { idleMs: 200 }),
    run('p-ok'),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['ok', 'network_error', 'http_error', 'timeout', 'ok'],
  );
  assert.equal(results[0]!.text, 'fine');
  assert.equal(results[4]!.text, 'fine');
  await settled();
});

test('[DONE] with the socket left open → ok, ended at [DONE], connection closed by the client', async () => {
  fixture.server.setSchedule('openafter', { text: 'a b c', chunkIntervalMs: 20, fault: { type: 'openAfterDone' } });
  const started = performance.now();
  const r = await run('openafter', {}, { idleMs: 1500 });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.text, 'a b c');
  assert.equal(r.finishReason, 'stop');
  assert.ok(r.metrics.totalMs! < 400, `total ${r.metrics.totalMs!} ms: ended at [DONE], not at the idle limit`);
  assert.ok(performance.now() - started < 1000, 'returned without waiting for the idle limit');
  await settled();
});

test('an answer that finished without [DONE] ends at its last event, not when the server closes', async () => {
  const chunk = (c: Record<string, unknown>) => new TextEncoder().encode(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', ...c })}\n\n`);
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'all ' } }] }));
      controller.enqueue(chunk({ choices: [{ index: 0, delta: { content: 'done' }, finish_reason: 'stop' }] }));
      controller.enqueue(chunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }));
      // No [DONE]: the server lingers, then closes.
      await new Promise((resolve) => setTimeout(resolve, 400));
      controller.close();
    },
  });
  const r = await run('linger', { fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }) });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.text, 'all done');
  assert.equal(r.timing.endMs, r.timing.allChunkMs!.at(-1), 'ends with the usage event');
  assert.ok(r.metrics.totalMs! < 200, `total ${r.metrics.totalMs!} ms excludes the 400 ms before the close`);
});

test('chunks after [DONE] are ignored and not timed', async () => {
  fixture.server.setSchedule('lateafter', { text: 'a b c', chunkIntervalMs: 10, fault: { type: 'chunksAfterDone', delayMs: 400 } });
  const r = await run('lateafter');
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.text, 'a b c', 'the late chunk is not part of the answer');
  assert.ok(r.metrics.totalMs! < 250, `total ${r.metrics.totalMs!} ms excludes the wait after [DONE]`);
  assert.ok(r.timing.endMs >= r.timing.chunkMs.at(-1)!);
  await settled();
});

test('events without data (empty data:, bare data, event: ping) are skipped, not protocol errors', async () => {
  fixture.server.setSchedule('emptyev', { text, fault: { type: 'emptyEvents', afterChunks: 2 } });
  const r = await run('emptyev');
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.text, text);
  // also when the events arrive a few bytes at a time
  fixture.server.setSchedule('emptyev-drip', { text: 'x y z', fault: { type: 'drip', bytesPerWrite: 2 } });
  const dripped = await run('emptyev-drip');
  assert.equal(dripped.status, 'ok', dripped.error?.message);
  assert.equal(dripped.text, 'x y z');
  await settled();
});

test('200 text/plain body (no data: line) → protocol_error with the body, not truncated', async () => {
  fixture.server.setSchedule('plain200', { fault: { type: 'status', status: 200, body: 'Service Unavailable', contentType: 'text/plain' } });
  const r = await run('plain200');
  assert.equal(r.status, 'protocol_error');
  assert.match(r.error!.message, /200 with text\/plain instead of an event stream: Service Unavailable/);
  assert.equal(r.error!.body, 'Service Unavailable');
  await settled();
});

test('200 JSON completion without a content-type → protocol_error (streaming unsupported), not truncated', async () => {
  const completion = JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] });
  fixture.server.setSchedule('json200', { fault: { type: 'status', status: 200, body: completion, contentType: '' } });
  const r = await run('json200');
  assert.equal(r.status, 'protocol_error');
  assert.match(r.error!.message, /single JSON body instead of an event stream/);
  // Not an answer stream: no total, and no tokens estimated for it.
  assert.equal(r.metrics.totalMs, null);
  assert.equal(r.metrics.inputTokens, null);
  assert.equal(r.metrics.outputTokens, null);
  assert.equal(r.metrics.tokenSource, null);
  // an event stream without a content-type still works
  fixture.server.setSchedule('sse-notype', { fault: { type: 'status', status: 200, body: 'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n', contentType: '' } });
  const sse = await run('sse-notype');
  assert.equal(sse.status, 'ok', sse.error?.message);
  assert.equal(sse.text, 'ok');
  await settled();
});

test('a key straddling the error-body cap is redacted whole, not cut in half', async () => {
  const filler = 'x'.repeat(80);
  for (const status of [500, 200]) {
    const model = `straddle${status}`;
    fixture.server.setSchedule(model, {
      fault: { type: 'status', status, body: `${filler} token ${key} rejected ${'y'.repeat(200)}`, contentType: 'text/plain' },
    });
    // 100-byte cap: the cut falls inside the key (it starts at byte 87).
    const r = await run(model, {}, { maxErrorBodyBytes: 100 });
    assert.ok(r.error?.body, `${status}: body kept`);
    const json = JSON.stringify(r);
    for (let i = 0; i + 6 <= key.length; i++) assert.ok(!json.includes(key.slice(i, i + 6)), `${status}: no piece of the key (${key.slice(i, i + 6)})`);
    assert.match(r.error!.body!, /token \*\*\*/);
  }
  await settled();
});

test('good data in the same packet as a chunked-encoding error is kept (20 times)', async () => {
  const event = (content: string) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content } }] })}\n\n`;
  const good = event('part-1') + event(' part-2');
  // Headers, one valid chunk and an invalid chunk-size line, all in a single write.
  const packet =
    'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n' +
    `${Buffer.byteLength(good).toString(16)}\r\n${good}\r\nzz-not-a-size\r\n`;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(packet));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    for (let i = 0; i < 20; i++) {
      const r = await run('x', {}, {}, { baseUrl: `http://127.0.0.1:${port}/v1` });
      assert.equal(r.text, 'part-1 part-2', `attempt ${i + 1}: partial text kept`);
      assert.equal(r.status, 'protocol_error', `attempt ${i + 1}: ${r.status} ${r.error?.message}`);
      assert.match(r.error!.message, /malformed HTTP response/i);
      assert.notEqual(r.metrics.ttftMs, null);
    }
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a compressed stream nobody asked for → protocol_error saying so, not truncated', async () => {
  for (const [model, fault, named] of [
    ['gz', { type: 'compressed' }, /content-encoding: gzip/],
    ['br', { type: 'compressed', encoding: 'br' }, /content-encoding: br/],
    ['gz-undeclared', { type: 'compressed', declare: false }, /gzip-compressed body without saying so/],
  ] as const) {
    fixture.server.setSchedule(model, { text, fault });
    const r = await run(model);
    assert.equal(r.status, 'protocol_error', `${model}: ${r.status} ${r.error?.message}`);
    assert.match(r.error!.message, /compress/i, model);
    assert.match(r.error!.message, named, model);
    assert.match(r.error!.message, /not asked/, model);
    assert.match(r.error!.hint, /turn compression off/i, model);
    assert.equal(r.text, '');
  }
  // A compressed error response keeps its status; its unreadable body is not shown as text.
  fixture.server.setSchedule('gz500', { fault: { type: 'status', status: 500, body: 'x', headers: { 'content-encoding': 'gzip' } } });
  const failed = await run('gz500');
  assert.equal(failed.status, 'http_error');
  assert.equal(failed.error?.httpStatus, 500);
  assert.match(failed.error!.message, /gzip-compressed/);
  await settled();
});

test('an event stream whose body is a bare JSON error → upstream_error with the server message, not truncated', async () => {
  const body = JSON.stringify({ error: { message: 'model overloaded', type: 'server_error' } });
  for (const [model, sent] of [
    ['sse-json-error', body],
    ['sse-json-error-nl', `${body}\n`],
  ] as const) {
    fixture.server.setSchedule(model, { fault: { type: 'status', status: 200, body: sent, contentType: 'text/event-stream; charset=utf-8' } });
    const r = await run(model);
    assert.equal(r.status, 'upstream_error', `${model}: ${r.status} ${r.error?.message}`);
    assert.match(r.error!.message, /model overloaded/);
    assert.equal(r.error!.body, body);
  }
  // A JSON body that is not an error, labelled as an event stream: the streaming-unsupported protocol_error.
  fixture.server.setSchedule('sse-json-completion', {
    fault: { type: 'status', status: 200, body: '{"object":"chat.completion","choices":[]}', contentType: 'text/event-stream' },
  });
  const completion = await run('sse-json-completion');
  assert.equal(completion.status, 'protocol_error');
  assert.match(completion.error!.message, /single JSON body/);
  await settled();
});
