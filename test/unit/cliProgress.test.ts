import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchedLines } from '../../src/cli/progress';

function sink() {
  const writes: string[] = [];
  return { writes, out: { write: (text: string) => writes.push(text) > 0, isTTY: false } };
}

test('progress lines are written together, in order, at most once per interval', async () => {
  const { writes, out } = sink();
  const lines = new BatchedLines(out as never, 30);
  lines.push('a\n');
  lines.push('b\n');
  lines.push('c\n');
  assert.deepEqual(writes, [], 'nothing written at once');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(writes, ['a\nb\nc\n'], 'one write for the three lines, after the interval');
  lines.push('d\n');
  lines.flush();
  assert.deepEqual(writes, ['a\nb\nc\n', 'd\n'], 'flush writes what is pending at once');
  lines.flush();
  assert.equal(writes.length, 2, 'a flush with nothing pending writes nothing');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(writes.length, 2, 'the timer of a flushed batch does not write again');
});

test('after unbatch (a cancel), pending lines go out first and every later line at once', () => {
  const { writes, out } = sink();
  const lines = new BatchedLines(out as never, 10_000);
  lines.push('done 1\n');
  lines.unbatch();
  assert.deepEqual(writes, ['done 1\n']);
  lines.push('cancelled 2\n');
  assert.deepEqual(writes, ['done 1\n', 'cancelled 2\n'], 'written without waiting for a timer');
});
