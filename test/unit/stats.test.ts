import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMedianRatio, median, percentile, percentiles, ratio, seededRandom } from '../../src/core/stats';

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

/** The interval as computed before selection replaced sorting: every resample sorted. */
function referenceBootstrap(sample: number[], baseline: number[], resamples = 2000, seed = 1): { ratio: number; low: number; high: number } | null {
  if (sample.length < 3 || baseline.length < 3) return null;
  const point = ratio(median(sample), median(baseline));
  if (point == null) return null;
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const draw = (xs: number[]) => xs.map(() => xs[Math.floor(random() * xs.length)]!);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const r = ratio(median(draw(sample)), median(draw(baseline)));
    if (r != null) ratios.push(r);
  }
  return { ratio: point, low: percentile(ratios, 2.5)!, high: percentile(ratios, 97.5)! };
}

test('bootstrap interval: the same figures, to the last bit, as sorting every resample', () => {
  let state = 7;
  const rnd = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [n, m] of [[3, 3], [4, 5], [10, 11], [20, 20], [100, 100], [37, 64]]) {
    for (const spread of ['wide', 'ties', 'negative']) {
      const gen = (k: number, scale: number) =>
        Array.from({ length: k }, () =>
          spread === 'ties' ? Math.floor(rnd() * 4) * scale + scale : spread === 'negative' ? (rnd() - 0.3) * scale : rnd() * scale * 10 + 1,
        );
      const sample = gen(n!, 3);
      const baseline = gen(m!, 2);
      const ours = bootstrapMedianRatio(sample, baseline, 500, n! + m!);
      const expected = referenceBootstrap(sample, baseline, 500, n! + m!);
      assert.deepEqual(ours && { ratio: ours.ratio, low: ours.low, high: ours.high }, expected, `${n}×${m} ${spread}`);
    }
  }
  // Non-finite values are dropped from each resample, as before.
  const withNaN = [1, 2, NaN, 4, 5, Infinity];
  const ours = bootstrapMedianRatio(withNaN, [1, 2, 3, 4], 300, 3);
  assert.deepEqual(ours && { ratio: ours.ratio, low: ours.low, high: ours.high }, referenceBootstrap(withNaN, [1, 2, 3, 4], 300, 3));
});

test('percentiles sorts once and agrees with percentile at every p, non-finite values ignored', () => {
  const random = seededRandom(7);
  for (let n = 0; n < 40; n++) {
    const values = Array.from({ length: n }, (_, i) => (i % 9 === 4 ? NaN : i % 11 === 3 ? Infinity : Math.round(random() * 1000) / 10));
    const ps = [0, 2.5, 50, 95, 97.5, 100];
    assert.deepEqual(percentiles(values, ps), ps.map((p) => percentile(values, p)));
  }
  assert.deepEqual(percentiles([NaN, -Infinity], [50, 95]), [null, null]);
});
