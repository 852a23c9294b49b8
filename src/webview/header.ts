/** The top of the panel: the welcome text before any run, then the run header and its toolbar. */
import type { PanelState, RunView, WebviewToHostMessage } from '../shared/protocol';
import { button, el, icon } from './components';

/** The run header and the parts of it that change while the run goes on. */
export interface HeaderView {
  root: HTMLElement;
  status: HTMLElement;
  cancel: HTMLButtonElement;
  rerun: HTMLButtonElement;
  exportResults: HTMLButtonElement;
  error: HTMLElement;
  /** "From history · date": shown when the run was read back from the history. */
  history: HTMLElement;
}

export function renderWelcome(): HTMLElement {
  return el(
    'div',
    { className: 'welcome' },
    icon('beaker', 'welcome-icon'),
    el('h1', { text: 'Bakeoff', testId: 'run-title' }),
    el('p', { text: 'Send one prompt to several inference backends at once and compare answers, latency and cost side by side.' }),
    el('p', { className: 'muted', text: 'Select some text and run “Bakeoff: Compare Selection”, or run “Bakeoff: Compare Prompt…”.' }),
  );
}

export function renderHeader(run: RunView, post: (message: WebviewToHostMessage) => void): HeaderView {
  const { title, promptPreview, trials } = run;
  const backendCount = run.backends.length;
  const cancel = button({
    testId: 'action-cancel',
    icon: 'debug-stop',
    label: 'Cancel',
    title: 'Cancel the running comparison',
    className: 'btn-secondary',
    onClick: () => post({ type: 'cancel' }),
  });
  const rerun = button({
    testId: 'action-rerun',
    icon: 'refresh',
    label: 'Re-run',
    title: 'Run the same comparison again',
    className: 'btn-primary',
    onClick: () => post({ type: 'rerun' }),
  });
  const exportResults = button({
    testId: 'action-export',
    icon: 'export',
    label: 'Export',
    title: 'Save this comparison as a Markdown report or as JSON',
    className: 'btn-secondary',
    onClick: () => post({ type: 'export' }),
  });
  const titleEl = el('h1', { className: 'run-title', text: title, testId: 'run-title' });
  const status = el('span', { className: 'run-status', testId: 'run-status' });
  const meta = el('div', { className: 'run-meta' });
  const prompt = el('p', { className: 'prompt-preview', text: promptPreview, testId: 'prompt-preview' });
  const promptBox = el('div', { className: 'prompt' }, el('span', { className: 'prompt-label' }, icon('comment'), 'Prompt'), prompt);
  if (promptPreview.length > 240 || promptPreview.split('\n').length > 3) {
    const more = el('button', { className: 'link-button', text: 'Show more', attrs: { type: 'button', 'aria-expanded': 'false' } });
    more.addEventListener('click', () => {
      const expanded = prompt.classList.toggle('expanded');
      more.textContent = expanded ? 'Show less' : 'Show more';
      more.setAttribute('aria-expanded', String(expanded));
    });
    promptBox.append(more);
  }
  const error = el('div', { className: 'run-error', testId: 'run-error', attrs: { role: 'alert' } });
  const history = el('span', { className: 'meta-item', testId: 'from-history' });
  history.hidden = true;
  meta.append(
    el('span', { className: 'meta-item' }, icon('server'), `${backendCount} backend${backendCount === 1 ? '' : 's'}`),
    el(
      'span',
      {
        className: 'meta-item',
        testId: 'trials-note',
        attrs: trials > 1 && run.perBackendConcurrency === 1 ? { title: 'Trials of one backend run one after another (backends side by side), so percentiles are not measured under load the comparison made itself.' } : {},
      },
      icon('history'),
      trials > 1
        ? `${trials} trials each, ${run.perBackendConcurrency === 1 ? 'one at a time per backend' : `up to ${run.perBackendConcurrency} at once per backend`}`
        : '1 trial each',
    ),
    status,
    history,
  );
  const root = el(
    'header',
    { className: 'run-header' },
    el(
      'div',
      { className: 'run-header-top' },
      el('div', { className: 'brand', attrs: { 'aria-hidden': 'true' } }, icon('beaker')),
      el('div', { className: 'run-heading' }, titleEl, meta),
      el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Comparison actions' } }, cancel, rerun, exportResults),
    ),
    promptBox,
    error,
  );
  return { root, status, cancel, rerun, exportResults, error, history };
}

const statusIcon: Record<PanelState['runStatus'], [string, string, string]> = {
  idle: ['circle-outline', 'Idle', ''],
  running: ['loading', 'Running', 'codicon-modifier-spin'],
  finished: ['pass', 'Finished', ''],
  cancelled: ['circle-slash', 'Cancelled', ''],
  failed: ['error', 'Failed', ''],
  interrupted: ['debug-disconnect', 'Interrupted', ''],
};

/** Toolbar buttons, run status and error line for the state as it stands. */
export function updateHeader(header: HeaderView, state: PanelState): void {
  const running = state.runStatus === 'running';
  header.cancel.disabled = !running;
  header.rerun.disabled = running;
  header.exportResults.disabled = state.runStatus !== 'finished' && state.runStatus !== 'cancelled';
  const [name, label, extra] = statusIcon[state.runStatus];
  header.status.className = `run-status status-${state.runStatus}`;
  header.status.replaceChildren(icon(name, extra), label);
  const saved = state.fromHistory ? new Date(state.fromHistory) : null;
  header.history.hidden = !saved;
  header.history.title = saved ? 'Read back from the run history: nothing was sent. Re-run sends the same prompt again.' : '';
  header.history.replaceChildren(...(saved ? [icon('history'), `From history · ${Number.isNaN(saved.getTime()) ? state.fromHistory : saved.toLocaleString()}`] : []));
  header.error.hidden = !state.errorMessage;
  header.error.replaceChildren(...(state.errorMessage ? [icon(state.runStatus === 'failed' ? 'error' : 'info'), state.errorMessage] : []));
}
