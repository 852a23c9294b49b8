/**
 * Runs one comparison in the editor: decides the keys, opens the panel, shows progress with a
 * cancel button, feeds the runner's events to the panel and logs the results. One comparison
 * runs at a time; a new one replaces (and cancels) the previous one.
 */
import * as vscode from 'vscode';
import type { Backend, ChatMessage, RequestParams } from '../core/config';
import type { RunMode } from '../core/history';
import { describePricing } from '../core/pricing';
import { MissingKeyError } from '../core/errors';
import { fetchModelsPrice, runComparison } from '../core/runner';
import type { ComparisonResult, RunEvent, TrialResult } from '../core/types';
import { askForMissingKeys, isBlocked, offerAddBackend, resolveKeys, type KeyedBackend } from './backendKeys';
import { ComparePanel, type PanelHost, type RunInfo } from './panel';
import { editorProxySettings, tlsUnverified } from './proxy';
import type { FinishedRun } from './runTracker';
import type { HostServices } from './services';
import { backendName, buildMessages, type RunSettings } from './settings';

/** Prompts above this many characters ask for confirmation before being sent. */
const largePromptChars = 100_000;

/** What a comparison sends and Re-run Last repeats: the expanded user prompt and where it came from. */
export interface PreparedRun {
  title: string;
  userPrompt: string;
  target?: RunInfo['target'];
  /**
   * A run repeated from the history: these exact messages, parameters and trials, to these
   * backends (those still configured). Default: `userPrompt` with the current settings, to the
   * chosen backends.
   */
  replay?: { messages: ChatMessage[]; params: RequestParams; trials: number; backendIds: readonly string[] };
  /**
   * Backends with their keys decided by the caller (the demo's stand-ins), in place of the
   * chosen backends and the key store; called at each (re-)run.
   */
  backends?: () => Promise<Array<{ backend: Backend; key: string | undefined }>>;
  /** How the run is named in the history (default `compare`). */
  mode?: RunMode;
}

/** What a comparison actually sent: a retry of one of its columns sends the same. */
interface SentRequest {
  runId: string;
  messages: ChatMessage[];
  params: RequestParams;
  trials: number;
}

/** Retry this backend: the column's backend (and key, for given backends), the run it joins and what that run sent. */
interface RetryOf {
  backendId: string;
  only: Backend[] | { given: KeyedBackend[] };
  base: FinishedRun;
  sent: SentRequest;
}

export class ComparisonRunner {
  private lastRun: PreparedRun | undefined;
  private lastSent: SentRequest | undefined;

  constructor(
    private readonly services: HostServices,
    private readonly panelHost: PanelHost,
  ) {}

  /** The last comparison that was started, for Re-run Last. */
  get last(): PreparedRun | undefined {
    return this.lastRun;
  }

  /**
   * Retry this backend: runs the last comparison again for one of its backends only, in the
   * panel that shows it (its column starts over; the other columns stay).
   */
  async retryBackend(backendId: string, settings: RunSettings): Promise<void> {
    const prepared = this.lastRun;
    const panel = ComparePanel.current;
    const shownRunId = panel?.shownRunId ?? null;
    // The column joins the run the panel shows: its results and what it sent must still be at hand
    // (another run — a blind comparison, say — or a window reload lets them go).
    const base = this.services.runs.lastFinished;
    const sent = this.lastSent;
    if (!prepared || !panel || !shownRunId || !panel.state.run?.backends.some((b) => b.id === backendId) || base?.result.runId !== shownRunId || sent?.runId !== shownRunId) {
      void vscode.window.showInformationMessage('Bakeoff: the results of that comparison are no longer at hand to retry one column; use Re-run to run it again.');
      return;
    }
    if (this.services.runs.current) {
      panel.showNotice('warning', 'A comparison is running; wait for it to finish or cancel it, then retry.');
      return;
    }
    let only: RetryOf['only'];
    if (prepared.backends) {
      // The demo's stand-ins: the same servers, with the keys they came with.
      const given = (await prepared.backends()).filter((g) => g.backend.id === backendId);
      if (!given.length) {
        panel.showNotice('error', `${backendId} is not available any more; use Re-run.`);
        return;
      }
      only = { given };
    } else {
      const backend = this.services.settings.configuredBackends(true).find((b) => b.id === backendId);
      if (!backend) {
        panel.showNotice('error', `${backendId} is no longer configured.`);
        return;
      }
      only = [backend];
    }
    await this.run(prepared, settings, { backendId, only, base, sent });
  }

  /**
   * Runs one comparison: keys (asking for a missing one right there), panel, progress in the
   * status bar and the panel header, runner, log. With `retry`, reruns one backend of the
   * comparison the panel shows, sending what that comparison sent.
   */
  async run(prepared: PreparedRun, settings: RunSettings, retry?: RetryOf): Promise<void> {
    const { services } = this;
    const { runs } = services;
    const chosen = retry ? retry.only : await this.backendsFor(prepared);
    if (!chosen) return;
    if (Array.isArray(chosen) && !chosen.length) return offerAddBackend();
    const trials = retry?.sent.trials ?? prepared.replay?.trials ?? settings.trials;
    const params = retry?.sent.params ?? prepared.replay?.params ?? settings.params;
    const messages = retry?.sent.messages ?? prepared.replay?.messages ?? buildMessages(prepared.userPrompt, settings.systemPrompt);

    // The demo's stand-ins come with their keys decided; configured backends may ask for a missing one.
    const keyed: KeyedBackend[] = Array.isArray(chosen) ? await askForMissingKeys(services, await resolveKeys(services.keys, chosen)) : chosen.given;
    const blocked = keyed.filter(isBlocked);
    const runnable = keyed.filter((k): k is { backend: Backend; key: string | undefined } => k.blocked === undefined);
    for (const { blocked: message } of blocked) services.log.warn(message);

    if (runnable.length && prepared.userPrompt.length > largePromptChars) {
      const ok = await vscode.window.showWarningMessage(
        `The prompt is ${prepared.userPrompt.length.toLocaleString()} characters and goes to ${runnable.length} backend(s) × ${trials} trial(s). Send it?`,
        { modal: true },
        'Send',
      );
      if (ok !== 'Send') return;
    }

    const previous = runs.current;
    if (previous) {
      services.log.info(`Run ${previous.runId} replaced by a new comparison; cancelling it.`);
      previous.abort.abort();
    }
    this.lastRun = prepared;
    const previousResult = retry?.base;
    const run = runs.start();
    const { runId, abort } = run;
    if (!retry) this.lastSent = { runId, messages, params, trials };
    const isCurrent = () => runs.isCurrent(run);

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
        ...(b.connection === 'warm' ? { connection: 'warm' as const } : {}),
      })),
      trials,
      perBackendConcurrency: settings.perBackendConcurrency,
      baselineId: services.settings.rememberedBaseline(),
      ...(prepared.target ? { target: prepared.target } : {}),
    };
    const panel = ComparePanel.createOrShow(services.context, this.panelHost);
    if (retry) panel.restartBackend(retry.backendId);
    else panel.beginRun(info);
    services.log.info(
      `Run ${runId}: ${services.redact(prepared.title, runKeys)} → ${backends.map((b) => `${b.id} (${b.model})`).join(', ')}; ` +
        `${trials} trial(s), max_tokens ${params.maxTokens}, temperature ${params.temperature}, prompt ${prepared.userPrompt.length} chars.`,
    );
    if (blocked.length) services.log.info(`Run ${runId}: skipped ${blocked.map((b) => b.backend.id).join(', ')} (no usable key).`);

    const recorder = services.history.startRun(
      { runId, mode: prepared.mode ?? 'compare', title: prepared.title, request: { messages, params }, backends: info.backends, trials, perBackendConcurrency: settings.perBackendConcurrency },
      runKeys,
    );
    const total = backends.length * trials;
    const unit = trials > 1 ? 'requests' : 'backends';
    let done = 0;
    try {
      // Progress goes to the status bar and the panel's header, never a notification over the
      // panel; Cancel is in the panel and in the command palette.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Bakeoff' },
        async (progress) => {
          progress.report({ message: `0/${total} ${unit} done` });
          {
            return await runComparison({
              runId,
              backends,
              messages,
              params,
              timeouts: settings.timeouts,
              trials,
              concurrency: settings.concurrency,
              perBackendConcurrency: settings.perBackendConcurrency,
              signal: abort.signal,
              transport: { proxy },
              resolveKey: (b) => {
                const problem = blockedById.get(b.id);
                if (problem !== undefined) throw new MissingKeyError(problem, 'Run "Bakeoff: Set API Key…" for this backend, then Re-run.');
                return keysById.get(b.id);
              },
              usageMemory: services.usageMemory,
              priceCache: services.priceCache,
              modelsPrice: (b) => fetchModelsPrice(b, keysById.get(b.id), undefined, { timeouts: settings.timeouts, signal: abort.signal, transport: { proxy } }),
              onEvent: (event: RunEvent) => {
                if (event.type === 'finished') recorder.trial(event.result);
                if (!isCurrent()) return;
                panel.handleEvent(event);
                if (event.type === 'finished') {
                  done++;
                  progress.report({ message: `${done}/${total} ${unit} done`, increment: 100 / total });
                }
              },
            });
          }
        },
      );
      this.logResults(result, runKeys);
      recorder.end(result.outcome, null);
      if (isCurrent()) {
        const merged = previousResult && retry ? mergeRetry(previousResult.result, result, retry.backendId) : result;
        runs.keepResult(run, {
          result: merged,
          keys: [...new Set([...(previousResult?.keys ?? []), ...runKeys])],
          title: prepared.title,
          ...(prepared.target ? { sourceName: sourceNameOf(prepared.target.uri) } : {}),
        });
        panel.endRun(result);
      }
    } catch (err) {
      const message = services.errorText(err, runKeys);
      services.log.error(`Run ${runId} failed: ${message}`);
      recorder.end('failed', message);
      if (isCurrent()) {
        panel.endRun(null, message);
        void vscode.window.showErrorMessage(`Bakeoff: the comparison failed — ${message}`);
      }
    } finally {
      runs.end(run);
    }
  }

  /** Re-run Last and the panel's Re-run repeat `prepared` (a run shown from the history, say). */
  setLast(prepared: PreparedRun): void {
    this.lastRun = prepared;
  }

  /**
   * The backends of a run: the caller's (with their keys), those of a replayed run that are
   * still configured, or the chosen ones. Undefined when the user gave up.
   */
  private async backendsFor(prepared: PreparedRun): Promise<Backend[] | { given: KeyedBackend[] } | undefined> {
    if (prepared.backends) {
      const given = await prepared.backends();
      return given.length ? { given: given.map(({ backend, key }) => ({ backend, key })) } : [];
    }
    if (!prepared.replay) return this.services.settings.chosenBackends(true).chosen;
    const configured = this.services.settings.configuredBackends(true);
    const found = prepared.replay.backendIds.map((id) => configured.find((b) => b.id === id)).filter((b): b is Backend => b !== undefined);
    const missing = prepared.replay.backendIds.filter((id) => !configured.some((b) => b.id === id));
    if (missing.length) {
      const message = found.length
        ? `Bakeoff: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} no longer configured; re-running with ${found.map(backendName).join(', ')}.`
        : `Bakeoff: none of the backends of that run (${missing.join(', ')}) is configured any more.`;
      if (!found.length) {
        void vscode.window.showWarningMessage(message);
        return undefined;
      }
      void vscode.window.showInformationMessage(message);
    }
    return found;
  }

  private logResults(result: ComparisonResult, runKeys: readonly string[]): void {
    for (const r of result.results) this.services.log.info(this.services.redact(describeTrial(r), runKeys));
  }
}

/** `cart.ts` from the compared document's URI. */
function sourceNameOf(uri: string): string | undefined {
  try {
    return vscode.Uri.parse(uri, true).path.split('/').pop() || undefined;
  } catch {
    return undefined;
  }
}

/** The earlier comparison with one backend's results replaced by a retry's (for Export Results…). */
function mergeRetry(previous: ComparisonResult, retry: ComparisonResult, backendId: string): ComparisonResult {
  const others = previous.results.filter((r) => r.backendId !== backendId);
  const retried = retry.results.filter((r) => r.backendId === backendId);
  const order = [...new Set(previous.results.map((r) => r.backendId))];
  const results = [...others, ...retried].sort((a, b) => a.trial - b.trial || order.indexOf(a.backendId) - order.indexOf(b.backendId));
  return { ...previous, results, outcome: retry.outcome === 'cancelled' ? 'cancelled' : previous.outcome };
}

function describeTrial(r: TrialResult): string {
  const m = r.metrics;
  const parts = [
    `${r.backendId} #${r.trial}: ${r.status}`,
    m.ttftMs === null ? 'ttft —' : `ttft ${Math.round(m.ttftMs)} ms`,
    m.totalMs === null ? `total — (wall ${r.wallMs === null ? '—' : `${Math.round(r.wallMs)} ms`})` : `total ${Math.round(m.totalMs)} ms`,
    `tokens ${m.inputTokens ?? '?'} in / ${m.outputTokens ?? '?'} out (${m.tokenSource})`,
    r.cost.costUsd === null ? 'cost unknown' : `cost $${r.cost.costUsd.toPrecision(3)} (${r.cost.costSource})`,
  ];
  if (r.error) parts.push(`error: ${r.error.message}`);
  return parts.join(', ');
}
