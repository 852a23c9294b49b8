/**
 * Test Backends: checks each chosen backend without running a comparison and opens the report
 * (rendered by `backendCheckView.ts`). Error text in the report and the log is redacted.
 */
import * as vscode from 'vscode';
import { editorProxySettings } from './proxy';
import { checkBackend } from '../core/runner';
import { isBlocked, offerAddBackend, offerKeyFix, resolveKeys } from './backendKeys';
import { forEditor } from '../core/errors';
import { BackendCheckPanel, type CheckRow } from './backendCheckView';
import type { HostServices } from './services';

export class BackendCheckCommand {
  constructor(private readonly services: HostServices) {}

  /**
   * Checks each chosen backend (or those named by `onlyIds`) — reachable, model listed, streamed
   * usage — and opens the report.
   */
  async testBackends(onlyIds?: readonly string[]): Promise<void> {
    const { configured, chosen: picked } = this.services.settings.chosenBackends(true);
    const chosen = onlyIds ? configured.filter((b) => onlyIds.includes(b.id)) : picked;
    if (!chosen.length) return offerAddBackend();
    const settings = this.services.settings.runSettings();
    const keyed = await resolveKeys(this.services.keys, chosen);
    const runKeys = keyed.map((k) => (k.blocked === undefined ? k.key : undefined)).filter((k): k is string => !!k);
    const rows: CheckRow[] = keyed.map((k) => ({ backend: k.backend, check: null, ...(k.blocked !== undefined ? { skipped: k.blocked } : {}) }));
    const pending = rows.filter((r) => !r.skipped);
    let done = 0;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Bakeoff: testing backends', cancellable: true },
      async (progress, token) => {
        progress.report({ message: `0/${pending.length} done` });
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        await Promise.all(
          pending.map(async (row) => {
            const item = keyed.find((k) => k.backend === row.backend)!;
            const key = item.blocked === undefined ? item.key : undefined;
            try {
              row.check = await checkBackend(row.backend, key, {
                timeouts: settings.timeouts,
                transport: { proxy: editorProxySettings(vscode.workspace.getConfiguration('http')) },
                signal: abort.signal,
                usageMemory: this.services.usageMemory,
              });
            } catch (err) {
              row.skipped = this.services.errorText(err, runKeys);
            }
            done++;
            progress.report({ message: `${done}/${pending.length} done`, increment: 100 / Math.max(1, pending.length) });
          }),
        );
        subscription.dispose();
      },
    );
    for (const row of rows) {
      if (row.check?.error) {
        row.check = {
          ...row.check,
          error: forEditor({
            ...row.check.error,
            message: this.services.redact(row.check.error.message, runKeys),
            hint: this.services.redact(row.check.error.hint, runKeys),
          }),
        };
      }
      this.services.log.info(
        `Check ${row.backend.id}: ${row.check ? `reachable=${row.check.reachable} modelFound=${row.check.modelFound} usage=${row.check.streamUsage}${row.check.error ? ` error=${row.check.error.message}` : ''}` : `not checked (${row.skipped})`}`,
      );
    }
    offerKeyFix(this.services, keyed.filter(isBlocked));
    BackendCheckPanel.show(rows, new Date());
  }
}
