import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suiteMatrix } from '../../src/core/suite/matrix';
import type { SuiteCell, TestInfo } from '../../src/core/suite/types';

const tests: TestInfo[] = [0, 1, 2].map((i) => ({ id: `t${i + 1}`, index: i, description: `test ${i + 1}`, promptLabel: 'p', metadata: i === 2 ? { lengthLabel: '2k', family: 'needle' } : {} }));

function cell(testIndex: number, backend: string, trial: number, over: Partial<SuiteCell> = {}): SuiteCell {
  return {
    type: 'cell', test: `t${testIndex + 1}`, testIndex, backend, trial, order: 0, status: 'ok', delivered: true, passed: true, score: 1, reason: '',
    ttftMs: 100, totalMs: 1000, wallMs: 1000, tokensPerSecond: 50, inputTokens: 10, outputTokens: 20, promptTokensReported: 10, tokenSource: 'reported',
    costUsd: 0.001, costSource: 'override', retries: 0, retryWaitMs: 0, error: null, finishReason: 'stop', text: 'same answer', reasoning: '',
    assertions: [], namedScores: {}, lengthLabel: null, startedAt: '2026-01-01T00:00:00.000Z', ...over,
  };
}

test('matrix: verdict, medians and summed cost per test × backend; rows flag failures and differing answers', () => {
  const cells = [
    // t1: both pass, same answer modulo whitespace.
    cell(0, 'a', 1, { ttftMs: 100, totalMs: 900 }),
    cell(0, 'a', 2, { ttftMs: 300, totalMs: 1100, text: '  same\nanswer ' }),
    cell(0, 'b', 1, { costUsd: 0.002 }),
    cell(0, 'b', 2, { costUsd: null }),
    // t2: a passes once and fails once; b never delivered.
    cell(1, 'a', 1),
    cell(1, 'a', 2, { passed: false, score: 0, text: 'other answer' }),
    cell(1, 'b', 1, { status: 'http_error', delivered: false, passed: false, score: 0, ttftMs: null, totalMs: null, costUsd: null, text: '', error: { type: 'http_error', message: 'HTTP 500', hint: 'retry', httpStatus: 500 } }),
    // t3: only a, not graded.
    cell(2, 'a', 1, { passed: null, score: null }),
  ];
  const rows = suiteMatrix(tests, ['a', 'b'], cells, 2);
  assert.deepEqual(rows.map((r) => r.test), ['t1', 't2', 't3']);
  const [r1, r2, r3] = rows;
  assert.equal(r1!.cells[0]!.verdict, 'pass');
  assert.equal(r1!.cells[0]!.ttftP50Ms, 200, 'median of 100 and 300');
  assert.equal(r1!.cells[0]!.totalP50Ms, 1000);
  assert.equal(r1!.cells[0]!.costUsd, 0.002);
  assert.equal(r1!.cells[1]!.costUsd, 0.002, 'unknown costs are left out…');
  assert.equal(r1!.cells[1]!.costIsLowerBound, true, '…and say the sum is a lower bound');
  assert.equal(r1!.answersDiffer, false, 'whitespace does not make answers differ');
  assert.equal(r1!.anyFailed, false);
  assert.equal(r2!.cells[0]!.verdict, 'mixed');
  assert.deepEqual([r2!.cells[0]!.passed, r2!.cells[0]!.graded], [1, 2]);
  assert.equal(r2!.cells[1]!.verdict, 'fail');
  assert.equal(r2!.cells[1]!.failureLabel, '✗ HTTP 500');
  assert.equal(r2!.cells[1]!.ttftP50Ms, null, 'nothing delivered: no median');
  assert.equal(r2!.anyFailed, true);
  assert.equal(r2!.answersDiffer, true);
  assert.equal(r3!.cells[0]!.verdict, 'notGraded');
  assert.equal(r3!.cells[1]!.verdict, 'missing');
  assert.equal(r3!.lengthLabel, '2k');
  assert.equal(r3!.family, 'needle');
});
