/**
 * The summary under the columns. Every figure comes from the core summary (`panelSummary` in
 * src/shared/panelSummary.ts → `summarize` in src/core/summary.ts), the same figures the CLI
 * and the exports print; this module only lays them out.
 */
import {
  formatMs,
  formatPercent,
  formatRatioWithCi,
  formatUsd,
  formatUsdDiff,
  unknownMark,
} from '../core/format';
import type { BackendSummary, RatioFigure, Summary } from '../core/summary';
import type { PanelState } from '../shared/protocol';
import { el, icon } from './components';
import { renderChart } from './chart';
import { badgeElements, badgeList } from './race';

/** A figure cell: the value, or the backend's failure label when it delivered nothing. */
function figureCell(s: BackendSummary, text: string, isBest: boolean, testId: string, value: number | null): HTMLTableCellElement {
  const failed = s.failureLabel !== null;
  return el('td', {
    className: `num${isBest ? ' best' : ''}${failed ? ' failed' : ''}`,
    text: failed ? unknownMark : text,
    testId,
    attrs: { 'data-backend-id': s.id, 'data-value': value === null ? '' : String(value) },
  });
}

/** `0.91× [0.88–0.95]`; greyed when the interval includes 1.00×; `baseline` on the baseline row. */
function ratioCell(s: BackendSummary, figure: RatioFigure | null, testId: string, what: string): HTMLTableCellElement {
  if (s.isBaseline) return el('td', { className: 'num muted', text: 'baseline', testId, attrs: { 'data-backend-id': s.id, 'data-value': '1' } });
  const td = el('td', {
    className: 'num',
    text: figure ? formatRatioWithCi(figure.value, figure.ci95) : unknownMark,
    testId,
    attrs: { 'data-backend-id': s.id, 'data-value': figure ? String(figure.value) : '' },
  });
  if (!figure) {
    td.title = `${what}: no ratio (${s.failureLabel ?? 'no value on one side'}).`;
    return td;
  }
  const n = `n = ${figure.n} vs ${figure.nBaseline}`;
  if (figure.ci95 && figure.ciCrossesOne) {
    td.classList.add('ci-crosses-one');
    td.title = `${what}: ${formatRatioWithCi(figure.value, figure.ci95)} (${n}). The 95 % interval includes 1.00×: no detectable difference.`;
  } else {
    td.classList.add(figure.value < 0.995 ? 'better' : figure.value > 1.005 ? 'worse' : 'same');
    td.title = figure.ci95
      ? `${what}: ${formatRatioWithCi(figure.value, figure.ci95)} the baseline (${n}, 95 % bootstrap interval).`
      : `${what}: ${formatRatioWithCi(figure.value, null)} the baseline (${n}; an interval needs 3 delivered trials a side).`;
  }
  return td;
}

function costComparisonCell(s: BackendSummary): HTMLTableCellElement {
  if (s.costComparison !== 'difference' || s.isBaseline) return ratioCell(s, s.costRatio, 'ratio-cost', 'Cost');
  return el('td', {
    className: 'num',
    text: formatUsdDiff(s.costDiffUsd),
    testId: 'ratio-cost',
    attrs: { 'data-backend-id': s.id, 'data-value': s.costDiffUsd === null ? '' : String(s.costDiffUsd), title: 'Cost difference per answer against a $0 baseline (a ratio against zero means nothing).' },
  });
}

/** `3/3`, `2/3 · 67 %`, `✗ HTTP 500`, `not sent: no key`, with ↻ when trials were retried after 429s. */
function deliveredCell(s: BackendSummary): HTMLTableCellElement {
  const td = el('td', { className: 'delivered', testId: 'delivered', attrs: { 'data-backend-id': s.id } });
  if (s.failureLabel) {
    td.classList.add('failed');
    td.append(el('span', { className: 'failure-label', text: s.failureLabel }));
  } else {
    td.append(`${s.delivered}/${s.attempted}`);
    if (s.completionRate && s.completionRate.value < 1) {
      const [lo, hi] = s.completionRate.ci95;
      td.append(el('span', { className: 'muted', text: ` · ${formatPercent(s.completionRate.value)}`, attrs: { title: `Completion ${formatPercent(s.completionRate.value)}, 95 % Wilson interval ${formatPercent(lo)}–${formatPercent(hi)}` } }));
    }
  }
  if (s.partial) td.append(el('span', { className: 'partial-tag', text: 'partial', attrs: { title: 'The run was cancelled: some trials hold partial figures.' } }));
  if (s.retriedTrials) {
    td.append(
      el('span', {
        className: 'retry-mark',
        text: ` ↻${s.retriedTrials}`,
        testId: 'retry-mark',
        attrs: { title: `${s.retriedTrials} trial${s.retriedTrials === 1 ? '' : 's'} retried after HTTP 429 (${s.retries} retries, ${formatMs(s.retryWaitMs)} waited; excluded from Total, included in Wall)` },
      }),
    );
  }
  return td;
}

/** Renders `summary` (the core summary of `state`) into `summaryEl` (nothing before a run). */
export function renderSummary(summaryEl: HTMLElement | null, state: PanelState, summary: Summary | null): void {
  if (!summaryEl || !state.run || !summary) return;
  const run = state.run;
  const anyEnded = summary.backends.some((s) => s.trials > 0);

  const heading = el('div', { className: 'summary-heading' }, el('h2', {}, icon('graph'), 'Summary'));
  heading.append(
    el('span', {
      className: 'muted baseline-note',
      testId: 'baseline-note',
      text: `${summary.baseline.note}${run.trials > 1 ? ' Medians of delivered trials.' : ''} Lower is better.`,
    }),
  );

  const anyRetries = summary.backends.some((s) => s.retriedTrials > 0);

  const headCells = [
    el('th', { text: 'Backend', attrs: { scope: 'col' } }),
    el('th', { text: 'Delivered', attrs: { scope: 'col', title: 'Delivered answers ÷ requests sent (not counting cancelled or not sent)' } }),
    el('th', { text: 'TTFT', className: 'num', attrs: { scope: 'col' } }),
    el('th', { text: 'Total', className: 'num', attrs: { scope: 'col', title: '429 waits excluded' } }),
  ];
  if (anyRetries) headCells.push(el('th', { text: 'Wall', className: 'num', attrs: { scope: 'col', title: 'Wall time including waits for 429 retries' } }));
  headCells.push(
    el('th', { text: 'Cost', className: 'num', attrs: { scope: 'col', title: 'Median cost of a delivered answer' } }),
    el('th', { text: 'TTFT ×', className: 'num', attrs: { scope: 'col', title: 'Time to first token relative to the baseline, with its 95 % interval' } }),
    el('th', { text: 'Latency ×', className: 'num', attrs: { scope: 'col', title: 'Total time relative to the baseline, with its 95 % interval' } }),
    el('th', { text: 'Cost ×', className: 'num', attrs: { scope: 'col', title: 'Cost relative to the baseline (a difference against a $0 baseline)' } }),
  );
  const table = el('table', { className: 'summary-table' }, el('thead', {}, el('tr', {}, ...headCells)));
  const tbody = el('tbody');
  summary.backends.forEach((s, index) => {
    const name = el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), s.label);
    if (s.isBaseline) name.append(el('span', { className: 'baseline-tag', text: 'baseline', testId: 'summary-baseline' }));
    // Fastest and cheapest are the summary's verdicts (core/summary.ts), not worked out here.
    for (const badge of badgeElements(badgeList(s, summary, undefined))) name.append(badge);
    const row = el('tr', { attrs: { 'data-backend-id': s.id } }, name, deliveredCell(s));
    row.append(
      figureCell(s, formatMs(s.ttftP50Ms), false, 'summary-ttft', s.ttftP50Ms),
      figureCell(s, formatMs(s.totalP50Ms), summary.fastestId === s.id, 'summary-total', s.totalP50Ms),
    );
    if (anyRetries) row.append(figureCell(s, formatMs(s.wallP50Ms), false, 'summary-wall', s.wallP50Ms));
    row.append(
      figureCell(s, s.delivered > 0 && s.costP50Usd === null ? 'unknown' : formatUsd(s.costP50Usd), summary.cheapestId === s.id, 'summary-cost', s.costP50Usd),
      ratioCell(s, s.ttftRatio, 'ratio-ttft', 'Time to first token'),
      ratioCell(s, s.latencyRatio, 'ratio-latency', 'Total latency'),
      costComparisonCell(s),
    );
    tbody.append(row);
  });
  table.append(tbody);

  const content: Node[] = [heading, el('div', { className: 'table-scroll' }, table)];
  if (anyEnded) content.push(renderChart(summary));
  else content.push(el('p', { className: 'muted chart-placeholder', text: 'The chart appears when the first answers are complete.' }));
  if (run.trials > 1) content.push(renderTrialStats(summary, run.trials, run.perBackendConcurrency));
  summaryEl.replaceChildren(...content);
}

function renderTrialStats(summary: Summary, trials: number, perBackendConcurrency: number): HTMLElement {
  const table = el('table', { className: 'summary-table trial-stats', testId: 'trial-stats' });
  const caption =
    perBackendConcurrency === 1
      ? 'Across trials (delivered trials; a backend’s trials ran one after another)'
      : `Across trials (delivered trials; up to ${perBackendConcurrency} of a backend’s trials ran at once)`;
  table.append(
    el('caption', { text: caption }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Backend', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT p50', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT p95', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total p50', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total p95', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Delivered', className: 'num', attrs: { scope: 'col' } }),
      ),
    ),
  );
  const tbody = el('tbody');
  summary.backends.forEach((s, index) => {
    const td = (testId: string, value: number | null): HTMLTableCellElement =>
      el('td', { className: 'num', text: formatMs(value), testId, attrs: { 'data-value': value === null ? '' : String(value) } });
    tbody.append(
      el(
        'tr',
        { attrs: { 'data-backend-id': s.id } },
        el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), s.label),
        td('ttft-p50', s.ttftP50Ms),
        td('ttft-p95', s.ttftP95Ms),
        td('total-p50', s.totalP50Ms),
        td('total-p95', s.totalP95Ms),
        el('td', { className: 'num', text: `${s.delivered}/${trials}` }),
      ),
    );
  });
  table.append(tbody);
  return el('div', { className: 'table-scroll' }, table);
}
