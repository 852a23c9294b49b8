import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arenaModelName, battleRecord, battlesToJsonl, drawPairing, winnerOf } from '../../src/core/arena';
import { BattleRecord } from '../../src/core/history';
import { bradleyTerryRatings, leaderboard, type Vote } from '../../src/core/leaderboard';
import { seededRandom } from '../../src/core/stats';

const pool = [
  { id: 'openai', label: 'OpenAI', model: 'gpt-4o-mini' },
  { id: 'chutes', label: 'Chutes', model: 'deepseek-ai/DeepSeek-V3' },
  { id: 'targon', label: 'Targon', model: 'deepseek-ai/DeepSeek-V3' },
];

test('pairs are drawn uniformly from the pool and each display order is equally likely', () => {
  const random = seededRandom(42);
  const pairCounts = new Map<string, number>();
  const firstShown = new Map<string, number>();
  let swaps = 0;
  const draws = 30_000;
  for (let i = 0; i < draws; i++) {
    const p = drawPairing(pool, random);
    assert.notEqual(p.a.id, p.b.id);
    const key = [p.a.id, p.b.id].sort().join('+');
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
    firstShown.set(p.a.id, (firstShown.get(p.a.id) ?? 0) + 1);
    if (p.swapped) swaps++;
  }
  assert.equal(pairCounts.size, 3);
  for (const [pair, n] of pairCounts) assert.ok(Math.abs(n / draws - 1 / 3) < 0.015, `${pair}: ${n}`);
  for (const [id, n] of firstShown) assert.ok(Math.abs(n / draws - 1 / 3) < 0.015, `${id} shown as A: ${n}`);
  assert.ok(Math.abs(swaps / draws - 0.5) < 0.015, `swapped ${swaps}`);
});

test('named pairs keep the two backends and only the order is drawn', () => {
  const seen = new Set<string>();
  for (const r of [0.1, 0.9]) {
    const p = drawPairing(pool, () => r, ['targon', 'openai']);
    seen.add(`${p.a.id}>${p.b.id}:${p.swapped}`);
  }
  assert.deepEqual([...seen].sort(), ['openai>targon:true', 'targon>openai:false']);
  assert.throws(() => drawPairing(pool, Math.random, ['openai', 'openai']), /two different backends/);
  assert.throws(() => drawPairing(pool, Math.random, ['openai', 'nope']), /Unknown backend: nope/);
  assert.throws(() => drawPairing(pool.slice(0, 1), Math.random), /at least two backends/);
});

test('a vote is stored in the battle schema: model_a is what was shown as A', () => {
  const pairing = drawPairing(pool, () => 0.1, ['openai', 'chutes']);
  assert.equal(pairing.swapped, true);
  const record = battleRecord({ battleId: 'b1', runId: 'r1', pairing, vote: 'a', at: new Date('2026-01-02T03:04:05.500Z') });
  assert.equal(record.model_a, 'chutes/deepseek-ai/DeepSeek-V3');
  assert.equal(record.model_b, 'openai/gpt-4o-mini');
  assert.equal(record.winner, 'model_a');
  assert.equal(record.tstamp, 1767323045.5);
  assert.equal(record.swapped, true);
  assert.ok(BattleRecord.safeParse(record).success);
  assert.deepEqual(['a', 'b', 'tie', 'bothBad'].map((v) => winnerOf(v as never)), ['model_a', 'model_b', 'tie', 'tie (bothbad)']);
  assert.equal(arenaModelName({ id: 'x', model: 'y/z' }), 'x/y/z');

  const jsonl = battlesToJsonl([record, { ...record, battleId: 'b2', winner: 'tie (bothbad)', swapped: false }]);
  const lines = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0]).sort(), ['anony', 'judge', 'model_a', 'model_b', 'question_id', 'swapped', 'tstamp', 'turn', 'winner']);
  assert.deepEqual(lines[0], {
    question_id: 'r1',
    model_a: 'chutes/deepseek-ai/DeepSeek-V3',
    model_b: 'openai/gpt-4o-mini',
    winner: 'model_a',
    judge: 'bakeoff-user',
    turn: 1,
    anony: true,
    tstamp: 1767323045.5,
    swapped: true,
  });
  assert.equal(lines[1].winner, 'tie (bothbad)');
});

const v = (a: string, b: string, winner: Vote['winner'], times = 1): Vote[] => Array.from({ length: times }, () => ({ model_a: a, model_b: b, winner }));

test('Bradley–Terry against hand-computed ratings', () => {
  const close = (actual: number | undefined, expected: number, what: string) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
  // A beats B 3 times, B beats A once: πA/πB = 3, so 1000 ± 200·log10 3.
  const plain = bradleyTerryRatings([...v('A', 'B', 'model_a', 3), ...v('B', 'A', 'model_a')], ['A', 'B'], 0)!;
  close(plain.get('A'), 1095.424250943932, 'A');
  close(plain.get('B'), 904.575749056068, 'B');
  // With one virtual tie: 3.5 vs 1.5, πA/πB = 7/3 → 1000 ± 200·log10(7/3).
  const prior = bradleyTerryRatings([...v('A', 'B', 'model_a', 3), ...v('B', 'A', 'model_a')], ['A', 'B'])!;
  close(prior.get('A'), 1073.595357058919, 'A with the prior');
  // Ties count half: 2 wins + 2 ties against 0 wins is 3 : 1, the same as above.
  const ties = bradleyTerryRatings([...v('A', 'B', 'model_a', 2), ...v('A', 'B', 'tie'), ...v('B', 'A', 'tie (bothbad)')], ['A', 'B'], 0)!;
  close(ties.get('A'), 1095.424250943932, 'A with ties');
  // A chain A–B (2:1) and B–C (2:1): π = 4 : 2 : 1 → 1000 + 400·log10 2, 1000, 1000 − 400·log10 2.
  const chain = bradleyTerryRatings([...v('A', 'B', 'model_a', 2), ...v('A', 'B', 'model_b'), ...v('B', 'C', 'model_a', 2), ...v('C', 'B', 'model_a')], ['A', 'B', 'C'], 0)!;
  close(chain.get('A'), 1120.411998265592, 'chain A');
  close(chain.get('B'), 1000, 'chain B');
  close(chain.get('C'), 879.588001734408, 'chain C');
  // The same chain with one virtual tie per pair that met: 2.5 : 1.5 each → ±400·log10(5/3).
  const chainPrior = bradleyTerryRatings([...v('A', 'B', 'model_a', 2), ...v('A', 'B', 'model_b'), ...v('B', 'C', 'model_a', 2), ...v('C', 'B', 'model_a')], ['A', 'B', 'C'])!;
  close(chainPrior.get('A'), 1088.739499846543, 'chain A with the prior');
  close(chainPrior.get('C'), 911.260500153457, 'chain C with the prior');
  // A cycle of single wins: everyone equal.
  const cycle = bradleyTerryRatings([...v('A', 'B', 'model_a'), ...v('B', 'C', 'model_a'), ...v('C', 'A', 'model_a')], ['A', 'B', 'C'], 0)!;
  for (const m of ['A', 'B', 'C']) close(cycle.get(m), 1000, `cycle ${m}`);
  // An unbeaten backend has no finite maximum-likelihood rating without the prior.
  assert.equal(bradleyTerryRatings(v('A', 'B', 'model_a', 5), ['A', 'B'], 0), null);
  assert.ok(bradleyTerryRatings(v('A', 'B', 'model_a', 5), ['A', 'B']) !== null);
  // Two groups never compared: no common scale.
  assert.equal(bradleyTerryRatings([...v('A', 'B', 'tie'), ...v('C', 'D', 'tie')], ['A', 'B', 'C', 'D']), null);
});

test('the fit satisfies the likelihood equations on uneven data', () => {
  const votes = [...v('A', 'B', 'model_a', 3), ...v('B', 'A', 'model_a'), ...v('B', 'C', 'model_a', 3), ...v('C', 'B', 'model_a'), ...v('C', 'A', 'model_a', 2), ...v('A', 'C', 'model_a'), ...v('A', 'C', 'tie')];
  const ratings = bradleyTerryRatings(votes, ['A', 'B', 'C'], 0)!;
  const pi = (m: string) => 10 ** ((ratings.get(m)! - 1000) / 400);
  for (const m of ['A', 'B', 'C']) {
    let observed = 0;
    let expected = 0;
    for (const vote of votes) {
      if (vote.model_a !== m && vote.model_b !== m) continue;
      const other = vote.model_a === m ? vote.model_b : vote.model_a;
      const mine = vote.winner === 'model_a' ? (vote.model_a === m ? 1 : 0) : vote.winner === 'model_b' ? (vote.model_b === m ? 1 : 0) : 0.5;
      observed += mine;
      expected += pi(m) / (pi(m) + pi(other));
    }
    assert.ok(Math.abs(observed - expected) < 1e-8, `${m}: ${observed} vs ${expected}`);
  }
});

test('leaderboard: Wilson win rates per pair while votes are few, ratings with intervals once enough', () => {
  const few = leaderboard([...v('A', 'B', 'model_a', 5), ...v('B', 'A', 'model_a', 2), ...v('A', 'B', 'tie'), ...v('B', 'A', 'tie (bothbad)')]);
  assert.equal(few.totalVotes, 9);
  assert.equal(few.ratingsShown, false);
  assert.match(few.ratingsNote, /once every backend has 10 votes \(2 have fewer\)/);
  assert.equal(leaderboard([...v('A', 'B', 'model_a', 6), ...v('B', 'A', 'model_a', 4)]).ratingsShown, true, '10 votes each are enough');
  const small = leaderboard([...v('A', 'B', 'model_a', 5), ...v('B', 'A', 'model_a'), ...v('A', 'B', 'tie')]);
  assert.equal(small.ratingsShown, false);
  assert.equal(small.standings[0]!.rating, null);
  const pair = small.pairs[0]!;
  assert.deepEqual([pair.a, pair.b, pair.votes, pair.winsA, pair.winsB, pair.ties], ['A', 'B', 7, 5, 1, 1]);
  // (5 + ½) / 7 with its Wilson interval; A's overall win rate is the same.
  assert.ok(Math.abs(pair.winRateA.value - 5.5 / 7) < 1e-12);
  const [lo, hi] = pair.winRateA.ci95;
  assert.ok(Math.abs(lo - 0.420078) < 1e-6 && Math.abs(hi - 0.948876) < 1e-6, `${lo} ${hi}`);
  assert.equal(small.standings[0]!.model, 'A');
  // 7 of 10: the textbook Wilson interval [0.3968, 0.8922].
  const seven = leaderboard([...v('A', 'B', 'model_a', 7), ...v('A', 'B', 'model_b', 3)], { minVotes: 100 });
  const [a7lo, a7hi] = seven.standings[0]!.winRate!.ci95;
  assert.ok(Math.abs(a7lo - 0.396778) < 1e-6 && Math.abs(a7hi - 0.892209) < 1e-6, `${a7lo} ${a7hi}`);

  const many = leaderboard([...v('A', 'B', 'model_a', 30), ...v('B', 'A', 'model_a', 10), ...v('B', 'C', 'model_a', 25), ...v('C', 'B', 'model_a', 15), ...v('A', 'C', 'tie', 5)]);
  assert.equal(many.ratingsShown, true);
  assert.deepEqual(many.standings.map((s) => s.model), ['A', 'B', 'C']);
  for (const s of many.standings) {
    assert.ok(s.rating !== null && s.ratingCi95 !== null);
    assert.ok(s.ratingCi95[0] <= s.rating && s.rating <= s.ratingCi95[1], `${s.model}: ${s.ratingCi95} around ${s.rating}`);
  }
  assert.equal(many.standings[0]!.rankUpper, 1);
  assert.ok(many.standings[2]!.rankUpper! >= 2, 'C is behind A beyond doubt');
  // Deterministic for a seed.
  assert.deepEqual(leaderboard([...v('A', 'B', 'model_a', 30), ...v('B', 'A', 'model_a', 10), ...v('B', 'C', 'model_a', 25), ...v('C', 'B', 'model_a', 15), ...v('A', 'C', 'tie', 5)]).standings, many.standings);
});
