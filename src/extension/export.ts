/** Export Results…: the last finished comparison as a Markdown report or as JSON, keys redacted. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { redactResult, toJsonReport, toMarkdownReport } from '../core/report';
import type { ComparisonResult } from '../core/types';
import type { FinishedRun } from './runTracker';
import type { HostServices } from './services';

/** A format Export Results… writes. */
interface ExportFormat {
  label: string;
  format: 'markdown' | 'json';
  extension: string;
  filters: Record<string, string[]>;
}

const exportFormats: readonly ExportFormat[] = [
  { label: 'Markdown report', format: 'markdown', extension: 'md', filters: { Markdown: ['md'] } },
  { label: 'JSON (same shape as `bakeoff compare --json`)', format: 'json', extension: 'json', filters: { JSON: ['json'] } },
];

/**
 * Saves the last finished comparison (or `given`, a run from the history) as a Markdown report
 * or as JSON, with keys redacted.
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
    exportFormats.map((f) => ({ label: f.label, format: f })),
    { title: 'Export Results', placeHolder: given ? 'Save this run as' : 'Save the last comparison as' },
  );
  if (!picked) return;
  const { format } = picked;
  const { result, keys } = finished;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `bakeoff-${exportStem(result)}.${format.extension}`;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Bakeoff Results',
    saveLabel: 'Export',
    filters: format.filters,
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
  });
  if (!target) return;
  const safe = redactResult(result, [...services.keys.knownKeys(), ...keys]);
  // The baseline the panel shows, so the export's ratios are the panel's.
  const baselineId = services.settings.rememberedBaseline();
  const text = format.format === 'markdown' ? toMarkdownReport(safe, baselineId) : `${JSON.stringify(toJsonReport(safe, baselineId), null, 2)}\n`;
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

/** `<runId>` when it is file-name safe, else the run's start date and time (`2025-06-01-1412`). */
function exportStem(result: ComparisonResult): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(result.runId)) return result.runId;
  const started = new Date(result.startedAt);
  const date = Number.isNaN(started.getTime()) ? new Date() : started;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}`;
}
