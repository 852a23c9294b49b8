import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrialFinal, TrialSnapshot } from '../../src/shared/protocol';
import { hasAnswer } from '../../src/shared/panelSummary';
import { costBadgeOf, metricAriaLabel, metricCells, pendingMetricCells } from '../../src/webview/format';

function final(overrides: { status?: TrialFinal['status']; ttftMs?: number | null; totalMs?: number | null; costUsd?: number | null; tokenSource?: 'reported' | 'estimated'; costSource?: TrialFinal['cost']['costSource'] } = {}): TrialFinal {
  return {
    status: overrides.status ?? 'ok',
    error: null,
    finishReason: 'stop',
    metrics: {
      ttftMs: overrides.ttftMs === undefined ? 400 : overrides.ttftMs,
      totalMs: overrides.totalMs === undefined ? 3000 : overrides.totalMs,
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
    wallMs: overrides.totalMs === undefined ? 3000 : overrides.totalMs,
    usageReported: true,
    keyRedacted: false,
    tlsUnverified: false,
  };
}


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
      assert.equal(costBadgeOf(final({ costSource })), costSource === 'gpuHour' ? 'estimated' : costSource === 'free' ? 'free' : 'reported', costSource);
      assert.equal(costBadgeOf(final({ costSource, tokenSource: 'estimated' })), costSource === 'free' ? 'free' : 'estimated', costSource);
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
    assert.equal(cells.cost.badge, 'free');
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

  it('shows nothing for a trial that was never sent: every cell empty, badged not sent, no token estimate', () => {
    const notSent = final({ status: 'not_sent', ttftMs: null, totalMs: null, costUsd: null, costSource: 'unknown' });
    for (const cell of metricCells(notSent)) {
      assert.equal(cell.value, null, cell.id);
      assert.equal(cell.display, '—', cell.id);
      assert.equal(cell.badge, 'not sent', cell.id);
      assert.match(metricAriaLabel(cell), /: not sent\./);
    }
  });

  it('labels the measured figures of a cancelled trial partial', () => {
    const cells = Object.fromEntries(metricCells(final({ status: 'cancelled' })).map((c) => [c.id, c]));
    assert.equal(cells.ttft.badge, 'partial');
    assert.equal(cells.total.badge, 'partial');
    assert.match(cells.total.title, /cancelled/);
  });

  it('has no total for a request that failed before its stream began', () => {
    const failed = final({ status: 'http_error', ttftMs: null, totalMs: null, costUsd: null, costSource: 'unknown' });
    const total = metricCells({ ...failed, wallMs: 6.2 })[1];
    assert.equal(total.value, null);
    assert.equal(total.display, '—');
    assert.match(total.title, /never began \(the request failed after 6 ms\)/);
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

describe('timing breakdown and stream flags in the metric cells', () => {
  it('the TTFT hover says where the time went and how it connected; flags are extra badges', () => {
    const f: TrialFinal = {
      ...final(),
      phases: {
        dnsMs: null,
        connectMs: 0.4,
        tunnelMs: null,
        tlsMs: null,
        sendMs: 0.1,
        requestToHeadersMs: 300,
        headersToFirstByteMs: 1,
        firstByteToFirstTokenMs: 98.5,
        decodeMs: 2600,
        connectionReused: false,
      },
      streamFlags: { buffered: true, firstByteWithoutContent: true },
      connection: 'fresh',
    };
    const cells = Object.fromEntries(metricCells(f).map((c) => [c.id, c]));
    assert.match(cells.ttft!.title, /Where the time went: TCP connect 0\.4 ms · request written 0\.1 ms · sent → headers 300 ms · headers → first byte 1\.0 ms · first byte → first token 99 ms · decode 2\.60 s\.\nFresh connection\./);
    assert.deepEqual(cells.ttft!.flags!.map((x) => x.kind), ['buffered', 'first-byte-empty']);
    assert.deepEqual(cells.tps!.flags!.map((x) => x.kind), ['buffered'], 'tokens/s is qualified by buffering only');
    assert.equal(cells.total!.flags, undefined);
    assert.match(metricAriaLabel(cells.ttft!), /^TTFT: 400 ms \(measured, buffered, first byte without content\)\./);
  });

  it('a snapshot from before the breakdown existed shows no breakdown and no flags', () => {
    const cells = Object.fromEntries(metricCells(final()).map((c) => [c.id, c]));
    assert.doesNotMatch(cells.ttft!.title, /Where the time went/);
    assert.equal(cells.ttft!.flags, undefined);
  });
});
