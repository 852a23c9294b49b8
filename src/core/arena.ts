/**
 * Blind A/B comparisons: which two backends meet, in which order they are shown, how a vote is
 * recorded, and the export of votes in the battle schema of public arenas (one JSON object per
 * line with `model_a`, `model_b`, `winner`, `tstamp`, as in Chatbot Arena's battle logs).
 *
 * Randomness is passed in (`random`: a function returning [0, 1)), so the draws can be tested.
 */
import { historyVersion, type BattleRecord, type BattleWinner } from './history';

/** A backend taking part in a blind comparison. */
export interface Contender {
  id: string;
  label: string;
  model: string;
}

/** Two contenders as shown: `a` on the left (A), `b` on the right (B). */
export interface BlindPairing<T extends Contender = Contender> {
  a: T;
  b: T;
  /** Whether the display order is the reverse of the drawn (or named) order. */
  swapped: boolean;
}

/** What the user answered. */
export const arenaVotes = ['a', 'b', 'tie', 'bothBad'] as const;
export type ArenaVote = (typeof arenaVotes)[number];

/** How a backend is named in votes: its id and model, so a model change starts a new entry. */
export function arenaModelName(backend: Pick<Contender, 'id' | 'model'>): string {
  return `${backend.id}/${backend.model}`;
}

/** A uniform draw from 0 … n−1. */
function drawIndex(n: number, random: () => number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/**
 * Two different contenders drawn uniformly from `pool` (every pair equally likely), or the two
 * `named` ones; then the display order is drawn (each order equally likely). Throws when fewer
 * than two distinct contenders are available.
 */
export function drawPairing<T extends Contender>(pool: readonly T[], random: () => number, named?: readonly [string, string]): BlindPairing<T> {
  let first: T;
  let second: T;
  if (named) {
    const x = pool.find((c) => c.id === named[0]);
    const y = pool.find((c) => c.id === named[1]);
    if (!x || !y) throw new Error(`Unknown backend: ${!x ? named[0] : named[1]}`);
    if (x.id === y.id) throw new Error('A blind comparison needs two different backends.');
    [first, second] = [x, y];
  } else {
    const distinct = pool.filter((c, i) => pool.findIndex((o) => o.id === c.id) === i);
    if (distinct.length < 2) throw new Error('A blind comparison needs at least two backends.');
    const i = drawIndex(distinct.length, random);
    let j = drawIndex(distinct.length - 1, random);
    if (j >= i) j++;
    [first, second] = [distinct[i]!, distinct[j]!];
  }
  const swapped = random() < 0.5;
  return swapped ? { a: second, b: first, swapped } : { a: first, b: second, swapped };
}

/** The battle-log verdict of a vote. */
export function winnerOf(vote: ArenaVote): BattleWinner {
  switch (vote) {
    case 'a':
      return 'model_a';
    case 'b':
      return 'model_b';
    case 'tie':
      return 'tie';
    case 'bothBad':
      return 'tie (bothbad)';
  }
}

/** A vote as stored in the history (`model_a` is what was shown as A). */
export function battleRecord(fields: {
  battleId: string;
  runId: string;
  pairing: BlindPairing;
  vote: ArenaVote;
  at?: Date;
}): BattleRecord {
  const { pairing } = fields;
  return {
    type: 'battle',
    v: historyVersion,
    battleId: fields.battleId,
    runId: fields.runId,
    model_a: arenaModelName(pairing.a),
    model_b: arenaModelName(pairing.b),
    label_a: pairing.a.label,
    label_b: pairing.b.label,
    winner: winnerOf(fields.vote),
    tstamp: (fields.at ?? new Date()).getTime() / 1000,
    swapped: pairing.swapped,
  };
}

/** One line of the votes export. */
export interface BattleExportRow {
  question_id: string;
  model_a: string;
  model_b: string;
  winner: BattleWinner;
  judge: string;
  turn: number;
  anony: boolean;
  tstamp: number;
  swapped: boolean;
}

/** The votes as JSONL in the public battle schema (one object per line, oldest first). */
export function battlesToJsonl(battles: readonly BattleRecord[]): string {
  return battles
    .map((b): BattleExportRow => ({
      question_id: b.runId,
      model_a: b.model_a,
      model_b: b.model_b,
      winner: b.winner,
      judge: 'bakeoff-user',
      turn: 1,
      anony: true,
      tstamp: b.tstamp,
      swapped: b.swapped,
    }))
    .map((row) => `${JSON.stringify(row)}\n`)
    .join('');
}
