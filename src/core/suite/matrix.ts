/**
 * The matrix of a suite run — one row per test, one cell per backend — as the editor's report
 * panel shows it: how the backend's trials of that test ended, their median TTFT and total time,
 * their cost, and the flags the panel filters on (a failure in the row; answers that differ).
 * Pure; every figure is computed here, the panel only formats.
 */
import { outcomeLabel } from '../format';
import { percentile } from '../stats';
import type { SuiteCell, TestInfo } from './types';

/** How a backend did on one test over its trials. */
export type MatrixVerdict = 'pass' | 'fail' | 'mixed' | 'notGraded' | 'missing';

export interface MatrixCell {
  backend: string;
  /** Trials with a result. */
  trials: number;
  /** Trials planned. */
  planned: number;
  delivered: number;
  /** Trials graded (passed or failed). */
  graded: number;
  passed: number;
  failed: number;
  verdict: MatrixVerdict;
  /** Medians over the delivered trials; null without one. */
  ttftP50Ms: number | null;
  totalP50Ms: number | null;
  /** Sum of the known costs of the trials; null when none is known. */
  costUsd: number | null;
  /** Some trial's cost is unknown, so `costUsd` is a lower bound. */
  costIsLowerBound: boolean;
  /** What happened when nothing was delivered (`✗ HTTP 500`); null otherwise. */
  failureLabel: string | null;
  /** Trials in order, for the detail view. */
  trialNumbers: number[];
}

export interface MatrixRow {
  testIndex: number;
  test: string;
  description: string;
  lengthLabel: string | null;
  family: string | null;
  /** Some backend failed (or did not deliver on) some trial of this test. */
  anyFailed: boolean;
  /** The delivered answers of this test are not all the same (after trimming and collapsing whitespace). */
  answersDiffer: boolean;
  /** In the order of `backends`. */
  cells: MatrixCell[];
}

/** The answer as compared for "answers differ": whitespace runs collapsed, ends trimmed. */
function normalized(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function cellOf(backend: string, list: readonly SuiteCell[], planned: number): MatrixCell {
  const delivered = list.filter((c) => c.delivered);
  const passed = list.filter((c) => c.passed === true).length;
  const failed = list.filter((c) => c.passed === false).length;
  const graded = passed + failed;
  const verdict: MatrixVerdict =
    list.length === 0 ? 'missing' : failed === 0 && passed === list.length ? 'pass' : failed > 0 && passed === 0 ? 'fail' : failed > 0 ? 'mixed' : 'notGraded';
  const known = list.map((c) => c.costUsd).filter((v): v is number => v !== null && Number.isFinite(v));
  const finite = (values: Array<number | null>) => values.filter((v): v is number => v !== null && Number.isFinite(v));
  const last = list[list.length - 1];
  return {
    backend,
    trials: list.length,
    planned,
    delivered: delivered.length,
    graded,
    passed,
    failed,
    verdict,
    ttftP50Ms: percentile(finite(delivered.map((c) => c.ttftMs)), 50),
    totalP50Ms: percentile(finite(delivered.map((c) => c.totalMs)), 50),
    costUsd: known.length ? known.reduce((a, b) => a + b, 0) : null,
    costIsLowerBound: known.length > 0 && known.length < list.filter((c) => c.status !== 'not_sent').length,
    failureLabel: delivered.length === 0 && last ? outcomeLabel(last.status, last.error ? { ...last.error, type: last.status } : null) : null,
    trialNumbers: list.map((c) => c.trial),
  };
}

/** The matrix: tests in suite order, backends in `backendIds` order. */
export function suiteMatrix(tests: readonly TestInfo[], backendIds: readonly string[], cells: readonly SuiteCell[], plannedTrials: number): MatrixRow[] {
  const byTest = new Map<number, SuiteCell[]>();
  for (const c of cells) {
    let list = byTest.get(c.testIndex);
    if (!list) byTest.set(c.testIndex, (list = []));
    list.push(c);
  }
  return [...tests]
    .sort((a, b) => a.index - b.index)
    .map((t) => {
      const mine = byTest.get(t.index) ?? [];
      const rowCells = backendIds.map((id) =>
        cellOf(
          id,
          mine.filter((c) => c.backend === id).sort((a, b) => a.trial - b.trial),
          plannedTrials,
        ),
      );
      const answers = new Set(mine.filter((c) => c.delivered).map((c) => normalized(c.text)));
      const family = t.metadata.family;
      return {
        testIndex: t.index,
        test: t.id,
        description: t.description,
        lengthLabel: typeof t.metadata.lengthLabel === 'string' ? t.metadata.lengthLabel : typeof t.metadata.lengthLabel === 'number' ? String(t.metadata.lengthLabel) : null,
        family: typeof family === 'string' ? family : null,
        anyFailed: rowCells.some((c) => c.failed > 0 || (c.trials > 0 && c.delivered < c.trials)),
        answersDiffer: answers.size > 1,
        cells: rowCells,
      };
    });
}

/** Cells of a run that passed, were graded, and exist: what a one-line outcome says. */
export function suiteTally(cells: ReadonlyArray<Pick<SuiteCell, 'passed'>>): { passed: number; graded: number; cells: number } {
  let passed = 0;
  let graded = 0;
  for (const c of cells) {
    if (c.passed === true) passed++;
    if (c.passed !== null) graded++;
  }
  return { passed, graded, cells: cells.length };
}
