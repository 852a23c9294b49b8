/**
 * The Blind A/B panel (browser side): renders the state the host sends (see
 * src/shared/arenaProtocol.ts), casts votes (buttons or the keys A, B, T, X) and keeps the
 * last state with `setState` so a hidden panel comes back as it was.
 */
import type { ArenaState, ArenaToHostMessage, HostToArenaMessage } from '../../shared/arenaProtocol';
import { assertNever } from '../../shared/guards';
import { formatMs } from '../../core/format';
import { Toast, el } from '../components';
import { linkUrlAt } from '../markdown';
import { renderArena, voteKeys } from './view';

const vscode = acquireVsCodeApi<{ state: ArenaState }>();
const post = (message: ArenaToHostMessage): void => vscode.postMessage(message);
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { className: 'app' }));
const toast = new Toast();
const elapsed = el('span', { className: 'muted arena-elapsed', testId: 'arena-elapsed' });
let state: ArenaState = vscode.getState()?.state ?? { battle: null, leaderboard: null };
let waitingSince: number | null = null;

function render(): void {
  renderArena(app, state, post, elapsed);
  app.append(toast.mount());
  app.removeAttribute('aria-busy');
}

setInterval(() => {
  if (state.battle?.phase !== 'waiting') {
    waitingSince = null;
    return;
  }
  waitingSince ??= performance.now();
  elapsed.textContent = formatMs(performance.now() - waitingSince);
}, 250);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as HostToArenaMessage;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
  switch (message.type) {
    case 'arenaState':
      state = message.state;
      vscode.setState({ state });
      render();
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

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || state.battle?.phase !== 'voting') return;
  if (event.target instanceof HTMLElement && event.target.closest('input, textarea, select')) return;
  const vote = voteKeys[event.key.toLowerCase()];
  if (!vote) return;
  event.preventDefault();
  post({ type: 'vote', battleId: state.battle.battleId, vote });
});

render();
post({ type: 'ready' });
