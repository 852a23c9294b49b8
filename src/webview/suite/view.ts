/**
 * The suite report panel's layout: header (status, Cancel, exports), the summary with its
 * intervals, the baseline comparison, the Claims table, the charts, then the tests × backends
 * matrix (filters *failures only* and *answers differ*; a click opens the cell: its answer,
 * assertion results and the exact request) and the notes. Tables arrive as text cells; the rest
 * is formatted with src/core/format.ts. Built with DOM APIs; answers go through the inert
 * Markdown renderer.
 */
import { formatMs, formatUsd, unknownMark } from '../../core/format';
import type { AssertionView, CellDetailView, MatrixCellView, SuiteReportView, SuiteToHostMessage, TextTable } from '../../shared/suiteProtocol';
import { button, el, icon } from '../components';
import { renderMarkdown } from '../markdown';
import { accuracyByLengthChart, latencyCharts, passRateChart } from './charts';

type Post = (message: SuiteToHostMessage) => void;

/** UI choices the panel keeps (filters, the open cell). */
export interface SuiteUiState {
  failuresOnly: boolean;
  answersDiffer: boolean;
  open: { testIndex: number; backend: string; trial: number } | null;
}

const statusText: Record<SuiteReportView['status'], [string, string]> = {
  running: ['loading', 'Running'],
  finished: ['pass', 'Finished'],
  interrupted: ['circle-slash', 'Interrupted'],
  budget: ['warning', 'Stopped at the budget'],
  failed: ['error', 'Failed'],
};

const verdictText: Record<MatrixCellView['verdict'], [string, string]> = {
  pass: ['✓', 'passed'],
  fail: ['✗', 'failed'],
  mixed: ['◐', 'passed some trials'],
  notGraded: ['?', 'not graded'],
  missing: ['–', 'no result yet'],
};

function textTable(table: TextTable, testId: string, numericFrom = 2, rowClass?: (row: string[]) => string): HTMLTableElement {
  const t = el('table', { className: 'summary-table suite-table', testId });
  const head = el('tr', {});
  table.header.forEach((h, i) => head.append(el('th', { text: h, className: i >= numericFrom ? 'num' : '', attrs: { scope: 'col' } })));
  t.append(el('thead', {}, head));
  const body = el('tbody', {});
  for (const row of table.rows) {
    const tr = el('tr', { className: rowClass?.(row) ?? '' });
    row.forEach((cell, i) => tr.append(i === 0 ? el('th', { text: cell, attrs: { scope: 'row' } }) : el('td', { text: cell, className: i >= numericFrom ? 'num' : '' })));
    body.append(tr);
  }
  t.append(body);
  return t;
}

function section(title: string, testId: string, ...children: Array<Node | string>): HTMLElement {
  return el('section', { className: 'suite-section', testId, attrs: { 'aria-label': title } }, el('h2', { text: title }), ...children);
}

function header(view: SuiteReportView, post: Post): HTMLElement {
  const [iconName, label] = statusText[view.status];
  const status = el('span', { className: `run-status status-${view.status === 'running' ? 'running' : view.status === 'finished' ? 'finished' : 'failed'}`, testId: 'suite-status' }, icon(iconName, view.status === 'running' ? 'codicon-modifier-spin' : ''), label);
  const meta = el('div', { className: 'run-meta' }, el('span', { className: 'meta-item', text: view.suiteFile, attrs: { title: 'Suite file' } }), el('span', { className: 'meta-item', text: view.planLine, testId: 'suite-plan' }), status);
  if (view.progress) {
    meta.append(
      el('span', { className: 'meta-item', testId: 'suite-progress', text: `${view.progress.done}/${view.progress.total} cells · ${view.progress.failed} failed · ${formatUsd(view.progress.spentUsd)} spent` }),
    );
  }
  const toolbar = el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Suite report actions' } });
  if (view.status === 'running') toolbar.append(button({ testId: 'suite-cancel', icon: 'debug-stop', label: 'Cancel', title: 'Stop the suite run (finished cells are kept)', className: 'btn-secondary', onClick: () => post({ type: 'cancel' }) }));
  for (const [format, text, title] of [
    ['html', 'HTML', 'Save the report as one HTML file with its charts (as bakeoff run --output report.html)'],
    ['md', 'Markdown', 'Save the report as Markdown (as bakeoff run --output report.md)'],
    ['json', 'JSON', 'Save the report object as JSON (as bakeoff run --output report.json)'],
  ] as const) {
    toolbar.append(button({ testId: `suite-export-${format}`, icon: 'export', label: text, title, className: 'btn-secondary', onClick: () => post({ type: 'export', format }) }));
  }
  toolbar.append(button({ testId: 'suite-export-more', icon: 'ellipsis', label: '', title: 'More formats: results JSONL, CSV, JUnit XML', className: 'btn-secondary btn-icon', onClick: () => post({ type: 'export', format: 'ask' }) }));
  const root = el(
    'header',
    { className: 'run-header' },
    el(
      'div',
      { className: 'run-header-top' },
      el('div', { className: 'brand', attrs: { 'aria-hidden': 'true' } }, icon('checklist')),
      el('div', { className: 'run-heading' }, el('h1', { className: 'run-title', text: view.title, testId: 'suite-title' }), meta),
      toolbar,
    ),
  );
  if (view.jsNote) root.append(el('div', { className: 'run-error suite-js-note', testId: 'suite-js-note', attrs: { role: 'note' } }, icon('shield'), view.jsNote));
  return root;
}

function claimsSection(view: SuiteReportView): HTMLElement | null {
  if (!view.claims.length) return null;
  const t = el('table', { className: 'summary-table suite-table', testId: 'claims' });
  const head = el('tr', {});
  for (const h of ['Claim', 'Decentralized', 'Scope', 'Measured [95 % CI]', 'Verdict', 'Why']) head.append(el('th', { text: h, attrs: { scope: 'col' } }));
  t.append(el('thead', {}, head));
  const body = el('tbody', {});
  for (const c of view.claims) {
    body.append(
      el(
        'tr',
        {},
        el('th', { text: c.text, attrs: { scope: 'row' } }),
        el('td', { text: c.decentralized }),
        el('td', { text: c.scope }),
        el('td', { text: c.measured, className: 'num' }),
        el('td', {}, el('span', { className: `verdict verdict-${c.verdict.replace(/\s+/g, '-')}`, text: c.verdict, testId: 'claim-verdict' })),
        el('td', { text: c.note, className: 'claim-note' }),
      ),
    );
  }
  t.append(body);
  return section('Claims', 'claims-section', el('p', { className: 'muted', text: 'Each published claim against what this run measured, with its 95 % interval (README → Suites → Claims).' }), el('div', { className: 'table-scroll' }, t));
}

function matrixCell(cell: MatrixCellView, rowIndex: number, post: Post, ui: SuiteUiState, view: SuiteReportView): HTMLTableCellElement {
  const td = el('td', { className: `matrix-cell verdict-cell-${cell.verdict}` });
  const [mark, words] = verdictText[cell.verdict];
  const open = ui.open && ui.open.testIndex === rowIndex && ui.open.backend === cell.backend;
  const label = cell.failureLabel ?? `${cell.passed}/${cell.trials}`;
  const b = el(
    'button',
    {
      className: `matrix-button${open ? ' open' : ''}`,
      testId: 'matrix-cell',
      attrs: {
        type: 'button',
        'data-test-index': String(rowIndex),
        'data-backend': cell.backend,
        'data-verdict': cell.verdict,
        'aria-label': `${view.backends.find((x) => x.id === cell.backend)?.label ?? cell.backend}: ${words}, ${label}`,
        'aria-expanded': String(Boolean(open)),
      },
    },
    el('span', { className: 'matrix-verdict', text: `${mark} ${label}`, attrs: { 'aria-hidden': 'true' } }),
    el('span', { className: 'matrix-figures muted', text: cell.trials ? `${formatMs(cell.ttftP50Ms)} · ${formatMs(cell.totalP50Ms)} · ${cell.costUsd === null ? unknownMark : `${cell.costIsLowerBound ? '≥ ' : ''}${formatUsd(cell.costUsd)}`}` : '' }),
  );
  b.disabled = cell.trials === 0;
  b.addEventListener('click', () => {
    const trial = cell.trialNumbers[0] ?? 1;
    post({ type: 'cellDetail', testIndex: rowIndex, backend: cell.backend, trial });
  });
  td.append(b);
  return td;
}

function matrixSection(view: SuiteReportView, post: Post, ui: SuiteUiState, rerender: () => void, detail: HTMLElement): HTMLElement {
  const failures = view.matrix.filter((r) => r.anyFailed).length;
  const differ = view.matrix.filter((r) => r.answersDiffer).length;
  const filter = (key: 'failuresOnly' | 'answersDiffer', text: string, count: number) => {
    const input = el('input', { testId: `filter-${key}`, attrs: { type: 'checkbox' } });
    input.checked = ui[key];
    input.addEventListener('change', () => {
      ui[key] = input.checked;
      rerender();
    });
    return el('label', { className: 'filter' }, input, `${text} (${count})`);
  };
  const rows = view.matrix.filter((r) => (!ui.failuresOnly || r.anyFailed) && (!ui.answersDiffer || r.answersDiffer));
  const t = el('table', { className: 'summary-table suite-table matrix', testId: 'matrix' });
  const head = el('tr', {}, el('th', { text: 'Test', attrs: { scope: 'col' } }));
  for (const b of view.backends) head.append(el('th', { text: b.label, attrs: { scope: 'col', title: `${b.kind} · ${b.model}` } }));
  t.append(el('thead', {}, head));
  const body = el('tbody', {});
  for (const r of rows) {
    const name = el('th', { className: 'matrix-test', attrs: { scope: 'row' } }, el('span', { className: 'matrix-id', text: r.test }), ` ${r.description}`);
    if (r.lengthLabel) name.append(el('span', { className: 'length-tag', text: r.lengthLabel }));
    if (r.answersDiffer) name.append(el('span', { className: 'differ-tag', text: 'answers differ' }));
    const tr = el('tr', { testId: 'matrix-row', attrs: { 'data-test-index': String(r.testIndex) } }, name);
    for (const c of r.cells) tr.append(matrixCell(c, r.testIndex, post, ui, view));
    body.append(tr);
  }
  t.append(body);
  const note = rows.length < view.matrix.length ? el('p', { className: 'muted', testId: 'matrix-shown', text: `Showing ${rows.length} of ${view.matrix.length} tests.` }) : el('p', { className: 'muted', testId: 'matrix-shown', text: `${view.matrix.length} tests.` });
  return section(
    'Tests',
    'matrix-section',
    el('div', { className: 'filters' }, filter('failuresOnly', 'Failures only', failures), filter('answersDiffer', 'Answers differ', differ)),
    el('p', { className: 'muted', text: 'Each cell: passed trials / trials, then median TTFT · median total · cost. Click a cell for its answer, its assertions and the exact request.' }),
    el('div', { className: 'table-scroll' }, t),
    note,
    detail,
  );
}

function assertionList(items: readonly AssertionView[]): HTMLElement {
  const list = el('ul', { className: 'assertions' });
  for (const a of items) {
    const mark = a.pass === true ? ['pass', 'passed'] : a.pass === false ? ['error', 'failed'] : ['circle-slash', 'not run'];
    const li = el(
      'li',
      { className: `assertion assertion-${mark[1]!.replace(' ', '-')}`, testId: 'assertion' },
      icon(mark[0]!),
      el('strong', { text: a.type }),
      ` ${mark[1]}${a.score !== null ? ` (score ${a.score.toFixed(2)})` : ''}: `,
      el('span', { text: a.notRun ?? a.reason }),
    );
    if (a.children?.length) li.append(assertionList(a.children));
    list.append(li);
  }
  return list;
}

/** The open cell in full. */
export function renderDetail(target: HTMLElement, detail: CellDetailView | null, view: SuiteReportView | null, post: Post): void {
  target.replaceChildren();
  if (!detail || !view) {
    target.hidden = true;
    return;
  }
  target.hidden = false;
  const backend = view.backends.find((b) => b.id === detail.backend);
  const cell = view.matrix.find((r) => r.testIndex === detail.testIndex)?.cells.find((c) => c.backend === detail.backend);
  const trials = el('div', { className: 'trial-tabs', attrs: { role: 'tablist', 'aria-label': 'Trials' } });
  for (const n of cell?.trialNumbers ?? []) {
    const tab = el('button', { className: `btn btn-secondary${n === detail.trial ? ' active' : ''}`, text: `Trial ${n}`, attrs: { type: 'button', role: 'tab', 'aria-selected': String(n === detail.trial) } });
    tab.addEventListener('click', () => post({ type: 'cellDetail', testIndex: detail.testIndex, backend: detail.backend, trial: n }));
    trials.append(tab);
  }
  const grade = detail.passed === true ? 'Passed' : detail.passed === false ? 'Failed' : 'Not graded';
  const answer = el('div', { className: 'markdown detail-answer', testId: 'detail-answer' });
  answer.innerHTML = detail.text ? renderMarkdown(detail.text) : '';
  if (!detail.text) answer.append(el('p', { className: 'muted', text: '(no answer)' }));
  const parts: Array<Node> = [
    el('h3', { testId: 'detail-title', text: `${detail.test} ${detail.description} — ${backend?.label ?? detail.backend}` }),
    ...(cell && cell.trialNumbers.length > 1 ? [trials] : []),
    el('p', { className: `detail-state grade-${grade.toLowerCase().replace(' ', '-')}`, testId: 'detail-grade' }, el('strong', { text: grade }), detail.score !== null ? ` (score ${detail.score.toFixed(2)})` : '', detail.reason ? ` — ${detail.reason}` : ''),
    el('p', { className: 'muted', text: `${detail.stateLine} · TTFT ${formatMs(detail.ttftMs)} · total ${formatMs(detail.totalMs)} · cost ${formatUsd(detail.costUsd)}` }),
    el('h4', { text: 'Assertions' }),
    detail.assertions.length ? assertionList(detail.assertions) : el('p', { className: 'muted', text: 'No assertion ran (nothing was delivered, or the test has none).' }),
    el('h4', { text: 'Answer' }),
    answer,
  ];
  if (detail.reasoning) parts.push(el('details', {}, el('summary', { text: 'Reasoning' }), el('pre', { className: 'detail-pre', text: detail.reasoning })));
  const request = el('details', { testId: 'detail-request' }, el('summary', { text: 'Exact request (keys redacted)' }), el('pre', { className: 'detail-pre', text: detail.request ?? 'Not kept for this cell.' }));
  parts.push(request);
  target.append(el('div', { className: 'detail-card', attrs: { role: 'region', 'aria-label': 'Cell detail' } }, ...parts));
}

/** Renders the whole report. `detail` is the element the open cell is shown in (kept across renders). */
export function renderReport(app: HTMLElement, view: SuiteReportView | null, post: Post, ui: SuiteUiState, rerender: () => void, detail: HTMLElement): void {
  app.replaceChildren();
  if (!view) {
    app.append(el('p', { className: 'muted', text: 'Loading the suite report…' }));
    return;
  }
  app.append(header(view, post));
  app.append(
    section(
      'Summary',
      'summary-section',
      el('div', { className: 'table-scroll' }, textTable(view.summary, 'suite-summary', 2)),
      el('p', { className: 'muted', testId: 'suite-baseline-note', text: view.baselineNote }),
      ...(view.versusBaseline ? [el('h3', { text: 'Versus the baseline' }), el('div', { className: 'table-scroll' }, textTable(view.versusBaseline, 'suite-versus', 1))] : []),
    ),
  );
  const claims = claimsSection(view);
  if (claims) app.append(claims);
  const charts = [passRateChart(view.charts, view.backends), latencyCharts(view.charts, view.backends)];
  const byLength = accuracyByLengthChart(view.charts, view.backends);
  if (byLength) charts.push(byLength);
  app.append(section('Charts', 'charts-section', ...charts));
  app.append(matrixSection(view, post, ui, rerender, detail));
  const notes = el('ul', { className: 'suite-notes' }, ...view.notes.map((n) => el('li', { text: n })));
  const notRun = view.notRun.length ? el('ul', { className: 'suite-notes' }, ...view.notRun.map((n) => el('li', { text: `${n.count} × ${n.type}: ${n.reason}` }))) : null;
  app.append(section('Notes', 'notes-section', notes, ...(notRun ? [el('h3', { text: 'Not run' }), notRun] : [])));
}
