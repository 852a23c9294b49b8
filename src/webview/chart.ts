/**
 * The summary's bar chart: one small horizontal bar chart per measure (TTFT, total, cost),
 * inline SVG built with DOM APIs (no markup strings, no inline styles; colours come from the
 * theme through CSS classes).
 */
import { formatMs, formatUsd } from '../core/format';
import type { Summary } from '../core/summary';

const svgNs = 'http://www.w3.org/2000/svg';

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
}

const measures: readonly Measure[] = [
  { key: 'ttftMs', title: 'Time to first token', format: formatMs },
  { key: 'totalMs', title: 'Total time', format: formatMs },
  { key: 'costUsd', title: 'Cost', format: formatUsd },
];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const width = 320;
const labelWidth = 104;
const valueWidth = 64;
const rowHeight = 22;
const barHeight = 12;
const topPadding = 8;

function measureChart(measure: Measure, series: readonly ChartSeries[]): SVGSVGElement {
  const height = topPadding + series.length * rowHeight + 4;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart-svg',
    role: 'img',
    preserveAspectRatio: 'xMinYMin meet',
  });
  const values = series.map((s) => s[measure.key]);
  const max = Math.max(0, ...values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const barArea = width - labelWidth - valueWidth - 8;
  root.setAttribute(
    'aria-label',
    `${measure.title}: ${series.map((s) => `${s.label} ${s[measure.key] === null ? (s.failureLabel ?? 'unknown') : measure.format(s[measure.key])}`).join(', ')}`,
  );

  series.forEach((s, index) => {
    const value = s[measure.key];
    const y = topPadding + index * rowHeight;
    const row = svg('g', { class: `chart-row series-${s.colorIndex % 6}` });
    const label = svg('text', { x: labelWidth - 8, y: y + barHeight - 2, class: 'chart-label', 'text-anchor': 'end' });
    label.textContent = `${truncate(s.label, s.retried ? 14 : 16)}${s.retried ? ' ↻' : ''}`;
    row.append(label);

    const track = svg('rect', { x: labelWidth, y, width: barArea, height: barHeight, rx: 2, class: 'chart-track' });
    row.append(track);
    const known = value !== null && Number.isFinite(value);
    const fraction = known && max > 0 ? value / max : 0;
    const barWidth = known ? Math.max(value > 0 ? 2 : 0, fraction * barArea) : 0;
    const bar = svg('rect', { x: labelWidth, y, width: barWidth.toFixed(1), height: barHeight, rx: 2, class: 'chart-bar' });
    const missing = s.failureLabel ?? 'unknown';
    const tip = svg('title');
    tip.textContent = `${s.label} — ${measure.title}: ${known ? measure.format(value) : missing}`;
    bar.append(tip);
    row.append(bar);

    const text = svg('text', {
      x: labelWidth + (known ? barArea + 6 : 6),
      y: y + barHeight - 2,
      class: known ? 'chart-value' : s.failureLabel ? 'chart-value failed' : 'chart-value unknown',
    });
    text.textContent = known ? measure.format(value) : missing;
    row.append(text);
    root.append(row);
  });
  return root;
}

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

/** Builds the chart element (a figure with one SVG per measure). */
export function renderChart(summary: Summary): HTMLElement {
  const series = chartSeries(summary);
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.testid = 'chart';
  for (const measure of measures) {
    const group = document.createElement('div');
    group.className = 'chart-group';
    const caption = document.createElement('div');
    caption.className = 'chart-caption';
    caption.textContent = measure.title;
    group.append(caption, measureChart(measure, series));
    figure.append(group);
  }
  return figure;
}
