/**
 * The comparison panel (browser side). Renders the host's view model: one card per backend with
 * streaming markdown, metrics with source badges, a state line and actions; a summary with
 * ratios against the first column, a bar chart and (with several trials) p50/p95.
 *
 * Everything is built with DOM APIs; the only HTML injected is markdown-it output, which
 * escapes all model text. State is mirrored with `vscode.setState` so the panel survives
 * being hidden and window reloads.
 *
 * This entry only wires things up: `state.ts` holds what the panel remembers, `panelView.ts`
 * lays it out and applies the host's messages, `header.ts`, `columns.ts`/`column.ts` and
 * `summary.ts` render the parts, `components.ts` has the small DOM helpers.
 */
import type { HostToWebviewMessage, PersistedWebviewState, WebviewToHostMessage } from '../shared/protocol';
import { el } from './components';
import { linkUrlAt } from './markdown';
import { PanelView } from './panelView';
import { WebviewState } from './state';

const vscode = acquireVsCodeApi<PersistedWebviewState>();
const post = (message: WebviewToHostMessage): void => vscode.postMessage(message);
const state = new WebviewState(vscode);
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { className: 'app' }));
const view = new PanelView(app, state, post);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
  try {
    view.handle(data as HostToWebviewMessage);
  } catch (error) {
    console.debug('Bakeoff panel: ignored message', error);
  }
});

function openLinkFrom(target: EventTarget | null): boolean {
  const url = linkUrlAt(target);
  if (!url) return false;
  post({ type: 'openLink', url });
  return true;
}

document.addEventListener('click', (event) => {
  if (openLinkFrom(event.target)) {
    event.preventDefault();
    return;
  }
  const inMenu = event.target instanceof Element && event.target.closest('.menu, [data-testid="action-diff-column"]');
  if (!inMenu) view.closeMenus();
});

document.addEventListener('keydown', (event) => {
  if ((event.key === 'Enter' || event.key === ' ') && openLinkFrom(event.target)) {
    event.preventDefault();
    return;
  }
  if (event.key === 'Escape') view.closeMenus();
});

// Boot: show the last saved state at once, then ask the host for the authoritative one.
state.restoreSaved();
view.renderAll();
post({ type: 'ready' });
