import { test } from 'node:test';
import assert from 'node:assert/strict';
import { battleRecord, drawPairing } from '../../src/core/arena';
import { battleView, leaderboardView, type Battle } from '../../src/extension/arenaView';
import { makeTrial } from './helpers/makeResult';

const sides = [
  { id: 'openai', label: 'OpenAI GPT', kind: 'closed' as const, model: 'gpt-4o-mini' },
  { id: 'chutes', label: 'Chutes SN64', kind: 'decentralized' as const, model: 'deepseek-v3' },
];
const secretWords = ['openai', 'OpenAI GPT', 'chutes', 'Chutes SN64', 'gpt-4o-mini', 'deepseek-v3', 'closed', 'decentralized'];

function battle(phase: Battle['phase'], extra: Partial<Battle> = {}): Battle {
  const pairing = drawPairing(sides, () => 0.9);
  return {
    battleId: 'b1',
    runId: 'r1',
    promptPreview: 'Explain a mutex.',
    pairing,
    phase,
    results: {
      a: makeTrial({ backendId: pairing.a.id, backendLabel: pairing.a.label, kind: pairing.a.kind, model: pairing.a.model, text: 'answer of A', metrics: { ttftMs: 120, totalMs: 900 } as never }),
      b: makeTrial({ backendId: pairing.b.id, backendLabel: pairing.b.label, kind: pairing.b.kind, model: pairing.b.model, text: 'answer of B', metrics: { ttftMs: 800, totalMs: 4000 } as never }),
    },
    vote: null,
    revealed: false,
    abort: null,
    ...extra,
  };
}

test('blinding: no answer while waiting, both answers together for the vote, no name, kind, model or figure before the reveal', () => {
  const waiting = battleView(battle('waiting'));
  assert.equal(waiting.answers, null, 'nothing shown while either side runs');
  assert.equal(waiting.reveal, null);
  const voting = battleView(battle('voting'));
  assert.deepEqual(voting.answers, { a: 'answer of A', b: 'answer of B' });
  assert.equal(voting.reveal, null);
  const wire = JSON.stringify(voting);
  for (const word of secretWords) assert.ok(!wire.includes(word), `"${word}" reaches the panel before the vote: ${wire}`);
  for (const figure of ['120', '900', '800', '4000']) assert.ok(!wire.includes(figure), `a timing (${figure}) reaches the panel before the vote`);
});

test('the reveal names each side as it was shown, with its figures', () => {
  const b = battle('revealed', { vote: 'a', revealed: true });
  const view = battleView(b);
  assert.equal(view.reveal!.a.label, b.pairing.a.label);
  assert.equal(view.reveal!.b.label, b.pairing.b.label);
  assert.equal(view.reveal!.a.ttftMs, 120);
  assert.match(view.reveal!.b.stateLine, /^Done in 4\.00 s/);
  assert.equal(view.vote, 'a');
});

test('a side without an answer makes the battle void; the reason names the side, not the backend', () => {
  const b = battle('void');
  b.results!.b = { ...b.results!.b, status: 'http_error', text: '', error: { type: 'http_error', httpStatus: 500, message: 'HTTP 500', hint: 'retry' } };
  const view = battleView(b);
  assert.match(view.voidReason!, /^Answer B delivered no answer/);
  for (const word of secretWords) assert.ok(!JSON.stringify(view).includes(word), word);
});

test('the leaderboard view names backends by their latest label and carries the core figures', () => {
  const pairing = drawPairing(sides, () => 0.1, ['openai', 'chutes']);
  const votes = Array.from({ length: 3 }, (_, i) => battleRecord({ battleId: `b${i}`, runId: `r${i}`, pairing, vote: 'b' }));
  const view = leaderboardView({ battles: votes });
  assert.equal(view.totalVotes, 3);
  assert.equal(view.ratingsShown, false);
  const top = view.standings[0]!;
  assert.equal(top.label, pairing.b.label);
  assert.equal(top.wins, 3);
  assert.ok(top.winRateCi95 && top.winRateCi95[0] > 0.3, `Wilson lower bound for 3/3: ${top.winRateCi95}`);
  assert.equal(view.pairs[0]!.votes, 3);
});
