/**
 * Host side of the suite report panel (`bakeoff.suiteReport`): one panel per suite run, showing
 * the report as it fills in while the run goes on and as it ended afterwards. It keeps the view
 * model it shows (re-sent when the webview says `ready`), answers requests for one cell in full,
 * and hands exports and Cancel to the suite commands. Same CSP and options as the other panels;
 * after a window reload it comes back through its serializer, reading the run from the history.
 */
import * as vscode from 'vscode';
import { assertNever } from '../shared/guards';
import { parseSuiteMessage, PersistedSuiteState, type CellDetailView, type HostToSuiteMessage, type SuiteReportView, type SuiteToHostMessage } from '../shared/suiteProtocol';
import { suitePanelViewType } from './commands';
import { EditorActions } from './editorActions';
import { panelOptions, panelWebviewOptions } from './webviewHtml';
import { panelPage, webviewRoot } from './webviewPage';

/** What the panel asks of the suite commands. */
export interface SuitePanelHost {
  /** The cell in full, or null when the run has no such cell. */
  cellDetail(runId: string, testIndex: number, backend: string, trial: number): Promise<CellDetailView | null>;
  cancel(runId: string): void;
  export(runId: string, format: Extract<SuiteToHostMessage, { type: 'export' }>['format']): Promise<void>;
  log: vscode.LogOutputChannel;
}

export class SuitePanel {
  static readonly viewType = suitePanelViewType;
  private static readonly panels = new Map<string, SuitePanel>();

  /** Shows the report of a run: the run's panel when it is open, else a new one. */
  static show(context: vscode.ExtensionContext, host: SuitePanelHost, view: SuiteReportView): SuitePanel {
    let panel = SuitePanel.panels.get(view.runId);
    if (panel) {
      panel.host = host;
      panel.panel.reveal(undefined, false);
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(SuitePanel.viewType, SuitePanel.titleOf(view), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        ...panelWebviewOptions(webviewRoot(context.extensionUri)),
        ...panelOptions,
      });
      panel = new SuitePanel(webviewPanel, context, host, view.runId);
    }
    panel.update(view);
    return panel;
  }

  /** The open panel of a run, if any. */
  static of(runId: string): SuitePanel | undefined {
    return SuitePanel.panels.get(runId);
  }

  /** A report panel the editor restored after a reload: `restore` reads its run back from the history. */
  static async revive(panel: vscode.WebviewPanel, saved: unknown, restore: (runId: string) => Promise<void>): Promise<void> {
    const state = PersistedSuiteState.safeParse(saved);
    if (!state.success) {
      panel.dispose();
      return;
    }
    try {
      await restore(state.data.runId);
    } catch (err) {
      // Never leave an empty page: the report can be opened again from the History view.
      panel.dispose();
      throw err;
    }
  }

  /** Adopts a panel revived after a reload. */
  static adopt(context: vscode.ExtensionContext, host: SuitePanelHost, webviewPanel: vscode.WebviewPanel, view: SuiteReportView): SuitePanel {
    const panel = new SuitePanel(webviewPanel, context, host, view.runId);
    panel.update(view);
    return panel;
  }

  private static titleOf(view: SuiteReportView): string {
    const name = view.suiteFile.split(/[\\/]/).pop() || 'suite';
    return `Bakeoff Suite: ${name}`;
  }

  private view: SuiteReportView | null = null;
  private ready = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private host: SuitePanelHost,
    readonly runId: string,
  ) {
    SuitePanel.panels.set(runId, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const webview = panel.webview;
    webview.options = panelWebviewOptions(webviewRoot(context.extensionUri));
    webview.html = panelPage(webview, context.extensionUri, 'suite');
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) this.ready = false;
    }, null, this.disposables);
    webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw), null, this.disposables);
  }

  /** Whether the panel can be seen (updates of a hidden panel wait until it is shown). */
  get visible(): boolean {
    return this.panel.visible;
  }

  /** Replaces the report shown. */
  update(view: SuiteReportView): void {
    this.view = view;
    this.panel.title = SuitePanel.titleOf(view);
    this.post({ type: 'reportShown', report: view });
  }

  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.post({ type: 'noticeShown', level, message: message.slice(0, 1_000) });
  }

  private post(message: HostToSuiteMessage): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.host.log.debug(`Suite panel: could not post ${message.type}: ${String(error)}`));
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseSuiteMessage(raw);
    if (!parsed.ok) {
      this.host.log.debug(`Suite panel: dropped an invalid message (${parsed.reason}).`);
      return;
    }
    const message = parsed.message;
    try {
      switch (message.type) {
        case 'ready':
          this.ready = true;
          if (this.view) this.post({ type: 'reportShown', report: this.view });
          return;
        case 'cellDetail': {
          const detail = await this.host.cellDetail(this.runId, message.testIndex, message.backend, message.trial);
          if (detail) this.post({ type: 'cellDetailShown', detail });
          else this.notice('warning', 'That cell has no result yet.');
          return;
        }
        case 'cancel':
          this.host.cancel(this.runId);
          return;
        case 'export':
          await this.host.export(this.runId, message.format);
          return;
        case 'openLink':
          await EditorActions.get(this.context).openLink(message.url);
          return;
        default:
          assertNever(message, 'suite message');
      }
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.host.log.error(`Suite panel: ${message.type} failed: ${text}`);
      this.notice('error', text);
    }
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (SuitePanel.panels.get(this.runId) === this) SuitePanel.panels.delete(this.runId);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
