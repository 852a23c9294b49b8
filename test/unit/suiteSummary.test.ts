import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateClaims, verdictFor } from '../../src/core/claims';
import { summarizeSuite, type SuiteSummaryInput } from '../../src/core/suite/suiteSummary';
import { summaryNotes } from '../../src/core/suite/report';
import { wilsonInterval } from '../../src/core/stats';
import type { PlanBackend, SuiteCell, TestInfo } from '../../src/core/suite/types';

const close = (actual: number | null | undefined, expected: number, tolerance = 1e-9, label = '') =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance, `${label} ${actual} vs ${expected}`);

function backend(id: string, kind: PlanBackend['kind'] = 'closed'): PlanBackend {
  return { id, label: id.toUpperCase(), kind, model: `${id}-m`, baseUrl: 'http://127.0.0.1/v1', pricing: 'perToken', concurrency: 1, params: { maxTokens: 64, temperature: 0 } };
}

function tests(n: number, metadata: (i: number) => Record<string, unknown> = () => ({})): TestInfo[] {
  return Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}`, index: i, description: `test ${i + 1}`, promptLabel: 'p', metadata: metadata(i) }));
}

function cell(testIndex: number, b: string, trial: number, over: Partial<SuiteCell> = {}): SuiteCell {
  const ok = (over.status ?? 'ok') === 'ok';
  return {
    type: 'cell',
    test: `t${testIndex + 1}`,
    testIndex,
    backend: b,
    trial,
    order: 0,
    status: 'ok',
    delivered: ok,
    passed: ok ? true : false,
    score: ok ? 1 : 0,
    reason: '',
    ttftMs: ok ? 100 : null,
    totalMs: ok ? 1000 : null,
    wallMs: ok ? 1000 : null,
    tokensPerSecond: ok ? 50 : null,
    inputTokens: 10,
    outputTokens: 20,
    promptTokensReported: 10,
    tokenSource: 'reported',
    costUsd: 0.001,
    costSource: 'override',
    retries: 0,
    retryWaitMs: 0,
    error: ok ? null : { type: over.status!, message: 'failed', hint: 'h', httpStatus: 500 },
    finishReason: 'stop',
    text: ok ? 'answer' : '',
    reasoning: '',
    assertions: [],
    namedScores: {},
    lengthLabel: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

test('pass rate = delivered and passed ÷ graded cells, with its interval; accuracy and cost per pass', () => {
  const cells = [
    cell(0, 'a', 1),
    cell(0, 'a', 2),
    cell(1, 'a', 1, { passed: false, score: 0.5 }),
    cell(2, 'a', 1, { status: 'http_error', costUsd: null, costSource: 'unknown' }),
    cell(3, 'a', 1, { status: 'not_sent', delivered: false, passed: null, score: null, costUsd: null, costSource: 'unknown', error: { type: 'not_sent', message: 'x', hint: 'h' } }),
    cell(4, 'a', 1, { passed: null, score: null, assertions: [{ type: 'llm-rubric', pass: null, score: null, reason: 'not run: needs --grader', weight: 1, notRun: 'needs --grader' }] }),
  ];
  const s = summarizeSuite({ backends: [backend('a')], tests: tests(5), cells, trials: 2, seed: 1 });
  const a = s.backends[0]!;
  assert.equal(a.cells, 10, 'planned = tests × trials');
  assert.equal(a.missing, 4);
  assert.equal(a.attempted, 5);
  assert.equal(a.delivered, 4);
  assert.equal(a.graded, 4, 'not sent and not graded are excluded');
  assert.equal(a.notGraded, 1);
  assert.equal(a.passed, 2);
  assert.equal(a.failed, 2);
  // 2 of 4 graded cells; test 1 has two trials, so the interval resamples tests (see the next test).
  close(a.passRate!.value, 0.5);
  assert.ok(a.passRate!.ci95[0] <= 0.5 && a.passRate!.ci95[1] >= 0.5);
  assert.equal(a.passRate!.wide, true);
  // Accuracy = (1 + 1 + 0.5 + 0) / 4.
  close(a.accuracy!.value, 0.625);
  // Spend = known costs of sent cells (4 × $0.001; the HTTP error has no known cost) ÷ 2 passed.
  close(a.spendUsd, 0.004, 1e-12);
  close(a.costPerPassUsd, 0.002, 1e-12);
  assert.equal(a.costIsLowerBound, true);
  assert.equal(a.unpricedCells, 1);
  assert.deepEqual(s.notRun, [{ type: 'llm-rubric', reason: 'needs --grader', count: 1 }]);
});

test('pass-rate interval: Wilson with one trial per test; with several trials, tests are resampled (their trials are not independent)', () => {
  // One trial per test, 2 of 4 pass: Wilson(2, 4), z = 1.959964: centre 0.5, half-width 1.96·√(0.0625 + 0.0600)/1.9604 = 0.3500.
  const single = summarizeSuite({
    backends: [backend('a')],
    tests: tests(4),
    cells: [cell(0, 'a', 1), cell(1, 'a', 1), cell(2, 'a', 1, { passed: false, score: 0 }), cell(3, 'a', 1, { passed: false, score: 0 })],
    trials: 1,
    seed: 1,
  }).backends[0]!.passRate!;
  close(single.value, 0.5);
  close(single.ci95[0], 0.15, 5e-4, 'lo');
  close(single.ci95[1], 0.85, 5e-4, 'hi');

  // 10 tests × 3 trials, each test passing all its trials or none (6 of 10): 18 of 30 cells.
  const cells: SuiteCell[] = [];
  for (let i = 0; i < 10; i++) for (let trial = 1; trial <= 3; trial++) cells.push(cell(i, 'a', trial, i < 6 ? {} : { passed: false, score: 0 }));
  const clustered = summarizeSuite({ backends: [backend('a')], tests: tests(10), cells, trials: 3, seed: 1 }).backends[0]!.passRate!;
  close(clustered.value, 0.6);
  assert.equal(clustered.n, 30);
  const [wilsonLo, wilsonHi] = wilsonInterval(18, 30)!;
  // The evidence is 10 tests, not 30 independent cells: the interval is about as wide as Wilson over 10.
  assert.ok(clustered.ci95[1] - clustered.ci95[0] > (wilsonHi - wilsonLo) * 1.3, `${clustered.ci95} vs Wilson over cells [${wilsonLo}, ${wilsonHi}]`);
  assert.ok(clustered.ci95[0] <= 0.6 && clustered.ci95[1] >= 0.6);
});

test('against the baseline: ratio of medians with a cluster-bootstrap interval, paired pass-rate difference, McNemar, detectable difference', () => {
  const n = 10;
  const cells: SuiteCell[] = [];
  // Pairs per test: both pass (3), only a passes (5), both fail (2); b's total time is exactly 2× a's.
  for (let i = 0; i < n; i++) {
    const aPass = i < 8;
    const bPass = i < 3;
    cells.push(cell(i, 'a', 1, { passed: aPass, score: aPass ? 1 : 0, totalMs: 1000 + i * 10, ttftMs: 100 + i }));
    cells.push(cell(i, 'b', 1, { passed: bPass, score: bPass ? 1 : 0, totalMs: 2 * (1000 + i * 10), ttftMs: 300 + 3 * i, costUsd: 0.0004 }));
  }
  const s = summarizeSuite({ backends: [backend('a'), backend('b', 'decentralized')], tests: tests(n), cells, trials: 1, seed: 42 });
  assert.equal(s.baseline.id, 'a');
  const v = s.backends[1]!.vsBaseline!;
  close(v.latencyRatio!.value, 2);
  assert.deepEqual(v.latencyRatio!.ci95, [2, 2], 'every resample keeps the exact 2× ratio');
  assert.equal(v.latencyRatio!.ciCrossesOne, false);
  close(v.ttftRatio!.value, (300 + 3 * 4.5) / (100 + 4.5));
  close(v.costRatio!.value, 0.4);
  // Pass-rate difference b − a = 3/10 − 8/10.
  close(v.passRateDiff!.value, -0.5);
  assert.equal(v.passRateDiff!.onlyThisPassed, 0);
  assert.equal(v.passRateDiff!.onlyBaselinePassed, 5);
  // McNemar exact: b = 0, c = 5 → 2 · 0.5⁵ = 0.0625.
  close(v.passRateDiff!.mcnemarP, 0.0625);
  assert.ok(v.passRateDiff!.ci95![1] < 0, 'the paired interval excludes 0');
  // Detectable difference at n = 10 tests and the smoothed pooled rate (8 + 3 + 1) / (20 + 2):
  // 2.801585 · √(2 · 0.545455 · 0.454545 / 10) = 0.623860.
  close(v.minDetectableDiff, 0.62386, 1e-5);
  close(v.accuracyDiff!.value, -0.5);
  assert.equal(s.backends[0]!.vsBaseline, null);
});

test('percentile intervals resample tests, keeping all trials of a test together; quantiles for charts', () => {
  const cells: SuiteCell[] = [];
  for (let i = 0; i < 6; i++) for (let trial = 1; trial <= 3; trial++) cells.push(cell(i, 'a', trial, { totalMs: 1000 * (i + 1) }));
  const s = summarizeSuite({ backends: [backend('a')], tests: tests(6), cells, trials: 3, seed: 3 });
  const a = s.backends[0]!;
  close(a.totalP50Ms, 3500);
  assert.ok(a.totalP50Ci95![0] >= 1000 && a.totalP50Ci95![1] <= 6000);
  assert.ok(a.totalP50Ci95![0] < 3500 && a.totalP50Ci95![1] > 3500);
  assert.deepEqual(a.totalQuantilesMs, { min: 1000, p25: 2000, p50: 3500, p75: 5000, p95: 6000, max: 6000, n: 18 });
});

test('the same cells in any order give the same summary (merge equality rests on this)', () => {
  const cells: SuiteCell[] = [];
  for (let i = 0; i < 8; i++) {
    cells.push(cell(i, 'a', 1, { totalMs: 900 + 37 * i, passed: i % 3 !== 0, score: i % 3 !== 0 ? 1 : 0 }));
    cells.push(cell(i, 'b', 1, { totalMs: 1500 + 91 * ((i * 7) % 8), passed: i % 2 === 0, score: i % 2 === 0 ? 1 : 0 }));
  }
  const input: SuiteSummaryInput = { backends: [backend('a'), backend('b')], tests: tests(8), cells, trials: 1, seed: 9 };
  const reversed = summarizeSuite({ ...input, cells: [...cells].reverse() });
  assert.deepEqual(summarizeSuite(input), reversed);
  const many: SuiteCell[] = [];
  for (let i = 0; i < 30; i++) {
    many.push(cell(i, 'a', 1, { totalMs: 900 + ((i * 37) % 101) }));
    many.push(cell(i, 'b', 1, { totalMs: 1500 + ((i * 53) % 211) }));
  }
  const ci = (seed: number) => summarizeSuite({ ...input, tests: tests(30), cells: many, seed }).backends[1]!.vsBaseline!.latencyRatio!.ci95;
  assert.deepEqual(ci(9), ci(9));
  assert.notDeepEqual(ci(9), ci(10), 'the run seed drives the bootstrap');
});

test('breakdowns per context length are ordered by target tokens and carry reported prompt tokens', () => {
  const labels = ['32k', '4k', '128k'];
  const t = tests(6, (i) => ({ lengthLabel: labels[i % 3], targetTokens: [32000, 4000, 128000][i % 3], family: i < 3 ? 'needle' : 'vartrack' }));
  const cells: SuiteCell[] = [];
  for (let i = 0; i < 6; i++) {
    cells.push(cell(i, 'a', 1, { score: 1, promptTokensReported: [32100, 4010, 128500][i % 3]! }));
    cells.push(cell(i, 'b', 1, { score: [0.5, 1, 0][i % 3]!, passed: i % 3 === 1, promptTokensReported: null }));
  }
  const s = summarizeSuite({ backends: [backend('a'), backend('b', 'decentralized')], tests: t, cells, trials: 1, seed: 1 });
  assert.deepEqual(
    s.byLength.map((g) => [g.label, g.tests, g.targetTokens]),
    [
      ['4k', 2, 4000],
      ['32k', 2, 32000],
      ['128k', 2, 128000],
    ],
  );
  const g128 = s.byLength[2]!;
  close(g128.backends[0]!.promptTokensReportedMean, 128500);
  assert.equal(g128.backends[1]!.promptTokensReportedMean, null);
  close(g128.backends[1]!.accuracy!.value, 0);
  close(g128.backends[1]!.accuracyDiff!.value, -1);
  close(s.byLength[1]!.backends[1]!.accuracy!.value, 0.5);
  assert.deepEqual(
    s.byFamily.map((g) => g.label),
    ['needle', 'vartrack'],
  );
});

test('claim verdicts: inside a tight interval is consistent, outside is not, inside a wide one is too few samples', () => {
  assert.equal(verdictFor([2.4, 2.4], [2.2, 2.6], false), 'consistent');
  assert.equal(verdictFor([2.4, 2.4], [1.1, 1.3], false), 'not consistent');
  assert.equal(verdictFor([2.4, 2.4], [1.1, 1.3], true), 'not consistent', 'a wide interval that excludes the claim still speaks');
  assert.equal(verdictFor([2.4, 2.4], [1, 4], true), 'too few samples');
  assert.equal(verdictFor([0.09, 0.14], [0.12, 0.3], false), 'consistent', 'a range claim overlapping the interval');
  assert.equal(verdictFor([0.09, 0.14], [0.15, 0.3], false), 'not consistent');
  assert.equal(verdictFor([0.6, 0.6], [1 - 0.4, 1 - 0.4], false), 'consistent', 'float rounding does not decide');
  assert.equal(verdictFor([0.6, 0.6], null, false), 'too few samples');
});

test('the claims table measures each decentralized backend against the closed reference', () => {
  const n = 100;
  const cells: SuiteCell[] = [];
  for (let i = 0; i < n; i++) {
    const total = 800 + (i % 7) * 50;
    cells.push(cell(i, 'closed', 1, { totalMs: total, costUsd: 0.001, score: 1, passed: true }));
    // 87 of 100 pass; the 13 that fail include the 12 that make a 12-point accuracy gap (and one that scores 0.0 with partial 1.0? no: 0).
    const pass = i >= 13;
    cells.push(cell(i, 'dec', 1, { totalMs: total * 2.4, costUsd: 0.0004, score: i < 12 ? 0 : 1, passed: pass }));
  }
  const input: SuiteSummaryInput = { backends: [backend('closed'), backend('dec', 'decentralized')], tests: tests(n), cells, trials: 1, seed: 5 };
  const rows = evaluateClaims(input);
  const by = (id: string) => rows.find((r) => r.claim === id && r.scope === 'all tests')!;
  close(by('latency').measured, 2.4, 1e-9);
  assert.equal(by('latency').verdict, 'consistent');
  close(by('cost').measured, 0.6, 1e-9);
  assert.equal(by('cost').verdict, 'consistent');
  close(by('completion').measured, 0.87);
  assert.equal(by('completion').verdict, 'consistent', JSON.stringify(by('completion')));
  close(by('accuracyGap').measured, 0.12);
  assert.equal(by('accuracyGap').verdict, 'consistent', JSON.stringify(by('accuracyGap')));
  // With the decentralized backend as baseline the claims are still measured against the closed one.
  const again = evaluateClaims({ ...input, baselineId: 'dec' });
  close(again.find((r) => r.claim === 'latency')!.measured, 2.4, 1e-9);
  // Without a decentralized backend there is no claims table.
  assert.deepEqual(evaluateClaims({ ...input, backends: [backend('closed'), backend('dec')] }), []);
  // Without prices the cost claim is not measured.
  const unpriced = evaluateClaims({ ...input, cells: cells.map((c) => ({ ...c, costUsd: null, costSource: 'unknown' as const })) });
  assert.equal(unpriced.find((r) => r.claim === 'cost')!.verdict, 'not measured');
});

test('the detectable-difference note names the tests graded on both sides, not every test of the suite', () => {
  // 25 tests; the baseline answered only the first 12 (the rest were never sent).
  const n = 25;
  const cells: SuiteCell[] = [];
  for (let i = 0; i < n; i++) {
    cells.push(cell(i, 'b', 1, i % 3 === 0 ? { passed: false, score: 0 } : {}));
    if (i < 12) cells.push(cell(i, 'a', 1, i % 4 === 0 ? { passed: false, score: 0 } : {}));
  }
  const s = summarizeSuite({ backends: [backend('a'), backend('b', 'decentralized')], tests: tests(n), cells, trials: 1, seed: 1, baselineId: 'a' });
  const b = s.backends[1]!;
  assert.equal(b.vsBaseline?.passRateDiff?.nTests, 12);
  const note = summaryNotes(s, [backend('a'), backend('b', 'decentralized')]).find((x) => x.includes('could detect'));
  assert.ok(note, 'the note is there');
  assert.match(note, /^With 12 tests graded on both sides \(of 25\), the smallest pass-rate difference/);
});
