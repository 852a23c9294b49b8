/**
 * Messages between the extension host and the Blind A/B panel (`bakeoff.arena`), and the view
 * model it renders. The panel is blind by construction: until the vote, the host sends it only
 * the prompt and, once *both* answers have ended, the two texts — no names, kinds, models,
 * costs, timings or per-side progress, so neither a label nor streaming speed gives a side away.
 * The reveal, after the vote, carries the names and figures. Leaderboard figures come computed
 * from src/core/leaderboard.ts; the panel only formats them (src/core/format.ts).
 *
 * The webview imports only types from here (zod stays out of its bundle).
 */
import { z } from 'zod';
import { BackendKind } from '../core/config';
import { terminalStatuses } from '../core/types';
import { parseMessage, type Parsed } from './protocol';

const shortText = z.string().max(2_000);
const finiteOrNull = z.number().finite().nullable();
const interval = z.tuple([z.number().finite(), z.number().finite()]);

export const ArenaVoteSchema = z.enum(['a', 'b', 'tie', 'bothBad']);

/** One side after the reveal. */
export const RevealedSide = z.object({
  label: z.string().max(200),
  kind: BackendKind,
  model: z.string().max(300),
  status: z.enum(terminalStatuses),
  /** How it ended, in the words of every view (`Done in 1.24 s`, `✗ HTTP 500 …`). */
  stateLine: shortText,
  ttftMs: finiteOrNull,
  totalMs: finiteOrNull,
  outputTokens: finiteOrNull,
  costUsd: finiteOrNull,
  /** How the cost was obtained (as the comparison panel badges it). */
  costBadge: z.enum(['reported', 'estimated', 'free', 'unknown']),
});
export type RevealedSide = z.infer<typeof RevealedSide>;

/** The battle on screen. */
export const BattleView = z.object({
  battleId: z.string().min(1).max(200),
  promptPreview: z.string().max(2_000),
  /**
   * `waiting`: both requests run, nothing shown; `voting`: both answers shown; `void`: a side
   * delivered no answer, so there is nothing to vote on; `revealed`: voted (or void and revealed).
   * `cancelled`: stopped before both answers ended.
   */
  phase: z.enum(['waiting', 'voting', 'void', 'revealed', 'cancelled']),
  /** Both answers, once both have ended (never one without the other). */
  answers: z.object({ a: z.string(), b: z.string() }).nullable(),
  /** Why there is nothing to vote on (phase `void`), without naming a side's backend. */
  voidReason: shortText.nullable(),
  vote: ArenaVoteSchema.nullable(),
  reveal: z.object({ a: RevealedSide, b: RevealedSide }).nullable(),
});
export type BattleView = z.infer<typeof BattleView>;

/** One row of the leaderboard. */
export const StandingView = z.object({
  label: z.string().max(200),
  /** The name in the votes (`backendId/model`). */
  name: z.string().max(400),
  votes: z.number().int().nonnegative(),
  wins: z.number().int().nonnegative(),
  losses: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  winRate: finiteOrNull,
  winRateCi95: interval.nullable(),
  rating: finiteOrNull,
  ratingCi95: interval.nullable(),
  rankUpper: z.number().int().positive().nullable(),
});
export type StandingView = z.infer<typeof StandingView>;

export const PairView = z.object({
  aLabel: z.string().max(200),
  bLabel: z.string().max(200),
  votes: z.number().int().nonnegative(),
  winsA: z.number().int().nonnegative(),
  winsB: z.number().int().nonnegative(),
  ties: z.number().int().nonnegative(),
  bothBad: z.number().int().nonnegative(),
  /** a's win rate against b (ties half) with its Wilson interval. */
  winRateA: z.number().finite(),
  winRateCi95: interval,
});
export type PairView = z.infer<typeof PairView>;

export const LeaderboardView = z.object({
  standings: z.array(StandingView).max(1_000),
  pairs: z.array(PairView).max(10_000),
  totalVotes: z.number().int().nonnegative(),
  ratingsShown: z.boolean(),
  ratingsNote: shortText,
});
export type LeaderboardView = z.infer<typeof LeaderboardView>;

export const ArenaState = z.object({
  battle: BattleView.nullable(),
  leaderboard: LeaderboardView.nullable(),
});
export type ArenaState = z.infer<typeof ArenaState>;

/** Host → arena webview: always the whole (small) state. */
export const HostToArenaMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('arenaState'), state: ArenaState }),
  z.object({ type: z.literal('noticeShown'), level: z.enum(['info', 'warning', 'error']), message: z.string().max(1_000) }),
]);
export type HostToArenaMessage = z.infer<typeof HostToArenaMessage>;

/** Arena webview → host. */
export const ArenaToHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('vote'), battleId: z.string().min(1).max(200), vote: ArenaVoteSchema }),
  /** Reveal a void battle (nothing to vote on). */
  z.object({ type: z.literal('reveal'), battleId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('cancel') }),
  /** Another blind comparison (asks for the prompt and backends again). */
  z.object({ type: z.literal('again') }),
  z.object({ type: z.literal('exportVotes') }),
  /** Open the revealed battle in the comparison panel (read-only). */
  z.object({ type: z.literal('openInPanel'), battleId: z.string().min(1).max(200) }),
  z.object({ type: z.literal('openLink'), url: z.string().min(1).max(4_096) }),
]);
export type ArenaToHostMessage = z.infer<typeof ArenaToHostMessage>;

/** Validates a message from the arena webview; never throws. */
export function parseArenaMessage(raw: unknown): Parsed<ArenaToHostMessage> {
  return parseMessage(ArenaToHostMessage, raw);
}
