/**
 * What every Bakeoff webview panel shares: its page (panelPage.ts), the `ready` handshake
 * (nothing is posted before the page listens; a page hidden and shown again says `ready` again
 * and is sent its state anew), validated incoming messages, a failed request logged (unless it
 * is an editor action the user can fix, such as a closed file) and shown in the page, and
 * disposal with the panel.
 */
import * as vscode from 'vscode';
import type { Parsed } from '../shared/protocol';
import { EditorActionError } from './editorActions';
import { panelWebviewOptions } from './webviewHtml';
import { panelPage, webviewRoot, type PanelBundle } from './webviewPage';

export interface PanelChannelOptions<In> {
  /** The page's bundle (`dist/webview/<bundle>.js`). */
  bundle: PanelBundle;
  /** How log lines name the panel, e.g. `Suite panel`. */
  name: string;
  parse(raw: unknown): Parsed<In>;
  log(): vscode.LogOutputChannel;
  /** The page listens (again): send it what it shows. */
  onReady(): void;
  /** A validated message other than `ready`. */
  onMessage(message: In): Promise<void> | void;
  /** A message's handler failed with this text (already logged): show it in the page. */
  onFailure(text: string): void;
  /** The user closed the panel. */
  onDispose(): void;
}

export class PanelChannel<In extends { type: string }, Out extends { type: string }> {
  private ready = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly options: PanelChannelOptions<In>,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    const webview = panel.webview;
    webview.options = panelWebviewOptions(webviewRoot(extensionUri));
    webview.html = panelPage(webview, extensionUri, options.bundle);
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    panel.onDidChangeViewState(
      (e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      },
      null,
      this.disposables,
    );
    webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw), null, this.disposables);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Posts `message` when the page listens; dropped otherwise (the page is sent its state on `ready`). */
  post(message: Out): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.options.log().debug(`${this.options.name}: could not post ${message.type}: ${String(error)}`));
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = this.options.parse(raw);
    if (!parsed.ok) {
      this.options.log().debug(`${this.options.name}: dropped an invalid message (${parsed.reason}).`);
      return;
    }
    const message = parsed.message;
    try {
      if (message.type === 'ready') {
        this.ready = true;
        this.options.onReady();
        return;
      }
      await this.options.onMessage(message);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (!(error instanceof EditorActionError)) this.options.log().error(`${this.options.name}: ${message.type} failed: ${text}`);
      this.options.onFailure(text);
    }
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.options.onDispose();
  }
}
