/**
 * The suite report panel (browser side): renders what the host sends (see
 * src/shared/suiteProtocol.ts), asks for a cell in full when one is clicked, and keeps the run
 * id (so the panel comes back after a reload) and its filters with `setState`.
 */
import type { CellDetailView, HostToSuiteMessage, SuiteReportView, SuiteToHostMessage } from '../../shared/suiteProtocol';
import { assertNever } from '../../shared/guards';
import { Toast, el } from '../components';
import { linkUrlAt } from '../markdown';
import { renderDetail, renderReport, type SuiteUiState } from './view';

interface Saved {
  runId?: string;
  ui?: SuiteUiState;
}

const vscode = acquireVsCodeApi<Saved>();
const post = (message: SuiteToHostMessage): void => vscode.postMessage(message);
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { className: 'app' }));
const saved = vscode.getState();
const ui: SuiteUiState = { failuresOnly: saved?.ui?.failuresOnly ?? false, answersDiffer: saved?.ui?.answersDiffer ?? false, open: null };
const toast = new Toast();
const detailEl = el('div', { className: 'cell-detail', testId: 'cell-detail' });
let view: SuiteReportView | null = null;
let detail: CellDetailView | null = null;

function persist(): void {
  vscode.setState({ ...(view ? { runId: view.runId } : saved?.runId ? { runId: saved.runId } : {}), ui: { ...ui, open: null } });
}

function render(): void {
  const scroll = document.scrollingElement?.scrollTop ?? 0;
  renderReport(app, view, post, ui, () => {
    persist();
    render();
  }, detailEl);
  renderDetail(detailEl, detail, view, post);
  app.append(toast.mount());
  app.removeAttribute('aria-busy');
  if (document.scrollingElement) document.scrollingElement.scrollTop = scroll;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as HostToSuiteMessage;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
  switch (message.type) {
    case 'reportShown':
      view = message.report;
      persist();
      render();
      return;
    case 'cellDetailShown':
      detail = message.detail;
      ui.open = { testIndex: detail.testIndex, backend: detail.backend, trial: detail.trial };
      render();
      detailEl.scrollIntoView({ block: 'nearest' });
      return;
    case 'noticeShown':
      toast.show(message.level, message.message);
      return;
    default:
      assertNever(message, 'message');
  }
});

document.addEventListener('click', (event) => {
  const url = linkUrlAt(event.target);
  if (!url) return;
  event.preventDefault();
  post({ type: 'openLink', url });
});

render();
post({ type: 'ready' });
