/**
 * Everything the panel remembers: the panel state (through the shared reducer), the UI choices
 * (trial shown per column, raw toggles) and when this page heard each trial start. Mirrored
 * with `vscode.setState` so the panel survives being hidden and window reloads.
 */
import type { WebviewApi } from 'vscode-webview';
import type { Summary } from '../core/summary';
import type { PanelState, PersistedWebviewState, TrialSnapshot, WebviewUiState } from '../shared/protocol';
import { PanelModel, trialKey, type PanelEvent } from '../shared/panelReducer';
import { panelSummary } from '../shared/panelSummary';

/** The part of the webview API that keeps state across reloads. */
export type StateStore = Pick<WebviewApi<PersistedWebviewState>, 'getState' | 'setState'>;

export class WebviewState {
  private readonly model = new PanelModel();
  private uiState: WebviewUiState = { selectedTrial: {}, raw: [], presenter: false, wrapCode: false, focused: null };
  /** `performance.now()` when this page heard of each trial's start, by trial key. */
  private readonly startedAtMs = new Map<string, number>();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  /** The core summary of the ended trials; recomputed only after an event that can change it. */
  private summaryCache: Summary | null | undefined;

  constructor(private readonly store: StateStore) {}

  get panel(): PanelState {
    return this.model.state;
  }

  /** The figures every part of the panel shows (see src/core/summary.ts); null before a run. */
  get summary(): Summary | null {
    if (this.summaryCache === undefined) this.summaryCache = panelSummary(this.panel);
    return this.summaryCache;
  }

  /** Takes over what the page saved before it was hidden or reloaded, if it is usable. */
  restoreSaved(): void {
    const saved = this.store.getState();
    if (saved && typeof saved === 'object' && saved.panel && saved.panel.version === 1) {
      this.model.apply({ type: 'stateRestored', state: { ...saved.panel, baselineId: saved.panel.baselineId ?? null } });
      this.summaryCache = undefined;
      this.uiState = {
        selectedTrial: { ...(saved.ui?.selectedTrial ?? {}) },
        raw: [...(saved.ui?.raw ?? [])],
        presenter: saved.ui?.presenter === true,
        wrapCode: saved.ui?.wrapCode === true,
        focused: typeof saved.ui?.focused === 'string' ? saved.ui.focused : null,
      };
    }
  }

  /**
   * Applies a host event (see `PanelModel.apply`, whose result it returns). A new run also
   * resets the trial shown per column (raw toggles stay) and forgets the start times.
   */
  apply(event: PanelEvent): PanelEvent | null {
    if (event.type === 'runStarted') this.startedAtMs.clear();
    const applied = this.model.apply(event);
    // Streamed text changes no figure: only ended trials count.
    if (event.type !== 'deltasAppended' && event.type !== 'trialStarted') this.summaryCache = undefined;
    if (event.type === 'runStarted') this.uiState = { ...this.uiState, selectedTrial: {}, focused: null };
    if (event.type === 'trialStarted') this.startedAtMs.set(trialKey(event.backendId, event.trial), performance.now());
    return applied;
  }

  /**
   * The trial shown in a column: the one picked, else — once the run is over — the backend's
   * median trial (by total time among delivered trials), else trial 1.
   */
  selectedTrial(backendId: string): number {
    const chosen = this.uiState.selectedTrial[backendId];
    const max = this.panel.run?.trials ?? 1;
    if (chosen && chosen >= 1 && chosen <= max) return chosen;
    if (max > 1 && this.panel.runStatus !== 'running') {
      const median = this.summary?.backends.find((b) => b.id === backendId)?.medianTrial;
      if (median && median >= 1 && median <= max) return median;
    }
    return 1;
  }

  displayedSnapshot(backendId: string): TrialSnapshot | undefined {
    return this.model.trial(backendId, this.selectedTrial(backendId));
  }

  /** When this page heard the trial start; undefined for trials started before it opened. */
  startedAt(snapshot: TrialSnapshot): number | undefined {
    return this.startedAtMs.get(trialKey(snapshot.backendId, snapshot.trial));
  }

  selectTrial(backendId: string, trial: number): void {
    this.uiState.selectedTrial[backendId] = trial;
    this.persistNow();
  }

  isRaw(backendId: string): boolean {
    return this.uiState.raw.includes(backendId);
  }

  toggleRaw(backendId: string): void {
    const raw = this.uiState.raw;
    this.uiState.raw = raw.includes(backendId) ? raw.filter((id) => id !== backendId) : [...raw, backendId];
    this.persistNow();
  }

  /** Presenter mode: larger type, one-line prompt, summary on top, fewer metrics. */
  get presenter(): boolean {
    return this.uiState.presenter === true;
  }

  set presenter(on: boolean) {
    this.uiState.presenter = on;
    this.persistNow();
  }

  /** Long code lines wrap. */
  get wrapCode(): boolean {
    return this.uiState.wrapCode === true;
  }

  set wrapCode(on: boolean) {
    this.uiState.wrapCode = on;
    this.persistNow();
  }

  /** The column shown alone, if any (and only while it is part of the run). */
  get focused(): string | null {
    const id = this.uiState.focused ?? null;
    return id && this.panel.run?.backends.some((b) => b.id === id) ? id : null;
  }

  set focused(id: string | null) {
    this.uiState.focused = id;
    this.persistNow();
  }

  /** The check of a column's candidate, if Check Candidates ran. */
  check(backendId: string): NonNullable<PanelState['checks']>[number] | undefined {
    return this.panel.checks?.find((c) => c.backendId === backendId);
  }

  persistNow(): void {
    if (this.persistTimer !== undefined) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    this.store.setState({ panel: this.panel, ui: this.uiState });
  }

  /** While streaming, state is saved at most once a second. */
  persistSoon(): void {
    if (this.persistTimer === undefined) this.persistTimer = setTimeout(() => this.persistNow(), 1_000);
  }
}
