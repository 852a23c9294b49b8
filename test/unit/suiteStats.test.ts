import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomialCdf,
  clusterBootstrap,
  mcnemarExactP,
  minimalDetectableDifference,
  normalQuantile,
  pairedBootstrapDifference,
  percentile,
  seededRandom,
  seededShuffle,
} from '../../src/core/stats';
import { SortedByTest } from '../../src/core/suite/suiteSummary';

const close = (actual: number, expected: number, tolerance: number, label = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label} ${actual} vs ${expected} (±${tolerance})`);

test('McNemar exact p matches hand-computed binomial tails', () => {
  // b = 1, c = 6: n = 7, P(X ≤ 1) = (1 + 7) / 2^7 = 0.0625, two-sided p = 0.125.
  close(mcnemarExactP(1, 6), 0.125, 1e-12);
  // b = 2, c = 8: P(X ≤ 2) = (1 + 10 + 45) / 1024 = 0.0546875, p = 0.109375.
  close(mcnemarExactP(2, 8), 0.109375, 1e-12);
  // Symmetric, capped at 1, and 1 without discordant pairs.
  assert.equal(mcnemarExactP(8, 2), mcnemarExactP(2, 8));
  assert.equal(mcnemarExactP(5, 5), 1);
  assert.equal(mcnemarExactP(0, 0), 1);
  // b = 0, c = 5: 2 · (1/32) = 0.0625.
  close(mcnemarExactP(0, 5), 0.0625, 1e-12);
});

test('the binomial CDF stays exact for large n (log space, no underflow)', () => {
  // P(X ≤ 5000) for Binomial(10000, ½) = ½ + P(X = 5000)/2; P(X = 5000) ≈ 1/√(π·5000) = 0.0079786.
  close(binomialCdf(5000, 10_000, 0.5), 0.5 + 0.0079786 / 2, 2e-6);
  close(binomialCdf(2, 10, 0.5), 56 / 1024, 1e-12);
  assert.equal(binomialCdf(-1, 10, 0.5), 0);
  assert.equal(binomialCdf(10, 10, 0.5), 1);
  // A very lopsided table still gives a tiny, non-zero p.
  const p = mcnemarExactP(400, 500);
  assert.ok(p > 0 && p < 0.01, String(p));
});

test('normal quantiles and the minimal detectable difference match hand computation', () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-8);
  close(normalQuantile(0.8), 0.8416212335729143, 1e-8);
  close(normalQuantile(0.5), 0, 1e-12);
  close(normalQuantile(0.01), -2.326347874040841, 1e-8);
  // (1.959964 + 0.841621) · √(2 · 0.25 / 100) = 2.801585 · 0.0707107 = 0.198101.
  close(minimalDetectableDifference(100, 0.5)!, 0.198101, 1e-5);
  // At p = 0.87: 2.801585 · √(2 · 0.87 · 0.13 / 100) = 2.801585 · 0.0475605 = 0.133245.
  close(minimalDetectableDifference(100, 0.87)!, 0.133245, 1e-5);
  assert.equal(minimalDetectableDifference(0, 0.5), null);
  assert.equal(minimalDetectableDifference(1, 0.5), 1, 'capped at 1');
});

test('the seeded shuffle is a permutation, reproducible by seed, different across seeds', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = seededShuffle(items, 7);
  assert.deepEqual([...a].sort((x, y) => x - y), items);
  assert.deepEqual(seededShuffle(items, 7), a);
  assert.notDeepEqual(seededShuffle(items, 8), a);
  assert.deepEqual(items, Array.from({ length: 50 }, (_, i) => i), 'input untouched');
});

test('cluster bootstrap: degenerate data gives a point interval; two-valued data matches the exact bootstrap distribution', () => {
  const same = clusterBootstrap(5, () => 0.4, 500, 1)!;
  assert.equal(same.low, 0.4);
  assert.equal(same.high, 0.4);
  assert.equal(clusterBootstrap(2, () => 1), null, 'fewer than 3 clusters: no interval');
  // Three clusters with values 0, 0, 1: the resampled mean is k/3, k ~ Binomial(3, 1/3):
  // P(0) = 8/27 = 0.296, P(1/3) = 12/27, P(2/3) = 6/27, P(1) = 1/27 = 0.037 — so the 2.5th
  // percentile is 0 and the 97.5th lies in the top value 1 (cumulative up to 2/3 is 0.963).
  const values = [0, 0, 1];
  const ci = clusterBootstrap(3, (idx) => idx.reduce((s, i) => s + values[i]!, 0) / idx.length, 4000, 3)!;
  assert.equal(ci.low, 0);
  close(ci.high, 1, 0.34);
  assert.ok(ci.high > 2 / 3 - 1e-9, String(ci.high));
  // An undefined statistic is skipped; when most resamples are undefined there is no interval.
  assert.equal(clusterBootstrap(10, () => null), null);
});

test('paired bootstrap difference: point value is the mean paired difference; the interval matches the normal approximation', () => {
  // Pairs per test (a, b): 40 tests where a passes and b fails, 10 the reverse, 50 where both pass.
  const pairs: Array<[number, number]> = [
    ...Array.from({ length: 40 }, (): [number, number] => [1, 0]),
    ...Array.from({ length: 10 }, (): [number, number] => [0, 1]),
    ...Array.from({ length: 50 }, (): [number, number] => [1, 1]),
  ];
  const d = pairedBootstrapDifference(pairs, 4000, 11)!;
  // Mean difference = (40 − 10) / 100 = 0.30. Differences are +1 (40), −1 (10), 0 (50):
  // variance = E[d²] − E[d]² = 0.5 − 0.09 = 0.41, sd of the mean = √(0.41/100) = 0.0640,
  // so the 95 % interval ≈ 0.30 ± 1.96 · 0.0640 = [0.175, 0.425].
  close(d.value, 0.3, 1e-12);
  assert.equal(d.n, 100);
  close(d.ci95![0], 0.175, 0.02, 'low');
  close(d.ci95![1], 0.425, 0.02, 'high');
  // Reproducible for the same seed.
  assert.deepEqual(pairedBootstrapDifference(pairs, 4000, 11), d);
  assert.equal(pairedBootstrapDifference([[1, 0], [0, 0]])!.ci95, null, 'fewer than 3 pairs: no interval');
});

test('percentiles of a bootstrap draw read from sorted values with multiplicities equal percentiles of the drawn values', () => {
  const random = seededRandom(99);
  for (let round = 0; round < 500; round++) {
    const tests = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => i * 3);
    const groups = new Map<number, number[]>();
    for (const t of tests) {
      const n = Math.floor(random() * 4); // 0 to 3 values per test, ties included
      if (n) groups.set(t, Array.from({ length: n }, () => Math.floor(random() * 20)));
    }
    const sorted = new SortedByTest(groups, tests);
    const counts = Int32Array.from(tests, () => Math.floor(random() * 3));
    const drawn = tests.flatMap((t, k) => Array.from({ length: counts[k]! }, () => groups.get(t) ?? []).flat());
    const ps = [0, 2.5, 25, 50, 95, 97.5, 100];
    const out = new Float64Array(ps.length).fill(NaN);
    sorted.percentiles(counts, sorted.total(counts), ps, out, 0);
    assert.equal(sorted.total(counts), drawn.length);
    ps.forEach((p, j) => {
      const expected = percentile(drawn, p);
      if (expected === null) assert.ok(Number.isNaN(out[j]!));
      else assert.ok(Math.abs(out[j]! - expected) < 1e-9, `round ${round} p${p}: ${out[j]} vs ${expected} (${JSON.stringify(drawn)})`);
    });
  }
});
