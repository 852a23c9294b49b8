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

/** {@link percentile} at each of `ps`, sorting the values once; nulls when no value is finite. */
export function percentiles(values: readonly number[], ps: readonly number[]): Array<number | null> {
  const sorted = new Float64Array(values.length);
  let count = 0;
  for (const v of values) if (Number.isFinite(v)) sorted[count++] = v;
  if (count === 0) return ps.map(() => null);
  const finite = sorted.subarray(0, count).sort();
  return ps.map((p) => percentileOfSorted(finite, p));
}

/** {@link percentile} of values already sorted ascending, all finite, at least one. */
function percentileOfSorted(sorted: Float64Array, p: number): number {
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
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

/**
 * Deterministic PRNG (mulberry32) so a report's interval is reproducible for the same data. An
 * object with one method rather than a closure: the bootstrap loops call it millions of times and
 * V8 inlines a monomorphic method, where each closure call returned a freshly allocated number.
 */
class Mulberry32 {
  // `declare`: see ResampleMedian. A number field first set to undefined would store every
  // later value as a new heap number.
  private declare state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** The next value in [0, 1). */
  next(): number {
    // Int32 arithmetic throughout: the same bits as the unsigned form, without leaving small integers.
    const a = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

function mulberry32(seed: number): () => number {
  const rng = new Mulberry32(seed);
  return () => rng.next();
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
  // `declare`: no field initialised to undefined before the constructor's assignments, so V8 keeps
  // each field's representation (a double stays unboxed); about a third faster in the draw loop.
  private declare readonly sorted: Float64Array;
  /** Position in `sorted` of each value of the sample, in sample order. */
  private declare readonly rankOf: Uint32Array;
  private declare readonly counts: Uint32Array;
  private declare readonly lo: number;
  private declare readonly fraction: number;

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

  /** The median of one resample, drawn with `rng` (n draws, in order). */
  draw(rng: Mulberry32): number {
    const { counts, rankOf, sorted, lo } = this;
    const n = sorted.length;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rankOf[Math.floor(rng.next() * n)]!]!++;
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
  const rng = new Mulberry32(seed);
  const random = () => rng.next();
  if (sample.every(Number.isFinite) && baseline.every(Number.isFinite)) {
    const a = new ResampleMedian(sample);
    const b = new ResampleMedian(baseline);
    // The finite ratios, sorted once for both bounds (as `percentile` would sort them twice).
    const finite = new Float64Array(resamples);
    let count = 0;
    for (let i = 0; i < resamples; i++) {
      const ma = a.draw(rng);
      const r = ratio(ma, b.draw(rng));
      if (r != null && Number.isFinite(r)) finite[count++] = r;
    }
    if (count === 0) return null;
    const sorted = finite.subarray(0, count).sort();
    return { ratio: point, low: percentileOfSorted(sorted, 2.5), high: percentileOfSorted(sorted, 97.5), resamples };
  }
  // Non-finite values are dropped from each resample (as `percentile` does), so the sizes vary.
  const ratios: number[] = [];
  const draw = (xs: readonly number[]) => {
    const out = new Array<number>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(random() * xs.length)]!;
    return out;
  };
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
  // At 0 and n successes the bound is 0 (or 1) exactly; the formula leaves a rounding error there.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === trials ? 1 : Math.min(1, centre + half)];
}

// ---------------------------------------------------------------------------------------------
// Suites: seeded order, resampling by test, paired comparisons, detectable differences.
// Formulas are written out in README → Suites → Statistics.
// ---------------------------------------------------------------------------------------------

/** Mixes integers into a 32-bit bootstrap seed (FNV-1a style, with an extra shift per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}

/**
 * A bootstrap seed from a name (a backend's id) and numbers: the same backend gets the same
 * resamples whichever other backends are in the run and in whatever order, so every view of the
 * same trials (the panel, the CLI, an export, a run reopened from the history) shows the same
 * interval.
 */
export function namedSeed(name: string, ...parts: number[]): number {
  const codes: number[] = [];
  for (let i = 0; i < name.length; i++) codes.push(name.charCodeAt(i));
  return mixSeed(name.length, ...codes, ...parts);
}

/** A deterministic PRNG in [0, 1) for `seed` (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}

/** A Fisher–Yates shuffle driven by {@link seededRandom}; `items` is not modified. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = out[i]!;
    out[i] = out[j]!;
    out[j] = held;
  }
  return out;
}

/** A 95 % percentile-bootstrap interval. */
export interface BootstrapInterval {
  low: number;
  high: number;
  /** Resamples whose statistic was defined (the others were skipped). */
  resamples: number;
}

/**
 * Cluster bootstrap: resamples whole clusters (here: the tests of a suite, with every trial and
 * every backend's answer to a test kept together) with replacement, `resamples` times, and
 * returns the 2.5th and 97.5th percentiles of `statistic` over the resamples. `statistic`
 * receives the drawn cluster indices (duplicates allowed) and returns null when it is undefined
 * for that draw. Null with fewer than `minClusters` clusters, or when fewer than half of the
 * resamples gave a value.
 */
export function clusterBootstrap(
  clusterCount: number,
  statistic: (clusters: readonly number[]) => number | null,
  resamples = 2000,
  seed = 1,
  minClusters = 3,
): BootstrapInterval | null {
  if (!(clusterCount >= minClusters)) return null;
  const random = mulberry32(seed);
  const draw = new Array<number>(clusterCount);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < clusterCount; i++) draw[i] = Math.floor(random() * clusterCount);
    const value = statistic(draw);
    if (value !== null && Number.isFinite(value)) values.push(value);
  }
  if (values.length === 0 || values.length < resamples / 2) return null;
  return { low: percentile(values, 2.5)!, high: percentile(values, 97.5)!, resamples: values.length };
}

/** A paired difference with its interval. */
export interface PairedDifference {
  /** mean over pairs of (a − b). */
  value: number;
  /** 95 % paired-bootstrap interval (pairs resampled together); null with fewer than 3 pairs. */
  ci95: [number, number] | null;
  n: number;
}

/**
 * Mean paired difference of `pairs` = [a, b] (e.g. per test: a backend's pass fraction and the
 * baseline's), with a 95 % paired-bootstrap interval: pairs are resampled with replacement, so
 * the correlation between the two sides within a pair is kept.
 */
export function pairedBootstrapDifference(
  pairs: ReadonlyArray<readonly [number, number]>,
  resamples = 2000,
  seed = 1,
): PairedDifference | null {
  const diffs = pairs.map(([a, b]) => a - b).filter((d) => Number.isFinite(d));
  if (diffs.length === 0) return null;
  const mean = (idx: readonly number[]) => {
    let sum = 0;
    for (const i of idx) sum += diffs[i]!;
    return sum / idx.length;
  };
  const value = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  const ci = clusterBootstrap(diffs.length, mean, resamples, seed);
  return { value, ci95: ci ? [ci.low, ci.high] : null, n: diffs.length };
}

/** ln C(n, k) by summing logarithms (exact enough for the counts a suite has). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * P(X ≤ k) for X ~ Binomial(n, p), computed in log space so large n does not underflow.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logs: number[] = [];
  let logTerm = n * Math.log(1 - p); // i = 0
  const ratio = Math.log(p) - Math.log(1 - p);
  for (let i = 0; i <= k; i++) {
    if (i > 0) logTerm += Math.log(n - i + 1) - Math.log(i) + ratio;
    logs.push(logTerm);
  }
  const max = Math.max(...logs);
  const sum = logs.reduce((s, l) => s + Math.exp(l - max), 0);
  return Math.min(1, Math.exp(max + Math.log(sum)));
}

/**
 * McNemar's exact test (two-sided) for paired binary outcomes: `b` pairs where only the first
 * side passed, `c` where only the second did. p = min(1, 2 · P(X ≤ min(b, c))) with
 * X ~ Binomial(b + c, ½); 1 when there are no discordant pairs.
 */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (!(n > 0)) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
}

/** ln C(n, k) for tests; exported for hand checks. */
export const logBinomialCoefficient = logChoose;

/**
 * The standard normal quantile Φ⁻¹(p) by Acklam's rational approximation (relative error below
 * 1.2e-9 on (0, 1)).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}


/**
 * The smallest difference between two pass rates a comparison with `n` tests per side can
 * detect: (z₁₋α/₂ + z_power) · √(2 · p · (1 − p) / n), the normal-approximation formula for two
 * proportions at the common rate `p` (two-sided α = 0.05 and 80 % power by default). At p = ½
 * this is its largest value. Null when n < 1; capped at 1.
 */
export function minimalDetectableDifference(n: number, p: number, alpha = 0.05, power = 0.8): number | null {
  if (!(n >= 1) || !Number.isFinite(p)) return null;
  const rate = Math.min(1, Math.max(0, p));
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return Math.min(1, z * Math.sqrt((2 * rate * (1 - rate)) / n));
}

/**
 * {@link percentile} of the first `n` values of `buffer` without sorting them (quickselect;
 * reorders the buffer). Same definition and result as `percentile`; for bootstrap loops, where
 * sorting every resample would dominate the cost. The values must be finite.
 */
export function percentileInPlace(buffer: Float64Array, n: number, p: number): number | null {
  if (n <= 0) return null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const low = select(buffer, n, lo);
  if (rank === lo) return low;
  // After selecting lo, every value right of it is ≥ it: the next order statistic is their minimum.
  let high = Infinity;
  for (let i = lo + 1; i < n; i++) if (buffer[i]! < high) high = buffer[i]!;
  return low + (high - low) * (rank - lo);
}

/** Moves the k-th smallest of buffer[0..n) to index k (Hoare quickselect with median-of-three) and returns it. */
function select(a: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // median of three as pivot
    const x = a[left]!;
    const y = a[mid]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * {@link clusterBootstrap} for several statistics computed on the same draws: `statistic` fills
 * `out[k]` for each of the `count` statistics (NaN when undefined for that draw) and returns
 * false when none is defined. Each interval is the 2.5th–97.5th percentile of its own values;
 * null for a statistic defined in fewer than half of the resamples. Null with fewer than
 * `minClusters` clusters.
 */
export function clusterBootstrapMany(
  clusterCount: number,
  count: number,
  statistic: (clusters: readonly number[], out: Float64Array) => boolean,
  resamples = 2000,
  seed = 1,
  minClusters = 3,
): Array<BootstrapInterval | null> | null {
  if (!(clusterCount >= minClusters)) return null;
  const random = mulberry32(seed);
  const draw = new Array<number>(clusterCount);
  const out = new Float64Array(count);
  const values = Array.from({ length: count }, () => new Float64Array(resamples));
  const filled = new Int32Array(count);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < clusterCount; i++) draw[i] = Math.floor(random() * clusterCount);
    out.fill(NaN);
    if (!statistic(draw, out)) continue;
    for (let k = 0; k < count; k++) {
      const v = out[k]!;
      if (Number.isFinite(v)) values[k]![filled[k]!++] = v;
    }
  }
  return values.map((v, k) => {
    const n = filled[k]!;
    if (n === 0 || n < resamples / 2) return null;
    return { low: percentileInPlace(v, n, 2.5)!, high: percentileInPlace(v, n, 97.5)!, resamples: n };
  });
}
