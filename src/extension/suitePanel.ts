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
import { PanelChannel } from './panelChannel';
import { webviewRoot } from './webviewPage';

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
  private readonly channel: PanelChannel<SuiteToHostMessage, HostToSuiteMessage>;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private host: SuitePanelHost,
    readonly runId: string,
  ) {
    SuitePanel.panels.set(runId, this);
    this.channel = new PanelChannel(panel, context.extensionUri, {
      bundle: 'suite',
      name: 'Suite panel',
      parse: parseSuiteMessage,
      log: () => this.host.log,
      onReady: () => {
        if (this.view) this.channel.post({ type: 'reportShown', report: this.view });
      },
      onMessage: (message) => this.onMessage(message),
      onFailure: (text) => this.notice('error', text),
      onDispose: () => {
        if (SuitePanel.panels.get(this.runId) === this) SuitePanel.panels.delete(this.runId);
      },
    });
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
    this.channel.post(message);
  }

  /** The page's requests (`ready` is the channel's). */
  private async onMessage(message: SuiteToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
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
  }
}
