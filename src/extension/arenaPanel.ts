/**
 * Host side of the Blind A/B panel (`bakeoff.arena`): owns the webview, keeps the state it
 * shows (re-sent whenever the webview says `ready`, e.g. after being hidden) and hands the
 * webview's validated requests to the arena commands. Same Content Security Policy and
 * options as the comparison panel.
 */
import * as vscode from 'vscode';
import { assertNever } from '../shared/guards';
import { parseArenaMessage, type ArenaState, type ArenaToHostMessage, type HostToArenaMessage } from '../shared/arenaProtocol';
import { PanelChannel } from './panelChannel';
import { EditorActions } from './editorActions';
import { panelOptions, panelWebviewOptions } from './webviewHtml';
import { webviewRoot } from './webviewPage';

/** What the panel's buttons do. */
export interface ArenaHandlers {
  vote(battleId: string, vote: Extract<ArenaToHostMessage, { type: 'vote' }>['vote']): Promise<void>;
  reveal(battleId: string): Promise<void>;
  cancel(): void;
  again(): Promise<void>;
  exportVotes(): Promise<void>;
  openInPanel(battleId: string): Promise<void>;
  /** The user closed the panel. */
  closed(): void;
  log: vscode.LogOutputChannel;
}

export class ArenaPanel {
  static readonly viewType = 'bakeoff.arena';
  private static instance: ArenaPanel | undefined;

  static get current(): ArenaPanel | undefined {
    return ArenaPanel.instance;
  }

  /** Reveals the panel (created beside the editor when needed) and shows `state`. */
  static show(context: vscode.ExtensionContext, handlers: ArenaHandlers, state: ArenaState): ArenaPanel {
    let panel = ArenaPanel.instance;
    if (!panel) {
      const webviewPanel = vscode.window.createWebviewPanel(
        ArenaPanel.viewType,
        'Bakeoff: Blind A/B',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        { ...panelWebviewOptions(webviewRoot(context.extensionUri)), ...panelOptions },
      );
      panel = new ArenaPanel(webviewPanel, context, handlers);
      ArenaPanel.instance = panel;
    } else {
      panel.handlers = handlers;
      panel.panel.reveal(undefined, false);
    }
    panel.setState(state);
    return panel;
  }

  private state: ArenaState = { battle: null, leaderboard: null };
  private readonly channel: PanelChannel<ArenaToHostMessage, HostToArenaMessage>;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private handlers: ArenaHandlers,
  ) {
    this.channel = new PanelChannel(panel, context.extensionUri, {
      bundle: 'arena',
      name: 'Blind A/B panel',
      parse: parseArenaMessage,
      log: () => this.handlers.log,
      onReady: () => this.channel.post({ type: 'arenaState', state: this.state }),
      onMessage: (message) => this.onMessage(message),
      onFailure: (text) => this.notice('error', text),
      onDispose: () => {
        if (ArenaPanel.instance === this) ArenaPanel.instance = undefined;
        this.handlers.closed();
      },
    });
  }

  /** Replaces what the panel shows. */
  setState(state: ArenaState): void {
    this.state = state;
    this.post({ type: 'arenaState', state });
  }

  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.post({ type: 'noticeShown', level, message: message.slice(0, 1_000) });
  }

  private post(message: HostToArenaMessage): void {
    this.channel.post(message);
  }

  /** The page's requests (`ready` is the channel's). */
  private async onMessage(message: ArenaToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return;
      case 'vote':
        await this.handlers.vote(message.battleId, message.vote);
        return;
      case 'reveal':
        await this.handlers.reveal(message.battleId);
        return;
      case 'cancel':
        this.handlers.cancel();
        return;
      case 'again':
        await this.handlers.again();
        return;
      case 'exportVotes':
        await this.handlers.exportVotes();
        return;
      case 'openInPanel':
        await this.handlers.openInPanel(message.battleId);
        return;
      case 'openLink':
        await EditorActions.get(this.context).openLink(message.url);
        return;
      default:
        assertNever(message, 'arena message');
    }
  }
}
