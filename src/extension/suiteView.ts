/**
 * What the suite report panel is sent: the report (summary, claims, notes — src/core/suite) laid
 * out as the panel's view model, the matrix (src/core/suite/matrix.ts) and one cell in full.
 * Tables are the text cells the CLI and the Markdown report print, so every view agrees.
 * No `vscode` here: tested in plain Node.
 */
import { trialStateLine } from '../core/format';
import type { SuiteStartRecord } from '../core/history';
import { suiteMatrix } from '../core/suite/matrix';
import { baselineTableHeader, baselineTableRows, buildSuiteReport, claimMeasuredText, summaryTableHeader, summaryTableRows, type SuiteReport } from '../core/suite/report';
import { cellKey } from '../core/suite/store';
import type { AssertionResult, SuiteCell, SuiteOutcome } from '../core/suite/types';
import type { SentRequest } from '../core/types';
import type { AssertionView, CellDetailView, SuiteReportView } from '../shared/suiteProtocol';

/** A suite run as the panel shows it: running in this window, or read back from the history. */
export interface SuiteRunData {
  record: Pick<SuiteStartRecord, 'runId' | 'title' | 'suiteFile' | 'startedAt' | 'header' | 'jsNote'>;
  cells: readonly SuiteCell[];
  requests: ReadonlyMap<string, SentRequest>;
  status: SuiteReportView['status'];
  notes: readonly string[];
  progress: SuiteReportView['progress'];
}

/** The report object of the run as it stands (the same object `bakeoff run --output x.json` writes). */
export function suiteReportOf(data: SuiteRunData): SuiteReport {
  const outcome: SuiteOutcome = data.status === 'budget' ? 'budget' : data.status === 'interrupted' || data.status === 'failed' ? 'interrupted' : 'finished';
  return buildSuiteReport({ header: data.record.header, cells: data.cells, outcome, notes: data.notes });
}

/** The panel's view model of `report`. */
export function suiteReportView(data: SuiteRunData, report: SuiteReport): SuiteReportView {
  const h = data.record.header;
  const s = report.summary;
  const backends = h.backends.map((b) => ({ id: b.id, label: b.label, kind: b.kind, model: b.model }));
  const versus = baselineTableRows(s);
  return {
    runId: data.record.runId,
    title: data.record.title,
    suiteFile: data.record.suiteFile,
    startedAt: data.record.startedAt,
    status: data.status,
    planLine: `${report.plan.tests} test${report.plan.tests === 1 ? '' : 's'} × ${backends.length} backend${backends.length === 1 ? '' : 's'} × ${report.plan.trials} trial${report.plan.trials === 1 ? '' : 's'} = ${report.plan.cells} cells · seed ${report.plan.seed}`,
    progress: data.progress,
    jsNote: data.record.jsNote,
    backends,
    matrix: suiteMatrix(report.tests, backends.map((b) => b.id), report.cells, h.trials),
    summary: { header: [...summaryTableHeader], rows: summaryTableRows(s) },
    versusBaseline: versus.length ? { header: [...baselineTableHeader], rows: versus } : null,
    baselineNote: s.baseline.note,
    claims: report.claims.map((c) => ({ text: c.text, decentralized: c.decentralized, scope: c.scope, measured: claimMeasuredText(c), verdict: c.verdict, note: c.note })),
    notes: report.notes,
    notRun: s.notRun,
    charts: {
      latency: s.backends.map((b) => ({ backend: b.id, ttft: b.ttftQuantilesMs, total: b.totalQuantilesMs })),
      passRate: s.backends.map((b) => ({ backend: b.id, value: b.passRate?.value ?? null, ci95: b.passRate?.ci95 ?? null, n: b.passRate?.n ?? 0 })),
      byLength: s.byLength.map((g) => ({
        label: g.label,
        targetTokens: g.targetTokens,
        backends: g.backends.map((f) => ({ backend: f.backend, value: f.accuracy?.value ?? null, ci95: f.accuracy?.ci95 ?? null })),
      })),
    },
  };
}

function assertionView(a: AssertionResult): AssertionView {
  return {
    type: a.type,
    pass: a.pass,
    score: a.score !== null && Number.isFinite(a.score) ? a.score : null,
    reason: a.reason.slice(0, 10_000),
    ...(a.notRun ? { notRun: a.notRun.slice(0, 10_000) } : {}),
    ...(a.children ? { children: a.children.slice(0, 200).map(assertionView) } : {}),
  };
}

/** One trial of one test on one backend in full: answer, grade, assertions and the exact request. */
export function cellDetailView(data: SuiteRunData, testIndex: number, backend: string, trial: number): CellDetailView | null {
  const cell = data.cells.find((c) => c.testIndex === testIndex && c.backend === backend && c.trial === trial);
  if (!cell) return null;
  const test = data.record.header.tests.find((t) => t.index === testIndex);
  const request = data.requests.get(cellKey(cell));
  const error = cell.error ? { ...cell.error, type: cell.status } : null;
  return {
    testIndex,
    test: cell.test,
    description: test?.description ?? '',
    backend,
    trial,
    status: cell.status,
    stateLine: trialStateLine({ status: cell.status, error, metrics: { totalMs: cell.totalMs }, wallMs: cell.wallMs, retries: cell.retries, retryWaitMs: cell.retryWaitMs, retryAfterMs: null }),
    passed: cell.passed,
    score: cell.score,
    reason: cell.reason.slice(0, 10_000),
    text: cell.text,
    reasoning: cell.reasoning,
    ttftMs: cell.ttftMs,
    totalMs: cell.totalMs,
    costUsd: cell.costUsd,
    assertions: cell.assertions.map(assertionView),
    request: request ? JSON.stringify(request, null, 2) : null,
  };
}
