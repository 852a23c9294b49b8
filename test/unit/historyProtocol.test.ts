import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArenaMessage } from '../../src/shared/arenaProtocol';
import { emptyPanelState } from '../../src/shared/panelReducer';
import { parsePersistedState } from '../../src/shared/protocol';

test('a past run shown in the panel keeps its "from history" mark across a reload; older saved states have none', () => {
  const state = { ...emptyPanelState(), runStatus: 'finished' as const, fromHistory: '2026-03-01T10:00:00.000Z' };
  assert.equal(parsePersistedState({ panel: state })?.fromHistory, '2026-03-01T10:00:00.000Z');
  assert.equal(parsePersistedState({ panel: emptyPanelState() })?.fromHistory, undefined);
  assert.equal(parsePersistedState({ panel: { ...state, fromHistory: 42 } }), null);
});

test('the Blind A/B panel messages are validated: votes are one of four, unknown messages are dropped', () => {
  assert.deepEqual(parseArenaMessage({ type: 'vote', battleId: 'b1', vote: 'bothBad' }), { ok: true, message: { type: 'vote', battleId: 'b1', vote: 'bothBad' } });
  assert.equal(parseArenaMessage({ type: 'vote', battleId: 'b1', vote: 'c' }).ok, false);
  assert.equal(parseArenaMessage({ type: 'reveal' }).ok, false);
  assert.equal(parseArenaMessage({ type: 'runScript', code: 'x' }).ok, false);
  assert.equal(parseArenaMessage(null).ok, false);
});
