import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Backend, RequestParams, Timeouts, type BackendInput, type ChatMessage } from '../../src/core/config';
import { checkBackend, fetchModelsPrice, priceFromModelEntry, runComparison, type RunOptions } from '../../src/core/runner';
import { UsageSupportMemory } from '../../src/core/stream';
import { configureTokenCounter, tokenCounterMode } from '../../src/core/tokenCounter';
import { useFixtureServer } from './helpers/fixture';
import type { RunEvent } from '../../src/core/types';
import { MissingKeyError } from '../../src/core/errors';
import type { SiblingRunOutput, SiblingRunSpec } from './helpers/siblingRun';

const fixture = useFixtureServer();

const messages: ChatMessage[] = [{ role: 'user', content: 'Compare us.' }];

function backend(id: string, model: string, extra: Partial<BackendInput> = {}): Backend {
  return Backend.parse({ id, kind: 'decentralized', baseUrl: fixture.server.baseUrl, model, ...extra });
}

function options(backends: Backend[], extra: Partial<RunOptions> = {}): RunOptions {
  return {
    backends,
    messages,
    params: RequestParams.parse({ maxTokens: 32 }),
    timeouts: Timeouts.parse({ firstByteMs: 3000, idleMs: 3000, totalMs: 10_000 }),
    resolveKey: () => undefined,
    usageMemory: new UsageSupportMemory(),
    ...extra,
  };
}

const settled = () => fixture.settled();

test('fans out backends × trials in trial-major order; one fault does not disturb the others', async () => {
  fixture.server.setSchedule('r-fast', { text: 'fast answer', chunkIntervalMs: 5 });
  fixture.server.setSchedule('r-slow', { text: 'slow answer', ttftMs: 80, chunkIntervalMs: 20 });
  fixture.server.setSchedule('r-broken', { text: 'broken answer here', fault: { type: 'reset', afterChunks: 1 } });
  const backends = [backend('fast', 'r-fast'), backend('slow', 'r-slow'), backend('broken', 'r-broken')];
  const events: RunEvent[] = [];
  const result = await runComparison(
    options(backends, {
      trials: 2,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'delta') throw new Error('listener bug');
      },
    }),
  );
  assert.match(result.runId, /^[0-9a-f-]{36}$/);
  assert.ok(!Number.isNaN(Date.parse(result.startedAt)));
  assert.deepEqual(result.request.messages, messages);
  assert.deepEqual(
    result.results.map((r) => `${r.backendId}#${r.trial}:${r.status}`),
    ['fast#1:ok', 'slow#1:ok', 'broken#1:network_error', 'fast#2:ok', 'slow#2:ok', 'broken#2:network_error'],
  );
  assert.equal(result.results[0]!.text, 'fast answer');
  assert.equal(result.results[1]!.text, 'slow answer');
  assert.equal(result.results[2]!.text, 'broken');
  for (const r of result.results) {
    assert.equal(r.request.url, `${fixture.server.baseUrl}/chat/completions`);
    assert.equal(r.request.body.model, r.model);
    assert.equal(r.request.body.max_tokens, 32);
  }

  // events: per job, started → deltas → finished; deltas carry the text
  for (const r of result.results) {
    const mine = events.filter((e) =>
      e.type === 'finished' ? e.result.backendId === r.backendId && e.result.trial === r.trial : e.backendId === r.backendId && e.trial === r.trial,
    );
    assert.equal(mine[0]!.type, 'started');
    assert.equal(mine.at(-1)!.type, 'finished');
    assert.equal(mine.filter((e) => e.type === 'finished').length, 1);
    const streamed = mine.flatMap((e) => (e.type === 'delta' ? [e.content] : [])).join('');
    assert.equal(streamed, r.text);
  }
  await settled();
});

test('a firstToken event carries the trial\'s TTFT while it streams, before its first delta, equal to the final figure', async () => {
  fixture.server.setSchedule('ft-ok', { text: 'one two three', ttftMs: 60, chunkIntervalMs: 30 });
  fixture.server.setSchedule('ft-fail', { fault: { type: 'status', status: 500 } });
  fixture.server.setSchedule('ft-think', { reasoning: 'hmm', text: 'done', ttftMs: 20 });
  const events: RunEvent[] = [];
  const result = await runComparison(
    options([backend('ok', 'ft-ok'), backend('fail', 'ft-fail'), backend('think', 'ft-think')], { onEvent: (e) => events.push(e) }),
  );
  for (const id of ['ok', 'think']) {
    const mine = events.filter((e) => (e.type === 'finished' ? e.result.backendId === id : e.backendId === id));
    const types = mine.map((e) => e.type);
    const first = mine.find((e) => e.type === 'firstToken');
    assert.ok(first && first.type === 'firstToken', `${id}: one firstToken event (${types.join(' ')})`);
    assert.equal(types.filter((t) => t === 'firstToken').length, 1);
    assert.ok(types.indexOf('firstToken') < types.indexOf('delta'), `${id}: before the first delta (${types.join(' ')})`);
    const final = result.results.find((r) => r.backendId === id)!;
    assert.equal(first.ttftMs, final.metrics.ttftMs, `${id}: the streamed TTFT is the final one`);
  }
  assert.ok(!events.some((e) => e.type === 'firstToken' && e.backendId === 'fail'), 'no first token from a failed request');
  await settled();
});

test('concurrency caps simultaneous streams across backends and trials', async () => {
  fixture.server.setSchedule('c1', { text: 'x y', ttftMs: 60 });
  fixture.server.setSchedule('c2', { text: 'x y', ttftMs: 60 });
  let open = 0;
  let maxOpen = 0;
  const order: string[] = [];
  const result = await runComparison(
    options([backend('c1', 'c1'), backend('c2', 'c2')], {
      trials: 3,
      concurrency: 2,
      onEvent: (e) => {
        if (e.type === 'started') {
          order.push(`${e.backendId}#${e.trial}`);
          maxOpen = Math.max(maxOpen, ++open);
        } else if (e.type === 'finished') open--;
      },
    }),
  );
  assert.equal(result.results.length, 6);
  assert.ok(result.results.every((r) => r.status === 'ok'));
  assert.equal(maxOpen, 2);
  assert.deepEqual(order.slice(0, 2).sort(), ['c1#1', 'c2#1'], 'trial 1 starts first');

  const serial = await runComparison(options([backend('c1', 'c1'), backend('c2', 'c2')], { concurrency: 1 }));
  const [a, b] = serial.results;
  assert.ok(b!.timing.startMs >= a!.timing.endMs, 'concurrency 1 runs one stream after the other');
  await settled();
});

test('trials of one backend never overlap by default; backends still run side by side', async () => {
  fixture.server.setSchedule('pb1', { text: 'x y', ttftMs: 40 });
  fixture.server.setSchedule('pb2', { text: 'x y', ttftMs: 40 });
  const backends = [backend('pb1', 'pb1'), backend('pb2', 'pb2')];
  const overlaps = (results: Awaited<ReturnType<typeof runComparison>>['results'], id: string): boolean => {
    const mine = results.filter((r) => r.backendId === id).sort((a, b) => a.timing.startMs - b.timing.startMs);
    return mine.some((r, i) => i > 0 && r.timing.startMs < mine[i - 1]!.timing.endMs);
  };
  const serial = await runComparison(options(backends, { trials: 3, concurrency: 6 }));
  assert.equal(serial.perBackendConcurrency, 1);
  assert.ok(serial.results.every((r) => r.status === 'ok'));
  assert.equal(overlaps(serial.results, 'pb1'), false, 'pb1 trials overlapped');
  assert.equal(overlaps(serial.results, 'pb2'), false, 'pb2 trials overlapped');
  const [first1, first2] = serial.results;
  assert.ok(first2!.timing.startMs < first1!.timing.endMs, 'the two backends run side by side');
  assert.deepEqual(serial.results.map((r) => `${r.backendId}#${r.trial}`), ['pb1#1', 'pb2#1', 'pb1#2', 'pb2#2', 'pb1#3', 'pb2#3']);

  const parallel = await runComparison(options(backends, { trials: 3, concurrency: 6, perBackendConcurrency: 3 }));
  assert.equal(parallel.perBackendConcurrency, 3);
  assert.equal(overlaps(parallel.results, 'pb1'), true, 'allowed to overlap when asked');
  await settled();
});

test('one AbortSignal cancels every stream; unstarted trials end cancelled without a request', async () => {
  fixture.server.setSchedule('slowcancel', { text: 'a b c d e f g h i j k l', chunkIntervalMs: 50 });
  const controller = new AbortController();
  const before = fixture.server.requests.length;
  const result = await runComparison(
    options([backend('k1', 'slowcancel'), backend('k2', 'slowcancel')], {
      trials: 3,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'delta' && e.backendId === 'k1' && e.content.includes('c')) controller.abort();
      },
    }),
  );
  assert.equal(result.results.length, 6);
  assert.equal(result.outcome, 'cancelled');
  assert.deepEqual(result.results.map((r) => r.status), ['cancelled', 'cancelled', 'not_sent', 'not_sent', 'not_sent', 'not_sent']);
  assert.ok(result.results[0]!.text.startsWith('a b c'), 'partial text kept');
  assert.equal(fixture.server.requests.length - before, 2, 'only trial 1 reached the server');
  const unsent = result.results[5]!;
  assert.equal(unsent.text, '');
  assert.equal(unsent.error!.code, 'cancelled');
  assert.equal(unsent.metrics.totalMs, null, 'nothing measured, nothing shown as 0');
  assert.equal(unsent.metrics.inputTokens, null, 'no token estimate for a request never sent');
  assert.equal(unsent.metrics.tokenSource, null);
  assert.equal(unsent.wallMs, null);
  assert.equal(unsent.cost.costUsd, null);
  await settled();
});

test('a failing key lookup fails only that backend, and keys are resolved once per backend', async () => {
  fixture.server.setSchedule('keyok', { text: 'hello' });
  const lookups: string[] = [];
  const result = await runComparison(
    options([backend('good', 'keyok'), backend('nokey', 'keyok')], {
      trials: 2,
      resolveKey: (b) => {
        lookups.push(b.id);
        if (b.id === 'nokey') throw new Error('secret store locked');
        if (b.id === 'missing') throw new MissingKeyError('No API key is set for missing.', 'Run "Set API Key…".');
        return 'sk-good';
      },
    }),
  );
  assert.deepEqual(
    result.results.map((r) => `${r.backendId}:${r.status}`),
    ['good:ok', 'nokey:not_sent', 'good:ok', 'nokey:not_sent'],
  );
  assert.match(result.results[1]!.error!.message, /secret store locked/);
  assert.equal(result.results[1]!.error!.code, 'keyUnreadable');
  assert.equal(result.results[1]!.metrics.totalMs, null);
  const missing = await runComparison(options([backend('missing', 'keyok')], { resolveKey: (b) => { throw new MissingKeyError(`No API key is set for ${b.id}.`, 'Run "Set API Key…".'); } }));
  assert.equal(missing.results[0]!.status, 'not_sent');
  assert.equal(missing.results[0]!.error!.code, 'noKey');
  assert.equal(missing.results[0]!.error!.hint, 'Run "Set API Key…".');
  assert.deepEqual(lookups.sort(), ['good', 'nokey']);
  assert.equal(result.results[0]!.request.headers.authorization, 'Bearer ***');
  await settled();
});

test('modelsEndpoint pricing reads the price from GET /models', async () => {
  fixture.server.setSchedule('priced', { text: 'priced answer', completionTokens: 1000, promptTokens: 2000, modelsPricing: { inputPerMTok: 0.5, outputPerMTok: 2 } });
  const b = backend('priced', 'priced', { pricing: { type: 'modelsEndpoint' } });
  const result = await runComparison(options([b]));
  const [r] = result.results;
  assert.equal(r!.status, 'ok');
  assert.equal(r!.cost.costSource, 'modelsEndpoint');
  assert.ok(Math.abs(r!.cost.costUsd! - (2000 * 0.5 + 1000 * 2) / 1e6) < 1e-12, String(r!.cost.costUsd));

  let asked = 0;
  const injected = await runComparison(
    options([b], {
      modelsPrice: async () => {
        asked++;
        return { inputPerMTok: 1, outputPerMTok: 1, asOf: '2025-01-01' };
      },
      trials: 2,
    }),
  );
  assert.equal(asked, 1, 'price read once per backend');
  assert.ok(Math.abs(injected.results[0]!.cost.costUsd! - 3000 / 1e6) < 1e-12);
  await settled();
});

test('fetchModelsPrice handles per-token strings and numbers; null when absent', async () => {
  fixture.server.setSchedule('str', { modelsPricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 }, modelsPricingFormat: 'string' });
  const p = await fetchModelsPrice(backend('s', 'str'), undefined);
  assert.ok(p);
  assert.ok(Math.abs(p.inputPerMTok - 0.15) < 1e-9 && Math.abs(p.outputPerMTok - 0.6) < 1e-9, JSON.stringify(p));
  assert.match(p.asOf, /^\d{4}-\d{2}-\d{2}$/);
  fixture.server.setSchedule('free-listing', { text: 'x' });
  assert.equal(await fetchModelsPrice(backend('n', 'free-listing'), undefined), null);
  assert.equal(await fetchModelsPrice(backend('n', 'not-listed-anywhere'), undefined), null);
  assert.deepEqual(priceFromModelEntry({ id: 'm', pricing: { input: 0.2, output: 0.8 } }), { inputPerMTok: 0.2, outputPerMTok: 0.8 });
  assert.deepEqual(priceFromModelEntry({ id: 'm', pricing: { prompt: '0.000003', completion: '0.000015' } }), {
    inputPerMTok: 3,
    outputPerMTok: 15,
  });
  assert.equal(priceFromModelEntry({ id: 'm', pricing: { prompt: '-1', completion: '-1' } }), null);
  assert.equal(priceFromModelEntry({ id: 'm' }), null);
  await settled();
});

test('checkBackend: reachable, listed, usage reported / not reported / rejected', async () => {
  fixture.server.setSchedule('chk', { text: 'ok' });
  const good = await checkBackend(backend('chk', 'chk'), undefined);
  assert.deepEqual(
    { ...good, latencyMs: typeof good.latencyMs, chat: { ...good.chat, ttftMs: typeof good.chat.ttftMs, totalMs: typeof good.chat.totalMs }, availableModels: good.availableModels?.includes('chk') },
    {
      backendId: 'chk',
      reachable: true,
      modelsListed: true,
      modelFound: true,
      streamUsage: 'reported',
      latencyMs: 'number',
      error: null,
      chat: { status: 'ok', httpStatus: null, ttftMs: 'number', totalMs: 'number' },
      availableModels: true,
    },
  );

  fixture.server.setSchedule('chk-nousage', { text: 'ok', usage: 'never' });
  assert.equal((await checkBackend(backend('n', 'chk-nousage'), undefined)).streamUsage, 'not_reported');

  fixture.server.setSchedule('chk-picky', { text: 'ok', rejectStreamOptions: true });
  const memory = new UsageSupportMemory();
  const picky = await checkBackend(backend('p', 'chk-picky'), undefined, { usageMemory: memory });
  assert.equal(picky.streamUsage, 'rejected');
  assert.equal(memory.isRejected(backend('p', 'chk-picky')), true);

  const unlisted = await checkBackend(backend('u', 'unlisted-model'), undefined);
  assert.equal(unlisted.modelsListed, true);
  assert.equal(unlisted.modelFound, false);

  fixture.server.requireKey('sk-right');
  try {
    const wrongKey = await checkBackend(backend('w', 'chk'), 'sk-wrong');
    assert.equal(wrongKey.reachable, true);
    assert.equal(wrongKey.error?.httpStatus, 401);
    assert.equal(wrongKey.streamUsage, 'unknown');
    assert.ok(!JSON.stringify(wrongKey).includes('sk-wrong'));
  } finally {
    fixture.server.requireKey(null);
  }
  await settled();

  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  const down = await checkBackend(backend('d', 'x', { baseUrl: `http://127.0.0.1:${port}/v1` }), undefined);
  assert.equal(down.reachable, false);
  assert.equal(down.modelsListed, null);
  assert.equal(down.modelFound, null);
  assert.equal(down.latencyMs, null);
  assert.equal(down.error?.type, 'network_error');
});

/**
 * Runs one comparison in a fresh child process (helpers/siblingRun.ts) against this file's
 * fixture server; the child is killed, and the test fails, when it has not finished within
 * `deadlineMs`.
 */
async function siblingRun(spec: SiblingRunSpec | undefined, deadlineMs: number): Promise<SiblingRunOutput> {
  const args = ['--import', 'tsx', path.join(__dirname, 'helpers', 'siblingRun.ts'), fixture.server.baseUrl];
  if (spec) args.push(JSON.stringify(spec));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const deadline = setTimeout(() => child.kill(), deadlineMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(deadline);
  assert.equal(code, 0, code === null ? `the run had not finished after ${deadlineMs} ms` : err);
  return JSON.parse(out.trim()) as SiblingRunOutput;
}

/**
 * How late the child noticed the first token of each `backendId` result, ms: its arrival stamp
 * minus the moment this server wrote that token (both epoch ms; several trials are matched to
 * the latest write before the stamp). This is the error a stall of the client's event loop puts
 * into TTFT; unlike TTFT − schedule, it does not count the server's own lateness on a busy
 * machine.
 */
function firstTokenLagsMs(run: SiblingRunOutput, backendId: string, model: string): number[] {
  const writes = fixture.server.requests
    .filter((q) => q.body?.model === model && q.firstContentAtMs !== undefined)
    .map((q) => performance.timeOrigin + q.firstContentAtMs!);
  return run.results
    .filter((r) => r.backendId === backendId)
    .map((r) => {
      const seen = r.firstContentEpochMs!;
      const lags = writes.map((w) => seen - w).filter((lag) => lag > -2);
      return Math.min(...lags);
    });
}

test('a stream ending without usage does not stall a sibling still waiting for its first token (fresh process)', async () => {
  // Backend "no-usage" finishes quickly with a long answer and no usage, so its tokens are
  // estimated while "slow" (usage reported) is still waiting 300 ms for its first token. Run in a
  // child process, so the tokenizer is not loaded yet, as on a first comparison.
  const words = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
  fixture.server.setSchedule('sib-no-usage', { text: words, tokensPerChunk: 20, usage: 'never' });
  fixture.server.setSchedule('sib-slow', { text: 'late but steady', ttftMs: 300 });
  const run = await siblingRun(undefined, 60_000);
  const { results } = run;
  assert.equal(results.length, 4);
  for (const r of results) assert.equal(r.status, 'ok', JSON.stringify(r));
  const estimated = results.filter((r) => r.backendId === 'no-usage');
  for (const r of estimated) {
    assert.equal(r.tokenSource, 'estimated');
    assert.ok(r.inputTokens! > 10_000 && r.outputTokens! > 600, JSON.stringify(r));
  }
  assert.equal(estimated[0]!.inputTokens, estimated[1]!.inputTokens);
  for (const r of results.filter((x) => x.backendId === 'slow')) {
    assert.ok(r.ttftMs! >= 300, `sibling TTFT ${r.ttftMs!.toFixed(1)} ms, scheduled 300 ms`);
  }
  for (const lag of firstTokenLagsMs(run, 'slow', 'sib-slow')) {
    assert.ok(lag <= 20, `the sibling's first token was stamped ${lag.toFixed(1)} ms after the server wrote it`);
  }
  await settled();
});

test('a 64,000-space answer without usage: the sibling stream keeps its schedule and the run ends in seconds (fresh process)', async () => {
  // Small models degenerate into such runs, and local endpoints often send no usage. Counting
  // those spaces with BPE on the event loop froze everything for minutes.
  fixture.server.setSchedule('spaces-no-usage', { text: ' '.repeat(64_000), usage: 'never' });
  fixture.server.setSchedule('spaces-sibling', { text: 'late but steady', ttftMs: 300 });
  const run = await siblingRun(
    {
      prompt: 'code',
      backends: [
        { id: 'spaces', model: 'spaces-no-usage' },
        { id: 'sibling', model: 'spaces-sibling' },
      ],
      trials: 2,
    },
    60_000,
  );
  assert.equal(run.results.length, 4);
  for (const r of run.results) assert.equal(r.status, 'ok', JSON.stringify(r));
  for (const r of run.results.filter((x) => x.backendId === 'spaces')) {
    assert.equal(r.tokenSource, 'estimated');
    assert.ok(r.outputTokens! > 0 && r.inputTokens! > 10_000, JSON.stringify(r));
  }
  // The sibling's TTFT is exact to within 20 ms of when the server really sent its first token
  // (300 ms after the request, later only when this busy machine delays the server itself).
  for (const r of run.results.filter((x) => x.backendId === 'sibling')) {
    assert.ok(r.ttftMs! >= 300, `sibling TTFT ${r.ttftMs!.toFixed(1)} ms, scheduled 300 ms`);
  }
  const lags = firstTokenLagsMs(run, 'sibling', 'spaces-sibling');
  assert.equal(lags.length, 2);
  for (const lag of lags) {
    assert.ok(lag <= 20, `the sibling's first token was stamped ${lag.toFixed(1)} ms after the server wrote it`);
  }
  const runMs = run.endedEpochMs - run.startedEpochMs;
  assert.ok(runMs < 10_000, `the run took ${runMs.toFixed(0)} ms`);
  await settled();
});

test('a pathological prompt is counted beside the requests: they go out at once, and the count finishes (fresh process)', async () => {
  // A 12 KB DNA prompt waited 9 s before anything was sent; a 3.9 MB one-letter prompt never
  // finished counting. The server reports no usage, so the result needs the prompt's count.
  for (const [prompt, model] of [['dna', 'dna-prompt'], ['letter', 'letter-prompt']] as const) {
    fixture.server.setSchedule(model, { text: 'fine', usage: 'never' });
    const run = await siblingRun({ prompt, backends: [{ id: model, model }], trials: 1 }, 60_000);
    const [r] = run.results;
    assert.equal(r!.status, 'ok', JSON.stringify(r));
    assert.equal(r!.tokenSource, 'estimated');
    assert.ok(typeof r!.inputTokens === 'number' && r!.inputTokens > 1000, `${prompt}: ${JSON.stringify(r)}`);
    assert.equal(r!.outputTokens, 1);
    const request = fixture.server.requests.find((q) => q.path.endsWith('/chat/completions') && q.body?.model === model);
    assert.ok(request, 'the server saw the request');
    const sentAfterMs = performance.timeOrigin + request.receivedAtMs - run.startedEpochMs;
    assert.ok(sentAfterMs < 1000, `${prompt}: the request reached the server ${sentAfterMs.toFixed(0)} ms after the run started`);
    const runMs = run.endedEpochMs - run.startedEpochMs;
    assert.ok(runMs < 20_000, `${prompt}: the run took ${runMs.toFixed(0)} ms`);
  }
  await settled();
});

test('servers that report usage: the run never starts the tokenizer; one that does not: the prompt is counted then', async () => {
  configureTokenCounter({});
  assert.equal(tokenCounterMode(), 'idle');
  fixture.server.setSchedule('reports', { text: 'counted by the server' });
  const reported = await runComparison(options([backend('r1', 'reports'), backend('r2', 'reports')], { trials: 2 }));
  assert.deepEqual(reported.results.map((r) => r.metrics.tokenSource), ['reported', 'reported', 'reported', 'reported']);
  assert.equal(tokenCounterMode(), 'idle', 'no count was needed, so none was started');

  fixture.server.setSchedule('silent', { text: 'counted here', usage: 'never' });
  const estimated = await runComparison(options([backend('s1', 'silent')]));
  assert.equal(estimated.results[0]!.metrics.tokenSource, 'estimated');
  assert.ok((estimated.results[0]!.metrics.inputTokens ?? 0) > 0, 'the prompt was counted when the result needed it');
  assert.notEqual(tokenCounterMode(), 'idle');
  await settled();
});

test('a prompt over the counting limit gives null counts, and runComparison still resolves', async () => {
  fixture.server.setSchedule('bigprompt', { text: 'fine', usage: 'never' });
  const huge: ChatMessage[] = [{ role: 'user', content: 'ab '.repeat(3 * 1024 * 1024) }]; // 9 M characters
  const started = performance.now();
  const streamed = await runComparison(options([backend('big', 'bigprompt')], { messages: huge }));
  const [r] = streamed.results;
  assert.equal(r!.status, 'ok', r!.error?.message);
  assert.equal(r!.metrics.inputTokens, null, 'not counted');
  assert.equal(r!.metrics.outputTokens, 1, 'the answer is still counted');

  const controller = new AbortController();
  controller.abort();
  const cancelled = await runComparison(options([backend('big', 'bigprompt')], { messages: huge, signal: controller.signal }));
  assert.equal(cancelled.results[0]!.status, 'not_sent');
  assert.equal(cancelled.results[0]!.metrics.inputTokens, null);
  assert.ok(performance.now() - started < 5000, 'skipped, not counted');
  await settled();
});

test('runComparison never rejects, even for a malformed backend whose handling throws', async () => {
  fixture.server.setSchedule('fixture-model', { text: 'hi' });
  const good = backend('good', 'fixture-model');
  const broken = { ...good, id: 'broken', model: undefined } as unknown as Backend;
  const events: RunEvent[] = [];
  const result = await runComparison(options([good, broken], { onEvent: (e) => events.push(e) }));
  assert.equal(result.results.length, 2);
  assert.equal(result.results[0]!.status, 'ok');
  assert.equal(result.results[1]!.backendId, 'broken');
  assert.equal(events.filter((e) => e.type === 'finished').length, 2);
  await settled();
});

test('modelsEndpoint pricing puts no cost on a failure that produced nothing', async () => {
  fixture.server.setSchedule('priced-fail', { fault: { type: 'status', status: 503 }, modelsPricing: { inputPerMTok: 0.5, outputPerMTok: 2 } });
  const b = backend('pf', 'priced-fail', { pricing: { type: 'modelsEndpoint' } });
  let asked = 0;
  const result = await runComparison(
    options([b], {
      modelsPrice: async () => {
        asked++;
        return { inputPerMTok: 0.5, outputPerMTok: 2, asOf: '2025-01-01' };
      },
    }),
  );
  const [r] = result.results;
  assert.equal(r!.status, 'http_error');
  assert.equal(r!.cost.costUsd, null);
  assert.equal(r!.cost.costSource, 'unknown');
  assert.equal(asked, 0, 'no price needed');
  await settled();
});

test('fetchModelsPrice respects its signal and timeouts', async () => {
  fixture.server.setSchedule('str2', { modelsPricing: { inputPerMTok: 1, outputPerMTok: 2 } });
  const b = backend('s', 'str2');
  const before = fixture.server.requests.length;
  const aborted = new AbortController();
  aborted.abort();
  assert.equal(await fetchModelsPrice(b, undefined, undefined, { signal: aborted.signal }), null);
  assert.equal(fixture.server.requests.length, before, 'an aborted signal sends nothing');

  let calls = 0;
  const hanging = (_input: string | URL | Request, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      calls++;
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    });
  const started = performance.now();
  assert.equal(await fetchModelsPrice(b, undefined, hanging, { timeouts: { firstByteMs: 150 } }), null);
  assert.equal(calls, 1);
  assert.ok(performance.now() - started < 1000, 'gave up at the first-byte limit');

  const later = new AbortController();
  setTimeout(() => later.abort(), 50);
  const t0 = performance.now();
  assert.equal(await fetchModelsPrice(b, undefined, hanging, { signal: later.signal }), null);
  assert.ok(performance.now() - t0 < 1000, 'stopped on abort');
  await settled();
});
