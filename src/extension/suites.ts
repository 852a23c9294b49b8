/**
 * Run Suite…: picks a suite file of the workspace (promptfoo config, Bakeoff suite, AI Toolkit or
 * OpenAI Evals JSONL — whatever `bakeoff run` reads), shows the plan and its estimated cost,
 * asks to confirm, then runs it with a progress notification (cells done, failures, spend,
 * cancel) and the report panel filling in as cells finish. Every cell is kept in the history as
 * it ends. A workspace that is not trusted never runs the suite's JavaScript. The run, its
 * report and its exports use the suite runner of src/core/suite, as `bakeoff run` does.
 */
import { randomInt, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Backend, RequestParams } from '../core/config';
import { MissingKeyError } from '../core/errors';
import { formatCount, formatUsd } from '../core/format';
import type { StoredSuite } from '../core/history';
import { describePricing } from '../core/pricing';
import { fetchModelsPrice } from '../core/runner';
import { BudgetError, countPromptTokens, runSuite, type RunBackend } from '../core/suite/execute';
import { javaScriptDecision, testsUsingJavaScript } from '../core/suite/javascript';
import { loadSuite, SuiteError } from '../core/suite/load';
import { suiteOutputFormats } from '../core/suite/outputs';
import { estimatePlan, planCells, planCostTotal } from '../core/suite/plan';
import { cellKey } from '../core/suite/store';
import type { PlanBackend, ResultsHeader, Suite, SuiteCell } from '../core/suite/types';
import { bakeoffVersion } from '../core/version';
import type { SentRequest } from '../core/types';
import type { SuiteReportView, SuiteToHostMessage } from '../shared/suiteProtocol';
import { askForMissingKeys, isBlocked, offerAddBackend, offerKeyFix, resolveKeys } from './backendKeys';
import { editorProxySettings } from './proxy';
import type { HostServices } from './services';
import { backendName } from './settings';
import { SuitePanel, type SuitePanelHost } from './suitePanel';
import { cellDetailView, suiteReportOf, suiteReportView, type SuiteRunData } from './suiteView';

/** Suite files offered without browsing: by name, or any JSONL. */
const suiteNamePattern = /(suite|eval|promptfoo|bakeoff|longctx|completion|tests?)[^/\\]*\.(ya?ml|json)$|\.jsonl$/i;

/** A suite running in this window. */
interface ActiveSuite {
  data: SuiteRunData & { cells: SuiteCell[]; requests: Map<string, SentRequest> };
  abort: AbortController;
}

type ExportFormat = Extract<SuiteToHostMessage, { type: 'export' }>['format'];

export class SuiteCommands {
  private readonly active = new Map<string, ActiveSuite>();

  constructor(private readonly services: HostServices) {}

  /** Run Suite…: from the Explorer's context menu (a URI), else a picked file of the workspace. */
  async runSuite(arg?: unknown): Promise<void> {
    const uri = arg instanceof vscode.Uri ? arg : await this.pickSuiteFile();
    if (!uri) return;
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('Bakeoff: suites run from files on disk; this file is not one.');
      return;
    }
    let suite: Suite;
    try {
      suite = loadSuite(uri.fsPath, { env: process.env });
    } catch (err) {
      return this.showSuiteError(err, uri);
    }
    for (const warning of suite.warnings) this.services.log.warn(`Suite ${uri.fsPath}: ${warning}`);
    const chosen = await this.backendsFor(suite);
    if (!chosen) return;
    const settings = this.services.settings.runSettings();
    // A missing key is asked for right there, as Compare does; a dismissed prompt leaves that backend out.
    const keyed = await askForMissingKeys(this.services, await resolveKeys(this.services.keys, chosen.map((c) => c.backend)));
    const blocked = keyed.filter(isBlocked);
    const runnable = chosen.filter((c) => !blocked.some((b) => b.backend.id === c.backend.id));
    if (blocked.length) offerKeyFix(this.services, blocked);
    if (!runnable.length) return;
    const keys = new Map(keyed.map((k) => [k.backend.id, isBlocked(k) ? undefined : k.key]));

    const runBackends: RunBackend[] = runnable.map(({ backend, concurrency, params }) => {
      const plan: PlanBackend = {
        id: backend.id,
        label: backendName(backend),
        kind: backend.kind,
        model: backend.model,
        baseUrl: backend.baseUrl,
        pricing: backend.pricing.type,
        concurrency,
        params: RequestParams.parse({ ...settings.params, ...params, ...(suite.request ?? {}) }),
      };
      return { backend, plan };
    });
    const trials = suite.repeat ?? 1;
    const seed = randomInt(0, 2 ** 31 - 1);
    const concurrency = suite.maxConcurrency ?? runBackends.reduce((n, b) => n + b.plan.concurrency, 0);
    const plan = planCells(suite.tests, runBackends.map((b) => b.plan.id), trials, seed);

    // The plan and its estimated cost, before anything is sent.
    const counts = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Bakeoff: counting the suite’s prompt tokens…' }, () =>
      countPromptTokens(suite.tests, runBackends.map((b) => b.plan.model)),
    );
    const estimates = estimatePlan(plan, runBackends.map((b) => ({ plan: b.plan, backend: b.backend, modelsEndpointPrice: null })), counts);
    const total = planCostTotal(
      estimates.map((e) => ({ ...e, costUsdMax: runBackends.find((b) => b.plan.id === e.backend)!.backend.pricing.type === 'modelsEndpoint' ? null : e.costUsdMax })),
    );
    const jsTests = testsUsingJavaScript(suite);
    const trusted = vscode.workspace.isTrusted;
    const file = vscode.workspace.asRelativePath(uri, false);
    const lines = [
      `${suite.tests.length} test${suite.tests.length === 1 ? '' : 's'} × ${runBackends.length} backend${runBackends.length === 1 ? '' : 's'} × ${trials} trial${trials === 1 ? '' : 's'} = ${plan.length} requests, up to ${concurrency} at once.`,
      ...estimates.map((e) => {
        const b = runBackends.find((x) => x.plan.id === e.backend)!;
        const cost = b.backend.pricing.type === 'modelsEndpoint' ? 'priced from its /models listing when the run starts' : e.costUsdMax === null ? `cost unknown (${e.costDetail})` : `≤ ${formatUsd(e.costUsdMax)}`;
        return `• ${b.plan.label}: ${e.cells} requests, ${e.inputTokens === null ? 'input tokens unknown' : `${formatCount(e.inputTokens)} input tokens`}, ≤ ${formatCount(e.outputTokensMax)} output tokens, ${cost}.`;
      }),
      `Estimated cost ≤ ${formatUsd(total.costUsdMax)}${total.unknown.length ? ` for the backends with a known price (unknown for ${total.unknown.join(', ')})` : ''}. Output tokens and costs are upper bounds (every answer as long as max_tokens).`,
      ...(blocked.length ? [`Left out for want of an API key: ${blocked.map((b) => backendName(b.backend)).join(', ')}.`] : []),
      ...(jsTests && !trusted ? [`${jsTests} test(s) use JavaScript; it will not run: this workspace is in Restricted Mode.`] : []),
    ];
    const runLabel = 'Run';
    const runWithJs = 'Run with JavaScript';
    const runWithoutJs = 'Run without JavaScript';
    const buttons = jsTests && trusted ? [runWithoutJs, runWithJs] : [runLabel];
    if (jsTests && trusted) lines.push(`${jsTests} test(s) use JavaScript assertions or transforms from this suite file; run them only if you trust it.`);
    const choice = await vscode.window.showInformationMessage(`Run the suite ${path.basename(uri.fsPath)}?`, { modal: true, detail: lines.join('\n') }, ...buttons);
    if (!choice) return;
    const js = javaScriptDecision(jsTests, trusted, choice === runWithJs);
    await this.start(suite, uri, file, runBackends, keys, { trials, seed, concurrency }, js);
  }

  /** Opens the report of a suite run of the history (nothing is sent). */
  async openStored(runId: string): Promise<void> {
    const data = await this.dataOf(runId);
    if (!data) {
      void vscode.window.showWarningMessage('Bakeoff: that suite run is no longer in the history.');
      return;
    }
    SuitePanel.show(this.services.context, this.panelHost(), this.view(data));
  }

  /** Brings back a report panel after a window reload. */
  async restorePanel(panel: vscode.WebviewPanel, runId: string): Promise<void> {
    const data = await this.dataOf(runId);
    if (!data) {
      panel.dispose();
      return;
    }
    SuitePanel.adopt(this.services.context, this.panelHost(), panel, this.view(data));
  }

  /** Saves a suite run as one of the files `bakeoff run --output` writes (asks which when not given). */
  async exportRun(runId: string, format?: ExportFormat): Promise<void> {
    const data = await this.dataOf(runId);
    if (!data) return;
    let extension = format && format !== 'ask' ? `.${format}` : undefined;
    if (!extension) {
      const picked = await vscode.window.showQuickPick(
        ['.html', '.md', '.json', '.jsonl', '.csv', '.xml'].map((e) => ({ label: suiteOutputFormats[e]!.label, description: e, extension: e })),
        { title: 'Export Suite Report', placeHolder: 'Save the suite run as' },
      );
      if (!picked) return;
      extension = picked.extension;
    }
    const output = suiteOutputFormats[extension]!;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const stem = path.basename(data.record.suiteFile).replace(/\.[^.]+$/, '') || 'suite';
    const name = `bakeoff-${stem}-${data.record.startedAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}${extension}`;
    const target = await vscode.window.showSaveDialog({
      title: 'Export Suite Report',
      saveLabel: 'Export',
      filters: { [output.label]: [extension.slice(1)] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    });
    if (!target) return;
    const report = suiteReportOf(data);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(output.write(report, data.record.header)));
    this.services.log.info(`Exported suite run ${runId} (${extension}) to ${target.toString(true)}.`);
    const open = await vscode.window.showInformationMessage(`Bakeoff: exported the suite report to ${path.basename(target.path)}.`, 'Open');
    if (open) await vscode.window.showTextDocument(target, { preview: false });
  }

  /** Stops every suite run of this window (on deactivation). */
  dispose(): void {
    for (const run of this.active.values()) run.abort.abort();
  }

  private async start(
    suite: Suite,
    uri: vscode.Uri,
    file: string,
    backends: RunBackend[],
    keys: Map<string, string | undefined>,
    opts: { trials: number; seed: number; concurrency: number },
    js: { allowJs: boolean; note: string | null },
  ): Promise<void> {
    const { services } = this;
    const runId = randomUUID();
    const startedAt = new Date().toISOString();
    const header: ResultsHeader = {
      type: 'header',
      format: 'bakeoff-suite-results',
      version: 1,
      runId,
      startedAt,
      bakeoffVersion,
      suite: { file, description: suite.description, hash: suite.hash, tests: suite.tests.length, format: suite.format },
      seed: opts.seed,
      trials: opts.trials,
      shard: null,
      backends: backends.map((b) => b.plan),
      tests: suite.tests.map((t) => ({ id: t.id, index: t.index, description: t.description, promptLabel: t.promptLabel, metadata: t.metadata })),
      baselineId: null,
    };
    const title = `Suite: ${suite.description ?? path.basename(uri.fsPath)}`;
    const runKeys = [...keys.values()].filter((k): k is string => !!k);
    const recorder = services.history.startSuite(
      { runId, startedAt, title, suiteFile: file, suiteUri: uri.toString(), header, tests: suite.tests.map((t) => ({ index: t.index, messages: t.messages })), allowJs: js.allowJs, jsNote: js.note },
      runKeys,
    );
    const abort = new AbortController();
    const active: ActiveSuite = {
      data: { record: { runId, title, suiteFile: file, startedAt, header, jsNote: js.note }, cells: [], requests: new Map(), status: 'running', notes: [], progress: { done: 0, total: opts.trials * suite.tests.length * backends.length, failed: 0, spentUsd: 0 } },
      abort,
    };
    this.active.set(runId, active);
    services.log.info(`Suite run ${runId}: ${file} → ${backends.map((b) => `${b.plan.id} (${b.plan.model})`).join(', ')}; seed ${opts.seed}, ${opts.trials} trial(s); JavaScript ${js.allowJs ? 'allowed' : 'off'}.`);
    const panel = SuitePanel.show(services.context, this.panelHost(), this.view(active.data));
    // The panel follows the run at most about once a second (a summary with intervals is not free).
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = () => {
      refreshTimer ??= setTimeout(() => {
        refreshTimer = undefined;
        if (SuitePanel.of(runId)?.visible) SuitePanel.of(runId)!.update(this.view(active.data));
      }, 1_000);
    };
    const proxy = editorProxySettings(vscode.workspace.getConfiguration('http'));
    const settings = services.settings.runSettings();
    const notes: string[] = [];
    let outcome: 'finished' | 'interrupted' | 'budget' | 'failed' = 'failed';
    let errorMessage: string | null = null;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Bakeoff: ${path.basename(uri.fsPath)}`, cancellable: true },
        async (progress, token) => {
          const subscription = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          try {
            return await runSuite({
              tests: suite.tests,
              backends,
              trials: opts.trials,
              seed: opts.seed,
              concurrency: opts.concurrency,
              timeouts: settings.timeouts,
              resolveKey: (b: Backend) => {
                if (!keys.has(b.id)) throw new MissingKeyError(`No API key for ${backendName(b)}`, 'Run "Bakeoff: Set API Key…".');
                return keys.get(b.id);
              },
              allowJs: js.allowJs,
              signal: abort.signal,
              transport: { proxy },
              priceCache: services.priceCache,
              modelsPrice: (b) => fetchModelsPrice(b, keys.get(b.id), undefined, { timeouts: settings.timeouts, signal: abort.signal, transport: { proxy } }),
              onCell: (cell, request) => {
                active.data.cells.push(cell);
                active.data.requests.set(cellKey(cell), request);
                recorder.cell(cell, request);
                refreshSoon();
              },
              onProgress: (p) => {
                active.data.progress = { done: p.done, total: p.total, failed: p.failed, spentUsd: p.spentUsd };
                const increment = p.total ? ((p.done - reported) / p.total) * 100 : 0;
                reported = p.done;
                progress.report({ message: `${p.done}/${p.total} cells · ${p.failed} failed · ${formatUsd(p.spentUsd)} spent`, increment });
              },
            });
          } finally {
            subscription.dispose();
          }
        },
      );
      outcome = result.outcome;
      if (result.outcome === 'interrupted') notes.push('Cancelled: the figures cover the cells that finished.');
      for (const w of suite.warnings) notes.push(`Suite: ${w}`);
    } catch (err) {
      errorMessage = services.errorText(err, runKeys);
      if (err instanceof BudgetError) errorMessage = err.message;
      services.log.error(`Suite run ${runId} failed: ${errorMessage}`);
      void vscode.window.showErrorMessage(`Bakeoff: the suite run failed — ${errorMessage}`);
    } finally {
      if (refreshTimer) clearTimeout(refreshTimer);
      this.active.delete(runId);
    }
    recorder.end(outcome, notes, errorMessage);
    active.data.status = outcome;
    active.data.notes = errorMessage ? [...notes, `The run failed: ${errorMessage}`] : notes;
    active.data.progress = null;
    const finalView = this.view(active.data);
    (SuitePanel.of(runId) ?? panel).update(finalView);
    const tally = finalView.summary.rows.map((r) => `${r[0]} ${r[3]}`).join(', ');
    services.log.info(`Suite run ${runId} ${outcome}: ${tally}.`);
  }

  private view(data: SuiteRunData): SuiteReportView {
    return suiteReportView(data, suiteReportOf(data));
  }

  private panelHost(): SuitePanelHost {
    const services = this.services;
    return {
      cellDetail: async (runId, testIndex, backend, trial) => {
        const data = await this.dataOf(runId);
        return data ? cellDetailView(data, testIndex, backend, trial) : null;
      },
      cancel: (runId) => this.active.get(runId)?.abort.abort(),
      export: (runId, format) => this.exportRun(runId, format),
      get log() {
        return services.log;
      },
    };
  }

  /** A run of this window, else one read back from the history. */
  private async dataOf(runId: string): Promise<SuiteRunData | undefined> {
    const active = this.active.get(runId);
    if (active) return active.data;
    const stored = (await this.services.history.read()).suites.find((s) => s.record.runId === runId);
    return stored ? storedSuiteData(stored, this.services.history.isRunning(runId)) : undefined;
  }

  /** The backends a suite runs on: its providers (configured ids, or its own when the workspace is trusted), else the chosen ones; confirmed by the user. */
  private async backendsFor(suite: Suite): Promise<Array<{ backend: Backend; concurrency: number; params: Partial<RequestParams> }> | undefined> {
    const { configured, chosen } = this.services.settings.chosenBackends(true);
    let list: Array<{ backend: Backend; concurrency: number; params: Partial<RequestParams> }> = [];
    const problems: string[] = [];
    for (const p of suite.providers) {
      if (p.ref) {
        const found = configured.find((b) => b.id === p.ref);
        if (found) list.push({ backend: found, concurrency: p.concurrency ?? 1, params: p.params });
        else problems.push(`"${p.ref}" is not a configured backend (${p.source.file}${p.source.line ? `:${p.source.line}` : ''})`);
        continue;
      }
      if (!vscode.workspace.isTrusted) {
        problems.push('providers defined in the suite file are not used in Restricted Mode (only your configured backends are)');
        continue;
      }
      const parsed = Backend.safeParse(p.backend);
      if (parsed.success) list.push({ backend: parsed.data, concurrency: p.concurrency ?? 1, params: p.params });
      else problems.push(`a provider of the suite is not a valid backend (${p.source.file}${p.source.line ? `:${p.source.line}` : ''})`);
    }
    for (const problem of problems) this.services.log.warn(`Suite providers: ${problem}`);
    if (!list.length) {
      if (!configured.length) {
        await offerAddBackend();
        return undefined;
      }
      list = chosen.map((backend) => ({ backend, concurrency: 1, params: {} }));
    }
    const items = [
      ...list.map((b) => ({ label: backendName(b.backend), description: `${b.backend.kind} · ${b.backend.model}`, detail: describePricing(b.backend), picked: true, entry: b })),
      ...configured.filter((b) => !list.some((x) => x.backend.id === b.id)).map((backend) => ({ label: backendName(backend), description: `${backend.kind} · ${backend.model}`, detail: describePricing(backend), picked: false, entry: { backend, concurrency: 1, params: {} } })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: `Run Suite: backends${problems.length ? ` (${problems.length} provider problem${problems.length === 1 ? '' : 's'}; see Open Logs)` : ''}`,
      placeHolder: 'Which backends answer the suite?',
      canPickMany: true,
    });
    if (!picked || !picked.length) return undefined;
    return picked.map((p) => p.entry);
  }

  private async pickSuiteFile(): Promise<vscode.Uri | undefined> {
    const found = await vscode.workspace.findFiles('**/*.{yaml,yml,json,jsonl}', '{**/node_modules/**,**/.git/**,**/dist/**,**/out/**,**/.vscode/**}', 2_000);
    const candidates = found.filter((u) => suiteNamePattern.test(path.basename(u.path))).sort((a, b) => a.path.localeCompare(b.path));
    const browse = { label: '$(folder-opened) Browse…', description: 'any .yaml, .yml, .json or .jsonl file', uri: undefined as vscode.Uri | undefined };
    const items = [...candidates.slice(0, 500).map((uri) => ({ label: path.basename(uri.path), description: vscode.workspace.asRelativePath(uri, true), uri })), browse];
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Run Suite',
      placeHolder: candidates.length ? 'Pick a suite (promptfoo config, Bakeoff suite, AI Toolkit or OpenAI Evals JSONL)' : 'No suite-like file found in the workspace; browse for one',
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    if (picked.uri) return picked.uri;
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Suites: ['yaml', 'yml', 'json', 'jsonl'] }, openLabel: 'Run Suite' });
    return chosen?.[0];
  }

  private async showSuiteError(err: unknown, uri: vscode.Uri): Promise<void> {
    const message = this.services.errorText(err);
    this.services.log.error(`Suite ${uri.fsPath}: ${message}`);
    if (!(err instanceof SuiteError)) {
      void vscode.window.showErrorMessage(`Bakeoff: could not read the suite — ${message}`);
      return;
    }
    const choice = await vscode.window.showErrorMessage(`Bakeoff: the suite cannot run — ${message}`, 'Open File');
    if (!choice) return;
    const target = path.isAbsolute(err.file) ? vscode.Uri.file(err.file) : uri;
    const line = Math.max(0, (err.line ?? 1) - 1);
    await vscode.window.showTextDocument(target, { selection: new vscode.Range(line, 0, line, 0) });
  }
}

/** A stored suite run as the panel shows it. */
export function storedSuiteData(stored: StoredSuite, running: boolean): SuiteRunData {
  const status: SuiteReportView['status'] = running ? 'running' : stored.outcome === 'interrupted' ? 'interrupted' : stored.outcome;
  return {
    record: stored.record,
    cells: stored.cells,
    requests: stored.requests,
    status,
    notes: stored.outcome === 'interrupted' && !running ? ['The run stopped before it ended (the editor was closed or the extension host stopped); the cells that finished are shown.', ...stored.notes] : stored.notes,
    progress: null,
  };
}
