/**
 * The Test Backends report: a read-only virtual markdown document on the `bakeoff-report`
 * scheme, opened in the markdown preview (or as text when the preview is unavailable).
 */
import * as vscode from 'vscode';
import { checkVerdict, verdictHeadlines, type CheckVerdict } from '../core/checkVerdict';
import type { Backend } from '../core/config';
import type { ErrorFix } from '../core/errors';
import { escapeHtml, formatMs, markdownCell, statusLabels } from '../core/format';
import type { BackendCheck } from '../core/runner';
import { createNonce } from './webviewHtml';
import { backendName } from './settings';

/** URI scheme of report documents. */
export const reportScheme = 'bakeoff-report';

/** One row of the report: a check that ran, or a reason it did not. */
export interface CheckRow {
  backend: Backend;
  check: BackendCheck | null;
  /** Why the check did not run (no key, key bound to another origin, cancelled…). */
  skipped?: string;
}

function yesNo(value: boolean | null): string {
  if (value === null) return '—';
  return value ? 'yes' : 'no';
}

const usageText: Record<BackendCheck['streamUsage'], string> = {
  reported: 'reported',
  not_reported: 'not reported (tokens estimated)',
  rejected: 'option rejected (tokens estimated)',
  unknown: 'unknown',
};

/** The verdict of a row: the check's, or "not checked" with the reason. */
export function rowVerdict(row: CheckRow): CheckVerdict {
  if (!row.check) {
    const noKey = /API key|key for/i.test(row.skipped ?? '');
    return { level: 'failing', headline: 'Not checked', reasons: [row.skipped ?? 'Not checked.'], otherModels: [], fixes: noKey ? ['setApiKey'] : [] };
  }
  return checkVerdict(row.check, { model: row.backend.model, tlsInsecure: row.backend.tls?.insecure === true });
}

/** Renders the report as markdown. Error text must already be redacted. */
export function renderBackendChecks(rows: readonly CheckRow[], checkedAt: Date): string {
  const lines: string[] = [
    '# Bakeoff — backend check',
    '',
    `Checked ${checkedAt.toLocaleString()} · ${rows.length} backend${rows.length === 1 ? '' : 's'}`,
    '',
    '| Backend | Verdict | Kind | Model | Reachable | Model listed | Model found | Streamed usage | Latency |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const { backend, check, skipped } = row;
    const cells = [backendName(backend), rowVerdict(row).headline, backend.kind, backend.model];
    if (!check) {
      cells.push(skipped ? 'not checked' : '—', '—', '—', '—', '—');
    } else {
      cells.push(
        check.reachable ? 'yes' : 'no',
        yesNo(check.modelsListed),
        yesNo(check.modelFound),
        usageText[check.streamUsage] ?? String(check.streamUsage),
        check.latencyMs === null ? '—' : `${Math.round(check.latencyMs)} ms`,
      );
    }
    lines.push(`| ${cells.map((c) => markdownCell(c)).join(' | ')} |`);
  }
  const problems = rows.filter((r) => r.skipped || r.check?.error || r.check?.modelFound === false);
  if (problems.length) {
    lines.push('', '## Problems', '');
    for (const { backend, check, skipped } of problems) {
      lines.push(`### ${markdownCell(backendName(backend))}`, '');
      if (skipped) lines.push(`Not checked: ${markdownCell(skipped)}`, '');
      if (check?.error) {
        lines.push(`**${markdownCell(check.error.type)}**: ${markdownCell(check.error.message)}`, '');
        if (check.error.hint) lines.push(`What to do: ${markdownCell(check.error.hint)}`, '');
      }
      if (check && check.modelFound === false) {
        lines.push(`The model \`${backend.model.replace(/`/g, "'")}\` is not in this backend's model list. Check the model id.`, '');
      }
    }
  }
  lines.push(
    '',
    '---',
    '',
    '*Reachable*: the server answered. *Model listed / found*: `GET /models` works and contains the model. ' +
      '*Streamed usage*: whether token counts come from the server; otherwise they are estimated with a tokenizer.',
    '',
  );
  return lines.join('\n');
}


/** Commands the report's buttons may run (command links are off for anything else). */
export const reportCommands = ['bakeoff.setApiKey', 'bakeoff.testBackends', 'workbench.action.openSettingsJson'] as const;

function commandLink(command: (typeof reportCommands)[number], args: unknown[], label: string, title: string, primary: boolean): string {
  const href = `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
  return `<a class="btn${primary ? ' primary' : ''}" href="${escapeHtml(href)}" title="${escapeHtml(title)}">${escapeHtml(label)}</a>`;
}

function fixButton(fix: ErrorFix, backend: Backend, primary: boolean): string {
  const name = backendName(backend);
  switch (fix) {
    case 'setApiKey':
      return commandLink('bakeoff.setApiKey', [backend.id], 'Set API Key', `Set the API key of ${name}`, primary);
    case 'openSettings':
      return commandLink('workbench.action.openSettingsJson', [{ revealSetting: { key: 'bakeoff.backends' } }], 'Open Settings', `Edit ${name} in bakeoff.backends`, primary);
    case 'testBackends':
    case 'retry':
      return commandLink('bakeoff.testBackends', [], 'Test Again', 'Run Test Backends again', primary);
  }
}

const verdictIcons: Record<CheckVerdict['level'], string> = { ready: '✔', caveats: '⚠', failing: '✖' };

/**
 * The report as a static page (no scripts): a verdict first per backend — ready, works with
 * caveats, or why not — with the models the server lists when the configured one is missing and
 * fix buttons (command links limited to {@link reportCommands}); then the details. Error text
 * must already be redacted.
 */
export function renderBackendCheckHtml(rows: readonly CheckRow[], checkedAt: Date, nonce: string): string {
  const cards = rows.map((row) => {
    const { backend, check } = row;
    const v = rowVerdict(row);
    // Retry and Test Backends are the same button here (the check runs again): show it once.
    const buttons = [...new Set(v.fixes.map((f) => (f === 'retry' ? 'testBackends' : f)))];
    const fixes = buttons.map((f, i) => fixButton(f, backend, i === 0)).join('');
    const models = v.otherModels.length
      ? `<p class="models">Models it lists: ${v.otherModels.map((m) => `<code>${escapeHtml(m)}</code>`).join(', ')}</p>`
      : '';
    const hint = check?.error?.hint && v.level === 'failing' ? `<p class="hint">What to do: ${escapeHtml(check.error.hint)}</p>` : '';
    return `<section class="card ${v.level}" data-testid="check-card" data-backend-id="${escapeHtml(backend.id)}" data-verdict="${v.level}">
  <h2><span class="name">${escapeHtml(backendName(backend))}</span> <span class="meta">${escapeHtml(backend.kind)} · <code>${escapeHtml(backend.model)}</code></span></h2>
  <p class="verdict" data-testid="verdict"><span class="icon" aria-hidden="true">${verdictIcons[v.level]}</span> ${escapeHtml(v.headline)}</p>
  <ul class="reasons">${v.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
  ${models}${hint}${fixes ? `<p class="fixes">${fixes}</p>` : ''}
</section>`;
  });
  const yesNo = (value: boolean | null): string => (value === null ? '—' : value ? 'yes' : 'no');
  const details = rows.map(({ backend, check, skipped }) => {
    const cells = check
      ? [
          check.reachable ? 'yes' : 'no',
          check.chat.status === 'ok' ? `ok (first token ${formatMs(check.chat.ttftMs)})` : check.chat.httpStatus ? `HTTP ${check.chat.httpStatus}` : statusLabels[check.chat.status],
          yesNo(check.modelsListed),
          yesNo(check.modelFound),
          usageText[check.streamUsage] ?? String(check.streamUsage),
          check.latencyMs === null ? '—' : `${Math.round(check.latencyMs)} ms`,
        ]
      : [skipped ? 'not checked' : '—', '—', '—', '—', '—', '—'];
    return `<tr><th scope="row">${escapeHtml(backendName(backend))}</th><td>${escapeHtml(backend.kind)}</td><td><code>${escapeHtml(backend.model)}</code></td>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const counts = (['ready', 'caveats', 'failing'] as const).map((level) => [level, rows.filter((r) => rowVerdict(r).level === level).length] as const);
  const summary = counts.filter(([, n]) => n > 0).map(([level, n]) => `${n} ${verdictHeadlines[level].toLowerCase()}`).join(' · ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<title>Bakeoff — backend check</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 12px 24px 32px; line-height: 1.5; max-width: 1100px; }
h1 { font-size: 1.4em; margin: 0 0 2px; }
.sub { color: var(--vscode-descriptionForeground); margin: 0 0 16px; }
.card { border: 1px solid var(--vscode-widget-border, var(--vscode-contrastBorder, rgba(128,128,128,.35))); border-left-width: 4px; border-radius: 6px; padding: 8px 14px; margin: 0 0 12px; background: var(--vscode-editorWidget-background); }
.card.ready { border-left-color: var(--vscode-testing-iconPassed, #73c991); }
.card.caveats { border-left-color: var(--vscode-editorWarning-foreground, #cca700); }
.card.failing { border-left-color: var(--vscode-errorForeground, #f48771); }
h2 { font-size: 1.1em; margin: 0; display: flex; flex-wrap: wrap; gap: 0 10px; align-items: baseline; }
.meta { font-weight: 400; color: var(--vscode-descriptionForeground); font-size: .9em; }
.verdict { margin: 4px 0 2px; font-weight: 600; }
.ready .icon { color: var(--vscode-testing-iconPassed, #73c991); }
.caveats .icon { color: var(--vscode-editorWarning-foreground, #cca700); }
.failing .icon { color: var(--vscode-errorForeground, #f48771); }
.reasons { margin: 0; padding-left: 1.4em; }
.hint, .models { margin: 4px 0; }
code { font-family: var(--vscode-editor-font-family); color: var(--vscode-textPreformat-foreground); background: var(--vscode-textPreformat-background); padding: 0 3px; border-radius: 3px; }
.fixes { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0 4px; }
.btn { display: inline-block; padding: 3px 12px; border-radius: 3px; text-decoration: none; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); }
.btn.primary { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
.btn:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
table { border-collapse: collapse; margin-top: 8px; display: block; overflow-x: auto; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--vscode-widget-border, rgba(128,128,128,.35)); }
thead th { color: var(--vscode-descriptionForeground); font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
.note { color: var(--vscode-descriptionForeground); font-size: .92em; }
</style></head>
<body>
<h1>Bakeoff — backend check</h1>
<p class="sub">Checked ${escapeHtml(checkedAt.toLocaleString())} · ${rows.length} backend${rows.length === 1 ? '' : 's'}${summary ? ` · ${escapeHtml(summary)}` : ''}</p>
${cards.join('\n')}
<h2 class="details-title">Details</h2>
<table><thead><tr><th>Backend</th><th>Kind</th><th>Model</th><th>Reachable</th><th>Chat request</th><th>Model listed</th><th>Model found</th><th>Streamed usage</th><th>Latency</th></tr></thead>
<tbody>${details.join('\n')}</tbody></table>
<p class="note"><em>Reachable</em>: the server answered. <em>Chat request</em>: a tiny streamed request (4 tokens). <em>Model listed / found</em>: <code>GET /models</code> works and contains the model. <em>Streamed usage</em>: whether token counts come from the server; otherwise they are estimated with a tokenizer.</p>
</body></html>
`;
}

/** The Test Backends report, in its own editor tab (one at a time, replaced by the next check). */
export class BackendCheckPanel {
  private static current: vscode.WebviewPanel | undefined;

  static show(rows: readonly CheckRow[], checkedAt: Date): void {
    let panel = BackendCheckPanel.current;
    if (!panel) {
      panel = vscode.window.createWebviewPanel(
        'bakeoff.backendCheck',
        'Bakeoff: Backend Check',
        { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
        { enableScripts: false, enableCommandUris: [...reportCommands], localResourceRoots: [] },
      );
      panel.onDidDispose(() => {
        if (BackendCheckPanel.current === panel) BackendCheckPanel.current = undefined;
      });
      BackendCheckPanel.current = panel;
    } else {
      panel.reveal(undefined, false);
    }
    panel.webview.html = renderBackendCheckHtml(rows, checkedAt, createNonce());
  }
}

/** Serves report documents from memory. */
export class ReportContentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly documents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '# Bakeoff\n\nThis report is no longer available. Run the command again.\n';
  }

  /** Stores `markdown` under a report name and opens it in the preview. */
  async show(name: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: reportScheme, path: `/${name}.md` });
    this.documents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  dispose(): void {
    this.changed.dispose();
    this.documents.clear();
  }
}
