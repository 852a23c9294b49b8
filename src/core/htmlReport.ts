/**
 * A comparison as one self-contained HTML file to share (a browser opens it without Bakeoff):
 * the same verdict, table, notes and answers as the Markdown report (`report.ts`), with every
 * figure from the core summary. Model output stays inert: Markdown is rendered with raw HTML
 * off, links only for http(s), and the page's Content-Security-Policy loads nothing (no
 * scripts, no remote images or styles).
 */
import MarkdownIt from 'markdown-it';
import { escapeHtml, formatCount, formatMs, formatUsd, statusLabels, trialStateLine } from './format';
import { shownTrials, summarizeComparison, summaryNotes, summaryHeader, summaryRows, type ReportContext } from './report';
import type { ComparisonResult } from './types';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
markdown.validateLink = (url: string): boolean => /^https?:\/\//i.test(url);
// Images are never loaded: shown as their alt text with the link.
markdown.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = markdown.utils.escapeHtml(token.content || 'image');
  return /^https?:\/\//i.test(src) ? `[image: ${alt}] <a href="${markdown.utils.escapeHtml(src)}">${markdown.utils.escapeHtml(src)}</a>` : `[image: ${alt}]`;
};


const style = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --card: #f6f8fa; --border: #d1d9e0; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --card: #151b23; --border: #3d444d; --accent: #4493f8; } }
body { font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 28px 0 6px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
.verdict { font-weight: 600; font-size: 1.05em; } .muted, .meta { color: var(--muted); }
table { border-collapse: collapse; margin: 10px 0; font-variant-numeric: tabular-nums; display: block; overflow-x: auto; }
th, td { border-bottom: 1px solid var(--border); padding: 5px 10px; text-align: left; white-space: nowrap; } td.num { text-align: right; font-family: ui-monospace, monospace; }
pre { background: var(--card); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
:not(pre) > code { background: var(--card); padding: 1px 4px; border-radius: 4px; }
a { color: var(--accent); } blockquote { margin: 0; padding: 0 12px; border-left: 3px solid var(--border); color: var(--muted); }
.answer { border: 1px solid var(--border); border-radius: 8px; padding: 2px 16px; }
details { margin: 10px 0; } summary { cursor: pointer; font-weight: 600; }
`;

/** The report as one HTML document (see the module notes). */
export function toHtmlReport(result: ComparisonResult, baselineId?: string | null, context: ReportContext = {}): string {
  const summary = summarizeComparison(result, baselineId);
  const name = (id: string | null) => summary.backends.find((b) => b.id === id)?.label ?? '';
  const verdict = [
    ...(summary.fastestId ? [`Fastest: ${name(summary.fastestId)}`] : []),
    ...(summary.cheapestId ? [`Cheapest: ${name(summary.cheapestId)}`] : []),
  ].join(' · ');
  const numeric = new Set(summaryHeader.map((h, i) => (i >= 4 ? h : '')).filter(Boolean));
  const head = summaryHeader.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = summaryRows(summary)
    .map((row) => `<tr>${row.map((c, i) => `<td${numeric.has(summaryHeader[i]!) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const user = [...result.request.messages].reverse().find((m) => m.role === 'user');
  const prompt = typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
  const p = result.request.params;
  const answers = shownTrials(result, summary)
    .map((r) => {
      const meta = `${r.kind} · ${r.model} · ${trialStateLine(r)} · TTFT ${formatMs(r.metrics.ttftMs)} · total ${formatMs(r.metrics.totalMs)} · ${formatCount(r.metrics.outputTokens)} output tokens${r.metrics.tokenSource ? ` (${r.metrics.tokenSource})` : ''} · cost ${formatUsd(r.cost.costUsd)}`;
      const notes = [
        ...(r.keyRedacted ? ['This answer contained your API key; it was redacted.'] : []),
        ...(r.tlsUnverified ? ['Unverified TLS: the certificate of this backend was not checked.'] : []),
        ...(r.error && r.status !== 'ok' ? [`What to do: ${r.error.hint}`] : []),
      ];
      return `<h2>${escapeHtml(r.backendLabel)}</h2>
<p class="meta">${escapeHtml(meta)}</p>
${notes.map((n) => `<blockquote>${escapeHtml(n)}</blockquote>`).join('\n')}
${r.text ? `<div class="answer">${markdown.render(r.text)}</div>` : ''}`;
    })
    .join('\n');
  const trials = Math.max(1, ...summary.backends.map((s) => s.trials));
  const every =
    trials > 1
      ? `<h2>Every trial</h2><table><thead><tr><th>Backend</th><th>Trial</th><th>State</th><th>TTFT</th><th>Total</th><th>Output tokens</th><th>Cost</th></tr></thead><tbody>${result.results
          .map(
            (r) =>
              `<tr><td>${escapeHtml(r.backendLabel)}</td><td class="num">${r.trial}</td><td>${escapeHtml(statusLabels[r.status])}</td><td class="num">${escapeHtml(formatMs(r.metrics.ttftMs))}</td><td class="num">${escapeHtml(formatMs(r.metrics.totalMs))}</td><td class="num">${escapeHtml(formatCount(r.metrics.outputTokens))}</td><td class="num">${escapeHtml(formatUsd(r.cost.costUsd))}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '';
  const title = `Bakeoff comparison${context.title ? ` — ${context.title}` : ''}${result.outcome === 'cancelled' ? ' (cancelled)' : ''}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${verdict ? `<p class="verdict">${escapeHtml(verdict)}</p>` : ''}
<table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<ul class="muted">${summaryNotes(result, summary).map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>
<p class="muted">Same request to every backend: max_tokens ${p.maxTokens}, temperature ${p.temperature}${p.seed != null ? `, seed ${p.seed}` : ''}. Run ${escapeHtml(result.runId)}, started ${escapeHtml(result.startedAt)}.</p>
<details><summary>Prompt</summary><pre><code>${escapeHtml(prompt)}</code></pre></details>
${answers}
${every}
</body></html>
`;
}
