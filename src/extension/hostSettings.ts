/**
 * The settings as the commands use them: the configured backends (user settings only), the
 * run settings, the backends chosen for this workspace, and writing both back. Problems in the
 * settings are shown once per session (again after the settings change).
 */
import * as vscode from 'vscode';
import { backendWarnings, type Backend, type ConfigError } from '../core/config';
import { chooseBackends, chosenStateKey, rememberedChoiceFrom, settingKeys, settingsSection } from './backendChoice';
import { readBackends, readRunSettings, type RunSettings } from './settings';

/** `workspaceState` key of the backend pinned as the baseline of ratios. */
const baselineStateKey = 'bakeoff.baselineId';

export class HostSettings {
  private warnedIgnoredScopes = false;
  private readonly choiceChanged = new vscode.EventEmitter<void>();
  /** Fires when the backends chosen for this workspace change. */
  readonly onDidChangeChoice = this.choiceChanged.event;
  /** Settings problems already shown this session (shown again after the settings change). */
  private readonly shownProblems = new Set<string>();

  constructor(
    private readonly workspaceState: vscode.Memento,
    private readonly log: () => vscode.LogOutputChannel,
  ) {}

  /** Shows settings problems again the next time they are met (call when the settings change). */
  forgetShownProblems(): void {
    this.shownProblems.clear();
  }

  /** Configured backends (user settings only); reports skipped entries when `report` is set. */
  configuredBackends(report: boolean): Backend[] {
    const reading = readBackends(this.config());
    if (reading.ignoredScopes.length && !this.warnedIgnoredScopes) {
      this.warnedIgnoredScopes = true;
      this.log().warn(
        `bakeoff.backends is set in ${reading.ignoredScopes.join(' and ')} settings; that value is ignored. ` +
          'Backends are read from user settings only, so a repository cannot redirect a stored key.',
      );
    }
    if (reading.error && report) this.reportConfigError(reading.error);
    for (const warning of backendWarnings(reading.backends)) {
      if (this.shownProblems.has(warning)) continue;
      this.shownProblems.add(warning);
      this.log().warn(warning);
    }
    return reading.backends;
  }

  /** Request parameters, timeouts, trials… with ignored values warned about. */
  runSettings(): RunSettings {
    const settings = readRunSettings(this.config());
    const text = settings.problems.join('; ');
    if (settings.problems.length && !this.shownProblems.has(text)) {
      this.shownProblems.add(text);
      for (const problem of settings.problems) this.log().warn(`Setting ignored: ${problem}`);
      void vscode.window.showWarningMessage(`Bakeoff: ${settings.problems.join('; ')}`);
    }
    return settings;
  }

  /** The backend ids chosen for this workspace, if any were. */
  rememberedChoice(): string[] | undefined {
    return rememberedChoiceFrom(this.workspaceState.get<unknown>(chosenStateKey));
  }

  async rememberChoice(ids: readonly string[]): Promise<void> {
    await this.workspaceState.update(chosenStateKey, ids);
    this.choiceChanged.fire();
  }

  /** The backend pinned as baseline in this workspace; null: the first backend that delivers. */
  rememberedBaseline(): string | null {
    const value = this.workspaceState.get<unknown>(baselineStateKey);
    return typeof value === 'string' ? value : null;
  }

  async rememberBaseline(backendId: string | null): Promise<void> {
    await this.workspaceState.update(baselineStateKey, backendId ?? undefined);
  }

  chosenBackends(report: boolean): { configured: Backend[]; chosen: Backend[] } {
    const configured = this.configuredBackends(report);
    return { configured, chosen: chooseBackends(configured, this.rememberedChoice()) };
  }

  /** Rewrites `bakeoff.backends` in the user settings. */
  async writeBackendsSetting(update: (current: unknown[]) => unknown[]): Promise<void> {
    const global = this.config().inspect<unknown>(settingKeys.backends)?.globalValue;
    const current = Array.isArray(global) ? [...(global as unknown[])] : [];
    await this.config().update(settingKeys.backends, update(current), vscode.ConfigurationTarget.Global);
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(settingsSection);
  }

  private reportConfigError(error: ConfigError): void {
    if (this.shownProblems.has(error.message)) return;
    this.shownProblems.add(error.message);
    this.log().warn(error.message);
    const skipped = error.issues.join('; ');
    void vscode.window
      .showErrorMessage(`Bakeoff: invalid entries in bakeoff.backends were skipped — ${skipped}`, 'Open User Settings')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
      });
  }
}
