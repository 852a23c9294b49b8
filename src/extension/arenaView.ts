/**
 * What the Blind A/B panel may see of a battle, and the leaderboard as it shows it. Kept apart
 * from the commands (and from `vscode`) so the blinding rules are tested on their own: answers
 * only once both have ended, names and figures only once revealed.
 */
import type { ArenaVote, BlindPairing } from '../core/arena';
import type { Backend } from '../core/config';
import { trialStateLine } from '../core/format';
import type { BattleRecord, HistoryContents } from '../core/history';
import { leaderboard } from '../core/leaderboard';
import { costBadgeOf, isDelivered } from '../core/summary';
import type { TrialResult } from '../core/types';
import type { BattleView, LeaderboardView, RevealedSide } from '../shared/arenaProtocol';

/** A side of a battle: the backend as it was when the battle ran. */
export interface Side {
  id: string;
  label: string;
  kind: Backend['kind'];
  model: string;
}

/** The battle the panel shows. */
export interface Battle {
  battleId: string;
  runId: string;
  promptPreview: string;
  pairing: BlindPairing<Side>;
  phase: BattleView['phase'];
  results: { a: TrialResult; b: TrialResult } | null;
  vote: ArenaVote | null;
  revealed: boolean;
  abort: AbortController | null;
}

export function side(s: Side): Side {
  return { id: s.id, label: s.label, kind: s.kind, model: s.model };
}

export function voteOf(record: BattleRecord): ArenaVote {
  return record.winner === 'model_a' ? 'a' : record.winner === 'model_b' ? 'b' : record.winner === 'tie' ? 'tie' : 'bothBad';
}

function revealedSide(s: Side, r: TrialResult): RevealedSide {
  return {
    label: s.label,
    kind: s.kind,
    model: s.model,
    status: r.status,
    stateLine: trialStateLine(r).slice(0, 2_000),
    ttftMs: r.metrics.ttftMs,
    totalMs: r.metrics.totalMs,
    outputTokens: r.metrics.outputTokens,
    costUsd: r.cost.costUsd,
    costBadge: costBadgeOf(r.cost, r.metrics.tokenSource),
  };
}

/** What the panel may see of a battle: answers only once both ended, names only once revealed. */
export function battleView(battle: Battle): BattleView {
  const { results, pairing } = battle;
  const ended = battle.phase !== 'waiting' && battle.phase !== 'cancelled' && results !== null;
  let voidReason: string | null = null;
  if (battle.phase === 'void' && results) {
    const failed = (['a', 'b'] as const).filter((k) => !isDelivered(results[k]));
    voidReason = `${failed.map((k) => `Answer ${k.toUpperCase()}`).join(' and ')} delivered no answer, so there is nothing to vote on. Reveal to see who answered and what went wrong.`;
  }
  return {
    battleId: battle.battleId,
    promptPreview: battle.promptPreview,
    phase: battle.phase,
    answers: ended ? { a: results.a.text, b: results.b.text } : null,
    voidReason,
    vote: battle.vote,
    reveal: battle.revealed && results ? { a: revealedSide(pairing.a, results.a), b: revealedSide(pairing.b, results.b) } : null,
  };
}

/** The leaderboard of every stored vote, named with the latest label of each backend. */
export function leaderboardView(contents: Pick<HistoryContents, 'battles'>): LeaderboardView {
  const board = leaderboard(contents.battles);
  const labels = new Map<string, string>();
  for (const b of contents.battles) {
    labels.set(b.model_a, b.label_a || b.model_a);
    labels.set(b.model_b, b.label_b || b.model_b);
  }
  const label = (name: string) => labels.get(name) ?? name;
  return {
    standings: board.standings.map((s) => ({
      label: label(s.model),
      name: s.model,
      votes: s.votes,
      wins: s.wins,
      losses: s.losses,
      ties: s.ties,
      winRate: s.winRate?.value ?? null,
      winRateCi95: s.winRate?.ci95 ?? null,
      rating: s.rating,
      ratingCi95: s.ratingCi95,
      rankUpper: s.rankUpper,
    })),
    pairs: board.pairs.map((p) => ({ aLabel: label(p.a), bLabel: label(p.b), votes: p.votes, winsA: p.winsA, winsB: p.winsB, ties: p.ties, bothBad: p.bothBad, winRateA: p.winRateA.value, winRateCi95: p.winRateA.ci95 })),
    totalVotes: board.totalVotes,
    ratingsShown: board.ratingsShown,
    ratingsNote: board.ratingsNote,
  };
}
