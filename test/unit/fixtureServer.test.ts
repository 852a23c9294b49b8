import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { startFixtureServer, fixtureTokens, type FixtureServer, type Schedule } from '../fixtures/server';

interface SseEvent {
  data: string;
  atMs: number;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  headersAtMs: number;
  startMs: number;
  body: string;
  events: SseEvent[];
  dataEvents: number;
  error: NodeJS.ErrnoException | null;
}

/** One request over a fresh connection (no keep-alive), recording when each SSE event arrived. */
function raw(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    abortAfterEvents?: number;
    beforeAbort?: () => void;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const startMs = performance.now();
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const out: RawResponse = {
      status: 0,
      headers: {},
      headersAtMs: 0,
      startMs,
      body: '',
      events: [],
      dataEvents: 0,
      error: null,
    };
    let pending = '';
    const req = request(
      url,
      {
        method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
      },
      (res) => {
        out.status = res.statusCode ?? 0;
        out.headers = res.headers;
        out.headersAtMs = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => {
          const atMs = performance.now();
          out.dataEvents++;
          chunks.push(b);
          pending += b.toString('latin1');
          let idx: number;
          while ((idx = pending.indexOf('\n\n')) >= 0) {
            const block = Buffer.from(pending.slice(0, idx), 'latin1').toString('utf8');
            pending = pending.slice(idx + 2);
            if (block.startsWith('data: ')) out.events.push({ data: block.slice(6), atMs });
          }
          if (opts.abortAfterEvents !== undefined && out.events.length >= opts.abortAfterEvents) {
            out.body = Buffer.concat(chunks).toString('utf8');
            opts.beforeAbort?.();
            req.destroy();
            resolve(out);
          }
        });
        res.on('end', () => {
          out.body = Buffer.concat(chunks).toString('utf8');
          resolve(out);
        });
        res.on('error', (err) => {
          out.error = err;
          out.body = Buffer.concat(chunks).toString('utf8');
          resolve(out);
        });
      },
    );
    req.on('error', (err) => {
      out.error = err;
      resolve(out);
    });
    req.end(payload);
  });
}

const chat = (model: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Say hello  to me please' },
  ],
  stream: true,
  ...extra,
});

function parseChunks(events: SseEvent[]): any[] {
  return events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data));
}

function joined(chunks: any[], field: 'content' | 'reasoning_content'): string {
  return chunks.map((c) => c.choices?.[0]?.delta?.[field] ?? '').join('');
}

async function withServer(
  schedules: Record<string, Schedule>,
  fn: (server: FixtureServer) => Promise<void>,
): Promise<void> {
  const server = await startFixtureServer({ schedules });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('tokenisation joins back to the text exactly', () => {
  for (const text of ['Hello from the fixture server.', '  lead and  trail  ', 'a\n\nb\tc', '', 'héllo wörld 🚀 ok']) {
    assert.equal(fixtureTokens(text).join(''), text);
  }
  assert.deepEqual(fixtureTokens('Hi  there you'), ['Hi', '  there', ' you']);
});

test('streamed content and reasoning join to the schedule text; chunk shape like OpenAI', async () => {
  const text = '  Leading space, double  space,\nnewline and émoji 🚀 end. ';
  const reasoning = 'Think first, then answer.';
  await withServer({ m: { text, reasoning, tokensPerChunk: 2 } }, async (server) => {
    const res = await raw(`${server.baseUrl}/chat/completions`, { body: chat('m') });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    assert.equal(res.events.at(-1)?.data, '[DONE]');
    const chunks = parseChunks(res.events);
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'm');
      assert.equal(c.id, chunks[0].id);
      assert.equal(typeof c.created, 'number');
      assert.equal(c.choices[0].index, 0);
    }
    assert.equal(joined(chunks, 'content'), text);
    assert.equal(joined(chunks, 'reasoning_content'), reasoning);
    const firstContent = chunks.findIndex((c) => c.choices[0].delta.content);
    const lastReasoning = chunks.map((c) => Boolean(c.choices[0].delta.reasoning_content)).lastIndexOf(true);
    assert.ok(lastReasoning < firstContent, 'reasoning comes before content');
    const finishes = chunks.map((c) => c.choices[0].finish_reason);
    assert.equal(finishes.at(-1), 'stop');
    assert.equal(finishes.filter((f) => f !== null).length, 1);
    assert.ok(chunks.at(-1).choices[0].delta.content, 'finish_reason rides on the last content chunk');
    assert.equal(Math.ceil(fixtureTokens(text).length / 2) + Math.ceil(fixtureTokens(reasoning).length / 2) + 1, chunks.length);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0].path, '/v1/chat/completions');
    assert.equal(server.requests[0].body.model, 'm');
  });
});

test('usage chunk follows the usage setting and reports the documented counts', async () => {
  await withServer(
    {
      req: { text: 'one two three', reasoning: 'r1 r2' },
      always: { usage: 'always', promptTokens: 42, cachedTokens: 7, completionTokens: 99 },
      never: { usage: 'never' },
    },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const include = { stream_options: { include_usage: true } };

      const asked = parseChunks((await raw(url, { body: chat('req', include) })).events);
      const usageChunk = asked.at(-1);
      assert.deepEqual(usageChunk.choices, []);
      assert.deepEqual(usageChunk.usage, {
        prompt_tokens: 8,
        completion_tokens: 5,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 2 },
      });
      assert.equal(asked.filter((c) => c.usage).length, 1);

      const notAsked = parseChunks((await raw(url, { body: chat('req') })).events);
      assert.equal(notAsked.filter((c) => c.usage).length, 0);
      assert.ok(notAsked.every((c) => c.choices.length === 1));

      const always = parseChunks((await raw(url, { body: chat('always') })).events).at(-1);
      assert.equal(always.usage.prompt_tokens, 42);
      assert.equal(always.usage.completion_tokens, 99);
      assert.equal(always.usage.total_tokens, 141);
      assert.equal(always.usage.prompt_tokens_details.cached_tokens, 7);

      const never = parseChunks((await raw(url, { body: chat('never', include) })).events);
      assert.equal(never.filter((c) => c.usage).length, 0);
    },
  );
});

test('done and finishReason can be switched off', async () => {
  await withServer({ m: { done: false, finishReason: false } }, async (server) => {
    const res = await raw(`${server.baseUrl}/chat/completions`, { body: chat('m') });
    assert.ok(res.events.length > 2);
    assert.ok(res.events.every((e) => e.data !== '[DONE]'));
    const chunks = parseChunks(res.events);
    assert.ok(chunks.every((c) => c.choices[0].finish_reason === null));
    assert.equal(joined(chunks, 'content'), 'Hello from the fixture server.');
  });
});

test('headersDelayMs, ttftMs and chunkIntervalMs are honoured', async () => {
  const schedule: Schedule = { text: 'a b c d', headersDelayMs: 60, ttftMs: 80, chunkIntervalMs: 40 };
  await withServer({ t: schedule }, async (server) => {
    const res = await raw(`${server.baseUrl}/chat/completions`, { body: chat('t') });
    const headersMs = res.headersAtMs - res.startMs;
    assert.ok(headersMs >= 60 - 2 && headersMs < 60 + 150, `headers after ${headersMs}ms`);
    const chunks = res.events.filter((e) => e.data !== '[DONE]');
    const role = chunks[0];
    assert.ok(role.atMs - res.headersAtMs < 50, `role chunk ${role.atMs - res.headersAtMs}ms after headers`);
    const ttftMs = chunks[1].atMs - res.headersAtMs;
    assert.ok(ttftMs >= 80 - 2 && ttftMs < 80 + 150, `ttft ${ttftMs}ms`);
    // Cumulative from the headers: a late read on this side can shrink one gap but never make a chunk early.
    for (let i = 2; i < chunks.length; i++) {
      const scheduledMs = 80 + 40 * (i - 1);
      const elapsedMs = chunks[i].atMs - res.headersAtMs;
      assert.ok(elapsedMs >= scheduledMs - 2 && elapsedMs < scheduledMs + 150, `chunk ${i} at ${elapsedMs}ms, scheduled ${scheduledMs}ms`);
    }
    assert.equal(chunks.length, 5);
  });
});

test('status fault: JSON error by default, custom body, type and headers', async () => {
  const html = '<html><body>' + 'x'.repeat(200 * 1024) + '</body></html>';
  await withServer(
    {
      unauth: { fault: { type: 'status', status: 401 } },
      big: { fault: { type: 'status', status: 500, body: html, headers: { 'x-request-id': 'abc' } } },
      nf: { fault: { type: 'status', status: 404, body: 'nope', contentType: 'text/plain' } },
    },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const a = await raw(url, { body: chat('unauth') });
      assert.equal(a.status, 401);
      assert.match(String(a.headers['content-type']), /application\/json/);
      assert.equal(typeof JSON.parse(a.body).error.message, 'string');
      const b = await raw(url, { body: chat('big') });
      assert.equal(b.status, 500);
      assert.match(String(b.headers['content-type']), /text\/html/);
      assert.equal(b.headers['x-request-id'], 'abc');
      assert.equal(b.body, html);
      const c = await raw(url, { body: chat('nf') });
      assert.equal(c.status, 404);
      assert.equal(c.headers['content-type'], 'text/plain');
      assert.equal(c.body, 'nope');
    },
  );
});

test('rateLimit answers 429 with Retry-After the given number of times, counter reset by setSchedule', async () => {
  const schedule: Schedule = { fault: { type: 'rateLimit', times: 2, retryAfter: '0.2' } };
  await withServer({ rl: schedule, other: { fault: { type: 'rateLimit', times: 1 } } }, async (server) => {
    const url = `${server.baseUrl}/chat/completions`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await raw(url, { body: chat('rl') });
      statuses.push(r.status);
      if (r.status === 429) {
        assert.equal(r.headers['retry-after'], '0.2');
        assert.equal(JSON.parse(r.body).error.code, 'rate_limit_exceeded');
      } else {
        assert.equal(joined(parseChunks(r.events), 'content'), 'Hello from the fixture server.');
      }
    }
    assert.deepEqual(statuses, [429, 429, 200]);
    const o = await raw(url, { body: chat('other') });
    assert.equal(o.status, 429);
    assert.equal(o.headers['retry-after'], undefined);
    server.setSchedule('rl', schedule);
    assert.equal((await raw(url, { body: chat('rl') })).status, 429);
  });
});

test('htmlOk, redirect and rejectStreamOptions', async () => {
  await withServer(
    {
      html: { fault: { type: 'htmlOk' } },
      redir: { fault: { type: 'redirect', location: 'http://127.0.0.2:1/v1/chat/completions' } },
      picky: { rejectStreamOptions: true },
    },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const h = await raw(url, { body: chat('html') });
      assert.equal(h.status, 200);
      assert.match(String(h.headers['content-type']), /text\/html/);
      assert.match(h.body, /<html/i);
      const r = await fetch(url, { method: 'POST', body: JSON.stringify(chat('redir')), redirect: 'manual' });
      assert.equal(r.status, 307);
      assert.equal(r.headers.get('location'), 'http://127.0.0.2:1/v1/chat/completions');
      await r.arrayBuffer();
      const p = await raw(url, { body: chat('picky', { stream_options: { include_usage: true } }) });
      assert.equal(p.status, 400);
      assert.deepEqual(JSON.parse(p.body), {
        error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error' },
      });
      const ok = await raw(url, { body: chat('picky') });
      assert.equal(ok.status, 200);
    },
  );
});

test('malformedJson, errorInStream and closeEarly end the stream as documented', async () => {
  await withServer(
    {
      bad: { fault: { type: 'malformedJson', afterChunks: 2 } },
      err: { fault: { type: 'errorInStream', afterChunks: 1, message: 'upstream exploded' } },
      early: { fault: { type: 'closeEarly', afterChunks: 3 } },
    },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const b = await raw(url, { body: chat('bad') });
      assert.equal(b.error, null);
      assert.equal(b.events.length, 4);
      assert.equal(b.events[3].data, '{not json');
      assert.equal(joined(parseChunks(b.events.slice(0, 3)), 'content'), 'Hello from');

      const e = await raw(url, { body: chat('err') });
      assert.equal(e.events.length, 3);
      assert.deepEqual(JSON.parse(e.events[2].data), { error: { message: 'upstream exploded', type: 'server_error' } });

      const c = await raw(url, { body: chat('early') });
      assert.equal(c.error, null);
      assert.equal(c.events.length, 4);
      const chunks = parseChunks(c.events);
      assert.equal(joined(chunks, 'content'), 'Hello from the');
      assert.ok(chunks.every((ch) => ch.choices[0].finish_reason === null));
      assert.ok(c.events.every((ev) => ev.data !== '[DONE]'));
    },
  );
});

test('reset destroys the connection mid-stream: fetch body read fails', async () => {
  await withServer({ rst: { fault: { type: 'reset', afterChunks: 2 } } }, async (server) => {
    const r = await raw(`${server.baseUrl}/chat/completions`, { body: chat('rst') });
    assert.equal(r.status, 200);
    assert.ok(r.error, 'node:http sees an error');
    assert.equal(joined(parseChunks(r.events), 'content'), 'Hello from');

    const res = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chat('rst')) });
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
  });
});

test('stall keeps the socket open without data; work stops when the client leaves', async () => {
  await withServer(
    { st: { fault: { type: 'stall', afterChunks: 1 }, chunkIntervalMs: 5 }, st0: { fault: { type: 'stall', afterChunks: 0 } } },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const r = await raw(url, { body: chat('st'), abortAfterEvents: 2 });
      assert.equal(joined(parseChunks(r.events), 'content'), 'Hello');
      await waitFor(() => server.openSockets() === 0);
      assert.equal(server.pendingWork(), 0);

      const ac = new AbortController();
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(chat('st0')), signal: ac.signal });
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.match(Buffer.from(first.value!).toString(), /"role":"assistant"/);
      const next = reader.read();
      const winner = await Promise.race([next.then(() => 'data'), new Promise((r) => setTimeout(() => r('quiet'), 150))]);
      assert.equal(winner, 'quiet');
      assert.ok(server.openSockets() >= 1);
      assert.equal(server.pendingWork(), 0, 'a stall holds no timers');
      ac.abort();
      await assert.rejects(next);
    },
  );
});

test('timers are cleared when the client disconnects mid-stream', async () => {
  await withServer({ slow: { text: 'a '.repeat(200), chunkIntervalMs: 1000, ttftMs: 0 } }, async (server) => {
    let pendingBeforeAbort = -1;
    const r = await raw(`${server.baseUrl}/chat/completions`, {
      body: chat('slow'),
      abortAfterEvents: 2,
      beforeAbort: () => (pendingBeforeAbort = server.pendingWork()),
    });
    assert.equal(joined(parseChunks(r.events), 'content'), 'a');
    assert.equal(pendingBeforeAbort, 1, 'the next chunk is waiting on a timer');
    await waitFor(() => server.openSockets() === 0);
    assert.equal(server.pendingWork(), 0);
  });
});

test('stallHeaders never answers, and close() resolves with stalled clients', async () => {
  const server = await startFixtureServer({ schedules: { sh: { fault: { type: 'stallHeaders' } }, st: { fault: { type: 'stall', afterChunks: 0 } } } });
  const url = `${server.baseUrl}/chat/completions`;
  let settled = false;
  const pending = raw(url, { body: chat('sh') }).then((r) => {
    settled = true;
    return r;
  });
  const streaming = fetch(url, { method: 'POST', body: JSON.stringify(chat('st')) });
  const streamingRes = await streaming;
  const bodyError = streamingRes.text().then(
    () => null,
    (err: unknown) => err,
  );
  await waitFor(() => server.requests.length === 2);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(settled, false);
  assert.ok(server.openSockets() >= 2);
  await server.close();
  const r = await pending;
  assert.equal(r.status, 0);
  assert.ok(r.error);
  assert.ok((await bodyError) instanceof Error, 'the stalled stream errors once the server closes');
  assert.equal(server.openSockets(), 0);
});

test('huge streams valid chunks until the byte count, then ends normally', async () => {
  await withServer({ big: { fault: { type: 'huge', bytes: 300_000 }, tokensPerChunk: 4 } }, async (server) => {
    const r = await raw(`${server.baseUrl}/chat/completions`, { body: chat('big') });
    assert.ok(Buffer.byteLength(r.body) >= 300_000);
    assert.ok(Buffer.byteLength(r.body) < 310_000);
    assert.equal(r.events.at(-1)?.data, '[DONE]');
    const chunks = parseChunks(r.events);
    assert.ok(joined(chunks, 'content').startsWith('Hello from the fixture server.Hello from'));
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  });
});

test('drip writes the stream a few bytes at a time and it stays valid', async () => {
  const text = 'Grüße — 日本語 ok';
  await withServer({ d: { text, fault: { type: 'drip', bytesPerWrite: 3, intervalMs: 1 } } }, async (server) => {
    const r = await raw(`${server.baseUrl}/chat/completions`, { body: chat('d', { stream_options: { include_usage: true } }) });
    assert.equal(r.events.at(-1)?.data, '[DONE]');
    assert.equal(joined(parseChunks(r.events), 'content'), text);
    assert.ok(r.dataEvents > r.events.length * 2, `${r.dataEvents} reads for ${r.events.length} events`);
  });
});

test('requireKey: missing or wrong key gets 401 JSON, right key passes', async () => {
  await withServer({}, async (server) => {
    const url = `${server.baseUrl}/chat/completions`;
    server.requireKey('sekrit');
    const none = await raw(url, { body: chat('x') });
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).error.code, 'invalid_api_key');
    assert.doesNotMatch(none.body, /sekrit/);
    const wrong = await raw(url, { body: chat('x'), headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    assert.equal((await raw(`${server.baseUrl}/models`)).status, 401);
    const right = await raw(url, { body: chat('x'), headers: { authorization: 'Bearer sekrit' } });
    assert.equal(right.status, 200);
    assert.equal(server.requests[1].headers.authorization, 'Bearer nope');
    server.requireKey(null);
    assert.equal((await raw(url, { body: chat('x') })).status, 200);
  });
  const keyed = await startFixtureServer({ apiKey: 'k1' });
  try {
    assert.equal((await raw(`${keyed.baseUrl}/models`)).status, 401);
    assert.equal((await raw(`${keyed.baseUrl}/models`, { headers: { authorization: 'Bearer k1' } })).status, 200);
  } finally {
    await keyed.close();
  }
});

test('/v1/models lists scheduled models with pricing; unknown routes get 404 JSON', async () => {
  await withServer(
    {
      '*': { text: 'default' },
      priced: { modelsPricing: { inputPerMTok: 0.3, outputPerMTok: 1.2 } },
      str: { modelsPricing: { inputPerMTok: 2, outputPerMTok: 8 }, modelsPricingFormat: 'string' },
    },
    async (server) => {
      const r = await raw(`${server.baseUrl}/models`);
      assert.equal(r.status, 200);
      const list = JSON.parse(r.body);
      assert.equal(list.object, 'list');
      assert.deepEqual(list.data.map((m: any) => m.id).sort(), ['fixture-model', 'priced', 'str']);
      const priced = list.data.find((m: any) => m.id === 'priced');
      assert.equal(priced.object, 'model');
      assert.ok(Math.abs(priced.pricing.prompt - 0.3e-6) < 1e-15);
      assert.ok(Math.abs(priced.pricing.completion - 1.2e-6) < 1e-15);
      const str = list.data.find((m: any) => m.id === 'str');
      assert.equal(typeof str.pricing.prompt, 'string');
      assert.equal(Number(str.pricing.completion), 8e-6);
      assert.equal(list.data.find((m: any) => m.id === 'fixture-model').pricing, undefined);

      const unknownModel = parseChunks((await raw(`${server.baseUrl}/chat/completions`, { body: chat('who') })).events);
      assert.equal(joined(unknownModel, 'content'), 'default');

      const nf = await raw(`http://127.0.0.1:${server.port}/v2/nothing`, { body: {} });
      assert.equal(nf.status, 404);
      assert.equal(typeof JSON.parse(nf.body).error.message, 'string');
      const getChat = await raw(`${server.baseUrl}/chat/completions`);
      assert.equal(getChat.status, 404);
      const noBody = await raw(`${server.baseUrl}/chat/completions`, { method: 'POST' });
      assert.equal(noBody.status, 400);
    },
  );
});

test('non-streaming request gets a chat.completion with usage', async () => {
  await withServer({ m: { text: 'Plain answer here', reasoning: 'hmm ok' } }, async (server) => {
    const r = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat('m', { stream: false })),
    });
    assert.equal(r.status, 200);
    const body: any = await r.json();
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0].message.content, 'Plain answer here');
    assert.equal(body.choices[0].message.reasoning_content, 'hmm ok');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.usage.completion_tokens, 5);
    assert.equal(body.usage.prompt_tokens, 8);
  });
});

test('openSockets returns to 0 after clients finish', async () => {
  await withServer({}, async (server) => {
    const results = await Promise.all([1, 2, 3].map(() => raw(`${server.baseUrl}/chat/completions`, { body: chat('x') })));
    assert.ok(results.every((r) => r.status === 200));
    await waitFor(() => server.openSockets() === 0);
    assert.equal(server.pendingWork(), 0);
    assert.equal(server.requests.length, 3);
  });
});

test('cli: prints LISTENING, serves schedules, control routes, exits on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixture-cli-'));
  const schedulesPath = join(dir, 'schedules.json');
  writeFileSync(schedulesPath, JSON.stringify({ m: { text: 'from file' } }));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'cli.ts'), '--port', '0', '--schedules', schedulesPath, '--api-key', 'K'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let stdout = '';
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        const m = /^LISTENING (\S+)\n/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const auth = { authorization: 'Bearer K' };
    const first = await raw(`${baseUrl}/chat/completions`, { body: chat('m'), headers: auth });
    assert.equal(joined(parseChunks(first.events), 'content'), 'from file');
    const origin = baseUrl.replace(/\/v1$/, '');
    const ctl = await raw(`${origin}/__control/schedule`, { body: { model: 'm', schedule: { text: 'changed now' } } });
    assert.equal(ctl.status, 200);
    const second = await raw(`${baseUrl}/chat/completions`, { body: chat('m'), headers: auth });
    assert.equal(joined(parseChunks(second.events), 'content'), 'changed now');
    const noKey = await raw(`${baseUrl}/chat/completions`, { body: chat('m') });
    assert.equal(noKey.status, 401);
    const recorded = JSON.parse((await raw(`${origin}/__control/requests`)).body);
    assert.equal(recorded.length, 3);
    assert.equal(recorded[0].headers.authorization, 'Bearer K');
    assert.equal(recorded[2].headers.authorization, undefined);
    assert.equal(recorded[1].body.model, 'm');
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
    assert.equal(exitCode, 0);
    assert.equal(stdout, `LISTENING ${baseUrl}\n`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the openai SDK streams, retries a 429 and lists models against the fixture', async () => {
  const server = await startFixtureServer({
    apiKey: 'k',
    schedules: {
      m: { reasoning: 'hmm yes', text: 'Hi there, friend.' },
      rl: { fault: { type: 'rateLimit', times: 1, retryAfter: '0' } },
    },
  });
  try {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'k', maxRetries: 1 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    assert.equal(text, 'Hi there, friend.');
    assert.equal(finish, 'stop');
    assert.equal(usage?.prompt_tokens, 2);
    assert.equal(usage?.completion_tokens, 5);
    const r = await client.chat.completions.create({ model: 'rl', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.choices[0].message.content, 'Hello from the fixture server.');
    assert.equal(server.requests.filter((q) => q.body?.model === 'rl').length, 2);
    const models = await client.models.list();
    assert.ok(models.data.some((m) => m.id === 'fixture-model'));
  } finally {
    await server.close();
  }
});

test('openAfterDone sends [DONE] then keeps the socket open; chunksAfterDone sends a late chunk and a second [DONE]', async () => {
  await withServer(
    { open: { text: 'a b', fault: { type: 'openAfterDone' } }, late: { text: 'a b', fault: { type: 'chunksAfterDone', delayMs: 60 } } },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      const ac = new AbortController();
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(chat('open')), signal: ac.signal });
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('data: [DONE]\n\n')) seen += Buffer.from((await reader.read()).value!).toString();
      const next = reader.read();
      const winner = await Promise.race([next.then(() => 'data'), new Promise((r) => setTimeout(() => r('quiet'), 150))]);
      assert.equal(winner, 'quiet');
      assert.ok(server.openSockets() >= 1);
      assert.equal(server.pendingWork(), 0);
      ac.abort();
      await assert.rejects(next);

      const r = await raw(url, { body: chat('late') });
      const data = r.events.map((e) => e.data);
      assert.deepEqual(data.filter((d) => d === '[DONE]').length, 2);
      const firstDone = r.events.findIndex((e) => e.data === '[DONE]');
      const lateChunk = JSON.parse(r.events[firstDone + 1]!.data);
      assert.equal(lateChunk.choices[0].delta.content, ' late');
      assert.ok(r.events[firstDone + 1]!.atMs - r.events[firstDone]!.atMs >= 50, 'sent after the delay');
      assert.equal(joined(parseChunks(r.events.slice(0, firstDone)), 'content'), 'a b');
    },
  );
});

test('extraChoice puts a second choice (index 1) before choice 0 in every content chunk', async () => {
  await withServer({ two: { text: 'x y', fault: { type: 'extraChoice', text: 'P Q' } } }, async (server) => {
    const r = await raw(`${server.baseUrl}/chat/completions`, { body: chat('two') });
    const content = parseChunks(r.events).filter((c) => c.choices.length === 2);
    assert.equal(content.length, 2);
    for (const c of content) assert.deepEqual(c.choices.map((x: any) => x.index), [1, 0]);
    assert.equal(content.map((c) => c.choices[1].delta.content).join(''), 'x y');
    assert.equal(content.map((c) => c.choices[0].delta.content).join(''), 'P Q');
    assert.deepEqual(content.map((c) => c.choices[0].finish_reason), [null, 'length']);
    assert.deepEqual(content.map((c) => c.choices[1].finish_reason), [null, 'stop']);
  });
});

test('emptyEvents injects events without data mid-stream; status contentType "" sends no content-type', async () => {
  await withServer(
    { empty: { text: 'a b c', fault: { type: 'emptyEvents', afterChunks: 1 } }, notype: { fault: { type: 'status', status: 200, body: '{"ok":true}', contentType: '' } } },
    async (server) => {
      const r = await raw(`${server.baseUrl}/chat/completions`, { body: chat('empty') });
      assert.ok(r.body.includes('data:\n\ndata: \n\ndata\n\nevent: ping\n\n'), r.body);
      const before = r.body.indexOf('data:\n\n');
      assert.ok(r.body.slice(0, before).includes('"content":"a"') && !r.body.slice(0, before).includes('"content":" b"'), 'after the first chunk');
      assert.equal(joined(parseChunks(r.events.filter((e) => e.data.trim() !== '')), 'content'), 'a b c');

      const plain = await raw(`${server.baseUrl}/chat/completions`, { body: chat('notype') });
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-type'], undefined);
      assert.equal(plain.body, '{"ok":true}');
    },
  );
});

test('lineEnds ends events with another terminator pair and holds its tail back until the next write', async () => {
  await withServer({ le: { text: 'a b', ttftMs: 40, chunkIntervalMs: 120, fault: { type: 'lineEnds', eventEnd: '\r\r\n', holdBack: 1 } } }, async (server) => {
    const writes: Array<{ text: string; atMs: number }> = [];
    const startMs = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.baseUrl}/chat/completions`, { method: 'POST', agent: false }, (res) => {
        res.on('data', (b: Buffer) => writes.push({ text: b.toString('utf8'), atMs: performance.now() - startMs }));
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(JSON.stringify(chat('le')));
    });
    const body = writes.map((w) => w.text).join('');
    assert.ok(!body.includes('\n\n'), 'no LF LF event end left');
    const events = body.split('\r\r\n').filter((e) => e !== '');
    assert.deepEqual(events.at(-1), 'data: [DONE]');
    assert.equal(joined(events.slice(0, -1).map((e) => JSON.parse(e.slice(6))), 'content'), 'a b');
    // The first content event's `\r\r` comes with its own write; the `\n` only with the next event, 120 ms later.
    const first = writes.findIndex((w) => w.text.includes('"content":"a"'));
    assert.ok(writes[first]!.text.endsWith('}\r\r'), JSON.stringify(writes[first]!.text));
    const next = writes[first + 1]!;
    assert.ok(next.text.startsWith('\ndata: '), JSON.stringify(next.text));
    assert.ok(next.atMs - writes[first]!.atMs >= 100, `the held LF came ${next.atMs - writes[first]!.atMs} ms later`);
  });
});

test('compressed sends the event stream compressed, with or without content-encoding', async () => {
  await withServer(
    { gz: { text: 'a b', fault: { type: 'compressed' } }, br: { text: 'a b', fault: { type: 'compressed', encoding: 'br' } }, bare: { text: 'a b', fault: { type: 'compressed', declare: false } } },
    async (server) => {
      const url = `${server.baseUrl}/chat/completions`;
      for (const [model, encoding, unpack] of [
        ['gz', 'gzip', gunzipSync],
        ['br', 'br', brotliDecompressSync],
        ['bare', undefined, gunzipSync],
      ] as const) {
        const bytes = await new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const req = request(url, { method: 'POST', agent: false }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (b: Buffer) => parts.push(b));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(JSON.stringify(chat(model)));
        });
        assert.equal(bytes.headers['content-encoding'], encoding, model);
        assert.match(String(bytes.headers['content-type']), /^text\/event-stream/);
        if (encoding !== 'br') assert.deepEqual([...bytes.body.subarray(0, 2)], [0x1f, 0x8b], `${model}: gzip magic`);
        const text = unpack(bytes.body).toString('utf8');
        assert.ok(text.endsWith('data: [DONE]\n\n'), model);
        const events = text.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
        assert.equal(joined(events, 'content'), 'a b', model);
      }
    },
  );
});
