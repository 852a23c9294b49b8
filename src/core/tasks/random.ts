/**
 * Seeded randomness for the task generators. Every item draws from its own stream, derived from
 * the suite seed and the item's coordinates (family, length, index), so adding a length or raising
 * `--n` never changes the items already generated, and the same seed always gives the same items.
 */
import { seededRandom } from '../stats';

/** 32-bit FNV-1a hash of a string (UTF-16 code units). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A seeded random stream. Not cryptographic; only for reproducible task generation. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed >>> 0);
  }

  /** A stream for one purpose: the same (seed, labels) always give the same stream. */
  static derive(seed: number, ...labels: ReadonlyArray<string | number>): Rng {
    return new Rng(hash32(`${seed}\u0000${labels.join('\u0000')}`));
  }

  /** Float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    if (!(max >= min)) throw new RangeError(`int(${min}, ${max}): empty range`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `k` distinct items in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new RangeError(`cannot sample ${k} of ${items.length}`);
    return this.shuffle(items).slice(0, k);
  }

  /** A fresh integer seed, e.g. for a sub-stream. */
  seed(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}
