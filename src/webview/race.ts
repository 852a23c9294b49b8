/**
 * The overview strip at the top of the panel, always in view: one row per backend with its
 * state, TTFT (filled the moment the host reports the first token), total and cost, a race bar
 * (time so far, a mark at the first token, finish order) and the *fastest* / *cheapest* badges.
 * A click (or Enter) on a row brings that backend's column into view and focuses it.
 *
 * Figures come from the core summary (medians of delivered trials) and the host's TTFT; this
 * module only lays them out. The race bar's length while streaming is the time since this page
 * heard the trial start (a display, not a figure).
 */
import { formatMs, formatUsd, unknownMark } from '../core/format';
import type { BackendSummary, Summary } from '../core/summary';
import type { BackendView } from '../shared/protocol';
import { el, icon } from './components';
import { rovingAttr } from './keyboard';
import type { WebviewState } from './state';

interface RaceRow {
  root: HTMLButtonElement;
  state: HTMLElement;
  ttft: HTMLElement;
  total: HTMLElement;
  cost: HTMLElement;
  bar: HTMLElement;
  mark: HTMLElement;
  badges: HTMLElement;
  badgesKey: string;
  stateKey: string;
}

export interface RaceView {
  root: HTMLElement;
  rows: Map<string, RaceRow>;
}

/** `1st`, `2nd`, `3rd`, `11th`… */
export function ordinal(n: number): string {
  const tens = n % 100;
  const units = n % 10;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${units === 1 ? 'st' : units === 2 ? 'nd' : units === 3 ? 'rd' : 'th'}`;
}

function figure(label: string, testId: string): HTMLElement {
  return el('span', { className: `race-figure race-${testId}`, testId: `race-${testId}` }, el('span', { className: 'race-figure-label', text: label }), el('span', { className: 'race-figure-value' }));
}

function setFigure(cell: HTMLElement, text: string, value: number | null, unknown = false): void {
  const valueEl = cell.querySelector<HTMLElement>('.race-figure-value')!;
  if (valueEl.textContent !== text) valueEl.textContent = text;
  const data = value === null ? '' : String(value);
  if (cell.dataset.value !== data) cell.dataset.value = data;
  cell.classList.toggle('is-unknown', unknown);
}

/** Builds the strip; `onPick` brings a backend's column into view. */
export function renderRace(backends: readonly BackendView[], onPick: (backendId: string) => void): RaceView {
  const root = el('nav', { className: 'race', testId: 'race', attrs: { 'aria-label': 'Overview: one row per backend; Enter shows its column', [rovingAttr]: 'vertical' } });
  const rows = new Map<string, RaceRow>();
  backends.forEach((backend, index) => {
    const state = el('span', { className: 'race-state', testId: 'race-state' });
    const ttft = figure('TTFT', 'ttft');
    const total = figure('Total', 'total');
    const cost = figure('Cost', 'cost');
    const bar = el('span', { className: 'race-bar' });
    const mark = el('span', { className: 'race-mark', attrs: { 'aria-hidden': 'true' } });
    const track = el('span', { className: 'race-track', attrs: { 'aria-hidden': 'true' } }, bar, mark);
    const badges = el('span', { className: 'race-badges', testId: 'race-badges' });
    const row = el(
      'button',
      { className: `race-row series-${index % 6}`, testId: 'race-row', attrs: { type: 'button', 'data-backend-id': backend.id, tabindex: '-1' } },
      el('span', { className: 'race-name' }, el('span', { className: `swatch series-${index % 6}` }), el('span', { className: 'race-label', text: backend.label }), el('span', { className: 'race-kind', text: backend.kind })),
      state,
      ttft,
      total,
      cost,
      track,
      badges,
    );
    row.addEventListener('click', () => onPick(backend.id));
    rows.set(backend.id, { root: row, state, ttft, total, cost, bar, mark, badges, badgesKey: '', stateKey: '' });
    root.append(row);
  });
  return { root, rows };
}

/** Badges of a backend: finish order, fastest, cheapest, and its candidate check. */
export function badgeList(s: BackendSummary | undefined, summary: Summary | null, check: { state: string } | undefined): Array<{ kind: string; text: string; tip: string; icon: string }> {
  const out: Array<{ kind: string; text: string; tip: string; icon: string }> = [];
  if (!s) return out;
  if (summary?.fastestId === s.id) out.push({ kind: 'fastest', text: 'fastest', icon: 'zap', tip: `Fastest: the lowest median total time (${formatMs(s.totalP50Ms)}) of the backends that delivered.` });
  if (summary?.cheapestId === s.id) out.push({ kind: 'cheapest', text: 'cheapest', icon: 'tag', tip: `Cheapest: the lowest median cost of an answer (${formatUsd(s.costP50Usd)}); every backend that delivered has a known cost.` });
  if (check?.state === 'passed') out.push({ kind: 'check-passed', text: 'check passed', icon: 'pass', tip: 'The check command passed with this answer applied.' });
  if (check?.state === 'failed' || check?.state === 'timedOut') out.push({ kind: 'check-failed', text: 'check failed', icon: 'error', tip: 'The check command failed with this answer applied; see the column.' });
  return out;
}

/** Renders badge elements (shared by the strip, the column headers and the summary). */
export function badgeElements(badges: ReturnType<typeof badgeList>): HTMLElement[] {
  return badges.map((b) => el('span', { className: `race-badge badge-${b.kind}`, testId: `badge-${b.kind}`, attrs: { 'data-tip': b.tip } }, icon(b.icon), b.text));
}

/** Brings every row up to date: state, figures, bar, badges. */
export function updateRace(view: RaceView, webview: WebviewState, statusOf: (backendId: string) => { status: string; short: string; spins: boolean }): void {
  const state = webview.panel;
  const summary = webview.summary;
  const now = performance.now();
  const lengths = new Map<string, { ms: number | null; ttftMs: number | null; failed: boolean; live: boolean }>();
  for (const id of view.rows.keys()) {
    const snapshot = webview.displayedSnapshot(id);
    const final = snapshot?.final;
    let ms: number | null = null;
    let live = false;
    if (snapshot && !final && state.runStatus === 'running') {
      const started = webview.startedAt(snapshot);
      ms = started === undefined ? null : now - started;
      live = true;
    } else if (final) {
      ms = final.metrics.totalMs ?? final.wallMs;
    }
    const ttftMs = final ? final.metrics.ttftMs : (snapshot?.liveTtftMs ?? null);
    lengths.set(id, { ms, ttftMs, failed: Boolean(final && final.status !== 'ok'), live });
  }
  const scale = Math.max(1, ...[...lengths.values()].map((l) => l.ms ?? 0));
  for (const [id, row] of view.rows) {
    const s = summary?.backends.find((b) => b.id === id);
    const { status, short, spins } = statusOf(id);
    // Rebuilt only when it changes: a new spinning icon restarts its animation and restyles the row.
    const stateKey = `${status}\u0000${short}\u0000${spins}`;
    if (row.stateKey !== stateKey) {
      row.stateKey = stateKey;
      row.root.dataset.status = status;
      row.state.replaceChildren(icon(status === 'streaming' ? 'loading' : status === 'ok' ? 'pass-filled' : status === 'waiting' ? 'clock' : 'error', spins ? 'codicon-modifier-spin' : ''), short);
    }
    const delivered = (s?.delivered ?? 0) > 0;
    const length = lengths.get(id)!;
    const ttft = delivered ? s!.ttftP50Ms : length.ttftMs;
    setFigure(row.ttft, formatMs(ttft), ttft);
    setFigure(row.total, delivered ? formatMs(s!.totalP50Ms) : unknownMark, delivered ? s!.totalP50Ms : null);
    const costUnknown = delivered && s!.costP50Usd === null;
    setFigure(row.cost, delivered ? (costUnknown ? 'unknown' : formatUsd(s!.costP50Usd)) : unknownMark, delivered ? s!.costP50Usd : null, costUnknown);
    row.bar.style.width = length.ms === null ? '0' : `${Math.min(100, (length.ms / scale) * 100).toFixed(2)}%`;
    row.bar.classList.toggle('live', length.live);
    row.bar.classList.toggle('failed', length.failed);
    row.mark.hidden = length.ttftMs === null;
    if (length.ttftMs !== null) row.mark.style.left = `${Math.min(100, (length.ttftMs / scale) * 100).toFixed(2)}%`;
    const badges = badgeList(s, summary, webview.check(id));
    const rank = s?.speedRank ?? null;
    const key = `${rank}|${badges.map((b) => b.kind).join(',')}`;
    if (key !== row.badgesKey) {
      row.badgesKey = key;
      const rankEl = rank !== null && state.run && state.run.backends.length > 1 ? [el('span', { className: 'race-rank', testId: 'race-rank', text: ordinal(rank), attrs: { 'data-tip': `Finish order by median total time: ${ordinal(rank)}` } })] : [];
      row.badges.replaceChildren(...rankEl, ...badgeElements(badges));
    }
  }
}
