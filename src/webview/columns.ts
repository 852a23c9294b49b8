/**
 * The columns of the current run: keeps them up to date with the state, renders their markdown
 * at most once per animation frame each, ticks the live "time since start" (and the race
 * strip with it) and runs the Diff-with-column menu.
 */
import type { BackendView, DeltaChunk, RunView, WebviewToHostMessage } from '../shared/protocol';
import { formatCount, formatMs } from '../core/format';
import { hasAnswer } from '../shared/panelSummary';
import { liveTtftCell, metricCells, pendingMetricCells } from './format';
import {
  applyMetric,
  describeState,
  iconSpins,
  renderColumn,
  renderColumnText,
  renderDiffMenu,
  scrollToEnd,
  statusIcons,
  updateCheck,
  updateFixes,
  type ColumnView,
} from './column';
import { syncRoving } from './keyboard';
import type { WebviewState } from './state';

export class ColumnSet {
  private readonly views = new Map<string, ColumnView>();
  /** Columns whose text waits for the next animation frame. */
  private readonly dirty = new Set<string>();
  private frame = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Called on every tick while something streams (the race strip follows). */
  onTick: () => void = () => undefined;
  /** Called when a column asks to be shown alone (or all again). */
  onToggleFocus: (backendId: string) => void = () => undefined;

  constructor(
    private readonly state: WebviewState,
    private readonly post: (message: WebviewToHostMessage) => void,
  ) {}

  /** Backend ids of the columns, in order. */
  ids(): IterableIterator<string> {
    return this.views.keys();
  }

  /** The column of a backend. */
  view(backendId: string): ColumnView | undefined {
    return this.views.get(backendId);
  }

  /** Forgets every column (a full render is about to replace the DOM). */
  clear(): void {
    this.views.clear();
  }

  /** Builds the column of one backend; returns its root element. */
  add(backend: BackendView, index: number, run: RunView): HTMLElement {
    const id = backend.id;
    const view = renderColumn(backend, index, run, {
      selectedTrial: () => this.state.selectedTrial(id),
      selectTrial: (trial) => {
        this.state.selectTrial(id, trial);
        this.update(id);
        this.onTick();
      },
      post: this.post,
      toggleDiffMenu: (anchor) => this.toggleDiffMenu(id, anchor),
      toggleRaw: () => {
        this.state.toggleRaw(id);
        this.update(id);
      },
      togglePin: () => this.post({ type: 'setBaseline', backendId: this.state.panel.baselineId === id ? null : id }),
      toggleFocus: () => this.onToggleFocus(id),
    });
    this.views.set(id, view);
    return view.root;
  }

  /** Short state words for the overview strip, from the same rule as the column's state line. */
  statusOf(backendId: string): { status: string; short: string; spins: boolean } {
    const { status } = describeState(this.state, backendId);
    const spins = iconSpins(status, this.state.displayedSnapshot(backendId));
    const s = this.state.summary?.backends.find((b) => b.id === backendId);
    const short =
      status === 'waiting'
        ? this.state.displayedSnapshot(backendId)
          ? 'waiting for first token'
          : this.state.panel.runStatus === 'running'
            ? 'queued'
            : 'not run'
        : status === 'streaming'
          ? 'streaming'
          : status === 'ok'
            ? 'done'
            : (s?.failureLabel ?? status.replace(/_/g, ' '));
    return { status, short, spins };
  }

  /**
   * Brings a column's state line, metrics and actions up to date; its text follows within a frame.
   * While an answer streams this runs for every message: when nothing but the text changed (the
   * same inputs as last time) only the live figures are touched, so the column is not restyled,
   * and its keyboard stops are not searched again (that forces a layout of the panel).
   */
  update(backendId: string): void {
    const view = this.views.get(backendId);
    if (!view) return;
    const state = this.state.panel;
    const described = describeState(this.state, backendId);
    const { status } = described;
    const snapshot = this.state.displayedSnapshot(backendId);
    const summary = this.state.summary;
    const check = this.state.check(backendId);
    const usable = hasAnswer(snapshot);
    const others = [...this.views.values()].some((c) => c !== view && hasAnswer(this.state.displayedSnapshot(c.backend.id)));
    const inputs: unknown[] = [
      status,
      described.text,
      described.hint,
      state.run?.trials ?? 1,
      state.trials.reduce((n, t) => n + (t.backendId === backendId && t.final !== null ? 1 : 0), 0),
      this.state.selectedTrial(backendId),
      snapshot?.final ?? null,
      snapshot?.liveTtftMs,
      state.runStatus,
      check,
      state.baselineId,
      this.state.focused,
      summary,
      usable,
      others,
      this.state.isRaw(backendId),
    ];
    const same = view.updateInputs !== null && inputs.length === view.updateInputs.length && inputs.every((x, i) => x === view.updateInputs![i]);
    if (status === 'waiting' || status === 'streaming') this.ensureTicker();
    // Only text arrived: the ticker brings the live figures (time, characters) up to date.
    if (same) {
      this.markDirty(backendId);
      return;
    }
    this.updateElapsed(view);
    view.updateInputs = inputs;
    view.stateEl.dataset.status = status;
    view.stateEl.className = `state state-${status}`;
    view.root.dataset.status = status;
    view.stateIcon.className = `codicon codicon-${statusIcons[status]}${iconSpins(status, snapshot) ? ' codicon-modifier-spin' : ''}`;
    view.stateText.textContent = described.text;
    view.stateHint.textContent = described.hint ? ` ${described.hint}` : '';
    const trials = state.run?.trials ?? 1;
    if (trials > 1) {
      const done = state.trials.filter((t) => t.backendId === backendId && t.final !== null).length;
      view.stateProgress.textContent = `${done}/${trials} trials`;
    } else {
      view.stateProgress.textContent = '';
    }
    if (view.trialSelect) view.trialSelect.value = String(this.state.selectedTrial(backendId));

    let cells = snapshot?.final ? metricCells(snapshot.final) : pendingMetricCells();
    // TTFT shows as soon as the host reports the first token.
    if (!snapshot?.final && typeof snapshot?.liveTtftMs === 'number') cells = cells.map((c) => (c.id === 'ttft' ? liveTtftCell(snapshot.liveTtftMs!) : c));
    for (const cell of cells) applyMetric(view, cell);
    const running = state.runStatus === 'running';
    updateFixes(view, snapshot?.final && !running ? (snapshot.final.error?.fixes ?? []) : [], this.post);
    updateCheck(view, check);

    const finished = Boolean(snapshot?.final);
    view.keyNote.hidden = !snapshot?.final?.keyRedacted;
    const pinned = state.baselineId === backendId;
    view.pin.setAttribute('aria-pressed', String(pinned));
    view.pin.classList.toggle('active', pinned);
    view.pin.title = pinned
      ? `${view.backend.label} is your baseline: click to go back to the first backend that delivers (B)`
      : `Set ${view.backend.label} as the baseline of the ratios, remembered for this workspace (B)`;
    const focused = this.state.focused === backendId;
    view.focusToggle.setAttribute('aria-pressed', String(focused));
    view.focusToggle.classList.toggle('active', focused);
    view.focusToggle.title = focused ? 'Show all columns again (Esc)' : `Show only ${view.backend.label}'s column`;
    view.focusToggle.setAttribute('aria-label', view.focusToggle.title);
    view.focusToggle.querySelector('.codicon')!.className = `codicon codicon-${focused ? 'screen-normal' : 'screen-full'}`;
    const s = summary?.backends.find((b) => b.id === backendId);
    view.baselineTag.hidden = !s?.isBaseline;
    for (const key of ['copy', 'insert', 'replace', 'diffSelection'] as const) view.actions[key].disabled = !usable;
    view.actions.diffColumn.disabled = !usable || !others;
    const raw = this.state.isRaw(backendId);
    view.actions.raw.setAttribute('aria-pressed', String(raw));
    view.actions.raw.classList.toggle('active', raw);
    view.rawEl.hidden = !raw;
    view.textEl.hidden = raw;
    view.textEl.dataset.placeholder = finished ? '(empty answer)' : '';
    syncRoving(view.root, view.body);
    this.markDirty(backendId);
  }

  updateAll(): void {
    for (const id of this.views.keys()) this.update(id);
  }

  /** Text streamed into the trial a column shows, applied to the state: its next render adds it (see `renderColumnText`). */
  feed(chunk: DeltaChunk): void {
    const view = this.views.get(chunk.backendId);
    if (!view) return;
    if (chunk.content) view.feed.text.push(chunk.content);
    if (chunk.reasoning) view.feed.reasoning.push(chunk.reasoning);
  }

  /** Renders a column's text now (final text must be in the DOM as soon as its state says so). */
  renderNow(backendId: string): void {
    const view = this.views.get(backendId);
    if (!view) return;
    this.dirty.delete(backendId);
    if (this.renderText(view)) scrollToEnd([view]);
  }

  closeMenus(): void {
    for (const view of this.views.values()) {
      if (!view.menu) continue;
      view.menu.remove();
      view.menu = null;
      view.actions.diffColumn.setAttribute('aria-expanded', 'false');
    }
  }

  /** Renders a column's text; true when it should then be scrolled to its end. */
  private renderText(view: ColumnView): boolean {
    const follow = renderColumnText(view, this.state.displayedSnapshot(view.backend.id), this.state.panel.runStatus);
    // While the answer streams its new links and code blocks are not Tab stops (the Markdown
    // renderer marks them); the Tab stop is settled once, when the answer is complete, or when
    // the part re-rendered took the column's Tab stop away.
    if (!view.renderedStreaming || view.rovingLost) syncRoving(view.root, view.body);
    view.rovingLost = false;
    return follow;
  }

  // Live "time since start" on waiting/streaming columns; the start is when this page heard of
  // the trial, so it is only shown for trials started while the page was open.
  private updateElapsed(view: ColumnView): boolean {
    const snapshot = this.state.displayedSnapshot(view.backend.id);
    const started = snapshot ? this.state.startedAt(snapshot) : undefined;
    const running = Boolean(snapshot && !snapshot.final && this.state.panel.runStatus === 'running');
    const parts: string[] = [];
    if (running && snapshot!.text) parts.push(`${formatCount(snapshot!.text.length)} chars`);
    if (running && started !== undefined) parts.push(formatMs(performance.now() - started));
    view.stateElapsed.textContent = parts.join(' · ');
    return running && started !== undefined;
  }

  private ensureTicker(): void {
    if (this.ticker !== undefined) return;
    this.ticker = setInterval(() => {
      let any = false;
      for (const view of this.views.values()) any = this.updateElapsed(view) || any;
      this.onTick();
      if (!any && this.state.panel.runStatus !== 'running') {
        clearInterval(this.ticker);
        this.ticker = undefined;
      }
    }, 100);
  }

  // Markdown rendering: at most once per animation frame per column.

  private markDirty(backendId: string): void {
    this.dirty.add(backendId);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.renderDirty());
  }

  private renderDirty(): void {
    this.frame = 0;
    const now = performance.now();
    const toScroll: ColumnView[] = [];
    const rendered: ColumnView[] = [];
    // The host sends every column's text in one message about every other frame: half the columns
    // waiting (those waiting longest) render in this frame, the rest in the next, so no frame
    // carries every column's render, layout and paint.
    const ready = [...this.dirty].filter((id) => {
      if (this.views.has(id)) return true;
      this.dirty.delete(id);
      return false;
    });
    let room = Math.ceil(ready.length / 2);
    for (const id of ready) {
      const view = this.views.get(id)!;
      // Long answers make each render slow; give the browser room between renders.
      if (now < view.nextRenderAtMs) continue;
      if (room-- <= 0) break;
      this.dirty.delete(id);
      if (this.renderText(view)) toScroll.push(view);
      rendered.push(view);
    }
    // Scrolling lays the panel out once for all columns; that layout is part of what this frame cost.
    scrollToEnd(toScroll);
    const costMs = performance.now() - now;
    for (const view of rendered) view.nextRenderAtMs = costMs > 8 ? performance.now() + costMs * 2 : 0;
    if (this.dirty.size && !this.frame) this.frame = requestAnimationFrame(() => this.renderDirty());
  }

  // Diff-with-column menu.

  private toggleDiffMenu(backendId: string, anchor: HTMLButtonElement): void {
    const view = this.views.get(backendId);
    if (!view) return;
    if (view.menu) {
      this.closeMenus();
      anchor.focus();
      return;
    }
    this.closeMenus();
    const others = [...this.views.values()].filter((other) => other !== view);
    const menu = renderDiffMenu(others, {
      hasAnswer: (other) => hasAnswer(this.state.displayedSnapshot(other.backend.id)),
      pick: (other) => {
        this.closeMenus();
        anchor.focus();
        this.post({
          type: 'diffColumns',
          left: { backendId, trial: this.state.selectedTrial(backendId) },
          right: { backendId: other.backend.id, trial: this.state.selectedTrial(other.backend.id) },
        });
      },
      close: () => {
        this.closeMenus();
        anchor.focus();
      },
    });
    anchor.parentElement?.append(menu);
    view.menu = menu;
    anchor.setAttribute('aria-expanded', 'true');
    menu.querySelector<HTMLButtonElement>('.menu-item:not(:disabled)')?.focus();
  }
}
