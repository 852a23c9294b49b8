/**
 * The suite report's charts, inline SVG built with DOM APIs (no markup strings, no inline
 * styles; colours from the theme through CSS classes): pass rate with its 95 % interval, latency
 * distributions (box plots of TTFT and total time), and accuracy per context length. Every
 * number arrives computed (src/core/suite/suiteSummary.ts); labels are written by src/core/format.ts.
 */
import { formatMs, formatPercent, formatPercentWithCi } from '../../core/format';
import type { SuiteBackendView, SuiteChartsView } from '../../shared/suiteProtocol';
import { el } from '../components';

const svgNs = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const width = 560;
const labelWidth = 130;
const valueWidth = 170;
const rowHeight = 26;

function figure(title: string, testId: string, chart: SVGSVGElement, caption: string): HTMLElement {
  return el('figure', { className: 'suite-chart', testId }, el('figcaption', { className: 'schart-title', text: title }), chart, el('p', { className: 'muted schart-caption', text: caption }));
}

/** Pass rate per backend: a bar to the rate, a whisker over its Wilson interval. */
export function passRateChart(charts: SuiteChartsView, backends: readonly SuiteBackendView[]): HTMLElement {
  const rows = charts.passRate;
  const height = 18 + rows.length * rowHeight;
  const plot = width - labelWidth - valueWidth;
  const x = (v: number) => labelWidth + v * plot;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'schart-svg', role: 'img', 'aria-label': 'Pass rate per backend with 95 % intervals' });
  for (const tick of [0, 0.5, 1]) {
    root.append(svg('line', { x1: x(tick), x2: x(tick), y1: 4, y2: height - 14, class: 'schart-grid' }));
    root.append(svg('text', { x: x(tick), y: height - 2, class: 'schart-axis', 'text-anchor': 'middle' }, formatPercent(tick)));
  }
  rows.forEach((r, i) => {
    const b = backends.findIndex((x) => x.id === r.backend);
    const label = backends[b]?.label ?? r.backend;
    const y = 6 + i * rowHeight;
    root.append(svg('text', { x: labelWidth - 8, y: y + 13, class: 'schart-label', 'text-anchor': 'end' }, truncate(label, 18)));
    if (r.value === null) {
      root.append(svg('text', { x: labelWidth + 4, y: y + 13, class: 'schart-value muted' }, 'not graded'));
      return;
    }
    root.append(svg('rect', { x: labelWidth, y: y + 3, width: Math.max(1, r.value * plot), height: 14, rx: 2, class: `schart-bar series-fill-${Math.max(0, b) % 6}` }));
    if (r.ci95) {
      const [lo, hi] = r.ci95;
      root.append(svg('line', { x1: x(lo), x2: x(hi), y1: y + 10, y2: y + 10, class: 'schart-whisker' }));
      root.append(svg('line', { x1: x(lo), x2: x(lo), y1: y + 5, y2: y + 15, class: 'schart-whisker' }));
      root.append(svg('line', { x1: x(hi), x2: x(hi), y1: y + 5, y2: y + 15, class: 'schart-whisker' }));
    }
    root.append(svg('text', { x: width - valueWidth + 6, y: y + 13, class: 'schart-value' }, `${formatPercentWithCi(r.value, r.ci95)} (n = ${r.n})`));
  });
  return figure('Pass rate', 'chart-pass-rate', root, 'Bars: share of graded cells that passed; whiskers: 95 % Wilson interval.');
}

/** Box plots of one latency measure: whiskers min–max, box p25–p75, a line at the median, a tick at p95. */
function boxPlot(title: string, key: 'ttft' | 'total', charts: SuiteChartsView, backends: readonly SuiteBackendView[]): SVGSVGElement {
  const rows = charts.latency;
  const max = Math.max(1, ...rows.map((r) => r[key]?.max ?? 0));
  const height = 18 + rows.length * rowHeight;
  const plot = width - labelWidth - valueWidth;
  const x = (v: number) => labelWidth + (v / max) * plot;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'schart-svg', role: 'img', 'aria-label': `${title}: distribution per backend` });
  for (const tick of [0, max / 2, max]) {
    root.append(svg('line', { x1: x(tick), x2: x(tick), y1: 4, y2: height - 14, class: 'schart-grid' }));
    root.append(svg('text', { x: x(tick), y: height - 2, class: 'schart-axis', 'text-anchor': 'middle' }, formatMs(tick)));
  }
  rows.forEach((r, i) => {
    const b = backends.findIndex((x) => x.id === r.backend);
    const q = r[key];
    const y = 6 + i * rowHeight;
    root.append(svg('text', { x: labelWidth - 8, y: y + 13, class: 'schart-label', 'text-anchor': 'end' }, truncate(backends[b]?.label ?? r.backend, 18)));
    if (!q) {
      root.append(svg('text', { x: labelWidth + 4, y: y + 13, class: 'schart-value muted' }, 'no delivered answer'));
      return;
    }
    const series = `series-stroke-${Math.max(0, b) % 6}`;
    root.append(svg('line', { x1: x(q.min), x2: x(q.max), y1: y + 10, y2: y + 10, class: `schart-whisker ${series}` }));
    root.append(svg('rect', { x: x(q.p25), y: y + 3, width: Math.max(1, x(q.p75) - x(q.p25)), height: 14, class: `schart-box series-fill-${Math.max(0, b) % 6}` }));
    root.append(svg('line', { x1: x(q.p50), x2: x(q.p50), y1: y + 2, y2: y + 18, class: 'schart-median' }));
    root.append(svg('line', { x1: x(q.p95), x2: x(q.p95), y1: y + 5, y2: y + 15, class: `schart-whisker ${series}` }));
    root.append(svg('text', { x: width - valueWidth + 6, y: y + 13, class: 'schart-value' }, `p50 ${formatMs(q.p50)} · p95 ${formatMs(q.p95)}`));
  });
  return root;
}

export function latencyCharts(charts: SuiteChartsView, backends: readonly SuiteBackendView[]): HTMLElement {
  return el(
    'div',
    { className: 'schart-pair' },
    figure('Time to first token', 'chart-ttft', boxPlot('Time to first token', 'ttft', charts, backends), 'Box: 25th–75th percentile; line: median; whiskers: fastest–slowest; tick: 95th percentile.'),
    figure('Total time', 'chart-total', boxPlot('Total time', 'total', charts, backends), 'Over delivered answers only.'),
  );
}

/** Accuracy per context length: one line per backend, a point per length with its 95 % interval. */
export function accuracyByLengthChart(charts: SuiteChartsView, backends: readonly SuiteBackendView[]): HTMLElement | null {
  const groups = charts.byLength;
  if (!groups.length) return null;
  const w = 560;
  const h = 220;
  const left = 48;
  const right = 16;
  const top = 12;
  const bottom = 34;
  const plotW = w - left - right;
  const plotH = h - top - bottom;
  const x = (i: number) => left + (groups.length === 1 ? plotW / 2 : (i / (groups.length - 1)) * plotW);
  const y = (v: number) => top + (1 - v) * plotH;
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'schart-svg', role: 'img', 'aria-label': 'Accuracy per context length, per backend, with 95 % intervals' });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', { x1: left, x2: w - right, y1: y(tick), y2: y(tick), class: 'schart-grid' }));
    root.append(svg('text', { x: left - 6, y: y(tick) + 4, class: 'schart-axis', 'text-anchor': 'end' }, formatPercent(tick)));
  }
  groups.forEach((g, i) => root.append(svg('text', { x: x(i), y: h - 14, class: 'schart-axis', 'text-anchor': 'middle' }, g.label)));
  root.append(svg('text', { x: left + plotW / 2, y: h - 1, class: 'schart-axis', 'text-anchor': 'middle' }, 'context length'));
  backends.forEach((b, bi) => {
    const points = groups.map((g, i) => ({ i, f: g.backends.find((f) => f.backend === b.id) })).filter((p) => p.f && p.f.value !== null);
    const series = bi % 6;
    if (points.length > 1) {
      root.append(svg('polyline', { points: points.map((p) => `${x(p.i)},${y(p.f!.value!)}`).join(' '), class: `schart-line series-stroke-${series}` }));
    }
    for (const p of points) {
      const f = p.f!;
      if (f.ci95) root.append(svg('line', { x1: x(p.i), x2: x(p.i), y1: y(f.ci95[0]), y2: y(f.ci95[1]), class: `schart-whisker series-stroke-${series}` }));
      const dot = svg('circle', { cx: x(p.i), cy: y(f.value!), r: 4, class: `series-fill-${series}` });
      dot.append(svg('title', {}, `${b.label}, ${groups[p.i]!.label}: ${formatPercentWithCi(f.value, f.ci95)}`));
      root.append(dot);
    }
  });
  const legend = el('div', { className: 'schart-legend' }, ...backends.map((b, bi) => el('span', { className: 'slegend-item' }, el('span', { className: `slegend-swatch series-bg-${bi % 6}` }), b.label)));
  const fig = figure('Accuracy per context length', 'chart-length', root, 'Mean score of the tests of each length; bars: 95 % interval (resampled by test).');
  fig.insertBefore(legend, fig.lastChild);
  return fig;
}
