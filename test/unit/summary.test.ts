import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJsonReport, summarizeComparison } from '../../src/core/report';
import { wilsonInterval } from '../../src/core/stats';
import { summarize, isDelivered } from '../../src/core/summary';
import type { TerminalStatus, TrialResult } from '../../src/core/types';
import { panelSummary } from '../../src/shared/panelSummary';
import { emptyPanelState } from '../../src/shared/panelReducer';
import { toTrialSnapshot, type PanelState } from '../../src/shared/protocol';
import { makeComparison, makeTrial } from './helpers/makeResult';

const t = (backendId: string, trial: number, status: TerminalStatus, ttftMs: number | null, totalMs: number | null, extra: Partial<TrialResult> = {}) =>
  makeTrial({
    backendId,
    trial,
    status,
    metrics: { ttftMs, totalMs } as never,
    ...(status === 'ok' ? {} : { error: { type: status as never, message: status, hint: 'h' } }),
    ...extra,
  });

/** What the panel computes after the results went through the webview protocol. */
function panelOf(results: TrialResult[], baselineId: string | null = null, runStatus: PanelState['runStatus'] = 'finished'): PanelState {
  const backends = [...new Map(results.map((r) => [r.backendId, r])).values()].map((r) => ({
    id: r.backendId,
    label: r.backendLabel,
    kind: r.kind,
    model: r.model,
    pricingNote: '',
  }));
  return {
    ...emptyPanelState(),
    run: {
      runId: 'run-1',
      title: 't',
      promptPreview: '',
      backends,
      trials: Math.max(...results.map((r) => r.trial)),
      perBackendConcurrency: 1,
      targetLabel: null,
    },
    runStatus,
    trials: results.map(toTrialSnapshot),
    baselineId,
  };
}

test("the issue's example: one rule for latency and completion, panel and export agree", () => {
  const results = [
    t('a', 1, 'ok', 100, 1000),
    t('a', 2, 'ok', 120, 1100),
    t('a', 3, 'truncated', 90, 300),
    t('b', 1, 'ok', 200, 2000),
    t('b', 2, 'timeout', 5000, 6000),
    t('b', 3, 'ok', 220, 2100),
  ];
  const exported = toJsonReport(makeComparison(results)).summary;
  const panel = panelSummary(panelOf(results))!;
  assert.deepEqual(panel, exported);
  const [a, b] = exported.backends;
  // Latency percentiles over delivered trials only (the truncated and timed-out ones measure a failure).
  assert.equal(a!.totalP50Ms, 1050);
  assert.equal(a!.ttftP50Ms, 110);
  assert.ok(Math.abs(b!.ttftP95Ms! - 219) < 1e-9);
  assert.equal(b!.totalP50Ms, 2050);
  assert.equal(a!.delivered, 2);
  assert.equal(a!.attempted, 3);
  assert.ok(Math.abs(a!.completionRate!.value - 2 / 3) < 1e-12);
  assert.equal(exported.baseline.id, 'a');
  assert.ok(Math.abs(b!.latencyRatio!.value - 2050 / 1050) < 1e-12);
  assert.equal(b!.latencyRatio!.ci95, null, 'fewer than 3 delivered trials: no interval');
});

/** Deterministic pseudo-random numbers for generated result sets. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

test('random result sets: the panel shows exactly the figures of the export (200 sets)', () => {
  const statuses: TerminalStatus[] = ['ok', 'ok', 'ok', 'ok', 'not_sent', 'cancelled', 'timeout', 'http_error', 'truncated', 'network_error'];
  for (let seed = 1; seed <= 200; seed++) {
    const random = rng(seed);
    const backends = ['a', 'b', 'c', 'd'].slice(0, 1 + Math.floor(random() * 4));
    const trials = 1 + Math.floor(random() * 6);
    const results: TrialResult[] = [];
    for (let trial = 1; trial <= trials; trial++) {
      for (const id of backends) {
        const status = statuses[Math.floor(random() * statuses.length)]!;
        const sent = status !== 'not_sent';
        const streamed = sent && status !== 'http_error' && status !== 'network_error' && random() > 0.2;
        const ttft = streamed && random() > 0.1 ? 50 + random() * 2000 : null;
        const total = streamed ? (ttft ?? 0) + random() * 5000 : null;
        const costKnown = sent && random() > 0.3;
        results.push(
          t(id, trial, status, ttft, total, {
            text: streamed && random() > 0.1 ? `answer ${seed}-${trial}` : '',
            wallMs: sent ? (total ?? random() * 100) + (random() > 0.8 ? 2000 : 0) : null,
            retries: random() > 0.8 ? 2 : 0,
            retryWaitMs: random() > 0.8 ? 3000 : 0,
            cost: {
              costUsd: costKnown ? (random() > 0.2 ? random() / 1000 : 0) : null,
              costSource: costKnown ? 'override' : 'unknown',
              detail: '',
            },
            metrics: {
              ttftMs: ttft,
              totalMs: total,
              tokensPerSecond: streamed && random() > 0.2 ? random() * 200 : null,
              tokenSource: streamed ? (random() > 0.5 ? 'reported' : 'estimated') : null,
            } as never,
          }),
        );
      }
    }
    const pinned = random() > 0.5 ? backends[Math.floor(random() * backends.length)]! : null;
    const cancelled = random() > 0.8;
    const comparison = { ...makeComparison(results), outcome: cancelled ? ('cancelled' as const) : ('finished' as const) };
    const exported = toJsonReport(comparison, pinned).summary;
    const panel = panelSummary(panelOf(results, pinned, cancelled ? 'cancelled' : 'finished'))!;
    assert.deepEqual(panel, JSON.parse(JSON.stringify(exported)), `seed ${seed}`);
  }
});

test('not sent and cancelled trials are counted but never as failures; a failed backend is labelled, not unknown', () => {
  const noKey = { type: 'not_sent' as const, message: 'no key', hint: 'set it', code: 'noKey' };
  const s = summarizeComparison(
    makeComparison([
      t('a', 1, 'ok', 100, 1000),
      t('a', 2, 'cancelled', 100, 400),
      t('nokey', 1, 'not_sent', null, null, { error: noKey, wallMs: null, cost: { costUsd: null, costSource: 'unknown', detail: '' } }),
      t('down', 1, 'http_error', null, null, { error: { type: 'http_error', message: 'HTTP 500', hint: 'h', httpStatus: 500 } }),
    ]),
  );
  const [a, nokey, down] = s.backends;
  assert.equal(a!.attempted, 1);
  assert.equal(a!.delivered, 1);
  assert.equal(a!.completionRate!.value, 1);
  assert.equal(a!.cancelled, 1);
  assert.equal(nokey!.attempted, 0);
  assert.equal(nokey!.completionRate, null);
  assert.equal(nokey!.failureLabel, 'not sent: no key');
  assert.equal(nokey!.totalP50Ms, null);
  assert.equal(down!.failureLabel, '✗ HTTP 500');
  assert.equal(down!.completionRate!.value, 0);
});

test('the baseline is the user’s pick when it delivered, else the first backend that delivered, and says so', () => {
  const results = [t('a', 1, 'http_error', null, null), t('b', 1, 'ok', 100, 1000), t('c', 1, 'ok', 100, 2000)];
  const auto = summarizeComparison(makeComparison(results));
  assert.equal(auto.baseline.id, 'b');
  assert.equal(auto.baseline.how, 'firstDelivered');
  assert.match(auto.baseline.note, /B \(the first backend that delivered\)/);
  assert.equal(auto.backends[2]!.latencyRatio!.value, 2);
  const pinned = summarizeComparison(makeComparison(results), 'c');
  assert.equal(pinned.baseline.id, 'c');
  assert.equal(pinned.baseline.how, 'chosen');
  assert.equal(pinned.backends[1]!.latencyRatio!.value, 0.5);
  const pinnedFailed = summarizeComparison(makeComparison(results), 'a');
  assert.equal(pinnedFailed.baseline.id, 'b');
  assert.match(pinnedFailed.baseline.note, /A, your baseline, delivered no answer/);
});

test('against a $0 baseline costs are compared as differences, not ratios', () => {
  const free = { costUsd: 0, costSource: 'free' as const, detail: '' };
  const paid = { costUsd: 0.002, costSource: 'override' as const, detail: '' };
  const s = summarizeComparison(makeComparison([t('local', 1, 'ok', 10, 100, { cost: free }), t('paid', 1, 'ok', 10, 200, { cost: paid })]));
  const paidRow = s.backends[1]!;
  assert.equal(paidRow.costComparison, 'difference');
  assert.equal(paidRow.costRatio, null);
  assert.equal(paidRow.costDiffUsd, 0.002);
  assert.equal(s.backends[0]!.costBadge, 'free');
});

test('ratio intervals need 3 delivered trials a side and say when they include 1.00×', () => {
  const same = [1000, 1010, 990, 1005, 995];
  const s = summarizeComparison(
    makeComparison([
      ...same.map((ms, i) => t('a', i + 1, 'ok', 100, ms)),
      ...same.map((ms, i) => t('b', i + 1, 'ok', 100, ms + 3)),
      ...same.map((ms, i) => t('c', i + 1, 'ok', 100, ms * 2.4)),
    ]),
  );
  const b = s.backends[1]!.latencyRatio!;
  const c = s.backends[2]!.latencyRatio!;
  assert.ok(b.ci95 && b.ciCrossesOne, JSON.stringify(b));
  assert.ok(c.ci95 && !c.ciCrossesOne && c.ci95[0] > 2 && c.ci95[1] < 2.9, JSON.stringify(c));
  assert.equal(c.n, 5);
  assert.equal(c.nBaseline, 5);
});

test("a backend's interval depends on its own trials and the baseline's, not on which other backends run or their order", () => {
  const totals = (base: number) => [base, base * 1.1, base * 0.95, base * 1.3, base * 0.8, base * 1.05];
  const trialsOf = (id: string, base: number) => totals(base).map((ms, i) => t(id, i + 1, 'ok', 100, ms));
  const a = trialsOf('a', 1000);
  const c = trialsOf('c', 2400);
  const intervalOfC = (results: TrialResult[]) =>
    summarizeComparison(makeComparison(results), 'a').backends.find((x) => x.id === 'c')!.latencyRatio!.ci95;
  const alone = intervalOfC([...a, ...c]);
  assert.ok(alone);
  assert.deepEqual(intervalOfC([...a, ...trialsOf('b', 1500), ...c]), alone, 'another backend in between');
  assert.deepEqual(intervalOfC([...c, ...a]), alone, 'another order');
});

test('retries: counted, waits excluded from total, included in wall time', () => {
  const s = summarizeComparison(
    makeComparison([t('a', 1, 'ok', 100, 1000, { retries: 2, retryWaitMs: 4000, wallMs: 5006 }), t('a', 2, 'ok', 100, 1000, { wallMs: 1002 })]),
  );
  const a = s.backends[0]!;
  assert.equal(a.retries, 2);
  assert.equal(a.retriedTrials, 1);
  assert.equal(a.retryWaitMs, 4000);
  assert.equal(a.totalP50Ms, 1000);
  assert.equal(a.wallP50Ms, 3004);
});

test('the card opens on the median trial; unknown costs stay unknown and make cost per answer a lower bound', () => {
  const priced = (usd: number | null) => ({ costUsd: usd, costSource: usd === null ? ('unknown' as const) : ('override' as const), detail: '' });
  const s = summarizeComparison(
    makeComparison([
      t('a', 1, 'ok', 100, 3000, { cost: priced(0.003) }),
      t('a', 2, 'ok', 100, 1000, { cost: priced(0.001) }),
      t('a', 3, 'ok', 100, 2000, { cost: priced(null) }),
      t('a', 4, 'timeout', 100, 500, { cost: priced(0.0005) }),
    ]),
  );
  const a = s.backends[0]!;
  assert.equal(a.medianTrial, 3);
  assert.equal(a.costP50Usd, 0.002);
  assert.equal(a.unpricedTrials, 1);
  assert.ok(a.costPerAnswerIsLowerBound);
  assert.ok(Math.abs(a.costPerAnswerUsd! - 0.0045 / 3) < 1e-15);
  const none = summarizeComparison(makeComparison([t('x', 1, 'ok', 1, 2, { cost: priced(null) })])).backends[0]!;
  assert.equal(none.costP50Usd, null);
  assert.equal(none.costPerAnswerUsd, null);
  assert.equal(none.costBadge, 'unknown');
});

test('an ok trial with no content is not delivered', () => {
  assert.equal(isDelivered({ status: 'ok', text: '  ', reasoning: '' }), false);
  assert.equal(isDelivered({ status: 'ok', text: '', reasoning: 'thinking' }), true);
  const s = summarize({ backends: [{ id: 'a', label: 'A', kind: 'closed', model: 'm' }], trials: [], plannedTrials: 3 });
  assert.equal(s.backends[0]!.pending, 3);
  assert.equal(s.baseline.id, null);
});

test('Wilson 95 % interval matches hand-computed values', () => {
  // 87 of 100, z = 1.96: centre (0.87 + z²/200) / (1 + z²/100) = 0.8563, half-width 0.0661 → [0.7902, 0.9224].
  const [lo, hi] = wilsonInterval(87, 100)!;
  assert.ok(Math.abs(lo - 0.7902) < 5e-4 && Math.abs(hi - 0.9224) < 5e-4, `${lo} ${hi}`);
  const [lo0, hi0] = wilsonInterval(0, 10)!;
  assert.equal(lo0, 0);
  assert.ok(Math.abs(hi0 - 0.2775) < 5e-4, String(hi0));
  assert.equal(wilsonInterval(0, 0), null);
  // All or none: the bound is exactly 1 or 0, not 0.9999999999999999 or 1.4e-17.
  for (const n of [1, 3, 25, 100, 1000]) {
    assert.equal(wilsonInterval(n, n)![1], 1, `${n}/${n}`);
    assert.equal(wilsonInterval(0, n)![0], 0, `0/${n}`);
  }
});

test('speed rank, fastest and cheapest: awarded by the summary once every trial ended, never on a tie or an unknown cost', () => {
  const priced = (usd: number | null) => ({ cost: { costUsd: usd, costSource: usd === null ? 'unknown' : 'override', detail: '' } }) as Partial<TrialResult>;
  const results = [t('a', 1, 'ok', 100, 900, priced(0.002)), t('b', 1, 'ok', 300, 1500, priced(0.0005)), t('c', 1, 'http_error', null, null, priced(null))];
  const s = summarize({ backends: results.map((r) => ({ id: r.backendId, label: r.backendLabel, kind: r.kind, model: r.model })), trials: results });
  assert.deepEqual(s.backends.map((b) => b.speedRank), [1, 2, null]);
  assert.equal(s.fastestId, 'a');
  assert.equal(s.cheapestId, 'b');
  // The panel reads the same figures.
  const panel = panelSummary(panelOf(results))!;
  assert.equal(panel.fastestId, 'a');
  assert.equal(panel.cheapestId, 'b');

  // While a planned trial has not ended, nobody is awarded yet (ranks already count).
  const live = summarize({ backends: s.backends, trials: results.slice(0, 2), plannedTrials: 1 });
  assert.equal(live.fastestId, null);
  assert.equal(live.cheapestId, null);
  assert.deepEqual(live.backends.map((b) => b.speedRank), [1, 2, null]);

  // An unknown cost among the backends that delivered: no cheapest; a tie: no fastest.
  const unknown = [t('a', 1, 'ok', 100, 900, priced(0.002)), t('b', 1, 'ok', 300, 900, priced(null))];
  const u = summarize({ backends: unknown.map((r) => ({ id: r.backendId, label: r.backendLabel, kind: r.kind, model: r.model })), trials: unknown });
  assert.equal(u.cheapestId, null);
  assert.equal(u.fastestId, null);
  assert.deepEqual(u.backends.map((b) => b.speedRank), [1, 1]);

  // A race of one has no winner.
  const alone = summarize({ backends: s.backends.slice(0, 1), trials: results.slice(0, 1) });
  assert.equal(alone.fastestId, null);
  assert.equal(alone.cheapestId, null);
});
