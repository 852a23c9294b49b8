/**
 * The HTML report of a suite run: one self-contained file (inline CSS and SVG, no script, no
 * remote resource) that opens offline in any browser, in light or dark mode. Charts: pass rate
 * with 95 % intervals, latency distributions, cost per passed test, and accuracy per context
 * length. Every figure comes from the report object (summarizeSuite / evaluateClaims). The pieces
 * (tables, bar and length charts, the stylesheet) are shared with the claims report of `reproduce`.
 */
import { escapeHtml, formatMs, formatPercent, formatUsd, unknownMark } from '../format';
import {
  baselineTableHeader,
  baselineTableRows,
  claimMeasuredText,
  costText,
  rateText,
  summaryTableHeader,
  summaryTableRows,
  type SuiteReport,
} from './report';

export const esc = escapeHtml;

/** Colour-blind-safe palette (Okabe–Ito), one colour per backend. */
const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C6D31'];
export const colour = (i: number) => palette[i % palette.length]!;


export function table(header: readonly string[], rows: string[][], numericFrom = 2): string {
  return (
    `<table><thead><tr>${header.map((h, i) => `<th${i >= numericFrom ? ' class="num"' : ''} scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td${i >= numericFrom ? ' class="num"' : ''}>${esc(c)}</td>`)).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

export interface Bar {
  label: string;
  colour: string;
  value: number | null;
  ci: [number, number] | null;
  text: string;
}

/** Horizontal bars with optional 95 % interval whiskers; values from 0 to `max`. */
export function barChart(title: string, bars: Bar[], max: number, axis: (x: number) => string, tickCount = 5): string {
  const rowH = 34;
  const left = 150;
  const width = 600;
  const plotW = width - left - 190;
  const height = bars.length * rowH + 40;
  const x = (v: number) => left + (Math.min(Math.max(v, 0), max) / max) * plotW;
  const ticks = Array.from({ length: tickCount }, (_, k) => (k / (tickCount - 1)) * max);
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${x(t)}" y1="10" x2="${x(t)}" y2="${height - 24}"/>`);
    parts.push(`<text class="tick" x="${x(t)}" y="${height - 8}" text-anchor="middle">${esc(axis(t))}</text>`);
  }
  bars.forEach((b, i) => {
    const y = 14 + i * rowH;
    parts.push(`<text class="label" x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
    if (b.value === null) {
      parts.push(`<text class="muted" x="${left + 4}" y="${y + 15}">${esc(b.text)}</text>`);
      return;
    }
    parts.push(`<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(b.value) - left)}" height="18" rx="2" fill="${b.colour}"><title>${esc(`${b.label}: ${b.text}`)}</title></rect>`);
    if (b.ci) {
      const [lo, hi] = b.ci;
      parts.push(`<line class="whisker" x1="${x(lo)}" y1="${y + 12}" x2="${x(hi)}" y2="${y + 12}"/>`);
      parts.push(`<line class="whisker" x1="${x(lo)}" y1="${y + 6}" x2="${x(lo)}" y2="${y + 18}"/>`);
      parts.push(`<line class="whisker" x1="${x(hi)}" y1="${y + 6}" x2="${x(hi)}" y2="${y + 18}"/>`);
    }
    parts.push(`<text class="value" x="${Math.max(x(b.value), b.ci ? x(b.ci[1]) : 0) + 8}" y="${y + 16}">${esc(b.text)}</text>`);
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg></figure>`;
}

/** Box plots of TTFT and total time per backend (p25–p75 box, median line, whiskers min–p95). */
function latencyChart(r: SuiteReport): string {
  const rows = r.summary.backends.flatMap((b, i) => [
    { label: `${b.label} · TTFT`, q: b.ttftQuantilesMs, colour: colour(i), light: true },
    { label: `${b.label} · total`, q: b.totalQuantilesMs, colour: colour(i), light: false },
  ]);
  const maxP95 = Math.max(1, ...rows.map((row) => row.q?.p95 ?? 0));
  const max = maxP95 * 1.1;
  const rowH = 28;
  const left = 190;
  const width = 760;
  const plotW = width - left - 110;
  const height = rows.length * rowH + 44;
  const x = (v: number) => left + (Math.min(v, max) / max) * plotW;
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const t = (max * k) / 4;
    parts.push(`<line class="grid" x1="${x(t)}" y1="8" x2="${x(t)}" y2="${height - 26}"/>`);
    parts.push(`<text class="tick" x="${x(t)}" y="${height - 10}" text-anchor="middle">${esc(formatMs(t))}</text>`);
  }
  rows.forEach((row, i) => {
    const y = 12 + i * rowH;
    parts.push(`<text class="label" x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(row.label)}</text>`);
    const q = row.q;
    if (!q) {
      parts.push(`<text class="muted" x="${left + 4}" y="${y + 13}">no delivered answer</text>`);
      return;
    }
    const title = `${row.label}: min ${formatMs(q.min)}, p25 ${formatMs(q.p25)}, median ${formatMs(q.p50)}, p75 ${formatMs(q.p75)}, p95 ${formatMs(q.p95)}, max ${formatMs(q.max)} (n = ${q.n})`;
    parts.push(`<g><title>${esc(title)}</title>`);
    parts.push(`<line class="whisker" x1="${x(q.min)}" y1="${y + 9}" x2="${x(q.p95)}" y2="${y + 9}"/>`);
    parts.push(`<line class="whisker" x1="${x(q.p95)}" y1="${y + 3}" x2="${x(q.p95)}" y2="${y + 15}"/>`);
    parts.push(
      `<rect x="${x(q.p25)}" y="${y + 1}" width="${Math.max(2, x(q.p75) - x(q.p25))}" height="16" fill="${row.colour}" fill-opacity="${row.light ? 0.45 : 0.9}" stroke="${row.colour}"/>`,
    );
    parts.push(`<line class="median" x1="${x(q.p50)}" y1="${y - 1}" x2="${x(q.p50)}" y2="${y + 19}"/>`);
    if (q.max > max) parts.push(`<text class="muted" x="${left + plotW + 12}" y="${y + 13}">max ${esc(formatMs(q.max))} →</text>`);
    parts.push('</g>');
  });
  const title = 'Latency distributions (box p25–p75, line median, whisker min–p95), delivered answers';
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg></figure>`;
}

/** Accuracy per context length: one line per backend with 95 % interval whiskers. */
export function lengthChart(r: SuiteReport): string {
  const groups = r.summary.byLength;
  if (!groups.length) return '';
  const width = 720;
  const height = 320;
  const left = 56;
  const right = 230;
  const top = 16;
  const bottom = 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (i: number) => left + (groups.length === 1 ? plotW / 2 : (i / (groups.length - 1)) * plotW);
  const y = (v: number) => top + (1 - Math.min(1, Math.max(0, v))) * plotH;
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${left}" y1="${y(t)}" x2="${left + plotW}" y2="${y(t)}"/>`);
    parts.push(`<text class="tick" x="${left - 8}" y="${y(t) + 4}" text-anchor="end">${formatPercent(t)}</text>`);
  }
  groups.forEach((g, i) => parts.push(`<text class="tick" x="${x(i)}" y="${height - bottom + 20}" text-anchor="middle">${esc(g.label)}</text>`));
  parts.push(`<text class="tick" x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">context length (metadata.lengthLabel)</text>`);
  r.summary.backends.forEach((b, bi) => {
    const points = groups
      .map((g, i) => ({ i, f: g.backends.find((f) => f.backend === b.id)?.accuracy ?? null }))
      .filter((p): p is { i: number; f: NonNullable<typeof p.f> } => p.f !== null);
    if (!points.length) return;
    const c = colour(bi);
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2.5" points="${points.map((p) => `${x(p.i)},${y(p.f.value)}`).join(' ')}"/>`);
    for (const p of points) {
      const label = `${b.label} at ${groups[p.i]!.label}: accuracy ${rateText(p.f)}`;
      if (p.f.ci95) parts.push(`<line stroke="${c}" stroke-width="1.5" x1="${x(p.i)}" y1="${y(p.f.ci95[0])}" x2="${x(p.i)}" y2="${y(p.f.ci95[1])}"/>`);
      parts.push(`<circle cx="${x(p.i)}" cy="${y(p.f.value)}" r="4.5" fill="${c}"><title>${esc(label)}</title></circle>`);
    }
    parts.push(`<rect x="${width - right + 16}" y="${top + bi * 22}" width="14" height="14" fill="${c}"/>`);
    parts.push(`<text class="label" x="${width - right + 36}" y="${top + bi * 22 + 12}">${esc(b.label)}</text>`);
  });
  const title = 'Accuracy per context length (mean score, 95 % cluster-bootstrap interval)';
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg></figure>`;
}

export const css = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --grid: #e6eaef; --stripe: #f6f8fa; --accent: #0969da;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --grid: #262c33; --stripe: #151b23; --accent: #4493f8;
  --ok: #3fb950; --bad: #f85149; --warn: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1440px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { font-weight: 600; color: var(--muted); font-size: 12px; }
tbody tr:nth-child(even) { background: var(--stripe); }
tbody th { font-weight: 600; }
.num { text-align: right; white-space: nowrap; }
.scroll { overflow-x: auto; }
figure { margin: 12px 0 20px; } figcaption { font-weight: 600; margin-bottom: 4px; }
figure svg { max-width: 100%; height: auto; display: block; }
svg text { fill: var(--fg); font-size: 12px; } svg .tick, svg .muted { fill: var(--muted); } svg .value { font-weight: 600; }
svg .grid { stroke: var(--grid); stroke-width: 1; } svg .whisker { stroke: var(--fg); stroke-width: 1.5; } svg .median { stroke: var(--fg); stroke-width: 2.5; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 8px 24px; }
.verdict-consistent { color: var(--ok); font-weight: 600; } .verdict-not-consistent { color: var(--bad); font-weight: 600; }
.verdict-too-few-samples, .verdict-not-measured { color: var(--warn); }
ul.notes li { margin: 2px 0; } footer { color: var(--muted); margin-top: 32px; font-size: 12px; }
details { margin: 8px 0; } summary { cursor: pointer; }
`;

/** The self-contained HTML report. */
export function toSuiteHtml(r: SuiteReport): string {
  const s = r.summary;
  const title = `Bakeoff suite: ${r.suite.description ?? r.suite.file}`;
  const meta =
    `${r.plan.tests} tests × ${r.plan.backends.length} backends × ${r.plan.trials} trial${r.plan.trials > 1 ? 's' : ''} = ${r.plan.cells} cells · seed ${r.plan.seed}` +
    (r.plan.shard ? ` · shard ${r.plan.shard.index}/${r.plan.shard.count}` : '') +
    (r.plan.shardsMerged ? ` · merged shards ${r.plan.shardsMerged.join(', ')}` : '') +
    ` · ${r.outcome === 'finished' ? 'finished' : r.outcome === 'budget' ? 'stopped at the budget' : 'interrupted'} · started ${r.environment.startedAt}`;
  const passBars = s.backends.map((b, i) => ({
    label: b.label,
    colour: colour(i),
    value: b.passRate?.value ?? null,
    ci: b.passRate?.ci95 ?? null,
    text: b.passRate ? `${rateText(b.passRate)} (${b.passed}/${b.graded})` : 'nothing graded',
  }));
  const costs = s.backends.map((b) => b.costPerPassUsd).filter((v): v is number => v !== null);
  const costBars = s.backends.map((b, i) => ({
    label: b.label,
    colour: colour(i),
    value: b.costPerPassUsd,
    ci: null,
    text: b.costPerPassUsd === null ? (b.passed === 0 ? 'no passed test' : 'unknown (no price)') : costText(b.costPerPassUsd, b.costIsLowerBound),
  }));
  const sections: string[] = [];
  sections.push(`<h2>Summary</h2><div class="scroll">${table(summaryTableHeader, summaryTableRows(s))}</div>`);
  sections.push(
    `<div class="charts">${barChart('Pass rate (delivered and passed ÷ graded) with 95 % Wilson interval', passBars, 1, (t) => formatPercent(t))}` +
      `${barChart('Cost per passed test (US dollars)', costBars, costs.length ? Math.max(...costs) * 1.25 : 1, (t) => (costs.length ? formatUsd(t) : unknownMark), 3)}</div>`,
  );
  sections.push(latencyChart(r));
  const vs = baselineTableRows(s);
  if (vs.length) sections.push(`<h2>Versus the baseline (${esc(s.baseline.id ?? '—')})</h2><div class="scroll">${table(baselineTableHeader, vs, 1)}</div>`);
  if (s.byLength.length) {
    sections.push('<h2>By context length</h2>');
    sections.push(lengthChart(r));
    const header = ['Length', 'Tests', 'Target tokens', ...r.plan.backends.flatMap((b) => [`${b.label} accuracy`, `${b.label} pass rate`, `${b.label} prompt tokens (reported)`])];
    const rows = s.byLength.map((g) => [
      g.label,
      String(g.tests),
      g.targetTokens === null ? unknownMark : Math.round(g.targetTokens).toLocaleString('en-US'),
      ...g.backends.flatMap((f) => [rateText(f.accuracy), rateText(f.passRate), f.promptTokensReportedMean === null ? unknownMark : Math.round(f.promptTokensReportedMean).toLocaleString('en-US')]),
    ]);
    sections.push(`<div class="scroll">${table(header, rows, 1)}</div>`);
  }
  if (s.byFamily.length) {
    const header = ['Family', 'Tests', ...r.plan.backends.flatMap((b) => [`${b.label} accuracy`, `${b.label} pass rate`])];
    const rows = s.byFamily.map((g) => [g.label, String(g.tests), ...g.backends.flatMap((f) => [rateText(f.accuracy), rateText(f.passRate)])]);
    sections.push(`<h2>By task family</h2><div class="scroll">${table(header, rows, 1)}</div>`);
  }
  if (r.claims.length) {
    const rows = r.claims
      .map(
        (c) =>
          `<tr><th scope="row">${esc(c.text)}</th><td>${esc(c.decentralized)} vs ${esc(c.closed)}</td><td>${esc(c.scope)}</td><td class="num">${esc(claimMeasuredText(c))}</td>` +
          `<td class="verdict-${c.verdict.replace(/ /g, '-')}">${esc(c.verdict)}</td><td>${esc(c.note)}</td></tr>`,
      )
      .join('');
    sections.push(
      `<h2>Claims</h2><div class="scroll"><table><thead><tr><th scope="col">Claim</th><th scope="col">Backends</th><th scope="col">Scope</th><th class="num" scope="col">Measured [95 % CI]</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    );
  }
  if (s.notRun.length) {
    sections.push(`<h2>Not run</h2>${table(['Assertion', 'Why', 'Count'], s.notRun.map((n) => [n.type, n.reason, String(n.count)]), 2)}`);
  }
  sections.push(`<h2>Notes</h2><ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  const failures = r.cells.filter((c) => c.passed === false);
  if (failures.length) {
    const byId = new Map(r.tests.map((t) => [t.id, t]));
    const rows = failures.slice(0, 500).map((c) => [`${c.test} ${byId.get(c.test)?.description ?? ''}`.trim(), c.backend, String(c.trial), c.reason]);
    sections.push(
      `<h2>Failures (${failures.length})</h2><details${failures.length <= 20 ? ' open' : ''}><summary>Show ${Math.min(500, failures.length)} failed cells</summary><div class="scroll">${table(['Test', 'Backend', 'Trial', 'Why'], rows, 9)}</div></details>`,
    );
  }
  const footer =
    `Bakeoff ${esc(r.environment.bakeoffVersion)} · Node ${esc(r.environment.node)} · ${esc(r.environment.os)} · report made ${esc(r.environment.time)} · ` +
    `suite ${esc(r.suite.file)} (sha256 ${esc(r.suite.hash.slice(0, 12))}…). Formulas: README → Suites → Statistics.`;
  return reportPage({ title, meta, sections, footer });
}

/**
 * One self-contained report page (suite and claims reports): nothing loaded from anywhere (the
 * CSP allows inline styles and data: images only), light and dark from the reader's setting.
 */
export function reportPage(page: { title: string; meta: string; sections: readonly string[]; footer: string; extraCss?: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(page.title)}</title>
<style>${css}${page.extraCss ?? ''}</style>
</head>
<body>
<main>
<h1>${esc(page.title)}</h1>
<p class="meta">${esc(page.meta)}</p>
${page.sections.join('\n')}
<footer>${page.footer}</footer>
</main>
</body>
</html>
`;
}
