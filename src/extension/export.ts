/**
 * Export Results…: the last finished comparison as a Markdown report, a self-contained HTML page
 * or JSON, or its summary copied as a Markdown table; keys redacted.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toHtmlReport } from '../core/htmlReport';
import { exportFileName, redactResult, summarizeComparison, summaryMarkdownTable, toJsonReport, toMarkdownReport } from '../core/report';
import type { FinishedRun } from './runTracker';
import type { HostServices } from './services';

/** A format Export Results… writes. */
interface ExportFormat {
  label: string;
  detail: string;
  format: 'markdown' | 'html' | 'json' | 'copy';
  extension: string;
  filters: Record<string, string[]>;
}

const exportFormats: readonly ExportFormat[] = [
  { label: 'Markdown report', detail: 'Verdict first, the setup and prompt, one answer per backend with its code', format: 'markdown', extension: 'md', filters: { Markdown: ['md'] } },
  { label: 'HTML report', detail: 'The same, as one page that opens in any browser', format: 'html', extension: 'html', filters: { HTML: ['html'] } },
  { label: 'JSON (same shape as `bakeoff compare --json`)', detail: 'Every trial with its figures, and the summary', format: 'json', extension: 'json', filters: { JSON: ['json'] } },
  { label: 'Copy summary as Markdown table', detail: 'To paste into an issue, a pull request or a chat', format: 'copy', extension: '', filters: {} },
];

/**
 * Saves the last finished comparison (or `given`, a run from the history) as a Markdown or HTML
 * report or as JSON (or copies its summary), with keys redacted.
 */
export async function exportResults(services: HostServices, given?: FinishedRun): Promise<void> {
  const finished = given ?? services.runs.lastFinished;
  if (!finished) {
    const message = services.runs.current
      ? 'Bakeoff: the comparison is still running; export it once it has finished.'
      : 'Bakeoff: nothing to export yet. Run a comparison first.';
    void vscode.window.showInformationMessage(message);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    exportFormats.map((f) => ({ label: f.label, detail: f.detail, format: f })),
    { title: 'Export Results', placeHolder: given ? 'Save this run as' : 'Save the last comparison as' },
  );
  if (!picked) return;
  const { format } = picked;
  const { result, keys } = finished;
  const baselineId = services.settings.rememberedBaseline();
  if (format.format === 'copy') {
    const safe = redactResult(result, [...services.keys.knownKeys(), ...keys]);
    await vscode.env.clipboard.writeText(`${summaryMarkdownTable(summarizeComparison(safe, baselineId))}\n`);
    void vscode.window.showInformationMessage('Bakeoff: copied the summary as a Markdown table.');
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = exportFileName(result, finished.sourceName, format.extension);
  const target = await vscode.window.showSaveDialog({
    title: 'Export Bakeoff Results',
    saveLabel: 'Export',
    filters: format.filters,
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
  });
  if (!target) return;
  const safe = redactResult(result, [...services.keys.knownKeys(), ...keys]);
  // The baseline the panel shows, so the export's ratios are the panel's.
  const context = finished.title ? { title: finished.title } : {};
  const text =
    format.format === 'markdown'
      ? toMarkdownReport(safe, baselineId, context)
      : format.format === 'html'
        ? toHtmlReport(safe, baselineId, context)
        : `${JSON.stringify(toJsonReport(safe, baselineId), null, 2)}\n`;
  try {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  } catch (err) {
    const message = services.errorText(err, keys);
    services.log.error(`Export of run ${result.runId} to ${target.toString(true)} failed: ${message}`);
    void vscode.window.showErrorMessage(`Bakeoff: could not export the results — ${message}`);
    return;
  }
  services.log.info(`Exported run ${result.runId} (${format.format}) to ${target.toString(true)}.`);
  const choice = await vscode.window.showInformationMessage(`Bakeoff: exported the results to ${path.basename(target.path)}.`, 'Open');
  if (choice) await vscode.window.showTextDocument(target, { preview: false });
}
