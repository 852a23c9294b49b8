/**
 * What the command modules share: the log channel, the key store, the settings, the run
 * tracker, the status bar and the usage memory of the stream parser. The command modules depend
 * on this, never on each other in a circle.
 */
import * as vscode from 'vscode';
import { redactSecrets } from '../core/redact';
import { ModelsPriceCache } from '../core/runner';
import { UsageSupportMemory } from '../core/stream';
import { RunHistory } from './history';
import { HostSettings } from './hostSettings';
import { RunTracker } from './runTracker';
import { ApiKeyStore } from './secrets';
import { settingKeys, settingsSection } from './backendChoice';
import type { BakeoffStatusBar } from './statusBar';

/** Context key true while a comparison runs (enables Bakeoff: Cancel). */
const runningContextKey = 'bakeoff.running';

export class HostServices implements vscode.Disposable {
  readonly keys: ApiKeyStore;
  readonly settings: HostSettings;
  readonly runs: RunTracker;
  /** Every comparison and vote, kept in the extension's global storage. */
  readonly history: RunHistory;
  /** Which backends reported usage in a stream, so later requests ask for it the right way. */
  readonly usageMemory = new UsageSupportMemory();
  /** Prices from providers' `/models` listings, looked up once per backend for the session. */
  readonly priceCache = new ModelsPriceCache();
  private logChannel: vscode.LogOutputChannel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** `statusBar`: the item the extension showed at start-up; from now on it shows the validated backends. */
  constructor(
    readonly context: vscode.ExtensionContext,
    private readonly statusBar: BakeoffStatusBar,
  ) {
    this.keys = new ApiKeyStore(context.secrets);
    this.settings = new HostSettings(context.workspaceState, () => this.log);
    this.runs = new RunTracker((running) => {
      void vscode.commands.executeCommand('setContext', runningContextKey, running);
      this.refreshStatusBar();
    });
    this.history = new RunHistory(context, () => this.log, () => this.keys.knownKeys());
    this.disposables.push(
      this.history,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(settingsSection)) this.settings.forgetShownProblems();
        if (e.affectsConfiguration(`${settingsSection}.${settingKeys.backends}`)) this.refreshStatusBar();
      }),
    );
    this.refreshStatusBar();
  }

  /** The "Bakeoff" log channel, created on first use. */
  get log(): vscode.LogOutputChannel {
    if (!this.logChannel) {
      this.logChannel = vscode.window.createOutputChannel('Bakeoff', { log: true });
      this.disposables.push(this.logChannel);
    }
    return this.logChannel;
  }

  /** Shows the chosen backends, and whether a comparison runs, in the status bar. */
  refreshStatusBar(): void {
    const { chosen } = this.settings.chosenBackends(false);
    this.statusBar.update(chosen, this.runs.current !== undefined);
  }

  /** `text` with every key known this session (and `extra`) masked. */
  redact(text: string, extra: readonly (string | undefined)[] = []): string {
    return redactSecrets(text, [...this.keys.knownKeys(), ...extra]);
  }

  /** The message of a thrown value, redacted. */
  errorText(err: unknown, extra: readonly (string | undefined)[] = []): string {
    return this.redact(err instanceof Error ? err.message : String(err), extra);
  }

  /** Disposes `disposable` with the services. */
  track(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  /** Aborts a running comparison and disposes everything tracked. */
  dispose(): void {
    this.runs.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
