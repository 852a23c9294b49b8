/**
 * The leaderboard of blind votes: win rates per pair with Wilson intervals, and Bradley–Terry
 * ratings with bootstrap intervals once every backend has enough votes. Every figure of the
 * leaderboard view and of its exports comes from here. Formulas (README → Blind A/B):
 *
 * - A vote is a win for one side, a tie, or "both bad" (a tie too). Ties count half a win for
 *   each side.
 * - Win rate of X against Y = (wins + ½·ties) / votes, with a 95 % Wilson interval.
 * - Bradley–Terry: P(X beats Y) = πx / (πx + πy). π is the maximum-likelihood fit by Hunter's
 *   MM iteration, πx ← Wx / Σy nxy / (πx + πy), Wx = wins + ½·ties. Every pair that met gets
 *   `priorTies` virtual ties (default 1), so a backend that never lost still has a finite
 *   rating; their weight fades as votes grow. Ratings on the Elo scale: 1000 + 400·log10(π / g),
 *   g the geometric mean of π (1000 = the average backend here).
 * - 95 % intervals: percentile bootstrap over the votes (resampled with replacement, 1,000
 *   times, fixed seed). Rank (upper bound) = 1 + the number of backends whose lower bound is
 *   above this one's upper bound.
 */
import { percentile, seededRandom, wilsonInterval } from './stats';

/** What the leaderboard needs of a vote (a battle record is one). */
export interface Vote {
  model_a: string;
  model_b: string;
  winner: 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';
}

/** Votes every backend needs before ratings are shown. */
export const minVotesForRatings = 10;

/** Resamples of the rating intervals. */
export const ratingResamples = 1_000;

/** One pair of backends: how `a` fared against `b`. */
export interface PairStanding {
  a: string;
  b: string;
  votes: number;
  winsA: number;
  winsB: number;
  /** Ties, both-bad votes included. */
  ties: number;
  bothBad: number;
  /** (winsA + ½·ties) / votes, with a 95 % Wilson interval. */
  winRateA: { value: number; ci95: [number, number] };
}

/** One backend's row. */
export interface Standing {
  model: string;
  votes: number;
  wins: number;
  losses: number;
  ties: number;
  /** Over all its votes, ties half; 95 % Wilson interval. */
  winRate: { value: number; ci95: [number, number] } | null;
  /** Elo-scale Bradley–Terry rating; null while ratings are not shown. */
  rating: number | null;
  ratingCi95: [number, number] | null;
  /** 1 + backends whose rating interval lies wholly above this one's; null without ratings. */
  rankUpper: number | null;
}

export interface Leaderboard {
  /** By rating when shown, else by win rate, then votes. */
  standings: Standing[];
  pairs: PairStanding[];
  totalVotes: number;
  /** Whether Bradley–Terry ratings are shown. */
  ratingsShown: boolean;
  /** One sentence on why ratings are (not yet) shown. */
  ratingsNote: string;
}

export interface LeaderboardOptions {
  minVotes?: number;
  resamples?: number;
  seed?: number;
  priorTies?: number;
}

/** Each side's score in a vote: 1 for a win, ½ for a tie or both bad. */
function scores(vote: Vote): [number, number] {
  if (vote.winner === 'model_a') return [1, 0];
  if (vote.winner === 'model_b') return [0, 1];
  return [0.5, 0.5];
}

const pairKey = (x: string, y: string): string => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);

/**
 * Bradley–Terry strengths on the Elo scale (see the module comment) for `models`, or null when
 * they are not all linked by votes (directly or through others) — then no common scale exists.
 * `priorPairs` are the pairs given `priorTies` virtual ties (default: the pairs in `votes`).
 */
export function bradleyTerryRatings(
  votes: readonly Vote[],
  models: readonly string[],
  priorTies = 1,
  priorPairs?: ReadonlyArray<readonly [string, string]>,
): Map<string, number> | null {
  const index = new Map(models.map((m, i) => [m, i]));
  const n = models.length;
  if (n === 0) return new Map();
  const games = Array.from({ length: n }, () => new Float64Array(n));
  /** won[i][j]: i's score from its votes against j. */
  const won = Array.from({ length: n }, () => new Float64Array(n));
  const score = new Float64Array(n);
  const add = (i: number, j: number, si: number, sj: number, weight = 1): void => {
    games[i]![j]! += weight;
    games[j]![i]! += weight;
    won[i]![j]! += si * weight;
    won[j]![i]! += sj * weight;
    score[i]! += si * weight;
    score[j]! += sj * weight;
  };
  for (const v of votes) {
    const i = index.get(v.model_a);
    const j = index.get(v.model_b);
    if (i === undefined || j === undefined || i === j) continue;
    const [si, sj] = scores(v);
    add(i, j, si, sj);
  }
  const prior = priorPairs ?? [...new Set(votes.map((v) => pairKey(v.model_a, v.model_b)))].map((k) => k.split('\u0000') as [string, string]);
  if (priorTies > 0) {
    for (const [x, y] of prior) {
      const i = index.get(x);
      const j = index.get(y);
      if (i !== undefined && j !== undefined && i !== j) add(i, j, 0.5, 0.5, priorTies);
    }
  }
  if (!stronglyConnected(won, n)) return null;
  let pi = new Float64Array(n).fill(1);
  for (let iteration = 0; iteration < 10_000; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let denominator = 0;
      for (let j = 0; j < n; j++) if (j !== i && games[i]![j]! > 0) denominator += games[i]![j]! / (pi[i]! + pi[j]!);
      next[i] = score[i]! / denominator;
    }
    // Scale so the geometric mean is 1 (the likelihood does not depend on the scale).
    let logMean = 0;
    for (let i = 0; i < n; i++) logMean += Math.log(next[i]!) / n;
    const scale = Math.exp(logMean);
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] = next[i]! / scale;
      change = Math.max(change, Math.abs(Math.log(next[i]! / pi[i]!)));
    }
    pi = next;
    if (change < 1e-12) break;
  }
  return new Map(models.map((m, i) => [m, 1000 + 400 * Math.log10(pi[i]!)]));
}

/**
 * Whether every backend can be reached from every other through "scored against" links (i
 * scored against j when it won or tied a vote with j): the condition for the maximum-likelihood
 * fit to exist (Ford, 1957).
 */
function stronglyConnected(won: Float64Array[], n: number): boolean {
  // i → j when i took some score from j: a tie (or the prior) links both ways, a win one way.
  const scoredAgainst = (i: number, j: number): boolean => won[i]![j]! > 0;
  const reach = (from: number, forward: boolean): number => {
    const seen = new Uint8Array(n);
    const stack = [from];
    seen[from] = 1;
    let count = 1;
    while (stack.length) {
      const i = stack.pop()!;
      for (let j = 0; j < n; j++) {
        if (seen[j] || !(forward ? scoredAgainst(i, j) : scoredAgainst(j, i))) continue;
        seen[j] = 1;
        count++;
        stack.push(j);
      }
    }
    return count;
  };
  return reach(0, true) === n && reach(0, false) === n;
}

function rateOf(score: number, votes: number): { value: number; ci95: [number, number] } | null {
  if (!(votes > 0)) return null;
  return { value: score / votes, ci95: wilsonInterval(score, votes)! };
}

/** The leaderboard of `votes` (see the module comment for every formula). */
export function leaderboard(votes: readonly Vote[], options: LeaderboardOptions = {}): Leaderboard {
  const minVotes = options.minVotes ?? minVotesForRatings;
  const resamples = options.resamples ?? ratingResamples;
  const priorTies = options.priorTies ?? 1;
  const valid = votes.filter((v) => v.model_a !== v.model_b);
  const models: string[] = [];
  const stats = new Map<string, { votes: number; wins: number; losses: number; ties: number; score: number }>();
  const pairs = new Map<string, PairStanding>();
  for (const v of valid) {
    for (const m of [v.model_a, v.model_b]) {
      if (!stats.has(m)) {
        models.push(m);
        stats.set(m, { votes: 0, wins: 0, losses: 0, ties: 0, score: 0 });
      }
    }
    const [sa, sb] = scores(v);
    const a = stats.get(v.model_a)!;
    const b = stats.get(v.model_b)!;
    a.votes++;
    b.votes++;
    a.score += sa;
    b.score += sb;
    if (sa === 1) {
      a.wins++;
      b.losses++;
    } else if (sb === 1) {
      b.wins++;
      a.losses++;
    } else {
      a.ties++;
      b.ties++;
    }
    const key = pairKey(v.model_a, v.model_b);
    let pair = pairs.get(key);
    if (!pair) {
      const [x, y] = v.model_a < v.model_b ? [v.model_a, v.model_b] : [v.model_b, v.model_a];
      pair = { a: x, b: y, votes: 0, winsA: 0, winsB: 0, ties: 0, bothBad: 0, winRateA: { value: 0, ci95: [0, 1] } };
      pairs.set(key, pair);
    }
    pair.votes++;
    const aIsX = v.model_a === pair.a;
    if (v.winner === 'tie' || v.winner === 'tie (bothbad)') {
      pair.ties++;
      if (v.winner === 'tie (bothbad)') pair.bothBad++;
    } else if ((v.winner === 'model_a') === aIsX) pair.winsA++;
    else pair.winsB++;
  }
  for (const pair of pairs.values()) pair.winRateA = rateOf(pair.winsA + pair.ties / 2, pair.votes)!;

  const enough = models.length >= 2 && models.every((m) => stats.get(m)!.votes >= minVotes);
  const priorPairs = [...pairs.values()].map((p) => [p.a, p.b] as const);
  const point = enough ? bradleyTerryRatings(valid, models, priorTies, priorPairs) : null;
  let ratingsNote: string;
  const intervals = new Map<string, [number, number]>();
  if (!enough) {
    const short = models.filter((m) => stats.get(m)!.votes < minVotes);
    ratingsNote =
      models.length < 2
        ? `Ratings need votes on at least two backends; each needs ${minVotes}.`
        : `Ratings appear once every backend has ${minVotes} votes (${short.length} ha${short.length === 1 ? 's' : 've'} fewer); until then, compare win rates with their intervals.`;
  } else if (!point) {
    ratingsNote = 'Ratings need every backend linked to the others by votes (directly or through another backend); some were never compared.';
  } else {
    ratingsNote = `Bradley–Terry ratings (1000 = the average backend here) with 95 % bootstrap intervals over ${valid.length} votes; ties count half.`;
    const random = seededRandom(options.seed ?? 1);
    const samples = new Map(models.map((m) => [m, [] as number[]]));
    const draw = new Array<Vote>(valid.length);
    for (let r = 0; r < resamples; r++) {
      for (let i = 0; i < valid.length; i++) draw[i] = valid[Math.floor(random() * valid.length)]!;
      const fit = bradleyTerryRatings(draw, models, priorTies, priorPairs);
      if (!fit) continue;
      for (const m of models) samples.get(m)!.push(fit.get(m)!);
    }
    for (const m of models) {
      const values = samples.get(m)!;
      if (values.length >= resamples / 2) intervals.set(m, [percentile(values, 2.5)!, percentile(values, 97.5)!]);
    }
  }

  const standings: Standing[] = models.map((m) => {
    const s = stats.get(m)!;
    return {
      model: m,
      votes: s.votes,
      wins: s.wins,
      losses: s.losses,
      ties: s.ties,
      winRate: rateOf(s.score, s.votes),
      rating: point?.get(m) ?? null,
      ratingCi95: intervals.get(m) ?? null,
      rankUpper: null,
    };
  });
  if (point) {
    for (const s of standings) {
      if (!s.ratingCi95) continue;
      const upper = s.ratingCi95[1];
      s.rankUpper = 1 + standings.filter((o) => o !== s && o.ratingCi95 && o.ratingCi95[0] > upper).length;
    }
  }
  standings.sort(
    (x, y) =>
      (y.rating ?? -Infinity) - (x.rating ?? -Infinity) ||
      (y.winRate?.value ?? -1) - (x.winRate?.value ?? -1) ||
      y.votes - x.votes ||
      (x.model < y.model ? -1 : 1),
  );
  return { standings, pairs: [...pairs.values()], totalVotes: valid.length, ratingsShown: point !== null, ratingsNote };
}
