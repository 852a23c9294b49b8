/**
 * The HTML report of `bakeoff reproduce`: one self-contained file (inline CSS and SVG, no script,
 * no remote resource), light or dark with the reader's setting, built from the same pieces as the
 * suite report. Every figure comes from the claims report object.
 */
import {
  bucketTableHeader,
  bucketTableRows,
  claimedText,
  claimsReportNotes,
  lengthTableHeader,
  lengthTableRows,
  probeTableHeader,
  probeTableRows,
  type ClaimsReport,
} from './claimsReport';
import { formatRatio } from './format';
import { barChart, colour, esc, lengthChart, reportPage, table, type Bar } from './suite/html';
import { claimMeasuredText } from './suite/report';

const extraCss = `
.banner { border: 1px solid var(--line); border-left: 4px solid var(--warn); padding: 8px 12px; margin: 12px 0; background: var(--stripe); }
td.claimed { white-space: nowrap; }
`;

function claimsTable(report: ClaimsReport): string {
  const rows = report.claims
    .map(
      (c) =>
        `<tr><th scope="row">${esc(c.text)}</th><td>${esc(c.decentralized)} vs ${esc(c.closed)}</td><td>${esc(c.scope)}</td>` +
        `<td class="num">${esc(claimMeasuredText(c))}</td><td class="claimed">${esc(claimedText(c))}</td>` +
        `<td class="verdict-${c.verdict.replace(/ /g, '-')}">${esc(c.verdict)}</td><td>${esc(c.note)}</td></tr>`,
    )
    .join('');
  return (
    '<div class="scroll"><table><thead><tr><th scope="col">Claim</th><th scope="col">Backends</th><th scope="col">Scope</th>' +
    '<th class="num" scope="col">Measured [95 % CI]</th><th scope="col">Claimed</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div>`
  );
}

/** Latency ratio of each decentralized backend at each scope, with its interval. */
function latencyChart(report: ClaimsReport): string {
  const rows = report.claims.filter((c) => c.claim === 'latency');
  if (!rows.length) return '';
  const several = new Set(rows.map((r) => r.decentralized)).size > 1;
  const bars: Bar[] = rows.map((r) => ({
    label: several ? `${r.decentralized} · ${r.scope.replace(/^length /, '')}` : r.scope.replace(/^length /, ''),
    colour: colour(Math.max(0, report.backends.findIndex((b) => b.id === r.decentralized))),
    value: r.measured,
    ci: r.ci95,
    text: r.measured === null ? r.note : claimMeasuredText(r),
  }));
  const highest = Math.max(2.4, ...rows.flatMap((r) => [r.measured ?? 0, r.ci95?.[1] ?? 0]));
  return barChart(`Latency ÷ ${report.reference ?? 'closed'} (claim: 2.4×), with 95 % interval`, bars, highest * 1.15, (t) => formatRatio(t));
}

/** The self-contained HTML report. */
export function toClaimsHtml(report: ClaimsReport, opts: { banner?: string } = {}): string {
  const title = 'Bakeoff: checking the claims';
  const meta =
    `Seed ${report.plan.seed} · long-context lengths ${report.plan.lengthsRun.join(', ') || 'none'}` +
    (report.plan.lengthsRequested.length !== report.plan.lengthsRun.length ? ` (of ${report.plan.lengthsRequested.join(', ')} asked)` : '') +
    ` · ${report.plan.n} per task family per length · ${report.plan.completionN} completion tasks per family · ` +
    `${report.outcome === 'finished' ? 'finished' : report.outcome === 'budget' ? 'stopped at the budget' : 'interrupted'} · ${report.environment.time}`;
  const sections: string[] = [];
  if (opts.banner) sections.push(`<p class="banner">${esc(opts.banner)}</p>`);
  sections.push(
    `<h2>Backends</h2>${table(
      ['Backend', 'Label', 'Kind', 'Model', 'Price'],
      report.backends.map((b) => [b.id, b.label, b.kind + (b.id === report.reference ? ' (reference)' : ''), b.model, report.prices[b.id] ?? b.pricing]),
      9,
    )}`,
  );
  sections.push(`<h2>Claims</h2>${claimsTable(report)}`);
  sections.push(`<div class="charts">${latencyChart(report)}${report.longContext ? lengthChart(report.longContext) : ''}</div>`);
  if (report.lengths.length) sections.push(`<h2>By context length</h2><div class="scroll">${table(lengthTableHeader(report), lengthTableRows(report), 1)}</div>`);
  if (report.buckets.length) {
    sections.push(
      `<h2>Accuracy by the prompt tokens each backend reported</h2><p class="meta">Backends tokenize differently: the same task is a different number of tokens to each.</p>` +
        `<div class="scroll">${table(bucketTableHeader, bucketTableRows(report), 2)}</div>`,
    );
  }
  if (report.probes.length) sections.push(`<h2>Context windows (probed)</h2><div class="scroll">${table(probeTableHeader, probeTableRows(report), 9)}</div>`);
  sections.push(`<h2>Notes</h2><ul class="notes">${claimsReportNotes(report).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  const footer = `Bakeoff ${esc(report.environment.bakeoffVersion)} · Node ${esc(report.environment.node)} · ${esc(report.environment.os)} · formulas: README → Suites → Statistics and → Check the claims.`;
  return reportPage({ title, meta, sections, footer, extraCss });
}
