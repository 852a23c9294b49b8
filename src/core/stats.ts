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
 * Medians of resamples (with replacement) of one sample, by the rule of {@link percentile}, to
 * the last bit: the sample is sorted once; a resample is a count per sorted position, whose
 * median is found by walking the counts — no copy, no sort, no allocation per resample.
 */
class ResampleMedian {
  private readonly sorted: Float64Array;
  /** Position in `sorted` of each value of the sample, in sample order. */
  private readonly rankOf: Uint32Array;
  private readonly counts: Uint32Array;
  private readonly lo: number;
  private readonly fraction: number;

  constructor(sample: readonly number[]) {
    const n = sample.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => sample[a]! - sample[b]!);
    this.sorted = new Float64Array(n);
    this.rankOf = new Uint32Array(n);
    order.forEach((index, position) => {
      this.sorted[position] = sample[index]!;
      this.rankOf[index] = position;
    });
    this.counts = new Uint32Array(n);
    const rank = 0.5 * (n - 1);
    this.lo = Math.floor(rank);
    this.fraction = rank - this.lo;
  }

  /** The median of one resample, drawn with `random` (n draws, in order). */
  draw(random: () => number): number {
    const { counts, rankOf, sorted, lo } = this;
    const n = sorted.length;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rankOf[Math.floor(random() * n)]!]!++;
    // The lo-th and (lo+1)-th smallest of the resample.
    let seen = 0;
    let at = 0;
    while (seen + counts[at]! <= lo) seen += counts[at++]!;
    const low = sorted[at]!;
    if (this.fraction === 0) return low;
    let next = at;
    if (seen + counts[at]! <= lo + 1) {
      next++;
      while (counts[next] === 0) next++;
    }
    const high = sorted[next]!;
    return low + (high - low) * this.fraction;
  }
}

/**
 * Ratio of medians with a 95 % percentile-bootstrap interval (each sample resampled
 * independently with replacement). Needs at least 3 values on each side, otherwise null:
 * fewer trials cannot support an interval worth showing.
 *
 * Each resample's median is found from counts per sorted position ({@link ResampleMedian}),
 * not by sorting it: the same draws and the same figures as sorting each resample, at a
 * fraction of the cost (a run of 100 trials per backend used to spend most of its CPU here).
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
  const ratios: number[] = [];
  if (sample.every(Number.isFinite) && baseline.every(Number.isFinite)) {
    const a = new ResampleMedian(sample);
    const b = new ResampleMedian(baseline);
    for (let i = 0; i < resamples; i++) {
      const ma = a.draw(random);
      const r = ratio(ma, b.draw(random));
      if (r != null) ratios.push(r);
    }
  } else {
    // Non-finite values are dropped from each resample (as `percentile` does), so the sizes vary.
    const draw = (xs: readonly number[]) => {
      const out = new Array<number>(xs.length);
      for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(random() * xs.length)]!;
      return out;
    };
    for (let i = 0; i < resamples; i++) {
      const r = ratio(median(draw(sample)), median(draw(baseline)));
      if (r != null) ratios.push(r);
    }
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
