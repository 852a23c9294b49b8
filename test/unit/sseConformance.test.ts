/**
 * The conformance vectors through the real path: the instrumented fetch's body read by the
 * `openai` SDK's own event-stream decoder, exactly as a chat stream is read. Each vector is cut
 * at every position (and byte by byte); the test clock reads the number of the piece that just
 * arrived, so an event's `deliveredMs` says which piece completed it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _iterSSEMessages } from 'openai/core/streaming';
import { Timeouts } from '../../src/core/config';
import { FetchInstrument } from '../../src/core/timedFetch';
import { sseVectors, vectorBytes } from '../fixtures/sseVectors';
import { pieceOf, referenceParse, splits } from './helpers/sseReference';

interface Delivered {
  data: string;
  piece: number;
}

interface PipelineRun {
  events: Delivered[];
  /** What each read of the body returned. */
  reads: string[];
  sawDone: boolean;
  doneMs: number | null;
  failure: string | null;
}

/** A response body handing out `pieces` one per read; `now()` reads the number of the piece that last arrived. */
function piecesBody(pieces: Buffer[]): { body: ReadableStream<Uint8Array>; now: () => number } {
  let clock = 0;
  let next = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < pieces.length) {
          clock = next + 1;
          controller.enqueue(new Uint8Array(pieces[next++]!));
        } else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, now: () => clock };
}

/** Feeds `pieces` as a response body through FetchInstrument and reads it with the SDK's decoder. */
async function throughPipeline(pieces: Buffer[], contentType = 'text/event-stream'): Promise<PipelineRun> {
  const { body, now } = piecesBody(pieces);
  const instrument = new FetchInstrument({
    base: async () => new Response(body, { headers: { 'content-type': contentType } }),
    now,
    timeouts: Timeouts.parse({}),
    controller: new AbortController(),
    secrets: [],
  });
  const res = await instrument.fetch('http://127.0.0.1:9/v1/chat/completions', { method: 'POST', body: '{}' });
  const reads: string[] = [];
  // Records each read on its way to the SDK, pulling only when the SDK asks (no read-ahead).
  const source = res.body!.getReader();
  const forSdk = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await source.read();
        if (r.done) return controller.close();
        reads.push(Buffer.from(r.value).toString('utf8'));
        controller.enqueue(r.value);
      },
    },
    { highWaterMark: 0 },
  );
  const events: Delivered[] = [];
  try {
    for await (const sse of _iterSSEMessages(new Response(forSdk), new AbortController())) {
      events.push({ data: sse.data, piece: instrument.deliveredMs! });
    }
  } finally {
    instrument.dispose();
  }
  return { events, reads, sawDone: instrument.sawDone, doneMs: instrument.doneMs, failure: instrument.failure?.message ?? null };
}

/** `input` cut in two at every offset, and byte by byte (the three-way cuts run in sse.test.ts): the cut offsets and the pieces. */
function* cuts(input: Buffer): Generator<{ at: number[]; pieces: Buffer[] }> {
  for (const at of splits(input).filter((s) => s.length <= 1 || s.length === input.length - 1)) {
    const pieces: Buffer[] = [];
    let from = 0;
    for (const to of [...at, input.length]) {
      pieces.push(input.subarray(from, to));
      from = to;
    }
    yield { at, pieces };
  }
}

/** Events the SDK must see: every event with non-blank data, up to `[DONE]`. */
function expectedDelivered(input: Buffer, at: number[]): Delivered[] {
  const out: Delivered[] = [];
  for (const e of referenceParse(input).events) {
    if (e.data.startsWith('[DONE]')) break;
    if (/^[ \t\n]*$/.test(e.data)) continue;
    out.push({ data: e.data, piece: pieceOf(at, e.completedAt) });
  }
  return out;
}

for (const source of ['whatwg', 'eventsource-parser', 'framing'] as const) {
  test(`through the SDK: ${source} vectors at every split give exactly the events, each stamped with the piece that completed it`, async () => {
    for (const v of sseVectors.filter((x) => x.source === source)) {
      const input = vectorBytes(v);
      for (const { at, pieces } of cuts(input)) {
        const run = await throughPipeline(pieces);
        const expected = expectedDelivered(input, at);
        if (JSON.stringify(run.events) !== JSON.stringify(expected)) {
          assert.deepEqual(run.events, expected, `${v.name}: ${JSON.stringify(input.toString('latin1'))} cut at [${at.join(',')}]`);
        }
        // A body without any data line that is a JSON error says so (see faults.test.ts); nothing else fails.
        if (input.toString('utf8').startsWith('{"error"')) assert.match(run.failure ?? '', /The server could not process your request/, v.name);
        else assert.equal(run.failure, null, v.name);
      }
    }
  });
}

test('the SDK is handed one complete event per read, never a partial line', async () => {
  const event = `data: ${'QUJD'.repeat(64 * 1024)}\n\n`;
  const input = Buffer.from(`: hello\r\r${event}data: {"b":1}\r\rdata: [DONE]\r\r`);
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += 1536) pieces.push(input.subarray(i, i + 1536));
  const run = await throughPipeline(pieces);
  assert.deepEqual(run.reads, [event, 'data: {"b":1}\n\n']);
  assert.equal(run.sawDone, true);
  assert.equal(run.doneMs, pieces.length, '[DONE] is stamped when its line arrived');
});

test('[DONE] ends the measured stream at the piece completing its line; keep-alives and event names are not handed on', async () => {
  const input = Buffer.from('event: ping\ndata:\n\ndata: \t\n\ndata: {"a":1}\r\n\r\ndata: [DONE]\rdata: {"late":1}\n\n');
  const cutAt = input.indexOf('[DONE]\r') + 6;
  const run = await throughPipeline([input.subarray(0, cutAt), input.subarray(cutAt, cutAt + 1), input.subarray(cutAt + 1)]);
  assert.deepEqual(run.events, [{ data: '{"a":1}', piece: 1 }]);
  assert.deepEqual(run.reads, ['data: {"a":1}\n\n']);
  assert.equal(run.sawDone, true);
  assert.equal(run.doneMs, 2, 'the CR ending the [DONE] line came with piece 2');
});

test('multi-line data reaches the SDK joined with LF, with one leading space stripped per line', async () => {
  const run = await throughPipeline([Buffer.from('data:  a\r\ndata\rdata:b\n\n')]);
  assert.deepEqual(run.events, [{ data: ' a\n\nb', piece: 1 }]);
  assert.deepEqual(run.reads, ['data:  a\ndata: \ndata: b\n\n']);
});

/**
 * Feeds `pieces` through FetchInstrument with `directEvents` (how streamCompletion reads a
 * stream): each event goes to the handler as it is parsed, stamped with the piece that completed
 * it; the handler stops recording at `[DONE]`, as streamCompletion's does.
 */
async function throughDirectEvents(
  pieces: Buffer[],
  onData?: (data: string, instrument: FetchInstrument) => void,
): Promise<{ events: Delivered[]; ended: unknown; instrument: FetchInstrument }> {
  const { body, now } = piecesBody(pieces);
  const events: Delivered[] = [];
  let done = false;
  const instrument = new FetchInstrument({
    base: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    now,
    timeouts: Timeouts.parse({}),
    controller: new AbortController(),
    secrets: [],
    directEvents: (data, arrivedMs) => {
      if (done || (done = data.startsWith('[DONE]'))) return;
      onData?.(data, instrument);
      events.push({ data, piece: arrivedMs });
    },
  });
  const res = await instrument.fetch('http://127.0.0.1:9/v1/chat/completions', { method: 'POST', body: '{}' });
  assert.equal(res.body, null, 'the events go to the handler, not into the body');
  let ended: unknown = null;
  try {
    // Asked twice: both calls settle, the same way.
    const [first] = await Promise.allSettled([instrument.ended(), instrument.ended()]).then((both) => {
      assert.deepEqual(both[0], both[1]);
      return both;
    });
    if (first.status === 'rejected') ended = first.reason;
  } finally {
    instrument.dispose();
  }
  return { events, ended, instrument };
}

test('direct events (the path streamCompletion reads): every vector at every split gives exactly the events, each stamped with the piece that completed it', async () => {
  for (const v of sseVectors) {
    const input = vectorBytes(v);
    for (const { at, pieces } of cuts(input)) {
      const run = await throughDirectEvents(pieces);
      const expected = expectedDelivered(input, at);
      if (JSON.stringify(run.events) !== JSON.stringify(expected)) {
        assert.deepEqual(run.events, expected, `${v.name}: ${JSON.stringify(input.toString('latin1'))} cut at [${at.join(',')}]`);
      }
      assert.equal(run.ended, null, v.name);
      // A body without any data line that is a JSON error says so, as through the SDK.
      if (input.toString('utf8').startsWith('{"error"')) assert.match(run.instrument.failure?.message ?? '', /The server could not process your request/, v.name);
      else assert.equal(run.instrument.failure, null, v.name);
    }
  }
});

test('direct events: what the handler throws ends the stream — no later event is handed over, ended() rejects with that very error', async () => {
  const input = Buffer.from('data: {"a":1}\n\ndata: not json\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
  const thrown: unknown[] = [];
  const run = await throughDirectEvents([input.subarray(0, 20), input.subarray(20)], (data) => {
    try {
      JSON.parse(data);
    } catch (err) {
      thrown.push(err);
      throw err;
    }
  });
  assert.deepEqual(run.events, [{ data: '{"a":1}', piece: 1 }]);
  assert.equal(thrown.length, 1);
  assert.equal(run.ended, thrown[0], 'the same error object, not a transport failure made of it');
  assert.equal(run.instrument.failure, null);
  assert.equal(run.instrument.sawDone, true, '[DONE] came in the same piece');
});

test('direct events: a stream ended from inside the handler (a cancel by a listener) hands over nothing more', async () => {
  const input = Buffer.from('data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c":3}\n\ndata: [DONE]\n\n');
  const run = await throughDirectEvents([input], (data, instrument) => {
    if (data === '{"b":2}') instrument.fail({ type: 'cancelled', message: 'Cancelled', hint: '' });
  });
  assert.deepEqual(run.events.map((e) => e.data), ['{"a":1}', '{"b":2}']);
  assert.match(String(run.ended), /Cancelled/);
  assert.equal(run.instrument.failure?.type, 'cancelled');
});

test('direct events: a handler that throws on the piece that also holds [DONE] still marks where the answer ended', async () => {
  const input = Buffer.from('data: {"a":1}\n\ndata: oops\n\ndata: [DONE]\n\n');
  const run = await throughDirectEvents([input.subarray(0, 15), input.subarray(15)], (data) => {
    if (data === 'oops') throw new SyntaxError('not JSON');
  });
  assert.ok(run.ended instanceof SyntaxError);
  assert.equal(run.instrument.sawDone, true);
  assert.equal(run.instrument.doneMs, 2);
});
