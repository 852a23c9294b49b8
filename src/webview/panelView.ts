/**
 * The panel's layout (welcome, or header + columns + summary, and the toast) and what each
 * message from the host changes in it: the message is applied to the state, then the parts it
 * touches are updated and the state is saved.
 */
import type { HostToWebviewMessage, WebviewToHostMessage } from '../shared/protocol';
import { assertNever } from '../shared/guards';
import { Toast, el } from './components';
import { ColumnSet } from './columns';
import { renderHeader, renderWelcome, updateHeader, type HeaderView } from './header';
import { renderSummary } from './summary';
import type { WebviewState } from './state';

export class PanelView {
  private readonly columns: ColumnSet;
  private readonly toast = new Toast();
  private header: HeaderView | null = null;
  private summaryEl: HTMLElement | null = null;

  constructor(
    private readonly app: HTMLElement,
    private readonly state: WebviewState,
    private readonly post: (message: WebviewToHostMessage) => void,
  ) {
    this.columns = new ColumnSet(state, post);
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
      this.summaryEl = null;
      app.append(renderWelcome());
    } else {
      this.header = renderHeader(run, this.post);
      app.append(this.header.root);
      const grid = el('section', { className: 'columns', attrs: { 'aria-label': 'Backends' } });
      grid.style.setProperty('--columns', String(run.backends.length));
      run.backends.forEach((backend, index) => grid.append(this.columns.add(backend, index, run.trials, run.targetLabel)));
      this.summaryEl = el('section', { className: 'summary', testId: 'summary', attrs: { 'aria-label': 'Summary' } });
      app.append(grid, this.summaryEl);
    }
    app.append(this.toast.mount());
    this.updateHeader();
    for (const id of this.columns.ids()) {
      this.columns.update(id);
      this.columns.renderNow(id);
    }
    this.renderSummary();
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
        return;
      case 'deltasAppended': {
        const applied = state.apply(message);
        const touched = new Set<string>();
        for (const chunk of applied?.type === 'deltasAppended' ? applied.chunks : []) {
          if (state.selectedTrial(chunk.backendId) === chunk.trial) touched.add(chunk.backendId);
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
        state.persistNow();
        return;
      case 'runFinished':
        state.apply(message);
        this.updateHeader();
        this.columns.updateAll();
        for (const id of this.columns.ids()) this.columns.renderNow(id);
        this.renderSummary();
        state.persistNow();
        return;
      case 'baselineChanged':
        state.apply(message);
        this.columns.updateAll();
        this.renderSummary();
        state.persistNow();
        return;
      case 'stateRestored':
        state.apply(message);
        this.renderAll();
        state.persistNow();
        return;
      case 'noticeShown':
        this.toast.show(message.level, message.message);
        return;
      default:
        assertNever(message, 'message');
    }
  }

  closeMenus(): void {
    this.columns.closeMenus();
  }

  private updateHeader(): void {
    if (this.header) updateHeader(this.header, this.state.panel);
  }

  private renderSummary(): void {
    renderSummary(this.summaryEl, this.state.panel, this.state.summary);
  }
}
