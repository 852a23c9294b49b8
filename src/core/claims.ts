/**
 * The claims Bakeoff exists to check, and the verdict of a run on each. Shared by the suite
 * reports, `bakeoff reproduce` and the editor, so they all judge the same way.
 *
 * A claim is compared with the figure measured on the run and its 95 % interval, for each
 * decentralized backend against the closed reference (the first closed backend that delivered):
 * - *consistent*: the claimed value (or range) lies inside the interval and the interval is not
 *   flagged wide;
 * - *not consistent*: the interval excludes it — however wide the interval is;
 * - *too few samples*: no interval could be computed, or the claim lies inside an interval
 *   too wide to say anything;
 * - *not measured*: the suite has no figure for it (no prices, no graded tests…).
 */
import { summarizeSuite, type DiffFigure, type SuiteSummary, type SuiteSummaryInput } from './suite/suiteSummary';

export type ClaimId = 'latency' | 'cost' | 'completion' | 'accuracyGap';

export interface Claim {
  id: ClaimId;
  /** As published. */
  text: string;
  /** A point value, or a range. Latency: a ratio; cost: a fraction saved; completion: a rate; gap: points as a fraction. */
  claimed: { point: number } | { range: [number, number] };
  /** What Bakeoff measures for it. */
  measures: string;
}

/** The seed's claims (README → "Decentralized networks publish striking claims"). */
export const seedClaims: readonly Claim[] = Object.freeze([
  {
    id: 'latency',
    text: 'Latency ≈ 2.4× a single-region data centre',
    claimed: { point: 2.4 },
    measures: 'total time p50 of the decentralized backend ÷ the closed backend’s (ratio of medians, cluster bootstrap over tests)',
  },
  {
    id: 'cost',
    text: 'Cost ≈ 60 % lower',
    claimed: { point: 0.6 },
    measures: '1 − median answer cost of the decentralized backend ÷ the closed backend’s',
  },
  {
    id: 'completion',
    text: '87 % task completion',
    claimed: { point: 0.87 },
    measures: 'pass rate of the decentralized backend: delivered and correct (Wilson interval)',
  },
  {
    id: 'accuracyGap',
    text: '9–14 point accuracy gap (long-context reasoning)',
    claimed: { range: [0.09, 0.14] },
    measures: 'accuracy of the closed backend − the decentralized backend’s, paired over tests; per context length when the suite has lengths',
  },
] as Claim[]);

export type Verdict = 'consistent' | 'not consistent' | 'too few samples' | 'not measured';

export interface ClaimRow {
  claim: ClaimId;
  text: string;
  /** The claim as a range (a point claim has low = high). */
  claimedRange: [number, number];
  decentralized: string;
  closed: string;
  /** `all tests`, or `length 32k`. */
  scope: string;
  measured: number | null;
  ci95: [number, number] | null;
  verdict: Verdict;
  /** Why, in one sentence. */
  note: string;
}

/** The closed backend claims are measured against: the baseline when it is closed, else the first closed one that delivered. */
export function claimsReference(summary: SuiteSummary): string | null {
  const base = summary.backends.find((b) => b.id === summary.baseline.id);
  if (base?.kind === 'closed') return base.id;
  return summary.backends.find((b) => b.kind === 'closed' && b.delivered > 0)?.id ?? null;
}

/** Whether a run has what a claims table needs: at least one closed and one decentralized backend. */
export function hasClaimsTable(summary: Pick<SuiteSummary, 'backends'>): boolean {
  return summary.backends.some((b) => b.kind === 'closed') && summary.backends.some((b) => b.kind === 'decentralized');
}

/** The verdict for a claimed range against a measured interval. */
export function verdictFor(claimed: [number, number], ci95: [number, number] | null, wide: boolean): Verdict {
  if (!ci95) return 'too few samples';
  // A relative tolerance of 1e-9 keeps float rounding (1 − 0.4 = 0.6000000000000001) from deciding.
  const eps = 1e-9 * Math.max(1, Math.abs(claimed[0]), Math.abs(claimed[1]));
  const overlaps = claimed[0] <= ci95[1] + eps && claimed[1] >= ci95[0] - eps;
  if (!overlaps) return 'not consistent';
  return wide ? 'too few samples' : 'consistent';
}

const rangeOf = (c: Claim): [number, number] => ('point' in c.claimed ? [c.claimed.point, c.claimed.point] : c.claimed.range);

function row(
  claim: Claim,
  decentralized: string,
  closed: string,
  scope: string,
  measured: number | null,
  ci95: [number, number] | null,
  wide: boolean,
  missing: string | null,
): ClaimRow {
  const claimedRange = rangeOf(claim);
  if (measured === null || missing) {
    return { claim: claim.id, text: claim.text, claimedRange, decentralized, closed, scope, measured: null, ci95: null, verdict: 'not measured', note: missing ?? 'not measured by this suite' };
  }
  const verdict = verdictFor(claimedRange, ci95, wide);
  const note =
    verdict === 'consistent'
      ? 'the claim lies inside the 95 % interval'
      : verdict === 'not consistent'
        ? 'the 95 % interval excludes the claim'
        : ci95
          ? 'the interval is too wide to say: run more tests'
          : 'too few tests for an interval (needs 3 or more)';
  return { claim: claim.id, text: claim.text, claimedRange, decentralized, closed, scope, measured, ci95, verdict, note };
}

/** Gap = closed − decentralized, from a difference measured as decentralized − closed. */
function gapOf(diff: DiffFigure | null): { value: number | null; ci95: [number, number] | null; wide: boolean } {
  if (!diff) return { value: null, ci95: null, wide: false };
  return { value: -diff.value, ci95: diff.ci95 ? [-diff.ci95[1], -diff.ci95[0]] : null, wide: diff.wide };
}

/**
 * The claims table of a run: one row per claim (and per context length for the accuracy gap)
 * for each decentralized backend. Empty when the run lacks a closed or a decentralized backend.
 * `input` is what `summary` was computed from: when the summary's baseline is not the closed
 * reference, the figures are computed again against it (same rules, same module).
 */
export function evaluateClaims(input: SuiteSummaryInput, summary: SuiteSummary = summarizeSuite(input)): ClaimRow[] {
  if (!hasClaimsTable(summary)) return [];
  const closed = claimsReference(summary);
  const decentralized = summary.backends.filter((b) => b.kind === 'decentralized');
  if (!closed) {
    return decentralized.flatMap((d) =>
      seedClaims.map((c) => row(c, d.id, '—', 'all tests', null, null, false, 'no closed backend delivered an answer')),
    );
  }
  const against = summary.baseline.id === closed ? summary : summarizeSuite({ ...input, baselineId: closed });
  const rows: ClaimRow[] = [];
  for (const d of decentralized) {
    const b = against.backends.find((x) => x.id === d.id)!;
    const vs = b.vsBaseline;
    for (const claim of seedClaims) {
      if (claim.id === 'latency') {
        const r = vs?.latencyRatio ?? null;
        rows.push(row(claim, d.id, closed, 'all tests', r?.value ?? null, r?.ci95 ?? null, r?.wide ?? false, b.delivered === 0 ? `${d.id} delivered no answer` : null));
      } else if (claim.id === 'cost') {
        const r = vs?.costRatio ?? null;
        const missing =
          b.delivered === 0
            ? `${d.id} delivered no answer`
            : vs?.costComparison === 'difference'
              ? 'the closed backend cost $0: a saving in % means nothing'
              : !r
                ? 'a cost is unknown (no price for a backend)'
                : null;
        rows.push(row(claim, d.id, closed, 'all tests', r ? 1 - r.value : null, r?.ci95 ? [1 - r.ci95[1], 1 - r.ci95[0]] : null, r?.wide ?? false, missing));
      } else if (claim.id === 'completion') {
        const p = b.passRate;
        rows.push(row(claim, d.id, closed, 'all tests', p?.value ?? null, p?.ci95 ?? null, p?.wide ?? false, p ? null : 'the suite grades no answer (no assertions ran)'));
      } else {
        const gap = gapOf(vs?.accuracyDiff ?? null);
        rows.push(row(claim, d.id, closed, 'all tests', gap.value, gap.ci95, gap.wide, gap.value === null ? 'the suite grades no answer on both backends' : null));
        for (const group of against.byLength) {
          const g = gapOf(group.backends.find((x) => x.backend === d.id)?.accuracyDiff ?? null);
          rows.push(row(claim, d.id, closed, `length ${group.label}`, g.value, g.ci95, g.wide, g.value === null ? 'no graded answers at this length on both backends' : null));
        }
      }
    }
  }
  return rows;
}
