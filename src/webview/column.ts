/**
 * One backend's column: its DOM (label, badges, model, notes, trial picker, state line with
 * fix buttons, candidate check, metric cells, answer, actions), the state line and metrics for
 * the trial shown, and its answer rendered as markdown. The columns together are kept by
 * `columns.ts`. A column is one Tab stop; the arrow keys move inside it (see keyboard.ts).
 */
import type { BackendView, CheckView, PanelState, StreamErrorView, TrialSnapshot, WebviewToHostMessage } from '../shared/protocol';
import { StreamingMarkdown } from './streamingMarkdown';
import { formatMs, statusLabels, trialStateLine } from '../core/format';
import { metricAriaLabel, pendingMetricCells, type MetricCell, type MetricId } from './format';
import { button, el, handleMenuKeys, icon } from './components';
import { rovingAttr } from './keyboard';
import type { WebviewState } from './state';

export type FixId = NonNullable<StreamErrorView['fixes']>[number];

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
  /** Fix buttons of a failed trial (Set API Key, Open Settings, Test Backends, Retry). */
  fixes: HTMLElement;
  fixesKey: string;
  /** Fastest / cheapest / finish order. */
  badges: HTMLElement;
  /** The candidate check (Check Candidates). */
  check: HTMLDetailsElement;
  checkSummary: HTMLElement;
  checkOutput: HTMLPreElement;
  checkKey: string;
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
  /** Shows this column alone (or all columns again). */
  focusToggle: HTMLButtonElement;
  /** "This answer contained your API key; it was redacted." */
  keyNote: HTMLElement;
  menu: HTMLElement | null;
  renderedKey: string | null;
  /** The text on screen was still streaming at the last render. */
  renderedStreaming: boolean;
  nextRenderAtMs: number;
  /** What `ColumnSet.update` last showed, to skip the work when nothing changed but the text. */
  updateInputs: unknown[] | null;
  /** Re-rendered Markdown removed the column's Tab stop (or the focus): it must be settled again. */
  rovingLost: boolean;
  /** Text streamed into the trial shown since the last render (see {@link renderColumnText}). */
  feed: { text: string[]; reasoning: string[] };
  /** The trial whose text is on screen and how much of it; null before the first render. */
  shown: { snapshot: TrialSnapshot; streaming: boolean; textLength: number; reasoningLength: number } | null;
  /** The answer is scrolled to its end (kept there while it streams); false once the user scrolls up. */
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
  /** Show this column alone, or all again. */
  toggleFocus(): void;
}

const kindDescriptions: Record<BackendView['kind'], string> = {
  closed: 'Closed API (a single provider runs the model)',
  decentralized: 'Decentralized inference network',
  local: 'Runs on your own hardware',
  gateway: 'Gateway routing to other providers',
};

const fixLabels: Record<FixId, { label: string; icon: string; title: (name: string) => string }> = {
  setApiKey: { label: 'Set API Key', icon: 'key', title: (n) => `Set the API key of ${n}, then run it again` },
  openSettings: { label: 'Open Settings', icon: 'settings-gear', title: (n) => `Open the settings that define ${n} (bakeoff.backends)` },
  testBackends: { label: 'Test Backends', icon: 'pulse', title: () => 'Check each backend: reachable, model listed, a chat request works' },
  retry: { label: 'Retry', icon: 'refresh', title: (n) => `Run ${n} again (the other columns stay)` },
};

/** The red *unverified TLS* badge shown on every number of a backend whose certificate is not checked. */
function insecureBadge(backend: BackendView): HTMLElement[] {
  if (!backend.tlsInsecure) return [];
  return [
    el('span', {
      className: 'badge badge-insecure',
      testId: 'badge-insecure',
      text: 'unverified TLS',
      attrs: { 'data-tip': 'The TLS certificate of this backend is not verified (tls.insecure, or a proxy with strict SSL off): the connection could be read or altered.' },
    }),
  ];
}

/** `Insert below L9` from the host's `below line 9 of cart.ts`. */
export function insertButtonLabel(place: string | null | undefined): string {
  if (!place) return 'Insert';
  const below = /^below line (\d+)/.exec(place);
  if (below) return `Insert below L${below[1]}`;
  const at = /^at line (\d+)/.exec(place);
  if (at) return `Insert at L${at[1]}`;
  return 'Insert';
}

/** Builds a column's DOM, with nothing shown yet (see `describeState`, `applyMetric`, `renderColumnText`). */
export function renderColumn(backend: BackendView, index: number, run: { trials: number; targetLabel: string | null; insertPlace?: string | null | undefined }, callbacks: ColumnCallbacks): ColumnView {
  const { trials, targetLabel } = run;
  const root = el('article', {
    className: `column kind-${backend.kind} series-${index % 6}`,
    testId: 'column',
    attrs: { 'data-backend-id': backend.id, 'aria-label': `${backend.label} (${backend.kind}), column ${index + 1}`, [rovingAttr]: 'both', id: `column-${index + 1}` },
  });

  const label = el(
    'h2',
    { className: 'column-label', testId: 'column-label' },
    el('span', { className: 'column-name', text: backend.label }),
    ' ',
    el('span', { className: `kind-pill kind-${backend.kind}`, text: backend.kind, attrs: { 'data-tip': kindDescriptions[backend.kind] } }),
  );
  const baselineTag = el('span', { className: 'baseline-tag', text: 'baseline', testId: 'baseline-tag', attrs: { 'data-tip': 'Ratios in the summary are relative to this backend' } });
  baselineTag.hidden = true;
  const badges = el('span', { className: 'race-badges', testId: 'column-badges' });
  const pin = button({
    testId: 'action-baseline',
    icon: 'pin',
    label: '',
    title: `Set ${backend.label} as the baseline of the ratios (B)`,
    className: 'btn-icon btn-toggle',
    onClick: () => callbacks.togglePin(),
  });
  pin.setAttribute('aria-pressed', 'false');
  pin.setAttribute('aria-label', `Set ${backend.label} as baseline`);
  const focusToggle = button({
    testId: 'action-focus',
    icon: 'screen-full',
    label: '',
    title: `Show only ${backend.label}'s column`,
    className: 'btn-icon btn-toggle',
    onClick: () => callbacks.toggleFocus(),
  });
  focusToggle.setAttribute('aria-pressed', 'false');
  const header = el('header', { className: 'column-header' }, label, el('span', { className: 'column-header-tools' }, badges, baselineTag, pin, focusToggle));
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
  const details = el('div', { className: 'column-details' }, el('span', { className: 'column-model', text: backend.model }), connection);
  const notes = el('div', { className: 'column-notes' });
  if (backend.pricingNote) notes.append(el('span', { className: 'note' }, icon('tag'), el('span', { className: 'note-text', text: `Pricing: ${backend.pricingNote}` })));
  if (backend.trustNote) notes.append(el('span', { className: 'note' }, icon('shield'), el('span', { className: 'note-text', text: `Operator's claim: ${backend.trustNote}` })));

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
  const fixes = el('div', { className: 'fixes', testId: 'fixes', attrs: { role: 'group', 'aria-label': `Fix ${backend.label}` } });
  fixes.hidden = true;
  const keyNote = el('div', { className: 'key-note', testId: 'key-note', attrs: { role: 'note' } }, icon('shield'), 'This answer contained your API key; it was redacted.');
  keyNote.hidden = true;

  const checkSummary = el('summary', { className: 'check-summary', testId: 'check-summary' });
  const checkOutput = el('pre', { className: 'check-output scrolls', testId: 'check-output', attrs: { tabindex: '-1' } });
  const check = el('details', { className: 'check', testId: 'check', attrs: { 'data-state': '' } }, checkSummary, checkOutput);
  check.hidden = true;

  const metrics = new Map<MetricId, { root: HTMLElement; value: HTMLElement; badge: HTMLElement; flags: HTMLElement }>();
  const metricsEl = el('div', { className: 'metrics', attrs: { role: 'list', 'aria-label': `Metrics for ${backend.label}` } });
  for (const cell of pendingMetricCells()) {
    const value = el('span', { className: 'metric-value' });
    const badge = el('span', { className: 'badge' });
    const flags = el('span', { className: 'metric-flags' });
    // Focusable so keyboard users get the formula that mouse users get on hover.
    const cellEl = el(
      'div',
      { className: `metric metric-${cell.id}`, testId: `metric-${cell.id}`, attrs: { role: 'listitem', tabindex: '-1' } },
      el('div', { className: 'metric-head' }, el('span', { className: 'metric-label', text: cell.label }), badge, ...insecureBadge(backend)),
      el('div', { className: 'metric-body' }, value, flags),
    );
    metrics.set(cell.id, { root: cellEl, value, badge, flags });
    metricsEl.append(cellEl);
  }

  const textEl = el('div', { className: 'markdown', testId: 'column-text', attrs: { 'data-placeholder': '' } });
  const rawEl = el('pre', { className: 'raw scrolls', testId: 'column-raw', attrs: { tabindex: '-1' } });
  rawEl.hidden = true;
  const reasoningText = el('pre', { className: 'reasoning-text scrolls', attrs: { tabindex: '-1' } });
  const reasoning = el('details', { className: 'reasoning' }, el('summary', {}, icon('lightbulb'), 'Reasoning'), reasoningText);
  reasoning.hidden = true;
  const end = el('div', { className: 'column-end', attrs: { 'aria-hidden': 'true' } });
  const body = el('div', { className: 'column-body', testId: 'column-body', attrs: { tabindex: '0', role: 'region', 'aria-label': `Answer from ${backend.label}` } }, reasoning, textEl, rawEl, end);
  // The answer follows the stream while the end of the column is in view (the user did not
  // scroll up). An observer tells, after each layout; measuring on every render would force a
  // layout of the whole panel for each column in each frame.
  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver((entries) => (view.pinnedToEnd = entries[entries.length - 1]!.isIntersecting), { root: body, rootMargin: '0px 0px 24px 0px' }).observe(end);
  }

  const target = targetLabel ? ` in ${targetLabel}` : ' in the active editor';
  const insertPlace = run.insertPlace ? ` ${run.insertPlace}` : ' at the end of the active editor';
  const ref = (): { backendId: string; trial: number } => ({ backendId: backend.id, trial: callbacks.selectedTrial() });
  const actions: ColumnView['actions'] = {
    copy: button({ testId: 'action-copy', icon: 'copy', label: 'Copy', title: `Copy ${backend.label}'s whole answer`, onClick: () => callbacks.post({ type: 'copy', ...ref() }) }),
    insert: button({ testId: 'action-insert', icon: 'insert', label: insertButtonLabel(run.insertPlace), title: `Insert ${backend.label}'s code (or the whole answer when it has no code block)${insertPlace}`, onClick: () => callbacks.post({ type: 'apply', mode: 'insert', ...ref() }) }),
    replace: button({ testId: 'action-replace', icon: 'replace', label: 'Replace', title: `Replace the selection${target} with ${backend.label}'s code (or the whole answer when it has no code block)`, onClick: () => callbacks.post({ type: 'apply', mode: 'replace', ...ref() }) }),
    diffSelection: button({ testId: 'action-diff-selection', icon: 'diff-single', label: 'Diff sel.', title: `Diff the selection${target} with ${backend.label}'s code, beside the file, to apply it from there`, onClick: () => callbacks.post({ type: 'diffWithSelection', ...ref() }) }),
    diffColumn: button({ testId: 'action-diff-column', icon: 'diff', label: 'Diff…', title: `Diff ${backend.label}'s whole answer with another column`, onClick: (b) => callbacks.toggleDiffMenu(b) }),
    raw: button({ testId: 'action-raw', icon: 'code', label: 'Raw', title: `Show ${backend.label}'s answer as raw text`, className: 'btn-toggle', onClick: () => callbacks.toggleRaw() }),
  };
  actions.diffColumn.setAttribute('aria-haspopup', 'menu');
  actions.diffColumn.setAttribute('aria-expanded', 'false');
  actions.raw.setAttribute('aria-pressed', 'false');
  const footer = el(
    'footer',
    { className: 'column-actions', attrs: { role: 'group', 'aria-label': `Actions for ${backend.label}` } },
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
  root.append(stateEl, fixes, keyNote, check, metricsEl, body, footer);
  const view: ColumnView = {
    backend, index, root, trialSelect, stateEl, stateIcon, stateText, stateHint, stateProgress, stateElapsed, fixes, fixesKey: '', badges,
    check, checkSummary, checkOutput, checkKey: '', metrics, body, textEl, markdown: new StreamingMarkdown(textEl, keyboardReach, (removed) => {
      if (removed.some(holdsTabStop)) view.rovingLost = true;
    }), rawEl, reasoning, reasoningText,
    actions, baselineTag, pin, focusToggle, keyNote, menu: null, renderedKey: null, renderedStreaming: false, nextRenderAtMs: 0, pinnedToEnd: true,
    updateInputs: null, rovingLost: false, feed: { text: [], reasoning: [] }, shown: null,
  };
  return view;
}

/**
 * Links and scrollable code blocks of newly rendered Markdown are reached with the arrow keys
 * (the column is one Tab stop; Chromium would otherwise make every scrollable block a Tab stop
 * of its own).
 */
function keyboardReach(rendered: ParentNode): void {
  for (const link of rendered.querySelectorAll<HTMLElement>('.md-link')) link.tabIndex = -1;
  for (const pre of rendered.querySelectorAll<HTMLElement>('pre')) {
    pre.tabIndex = -1;
    pre.classList.add('scrolls');
  }
}

/** Whether a node holds its group's Tab stop or the focus. */
function holdsTabStop(node: Node): boolean {
  if (!(node instanceof Element)) return false;
  const active = node.ownerDocument.activeElement;
  return node.matches('[data-rove-current]') || node.querySelector('[data-rove-current]') !== null || (active !== null && node.contains(active));
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

/**
 * Whether a column's streaming icon (and its overview row's) spins: only until the answer's text
 * shows (while the model reasons, or before the first token). Then the growing text and its caret
 * show the progress; a spinning icon would make the browser draw the panel again every frame.
 */
export function iconSpins(status: ColumnStatus, snapshot: TrialSnapshot | undefined): boolean {
  return status === 'streaming' && (snapshot?.text ?? '') === '';
}

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

/** The fix buttons of the trial shown (none while it runs or when it delivered). */
export function updateFixes(view: ColumnView, fixes: readonly FixId[], post: (message: WebviewToHostMessage) => void): void {
  const key = fixes.join(',');
  if (key === view.fixesKey) return;
  view.fixesKey = key;
  view.fixes.hidden = fixes.length === 0;
  view.fixes.replaceChildren(
    ...fixes.map((fix, i) => {
      const spec = fixLabels[fix];
      return button({
        testId: `fix-${fix}`,
        icon: spec.icon,
        label: spec.label,
        title: spec.title(view.backend.label),
        className: i === 0 ? 'btn-primary btn-small' : 'btn-secondary btn-small',
        onClick: () => post({ type: 'fix', backendId: view.backend.id, fix }),
      });
    }),
  );
}

const checkWords: Record<CheckView['state'], { icon: string; text: (c: CheckView) => string }> = {
  queued: { icon: 'clock', text: () => 'Check queued' },
  running: { icon: 'loading', text: () => 'Checking…' },
  passed: { icon: 'pass-filled', text: (c) => `Check passed · exit 0 · ${formatMs(c.durationMs)}` },
  failed: { icon: 'error', text: (c) => `Check failed · exit ${c.exitCode ?? '—'} · ${formatMs(c.durationMs)}` },
  timedOut: { icon: 'watch', text: (c) => `Check timed out after ${formatMs(c.durationMs)}` },
  cancelled: { icon: 'circle-slash', text: () => 'Check cancelled' },
  error: { icon: 'warning', text: () => 'Check could not run' },
};

/** The candidate check of a column: state, command, what was checked and the output. */
export function updateCheck(view: ColumnView, check: CheckView | undefined): void {
  const key = check ? `${check.state}\u0000${check.output.length}\u0000${check.durationMs}` : '';
  if (key === view.checkKey) return;
  view.checkKey = key;
  view.check.hidden = !check;
  if (!check) return;
  view.check.dataset.state = check.state;
  const words = checkWords[check.state];
  view.checkSummary.replaceChildren(
    icon(words.icon, check.state === 'running' ? 'codicon-modifier-spin' : ''),
    el('span', { className: 'check-text', text: words.text(check) }),
  );
  const what = `$ ${check.command}\n(${check.detail})\n\n`;
  view.checkOutput.textContent = check.state === 'queued' || check.state === 'running' ? what : `${what}${check.output || '(no output)'}`;
  // A failure's output is what the user wants to read first.
  if (check.state === 'failed' || check.state === 'timedOut' || check.state === 'error') view.check.open = true;
}

export function applyMetric(view: ColumnView, cell: MetricCell): void {
  const target = view.metrics.get(cell.id);
  if (!target) return;
  target.root.dataset.value = cell.value === null ? '' : String(cell.value);
  target.root.dataset.source = cell.source;
  target.root.dataset.tip = cell.title;
  target.root.removeAttribute('title');
  target.root.setAttribute('aria-label', metricAriaLabel(cell));
  target.root.className = `metric metric-${cell.id} source-${cell.source}${cell.value === null ? ' is-unknown' : ''}`;
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
 * While it streams, the text fed to the column since the last render (`view.feed`, the host's
 * chunks) is added after what is shown when it accounts for the whole change; the answer itself
 * is then not read (reading a long streamed string copies it whole). Otherwise the whole text is
 * shown again. Returns whether the column should now be scrolled to the end of its answer (it
 * streams and the user had not scrolled away): the caller scrolls once every column is rendered,
 * so the panel is laid out once per frame, not once per column.
 */
export function renderColumnText(view: ColumnView, snapshot: TrialSnapshot | undefined, runStatus: PanelState['runStatus']): boolean {
  const text = snapshot?.text ?? '';
  const reasoning = snapshot?.reasoning ?? '';
  const streaming = Boolean(snapshot && !snapshot.final && runStatus === 'running');
  const feed = view.feed;
  view.feed = { text: [], reasoning: [] };
  const key = `${snapshot?.trial ?? 0}\u0000${text.length}\u0000${reasoning.length}\u0000${streaming}\u0000${snapshot?.final ? 'f' : ''}`;
  if (key === view.renderedKey) return false;
  view.renderedKey = key;
  const shown = view.shown;
  const textPart = feed.text.join('');
  const reasoningPart = feed.reasoning.join('');
  const continues =
    streaming &&
    shown !== null &&
    shown.streaming &&
    shown.snapshot === snapshot &&
    shown.textLength + textPart.length === text.length &&
    shown.reasoningLength + reasoningPart.length === reasoning.length;
  if (continues) {
    if (textPart) {
      view.markdown.append(textPart);
      view.rawEl.append(textPart);
    }
    if (reasoningPart) view.reasoningText.append(reasoningPart);
  } else {
    // The raw view holds the text on screen, the text the Markdown was given.
    const onScreen = view.rawEl.textContent ?? '';
    // While streaming only what arrived since the last render is rendered; the final text whole.
    view.markdown.show(text, !streaming, text.startsWith(onScreen));
    showText(view.rawEl, text, onScreen);
    showText(view.reasoningText, reasoning, view.reasoningText.textContent ?? '');
  }
  view.shown = snapshot ? { snapshot, streaming, textLength: text.length, reasoningLength: reasoning.length } : null;
  view.textEl.classList.toggle('streaming', streaming);
  view.reasoning.hidden = reasoning === '';
  // When the answer is complete, it is read from its first line.
  if (!streaming && view.renderedStreaming) view.body.scrollTop = 0;
  view.renderedStreaming = streaming;
  return streaming && view.pinnedToEnd;
}

/** Scrolls columns to the end of their answers (after all of them were rendered; see renderColumnText). */
export function scrollToEnd(views: Iterable<ColumnView>): void {
  for (const view of views) view.body.scrollTop = view.body.scrollHeight;
}

/**
 * Sets an element's text (`shown`: what it shows now); when the new text extends it, only the new
 * part is added (as a text node of its own: appending to one node would copy the whole text each time).
 */
function showText(element: HTMLElement, text: string, shown: string): void {
  if (shown === text) return;
  if (shown && text.startsWith(shown)) element.append(text.slice(shown.length));
  else element.textContent = text;
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
