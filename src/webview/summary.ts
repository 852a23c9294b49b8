/**
 * The summary under the columns: figures per backend with ratios against the first column, the
 * bar chart and (with several trials) p50/p95 across trials.
 */
import type { BackendView, PanelState } from '../shared/protocol';
import { el, icon, type ElementOptions } from './components';
import { formatMs, formatRatio, formatUsd } from './format';
import { columnFigures, ratio, trialStats } from './stats';
import { renderChart } from './chart';

/** Renders the summary of `state` into `summaryEl` (nothing before a run). */
export function renderSummary(summaryEl: HTMLElement | null, state: PanelState): void {
  if (!summaryEl || !state.run) return;
  const run = state.run;
  const backends = run.backends;
  const figures = backends.map((b) => columnFigures(b.id, state.trials));
  const baseline = figures[0];
  const anyFinished = figures.some((f) => f.finishedTrials > 0);

  const heading = el('div', { className: 'summary-heading' }, el('h2', {}, icon('graph'), 'Summary'));
  const multi = run.trials > 1;
  heading.append(
    el('span', {
      className: 'muted',
      text: `Ratios vs. ${backends[0].label} (baseline, first column)${multi ? ' · medians of successful trials' : ''}. Lower is better.`,
    }),
  );

  const best = (values: Array<number | null>): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length >= 2 ? Math.min(...known) : null;
  };
  const bestTtft = best(figures.map((f) => f.ttftMs));
  const bestTotal = best(figures.map((f) => f.totalMs));
  const bestCost = best(figures.map((f) => f.costUsd));

  const table = el('table', { className: 'summary-table' });
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Backend', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Cost', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT ×', className: 'num', attrs: { scope: 'col', title: 'Time to first token relative to the baseline' } }),
        el('th', { text: 'Latency ×', className: 'num', attrs: { scope: 'col', title: 'Total time relative to the baseline' } }),
        el('th', { text: 'Cost ×', className: 'num', attrs: { scope: 'col', title: 'Cost relative to the baseline' } }),
      ),
    ),
  );
  const tbody = el('tbody');
  const cell = (text: string, isBest: boolean, extra: ElementOptions = {}): HTMLTableCellElement =>
    el('td', { ...extra, className: `num${isBest ? ' best' : ''}${extra.className ? ` ${extra.className}` : ''}`, text });
  figures.forEach((f, index) => {
    const backend = backends[index];
    const ratioCell = (testId: string, value: number | null, base: number | null, what: string): HTMLTableCellElement => {
      const r = ratio(value, base);
      const td = cell(formatRatio(r), false, { testId, attrs: { 'data-backend-id': backend.id, 'data-value': r === null ? '' : String(r) } });
      td.title =
        r === null
          ? `${what}: unknown (${value === null ? 'no value for this column' : 'baseline has no positive value'})`
          : `${what}: ${index === 0 ? 'baseline' : `${formatRatio(r)} the baseline`}`;
      if (r !== null && index > 0) td.classList.add(r < 0.995 ? 'better' : r > 1.005 ? 'worse' : 'same');
      return td;
    };
    const name = el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), backend.label);
    if (index === 0) name.append(el('span', { className: 'baseline-tag', text: 'baseline' }));
    const row = el(
      'tr',
      { attrs: { 'data-backend-id': backend.id } },
      name,
      cell(formatMs(f.ttftMs), f.ttftMs !== null && f.ttftMs === bestTtft),
      cell(formatMs(f.totalMs), f.totalMs !== null && f.totalMs === bestTotal),
      cell(formatUsd(f.costUsd), f.costUsd !== null && f.costUsd === bestCost),
      ratioCell('ratio-ttft', f.ttftMs, baseline.ttftMs, 'Time to first token'),
      ratioCell('ratio-latency', f.totalMs, baseline.totalMs, 'Total latency'),
      ratioCell('ratio-cost', f.costUsd, baseline.costUsd, 'Cost'),
    );
    tbody.append(row);
  });
  table.append(tbody);

  const content: Node[] = [heading, el('div', { className: 'table-scroll' }, table)];
  if (anyFinished) {
    content.push(
      renderChart(
        figures.map((f, index) => ({
          backendId: f.backendId,
          label: backends[index].label,
          colorIndex: index,
          ttftMs: f.ttftMs,
          totalMs: f.totalMs,
          costUsd: f.costUsd,
        })),
      ),
    );
  } else {
    content.push(el('p', { className: 'muted chart-placeholder', text: 'The chart appears when the first answers are complete.' }));
  }
  if (multi) content.push(renderTrialStats(backends, state));
  summaryEl.replaceChildren(...content);
}

function renderTrialStats(backends: readonly BackendView[], state: PanelState): HTMLElement {
  const table = el('table', { className: 'summary-table trial-stats', testId: 'trial-stats' });
  table.append(
    el('caption', { text: 'Across trials (successful trials only)' }),
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
        el('th', { text: 'Trials OK', className: 'num', attrs: { scope: 'col' } }),
      ),
    ),
  );
  const tbody = el('tbody');
  const trials = state.run?.trials ?? 1;
  backends.forEach((backend, index) => {
    const s = trialStats(backend.id, state.trials);
    const td = (testId: string, value: number | null): HTMLTableCellElement =>
      el('td', { className: 'num', text: formatMs(value), testId, attrs: { 'data-value': value === null ? '' : String(value) } });
    tbody.append(
      el(
        'tr',
        { attrs: { 'data-backend-id': backend.id } },
        el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), backend.label),
        td('ttft-p50', s.ttftP50Ms),
        td('ttft-p95', s.ttftP95Ms),
        td('total-p50', s.totalP50Ms),
        td('total-p95', s.totalP95Ms),
        el('td', { className: 'num', text: `${s.usableTrials}/${trials}` }),
      ),
    );
  });
  table.append(tbody);
  return el('div', { className: 'table-scroll' }, table);
}

