import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { join } from 'node:path';
import { PanelModel, emptyPanelState, trialKey, type PanelEvent } from '../../src/shared/panelReducer';
import { PanelState, type RunView, type TrialFinal, type TrialSnapshot } from '../../src/shared/protocol';

const root = join(__dirname, '..', '..');

function runView(runId: string, trials = 1): RunView {
  return {
    runId,
    title: `Run ${runId}`,
    promptPreview: 'p',
    backends: [
      { id: 'a', label: 'A', kind: 'closed', model: 'm', pricingNote: '' },
      { id: 'b', label: 'B', kind: 'local', model: 'm', pricingNote: '' },
    ],
    trials,
    perBackendConcurrency: 1,
    targetLabel: null,
  };
}

function final(status: TrialFinal['status'] = 'ok'): TrialFinal {
  return {
    status,
    error: null,
    finishReason: 'stop',
    metrics: {
      ttftMs: 10,
      totalMs: 100,
      tpotMs: null,
      tokensPerSecond: null,
      inputTokens: 1,
      outputTokens: 2,
      cachedInputTokens: null,
      reasoningTokens: null,
      tokenSource: 'reported',
    },
    cost: { costUsd: null, costSource: 'unknown', detail: '' },
    retries: 0,
    retryWaitMs: 0,
    retryAfterMs: null,
    wallMs: 100,
    usageReported: true,
    keyRedacted: false,
    tlsUnverified: false,
  };
}

const started = (backendId: string, trial = 1): PanelEvent => ({ type: 'trialStarted', backendId, trial });
const deltas = (...chunks: Array<[string, number, string, string?]>): PanelEvent => ({
  type: 'deltasAppended',
  chunks: chunks.map(([backendId, trial, content, reasoning = '']) => ({ backendId, trial, content, reasoning })),
});
const finished = (backendId: string, trial: number, text: string, reasoning = ''): PanelEvent => ({
  type: 'trialFinished',
  trial: { backendId, trial, text, reasoning, final: final() },
});
const runStarted = (runId: string, trials = 1, baselineId: string | null = null): PanelEvent => ({ type: 'runStarted', run: runView(runId, trials), target: null, baselineId });

/** Applies events in order; returns the events as applied (nulls left out). */
function applyAll(model: PanelModel, events: readonly PanelEvent[]): PanelEvent[] {
  return events.map((e) => model.apply(e)).filter((e): e is PanelEvent => e !== null);
}

describe('trialKey', () => {
  it('keeps (backend, trial) pairs apart even when their concatenations look alike', () => {
    assert.notEqual(trialKey('a1', 2), trialKey('a', 12));
    assert.equal(trialKey('a', 1), trialKey('a', 1));
  });
});

describe('PanelModel', () => {
  it('starts empty and valid', () => {
    const model = new PanelModel();
    assert.deepEqual(model.state, emptyPanelState());
    assert.equal(PanelState.safeParse(model.state).success, true);
    assert.equal(model.trial('a', 1), undefined);
  });

  it('runStarted starts a running run with no trials and the given target', () => {
    const model = new PanelModel();
    const target = { uri: 'file:///x.ts', selection: { startLine: 1, startCharacter: 0, endLine: 3, endCharacter: 2 } };
    model.apply({ type: 'runStarted', run: runView('r1'), target, baselineId: null });
    assert.deepEqual(model.state, { version: 1, run: runView('r1'), runStatus: 'running', errorMessage: null, trials: [], target, baselineId: null });
  });

  it('trialStarted adds an empty snapshot once, in start order', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r', 2), started('b'), started('a'), started('b'), started('a', 2)]);
    assert.deepEqual(
      model.state.trials.map((t) => [t.backendId, t.trial]),
      [['b', 1], ['a', 1], ['a', 2]],
    );
    assert.deepEqual(model.trial('a', 1), { backendId: 'a', trial: 1, text: '', reasoning: '', final: null });
  });

  it('deltas append text and reasoning, creating a trial that was never announced', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), started('a'), deltas(['a', 1, 'Hel', 'th']), deltas(['a', 1, 'lo', 'ink'], ['b', 1, 'x'])]);
    assert.equal(model.trial('a', 1)?.text, 'Hello');
    assert.equal(model.trial('a', 1)?.reasoning, 'think');
    assert.equal(model.trial('b', 1)?.text, 'x');
    assert.equal(model.state.trials.length, 2);
  });

  it('trialFinished replaces the streamed text with the final text', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), started('a'), deltas(['a', 1, 'partial'])]);
    model.apply(finished('a', 1, 'the final text', 'why'));
    const snapshot = model.trial('a', 1);
    assert.equal(snapshot?.text, 'the final text');
    assert.equal(snapshot?.reasoning, 'why');
    assert.equal(snapshot?.final?.status, 'ok');
    // A trial that finished without ever starting (e.g. a backend with no key) is still added.
    model.apply(finished('b', 1, ''));
    assert.ok(model.trial('b', 1)?.final);
  });

  it('ignores deltas after a trial finished, and drops them from what it reports as applied', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r', 2), started('a'), deltas(['a', 1, 'abc']), finished('a', 1, 'abc!')]);
    const late = model.apply(deltas(['a', 1, 'LATE', 'LATE'], ['a', 2, 'second']));
    assert.equal(model.trial('a', 1)?.text, 'abc!');
    assert.equal(model.trial('a', 1)?.reasoning, '');
    assert.equal(model.trial('a', 2)?.text, 'second');
    assert.deepEqual(late, { type: 'deltasAppended', chunks: [{ backendId: 'a', trial: 2, content: 'second', reasoning: '' }] });
    assert.equal(model.apply(deltas(['a', 1, 'LATER'])), null, 'nothing left to post');
    assert.equal(model.trial('a', 1)?.text, 'abc!');
  });

  it('runFinished sets the status and the error message', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), { type: 'runFinished', runStatus: 'failed', errorMessage: 'It broke.' }]);
    assert.equal(model.state.runStatus, 'failed');
    assert.equal(model.state.errorMessage, 'It broke.');
  });

  it('keeps the pinned baseline: set by runStarted, changed by baselineChanged', () => {
    const model = new PanelModel();
    model.apply(runStarted('r1', 1, 'b'));
    assert.equal(model.state.baselineId, 'b');
    assert.deepEqual(model.apply({ type: 'baselineChanged', baselineId: null }), { type: 'baselineChanged', baselineId: null });
    assert.equal(model.state.baselineId, null);
    model.apply({ type: 'baselineChanged', baselineId: 'a' });
    assert.equal(model.state.baselineId, 'a');
  });

  it('firstTokenReceived keeps the TTFT the host measured on a trial still streaming, and never changes a finished one', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), started('a'), started('b')]);
    const applied = model.apply({ type: 'firstTokenReceived', backendId: 'a', trial: 1, ttftMs: 412.5 });
    assert.ok(applied);
    assert.equal(model.trial('a', 1)?.liveTtftMs, 412.5);
    applyAll(model, [finished('b', 1, 'done')]);
    assert.equal(model.apply({ type: 'firstTokenReceived', backendId: 'b', trial: 1, ttftMs: 1 }), null, 'late: dropped');
    assert.equal(model.trial('b', 1)?.liveTtftMs, undefined);
    assert.equal(PanelState.safeParse(model.state).success, true);
  });

  it('checks: a round replaces the previous one, updates land on their column, a new run clears them', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), finished('a', 1, 'x'), finished('b', 1, 'y')]);
    const check = (backendId: string, state: 'queued' | 'running' | 'passed' | 'failed') => ({ backendId, trial: 1, state, command: 'tsc', detail: 'd', exitCode: null, durationMs: null, output: '' });
    model.apply({ type: 'checksStarted', checks: [check('a', 'queued'), check('b', 'queued')] });
    model.apply({ type: 'checkUpdated', check: { ...check('b', 'failed'), exitCode: 2, output: 'error TS2304' } });
    assert.deepEqual(model.state.checks?.map((c) => `${c.backendId}:${c.state}`), ['a:queued', 'b:failed']);
    assert.equal(PanelState.safeParse(model.state).success, true);
    model.apply({ type: 'checksStarted', checks: [check('a', 'queued')] });
    assert.deepEqual(model.state.checks?.map((c) => c.backendId), ['a']);
    model.apply(runStarted('r2'));
    assert.equal(model.state.checks, undefined);
  });

  it('backendRestarted clears one column (trials and check) and runs again; the others stay', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r'), finished('a', 1, 'x'), finished('b', 1, 'y'), { type: 'runFinished', runStatus: 'finished', errorMessage: null }]);
    model.apply({ type: 'checksStarted', checks: [{ backendId: 'b', trial: 1, state: 'failed', command: 'c', detail: 'd', exitCode: 1, durationMs: 5, output: '' }] });
    model.apply({ type: 'backendRestarted', backendId: 'b' });
    assert.equal(model.state.runStatus, 'running');
    assert.equal(model.trial('b', 1), undefined);
    assert.equal(model.trial('a', 1)?.text, 'x');
    assert.deepEqual(model.state.checks, []);
    applyAll(model, [started('b'), finished('b', 1, 'again')]);
    assert.equal(model.trial('b', 1)?.text, 'again');
  });

  it('a new run replaces the previous one: its trials are gone and late text starts fresh', () => {
    const model = new PanelModel();
    applyAll(model, [runStarted('r1'), started('a'), deltas(['a', 1, 'old']), finished('a', 1, 'old!'), { type: 'runFinished', runStatus: 'finished', errorMessage: null }]);
    const previous = model.state;
    model.apply(runStarted('r2'));
    assert.equal(model.state.run?.runId, 'r2');
    assert.equal(model.state.runStatus, 'running');
    assert.deepEqual(model.state.trials, []);
    assert.equal(model.trial('a', 1), undefined);
    assert.equal(previous.trials[0]?.text, 'old!', 'the previous state object is not changed');
    model.apply(deltas(['a', 1, 'new']));
    assert.equal(model.trial('a', 1)?.text, 'new');
    assert.equal(model.trial('a', 1)?.final, null);
  });

  it('stateRestored takes the state as it is and indexes its trials', () => {
    const restored: PanelState = {
      version: 1,
      run: runView('saved', 2),
      runStatus: 'interrupted',
      errorMessage: 'The window was reloaded while this run was streaming.',
      trials: [
        { backendId: 'a', trial: 1, text: 'done', reasoning: '', final: final() },
        { backendId: 'b', trial: 2, text: 'part', reasoning: '', final: null },
      ],
      target: null,
      baselineId: 'b',
    };
    const model = new PanelModel();
    applyAll(model, [runStarted('other'), started('a'), deltas(['a', 1, 'discarded'])]);
    model.apply({ type: 'stateRestored', state: restored });
    assert.equal(model.state, restored);
    assert.equal(model.trial('a', 1), restored.trials[0]);
    assert.equal(model.trial('b', 1), undefined, 'trials of the replaced state are gone');
    // Restored trials behave like live ones: finished ones ignore text, the others grow.
    assert.equal(model.apply(deltas(['a', 1, 'LATE'])), null);
    model.apply(deltas(['b', 2, '…more']));
    assert.equal(restored.trials[1]?.text, 'part…more');
    assert.equal(model.state.trials.length, 2);
  });

  it('starts from a given state (the host after a window reload)', () => {
    const snapshot: TrialSnapshot = { backendId: 'a', trial: 1, text: 'kept', reasoning: '', final: final('cancelled') };
    const model = new PanelModel({ ...emptyPanelState(), run: runView('r'), runStatus: 'finished', trials: [snapshot] });
    assert.equal(model.trial('a', 1), snapshot);
    assert.equal(model.apply(deltas(['a', 1, 'x'])), null);
  });

  it('what one side applies and reports, applied on the other side, gives the same state', () => {
    const host = new PanelModel();
    const webview = new PanelModel();
    const events: PanelEvent[] = [
      runStarted('r1', 2),
      started('a'),
      deltas(['a', 1, '# T', 'r'], ['b', 1, 'x']),
      finished('a', 1, '# Title'),
      deltas(['a', 1, 'late'], ['b', 1, 'y'], ['a', 2, 'z']),
      finished('b', 1, 'xy'),
      { type: 'runFinished', runStatus: 'finished', errorMessage: null },
      runStarted('r2'),
      started('b'),
      deltas(['b', 1, 'again']),
    ];
    for (const event of events) {
      const applied = host.apply(event);
      if (applied) webview.apply(structuredClone(applied));
    }
    assert.deepEqual(webview.state, host.state);
    assert.equal(PanelState.safeParse(host.state).success, true);
    assert.equal(webview.trial('b', 1)?.text, 'again');
  });

  it('rejects an event it does not know', () => {
    assert.throws(() => new PanelModel().apply({ type: 'noticeShown' } as unknown as PanelEvent), /Unexpected panel event/);
  });
});

describe('the webview bundle', () => {
  it('uses the shared reducer and does not contain zod', async () => {
    const result = await build({
      entryPoints: [join(root, 'src/webview/main.ts')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'browser',
      format: 'iife',
      logLevel: 'silent',
      outdir: join(root, 'out-unused'),
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith('src/shared/panelReducer.ts')), 'the webview runs the shared reducer');
    assert.deepEqual(inputs.filter((f) => /node_modules[\\/]zod[\\/]/.test(f)), []);
  });
});
