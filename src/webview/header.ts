/** The top of the panel: the welcome text before any run, then the run header and its toolbar. */
import type { PanelState, RunView, WebviewToHostMessage } from '../shared/protocol';
import { button, el, icon } from './components';
import { rovingAttr } from './keyboard';

/** The run header and the parts of it that change while the run goes on. */
export interface HeaderView {
  root: HTMLElement;
  status: HTMLElement;
  cancel: HTMLButtonElement;
  rerun: HTMLButtonElement;
  check: HTMLButtonElement;
  exportResults: HTMLButtonElement;
  presenter: HTMLButtonElement;
  wrap: HTMLButtonElement;
  error: HTMLElement;
  /** "From history · date": shown when the run was read back from the history. */
  history: HTMLElement;
}

/** What the header's view toggles do (they change the page only). */
export interface HeaderToggles {
  togglePresenter(): void;
  toggleWrap(): void;
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

/** The link that lets keyboard and screen-reader users jump past the columns. */
export function renderSkipLink(): HTMLElement {
  const link = el('button', { className: 'skip-link', text: 'Skip to summary', testId: 'skip-link', attrs: { type: 'button' } });
  link.addEventListener('click', () => {
    const summary = document.getElementById('summary');
    summary?.scrollIntoView({ block: 'start' });
    summary?.focus();
  });
  return link;
}

export function renderHeader(run: RunView, post: (message: WebviewToHostMessage) => void, toggles: HeaderToggles): HeaderView {
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
    title: 'Run the same comparison again (R)',
    className: 'btn-primary',
    onClick: () => post({ type: 'rerun' }),
  });
  const check = button({
    testId: 'action-check',
    icon: 'checklist',
    label: 'Check',
    title: "Check Candidates: run the project's check command (bakeoff.check.command) on each column's code, in a scratch copy of the workspace",
    className: 'btn-secondary',
    onClick: () => post({ type: 'checkCandidates' }),
  });
  const exportResults = button({
    testId: 'action-export',
    icon: 'export',
    label: 'Export',
    title: 'Save this comparison as a Markdown report or as JSON (E)',
    className: 'btn-secondary',
    onClick: () => post({ type: 'export' }),
  });
  const presenter = button({
    testId: 'action-presenter',
    icon: 'screen-full',
    label: '',
    title: 'Presenter mode: larger type, the verdict on top, fewer numbers (P)',
    className: 'btn-secondary btn-toggle btn-icon',
    onClick: () => toggles.togglePresenter(),
  });
  const wrap = button({
    testId: 'action-wrap',
    icon: 'word-wrap',
    label: '',
    title: 'Wrap long lines of code (W)',
    className: 'btn-secondary btn-toggle btn-icon',
    onClick: () => toggles.toggleWrap(),
  });
  for (const toggle of [presenter, wrap]) toggle.setAttribute('aria-pressed', 'false');
  const titleEl = el('h1', { className: 'run-title', text: title, testId: 'run-title' });
  const status = el('span', { className: 'run-status', testId: 'run-status', attrs: { role: 'status' } });
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
    status,
    el('span', { className: 'meta-item' }, icon('server'), `${backendCount} backend${backendCount === 1 ? '' : 's'}`),
    el(
      'span',
      {
        className: 'meta-item',
        testId: 'trials-note',
        attrs: trials > 1 && run.perBackendConcurrency === 1 ? { 'data-tip': 'Trials of one backend run one after another (backends side by side), so percentiles are not measured under load the comparison made itself.' } : {},
      },
      icon('history'),
      trials > 1
        ? `${trials} trials each, ${run.perBackendConcurrency === 1 ? 'one at a time per backend' : `up to ${run.perBackendConcurrency} at once per backend`}`
        : '1 trial each',
    ),
    history,
    el(
      'span',
      { className: 'meta-item keys-hint', attrs: { 'aria-label': 'Keyboard: R re-run, E export, 1 to 9 go to a column, B pin the column as baseline, P presenter mode, W wrap code' } },
      icon('keyboard'),
      ...(
        [
          ['R', 're-run'],
          ['E', 'export'],
          ['1–9', 'column'],
          ['B', 'baseline'],
          ['P', 'present'],
          ['W', 'wrap'],
        ] as const
      ).map(([k, word]) => el('span', { className: 'key-pair' }, el('kbd', { text: k }), word)),
    ),
  );
  const root = el(
    'header',
    { className: 'run-header' },
    el(
      'div',
      { className: 'run-header-top' },
      el('div', { className: 'brand', attrs: { 'aria-hidden': 'true' } }, icon('beaker')),
      el('div', { className: 'run-heading' }, titleEl, meta),
      el(
        'div',
        { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Comparison actions', [rovingAttr]: 'horizontal' } },
        cancel,
        rerun,
        check,
        exportResults,
        el('span', { className: 'toolbar-sep', attrs: { 'aria-hidden': 'true' } }),
        presenter,
        wrap,
      ),
    ),
    promptBox,
    error,
  );
  return { root, status, cancel, rerun, check, exportResults, presenter, wrap, error, history };
}

const statusIcon: Record<PanelState['runStatus'], [string, string, string]> = {
  idle: ['circle-outline', 'Idle', ''],
  running: ['loading', 'Running', 'codicon-modifier-spin'],
  finished: ['pass', 'Finished', ''],
  cancelled: ['circle-slash', 'Cancelled', ''],
  failed: ['error', 'Failed', ''],
  interrupted: ['debug-disconnect', 'Interrupted', ''],
};

/** Toolbar buttons, run status (with progress while running) and error line for the state as it stands. */
export function updateHeader(header: HeaderView, state: PanelState, view: { presenter: boolean; wrapCode: boolean; checking: boolean }): void {
  const running = state.runStatus === 'running';
  header.cancel.disabled = !running;
  header.rerun.disabled = running;
  header.exportResults.disabled = state.runStatus !== 'finished' && state.runStatus !== 'cancelled';
  header.check.disabled = running || view.checking || !state.target;
  header.check.title = !state.target
    ? 'Check Candidates needs a comparison started from a file (Compare Selection)'
    : "Check Candidates: run the project's check command (bakeoff.check.command) on each column's code, in a scratch copy of the workspace";
  header.check.setAttribute('aria-label', header.check.title);
  const [name, label, extra] = statusIcon[state.runStatus];
  header.status.className = `run-status status-${state.runStatus}`;
  let text = label;
  if (running && state.run) {
    const planned = state.run.backends.length * state.run.trials;
    const done = state.trials.filter((t) => t.final !== null).length;
    text = `Running · ${done}/${planned} done`;
  }
  header.status.replaceChildren(icon(name, extra), text);
  const saved = state.fromHistory ? new Date(state.fromHistory) : null;
  header.history.hidden = !saved;
  header.history.title = saved ? 'Read back from the run history: nothing was sent. Re-run sends the same prompt again.' : '';
  header.history.replaceChildren(...(saved ? [icon('history'), `From history · ${Number.isNaN(saved.getTime()) ? state.fromHistory : saved.toLocaleString()}`] : []));
  header.error.hidden = !state.errorMessage;
  header.error.replaceChildren(...(state.errorMessage ? [icon(state.runStatus === 'failed' ? 'error' : 'info'), state.errorMessage] : []));
  for (const [toggle, on] of [
    [header.presenter, view.presenter],
    [header.wrap, view.wrapCode],
  ] as const) {
    toggle.setAttribute('aria-pressed', String(on));
    toggle.classList.toggle('active', on);
  }
  const presenterTitle = view.presenter ? 'Leave presenter mode (P)' : 'Presenter mode: larger type, the verdict on top, fewer numbers (P)';
  header.presenter.title = presenterTitle;
  header.presenter.setAttribute('aria-label', presenterTitle);
  header.presenter.querySelector('.codicon')!.className = `codicon codicon-${view.presenter ? 'screen-normal' : 'screen-full'}`;
}
