import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, type SseEvent } from '../../src/core/sse';
import { sseVectors, vectorBytes, type SseVector } from '../fixtures/sseVectors';
import { pieceOf, referenceParse, splits } from './helpers/sseReference';

interface Stamped {
  type: string;
  data: string;
  id: string;
  /** 1-based index of the piece whose arrival completed the event. */
  piece: number;
}

/** Cuts `input` at the given offsets (ascending). */
function cut(input: Buffer, at: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const to of [...at, input.length]) {
    pieces.push(input.subarray(from, to));
    from = to;
  }
  return pieces;
}

/** What a conformant parser must report for `v` fed cut at `at`. */
function expectedFor(v: SseVector, input: Buffer, at: number[]): Stamped[] {
  return referenceParse(input).events.map((e) => ({ type: e.type, data: e.data, id: e.id, piece: pieceOf(at, e.completedAt) }));
}

function feed(pieces: Buffer[]): { events: Stamped[]; parser: SseParser } {
  const parser = new SseParser();
  const events: Stamped[] = [];
  const stamp = (e: SseEvent): Stamped => ({ type: e.type, data: e.data, id: e.lastEventId, piece: e.completedMs });
  pieces.forEach((p, k) => events.push(...parser.push(p, k + 1).map(stamp)));
  parser.end(pieces.length);
  return { events, parser };
}

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));

test(`${sseVectors.length} conformance vectors: the expectations agree with the plain reading of the format`, () => {
  assert.ok(sseVectors.length >= 60, `${sseVectors.length} vectors`);
  assert.equal(new Set(sseVectors.map((v) => v.name)).size, sseVectors.length, 'names are unique');
  for (const v of sseVectors) {
    const { events, retryMs } = referenceParse(vectorBytes(v));
    const expected = v.events.map((e) => ({ type: e.type ?? 'message', data: e.data, id: e.id ?? '' }));
    assert.deepEqual(
      events.map(({ type, data, id }) => ({ type, data, id })),
      expected,
      v.name,
    );
    if (v.retryMs !== undefined) assert.equal(retryMs, v.retryMs, v.name);
  }
});

for (const source of ['whatwg', 'eventsource-parser', 'framing'] as const) {
  test(`SseParser: ${source} vectors, split at every position and byte by byte, events exact and stamped at the completing byte`, () => {
    for (const v of sseVectors.filter((x) => x.source === source)) {
      const input = vectorBytes(v);
      for (const at of splits(input)) {
        const { events, parser } = feed(cut(input, at));
        const expected = expectedFor(v, input, at);
        if (JSON.stringify(events) !== JSON.stringify(expected)) {
          assert.deepEqual(events, expected, `${v.name}: ${show(input)} cut at [${at.join(',')}]`);
        }
        if (v.retryMs !== undefined) assert.equal(parser.retryMs, v.retryMs, v.name);
        assert.equal(parser.endedMs, null);
      }
    }
  });
}

test('SseParser: a CR ending a chunk ends the line and the event at once; the LF in the next chunk is part of it', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push(Buffer.from('data: one\r'), 1), []);
  const [event] = parser.push(Buffer.from('\r'), 2);
  assert.deepEqual(event, { type: 'message', data: 'one', lastEventId: '', completedMs: 2 });
  // The LF completes the blank line's CRLF: no second blank line, nothing more.
  assert.deepEqual(parser.push(Buffer.from('\n'), 3), []);
  assert.deepEqual(parser.push(Buffer.from('\ndata: two\n'), 4), [], 'a second LF is a blank line with no data');
  assert.deepEqual(parser.push(Buffer.from('\n'), 5).map((e) => [e.data, e.completedMs]), [['two', 5]]);
});

test('SseParser: sawData, and data: [DONE] ends the stream at its line when asked to', () => {
  const plain = new SseParser({ endData: '[DONE]' });
  plain.push(Buffer.from(': hi\nevent: x\n\n'), 1);
  assert.equal(plain.sawData, false);
  plain.push(Buffer.from('data'), 2);
  assert.equal(plain.sawData, false, 'not until the line ends');
  plain.push(Buffer.from('\n'), 3);
  assert.equal(plain.sawData, true);

  const p = new SseParser({ endData: '[DONE]' });
  const first = p.push(Buffer.from('data: {"a":1}\n\ndata:[DO'), 1);
  assert.deepEqual(first.map((e) => e.data), ['{"a":1}']);
  assert.equal(p.endedMs, null);
  assert.deepEqual(p.push(Buffer.from('NE]\r'), 2), []);
  assert.equal(p.endedMs, 2, 'ended when the [DONE] line ended, before any blank line');
  assert.deepEqual(p.push(Buffer.from('\ndata: late\n\n'), 3), [], 'nothing after it');

  // [DONE] after another data line of the same event is data, as the SDK would read it.
  const q = new SseParser({ endData: '[DONE]' });
  assert.deepEqual(q.push(Buffer.from('data: x\ndata: [DONE]\n\n'), 1).map((e) => e.data), ['x\n[DONE]']);
  assert.equal(q.endedMs, null);

  // An unterminated [DONE] line at the end of the body ends the stream too; other unterminated lines do not.
  const r = new SseParser({ endData: '[DONE]' });
  r.push(Buffer.from('data: [DONE]'), 4);
  r.end(4);
  assert.equal(r.endedMs, 4);
  const s = new SseParser({ endData: '[DONE]' });
  s.push(Buffer.from('data: x\n\ndata: {"unterminated":'), 1);
  s.end(1);
  assert.equal(s.endedMs, null);
});

test('SseParser: work stays linear in the input however it is cut', () => {
  // One 4 MB event (a large base64 image or tool-call argument) in 1.5 KB pieces.
  const big = Buffer.from(`data: ${'QUJD'.repeat(1024 * 1024)}\n\n`);
  const parser = new SseParser();
  let events: SseEvent[] = [];
  for (let i = 0, k = 1; i < big.length; i += 1536, k++) events = events.concat(parser.push(big.subarray(i, i + 1536), k));
  assert.equal(events.length, 1);
  assert.equal(events[0]!.data.length, 4 * 1024 * 1024);
  assert.ok(parser.workBytes <= 6 * big.length, `4 MB event in 1.5 KB pieces: ${parser.workBytes} work bytes for ${big.length} input bytes`);

  // The same event byte by byte.
  const small = big.subarray(0, 64 * 1024 + 6);
  const drip = new SseParser();
  for (let i = 0; i < small.length; i++) drip.push(small.subarray(i, i + 1), i);
  drip.push(Buffer.from('\n\n'), small.length);
  assert.ok(drip.workBytes <= 6 * small.length, `byte by byte: ${drip.workBytes} work bytes for ${small.length}`);

  // 100,000 short LF-only lines in one chunk: no rescanning of the chunk per line.
  const many = Buffer.from('data: x\n\n'.repeat(100_000));
  const lines = new SseParser();
  assert.equal(lines.push(many, 1).length, 100_000);
  assert.ok(lines.workBytes <= 6 * many.length, `many lines: ${lines.workBytes} work bytes for ${many.length}`);
});
