/**
 * One backend's column: its DOM (label, model, notes, trial picker, state line, metric cells,
 * answer, actions), the state line and metrics for the trial shown, and its answer rendered as
 * markdown. The columns together are kept by `columns.ts`.
 */
import type { BackendView, PanelState, TrialSnapshot, WebviewToHostMessage } from '../shared/protocol';
import { StreamingMarkdown } from './streamingMarkdown';
import { statusLabels, trialStateLine } from '../core/format';
import { metricAriaLabel, pendingMetricCells, type MetricCell, type MetricId } from './format';
import { button, el, handleMenuKeys, icon } from './components';
import type { WebviewState } from './state';

export interface ColumnView {
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
  metrics: Map<MetricId, { root: HTMLElement; value: HTMLElement; badge: HTMLElement; flags: HTMLElement }>;
  body: HTMLElement;
  textEl: HTMLElement;
  /** The answer's Markdown in `textEl`, rendered incrementally while it streams. */
  markdown: StreamingMarkdown;
  rawEl: HTMLPreElement;
  reasoning: HTMLDetailsElement;
  reasoningText: HTMLPreElement;
  actions: Record<'copy' | 'insert' | 'replace' | 'diffSelection' | 'diffColumn' | 'raw', HTMLButtonElement>;
  /** Shown when this column is the summary's baseline. */
  baselineTag: HTMLElement;
  /** Pins (or unpins) this backend as the baseline. */
  pin: HTMLButtonElement;
  /** "This answer contained your API key; it was redacted." */
  keyNote: HTMLElement;
  menu: HTMLElement | null;
  renderedKey: string | null;
  nextRenderAtMs: number;
  /** The answer is scrolled to its end (kept there while it streams); updated when the user scrolls. */
  pinnedToEnd: boolean;
}

/** What a column's controls do; the column set provides them. */
export interface ColumnCallbacks {
  /** The trial the column shows. */
  selectedTrial(): number;
  /** The user picked another trial to show. */
  selectTrial(trial: number): void;
  post(message: WebviewToHostMessage): void;
  toggleDiffMenu(anchor: HTMLButtonElement): void;
  toggleRaw(): void;
  /** Pin this backend as the baseline, or unpin it. */
  togglePin(): void;
}

const kindDescriptions: Record<BackendView['kind'], string> = {
  closed: 'Closed API (a single provider runs the model)',
  decentralized: 'Decentralized inference network',
  local: 'Runs on your own hardware',
  gateway: 'Gateway routing to other providers',
};

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

/** Builds a column's DOM, with nothing shown yet (see `describeState`, `applyMetric`, `renderColumnText`). */
export function renderColumn(backend: BackendView, index: number, trials: number, targetLabel: string | null, callbacks: ColumnCallbacks): ColumnView {
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
  const baselineTag = el('span', { className: 'baseline-tag', text: 'baseline', testId: 'baseline-tag', attrs: { title: 'Ratios in the summary are relative to this backend' } });
  baselineTag.hidden = true;
  const pin = button({
    testId: 'action-baseline',
    icon: 'pin',
    label: '',
    title: `Set ${backend.label} as the baseline of the ratios`,
    className: 'btn-icon btn-toggle',
    onClick: () => callbacks.togglePin(),
  });
  pin.setAttribute('aria-pressed', 'false');
  pin.setAttribute('aria-label', `Set ${backend.label} as baseline`);
  const header = el('header', { className: 'column-header' }, label, baselineTag, pin);
  const warm = backend.connection === 'warm';
  const connection = el('span', {
    className: `connection-pill connection-${warm ? 'warm' : 'fresh'}`,
    testId: 'connection',
    text: warm ? 'warm' : 'fresh',
    attrs: {
      title: warm
        ? 'Warm connection: each measured request goes over a kept-alive connection opened by an unmeasured warm-up request.'
        : 'Fresh connection: every request opens its own connection (DNS, TCP and TLS are part of its TTFT).',
    },
  });
  const details = el(
    'div',
    { className: 'column-details' },
    el('span', { className: 'column-model', text: backend.model, attrs: { title: `Model: ${backend.model}` } }),
    connection,
  );
  const notes = el('div', { className: 'column-notes' });
  if (backend.pricingNote) notes.append(el('span', { className: 'note', attrs: { title: `Pricing: ${backend.pricingNote}` } }, icon('tag'), el('span', { className: 'note-text', text: backend.pricingNote })));
  if (backend.trustNote) notes.append(el('span', { className: 'note', attrs: { title: `Operator's claim: ${backend.trustNote}` } }, icon('shield'), el('span', { className: 'note-text', text: backend.trustNote })));

  let trialSelect: HTMLSelectElement | null = null;
  if (trials > 1) {
    trialSelect = el('select', { className: 'trial-select', testId: 'trial-select', attrs: { 'aria-label': `Trial shown for ${backend.label}` } });
    for (let t = 1; t <= trials; t++) trialSelect.append(el('option', { text: `Trial ${t}`, attrs: { value: String(t) } }));
    trialSelect.value = String(callbacks.selectedTrial());
    trialSelect.addEventListener('change', () => {
      callbacks.selectTrial(Number(trialSelect!.value));
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
  const keyNote = el('div', { className: 'key-note', testId: 'key-note', attrs: { role: 'note' } }, icon('shield'), 'This answer contained your API key; it was redacted.');
  keyNote.hidden = true;

  const metrics = new Map<MetricId, { root: HTMLElement; value: HTMLElement; badge: HTMLElement; flags: HTMLElement }>();
  const metricsEl = el('div', { className: 'metrics', attrs: { role: 'list', 'aria-label': `Metrics for ${backend.label}` } });
  for (const cell of pendingMetricCells()) {
    const value = el('span', { className: 'metric-value' });
    const badge = el('span', { className: 'badge' });
    const flags = el('span', { className: 'metric-flags' });
    // Focusable so keyboard users reach the formula that mouse users get on hover.
    const cellEl = el(
      'div',
      { className: 'metric', testId: `metric-${cell.id}`, attrs: { role: 'listitem', tabindex: '0' } },
      el('div', { className: 'metric-head' }, el('span', { className: 'metric-label', text: cell.label }), badge, ...insecureBadge(backend)),
      el('div', { className: 'metric-body' }, value, flags),
    );
    metrics.set(cell.id, { root: cellEl, value, badge, flags });
    metricsEl.append(cellEl);
  }

  const textEl = el('div', { className: 'markdown', testId: 'column-text', attrs: { 'data-placeholder': '' } });
  const rawEl = el('pre', { className: 'raw', testId: 'column-raw' });
  rawEl.hidden = true;
  const reasoningText = el('pre', { className: 'reasoning-text' });
  const reasoning = el('details', { className: 'reasoning' }, el('summary', {}, icon('lightbulb'), 'Reasoning'), reasoningText);
  reasoning.hidden = true;
  const end = el('div', { className: 'column-end', attrs: { 'aria-hidden': 'true' } });
  const body = el('div', { className: 'column-body', attrs: { tabindex: '0', 'aria-label': `Answer from ${backend.label}` } }, reasoning, textEl, rawEl, end);
  // The answer follows the stream while the end of the column is in view (the user did not
  // scroll up). An observer tells, after each layout; measuring on every render would force a
  // layout of the whole panel for each column in each frame.
  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver((entries) => (view.pinnedToEnd = entries[entries.length - 1]!.isIntersecting), { root: body, rootMargin: '0px 0px 24px 0px' }).observe(end);
  }

  const target = targetLabel ? ` in ${targetLabel}` : ' in the active editor';
  const ref = (): { backendId: string; trial: number } => ({ backendId: backend.id, trial: callbacks.selectedTrial() });
  const actions: ColumnView['actions'] = {
    copy: button({ testId: 'action-copy', icon: 'copy', label: 'Copy', title: `Copy ${backend.label}'s whole answer`, onClick: () => callbacks.post({ type: 'copy', ...ref() }) }),
    insert: button({ testId: 'action-insert', icon: 'insert', label: 'Insert', title: `Insert ${backend.label}'s code (or the whole answer when it has no code block) at the cursor${target}`, onClick: () => callbacks.post({ type: 'apply', mode: 'insert', ...ref() }) }),
    replace: button({ testId: 'action-replace', icon: 'replace', label: 'Replace', title: `Replace the selection${target} with ${backend.label}'s code (or the whole answer when it has no code block)`, onClick: () => callbacks.post({ type: 'apply', mode: 'replace', ...ref() }) }),
    diffSelection: button({ testId: 'action-diff-selection', icon: 'diff-single', label: 'Diff sel.', title: `Diff the selection${target} with ${backend.label}'s code (or the whole answer when it has no code block)`, onClick: () => callbacks.post({ type: 'diffWithSelection', ...ref() }) }),
    diffColumn: button({ testId: 'action-diff-column', icon: 'diff', label: 'Diff…', title: `Diff ${backend.label}'s whole answer with another column`, onClick: (b) => callbacks.toggleDiffMenu(b) }),
    raw: button({ testId: 'action-raw', icon: 'code', label: 'Raw', title: `Show ${backend.label}'s answer as raw text`, className: 'btn-toggle', onClick: () => callbacks.toggleRaw() }),
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
  root.append(stateEl, keyNote, metricsEl, body, footer);
  const view: ColumnView = {
    backend, index, root, trialSelect, stateEl, stateIcon, stateText, stateHint, stateProgress, stateElapsed, metrics,
    body, textEl, markdown: new StreamingMarkdown(textEl), rawEl, reasoning, reasoningText, actions, baselineTag, pin, keyNote, menu: null, renderedKey: null, nextRenderAtMs: 0,
    pinnedToEnd: true,
  };
  return view;
}

export type ColumnStatus = 'waiting' | 'streaming' | NonNullable<TrialSnapshot['final']>['status'];

export const statusIcons: Record<ColumnStatus, string> = {
  waiting: 'clock',
  streaming: 'loading',
  ok: 'pass-filled',
  not_sent: 'circle-slash',
  cancelled: 'circle-slash',
  timeout: 'watch',
  http_error: 'error',
  network_error: 'debug-disconnect',
  tls_error: 'lock',
  protocol_error: 'error',
  truncated: 'warning',
  upstream_error: 'error',
};

/** The state line of a column for the trial it shows. */
export function describeState(webview: WebviewState, backendId: string): { status: ColumnStatus; text: string; hint: string } {
  const state = webview.panel;
  const snapshot = webview.displayedSnapshot(backendId);
  const trial = webview.selectedTrial(backendId);
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
  // One wording with the CLI and the exports (trialStateLine in core/format.ts).
  const line = trialStateLine({ ...final, error: final.error ? { ...final.error, message: final.error.message || statusLabels[final.status] } : null });
  if (final.status === 'ok') {
    const finish = final.finishReason && final.finishReason !== 'stop' ? ` · finish: ${final.finishReason}` : '';
    return { status: 'ok', text: `${line}${which}${finish}`, hint: '' };
  }
  const hint = final.error?.hint ? `What to do: ${final.error.hint}` : '';
  return { status: final.status, text: /[.!?…)]$/.test(line) ? line : `${line}.`, hint };
}

export function applyMetric(view: ColumnView, cell: MetricCell): void {
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
  target.flags.replaceChildren(
    // Not `.badge`: a cell has one badge (how its number was obtained); flags are said beside it.
    ...(cell.flags ?? []).map((flag) => el('span', { className: `flag flag-${flag.kind}`, testId: `flag-${flag.kind}`, text: flag.text, attrs: { title: flag.title } })),
  );
}

/**
 * Renders the answer (markdown, raw text, reasoning) of `snapshot`, unless it is already shown.
 * Returns whether the column should now be scrolled to the end of its answer (it streams and the
 * user had not scrolled away): the caller scrolls once every column is rendered, so the panel is
 * laid out once per frame, not once per column.
 */
export function renderColumnText(view: ColumnView, snapshot: TrialSnapshot | undefined, runStatus: PanelState['runStatus']): boolean {
  const text = snapshot?.text ?? '';
  const reasoning = snapshot?.reasoning ?? '';
  const streaming = Boolean(snapshot && !snapshot.final && runStatus === 'running');
  const key = `${snapshot?.trial ?? 0}\u0000${text.length}\u0000${reasoning.length}\u0000${streaming}\u0000${snapshot?.final ? 'f' : ''}`;
  if (key === view.renderedKey) return false;
  view.renderedKey = key;
  // While streaming only what arrived since the last render is rendered; the final text whole.
  view.markdown.show(text, !streaming);
  view.textEl.classList.toggle('streaming', streaming);
  showText(view.rawEl, text);
  view.reasoning.hidden = reasoning === '';
  showText(view.reasoningText, reasoning);
  return streaming && view.pinnedToEnd;
}

/** Scrolls columns to the end of their answers (after all of them were rendered; see renderColumnText). */
export function scrollToEnd(views: Iterable<ColumnView>): void {
  for (const view of views) view.body.scrollTop = view.body.scrollHeight;
}

/** The text each element was last given by {@link showText}. */
const shownTexts = new WeakMap<HTMLElement, string>();

/**
 * Sets an element's text; when the new text extends what it shows, only the new part is added
 * (as a text node of its own: appending to one node would copy the whole text each time).
 */
function showText(element: HTMLElement, text: string): void {
  const shown = shownTexts.get(element);
  if (shown === text) return;
  if (shown && text.startsWith(shown)) element.append(text.slice(shown.length));
  else element.textContent = text;
  shownTexts.set(element, text);
}

/** The Diff-with-column menu of one column: an item per other column, disabled without an answer. */
export function renderDiffMenu(
  others: readonly ColumnView[],
  actions: { hasAnswer(other: ColumnView): boolean; pick(other: ColumnView): void; close(): void },
): HTMLElement {
  const menu = el('div', { className: 'menu', testId: 'diff-menu', attrs: { role: 'menu', 'aria-label': 'Diff with column' } });
  for (const other of others) {
    const item = el(
      'button',
      { className: 'menu-item', testId: 'diff-target', attrs: { type: 'button', role: 'menuitem', 'data-backend-id': other.backend.id } },
      el('span', { className: `swatch series-${other.index % 6}` }),
      other.backend.label,
      el('span', { className: 'muted', text: ` ${other.backend.model}` }),
    );
    item.disabled = !actions.hasAnswer(other);
    item.addEventListener('click', () => actions.pick(other));
    menu.append(item);
  }
  handleMenuKeys(menu, actions.close);
  return menu;
}
