import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMedianRatio, median, percentile, ratio } from '../../src/core/stats';

test('percentile interpolates between closest ranks', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([10, 20, 30, 40, 50], 95), 48);
  assert.equal(percentile([3, 1, 2], 0), 1);
  assert.equal(percentile([3, 1, 2], 100), 3);
  assert.equal(median([5, 1, 9]), 5);
});

test('ratio is null for unknown or zero baselines', () => {
  assert.equal(ratio(240, 100), 2.4);
  assert.equal(ratio(null, 100), null);
  assert.equal(ratio(1, 0), null);
  assert.equal(ratio(1, undefined), null);
});

test('bootstrap interval brackets the point ratio and is reproducible', () => {
  const base = [100, 110, 95, 105, 102, 98, 101];
  const slow = base.map((x) => x * 2.4);
  const ci = bootstrapMedianRatio(slow, base)!;
  assert.ok(Math.abs(ci.ratio - 2.4) < 1e-9);
  assert.ok(ci.low <= ci.ratio && ci.ratio <= ci.high, JSON.stringify(ci));
  assert.ok(ci.low > 2 && ci.high < 2.9, JSON.stringify(ci));
  assert.deepEqual(bootstrapMedianRatio(slow, base), ci);
  assert.equal(bootstrapMedianRatio([1, 2], base), null);
});
