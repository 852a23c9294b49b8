import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryTableRows } from '../../src/core/suite/report';
import type { ResultsHeader, SuiteCell } from '../../src/core/suite/types';
import { SuiteReportView as SuiteReportViewSchema, CellDetailView as CellDetailSchema } from '../../src/shared/suiteProtocol';
import { cellDetailView, suiteReportOf, suiteReportView, type SuiteRunData } from '../../src/extension/suiteView';

const header: ResultsHeader = {
  type: 'header', format: 'bakeoff-suite-results', version: 1, runId: 'run-1', startedAt: '2026-03-01T10:00:00.000Z', bakeoffVersion: '0.1.0',
  suite: { file: 'suite.yaml', description: 'demo suite', hash: 'h', tests: 4, format: 'suite-yaml' }, seed: 7, trials: 1, shard: null,
  backends: [
    { id: 'closed', label: 'Closed', kind: 'closed', model: 'c', baseUrl: 'http://127.0.0.1/v1', pricing: 'perToken', concurrency: 1, params: { maxTokens: 64, temperature: 0 } },
    { id: 'dec', label: 'Dec', kind: 'decentralized', model: 'd', baseUrl: 'http://127.0.0.1/v1', pricing: 'perToken', concurrency: 1, params: { maxTokens: 64, temperature: 0 } },
  ],
  tests: [0, 1, 2, 3].map((i) => ({ id: `t${i + 1}`, index: i, description: `test ${i + 1}`, promptLabel: 'p', metadata: { lengthLabel: i < 2 ? '1k' : '2k' } })),
  baselineId: null,
};

function cell(testIndex: number, backend: string, pass: boolean): SuiteCell {
  return {
    type: 'cell', test: `t${testIndex + 1}`, testIndex, backend, trial: 1, order: 0, status: 'ok', delivered: true, passed: pass, score: pass ? 1 : 0, reason: pass ? 'all assertions passed' : 'expected "x"',
    ttftMs: backend === 'dec' ? 300 : 100, totalMs: backend === 'dec' ? 2000 : 800, wallMs: 800, tokensPerSecond: 40, inputTokens: 30, outputTokens: 10, promptTokensReported: 30, tokenSource: 'reported',
    costUsd: backend === 'dec' ? 0.0001 : 0.001, costSource: 'override', retries: 0, retryWaitMs: 0, error: null, finishReason: 'stop', text: pass ? 'x' : `wrong from ${backend}`, reasoning: '',
    assertions: [{ type: 'contains', pass, score: pass ? 1 : 0, reason: pass ? 'contains "x"' : 'does not contain "x"', weight: 1 }], namedScores: {}, lengthLabel: testIndex < 2 ? '1k' : '2k', startedAt: header.startedAt,
  };
}

const cells = [cell(0, 'closed', true), cell(0, 'dec', true), cell(1, 'closed', true), cell(1, 'dec', true), cell(2, 'closed', true), cell(2, 'dec', false), cell(3, 'closed', true), cell(3, 'dec', false)];
const request = { url: 'http://127.0.0.1/v1/chat/completions', headers: { authorization: 'Bearer ***' }, body: { model: 'd', messages: [{ role: 'user', content: 'find x' }], stream: true } };
const data: SuiteRunData = {
  record: { runId: 'run-1', title: 'Suite: demo suite', suiteFile: 'suite.yaml', startedAt: header.startedAt, header, jsNote: null },
  cells,
  requests: new Map([['t3\u0000dec\u00001', request]]),
  status: 'finished',
  notes: [],
  progress: null,
};

test('the report panel is sent the CLI’s summary cells, the matrix, the charts’ figures and the claims; valid against its schema', () => {
  const report = suiteReportOf(data);
  const view = suiteReportView(data, report);
  assert.ok(SuiteReportViewSchema.safeParse(view).success, JSON.stringify(SuiteReportViewSchema.safeParse(view).error?.issues?.slice(0, 2)));
  assert.deepEqual(view.summary.rows, summaryTableRows(report.summary), 'the same cells as bakeoff run and the Markdown report');
  assert.equal(view.planLine, '4 tests × 2 backends × 1 trial = 8 cells · seed 7');
  assert.deepEqual(view.matrix.map((r) => r.cells.map((c) => c.verdict).join('/')), ['pass/pass', 'pass/pass', 'pass/fail', 'pass/fail']);
  assert.deepEqual(view.matrix.map((r) => r.answersDiffer), [false, false, true, true]);
  assert.deepEqual(view.charts.byLength.map((g) => g.label), ['1k', '2k'], 'accuracy per context length');
  const dec2k = view.charts.byLength[1]!.backends.find((b) => b.backend === 'dec')!;
  assert.equal(dec2k.value, 0);
  assert.equal(view.charts.passRate.find((p) => p.backend === 'dec')!.value, 0.5);
  assert.equal(view.charts.latency.find((l) => l.backend === 'dec')!.total!.p50, 2000);
  assert.ok(view.claims.length > 0, 'a closed and a decentralized backend: the Claims table');
  assert.ok(view.claims.every((c) => ['consistent', 'not consistent', 'too few samples', 'not measured'].includes(c.verdict)));
});

test('a cell in full: answer, grade, assertions and the exact request with its messages', () => {
  const detail = cellDetailView(data, 2, 'dec', 1)!;
  assert.ok(CellDetailSchema.safeParse(detail).success);
  assert.equal(detail.passed, false);
  assert.equal(detail.text, 'wrong from dec');
  assert.equal(detail.assertions[0]!.reason, 'does not contain "x"');
  assert.equal(detail.stateLine, 'Done in 2.00 s');
  assert.deepEqual(JSON.parse(detail.request!).body.messages, [{ role: 'user', content: 'find x' }]);
  assert.equal(cellDetailView(data, 0, 'closed', 1)!.request, null, 'not kept: said so, not invented');
  assert.equal(cellDetailView(data, 9, 'closed', 1), null);
});
