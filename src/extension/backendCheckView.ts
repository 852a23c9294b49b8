/**
 * The Test Backends report: a read-only virtual markdown document on the `bakeoff-report`
 * scheme, opened in the markdown preview (or as text when the preview is unavailable).
 */
import * as vscode from 'vscode';
import type { Backend } from '../core/config';
import { markdownCell } from '../core/format';
import type { BackendCheck } from '../core/runner';
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

/** Renders the report as markdown. Error text must already be redacted. */
export function renderBackendChecks(rows: readonly CheckRow[], checkedAt: Date): string {
  const lines: string[] = [
    '# Bakeoff — backend check',
    '',
    `Checked ${checkedAt.toLocaleString()} · ${rows.length} backend${rows.length === 1 ? '' : 's'}`,
    '',
    '| Backend | Kind | Model | Reachable | Model listed | Model found | Streamed usage | Latency |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { backend, check, skipped } of rows) {
    const cells = [backendName(backend), backend.kind, backend.model];
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
