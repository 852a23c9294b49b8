import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeltaBatcher, type BatchedDelta, type BatcherTimers } from '../../src/extension/deltaBatcher';

/** A manual clock: timers fire only when the test advances time. */
class FakeTimers implements BatcherTimers {
  nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.nowMs;
  }
  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowMs + delayMs, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.nowMs = Math.max(this.nowMs, due[1].at);
      due[1].callback();
    }
    this.nowMs = end;
  }
}

function setup(intervalMs = 33) {
  const timers = new FakeTimers();
  const flushes: Array<{ atMs: number; deltas: BatchedDelta[] }> = [];
  const batcher = new DeltaBatcher((deltas) => flushes.push({ atMs: timers.nowMs, deltas: deltas.map((d) => ({ ...d })) }), { intervalMs, timers });
  return { timers, flushes, batcher };
}

/** Deterministic pseudo-random token stream (no Math.random, so failures reproduce). */
function tokens(seed: number, count: number): string[] {
  const pieces = ['The', ' quick', ' brown', ' fox', '\n', '```ts\n', 'const', ' x', ' =', ' "é漢字🙂"', ';', '\n```', ' **bold**', ' <b>', '', ' ', '\r\n'];
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(pieces[s % pieces.length]);
  }
  return out;
}

describe('DeltaBatcher', () => {
  it('flushes the first delta at once, then batches within the interval', () => {
    const { timers, flushes, batcher } = setup();
    batcher.append('a', 1, 'Hel');
    assert.equal(flushes.length, 1, 'first delta goes out immediately');
    timers.advance(5);
    batcher.append('a', 1, 'lo');
    timers.advance(5);
    batcher.append('a', 1, ', world');
    assert.equal(flushes.length, 1, 'later deltas wait for the slot');
    timers.advance(23);
    assert.equal(flushes.length, 2);
    assert.equal(flushes[1].atMs, 33);
    assert.deepEqual(flushes[1].deltas, [{ backendId: 'a', trial: 1, content: 'lo, world', reasoning: '' }]);
    assert.equal(timers.pending, 0);
  });

  it('keeps (backend, trial) pairs apart and in first-seen order, content and reasoning separately', () => {
    const { timers, flushes, batcher } = setup();
    batcher.append('x', 1, 'first');
    batcher.append('b', 1, 'B1');
    batcher.append('a', 2, '', 'think ');
    batcher.append('a', 1, 'A1');
    batcher.append('b', 1, '+more');
    batcher.append('a', 2, 'ans', 'harder');
    timers.advance(33);
    assert.equal(flushes.length, 2);
    assert.deepEqual(flushes[1].deltas, [
      { backendId: 'b', trial: 1, content: 'B1+more', reasoning: '' },
      { backendId: 'a', trial: 2, content: 'ans', reasoning: 'think harder' },
      { backendId: 'a', trial: 1, content: 'A1', reasoning: '' },
    ]);
  });

  it('sends at most one message per interval however fast deltas arrive', () => {
    const { timers, flushes, batcher } = setup();
    for (let ms = 0; ms < 1_000; ms++) {
      batcher.append('a', 1, 't');
      batcher.append('b', 1, 'u');
      timers.advance(1);
    }
    batcher.flushAll();
    for (let i = 1; i < flushes.length - 1; i++) {
      assert.ok(flushes[i].atMs - flushes[i - 1].atMs >= 33, `flush ${i} came ${flushes[i].atMs - flushes[i - 1].atMs} ms after the previous one`);
    }
    assert.ok(flushes.length <= Math.ceil(1_000 / 33) + 2, `${flushes.length} flushes for 1 s`);
    assert.ok(flushes.length >= 25, 'still streams steadily');
  });

  it('by default, never more than 30 messages in any one-second window', () => {
    const timers = new FakeTimers();
    const sent: number[] = [];
    const batcher = new DeltaBatcher(() => sent.push(timers.nowMs), { timers });
    for (let ms = 0; ms < 5_000; ms++) {
      batcher.append('a', 1, 't');
      timers.advance(1);
    }
    for (let i = 0; i < sent.length; i++) {
      const inWindow = sent.filter((t) => t >= sent[i]! && t < sent[i]! + 1_000).length;
      assert.ok(inWindow <= 30, `${inWindow} messages in the second from ${sent[i]} ms`);
    }
    assert.ok(sent.length >= 140, `still streams steadily: ${sent.length} messages in 5 s`);
  });

  it('concatenated flushed deltas equal the original stream exactly, per (backend, trial)', () => {
    const { timers, flushes, batcher } = setup();
    const streams: Record<string, string[]> = {
      'a\u00001': tokens(1, 700),
      'b\u00001': tokens(2, 450),
      'a\u00002': tokens(3, 300),
    };
    const original: Record<string, string> = {};
    const cursors = Object.fromEntries(Object.keys(streams).map((k) => [k, 0]));
    let step = 0;
    while (Object.entries(cursors).some(([k, i]) => i < streams[k].length)) {
      for (const key of Object.keys(streams)) {
        const i = cursors[key];
        if (i >= streams[key].length || (step + key.length) % 3 === 0) continue;
        const [backendId, trial] = key.split('\u0000');
        batcher.append(backendId, Number(trial), streams[key][i], i % 7 === 0 ? 'r' : '');
        original[key] = (original[key] ?? '') + streams[key][i];
        cursors[key] = i + 1;
      }
      timers.advance(step % 5);
      step++;
    }
    batcher.flushAll();
    const received: Record<string, string> = {};
    const reasoning: Record<string, string> = {};
    for (const flush of flushes) {
      for (const d of flush.deltas) {
        const key = `${d.backendId}\u0000${d.trial}`;
        received[key] = (received[key] ?? '') + d.content;
        reasoning[key] = (reasoning[key] ?? '') + d.reasoning;
      }
    }
    assert.deepEqual(received, original);
    assert.equal(reasoning['a\u00001'], 'r'.repeat(Math.ceil(700 / 7)));
    assert.equal(batcher.pendingCount, 0);
  });

  it('flushAll sends everything pending synchronously and cancels the timer', () => {
    const { timers, flushes, batcher } = setup();
    batcher.append('a', 1, 'x');
    batcher.append('a', 1, 'y');
    assert.equal(timers.pending, 1);
    batcher.flushAll();
    assert.equal(timers.pending, 0);
    assert.deepEqual(flushes.map((f) => f.deltas.map((d) => d.content).join('')), ['x', 'y']);
    batcher.flushAll();
    assert.equal(flushes.length, 2, 'nothing pending, nothing sent');
  });

  it('flush sends one trial\'s pending text now and leaves the others to their slot', () => {
    const { timers, flushes, batcher } = setup();
    batcher.append('a', 1, 'first');
    batcher.append('a', 1, 'x');
    batcher.append('b', 1, 'y');
    assert.equal(flushes.length, 1);
    batcher.flush('b', 1);
    assert.deepEqual(flushes.map((f) => f.deltas.map((d) => `${d.backendId}:${d.content}`)), [['a:first'], ['b:y']]);
    assert.equal(timers.pending, 1, "a's text still waits for its slot");
    batcher.flush('b', 1);
    assert.equal(flushes.length, 2, 'nothing pending for b, nothing sent');
    timers.advance(40);
    assert.deepEqual(flushes.map((f) => f.deltas.map((d) => `${d.backendId}:${d.content}`)), [['a:first'], ['b:y'], ['a:x']]);
  });

  it('ignores empty deltas', () => {
    const { flushes, batcher } = setup();
    batcher.append('a', 1, '', '');
    assert.equal(flushes.length, 0);
    assert.equal(batcher.pendingCount, 0);
  });

  it('discard drops pending text; dispose also ignores later appends', () => {
    const { timers, flushes, batcher } = setup();
    batcher.append('a', 1, 'sent');
    batcher.append('a', 1, 'dropped');
    batcher.discard();
    timers.advance(100);
    assert.deepEqual(flushes.map((f) => f.deltas[0].content), ['sent']);
    batcher.append('a', 1, 'after discard');
    assert.equal(flushes.length, 2);
    batcher.dispose();
    batcher.append('a', 1, 'after dispose');
    timers.advance(100);
    assert.equal(flushes.length, 2);
    assert.equal(timers.pending, 0);
  });

  it('works with the real clock and timers and leaves no timer behind', async () => {
    const flushed: string[] = [];
    const batcher = new DeltaBatcher((deltas) => flushed.push(deltas.map((d) => d.content).join('')), { intervalMs: 10 });
    batcher.append('a', 1, 'one');
    batcher.append('a', 1, 'two');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(flushed, ['one', 'two']);
    batcher.append('a', 1, 'three');
    batcher.dispose();
  });
});
