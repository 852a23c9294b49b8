/**
 * The summary's bar chart: one small horizontal bar chart per measure (TTFT, total, cost),
 * inline SVG built with DOM APIs (no markup strings, no inline styles; colours come from the
 * theme through CSS classes).
 */
import { formatMs, formatUsd } from './format';

const svgNs = 'http://www.w3.org/2000/svg';

/** One column's numbers in the chart. */
export interface ChartSeries {
  backendId: string;
  label: string;
  /** Picks the theme colour (`series-0`…`series-5`). */
  colorIndex: number;
  ttftMs: number | null;
  totalMs: number | null;
  costUsd: number | null;
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
    `${measure.title}: ${series.map((s) => `${s.label} ${measure.format(s[measure.key])}`).join(', ')}`,
  );

  series.forEach((s, index) => {
    const value = s[measure.key];
    const y = topPadding + index * rowHeight;
    const row = svg('g', { class: `chart-row series-${s.colorIndex % 6}` });
    const label = svg('text', { x: labelWidth - 8, y: y + barHeight - 2, class: 'chart-label', 'text-anchor': 'end' });
    label.textContent = truncate(s.label, 16);
    row.append(label);

    const track = svg('rect', { x: labelWidth, y, width: barArea, height: barHeight, rx: 2, class: 'chart-track' });
    row.append(track);
    const known = value !== null && Number.isFinite(value);
    const fraction = known && max > 0 ? value / max : 0;
    const barWidth = known ? Math.max(value > 0 ? 2 : 0, fraction * barArea) : 0;
    const bar = svg('rect', { x: labelWidth, y, width: barWidth.toFixed(1), height: barHeight, rx: 2, class: 'chart-bar' });
    const tip = svg('title');
    tip.textContent = `${s.label} — ${measure.title}: ${known ? measure.format(value) : 'unknown'}`;
    bar.append(tip);
    row.append(bar);

    const text = svg('text', { x: labelWidth + barArea + 6, y: y + barHeight - 2, class: known ? 'chart-value' : 'chart-value unknown' });
    text.textContent = known ? measure.format(value) : 'unknown';
    row.append(text);
    root.append(row);
  });
  return root;
}

/** Builds the chart element (a figure with one SVG per measure). */
export function renderChart(series: readonly ChartSeries[]): HTMLElement {
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
