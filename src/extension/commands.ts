/**
 * The Bakeoff commands and the state they share: the running comparison (one at a time), the
 * last request (for Re-run Last), the chosen backends (per workspace), keys and the log.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { backendWarnings, type Backend, type ConfigError } from '../core/config';
import { backendFromPreset, notSupported, presets, type Preset } from '../core/presets';
import { describePricing } from '../core/pricing';
import { redactSecrets } from '../core/redact';
import { redactResult, toJsonReport, toMarkdownReport } from '../core/report';
import { checkBackend, fetchModelsPrice, runComparison, type ModelsPrice } from '../core/runner';
import { UsageSupportMemory } from '../core/stream';
import { expandTemplate, pickTemplate, type TemplateName } from '../core/template';
import type { ComparisonResult, RunEvent, TrialResult } from '../core/types';
import { originOf } from '../core/keyBinding';
import { ReportContentProvider, renderBackendChecks, reportScheme, type CheckRow } from './backendCheckView';
import { ComparePanel, type PanelHost, type RunInfo } from './panel';
import { editorProxySettings, tlsUnverified } from './proxy';
import { ApiKeyStore } from './secrets';
import {
  backendName,
  backendToSetting,
  buildMessages,
  chooseBackends,
  readBackends,
  readRunSettings,
  settingKeys,
  settingsSection,
  uniqueBackendId,
  type RunSettings,
} from './settings';
import { BakeoffStatusBar } from './statusBar';

/** Every command id; the manifest contributes exactly these. */
export const commandIds = {
  compareSelection: 'bakeoff.compareSelection',
  comparePrompt: 'bakeoff.comparePrompt',
  rerunLast: 'bakeoff.rerunLast',
  cancel: 'bakeoff.cancel',
  chooseBackends: 'bakeoff.chooseBackends',
  addBackendFromPreset: 'bakeoff.addBackendFromPreset',
  setApiKey: 'bakeoff.setApiKey',
  clearApiKey: 'bakeoff.clearApiKey',
  testBackends: 'bakeoff.testBackends',
  openLogs: 'bakeoff.openLogs',
  exportResults: 'bakeoff.exportResults',
} as const;

/** `workspaceState` key of the chosen backend ids. */
const chosenStateKey = 'bakeoff.chosenBackends';
/** Context key true while a comparison runs (enables Bakeoff: Cancel). */
const runningContextKey = 'bakeoff.running';
/** Prompts above this many characters ask for confirmation before being sent. */
const largePromptChars = 100_000;

/** What Re-run Last repeats: the expanded user prompt and where it came from. */
interface PreparedRun {
  title: string;
  userPrompt: string;
  target?: RunInfo['target'];
}

interface ActiveRun {
  runId: string;
  abort: AbortController;
}

/** The last finished comparison (for Export Results…) and the keys its run used (for redaction). */
interface FinishedRun {
  result: ComparisonResult;
  keys: readonly string[];
}

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

/** A backend with the key decided for this run, or the reason it cannot run. */
type KeyedBackend = { backend: Backend; key: string | undefined; blocked?: undefined } | { backend: Backend; blocked: string };

/** Owns the commands' shared state. */
/** What `activate()` returns in test mode. */
export interface BakeoffTestApi {
  setApiKey(backendId: string, key: string): Promise<void>;
  getApiKeyOrigin(backendId: string): Promise<string | undefined>;
  clearApiKey(backendId: string): Promise<void>;
  /** Whether the key stored for the backend's current origin equals `key` (the key itself never leaves). */
  keyMatches(backendId: string, key: string): Promise<boolean>;
}

export class BakeoffController implements vscode.Disposable {
  private logChannel: vscode.LogOutputChannel | undefined;
  private reportProvider: ReportContentProvider | undefined;
  private readonly keys: ApiKeyStore;
  private readonly statusBar: BakeoffStatusBar;
  private readonly usageMemory = new UsageSupportMemory();
  private readonly modelsPriceCache = new Map<string, Promise<ModelsPrice | null>>();
  private readonly disposables: vscode.Disposable[] = [];
  private active: ActiveRun | undefined;
  private lastRun: PreparedRun | undefined;
  private lastFinished: FinishedRun | undefined;
  private lastPromptInput = '';
  private warnedIgnoredScopes = false;
  /** Settings problems already shown this session (shown again after the settings change). */
  private readonly shownProblems = new Set<string>();

  /** What the panel calls back into. */
  readonly panelHost: PanelHost;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.keys = new ApiKeyStore(context.secrets);
    this.statusBar = new BakeoffStatusBar();
    const controller = this;
    this.panelHost = {
      onCancel: () => this.cancel(),
      onRerun: () => void this.rerunLast(),
      onExport: () => void vscode.commands.executeCommand(commandIds.exportResults),
      get log() {
        return controller.log;
      },
    };
    this.disposables.push(
      this.statusBar,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(settingsSection)) this.shownProblems.clear();
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

  /** Registers every command. */
  registerCommands(): vscode.Disposable[] {
    const register = (id: string, fn: (...args: unknown[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await fn(...args);
        } catch (err) {
          const message = this.redact(err instanceof Error ? err.message : String(err));
          this.log.error(`${id} failed: ${message}`);
          void vscode.window.showErrorMessage(`Bakeoff: ${message}`);
        }
      });
    return [
      register(commandIds.compareSelection, () => this.compareSelection()),
      register(commandIds.comparePrompt, () => this.comparePrompt()),
      register(commandIds.rerunLast, () => this.rerunLast()),
      register(commandIds.cancel, () => this.cancel()),
      register(commandIds.chooseBackends, () => this.chooseBackendsCommand()),
      register(commandIds.addBackendFromPreset, () => this.addBackendFromPreset()),
      register(commandIds.setApiKey, (arg) => this.setApiKey(typeof arg === 'string' ? arg : undefined)),
      register(commandIds.clearApiKey, (arg) => this.clearApiKey(typeof arg === 'string' ? arg : undefined)),
      register(commandIds.testBackends, () => this.testBackends()),
      register(commandIds.openLogs, () => this.log.show(true)),
      register(commandIds.exportResults, () => this.exportResults()),
    ];
  }

  // ---------------------------------------------------------------- settings and choice

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(settingsSection);
  }

  /** Configured backends (user settings only); reports skipped entries when `report` is set. */
  /**
   * Key-store operations for the in-editor test suite only (returned by `activate()` when the
   * extension runs in test mode). Never exposes a key itself.
   */
  testApi(): BakeoffTestApi {
    const backend = (id: string): Backend => {
      const found = this.configuredBackends(false).find((b) => b.id === id);
      if (!found) throw new Error(`No configured backend "${id}"`);
      return found;
    };
    return {
      setApiKey: (id, key) => this.keys.store(backend(id), key),
      getApiKeyOrigin: (id) => this.keys.boundOrigin(id),
      clearApiKey: (id) => this.keys.delete(id),
      keyMatches: async (id, key) => {
        const check = await this.keys.check(backend(id));
        return check.status === 'ok' && check.key === key;
      },
    };
  }

  private configuredBackends(report: boolean): Backend[] {
    const reading = readBackends(this.config());
    if (reading.ignoredScopes.length && !this.warnedIgnoredScopes) {
      this.warnedIgnoredScopes = true;
      this.log.warn(
        `bakeoff.backends is set in ${reading.ignoredScopes.join(' and ')} settings; that value is ignored. ` +
          'Backends are read from user settings only, so a repository cannot redirect a stored key.',
      );
    }
    if (reading.error && report) this.reportConfigError(reading.error);
    for (const warning of backendWarnings(reading.backends)) {
      if (!this.shownProblems.has(warning)) this.log.warn((this.shownProblems.add(warning), warning));
    }
    return reading.backends;
  }

  private reportConfigError(error: ConfigError): void {
    if (this.shownProblems.has(error.message)) return;
    this.shownProblems.add(error.message);
    this.log.warn(error.message);
    const skipped = error.issues.join('; ');
    void vscode.window
      .showErrorMessage(`Bakeoff: invalid entries in bakeoff.backends were skipped — ${skipped}`, 'Open User Settings')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
      });
  }

  private runSettings(): RunSettings {
    const settings = readRunSettings(this.config());
    const text = settings.problems.join('; ');
    if (settings.problems.length && !this.shownProblems.has(text)) {
      this.shownProblems.add(text);
      for (const problem of settings.problems) this.log.warn(`Setting ignored: ${problem}`);
      void vscode.window.showWarningMessage(`Bakeoff: ${settings.problems.join('; ')}`);
    }
    return settings;
  }

  private rememberedChoice(): string[] | undefined {
    const value = this.context.workspaceState.get<unknown>(chosenStateKey);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
  }

  private chosenBackends(report: boolean): { configured: Backend[]; chosen: Backend[] } {
    const configured = this.configuredBackends(report);
    return { configured, chosen: chooseBackends(configured, this.rememberedChoice()) };
  }

  private refreshStatusBar(): void {
    const { chosen } = this.chosenBackends(false);
    this.statusBar.update(chosen, this.active !== undefined);
  }

  private async writeBackendsSetting(update: (current: unknown[]) => unknown[]): Promise<void> {
    const global = this.config().inspect<unknown>(settingKeys.backends)?.globalValue;
    const current = Array.isArray(global) ? [...(global as unknown[])] : [];
    await this.config().update(settingKeys.backends, update(current), vscode.ConfigurationTarget.Global);
  }

  private redact(text: string, extra: readonly (string | undefined)[] = []): string {
    return redactSecrets(text, [...this.keys.knownKeys(), ...extra]);
  }

  // ---------------------------------------------------------------- keys

  /** Decides each backend's key: local backends may have none; remote ones must have a valid one. */
  private async resolveKeys(backends: readonly Backend[]): Promise<KeyedBackend[]> {
    return Promise.all(
      backends.map(async (backend): Promise<KeyedBackend> => {
        const check = await this.keys.check(backend);
        if (check.status === 'ok') return { backend, key: check.key };
        if (check.status === 'missing' && backend.kind === 'local') return { backend, key: undefined };
        return { backend, blocked: check.message };
      }),
    );
  }

  /** Tells the user which backends cannot run for want of a key and offers to set it. */
  private offerKeyFix(blocked: ReadonlyArray<{ backend: Backend; blocked: string }>): void {
    if (!blocked.length) return;
    for (const { blocked: message } of blocked) this.log.warn(message);
    const first = blocked[0]!;
    const text =
      blocked.length === 1
        ? `Bakeoff: ${first.blocked}`
        : `Bakeoff: ${blocked.length} backends cannot be used until their API key is set: ${blocked
            .map((b) => backendName(b.backend))
            .join(', ')}.`;
    void vscode.window.showWarningMessage(text, 'Set API Key').then((choice) => {
      if (choice) void vscode.commands.executeCommand(commandIds.setApiKey, first.backend.id);
    });
  }

  private async pickBackend(configured: readonly Backend[], placeHolder: string, onlyWithKeys = false): Promise<Backend | undefined> {
    const items: Array<vscode.QuickPickItem & { backend: Backend }> = [];
    for (const backend of configured) {
      const check = await this.keys.check(backend);
      if (onlyWithKeys && check.status === 'missing') continue;
      const state =
        check.status === 'ok'
          ? '$(key) key set'
          : check.status === 'missing'
            ? backend.kind === 'local'
              ? 'no key (optional for a local backend)'
              : 'no key'
            : check.status === 'originMismatch'
              ? `$(warning) key saved for ${check.savedOrigin}`
              : '$(warning) stored key unreadable';
      items.push({
        label: backendName(backend),
        description: `${backend.kind} · ${originOf(backend.baseUrl) ?? backend.baseUrl}`,
        detail: state,
        backend,
      });
    }
    if (!items.length) return undefined;
    return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.backend;
  }

  private async setApiKey(backendId?: string): Promise<void> {
    const configured = this.configuredBackends(true);
    if (!configured.length) return this.offerAddBackend();
    const backend =
      configured.find((b) => b.id === backendId) ??
      (await this.pickBackend(configured, 'Set the API key of which backend?'));
    if (!backend) return;
    const origin = originOf(backend.baseUrl) ?? backend.baseUrl;
    const key = await vscode.window.showInputBox({
      title: `API key for ${backendName(backend)}`,
      prompt: `Stored in the secret store and sent only to ${origin}.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const trimmed = value.trim();
        if (!trimmed) return 'Enter the key.';
        if (/\s/.test(trimmed)) return 'A key has no spaces or line breaks.';
        return undefined;
      },
    });
    if (key === undefined) return;
    await this.keys.store(backend, key.trim());
    this.log.info(`Stored an API key for ${backend.id} (bound to ${origin}).`);
    void vscode.window.showInformationMessage(`Bakeoff: saved the API key for ${backendName(backend)} (${origin}).`);
  }

  private async clearApiKey(backendId?: string): Promise<void> {
    const configured = this.configuredBackends(true);
    let backend = configured.find((b) => b.id === backendId);
    if (!backend) {
      const withKeys: Backend[] = [];
      for (const b of configured) if (await this.keys.has(b.id)) withKeys.push(b);
      if (!withKeys.length) {
        void vscode.window.showInformationMessage('Bakeoff: no API keys are stored for the configured backends.');
        return;
      }
      backend = await this.pickBackend(withKeys, 'Clear the API key of which backend?', true);
    }
    if (!backend) return;
    await this.keys.delete(backend.id);
    this.log.info(`Cleared the API key for ${backend.id}.`);
    void vscode.window.showInformationMessage(`Bakeoff: cleared the API key for ${backendName(backend)}.`);
  }

  // ---------------------------------------------------------------- backends

  private async offerAddBackend(): Promise<void> {
    const choice = await vscode.window.showWarningMessage(
      'Bakeoff: no backends are configured yet.',
      'Add Backend from Preset',
    );
    if (choice) await vscode.commands.executeCommand(commandIds.addBackendFromPreset);
  }

  /** Adds a preset to user settings; returns the new backend. */
  private async addPresetToSettings(preset: Preset, model: string, configured: readonly Backend[]): Promise<Backend> {
    const id = uniqueBackendId(preset.id, configured.map((b) => b.id));
    const backend = backendFromPreset(preset, {
      id,
      model,
      ...(id !== preset.id ? { label: `${preset.label} (${model})` } : {}),
    });
    await this.writeBackendsSetting((current) => [...current, backendToSetting(backend)]);
    const remembered = this.rememberedChoice();
    if (remembered?.length) await this.context.workspaceState.update(chosenStateKey, [...remembered, backend.id]);
    this.log.info(`Added backend ${backend.id} (${backend.kind}, ${backend.model}) to user settings.`);
    return backend;
  }

  private async offerKeyForNew(backend: Backend): Promise<void> {
    if (backend.kind === 'local') {
      void vscode.window.showInformationMessage(`Bakeoff: added ${backendName(backend)}. Local backends usually need no key.`);
      return;
    }
    if ((await this.keys.check(backend)).status === 'ok') return;
    const choice = await vscode.window.showInformationMessage(
      `Bakeoff: added ${backendName(backend)}. Set its API key now?`,
      'Set API Key',
    );
    if (choice) await this.setApiKey(backend.id);
  }

  private async addBackendFromPreset(): Promise<void> {
    const configured = this.configuredBackends(true);
    const configuredIds = new Set(configured.map((b) => b.id));
    type Item = vscode.QuickPickItem & { preset?: Preset; unsupportedReason?: string };
    const items: Item[] = presets.map((preset) => ({
      label: preset.label,
      description: `${preset.kind}${configuredIds.has(preset.id) ? ' · already added' : ''}`,
      detail: preset.trustNote,
      preset,
    }));
    if (notSupported.length) {
      items.push({ label: 'Not supported', kind: vscode.QuickPickItemKind.Separator });
      for (const n of notSupported) {
        items.push({ label: `$(circle-slash) ${n.name}`, description: 'no inference API', detail: n.reason, unsupportedReason: n.reason });
      }
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Add Backend from Preset',
      placeHolder: 'Pick a provider',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    if (!picked.preset) {
      if (picked.unsupportedReason) void vscode.window.showInformationMessage(`Bakeoff: ${picked.unsupportedReason}`);
      return;
    }
    const preset = picked.preset;
    const model = await vscode.window.showInputBox({
      title: `Model for ${preset.label}`,
      prompt: 'Model id as the provider names it.',
      value: preset.defaultModel,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Enter a model id.'),
    });
    if (model === undefined) return;
    const backend = await this.addPresetToSettings(preset, model.trim(), configured);
    this.refreshStatusBar();
    await this.offerKeyForNew(backend);
  }

  private async chooseBackendsCommand(): Promise<void> {
    const { configured, chosen } = this.chosenBackends(true);
    const chosenIds = new Set(chosen.map((b) => b.id));
    const configuredIds = new Set(configured.map((b) => b.id));
    type Item = vscode.QuickPickItem & { backend?: Backend; preset?: Preset };
    const items: Item[] = [];
    if (configured.length) items.push({ label: 'Configured', kind: vscode.QuickPickItemKind.Separator });
    for (const backend of configured) {
      items.push({
        label: backendName(backend),
        description: `${backend.kind} · ${backend.model}`,
        ...(backend.trustNote ? { detail: backend.trustNote } : {}),
        picked: chosenIds.has(backend.id),
        backend,
      });
    }
    const available = presets.filter((p) => !configuredIds.has(p.id));
    if (available.length) items.push({ label: 'Presets — picking one adds it to your user settings', kind: vscode.QuickPickItemKind.Separator });
    for (const preset of available) {
      items.push({ label: preset.label, description: `${preset.kind} · ${preset.defaultModel}`, detail: preset.trustNote, preset });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Choose Backends',
      placeHolder: 'Backends that take part in comparisons in this workspace',
      canPickMany: true,
      matchOnDescription: true,
    });
    if (!picked) return;
    if (!picked.length) {
      void vscode.window.showInformationMessage('Bakeoff: no backend picked; the choice is unchanged.');
      return;
    }
    const ids = picked.filter((i) => i.backend).map((i) => i.backend!.id);
    const added: Backend[] = [];
    let known = [...configured];
    for (const item of picked) {
      if (!item.preset) continue;
      const backend = await this.addPresetToSettings(item.preset, item.preset.defaultModel, known);
      known = [...known, backend];
      added.push(backend);
      ids.push(backend.id);
    }
    await this.context.workspaceState.update(chosenStateKey, ids);
    this.refreshStatusBar();
    this.log.info(`Chosen backends: ${ids.join(', ')}`);
    for (const backend of added) await this.offerKeyForNew(backend);
  }

  // ---------------------------------------------------------------- comparisons

  private async compareSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage('Bakeoff: open a file and select code to compare.');
      return;
    }
    const doc = editor.document;
    const whole = editor.selection.isEmpty;
    const range = whole ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : editor.selection;
    const text = doc.getText(range);
    if (!text.trim()) {
      void vscode.window.showWarningMessage(`Bakeoff: nothing to compare — the ${whole ? 'file' : 'selection'} is empty.`);
      return;
    }
    const settings = this.runSettings();
    const name = fileLabel(doc);
    // A range ending at column 0 of a line (a trailing newline) does not cover that line.
    const lines = range.end.line - range.start.line + (range.end.character === 0 && range.end.line > range.start.line ? 0 : 1);
    const userPrompt = expandTemplate(pickTemplate(settings.promptTemplates, 'compareSelection'), {
      selection: text,
      file: name,
      language: doc.languageId,
    });
    await this.start(
      {
        title: whole ? `${path.basename(name)} (whole file, ${lines} lines)` : `Selection from ${path.basename(name)} (${lines} line${lines === 1 ? '' : 's'})`,
        userPrompt,
        target: targetOf(doc, range),
      },
      settings,
    );
  }

  private async comparePrompt(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const input = await vscode.window.showInputBox({
      title: 'Compare Prompt',
      prompt: editor && !editor.selection.isEmpty ? 'Sent to every chosen backend, with the selection as context.' : 'Sent to every chosen backend.',
      placeHolder: 'e.g. Write a function that parses ISO 8601 durations',
      value: this.lastPromptInput,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Enter a prompt.'),
    });
    if (input === undefined) return;
    this.lastPromptInput = input;
    const settings = this.runSettings();
    const doc = editor?.document;
    const hasSelection = !!editor && !editor.selection.isEmpty && !!doc?.getText(editor.selection).trim();
    const templateName: TemplateName = hasSelection ? 'comparePrompt' : 'comparePromptNoSelection';
    const name = doc ? fileLabel(doc) : '';
    const userPrompt = expandTemplate(pickTemplate(settings.promptTemplates, templateName), {
      input,
      selection: hasSelection ? doc!.getText(editor!.selection) : '',
      file: name,
      language: doc?.languageId ?? '',
    });
    const short = input.length > 60 ? `${input.slice(0, 57)}…` : input;
    const lines = editor ? editor.selection.end.line - editor.selection.start.line + 1 : 0;
    await this.start(
      {
        title: `Prompt: “${short.replace(/\s+/g, ' ')}”${hasSelection ? ` with ${lines} line${lines === 1 ? '' : 's'} from ${path.basename(name)}` : ''}`,
        userPrompt,
        ...(editor ? { target: targetOf(editor.document, editor.selection) } : {}),
      },
      settings,
    );
  }

  private async rerunLast(): Promise<void> {
    if (!this.lastRun) {
      void vscode.window.showInformationMessage('Bakeoff: nothing to re-run yet. Run Compare Selection or Compare Prompt… first.');
      return;
    }
    await this.start(this.lastRun, this.runSettings());
  }

  private cancel(): void {
    if (!this.active) {
      void vscode.window.showInformationMessage('Bakeoff: no comparison is running.');
      return;
    }
    this.log.info(`Cancelling run ${this.active.runId}.`);
    this.active.abort.abort();
  }

  /** Runs one comparison: keys, panel, progress notification, runner, log. */
  private async start(prepared: PreparedRun, settings: RunSettings): Promise<void> {
    const { chosen } = this.chosenBackends(true);
    if (!chosen.length) return this.offerAddBackend();

    const keyed = await this.resolveKeys(chosen);
    const blocked = keyed.filter((k): k is { backend: Backend; blocked: string } => k.blocked !== undefined);
    const runnable = keyed.filter((k): k is { backend: Backend; key: string | undefined } => k.blocked === undefined);
    this.offerKeyFix(blocked);

    if (runnable.length && prepared.userPrompt.length > largePromptChars) {
      const ok = await vscode.window.showWarningMessage(
        `The prompt is ${prepared.userPrompt.length.toLocaleString()} characters and goes to ${runnable.length} backend(s) × ${settings.trials} trial(s). Send it?`,
        { modal: true },
        'Send',
      );
      if (ok !== 'Send') return;
    }

    if (this.active) {
      this.log.info(`Run ${this.active.runId} replaced by a new comparison; cancelling it.`);
      this.active.abort.abort();
    }
    this.lastRun = prepared;
    // The panel now shows the new run, so what Export Results… writes follows it.
    this.lastFinished = undefined;
    const runId = randomUUID();
    const abort = new AbortController();
    const run: ActiveRun = { runId, abort };
    this.active = run;
    const isCurrent = () => this.active === run;
    void vscode.commands.executeCommand('setContext', runningContextKey, true);
    this.refreshStatusBar();

    const keysById = new Map(runnable.map((k) => [k.backend.id, k.key]));
    const blockedById = new Map(blocked.map((k) => [k.backend.id, k.blocked]));
    const runKeys = runnable.map((k) => k.key).filter((k): k is string => !!k);
    // Backends without a usable key stay in the run: the runner turns the resolveKey failure into
    // a result that names the problem, without sending a request.
    const backends = keyed.map((k) => k.backend);
    const proxy = editorProxySettings(vscode.workspace.getConfiguration('http'));
    const info: RunInfo = {
      runId,
      title: prepared.title,
      promptPreview: prepared.userPrompt.slice(0, 300),
      backends: backends.map((b) => ({
        id: b.id,
        label: backendName(b),
        kind: b.kind,
        model: b.model,
        pricingNote: describePricing(b),
        ...(b.trustNote ? { trustNote: b.trustNote } : {}),
        ...(tlsUnverified(b, proxy) ? { tlsInsecure: true } : {}),
      })),
      trials: settings.trials,
      ...(prepared.target ? { target: prepared.target } : {}),
    };
    const panel = ComparePanel.createOrShow(this.context, this.panelHost);
    panel.beginRun(info);
    this.log.info(
      `Run ${runId}: ${prepared.title} → ${backends.map((b) => `${b.id} (${b.model})`).join(', ')}; ` +
        `${settings.trials} trial(s), max_tokens ${settings.params.maxTokens}, temperature ${settings.params.temperature}, prompt ${prepared.userPrompt.length} chars.`,
    );
    if (blocked.length) this.log.info(`Run ${runId}: skipped ${blocked.map((b) => b.backend.id).join(', ')} (no usable key).`);

    const total = backends.length * settings.trials;
    const unit = settings.trials > 1 ? 'requests' : 'backends';
    let done = 0;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Bakeoff', cancellable: true },
        async (progress, token) => {
          const subscription = token.onCancellationRequested(() => abort.abort());
          progress.report({ message: `0/${total} ${unit} done` });
          try {
            return await runComparison({
              runId,
              backends,
              messages: buildMessages(prepared.userPrompt, settings.systemPrompt),
              params: settings.params,
              timeouts: settings.timeouts,
              trials: settings.trials,
              concurrency: settings.concurrency,
              signal: abort.signal,
              transport: { proxy },
              resolveKey: (b) => {
                const problem = blockedById.get(b.id);
                if (problem !== undefined) throw new Error(problem);
                return keysById.get(b.id);
              },
              usageMemory: this.usageMemory,
              modelsPrice: (b) => this.modelsPrice(b, keysById.get(b.id), settings, abort.signal),
              onEvent: (event: RunEvent) => {
                if (!isCurrent()) return;
                panel.handleEvent(event);
                if (event.type === 'finished') {
                  done++;
                  progress.report({ message: `${done}/${total} ${unit} done`, increment: 100 / total });
                }
              },
            });
          } finally {
            subscription.dispose();
          }
        },
      );
      this.logResults(result, runKeys);
      if (isCurrent()) {
        this.lastFinished = { result, keys: runKeys };
        panel.endRun(result);
      }
    } catch (err) {
      const message = this.redact(err instanceof Error ? err.message : String(err), runKeys);
      this.log.error(`Run ${runId} failed: ${message}`);
      if (isCurrent()) {
        panel.endRun(null, message);
        void vscode.window.showErrorMessage(`Bakeoff: the comparison failed — ${message}`);
      }
    } finally {
      if (isCurrent()) {
        this.active = undefined;
        void vscode.commands.executeCommand('setContext', runningContextKey, false);
        this.refreshStatusBar();
      }
    }
  }

  /** `/models` prices, kept for the session so repeated runs do not ask again. */
  private modelsPrice(backend: Backend, key: string | undefined, settings: RunSettings, signal: AbortSignal): Promise<ModelsPrice | null> {
    const cacheKey = `${backend.id}\n${backend.baseUrl}\n${backend.model}`;
    let cached = this.modelsPriceCache.get(cacheKey);
    if (!cached) {
      const transport = { proxy: editorProxySettings(vscode.workspace.getConfiguration('http')) };
      cached = fetchModelsPrice(backend, key, undefined, { timeouts: settings.timeouts, signal, transport }).catch(() => null);
      this.modelsPriceCache.set(cacheKey, cached);
      void cached.then((price) => {
        if (!price) this.modelsPriceCache.delete(cacheKey);
      });
    }
    return cached;
  }

  private logResults(result: ComparisonResult, runKeys: readonly string[]): void {
    for (const r of result.results) this.log.info(this.redact(describeTrial(r), runKeys));
  }

  // ---------------------------------------------------------------- export

  /** Saves the last finished comparison as a Markdown report or as JSON, with keys redacted. */
  private async exportResults(): Promise<void> {
    const finished = this.lastFinished;
    if (!finished) {
      const message = this.active
        ? 'Bakeoff: the comparison is still running; export it once it has finished.'
        : 'Bakeoff: nothing to export yet. Run a comparison first.';
      void vscode.window.showInformationMessage(message);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      exportFormats.map((f) => ({ label: f.label, format: f })),
      { title: 'Export Results', placeHolder: 'Save the last comparison as' },
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
    const safe = redactResult(result, [...this.keys.knownKeys(), ...keys]);
    const text = format.format === 'markdown' ? toMarkdownReport(safe) : `${JSON.stringify(toJsonReport(safe), null, 2)}\n`;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    } catch (err) {
      const message = this.redact(err instanceof Error ? err.message : String(err), keys);
      this.log.error(`Export of run ${result.runId} to ${target.toString(true)} failed: ${message}`);
      void vscode.window.showErrorMessage(`Bakeoff: could not export the results — ${message}`);
      return;
    }
    this.log.info(`Exported run ${result.runId} (${format.format}) to ${target.toString(true)}.`);
    const choice = await vscode.window.showInformationMessage(`Bakeoff: exported the results to ${path.basename(target.path)}.`, 'Open');
    if (choice) await vscode.window.showTextDocument(target, { preview: false });
  }

  // ---------------------------------------------------------------- test backends

  private async testBackends(): Promise<void> {
    const { chosen } = this.chosenBackends(true);
    if (!chosen.length) return this.offerAddBackend();
    const settings = this.runSettings();
    const keyed = await this.resolveKeys(chosen);
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
                usageMemory: this.usageMemory,
              });
            } catch (err) {
              row.skipped = this.redact(err instanceof Error ? err.message : String(err), runKeys);
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
          error: {
            ...row.check.error,
            message: this.redact(row.check.error.message, runKeys),
            hint: this.redact(row.check.error.hint, runKeys),
          },
        };
      }
      this.log.info(
        `Check ${row.backend.id}: ${row.check ? `reachable=${row.check.reachable} modelFound=${row.check.modelFound} usage=${row.check.streamUsage}${row.check.error ? ` error=${row.check.error.message}` : ''}` : `not checked (${row.skipped})`}`,
      );
    }
    this.offerKeyFix(keyed.filter((k): k is { backend: Backend; blocked: string } => k.blocked !== undefined));
    if (!this.reportProvider) {
      this.reportProvider = new ReportContentProvider();
      this.disposables.push(this.reportProvider, vscode.workspace.registerTextDocumentContentProvider(reportScheme, this.reportProvider));
    }
    await this.reportProvider.show('Backend check', renderBackendChecks(rows, new Date()));
  }

  dispose(): void {
    this.active?.abort.abort();
    this.active = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Path relative to the workspace for files in it; the file name otherwise. */
function fileLabel(doc: vscode.TextDocument): string {
  if (doc.isUntitled) return path.basename(doc.fileName);
  return vscode.workspace.asRelativePath(doc.uri, false);
}

function targetOf(doc: vscode.TextDocument, range: vscode.Range): NonNullable<RunInfo['target']> {
  return {
    uri: doc.uri.toString(),
    selection: {
      startLine: range.start.line,
      startCharacter: range.start.character,
      endLine: range.end.line,
      endCharacter: range.end.character,
    },
  };
}

/** `<runId>` when it is file-name safe, else the run's start date and time (`2025-06-01-1412`). */
function exportStem(result: ComparisonResult): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(result.runId)) return result.runId;
  const started = new Date(result.startedAt);
  const date = Number.isNaN(started.getTime()) ? new Date() : started;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}`;
}

function describeTrial(r: TrialResult): string {
  const m = r.metrics;
  const parts = [
    `${r.backendId} #${r.trial}: ${r.status}`,
    m.ttftMs === null ? 'ttft —' : `ttft ${Math.round(m.ttftMs)} ms`,
    `total ${Math.round(m.totalMs)} ms`,
    `tokens ${m.inputTokens ?? '?'} in / ${m.outputTokens ?? '?'} out (${m.tokenSource})`,
    r.cost.costUsd === null ? 'cost unknown' : `cost $${r.cost.costUsd.toPrecision(3)} (${r.cost.costSource})`,
  ];
  if (r.error) parts.push(`error: ${r.error.message}`);
  return parts.join(', ');
}
