/**
 * Small, dependency-free statistics for comparisons across trials: percentiles, ratios against a
 * baseline, and a percentile-bootstrap confidence interval for a ratio of medians.
 */

/**
 * Percentile by linear interpolation between closest ranks (the "R-7" / Excel PERCENTILE.INC
 * definition): p in [0, 100]. Non-finite values are ignored; null when none remain.
 */
export function percentile(values: readonly number[], p: number): number | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const median = (values: readonly number[]): number | null => percentile(values, 50);

/**
 * value / baseline, or null when either is unknown or the baseline is not positive (a ratio
 * against a free or instant baseline means nothing).
 */
export function ratio(value: number | null | undefined, baseline: number | null | undefined): number | null {
  if (value == null || baseline == null || !Number.isFinite(value) || !Number.isFinite(baseline)) return null;
  if (baseline <= 0) return null;
  return value / baseline;
}

/** Deterministic PRNG (mulberry32) so a report's interval is reproducible for the same data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RatioInterval {
  /** median(sample) / median(baseline). */
  ratio: number;
  /** 95 % percentile-bootstrap interval of that ratio. */
  low: number;
  high: number;
  /** Resamples used. */
  resamples: number;
}

/**
 * Ratio of medians with a 95 % percentile-bootstrap interval (each sample resampled
 * independently with replacement). Needs at least 3 values on each side, otherwise null:
 * fewer trials cannot support an interval worth showing.
 */
export function bootstrapMedianRatio(
  sample: readonly number[],
  baseline: readonly number[],
  resamples = 2000,
  seed = 1,
): RatioInterval | null {
  if (sample.length < 3 || baseline.length < 3) return null;
  const point = ratio(median(sample), median(baseline));
  if (point == null) return null;
  const random = mulberry32(seed);
  const draw = (xs: readonly number[]) => {
    const out = new Array<number>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(random() * xs.length)];
    return out;
  };
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const r = ratio(median(draw(sample)), median(draw(baseline)));
    if (r != null) ratios.push(r);
  }
  if (ratios.length === 0) return null;
  return { ratio: point, low: percentile(ratios, 2.5)!, high: percentile(ratios, 97.5)!, resamples };
}

/**
 * Wilson score interval for a proportion `successes / trials` (95 % with the default z). Better
 * than the normal approximation at small n and near 0 or 1; null when there are no trials.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.959963984540054): [number, number] | null {
  if (!(trials > 0) || successes < 0 || successes > trials) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** A deterministic PRNG in [0, 1) for `seed` (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}
