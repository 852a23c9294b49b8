/**
 * The Blind A/B panel's rendering: the battle (prompt, answers A and B, the vote, the reveal)
 * and the leaderboard (ratings with intervals, win rates per pair). Everything is built with
 * DOM APIs; answers go through the same inert Markdown renderer as the comparison panel.
 * Figures arrive computed (src/core/leaderboard.ts via the host) and are only formatted here.
 */
import { formatMs, formatPercentWithCi, formatRating, formatUsd, unknownMark } from '../../core/format';
import type { ArenaState, ArenaToHostMessage, BattleView, LeaderboardView, RevealedSide } from '../../shared/arenaProtocol';
import { button, el, icon } from '../components';
import { renderMarkdown } from '../markdown';

type Post = (message: ArenaToHostMessage) => void;
type Vote = NonNullable<BattleView['vote']>;

const voteTexts: Record<Vote, string> = { a: 'A is better', b: 'B is better', tie: 'Tie', bothBad: 'Both are bad' };
/** Keys that cast a vote from the keyboard. */
export const voteKeys: Record<string, Vote> = { a: 'a', b: 'b', t: 'tie', x: 'bothBad' };


function header(revealed: boolean): HTMLElement {
  return el(
    'header',
    { className: 'arena-header' },
    el('div', { className: 'brand', attrs: { 'aria-hidden': 'true' } }, icon('eye-closed')),
    el(
      'div',
      { className: 'arena-heading' },
      el('h1', { className: 'run-title', text: 'Blind A/B', testId: 'arena-title' }),
      el('p', {
        className: 'muted',
        text: revealed
          ? 'Two backends answered the same prompt; after the vote, here is who was who, with their figures.'
          : 'Two backends answer the same prompt. Who is who — names, kinds, cost and speed — stays hidden until you vote.',
      }),
    ),
  );
}

/** The battle: prompt, the two answers side by side, the vote bar or the reveal. */
function renderBattle(battle: BattleView, post: Post, elapsed: HTMLElement): HTMLElement {
  const root = el('section', { className: 'battle', testId: 'battle', attrs: { 'aria-label': 'Blind comparison', 'data-phase': battle.phase } });
  root.append(
    el('div', { className: 'prompt' }, el('span', { className: 'prompt-label' }, icon('comment'), 'Prompt'), el('p', { className: 'prompt-preview', text: battle.promptPreview, testId: 'arena-prompt' })),
  );
  if (battle.phase === 'waiting') {
    root.append(
      el(
        'div',
        { className: 'arena-waiting', testId: 'arena-waiting', attrs: { role: 'status' } },
        icon('loading', 'codicon-modifier-spin'),
        el('span', { text: 'Waiting for both answers. They appear together, so neither speed nor order gives a side away.' }),
        elapsed,
        button({ testId: 'arena-cancel', icon: 'debug-stop', label: 'Cancel', title: 'Stop this blind comparison', className: 'btn-secondary', onClick: () => post({ type: 'cancel' }) }),
      ),
    );
    return root;
  }
  if (battle.phase === 'cancelled') {
    root.append(el('p', { className: 'arena-note', testId: 'arena-cancelled', text: 'Cancelled before both answers ended; there is nothing to vote on.' }));
    root.append(againBar(post, null));
    return root;
  }
  const sides = el('div', { className: 'arena-sides' });
  for (const side of ['a', 'b'] as const) sides.append(renderSide(side, battle));
  root.append(sides);
  if (battle.phase === 'voting') root.append(voteBar(battle, post));
  if (battle.phase === 'void') {
    root.append(
      el(
        'div',
        { className: 'arena-note', testId: 'arena-void', attrs: { role: 'status' } },
        icon('info'),
        el('span', { text: battle.voidReason ?? 'A side delivered no answer, so there is nothing to vote on.' }),
        button({ testId: 'arena-reveal', icon: 'eye', label: 'Reveal', title: 'Show who answered (no vote is stored)', className: 'btn-secondary', onClick: () => post({ type: 'reveal', battleId: battle.battleId }) }),
      ),
    );
  }
  if (battle.phase === 'revealed') {
    if (battle.vote) root.append(el('p', { className: 'arena-voted', testId: 'arena-voted' }, icon('pass'), `Your vote: ${voteTexts[battle.vote]}. Stored with the other votes.`));
    root.append(againBar(post, battle.battleId));
  }
  return root;
}

function renderSide(side: 'a' | 'b', battle: BattleView): HTMLElement {
  const letter = side.toUpperCase();
  const revealed = battle.reveal?.[side] ?? null;
  const card = el('article', { className: `arena-side side-${side}${battle.vote === side ? ' winner' : ''}`, testId: `arena-side-${side}`, attrs: { 'aria-label': `Answer ${letter}` } });
  const head = el('div', { className: 'arena-side-head' }, el('span', { className: 'side-letter', text: letter, attrs: { 'aria-hidden': 'true' } }));
  if (revealed) {
    head.append(
      el('span', { className: 'side-name', text: revealed.label, testId: `arena-name-${side}` }),
      el('span', { className: `kind-pill kind-${revealed.kind}`, text: revealed.kind }),
      el('span', { className: 'side-model muted', text: revealed.model }),
    );
  } else {
    head.append(el('span', { className: 'side-name muted', text: `Answer ${letter}`, testId: `arena-name-${side}` }));
  }
  card.append(head);
  if (revealed) card.append(revealMetrics(revealed, side));
  const text = battle.answers?.[side] ?? '';
  const body = el('div', { className: 'markdown arena-answer', testId: `arena-answer-${side}` });
  body.innerHTML = text ? renderMarkdown(text) : '';
  if (!text) body.append(el('p', { className: 'muted', text: '(no answer)' }));
  card.append(body);
  return card;
}

function revealMetrics(side: RevealedSide, letter: 'a' | 'b'): HTMLElement {
  const cell = (label: string, value: string, testId: string, title?: string) =>
    el('div', { className: 'reveal-metric', testId, attrs: title ? { title } : {} }, el('span', { className: 'muted', text: label }), el('strong', { text: value }));
  const costTitle = side.costBadge === 'unknown' ? 'No price is known for this backend.' : `Cost ${side.costBadge}.`;
  return el(
    'div',
    { className: 'reveal-metrics', testId: `arena-reveal-${letter}` },
    cell('TTFT', formatMs(side.ttftMs), `arena-ttft-${letter}`),
    cell('Total', formatMs(side.totalMs), `arena-total-${letter}`),
    cell('Cost', side.costUsd === null ? unknownMark : `${formatUsd(side.costUsd)}${side.costBadge === 'estimated' ? ' (est.)' : ''}`, `arena-cost-${letter}`, costTitle),
    el('div', { className: 'reveal-state muted', text: side.stateLine }),
  );
}

function voteBar(battle: BattleView, post: Post): HTMLElement {
  const vote = (v: Vote) => post({ type: 'vote', battleId: battle.battleId, vote: v });
  return el(
    'div',
    { className: 'vote-bar', attrs: { role: 'group', 'aria-label': 'Your vote' } },
    button({ testId: 'vote-a', icon: 'arrow-left', label: 'A is better', title: 'A is better (key A)', className: 'btn-primary', onClick: () => vote('a') }),
    button({ testId: 'vote-tie', icon: 'circle-large-outline', label: 'Tie', title: 'Equally good (key T)', className: 'btn-secondary', onClick: () => vote('tie') }),
    button({ testId: 'vote-bothBad', icon: 'thumbsdown', label: 'Both are bad', title: 'Neither is acceptable (key X)', className: 'btn-secondary', onClick: () => vote('bothBad') }),
    button({ testId: 'vote-b', icon: 'arrow-right', label: 'B is better', title: 'B is better (key B)', className: 'btn-primary', onClick: () => vote('b') }),
  );
}

function againBar(post: Post, battleId: string | null): HTMLElement {
  const bar = el('div', { className: 'toolbar arena-actions' });
  bar.append(button({ testId: 'arena-again', icon: 'refresh', label: 'Another blind comparison', title: 'Start another blind comparison', className: 'btn-primary', onClick: () => post({ type: 'again' }) }));
  if (battleId) {
    bar.append(
      button({ testId: 'arena-open-panel', icon: 'beaker', label: 'Open in comparison panel', title: 'Show both answers with every metric in the comparison panel (nothing is sent)', className: 'btn-secondary', onClick: () => post({ type: 'openInPanel', battleId }) }),
    );
  }
  return bar;
}

const svgNs = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** A small interval plot: a line from low to high with a dot at the value, on [min, max]. */
function intervalPlot(value: number, ci: readonly [number, number] | null, min: number, max: number, label: string): SVGSVGElement {
  const width = 160;
  const x = (v: number) => 4 + ((v - min) / (max - min || 1)) * (width - 8);
  const root = svg('svg', { viewBox: `0 0 ${width} 14`, class: 'ci-plot', role: 'img', 'aria-label': label });
  root.append(svg('line', { x1: 4, x2: width - 4, y1: 7, y2: 7, class: 'ci-axis' }));
  if (ci) root.append(svg('line', { x1: x(ci[0]), x2: x(ci[1]), y1: 7, y2: 7, class: 'ci-range' }));
  root.append(svg('circle', { cx: x(value), cy: 7, r: 3.5, class: 'ci-point' }));
  return root;
}

/** The leaderboard: ratings (when shown) or win rates with intervals, then each pair. */
function renderLeaderboard(board: LeaderboardView, post: Post): HTMLElement {
  const root = el('section', { className: 'leaderboard', testId: 'leaderboard', attrs: { 'aria-label': 'Leaderboard' } });
  const top = el(
    'div',
    { className: 'leaderboard-top' },
    el('h2', { text: 'Leaderboard' }),
    el('span', { className: 'muted', text: `${board.totalVotes} vote${board.totalVotes === 1 ? '' : 's'}`, testId: 'leaderboard-votes' }),
    button({ testId: 'export-votes', icon: 'export', label: 'Export votes', title: 'Save every vote as JSONL in the public battle schema', className: 'btn-secondary', onClick: () => post({ type: 'exportVotes' }) }),
  );
  root.append(top);
  if (!board.totalVotes) {
    root.append(el('p', { className: 'muted', text: 'No votes yet. Each blind comparison you vote on counts here.' }));
    return root;
  }
  root.append(el('p', { className: 'muted leaderboard-note', text: board.ratingsNote, testId: 'ratings-note' }));
  const table = el('table', { className: 'summary-table leaderboard-table' });
  const headRow = el('tr', {});
  const heads = board.ratingsShown ? ['Rank', 'Backend', 'Rating [95 % CI]', '', 'Win rate [95 % CI]', 'Votes', 'W / T / L'] : ['Backend', 'Win rate [95 % CI]', '', 'Votes', 'W / T / L'];
  for (const h of heads) headRow.append(el('th', { text: h, attrs: { scope: 'col' } }));
  table.append(el('thead', {}, headRow));
  const body = el('tbody', {});
  const ratings = board.standings.flatMap((s) => (s.ratingCi95 ? [...s.ratingCi95] : s.rating !== null ? [s.rating] : []));
  const rMin = Math.min(...ratings);
  const rMax = Math.max(...ratings);
  for (const s of board.standings) {
    const row = el('tr', { testId: 'standing', attrs: { 'data-name': s.name } });
    if (board.ratingsShown) {
      row.append(el('td', { className: 'num', text: s.rankUpper === null ? unknownMark : String(s.rankUpper), attrs: { title: 'Rank by upper bound: 1 + backends whose whole interval is above this one' } }));
    }
    row.append(el('td', { className: 'leader-name', text: s.label, attrs: { title: s.name } }));
    if (board.ratingsShown) {
      row.append(el('td', { className: 'num', text: formatRating(s.rating, s.ratingCi95), testId: 'rating' }));
      const plot = el('td', { className: 'plot' });
      if (s.rating !== null) plot.append(intervalPlot(s.rating, s.ratingCi95, rMin, rMax, `Rating ${formatRating(s.rating, s.ratingCi95)}`));
      row.append(plot);
      row.append(el('td', { className: 'num', text: formatPercentWithCi(s.winRate, s.winRateCi95), testId: 'win-rate' }));
    } else {
      row.append(el('td', { className: 'num', text: formatPercentWithCi(s.winRate, s.winRateCi95), testId: 'win-rate' }));
      const plot = el('td', { className: 'plot' });
      if (s.winRate !== null) plot.append(intervalPlot(s.winRate, s.winRateCi95, 0, 1, `Win rate ${formatPercentWithCi(s.winRate, s.winRateCi95)}`));
      row.append(plot);
    }
    row.append(el('td', { className: 'num', text: String(s.votes) }), el('td', { className: 'num', text: `${s.wins} / ${s.ties} / ${s.losses}` }));
    body.append(row);
  }
  table.append(body);
  root.append(table);
  if (board.pairs.length) {
    root.append(el('h3', { text: 'Head to head' }));
    const list = el('ul', { className: 'pair-list' });
    for (const p of board.pairs) {
      const ties = p.ties ? `, ${p.ties} tie${p.ties === 1 ? '' : 's'}${p.bothBad ? ` (${p.bothBad} both bad)` : ''}` : '';
      list.append(
        el(
          'li',
          { testId: 'pair' },
          el('strong', { text: `${p.aLabel} vs ${p.bLabel}` }),
          `: ${p.aLabel} wins ${formatPercentWithCi(p.winRateA, p.winRateCi95)} of ${p.votes} vote${p.votes === 1 ? '' : 's'} (${p.winsA}–${p.winsB}${ties}; ties count half)`,
        ),
      );
    }
    root.append(list);
  }
  return root;
}

/** Renders the whole panel for `state`. */
export function renderArena(app: HTMLElement, state: ArenaState, post: Post, elapsed: HTMLElement): void {
  app.replaceChildren(header(state.battle?.phase === 'revealed'));
  if (state.battle) app.append(renderBattle(state.battle, post, elapsed));
  if (state.leaderboard) app.append(renderLeaderboard(state.leaderboard, post));
  if (!state.battle && !state.leaderboard) app.append(el('p', { className: 'muted', text: 'Run “Bakeoff: Compare Blind…” to start.' }));
}
