/**
 * The summary's bar chart: one small horizontal bar chart per measure (TTFT, total, cost), in
 * HTML so labels keep the panel's type size at every width (SVG text shrank with the panel).
 * Bar lengths are set through the CSSOM (the CSP forbids style attributes); colours come from
 * the theme through CSS classes.
 *
 * A bar is drawn only against another known value: a measure with a single known value shows
 * that value without a bar (a full-width bar from one number would say nothing). A backend
 * whose value is unknown gets a hatched track labelled with why (`unknown`, `✗ HTTP 500`).
 */
import { formatMs, formatUsd } from '../core/format';
import type { Summary } from '../core/summary';
import { el } from './components';

/** One column's numbers in the chart (medians of its delivered trials, from the core summary). */
export interface ChartSeries {
  backendId: string;
  label: string;
  /** Picks the theme colour (`series-0`…`series-5`). */
  colorIndex: number;
  ttftMs: number | null;
  totalMs: number | null;
  costUsd: number | null;
  /** What happened to a backend that delivered nothing (`✗ HTTP 500`), shown instead of a bar. */
  failureLabel: string | null;
  /** Some trial was retried after a 429 (↻ after the name). */
  retried: boolean;
}

interface Measure {
  key: 'ttftMs' | 'totalMs' | 'costUsd';
  title: string;
  format: (value: number | null) => string;
  /** What an unknown value of a backend that delivered is called. */
  unknown: string;
}

const measures: readonly Measure[] = [
  { key: 'ttftMs', title: 'Time to first token', format: formatMs, unknown: 'unknown' },
  { key: 'totalMs', title: 'Total time', format: formatMs, unknown: 'unknown' },
  { key: 'costUsd', title: 'Cost', format: formatUsd, unknown: 'unknown (no price)' },
];

/** The chart's rows: one per backend of the summary. */
export function chartSeries(summary: Summary): ChartSeries[] {
  return summary.backends.map((s, index) => ({
    backendId: s.id,
    label: s.label,
    colorIndex: index,
    ttftMs: s.ttftP50Ms,
    totalMs: s.totalP50Ms,
    costUsd: s.costP50Usd,
    failureLabel: s.failureLabel,
    retried: s.retriedTrials > 0,
  }));
}

function measureChart(measure: Measure, series: readonly ChartSeries[]): HTMLElement {
  const known = series.map((s) => s[measure.key]).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(0, ...known);
  const comparable = known.length >= 2;
  const caption = el('div', { className: 'chart-caption', text: measure.title });
  const list = el('div', { className: 'chart-rows', attrs: { role: 'list', 'aria-label': measure.title } });
  for (const s of series) {
    const value = s[measure.key];
    const isKnown = value !== null && Number.isFinite(value);
    const missing = s.failureLabel ?? measure.unknown;
    const row = el('div', {
      className: `chart-row series-${s.colorIndex % 6}${isKnown ? '' : ' is-unknown'}`,
      testId: `chart-row-${measure.key}`,
      attrs: { role: 'listitem', 'data-backend-id': s.backendId, 'data-value': isKnown ? String(value) : '' },
    });
    const label = el('span', { className: 'chart-label' }, el('span', { className: `swatch series-${s.colorIndex % 6}` }), `${s.label}${s.retried ? ' ↻' : ''}`);
    const track = el('span', { className: `chart-track${isKnown ? '' : ' hatched'}`, attrs: { 'aria-hidden': 'true' } });
    if (isKnown && comparable && max > 0) {
      const bar = el('span', { className: 'chart-bar', testId: 'chart-bar' });
      // At least a sliver for a value above zero; nothing for $0.
      bar.style.width = value > 0 ? `max(3px, ${((value / max) * 100).toFixed(2)}%)` : '0';
      track.append(bar);
    }
    const text = el('span', {
      className: `chart-value${isKnown ? '' : s.failureLabel ? ' failed' : ' unknown'}`,
      text: isKnown ? measure.format(value) : missing,
    });
    row.append(label, track, text);
    list.append(row);
  }
  const group = el('div', { className: 'chart-group' }, caption, list);
  if (known.length === 1 && series.length > 1) {
    group.append(el('p', { className: 'chart-note muted', text: 'One known value: no bars, nothing to compare it with.' }));
  }
  return group;
}

/** Builds the chart element (a figure with one group per measure). */
export function renderChart(summary: Summary): HTMLElement {
  const series = chartSeries(summary);
  const figure = el('figure', { className: 'chart', testId: 'chart' });
  for (const measure of measures) figure.append(measureChart(measure, series));
  return figure;
}
