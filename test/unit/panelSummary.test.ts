import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialFinal, TrialSnapshot } from '../../src/shared/protocol';
import { columnFigures, hasAnswer, percentile, ratio, trialStats } from '../../src/webview/stats';
import { costBadgeOf, formatMs, formatRatio, formatUsd, metricAriaLabel, metricCells, pendingMetricCells } from '../../src/webview/format';

function final(overrides: { status?: TrialFinal['status']; ttftMs?: number | null; totalMs?: number; costUsd?: number | null; tokenSource?: 'reported' | 'estimated'; costSource?: TrialFinal['cost']['costSource'] } = {}): TrialFinal {
  return {
    status: overrides.status ?? 'ok',
    error: null,
    finishReason: 'stop',
    metrics: {
      ttftMs: overrides.ttftMs === undefined ? 400 : overrides.ttftMs,
      totalMs: overrides.totalMs ?? 3000,
      tpotMs: 12,
      tokensPerSecond: 80,
      inputTokens: 100,
      outputTokens: 209,
      cachedInputTokens: null,
      reasoningTokens: null,
      tokenSource: overrides.tokenSource ?? 'reported',
    },
    cost: {
      costUsd: overrides.costUsd === undefined ? 0.002 : overrides.costUsd,
      costSource: overrides.costSource ?? 'catalog',
      detail: '100 in × $1/M + 209 out × $2/M',
      asOf: '2025-06-01',
    },
    retries: 0,
    retryWaitMs: 0,
    retryAfterMs: null,
    wallMs: overrides.totalMs ?? 3000,
    usageReported: true,
    keyRedacted: false,
  };
}

const snap = (backendId: string, trial: number, f: TrialFinal | null): TrialSnapshot => ({ backendId, trial, text: 't', reasoning: '', final: f });

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([10], 95), 10);
    assert.equal(percentile([4, 1, 3, 2], 0), 1);
    assert.equal(percentile([4, 1, 3, 2], 100), 4);
    assert.ok(Math.abs((percentile([100, 200, 300, 400, 500], 95) ?? 0) - 480) < 1e-9);
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([Number.NaN, 5], 50), 5);
  });
});

describe('columnFigures and trialStats', () => {
  const trials: TrialSnapshot[] = [
    snap('a', 1, final({ ttftMs: 300, totalMs: 2000, costUsd: 0.001 })),
    snap('a', 2, final({ ttftMs: 500, totalMs: 4000, costUsd: 0.003 })),
    snap('a', 3, final({ status: 'http_error', ttftMs: null, totalMs: 50, costUsd: null })),
    snap('a', 4, null),
    snap('b', 1, final({ ttftMs: 900, totalMs: 6000, costUsd: null, costSource: 'unknown' })),
  ];

  it('takes medians over successful trials only', () => {
    const a = columnFigures('a', trials);
    assert.deepEqual(a, { backendId: 'a', ttftMs: 400, totalMs: 3000, costUsd: 0.002, finishedTrials: 3, usableTrials: 2 });
    const b = columnFigures('b', trials);
    assert.equal(b.costUsd, null, 'unknown cost stays unknown');
    assert.equal(columnFigures('c', trials).totalMs, null);
  });

  it('computes p50/p95 per column', () => {
    const s = trialStats('a', trials);
    assert.equal(s.ttftP50Ms, 400);
    assert.ok(Math.abs((s.ttftP95Ms ?? 0) - 490) < 1e-9);
    assert.equal(s.totalP50Ms, 3000);
    assert.ok(Math.abs((s.totalP95Ms ?? 0) - 3900) < 1e-9);
    assert.equal(s.usableTrials, 2);
  });
});

describe('ratio and formatting', () => {
  it('ratios are relative to the baseline and unknown when meaningless', () => {
    assert.equal(ratio(6000, 2500), 2.4);
    assert.equal(formatRatio(ratio(6000, 2500)), '2.40×');
    assert.equal(formatRatio(1), '1.00×');
    assert.equal(ratio(null, 1), null);
    assert.equal(ratio(1, null), null);
    assert.equal(ratio(0.5, 0), null, 'no ratio against a free baseline');
    assert.equal(formatRatio(null), '—');
  });

  it('formats durations and money', () => {
    assert.equal(formatMs(412.4), '412 ms');
    assert.equal(formatMs(1240), '1.24 s');
    assert.equal(formatMs(73_500), '1m 14s');
    assert.equal(formatMs(null), '—');
    assert.equal(formatUsd(0.000423456), '$0.000423');
    assert.equal(formatUsd(1.2345), '$1.23');
    assert.equal(formatUsd(0), '$0');
    assert.equal(formatUsd(null), '—');
  });
});

describe('metricCells', () => {
  it('labels timings measured, tokens by their source and cost reported, with formulas and the price source', () => {
    const cells = Object.fromEntries(metricCells(final()).map((c) => [c.id, c]));
    assert.deepEqual(Object.keys(cells), ['ttft', 'total', 'tps', 'input', 'output', 'cost']);
    assert.equal(cells.ttft.source, 'measured');
    assert.equal(cells.ttft.value, 400);
    assert.match(cells.ttft.title, /first content chunk − request sent = 400 ms/);
    assert.equal(cells.total.source, 'measured');
    assert.equal(cells.tps.source, 'reported');
    assert.match(cells.tps.title, /209 ÷ 2\.60 s/);
    assert.equal(cells.input.source, 'reported');
    assert.equal(cells.output.value, 209);
    assert.equal(cells.ttft.badgeKind, 'measured');
    assert.equal(cells.total.badge, 'measured');
    assert.equal(cells.cost.source, 'catalog', 'data-source stays the price source');
    assert.equal(cells.cost.badge, 'reported');
    assert.equal(cells.cost.badgeKind, 'reported');
    assert.equal(cells.cost.display, '$0.002');
    assert.match(cells.cost.title, /100 in × \$1\/M/);
    assert.match(cells.cost.title, /genai-prices catalogue, prices as of 2025-06-01/);
    assert.match(cells.cost.title, /token counts the server reported/);
  });

  it('calls a cost estimated when tokens were estimated or the price is per GPU-hour', () => {
    const estimatedTokens = metricCells(final({ tokenSource: 'estimated', costSource: 'override' }))[5];
    assert.equal(estimatedTokens.id, 'cost');
    assert.equal(estimatedTokens.source, 'override');
    assert.equal(estimatedTokens.badge, 'estimated');
    assert.equal(estimatedTokens.display, '≈$0.002');
    assert.match(estimatedTokens.title, /Price source: your per-token prices \(settings\), prices as of 2025-06-01\. Estimated: computed from estimated token counts/);

    const gpuHour = metricCells(final({ costSource: 'gpuHour' }))[5];
    assert.equal(gpuHour.source, 'gpuHour');
    assert.equal(gpuHour.badge, 'estimated');
    assert.equal(gpuHour.badgeKind, 'estimated');
    assert.equal(gpuHour.display, '≈$0.002');
    assert.match(gpuHour.title, /GPU rental price per hour × busy time.*throughput measured here/);
  });

  it('decides the cost badge from token source, price model and whether the cost is known', () => {
    const sources = ['catalog', 'modelsEndpoint', 'override', 'gpuHour', 'free'] as const;
    for (const costSource of sources) {
      assert.equal(costBadgeOf(final({ costSource })), costSource === 'gpuHour' ? 'estimated' : 'reported', costSource);
      assert.equal(costBadgeOf(final({ costSource, tokenSource: 'estimated' })), 'estimated', costSource);
      assert.equal(costBadgeOf(final({ costSource, costUsd: null })), 'unknown', costSource);
    }
    assert.equal(costBadgeOf(final({ costSource: 'unknown', costUsd: null })), 'unknown');
  });

  it('marks estimated token counts and unknown values', () => {
    const cells = Object.fromEntries(metricCells(final({ tokenSource: 'estimated', ttftMs: null, costUsd: null, costSource: 'unknown' })).map((c) => [c.id, c]));
    assert.equal(cells.output.source, 'estimated');
    assert.equal(cells.output.display, '≈209');
    assert.equal(cells.ttft.source, 'unknown');
    assert.equal(cells.ttft.value, null);
    assert.equal(cells.cost.source, 'unknown');
    assert.equal(cells.cost.badge, 'unknown');
    assert.equal(cells.cost.display, '—');
    assert.match(cells.cost.title, /never guessed/);
  });

  it('treats a known cost from an unknown-looking source as its real source', () => {
    const cells = Object.fromEntries(metricCells(final({ costUsd: 0, costSource: 'free' })).map((c) => [c.id, c]));
    assert.equal(cells.cost.source, 'free');
    assert.equal(cells.cost.badge, 'reported');
    assert.equal(cells.cost.display, '$0');
    assert.match(cells.cost.title, /own hardware/);
  });

  it('gives every cell an accessible name with label, value, badge and formula', () => {
    const cells = metricCells(final({ tokenSource: 'estimated' }));
    assert.match(metricAriaLabel(cells[0]), /^TTFT: 400 ms \(measured\)\. Time to first token = first content chunk − request sent = 400 ms/);
    assert.match(metricAriaLabel(cells[4]), /^Out: about 209 \(estimated\)\. Output tokens: 209/);
    assert.match(metricAriaLabel(cells[5]), /^Cost: about \$0\.002 \(estimated\)\. Cost = 100 in × \$1\/M .*Price source: genai-prices catalogue, prices as of 2025-06-01/);
    const unknown = metricCells(final({ costUsd: null, costSource: 'unknown' }))[5];
    assert.match(metricAriaLabel(unknown), /^Cost: unknown\. Cost unknown \(never guessed\)/);
    assert.equal(metricAriaLabel(pendingMetricCells()[0]), 'TTFT: available when the stream ends');
  });

  it('has empty pending cells before a trial ends', () => {
    for (const cell of pendingMetricCells()) {
      assert.equal(cell.value, null);
      assert.equal(cell.source, 'unknown');
      assert.equal(cell.badge, '');
    }
  });
});

describe('hasAnswer', () => {
  const withText = (text: string, f: TrialFinal | null): TrialSnapshot => ({ backendId: 'a', trial: 1, text, reasoning: '', final: f });

  it('enables answer actions only for an ended trial with some text', () => {
    assert.equal(hasAnswer(withText('done', final())), true);
    assert.equal(hasAnswer(withText('', final({ status: 'http_error' }))), false, 'failed with no answer');
    assert.equal(hasAnswer(withText(' \n', final({ status: 'network_error' }))), false, 'only whitespace');
    assert.equal(hasAnswer(withText('streaming…', null)), false, 'still streaming');
    assert.equal(hasAnswer(undefined), false, 'not started');
  });

  it('keeps partial text of cancelled, timed-out and truncated trials usable', () => {
    for (const status of ['cancelled', 'timeout', 'truncated'] as const) {
      assert.equal(hasAnswer(withText('partial', final({ status }))), true, status);
    }
  });
});
