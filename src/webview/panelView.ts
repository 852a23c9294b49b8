/**
 * The panel's layout (welcome, or header + overview strip + columns + summary, and the toast)
 * and what each message from the host changes in it: the message is applied to the state, then
 * the parts it touches are updated and the state is saved.
 *
 * Layout rules: the overview strip stays in view at the top; when the columns do not fit side
 * by side (below ~300 px each) they stack, full width, so nothing hides off-screen; one column
 * can be shown alone; presenter mode puts the summary first and shows fewer numbers.
 */
import type { HostToWebviewMessage, WebviewToHostMessage } from '../shared/protocol';
import { assertNever } from '../shared/guards';
import { Toast, el } from './components';
import { ColumnSet } from './columns';
import { renderHeader, renderSkipLink, renderWelcome, updateHeader, type HeaderView } from './header';
import { focusGroup, handleRovingKey, isTyping, syncRoving, Tooltip } from './keyboard';
import { renderRace, updateRace, type RaceView } from './race';
import { renderSummary } from './summary';
import type { WebviewState } from './state';

/** Narrowest a column may get before the columns stack. */
const minColumnWidthPx = 300;
const columnGapPx = 12;

export class PanelView {
  private readonly columns: ColumnSet;
  private readonly toast: Toast;
  private readonly tooltip: Tooltip;
  private header: HeaderView | null = null;
  private race: RaceView | null = null;
  private grid: HTMLElement | null = null;
  private summaryEl: HTMLElement | null = null;
  private readonly resize: ResizeObserver;

  constructor(
    private readonly app: HTMLElement,
    private readonly state: WebviewState,
    private readonly post: (message: WebviewToHostMessage) => void,
  ) {
    this.columns = new ColumnSet(state, post);
    // The ticker moves the bars and times; the strip's rows (its keyboard stops) stay as they are.
    this.columns.onTick = () => this.updateRace(false);
    this.columns.onToggleFocus = (id) => this.toggleFocus(id);
    this.toast = new Toast((id) => post({ type: 'noticeAction', id }));
    this.tooltip = new Tooltip(document.body);
    this.resize = new ResizeObserver(() => {
      this.fitColumns();
      this.keepClearOfOverview();
    });
    this.resize.observe(app);
    document.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Rebuilds the whole panel from the state. */
  renderAll(): void {
    this.columns.clear();
    const app = this.app;
    app.replaceChildren();
    app.removeAttribute('aria-busy');
    const run = this.state.panel.run;
    if (!run) {
      this.header = null;
      this.race = null;
      this.grid = null;
      this.summaryEl = null;
      app.append(renderWelcome());
    } else {
      this.header = renderHeader(run, this.post, {
        togglePresenter: () => this.setPresenter(!this.state.presenter),
        toggleWrap: () => this.setWrap(!this.state.wrapCode),
      });
      this.race = renderRace(run.backends, (id) => this.showColumn(id));
      const grid = el('section', { className: 'columns', testId: 'columns', attrs: { 'aria-label': 'Backends' } });
      grid.style.setProperty('--columns', String(run.backends.length));
      run.backends.forEach((backend, index) => grid.append(this.columns.add(backend, index, run)));
      this.grid = grid;
      this.summaryEl = el('section', { className: 'summary', testId: 'summary', attrs: { 'aria-label': 'Summary', id: 'summary', tabindex: '-1' } });
      app.append(renderSkipLink(), this.header.root, this.race.root, grid, this.summaryEl);
    }
    app.append(this.toast.mount());
    this.tooltip.mount(document.body);
    this.applyViewClasses();
    this.updateHeader();
    for (const id of this.columns.ids()) {
      this.columns.update(id);
      this.columns.renderNow(id);
    }
    this.renderSummary();
    this.updateRace();
    this.fitColumns();
    if (this.race) this.resize.observe(this.race.root);
    this.keepClearOfOverview();
  }

  /** Applies one message from the host and updates what it changes. */
  handle(message: HostToWebviewMessage): void {
    const state = this.state;
    switch (message.type) {
      case 'runStarted':
        state.apply(message);
        this.renderAll();
        state.persistNow();
        return;
      case 'trialStarted':
        state.apply(message);
        this.columns.update(message.backendId);
        this.updateHeader();
        this.updateRace();
        return;
      case 'firstTokenReceived':
        state.apply(message);
        this.columns.update(message.backendId);
        this.updateRace();
        state.persistSoon();
        return;
      case 'deltasAppended': {
        const applied = state.apply(message);
        const touched = new Set<string>();
        for (const chunk of applied?.type === 'deltasAppended' ? applied.chunks : []) {
          if (state.selectedTrial(chunk.backendId) !== chunk.trial) continue;
          this.columns.feed(chunk);
          touched.add(chunk.backendId);
        }
        for (const id of touched) this.columns.update(id);
        state.persistSoon();
        return;
      }
      case 'trialFinished':
        state.apply(message);
        this.columns.updateAll();
        this.columns.renderNow(message.trial.backendId);
        this.renderSummary();
        this.updateHeader();
        this.updateRace();
        state.persistNow();
        return;
      case 'runFinished':
        state.apply(message);
        this.updateHeader();
        this.columns.updateAll();
        for (const id of this.columns.ids()) this.columns.renderNow(id);
        this.renderSummary();
        this.updateRace();
        state.persistNow();
        return;
      case 'baselineChanged':
        state.apply(message);
        this.columns.updateAll();
        this.renderSummary();
        state.persistNow();
        return;
      case 'backendRestarted':
        state.apply(message);
        this.columns.updateAll();
        this.columns.renderNow(message.backendId);
        this.updateHeader();
        this.renderSummary();
        this.updateRace();
        state.persistNow();
        return;
      case 'checksStarted':
      case 'checkUpdated':
        state.apply(message);
        this.columns.updateAll();
        this.updateHeader();
        this.updateRace();
        state.persistNow();
        return;
      case 'stateRestored':
        state.apply(message);
        this.renderAll();
        state.persistNow();
        return;
      case 'noticeShown':
        this.toast.show(message.level, message.message, message.actions ?? []);
        return;
      default:
        assertNever(message, 'message');
    }
  }

  closeMenus(): void {
    this.columns.closeMenus();
  }

  private updateHeader(): void {
    if (!this.header) return;
    const checking = (this.state.panel.checks ?? []).some((c) => c.state === 'queued' || c.state === 'running');
    updateHeader(this.header, this.state.panel, { presenter: this.state.presenter, wrapCode: this.state.wrapCode, checking });
    syncRoving(this.header.root.querySelector<HTMLElement>('.toolbar')!);
  }

  /** `settleKeys`: settle the strip's Tab stop too (it searches the strip, forcing a layout). */
  private updateRace(settleKeys = true): void {
    if (!this.race) return;
    updateRace(this.race, this.state, (id) => this.columns.statusOf(id));
    if (settleKeys) syncRoving(this.race.root);
  }

  /** Scrolling a column into view stops below the overview strip that stays at the top. */
  private keepClearOfOverview(): void {
    const height = this.race?.root.offsetHeight ?? 0;
    document.documentElement.style.setProperty('--race-height', `${height}px`);
  }

  private renderSummary(): void {
    renderSummary(this.summaryEl, this.state.panel, this.state.summary);
  }

  /** Presenter mode, wrapped code and a column shown alone, as classes on the page. */
  private applyViewClasses(): void {
    document.body.classList.toggle('presenter', this.state.presenter);
    document.body.classList.toggle('wrap-code', this.state.wrapCode);
    const focused = this.state.focused;
    this.grid?.classList.toggle('has-focus', focused !== null);
    for (const id of this.columns.ids()) this.columns.view(id)?.root.classList.toggle('is-focused', id === focused);
    this.fitColumns();
  }

  /** Stacks the columns when they do not fit side by side at a readable width. */
  private fitColumns(): void {
    const grid = this.grid;
    const run = this.state.panel.run;
    if (!grid || !run) return;
    const shown = this.state.focused ? 1 : run.backends.length;
    const needed = shown * minColumnWidthPx + (shown - 1) * columnGapPx;
    const stacked = grid.clientWidth > 0 && grid.clientWidth < needed;
    grid.classList.toggle('stacked', stacked);
    grid.dataset.layout = stacked ? 'stacked' : 'side-by-side';
  }

  private setPresenter(on: boolean): void {
    this.state.presenter = on;
    this.applyViewClasses();
    this.updateHeader();
  }

  private setWrap(on: boolean): void {
    this.state.wrapCode = on;
    this.applyViewClasses();
    this.updateHeader();
  }

  private toggleFocus(id: string): void {
    this.state.focused = this.state.focused === id ? null : id;
    this.columns.updateAll();
    this.applyViewClasses();
    const view = this.columns.view(id);
    if (view) focusGroup(view.root);
  }

  /** Brings a column into view and focuses it (a click in the overview, or keys 1–9). */
  private showColumn(id: string): void {
    if (this.state.focused && this.state.focused !== id) {
      this.state.focused = id;
      this.columns.updateAll();
      this.applyViewClasses();
    }
    const view = this.columns.view(id);
    if (!view) return;
    // Its top just below the overview strip, which stays at the top of the page.
    const overview = this.race?.root.getBoundingClientRect().height ?? 0;
    const top = window.scrollY + view.root.getBoundingClientRect().top - overview - 8;
    window.scrollTo({ top: Math.max(0, top), behavior: 'instant' });
    focusGroup(view.root, true);
  }

  /** Arrow keys inside groups, Escape, and the single-key shortcuts. */
  private onKey(event: KeyboardEvent): void {
    if (handleRovingKey(event)) return;
    if (event.key === 'Escape' && this.state.focused) {
      const id = this.state.focused;
      this.toggleFocus(id);
      return;
    }
    if (isTyping(event) || !this.state.panel.run || event.repeat) return;
    const key = event.key.toLowerCase();
    const header = this.header;
    const click = (b: HTMLButtonElement | undefined): void => {
      if (b && !b.disabled) b.click();
    };
    const backends = this.state.panel.run.backends;
    if (/^[1-9]$/.test(key)) {
      const backend = backends[Number(key) - 1];
      if (backend) {
        event.preventDefault();
        this.showColumn(backend.id);
      }
      return;
    }
    switch (key) {
      case 'r':
        click(header?.rerun);
        break;
      case 'e':
        click(header?.exportResults);
        break;
      case 'p':
        this.setPresenter(!this.state.presenter);
        break;
      case 'w':
        this.setWrap(!this.state.wrapCode);
        break;
      case 'b': {
        const column = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-testid="column"]') : null;
        const id = column?.dataset.backendId;
        if (!id) return;
        this.post({ type: 'setBaseline', backendId: this.state.panel.baselineId === id ? null : id });
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  }
}
