/**
 * The comparison panel (browser side). Renders the host's view model: one card per backend with
 * streaming markdown, metrics with source badges, a state line and actions; a summary with
 * ratios against the first column, a bar chart and (with several trials) p50/p95.
 *
 * Everything is built with DOM APIs; the only HTML injected is markdown-it output, which
 * escapes all model text. State is mirrored with `vscode.setState` so the panel survives
 * being hidden and window reloads.
 */
import type {
  BackendView,
  DeltaChunk,
  HostToWebviewMessage,
  PanelState,
  PersistedWebviewState,
  TrialSnapshot,
  WebviewToHostMessage,
  WebviewUiState,
} from '../shared/protocol';
import { assertNever } from '../shared/guards';
import { renderMarkdown } from './markdown';
import { formatMs, formatRatio, formatUsd, metricAriaLabel, metricCells, pendingMetricCells, type MetricCell, type MetricId } from './format';
import { columnFigures, hasAnswer, ratio, trialStats } from './stats';
import { renderChart } from './chart';

const vscode = acquireVsCodeApi<PersistedWebviewState>();

// ---------------------------------------------------------------------------------------------
// State

let state: PanelState = { version: 1, run: null, runStatus: 'idle', errorMessage: null, trials: [], target: null };
let ui: WebviewUiState = { selectedTrial: {}, raw: [] };
const trialIndex = new Map<string, TrialSnapshot>();

const keyOf = (backendId: string, trial: number): string => `${backendId}\u0000${trial}`;

function reindex(): void {
  trialIndex.clear();
  for (const snapshot of state.trials) trialIndex.set(keyOf(snapshot.backendId, snapshot.trial), snapshot);
}

function selectedTrial(backendId: string): number {
  const chosen = ui.selectedTrial[backendId];
  const max = state.run?.trials ?? 1;
  return chosen && chosen >= 1 && chosen <= max ? chosen : 1;
}

function displayedSnapshot(backendId: string): TrialSnapshot | undefined {
  return trialIndex.get(keyOf(backendId, selectedTrial(backendId)));
}

function post(message: WebviewToHostMessage): void {
  vscode.postMessage(message);
}

let persistTimer: ReturnType<typeof setTimeout> | undefined;

function persistNow(): void {
  if (persistTimer !== undefined) clearTimeout(persistTimer);
  persistTimer = undefined;
  vscode.setState({ panel: state, ui });
}

/** While streaming, state is saved at most once a second. */
function persistSoon(): void {
  if (persistTimer === undefined) persistTimer = setTimeout(persistNow, 1_000);
}

// ---------------------------------------------------------------------------------------------
// DOM helpers

interface ElementOptions {
  className?: string;
  text?: string;
  testId?: string;
  attrs?: Record<string, string>;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  if (options.testId) element.dataset.testid = options.testId;
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function icon(name: string, extra = ''): HTMLSpanElement {
  return el('span', { className: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

interface ButtonOptions {
  testId: string;
  icon: string;
  label: string;
  /** Tooltip and accessible name. */
  title: string;
  onClick: (button: HTMLButtonElement) => void;
  className?: string;
}

function button(options: ButtonOptions): HTMLButtonElement {
  const b = el(
    'button',
    { className: `btn ${options.className ?? ''}`.trim(), testId: options.testId, attrs: { type: 'button', title: options.title, 'aria-label': options.title } },
    icon(options.icon),
    el('span', { className: 'btn-text', text: options.label }),
  );
  b.addEventListener('click', () => options.onClick(b));
  return b;
}

// ---------------------------------------------------------------------------------------------
// Layout

const app = document.getElementById('app') ?? document.body.appendChild(el('div', { className: 'app' }));

interface ColumnView {
  backend: BackendView;
  index: number;
  root: HTMLElement;
  trialSelect: HTMLSelectElement | null;
  stateEl: HTMLElement;
  stateIcon: HTMLSpanElement;
  stateText: HTMLSpanElement;
  stateHint: HTMLSpanElement;
  stateProgress: HTMLSpanElement;
  /** Live time since the displayed trial started (not announced to screen readers). */
  stateElapsed: HTMLSpanElement;
  metrics: Map<MetricId, { root: HTMLElement; value: HTMLElement; badge: HTMLElement }>;
  body: HTMLElement;
  textEl: HTMLElement;
  rawEl: HTMLPreElement;
  reasoning: HTMLDetailsElement;
  reasoningText: HTMLPreElement;
  actions: Record<'copy' | 'insert' | 'replace' | 'diffSelection' | 'diffColumn' | 'raw', HTMLButtonElement>;
  menu: HTMLElement | null;
  renderedKey: string | null;
  nextRenderAtMs: number;
}

const columns = new Map<string, ColumnView>();
let headerEls: {
  title: HTMLElement;
  meta: HTMLElement;
  status: HTMLElement;
  prompt: HTMLElement;
  cancel: HTMLButtonElement;
  rerun: HTMLButtonElement;
  exportResults: HTMLButtonElement;
  error: HTMLElement;
} | null = null;
let summaryEl: HTMLElement | null = null;
let toastEl: HTMLElement | null = null;

const kindDescriptions: Record<BackendView['kind'], string> = {
  closed: 'Closed API (a single provider runs the model)',
  decentralized: 'Decentralized inference network',
  local: 'Runs on your own hardware',
  gateway: 'Gateway routing to other providers',
};

function renderAll(): void {
  columns.clear();
  closeMenus();
  app.replaceChildren();
  app.removeAttribute('aria-busy');
  const run = state.run;
  if (!run) {
    headerEls = null;
    summaryEl = null;
    app.append(renderWelcome());
  } else {
    app.append(renderHeader(run.title, run.promptPreview, run.backends.length, run.trials));
    const grid = el('section', { className: 'columns', attrs: { 'aria-label': 'Backends' } });
    grid.style.setProperty('--columns', String(run.backends.length));
    run.backends.forEach((backend, index) => {
      const view = renderColumn(backend, index, run.trials, run.targetLabel);
      columns.set(backend.id, view);
      grid.append(view.root);
    });
    summaryEl = el('section', { className: 'summary', testId: 'summary', attrs: { 'aria-label': 'Summary' } });
    app.append(grid, summaryEl);
  }
  toastEl = el('div', { className: 'toast', attrs: { role: 'status', 'aria-live': 'polite' } });
  app.append(toastEl);
  updateHeader();
  for (const id of columns.keys()) {
    updateColumn(id);
    renderNow(id);
  }
  renderSummary();
}

function renderWelcome(): HTMLElement {
  return el(
    'div',
    { className: 'welcome' },
    icon('beaker', 'welcome-icon'),
    el('h1', { text: 'Bakeoff', testId: 'run-title' }),
    el('p', { text: 'Send one prompt to several inference backends at once and compare answers, latency and cost side by side.' }),
    el('p', { className: 'muted', text: 'Select some text and run “Bakeoff: Compare Selection”, or run “Bakeoff: Compare Prompt…”.' }),
  );
}

function renderHeader(title: string, promptPreview: string, backendCount: number, trials: number): HTMLElement {
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
  headerEls = { title: titleEl, meta, status, prompt, cancel, rerun, exportResults, error };
  meta.append(
    el('span', { className: 'meta-item' }, icon('server'), `${backendCount} backend${backendCount === 1 ? '' : 's'}`),
    el('span', { className: 'meta-item' }, icon('history'), `${trials} trial${trials === 1 ? '' : 's'} each`),
    status,
  );
  return el(
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
}

function updateHeader(): void {
  if (!headerEls) return;
  const running = state.runStatus === 'running';
  headerEls.cancel.disabled = !running;
  headerEls.rerun.disabled = running;
  headerEls.exportResults.disabled = state.runStatus !== 'finished';
  const statusIcon: Record<PanelState['runStatus'], [string, string, string]> = {
    idle: ['circle-outline', 'Idle', ''],
    running: ['loading', 'Running', 'codicon-modifier-spin'],
    finished: ['pass', 'Finished', ''],
    failed: ['error', 'Failed', ''],
    interrupted: ['debug-disconnect', 'Interrupted', ''],
  };
  const [name, label, extra] = statusIcon[state.runStatus];
  headerEls.status.className = `run-status status-${state.runStatus}`;
  headerEls.status.replaceChildren(icon(name, extra), label);
  headerEls.error.hidden = !state.errorMessage;
  headerEls.error.replaceChildren(...(state.errorMessage ? [icon(state.runStatus === 'failed' ? 'error' : 'info'), state.errorMessage] : []));
}

/** The red *unverified TLS* badge shown on every number of a backend whose certificate is not checked. */
function insecureBadge(backend: BackendView): HTMLElement[] {
  if (!backend.tlsInsecure) return [];
  return [
    el('span', {
      className: 'badge badge-insecure',
      testId: 'badge-insecure',
      text: 'unverified TLS',
      attrs: { title: 'The TLS certificate of this backend is not verified (tls.insecure, or a proxy with strict SSL off): the connection could be read or altered.' },
    }),
  ];
}

function renderColumn(backend: BackendView, index: number, trials: number, targetLabel: string | null): ColumnView {
  const root = el('article', {
    className: `column kind-${backend.kind} series-${index % 6}`,
    testId: 'column',
    attrs: { 'data-backend-id': backend.id, 'aria-label': `${backend.label} (${backend.kind})` },
  });

  const label = el(
    'h2',
    { className: 'column-label', testId: 'column-label' },
    el('span', { className: 'column-name', text: backend.label }),
    ' ',
    el('span', { className: `kind-pill kind-${backend.kind}`, text: backend.kind, attrs: { title: kindDescriptions[backend.kind] } }),
  );
  const header = el('header', { className: 'column-header' }, label);
  if (index === 0) header.append(el('span', { className: 'baseline-tag', text: 'baseline', attrs: { title: 'Ratios in the summary are relative to this column' } }));
  const details = el('div', { className: 'column-details' }, el('span', { className: 'column-model', text: backend.model, attrs: { title: `Model: ${backend.model}` } }));
  const notes = el('div', { className: 'column-notes' });
  if (backend.pricingNote) notes.append(el('span', { className: 'note', attrs: { title: `Pricing: ${backend.pricingNote}` } }, icon('tag'), el('span', { className: 'note-text', text: backend.pricingNote })));
  if (backend.trustNote) notes.append(el('span', { className: 'note', attrs: { title: `Operator's claim: ${backend.trustNote}` } }, icon('shield'), el('span', { className: 'note-text', text: backend.trustNote })));

  let trialSelect: HTMLSelectElement | null = null;
  if (trials > 1) {
    trialSelect = el('select', { className: 'trial-select', testId: 'trial-select', attrs: { 'aria-label': `Trial shown for ${backend.label}` } });
    for (let t = 1; t <= trials; t++) trialSelect.append(el('option', { text: `Trial ${t}`, attrs: { value: String(t) } }));
    trialSelect.value = String(selectedTrial(backend.id));
    trialSelect.addEventListener('change', () => {
      ui.selectedTrial[backend.id] = Number(trialSelect!.value);
      persistNow();
      updateColumn(backend.id);
    });
    details.append(trialSelect);
  }

  const stateIcon = icon('clock');
  const stateText = el('span', { className: 'state-text' });
  const stateHint = el('span', { className: 'state-hint' });
  const stateProgress = el('span', { className: 'state-progress' });
  const stateElapsed = el('span', { className: 'state-elapsed', attrs: { 'aria-hidden': 'true' } });
  const stateEl = el(
    'div',
    { className: 'state', testId: 'state', attrs: { 'data-status': 'waiting', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } },
    stateIcon,
    el('span', { className: 'state-message' }, stateText, stateHint),
    stateElapsed,
    stateProgress,
  );

  const metrics = new Map<MetricId, { root: HTMLElement; value: HTMLElement; badge: HTMLElement }>();
  const metricsEl = el('div', { className: 'metrics', attrs: { role: 'list', 'aria-label': `Metrics for ${backend.label}` } });
  for (const cell of pendingMetricCells()) {
    const value = el('span', { className: 'metric-value' });
    const badge = el('span', { className: 'badge' });
    // Focusable so keyboard users reach the formula that mouse users get on hover.
    const cellEl = el(
      'div',
      { className: 'metric', testId: `metric-${cell.id}`, attrs: { role: 'listitem', tabindex: '0' } },
      el('div', { className: 'metric-head' }, el('span', { className: 'metric-label', text: cell.label }), badge, ...insecureBadge(backend)),
      el('div', { className: 'metric-body' }, value),
    );
    metrics.set(cell.id, { root: cellEl, value, badge });
    metricsEl.append(cellEl);
  }

  const textEl = el('div', { className: 'markdown', testId: 'column-text', attrs: { 'data-placeholder': '' } });
  const rawEl = el('pre', { className: 'raw', testId: 'column-raw' });
  rawEl.hidden = true;
  const reasoningText = el('pre', { className: 'reasoning-text' });
  const reasoning = el('details', { className: 'reasoning' }, el('summary', {}, icon('lightbulb'), 'Reasoning'), reasoningText);
  reasoning.hidden = true;
  const body = el('div', { className: 'column-body', attrs: { tabindex: '0', 'aria-label': `Answer from ${backend.label}` } }, reasoning, textEl, rawEl);

  const target = targetLabel ? ` in ${targetLabel}` : ' in the active editor';
  const ref = (): { backendId: string; trial: number } => ({ backendId: backend.id, trial: selectedTrial(backend.id) });
  const actions: ColumnView['actions'] = {
    copy: button({ testId: 'action-copy', icon: 'copy', label: 'Copy', title: `Copy ${backend.label}'s whole answer`, onClick: () => post({ type: 'copy', ...ref() }) }),
    insert: button({ testId: 'action-insert', icon: 'insert', label: 'Insert', title: `Insert ${backend.label}'s code (or the whole answer when it has no code block) at the cursor${target}`, onClick: () => post({ type: 'apply', mode: 'insert', ...ref() }) }),
    replace: button({ testId: 'action-replace', icon: 'replace', label: 'Replace', title: `Replace the selection${target} with ${backend.label}'s code (or the whole answer when it has no code block)`, onClick: () => post({ type: 'apply', mode: 'replace', ...ref() }) }),
    diffSelection: button({ testId: 'action-diff-selection', icon: 'diff-single', label: 'Diff sel.', title: `Diff the selection${target} with ${backend.label}'s code (or the whole answer when it has no code block)`, onClick: () => post({ type: 'diffWithSelection', ...ref() }) }),
    diffColumn: button({ testId: 'action-diff-column', icon: 'diff', label: 'Diff…', title: `Diff ${backend.label}'s whole answer with another column`, onClick: (b) => toggleDiffMenu(backend.id, b) }),
    raw: button({ testId: 'action-raw', icon: 'code', label: 'Raw', title: `Show ${backend.label}'s answer as raw text`, className: 'btn-toggle', onClick: () => toggleRaw(backend.id) }),
  };
  actions.diffColumn.setAttribute('aria-haspopup', 'menu');
  actions.diffColumn.setAttribute('aria-expanded', 'false');
  actions.raw.setAttribute('aria-pressed', 'false');
  const footer = el(
    'footer',
    { className: 'column-actions', attrs: { role: 'toolbar', 'aria-label': `Actions for ${backend.label}` } },
    actions.copy,
    actions.insert,
    actions.replace,
    actions.diffSelection,
    actions.diffColumn,
    el('span', { className: 'spacer' }),
    actions.raw,
  );

  root.append(header, details);
  if (notes.childElementCount) root.append(notes);
  root.append(stateEl, metricsEl, body, footer);
  return {
    backend, index, root, trialSelect, stateEl, stateIcon, stateText, stateHint, stateProgress, stateElapsed, metrics,
    body, textEl, rawEl, reasoning, reasoningText, actions, menu: null, renderedKey: null, nextRenderAtMs: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Column updates

type ColumnStatus = 'waiting' | 'streaming' | NonNullable<TrialSnapshot['final']>['status'];

const statusLabels: Record<Exclude<ColumnStatus, 'waiting' | 'streaming'>, string> = {
  ok: 'Done',
  cancelled: 'Cancelled',
  timeout: 'Timed out',
  http_error: 'HTTP error',
  network_error: 'Network error',
  tls_error: 'TLS error',
  protocol_error: 'Protocol error',
  truncated: 'Truncated',
  upstream_error: 'Upstream error',
};

const statusIcons: Record<ColumnStatus, string> = {
  waiting: 'clock',
  streaming: 'loading',
  ok: 'pass-filled',
  cancelled: 'circle-slash',
  timeout: 'watch',
  http_error: 'error',
  network_error: 'debug-disconnect',
  tls_error: 'lock',
  protocol_error: 'error',
  truncated: 'warning',
  upstream_error: 'error',
};

function describeState(backendId: string): { status: ColumnStatus; text: string; hint: string } {
  const snapshot = displayedSnapshot(backendId);
  const trial = selectedTrial(backendId);
  const multi = (state.run?.trials ?? 1) > 1;
  const which = multi ? ` (trial ${trial})` : '';
  if (!snapshot) {
    if (state.runStatus === 'running') return { status: 'waiting', text: `Queued${which}…`, hint: '' };
    if (state.runStatus === 'interrupted') return { status: 'cancelled', text: 'Interrupted', hint: 'The window was reloaded; use Re-run to compare again.' };
    return { status: 'cancelled', text: `Not run${which}`, hint: state.runStatus === 'failed' ? 'The comparison failed before this backend started.' : '' };
  }
  const final = snapshot.final;
  if (!final) {
    if (state.runStatus === 'interrupted') return { status: 'cancelled', text: 'Interrupted', hint: 'The window was reloaded while streaming; use Re-run to compare again.' };
    if (snapshot.text === '' && snapshot.reasoning === '') return { status: 'waiting', text: `Waiting for the first token${which}…`, hint: '' };
    if (snapshot.text === '') return { status: 'streaming', text: `Reasoning${which}…`, hint: '' };
    return { status: 'streaming', text: `Streaming${which}…`, hint: '' };
  }
  if (final.status === 'ok') {
    const finish = final.finishReason && final.finishReason !== 'stop' ? ` · finish: ${final.finishReason}` : '';
    const retries = final.retries ? ` · ${final.retries} retr${final.retries === 1 ? 'y' : 'ies'} after 429` : '';
    return { status: 'ok', text: `Done in ${formatMs(final.metrics.totalMs)}${finish}${retries}`, hint: '' };
  }
  const message = final.error?.message || statusLabels[final.status];
  const hint = final.error?.hint ? `What to do: ${final.error.hint}` : '';
  return { status: final.status, text: /[.!?…]$/.test(message) ? message : `${message}.`, hint };
}

function updateColumn(backendId: string): void {
  const view = columns.get(backendId);
  if (!view) return;
  const { status, text, hint } = describeState(backendId);
  view.stateEl.dataset.status = status;
  view.stateEl.className = `state state-${status}`;
  view.root.dataset.status = status;
  view.stateIcon.className = `codicon codicon-${statusIcons[status]}${status === 'streaming' ? ' codicon-modifier-spin' : ''}`;
  view.stateText.textContent = text;
  view.stateHint.textContent = hint ? ` ${hint}` : '';
  const trials = state.run?.trials ?? 1;
  if (trials > 1) {
    const done = state.trials.filter((t) => t.backendId === backendId && t.final !== null).length;
    view.stateProgress.textContent = `${done}/${trials} trials`;
  } else {
    view.stateProgress.textContent = '';
  }
  if (view.trialSelect) view.trialSelect.value = String(selectedTrial(backendId));
  updateElapsed(view);
  if (status === 'waiting' || status === 'streaming') ensureTicker();

  const snapshot = displayedSnapshot(backendId);
  const cells = snapshot?.final ? metricCells(snapshot.final) : pendingMetricCells();
  for (const cell of cells) applyMetric(view, cell);

  const finished = Boolean(snapshot?.final);
  const usable = hasAnswer(snapshot);
  for (const key of ['copy', 'insert', 'replace', 'diffSelection'] as const) view.actions[key].disabled = !usable;
  const others = [...columns.values()].some((c) => c !== view && hasAnswer(displayedSnapshot(c.backend.id)));
  view.actions.diffColumn.disabled = !usable || !others;
  const raw = ui.raw.includes(backendId);
  view.actions.raw.setAttribute('aria-pressed', String(raw));
  view.actions.raw.classList.toggle('active', raw);
  view.rawEl.hidden = !raw;
  view.textEl.hidden = raw;
  view.textEl.dataset.placeholder = finished ? '(empty answer)' : '';
  markDirty(backendId);
}

// Live "time since start" on waiting/streaming columns; the start is when this page heard of
// the trial, so it is only shown for trials started while the page was open.
const startedAtMs = new Map<string, number>();
let ticker: ReturnType<typeof setInterval> | undefined;

function updateElapsed(view: ColumnView): boolean {
  const snapshot = displayedSnapshot(view.backend.id);
  const started = snapshot ? startedAtMs.get(keyOf(snapshot.backendId, snapshot.trial)) : undefined;
  const running = Boolean(snapshot && !snapshot.final && state.runStatus === 'running');
  const parts: string[] = [];
  if (running && snapshot!.text) parts.push(`${snapshot!.text.length.toLocaleString('en-US')} chars`);
  if (running && started !== undefined) parts.push(formatMs(performance.now() - started));
  view.stateElapsed.textContent = parts.join(' · ');
  return running && started !== undefined;
}

function ensureTicker(): void {
  if (ticker !== undefined) return;
  ticker = setInterval(() => {
    let any = false;
    for (const view of columns.values()) any = updateElapsed(view) || any;
    if (!any && state.runStatus !== 'running') {
      clearInterval(ticker);
      ticker = undefined;
    }
  }, 100);
}

function applyMetric(view: ColumnView, cell: MetricCell): void {
  const target = view.metrics.get(cell.id);
  if (!target) return;
  target.root.dataset.value = cell.value === null ? '' : String(cell.value);
  target.root.dataset.source = cell.source;
  target.root.title = cell.title;
  target.root.setAttribute('aria-label', metricAriaLabel(cell));
  target.root.className = `metric source-${cell.source}${cell.value === null ? ' is-unknown' : ''}`;
  target.value.textContent = cell.display;
  target.badge.textContent = cell.badge;
  target.badge.className = `badge badge-${cell.badgeKind}`;
}

function toggleRaw(backendId: string): void {
  ui.raw = ui.raw.includes(backendId) ? ui.raw.filter((id) => id !== backendId) : [...ui.raw, backendId];
  persistNow();
  updateColumn(backendId);
}

// ---------------------------------------------------------------------------------------------
// Markdown rendering: at most once per animation frame per column

const dirty = new Set<string>();
let frame = 0;

function markDirty(backendId: string): void {
  dirty.add(backendId);
  if (!frame) frame = requestAnimationFrame(renderDirtyColumns);
}

function renderDirtyColumns(): void {
  frame = 0;
  const now = performance.now();
  for (const id of [...dirty]) {
    const view = columns.get(id);
    if (!view) {
      dirty.delete(id);
      continue;
    }
    // A very long answer makes each render slow; give the browser room between renders.
    if (now < view.nextRenderAtMs) continue;
    dirty.delete(id);
    const started = performance.now();
    renderColumnText(view);
    const costMs = performance.now() - started;
    view.nextRenderAtMs = costMs > 8 ? performance.now() + costMs * 3 : 0;
  }
  if (dirty.size && !frame) frame = requestAnimationFrame(renderDirtyColumns);
}

/** Renders a column's text now (final text must be in the DOM as soon as its state says so). */
function renderNow(backendId: string): void {
  const view = columns.get(backendId);
  if (!view) return;
  dirty.delete(backendId);
  renderColumnText(view);
}

function renderColumnText(view: ColumnView): void {
  const snapshot = displayedSnapshot(view.backend.id);
  const text = snapshot?.text ?? '';
  const reasoning = snapshot?.reasoning ?? '';
  const streaming = Boolean(snapshot && !snapshot.final && state.runStatus === 'running');
  const key = `${snapshot?.trial ?? 0}\u0000${text.length}\u0000${reasoning.length}\u0000${streaming}\u0000${snapshot?.final ? 'f' : ''}`;
  if (key === view.renderedKey) return;
  view.renderedKey = key;
  const body = view.body;
  const pinned = body.scrollHeight - body.scrollTop - body.clientHeight < 24;
  view.textEl.innerHTML = text ? renderMarkdown(text) : '';
  view.textEl.classList.toggle('streaming', streaming);
  view.rawEl.textContent = text;
  view.reasoning.hidden = reasoning === '';
  view.reasoningText.textContent = reasoning;
  if (streaming && pinned) body.scrollTop = body.scrollHeight;
}

// ---------------------------------------------------------------------------------------------
// Diff-with-column menu

function closeMenus(): void {
  for (const view of columns.values()) {
    if (!view.menu) continue;
    view.menu.remove();
    view.menu = null;
    view.actions.diffColumn.setAttribute('aria-expanded', 'false');
  }
}

function toggleDiffMenu(backendId: string, anchor: HTMLButtonElement): void {
  const view = columns.get(backendId);
  if (!view) return;
  if (view.menu) {
    closeMenus();
    anchor.focus();
    return;
  }
  closeMenus();
  const menu = el('div', { className: 'menu', testId: 'diff-menu', attrs: { role: 'menu', 'aria-label': 'Diff with column' } });
  for (const other of columns.values()) {
    if (other === view) continue;
    const snapshot = displayedSnapshot(other.backend.id);
    const item = el(
      'button',
      { className: 'menu-item', testId: 'diff-target', attrs: { type: 'button', role: 'menuitem', 'data-backend-id': other.backend.id } },
      el('span', { className: `swatch series-${other.index % 6}` }),
      other.backend.label,
      el('span', { className: 'muted', text: ` ${other.backend.model}` }),
    );
    item.disabled = !hasAnswer(snapshot);
    item.addEventListener('click', () => {
      closeMenus();
      anchor.focus();
      post({
        type: 'diffColumns',
        left: { backendId, trial: selectedTrial(backendId) },
        right: { backendId: other.backend.id, trial: selectedTrial(other.backend.id) },
      });
    });
    menu.append(item);
  }
  menu.addEventListener('keydown', (event) => {
    const items = [...menu.querySelectorAll<HTMLButtonElement>('.menu-item:not(:disabled)')];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
      next?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      closeMenus();
      anchor.focus();
    }
  });
  anchor.parentElement?.append(menu);
  view.menu = menu;
  anchor.setAttribute('aria-expanded', 'true');
  menu.querySelector<HTMLButtonElement>('.menu-item:not(:disabled)')?.focus();
}

// ---------------------------------------------------------------------------------------------
// Summary

function renderSummary(): void {
  if (!summaryEl || !state.run) return;
  const run = state.run;
  const backends = run.backends;
  const figures = backends.map((b) => columnFigures(b.id, state.trials));
  const baseline = figures[0];
  const anyFinished = figures.some((f) => f.finishedTrials > 0);

  const heading = el('div', { className: 'summary-heading' }, el('h2', {}, icon('graph'), 'Summary'));
  const multi = run.trials > 1;
  heading.append(
    el('span', {
      className: 'muted',
      text: `Ratios vs. ${backends[0].label} (baseline, first column)${multi ? ' · medians of successful trials' : ''}. Lower is better.`,
    }),
  );

  const best = (values: Array<number | null>): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length >= 2 ? Math.min(...known) : null;
  };
  const bestTtft = best(figures.map((f) => f.ttftMs));
  const bestTotal = best(figures.map((f) => f.totalMs));
  const bestCost = best(figures.map((f) => f.costUsd));

  const table = el('table', { className: 'summary-table' });
  table.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Backend', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Cost', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT ×', className: 'num', attrs: { scope: 'col', title: 'Time to first token relative to the baseline' } }),
        el('th', { text: 'Latency ×', className: 'num', attrs: { scope: 'col', title: 'Total time relative to the baseline' } }),
        el('th', { text: 'Cost ×', className: 'num', attrs: { scope: 'col', title: 'Cost relative to the baseline' } }),
      ),
    ),
  );
  const tbody = el('tbody');
  const cell = (text: string, isBest: boolean, extra: ElementOptions = {}): HTMLTableCellElement =>
    el('td', { ...extra, className: `num${isBest ? ' best' : ''}${extra.className ? ` ${extra.className}` : ''}`, text });
  figures.forEach((f, index) => {
    const backend = backends[index];
    const ratioCell = (testId: string, value: number | null, base: number | null, what: string): HTMLTableCellElement => {
      const r = ratio(value, base);
      const td = cell(formatRatio(r), false, { testId, attrs: { 'data-backend-id': backend.id, 'data-value': r === null ? '' : String(r) } });
      td.title =
        r === null
          ? `${what}: unknown (${value === null ? 'no value for this column' : 'baseline has no positive value'})`
          : `${what}: ${index === 0 ? 'baseline' : `${formatRatio(r)} the baseline`}`;
      if (r !== null && index > 0) td.classList.add(r < 0.995 ? 'better' : r > 1.005 ? 'worse' : 'same');
      return td;
    };
    const name = el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), backend.label);
    if (index === 0) name.append(el('span', { className: 'baseline-tag', text: 'baseline' }));
    const row = el(
      'tr',
      { attrs: { 'data-backend-id': backend.id } },
      name,
      cell(formatMs(f.ttftMs), f.ttftMs !== null && f.ttftMs === bestTtft),
      cell(formatMs(f.totalMs), f.totalMs !== null && f.totalMs === bestTotal),
      cell(formatUsd(f.costUsd), f.costUsd !== null && f.costUsd === bestCost),
      ratioCell('ratio-ttft', f.ttftMs, baseline.ttftMs, 'Time to first token'),
      ratioCell('ratio-latency', f.totalMs, baseline.totalMs, 'Total latency'),
      ratioCell('ratio-cost', f.costUsd, baseline.costUsd, 'Cost'),
    );
    tbody.append(row);
  });
  table.append(tbody);

  const content: Node[] = [heading, el('div', { className: 'table-scroll' }, table)];
  if (anyFinished) {
    content.push(
      renderChart(
        figures.map((f, index) => ({
          backendId: f.backendId,
          label: backends[index].label,
          colorIndex: index,
          ttftMs: f.ttftMs,
          totalMs: f.totalMs,
          costUsd: f.costUsd,
        })),
      ),
    );
  } else {
    content.push(el('p', { className: 'muted chart-placeholder', text: 'The chart appears when the first answers are complete.' }));
  }
  if (multi) content.push(renderTrialStats(backends));
  summaryEl.replaceChildren(...content);
}

function renderTrialStats(backends: readonly BackendView[]): HTMLElement {
  const table = el('table', { className: 'summary-table trial-stats', testId: 'trial-stats' });
  table.append(
    el('caption', { text: 'Across trials (successful trials only)' }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Backend', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT p50', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'TTFT p95', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total p50', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Total p95', className: 'num', attrs: { scope: 'col' } }),
        el('th', { text: 'Trials OK', className: 'num', attrs: { scope: 'col' } }),
      ),
    ),
  );
  const tbody = el('tbody');
  const trials = state.run?.trials ?? 1;
  backends.forEach((backend, index) => {
    const s = trialStats(backend.id, state.trials);
    const td = (testId: string, value: number | null): HTMLTableCellElement =>
      el('td', { className: 'num', text: formatMs(value), testId, attrs: { 'data-value': value === null ? '' : String(value) } });
    tbody.append(
      el(
        'tr',
        { attrs: { 'data-backend-id': backend.id } },
        el('th', { attrs: { scope: 'row' } }, el('span', { className: `swatch series-${index % 6}` }), backend.label),
        td('ttft-p50', s.ttftP50Ms),
        td('ttft-p95', s.ttftP95Ms),
        td('total-p50', s.totalP50Ms),
        td('total-p95', s.totalP95Ms),
        el('td', { className: 'num', text: `${s.usableTrials}/${trials}` }),
      ),
    );
  });
  table.append(tbody);
  return el('div', { className: 'table-scroll' }, table);
}

// ---------------------------------------------------------------------------------------------
// Notices

let toastTimer: ReturnType<typeof setTimeout> | undefined;

function showToast(level: 'info' | 'warning' | 'error', message: string): void {
  if (!toastEl) return;
  const iconName = level === 'info' ? 'check' : level === 'warning' ? 'warning' : 'error';
  toastEl.className = `toast visible toast-${level}`;
  toastEl.replaceChildren(icon(iconName), el('span', { text: message }));
  if (toastTimer !== undefined) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toastEl?.classList.remove('visible'), level === 'info' ? 2_500 : 6_000);
}

// ---------------------------------------------------------------------------------------------
// Messages from the host

function ensureSnapshot(backendId: string, trial: number): TrialSnapshot {
  const key = keyOf(backendId, trial);
  let snapshot = trialIndex.get(key);
  if (!snapshot) {
    snapshot = { backendId, trial, text: '', reasoning: '', final: null };
    state.trials.push(snapshot);
    trialIndex.set(key, snapshot);
  }
  return snapshot;
}

function appendDeltas(chunks: readonly DeltaChunk[]): void {
  const touched = new Set<string>();
  for (const chunk of chunks) {
    const snapshot = ensureSnapshot(chunk.backendId, chunk.trial);
    if (snapshot.final) continue;
    snapshot.text += chunk.content;
    snapshot.reasoning += chunk.reasoning;
    if (selectedTrial(chunk.backendId) === chunk.trial) touched.add(chunk.backendId);
  }
  for (const id of touched) updateColumn(id);
  persistSoon();
}

function handleMessage(message: HostToWebviewMessage): void {
  switch (message.type) {
    case 'runStarted': {
      const raw = ui.raw;
      startedAtMs.clear();
      state = { version: 1, run: message.run, runStatus: 'running', errorMessage: null, trials: [], target: message.target };
      ui = { selectedTrial: {}, raw };
      reindex();
      renderAll();
      persistNow();
      return;
    }
    case 'trialStarted':
      ensureSnapshot(message.backendId, message.trial);
      startedAtMs.set(keyOf(message.backendId, message.trial), performance.now());
      updateColumn(message.backendId);
      return;
    case 'deltasAppended':
      appendDeltas(message.chunks);
      return;
    case 'trialFinished': {
      const incoming = message.trial;
      const snapshot = ensureSnapshot(incoming.backendId, incoming.trial);
      snapshot.text = incoming.text;
      snapshot.reasoning = incoming.reasoning;
      snapshot.final = incoming.final;
      for (const id of columns.keys()) updateColumn(id);
      renderNow(incoming.backendId);
      renderSummary();
      persistNow();
      return;
    }
    case 'runFinished':
      state.runStatus = message.runStatus;
      state.errorMessage = message.errorMessage;
      updateHeader();
      for (const id of columns.keys()) updateColumn(id);
      renderSummary();
      persistNow();
      return;
    case 'stateRestored':
      state = message.state;
      reindex();
      renderAll();
      persistNow();
      return;
    case 'noticeShown':
      showToast(message.level, message.message);
      return;
    default:
      assertNever(message, 'message');
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
  try {
    handleMessage(data as HostToWebviewMessage);
  } catch (error) {
    console.debug('Bakeoff panel: ignored message', error);
  }
});

// Links in answers carry `data-href` (no `href`), so nothing navigates by itself: the host
// validates the URL and asks before opening it.
function openLinkFrom(target: EventTarget | null): boolean {
  const link = target instanceof Element ? target.closest<HTMLElement>('.md-link') : null;
  const url = link?.dataset.href;
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
  if (!inMenu) closeMenus();
});

document.addEventListener('keydown', (event) => {
  if ((event.key === 'Enter' || event.key === ' ') && openLinkFrom(event.target)) {
    event.preventDefault();
    return;
  }
  if (event.key === 'Escape') closeMenus();
});

// ---------------------------------------------------------------------------------------------
// Boot: show the last saved state at once, then ask the host for the authoritative one.

const saved = vscode.getState();
if (saved && typeof saved === 'object' && saved.panel && saved.panel.version === 1) {
  state = saved.panel;
  ui = { selectedTrial: { ...(saved.ui?.selectedTrial ?? {}) }, raw: [...(saved.ui?.raw ?? [])] };
  reindex();
}
renderAll();
post({ type: 'ready' });
