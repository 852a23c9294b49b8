/**
 * Host side of the comparison panel: owns the webview, keeps the authoritative render state
 * (so the panel can be re-rendered after being hidden or after a window reload), batches
 * streamed deltas and carries out the webview's requests after validating them.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectWholeFileAnswer } from '../core/applyPlan';
import { extractCode } from '../core/codeBlock';
import type { BackendKind } from '../core/config';
import { forEditor, suggestedFixes, type ErrorFix } from '../core/errors';
import type { ComparisonResult, ConnectionMode, RunEvent, TrialResult } from '../core/types';
import {
  assertNever,
  clip,
  parsePersistedState,
  parseWebviewMessage,
  toTrialSnapshot,
  type CheckView,
  type EditorTarget,
  type HostToWebviewMessage,
  type PanelState,
  type RunView,
  type TrialRef,
  type TrialSnapshot,
  type WebviewToHostMessage,
} from '../shared/protocol';
import { PanelModel, emptyPanelState, type PanelEvent } from '../shared/panelReducer';
import { panelViewType } from './commands';
import { DeltaBatcher, type BatchedDelta } from './deltaBatcher';
import { EditorActionError, EditorActions, type UndoRecord } from './editorActions';
import { panelOptions, panelWebviewOptions } from './webviewHtml';
import { PanelChannel } from './panelChannel';
import { webviewRoot } from './webviewPage';

/** What the panel needs to know about a comparison when it starts. */
export interface RunInfo {
  runId: string;
  /** E.g. `Selection from foo.ts (12 lines)`. */
  title: string;
  /** The first ~300 characters of the user prompt. */
  promptPreview: string;
  backends: Array<{ id: string; label: string; kind: BackendKind; model: string; pricingNote: string; trustNote?: string; tlsInsecure?: boolean; connection?: ConnectionMode }>;
  trials: number;
  /** Most requests in flight to one backend. */
  perBackendConcurrency: number;
  /** The baseline the user pinned for this workspace, if any. */
  baselineId: string | null;
  /** Where Insert / Replace / Diff-with-selection apply: the editor the comparison was started from. */
  target?: { uri: string; selection: { startLine: number; startCharacter: number; endLine: number; endCharacter: number } };
}

/** What the panel calls back into. */
export interface PanelHost {
  /** Cancel the running comparison. */
  onCancel(): void;
  /** Same as the command `bakeoff.rerunLast`. */
  onRerun(): void;
  /** Same as the command `bakeoff.exportResults`. */
  onExport?(): void;
  /** The user pinned a baseline (null: none); remember it for the workspace. */
  onSetBaseline?(backendId: string | null): void;
  /** Check Candidates (the panel's button). */
  onCheckCandidates?(): void;
  /** Stop the candidate checks. */
  onCancelChecks?(): void;
  /** A fix button of a failed column (Set API Key, Open Settings, Test Backends, Retry). */
  onFix?(backendId: string, fix: ErrorFix): void;
  log: vscode.LogOutputChannel;
}

/**
 * A trial as the panel shows it: error hints worded for the editor (never environment
 * variables or CLI commands) and the fixes its card offers.
 */
export function panelSnapshot(result: TrialResult): TrialSnapshot {
  const snapshot = toTrialSnapshot(result);
  const error = snapshot.final?.error;
  if (snapshot.final && error) {
    const fixes = suggestedFixes(error);
    snapshot.final.error = { ...forEditor(error), ...(fixes.length ? { fixes } : {}) };
  }
  return snapshot;
}

/** Check output kept per candidate (the rest is cut in the middle by the runner already). */
const maxCheckOutput = 64 * 1024;

/** `foo.ts:12–24` for the target editor. */
function targetLabel(target: EditorTarget): string {
  let name: string;
  try {
    name = path.basename(vscode.Uri.parse(target.uri, true).path) || target.uri;
  } catch {
    name = target.uri;
  }
  const { startLine, endLine } = target.selection;
  return startLine === endLine ? `${name}:${startLine + 1}` : `${name}:${startLine + 1}–${endLine + 1}`;
}

/** The panel's view of a run's header (names, kinds and notes, clipped to the protocol's limits). */
export function toRunView(info: RunInfo): RunView {
  return {
    runId: clip(info.runId, 200),
    title: clip(info.title, 500),
    promptPreview: clip(info.promptPreview, 2_000),
    backends: info.backends.slice(0, 64).map((b) => ({
      id: b.id,
      label: clip(b.label || b.id, 200),
      kind: b.kind,
      model: clip(b.model, 300),
      pricingNote: clip(b.pricingNote, 2_000),
      ...(b.trustNote ? { trustNote: clip(b.trustNote, 2_000) } : {}),
      ...(b.tlsInsecure ? { tlsInsecure: true } : {}),
      ...(b.connection === 'warm' ? { connection: 'warm' as const } : {}),
    })),
    trials: Math.min(10_000, Math.max(1, Math.floor(info.trials))),
    perBackendConcurrency: Math.min(1_000, Math.max(1, Math.floor(info.perBackendConcurrency))),
    targetLabel: info.target ? clip(targetLabel(info.target), 500) : null,
    insertPlace: info.target ? clip(EditorActions.insertPlace(info.target) ?? '', 500) || null : null,
  };
}

/** The comparison panel (a singleton webview panel, `bakeoff.panel`). */
export class ComparePanel {
  static readonly viewType = panelViewType;
  private static instance: ComparePanel | undefined;
  private static readonly closedEmitter = new vscode.EventEmitter<void>();
  /** Fires when the user closes the panel. */
  static readonly onDidClose: vscode.Event<void> = ComparePanel.closedEmitter.event;

  /** The open panel, if any. */
  static get current(): ComparePanel | undefined {
    return ComparePanel.instance;
  }

  /** Reveals the panel, creating it beside the active editor when needed. */
  static createOrShow(context: vscode.ExtensionContext, host: PanelHost): ComparePanel {
    const existing = ComparePanel.instance;
    if (existing) {
      existing.host = host;
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ComparePanel.viewType,
      'Bakeoff',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...panelWebviewOptions(webviewRoot(context.extensionUri)), ...panelOptions },
    );
    ComparePanel.instance = new ComparePanel(panel, context, host, null);
    return ComparePanel.instance;
  }

  /**
   * Takes over a panel the editor restored after a window reload (the serializer registered at
   * start-up hands it over), with its last results when the saved state is usable.
   */
  static revive(panel: vscode.WebviewPanel, saved: unknown, context: vscode.ExtensionContext, host: PanelHost): void {
    const restored = parsePersistedState(saved);
    if (!restored && saved !== undefined && saved !== null) host.log.debug('Bakeoff panel: saved state was not usable; starting empty.');
    const revived = new ComparePanel(panel, context, host, restored);
    ComparePanel.instance ??= revived;
  }

  private readonly model: PanelModel;
  private readonly channel: PanelChannel<WebviewToHostMessage, HostToWebviewMessage>;
  private readonly batcher: DeltaBatcher;
  private readonly actions: EditorActions;
  /** Edits that a notice's Undo button can take back, by notice action id. */
  private readonly undos = new Map<string, UndoRecord>();
  private undoCounter = 0;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private host: PanelHost,
    restored: PanelState | null,
  ) {
    this.model = new PanelModel(restored ?? emptyPanelState());
    this.batcher = new DeltaBatcher((deltas) => this.onFlush(deltas));
    this.actions = EditorActions.get(context);

    this.channel = new PanelChannel<WebviewToHostMessage, HostToWebviewMessage>(panel, context.extensionUri, {
      bundle: 'main',
      name: 'Bakeoff panel',
      parse: parseWebviewMessage,
      log: () => this.host.log,
      onReady: () => this.post({ type: 'stateRestored', state: this.state }),
      onMessage: (message) => this.dispatch(message),
      onFailure: (text) => this.notice('error', text),
      onDispose: () => this.dispose(),
    });
  }

  /** Starts showing a new comparison (replaces the previous one). */
  beginRun(info: RunInfo): void {
    this.batcher.discard();
    const run = toRunView(info);
    const baselineId = info.baselineId && run.backends.some((b) => b.id === info.baselineId) ? info.baselineId : null;
    this.emit({ type: 'runStarted', run, target: info.target ?? null, baselineId });
  }

  /** Feed every runner event; deltas are batched (at most 30 messages a second, see DeltaBatcher). */
  handleEvent(event: RunEvent): void {
    if (this.channel.isDisposed || !this.state.run) return;
    switch (event.type) {
      case 'started':
        this.emit({ type: 'trialStarted', backendId: event.backendId, trial: event.trial });
        return;
      case 'firstToken':
        this.batcher.flush(event.backendId, event.trial);
        this.emit({ type: 'firstTokenReceived', backendId: event.backendId, trial: event.trial, ttftMs: event.ttftMs });
        return;
      case 'delta':
        this.batcher.append(event.backendId, event.trial, event.content, event.reasoning);
        return;
      case 'finished':
        this.batcher.flushAll();
        this.emit({ type: 'trialFinished', trial: panelSnapshot(event.result) });
        return;
      default:
        assertNever(event, 'run event');
    }
  }

  /**
   * Shows a whole state at once (a run read back from the history): nothing streams, nothing is
   * sent. Replaces what the panel showed.
   */
  restore(state: PanelState): void {
    if (this.channel.isDisposed) return;
    this.batcher.discard();
    this.emit({ type: 'stateRestored', state });
  }

  /** The run ended (result) or failed before starting (errorMessage). Flushes pending deltas first. */
  endRun(result: ComparisonResult | null, errorMessage?: string): void {
    if (this.channel.isDisposed) return;
    this.batcher.flushAll();
    if (result) {
      for (const r of result.results) {
        if (!this.model.trial(r.backendId, r.trial)?.final) this.emit({ type: 'trialFinished', trial: panelSnapshot(r) });
      }
    }
    const runStatus = !result ? 'failed' : result.outcome === 'cancelled' ? 'cancelled' : 'finished';
    this.emit({ type: 'runFinished', runStatus, errorMessage: errorMessage ? clip(errorMessage, 4_000) : null });
  }

  /** The id of the run the panel shows (null before any). */
  get shownRunId(): string | null {
    return this.state.run?.runId ?? null;
  }

  /** One backend runs again (Retry this backend): its column starts over. */
  restartBackend(backendId: string): void {
    if (this.channel.isDisposed) return;
    this.batcher.discard();
    this.emit({ type: 'backendRestarted', backendId });
  }

  /** A new round of candidate checks, every one queued. */
  startChecks(checks: CheckView[]): void {
    this.emit({ type: 'checksStarted', checks: checks.map((c) => ({ ...c, output: clip(c.output, maxCheckOutput) })) });
  }

  /** One candidate check moved on. */
  updateCheck(check: CheckView): void {
    this.emit({ type: 'checkUpdated', check: { ...check, output: clip(check.output, maxCheckOutput) } });
  }

  /** Shows a notice in the panel. */
  showNotice(level: 'info' | 'warning' | 'error', message: string): void {
    this.notice(level, message);
  }

  /** The authoritative render state (what a webview that says `ready` is sent). */
  get state(): PanelState {
    return this.model.state;
  }

  /** The exact final text of one trial, with a label for titles and notices (throws when there is none). */
  answerOf(ref: TrialRef): { label: string; text: string } {
    return this.answer(ref);
  }

  private onFlush(deltas: BatchedDelta[]): void {
    this.emit({ type: 'deltasAppended', chunks: deltas });
  }

  /** Applies an event to the panel state and posts what was applied (late deltas are dropped). */
  private emit(event: PanelEvent): void {
    const applied = this.model.apply(event);
    if (applied) this.post(applied);
  }

  /** Posts only once the webview said `ready`; until then the state snapshot covers everything. */
  private post(message: HostToWebviewMessage): void {
    this.channel.post(message);
  }

  private async dispatch(message: WebviewToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // Answered by the channel (onReady).
        return;
      case 'cancel':
        this.host.onCancel();
        return;
      case 'rerun':
        this.host.onRerun();
        return;
      case 'export':
        if (this.host.onExport) this.host.onExport();
        else this.notice('info', 'Export is not available here.');
        return;
      case 'setBaseline': {
        const id = message.backendId;
        if (id !== null && !this.state.run?.backends.some((b) => b.id === id)) return;
        this.host.onSetBaseline?.(id);
        this.emit({ type: 'baselineChanged', baselineId: id });
        return;
      }
      case 'copy': {
        const answer = this.answer(message);
        if (!this.hasText(answer, 'to copy')) return;
        await this.actions.copy(answer.text);
        this.notice('info', `Copied ${answer.label}'s answer (${answer.text.length.toLocaleString('en-US')} characters).`);
        return;
      }
      case 'apply': {
        const answer = this.answer(message);
        if (!this.hasText(answer, message.mode === 'insert' ? 'to insert' : 'to replace the selection with')) return;
        const { code, fromBlock } = extractCode(answer.text);
        const mode = message.mode === 'replace' ? await this.confirmReplaceMode(answer.label, code) : message.mode;
        if (!mode) return;
        const done = await this.actions.apply(this.state.target, code, mode);
        const id = `undo-${++this.undoCounter}`;
        this.undos.set(id, done.undo);
        for (const key of [...this.undos.keys()].slice(0, -5)) this.undos.delete(key);
        const what = fromBlock ? `${answer.label}'s code block` : `${answer.label}'s whole answer; it has no code block`;
        this.notice('info', `${done.description} (${what}).`, [{ id, label: 'Undo' }]);
        return;
      }
      case 'noticeAction': {
        const record = this.undos.get(message.id);
        if (!record) {
          this.notice('warning', 'That edit can no longer be undone from here; use Undo in the editor.');
          return;
        }
        this.undos.delete(message.id);
        this.notice('info', await this.actions.undo(record));
        return;
      }
      case 'checkCandidates':
        if (this.host.onCheckCandidates) this.host.onCheckCandidates();
        else this.notice('info', 'Check Candidates is not available here.');
        return;
      case 'cancelChecks':
        this.host.onCancelChecks?.();
        return;
      case 'fix':
        if (!this.state.run?.backends.some((b) => b.id === message.backendId)) return;
        this.host.onFix?.(message.backendId, message.fix);
        return;
      case 'diffWithSelection': {
        const answer = this.answer(message);
        if (!this.hasText(answer, 'to diff')) return;
        await this.actions.diffWithSelection(this.state.target, extractCode(answer.text).code, answer.label);
        return;
      }
      case 'diffColumns': {
        const left = this.answer(message.left);
        const right = this.answer(message.right);
        if (!this.hasText(left, 'to diff') || !this.hasText(right, 'to diff')) return;
        await this.actions.diffTexts(left, right);
        return;
      }
      case 'openLink':
        await this.actions.openLink(message.url);
        return;
      default:
        assertNever(message, 'webview message');
    }
  }

  /** The exact final text of one trial, with a label for titles and notices. */
  private answer(ref: TrialRef): { label: string; text: string } {
    const snapshot = this.model.trial(ref.backendId, ref.trial);
    const backend = this.state.run?.backends.find((b) => b.id === ref.backendId);
    if (!snapshot || !backend) throw new EditorActionError('That answer is not part of the current comparison.');
    if (!snapshot.final) throw new EditorActionError(`${backend.label}'s answer is still streaming.`);
    const multi = (this.state.run?.trials ?? 1) > 1;
    return { label: multi ? `${backend.label} #${ref.trial}` : backend.label, text: snapshot.text };
  }

  /**
   * Replace: when the answer looks like a whole file while only part of the file was compared,
   * asks whether to replace the whole file (what the answer means) or the selection anyway.
   * Returns the mode to apply, or null when the user backed out.
   */
  private async confirmReplaceMode(label: string, code: string): Promise<'replace' | 'replaceFile' | null> {
    const target = this.state.target;
    if (!target) return 'replace';
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri, true));
    } catch {
      return 'replace';
    }
    const s = target.selection;
    const range = document.validateRange(new vscode.Range(s.startLine, s.startCharacter, s.endLine, s.endCharacter));
    if (range.isEmpty) return 'replace';
    const verdict = detectWholeFileAnswer(document.getText(), document.offsetAt(range.start), document.offsetAt(range.end), code);
    if (!verdict.wholeFile) return 'replace';
    const names = verdict.redefined.slice(0, 4).map((n) => `“${n}”`).join(', ');
    const why = names
      ? `It also defines ${names}, which ${verdict.redefined.length === 1 ? 'is' : 'are'} outside the selection`
      : 'It repeats most of the code outside the selection';
    const wholeFile = 'Replace Whole File';
    const selection = 'Replace Selection Anyway';
    const choice = await vscode.window.showWarningMessage(
      `${label}'s answer looks like the whole of ${path.basename(document.uri.path)}.`,
      { modal: true, detail: `${why}: replacing only the selection would define ${names ? 'them' : 'it'} twice.` },
      wholeFile,
      selection,
    );
    return choice === wholeFile ? 'replaceFile' : choice === selection ? 'replace' : null;
  }

  /** False, after a notice, when the answer is empty or only whitespace. */
  private hasText(answer: { label: string; text: string }, purpose: string): boolean {
    if (answer.text.trim() !== '') return true;
    this.notice('warning', `${answer.label} has no answer ${purpose}.`);
    return false;
  }

  private notice(level: 'info' | 'warning' | 'error', message: string, actions?: Array<{ id: string; label: string }>): void {
    this.post({ type: 'noticeShown', level, message: clip(message, 1_000), ...(actions?.length ? { actions } : {}) });
  }

  /** The channel's end, once, when the panel closed. */
  private dispose(): void {
    if (ComparePanel.instance === this) {
      ComparePanel.instance = undefined;
      ComparePanel.closedEmitter.fire();
    }
    this.batcher.dispose();
  }
}
