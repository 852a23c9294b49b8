/** Builds TrialResult values for tests of code that consumes results (reports, panel view models). */
import type { ComparisonResult, TrialResult } from '../../../src/core/types';

export function makeTrial(partial: Partial<TrialResult> & { backendId: string }): TrialResult {
  const totalMs = partial.metrics?.totalMs !== undefined ? partial.metrics.totalMs : 1000;
  return {
    backendLabel: partial.backendId.toUpperCase(),
    kind: 'closed',
    model: 'm',
    trial: 1,
    status: 'ok',
    error: null,
    text: 'answer',
    reasoning: '',
    finishReason: 'stop',
    timing: { startMs: 0, headersMs: 10, firstByteMs: 11, firstContentMs: 100, chunkMs: [100], endMs: totalMs ?? 0 },
    request: { url: 'http://127.0.0.1/v1/chat/completions', headers: {}, body: {} },
    retries: 0,
    retryWaitMs: 0,
    retryAfterMs: null,
    wallMs: totalMs,
    usageReported: true,
    keyRedacted: false,
    tlsUnverified: false,
    ...partial,
    metrics: {
      ttftMs: 100,
      totalMs,
      tpotMs: null,
      chunkGapP50Ms: null,
      chunkGapP95Ms: null,
      tokensPerSecond: 50,
      inputTokens: 10,
      outputTokens: 20,
      cachedInputTokens: null,
      reasoningTokens: null,
      tokenSource: 'reported',
      ...partial.metrics,
    },
    cost: { costUsd: 0.001, costSource: 'override', detail: 'test', ...partial.cost },
  };
}

export function makeComparison(results: TrialResult[]): ComparisonResult {
  return {
    runId: 'run-1',
    startedAt: '2026-01-01T00:00:00.000Z',
    request: { messages: [{ role: 'user', content: 'hi' }], params: { maxTokens: 64, temperature: 0 } },
    results,
    outcome: 'finished',
    perBackendConcurrency: 1,
  };
}
