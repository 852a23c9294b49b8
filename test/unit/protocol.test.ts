import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialResult } from '../../src/core/types';
import {
  HostToWebviewMessage,
  PanelState,
  assertNever,
  parsePersistedState,
  parseWebviewMessage,
  toTrialSnapshot,
  type WebviewToHostMessage,
} from '../../src/shared/protocol';
import { emptyPanelState } from '../../src/shared/panelReducer';

const secret = 'sk-test-SECRET-0123456789';

function trialResult(overrides: Partial<TrialResult> = {}): TrialResult {
  return {
    backendId: 'openai',
    backendLabel: 'OpenAI',
    kind: 'closed',
    model: 'gpt-4o-mini',
    trial: 1,
    status: 'ok',
    error: null,
    text: 'Hello **world**\r\n```js\nx\n```\u0000 🙂',
    reasoning: 'because',
    finishReason: 'stop',
    metrics: {
      ttftMs: 412.5,
      totalMs: 3180.25,
      tpotMs: 13.1,
      chunkGapP50Ms: 10,
      chunkGapP95Ms: 30,
      tokensPerSecond: 75.1,
      inputTokens: 182,
      outputTokens: 214,
      cachedInputTokens: null,
      reasoningTokens: null,
      tokenSource: 'reported',
    },
    cost: { costUsd: 0.000156, costSource: 'catalog', detail: '182 in × $0.15/M + 214 out × $0.60/M', asOf: '2025-06-01' },
    timing: { startMs: 0, headersMs: 300, firstByteMs: 310, firstContentMs: 412.5, chunkMs: [412.5, 500], endMs: 3180.25 },
    request: {
      url: 'https://api.example.com/v1/chat/completions',
      headers: { authorization: `Bearer ${secret}`, 'x-api-key': secret },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    },
    retries: 0,
    retryWaitMs: 0,
    retryAfterMs: null,
    wallMs: 3180.25,
    usageReported: true,
    keyRedacted: false,
    tlsUnverified: false,
    ...overrides,
  };
}

describe('parseWebviewMessage', () => {
  const valid: WebviewToHostMessage[] = [
    { type: 'ready' },
    { type: 'cancel' },
    { type: 'rerun' },
    { type: 'export' },
    { type: 'copy', backendId: 'openai', trial: 1 },
    { type: 'apply', backendId: 'chutes.ai_v3-x', trial: 3, mode: 'insert' },
    { type: 'apply', backendId: 'a', trial: 1, mode: 'replace' },
    { type: 'diffWithSelection', backendId: 'a', trial: 2 },
    { type: 'diffColumns', left: { backendId: 'a', trial: 1 }, right: { backendId: 'b', trial: 1 } },
    { type: 'openLink', url: 'https://example.com/docs' },
  ];

  for (const message of valid) {
    it(`accepts ${message.type}${'mode' in message ? ` (${message.mode})` : ''}`, () => {
      const parsed = parseWebviewMessage(JSON.parse(JSON.stringify(message)));
      assert.equal(parsed.ok, true);
      if (parsed.ok) assert.deepEqual(parsed.message, message);
    });
  }

  const invalid: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { backendId: 'a', trial: 1 }],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
    ['a host-to-webview type', { type: 'stateRestored', state: emptyPanelState() }],
    ['copy without a trial', { type: 'copy', backendId: 'a' }],
    ['copy with trial 0', { type: 'copy', backendId: 'a', trial: 0 }],
    ['copy with a fractional trial', { type: 'copy', backendId: 'a', trial: 1.5 }],
    ['copy with a string trial', { type: 'copy', backendId: 'a', trial: '1' }],
    ['a bad backend id', { type: 'copy', backendId: '../../etc', trial: 1 }],
    ['an empty backend id', { type: 'copy', backendId: '', trial: 1 }],
    ['apply with an unknown mode', { type: 'apply', backendId: 'a', trial: 1, mode: 'overwriteFile' }],
    ['diffColumns without right', { type: 'diffColumns', left: { backendId: 'a', trial: 1 } }],
    ['openLink without url', { type: 'openLink' }],
    ['openLink with a huge url', { type: 'openLink', url: `https://e.com/${'a'.repeat(5000)}` }],
  ];
  for (const [name, raw] of invalid) {
    it(`rejects ${name}`, () => {
      const parsed = parseWebviewMessage(raw);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.ok(parsed.reason.length > 0);
    });
  }

  it('drops unknown extra fields instead of passing them on', () => {
    const parsed = parseWebviewMessage({ type: 'cancel', command: 'x' });
    assert.equal(parsed.ok, true);
    if (parsed.ok) assert.deepEqual(parsed.message, { type: 'cancel' });
  });

  it('accepts export with an extra field, dropping the field', () => {
    const parsed = parseWebviewMessage({ type: 'export', extra: 1 });
    assert.equal(parsed.ok, true);
    if (parsed.ok) assert.deepEqual(parsed.message, { type: 'export' });
  });
});

describe('toTrialSnapshot', () => {
  it('keeps the exact text and the numbers the panel shows', () => {
    const result = trialResult();
    const snapshot = toTrialSnapshot(result);
    assert.equal(snapshot.text, result.text);
    assert.equal(snapshot.reasoning, 'because');
    assert.equal(snapshot.final?.metrics.ttftMs, 412.5);
    assert.equal(snapshot.final?.metrics.outputTokens, 214);
    assert.equal(snapshot.final?.cost.costUsd, 0.000156);
    assert.equal(snapshot.final?.cost.asOf, '2025-06-01');
    assert.equal(snapshot.final?.status, 'ok');
  });

  it('never carries the request (URL, headers, keys) or raw timing marks', () => {
    const snapshot = toTrialSnapshot(trialResult());
    const json = JSON.stringify(snapshot);
    assert.doesNotMatch(json, new RegExp(secret));
    assert.doesNotMatch(json, /api\.example\.com|authorization|chunkMs|headersMs/i);
  });

  it('keeps typed errors with their hint, without the error body', () => {
    const snapshot = toTrialSnapshot(
      trialResult({
        status: 'http_error',
        error: { type: 'http_error', message: 'HTTP 500 Internal Server Error', hint: 'Retry later.', httpStatus: 500, body: '<html>secret page</html>' },
        text: '',
      }),
    );
    assert.deepEqual(snapshot.final?.error, { type: 'http_error', message: 'HTTP 500 Internal Server Error', hint: 'Retry later.', httpStatus: 500 });
    assert.doesNotMatch(JSON.stringify(snapshot), /secret page/);
  });

  it('produces messages the schema accepts, with non-finite numbers as unknown and long strings clipped', () => {
    const snapshot = toTrialSnapshot(
      trialResult({
        metrics: { ...trialResult().metrics, tokensPerSecond: Number.POSITIVE_INFINITY, tpotMs: Number.NaN },
        cost: { costUsd: null, costSource: 'unknown', detail: 'x'.repeat(10_000) },
        error: null,
      }),
    );
    assert.equal(snapshot.final?.metrics.tokensPerSecond, null);
    assert.equal(snapshot.final?.metrics.tpotMs, null);
    assert.ok((snapshot.final?.cost.detail.length ?? 0) <= 2_000);
    const message = HostToWebviewMessage.safeParse({ type: 'trialFinished', trial: snapshot });
    assert.equal(message.success, true, message.success ? '' : JSON.stringify(message.error.issues));
  });
});

describe('toTrialSnapshot: timing breakdown, stream flags, connection', () => {
  it('carries the phases (non-finite as unknown), the flags and the connection; the schema accepts them', () => {
    const phases = {
      dnsMs: 1,
      connectMs: 2,
      tunnelMs: null,
      tlsMs: Number.NaN,
      sendMs: 0.1,
      requestToHeadersMs: 200,
      headersToFirstByteMs: 1,
      firstByteToFirstTokenMs: 100,
      decodeMs: 2800,
      connectionReused: true,
    };
    const snapshot = toTrialSnapshot(
      trialResult({ timing: { ...trialResult().timing, phases }, streamFlags: { buffered: false, firstByteWithoutContent: true }, connection: 'warm' }),
    );
    assert.deepEqual(snapshot.final?.phases, { ...phases, tlsMs: null });
    assert.deepEqual(snapshot.final?.streamFlags, { buffered: false, firstByteWithoutContent: true });
    assert.equal(snapshot.final?.connection, 'warm');
    const message = HostToWebviewMessage.safeParse({ type: 'trialFinished', trial: snapshot });
    assert.equal(message.success, true, message.success ? '' : JSON.stringify(message.error.issues));
    assert.doesNotMatch(JSON.stringify(snapshot), /chunkMs|"headersMs"|"startMs"/, 'no raw marks');
  });

  it('a result without them (not sent, or from before they existed) has no phases, unjudged flags, a fresh connection', () => {
    const snapshot = toTrialSnapshot(trialResult());
    assert.equal(snapshot.final?.phases, null);
    assert.deepEqual(snapshot.final?.streamFlags, { buffered: null, firstByteWithoutContent: null });
    assert.equal(snapshot.final?.connection, 'fresh');
    const old = { ...snapshot, final: { ...snapshot.final! } } as Record<string, unknown> & { final: Record<string, unknown> };
    delete old.final.phases;
    delete old.final.streamFlags;
    delete old.final.connection;
    assert.equal(HostToWebviewMessage.safeParse({ type: 'trialFinished', trial: old }).success, true, 'a saved panel from before still loads');
  });
});

describe('parsePersistedState', () => {
  const state = (): PanelState => ({
    version: 1,
    run: {
      runId: 'r1',
      title: 'Selection from a.ts',
      promptPreview: 'Explain',
      backends: [
        { id: 'openai', label: 'OpenAI', kind: 'closed', model: 'gpt-4o-mini', pricingNote: 'catalog' },
        { id: 'chutes', label: 'Chutes', kind: 'decentralized', model: 'ds', pricingNote: '/models', trustNote: 'TEE' },
      ],
      trials: 1,
      perBackendConcurrency: 1,
      targetLabel: 'a.ts:1–3',
    },
    runStatus: 'finished',
    errorMessage: null,
    trials: [toTrialSnapshot(trialResult()), { backendId: 'chutes', trial: 1, text: 'partial', reasoning: '', final: null }],
    target: { uri: 'file:///tmp/a.ts', selection: { startLine: 0, startCharacter: 0, endLine: 2, endCharacter: 4 } },
    baselineId: 'chutes',
  });

  it('round-trips a saved state', () => {
    const saved = JSON.parse(JSON.stringify({ panel: state(), ui: { selectedTrial: { openai: 1 }, raw: ['chutes'] } }));
    assert.deepEqual(parsePersistedState(saved), state());
  });

  it('restores a state saved before the baseline pin and per-backend concurrency existed', () => {
    const { baselineId: _pin, ...older } = state();
    const { perBackendConcurrency: _pbc, ...olderRun } = older.run!;
    const restored = parsePersistedState(JSON.parse(JSON.stringify({ panel: { ...older, run: olderRun } })));
    assert.equal(restored?.baselineId, null);
    assert.equal(restored?.run?.perBackendConcurrency, 1);
  });

  it('marks a run that was streaming as interrupted', () => {
    const restored = parsePersistedState({ panel: { ...state(), runStatus: 'running' } });
    assert.equal(restored?.runStatus, 'interrupted');
    assert.match(restored?.errorMessage ?? '', /reloaded/);
  });

  it('returns null for missing or malformed state', () => {
    assert.equal(parsePersistedState(undefined), null);
    assert.equal(parsePersistedState({}), null);
    assert.equal(parsePersistedState({ panel: { ...state(), version: 2 } }), null);
    assert.equal(parsePersistedState({ panel: { ...state(), trials: [{ backendId: 'a', trial: 1 }] } }), null);
    assert.equal(parsePersistedState({ panel: { ...state(), runStatus: 'exploded' } }), null);
  });
});

describe('HostToWebviewMessage', () => {
  it('accepts every host message kind', () => {
    const messages: unknown[] = [
      { type: 'runStarted', run: { runId: 'r', title: 't', promptPreview: 'p', backends: [{ id: 'a', label: 'A', kind: 'local', model: 'm', pricingNote: '' }], trials: 2, perBackendConcurrency: 1, targetLabel: null }, target: null, baselineId: null },
      { type: 'baselineChanged', baselineId: 'a' },
      { type: 'trialStarted', backendId: 'a', trial: 1 },
      { type: 'deltasAppended', chunks: [{ backendId: 'a', trial: 1, content: 'x', reasoning: '' }] },
      { type: 'trialFinished', trial: toTrialSnapshot(trialResult()) },
      { type: 'runFinished', runStatus: 'failed', errorMessage: 'boom' },
      { type: 'stateRestored', state: emptyPanelState() },
      { type: 'noticeShown', level: 'info', message: 'Copied' },
    ];
    for (const m of messages) assert.equal(HostToWebviewMessage.safeParse(m).success, true, JSON.stringify(m).slice(0, 80));
  });
});

describe('assertNever', () => {
  it('throws with the unexpected value', () => {
    assert.throws(() => assertNever({ type: 'x' } as never, 'message'), /Unexpected message: \{"type":"x"\}/);
  });
});
