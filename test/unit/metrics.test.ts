import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkGaps, computeMetrics, resolveTokenCounts, resolveTokenCountsAsync, type TokenCounts } from '../../src/core/metrics';
import { maxCountedChars } from '../../src/core/tokens';
import { dna, referenceCount, referenceMessageCount } from './helpers/referenceTokens';
import type { TimingMarks } from '../../src/core/types';

const reported = (outputTokens: number | null, inputTokens: number | null = 10): TokenCounts => ({
  inputTokens,
  outputTokens,
  cachedInputTokens: null,
  reasoningTokens: null,
  tokenSource: 'reported',
});

test('chunk gaps are the differences between consecutive arrivals', () => {
  assert.deepEqual(chunkGaps([]), []);
  assert.deepEqual(chunkGaps([5]), []);
  assert.deepEqual(chunkGaps([5, 7, 12, 12]), [2, 5, 0]);
});

test('computeMetrics applies the documented formulas', () => {
  const timing: TimingMarks = {
    startMs: 1000,
    headersMs: 1050,
    firstByteMs: 1051,
    firstContentMs: 1200,
    chunkMs: [1200, 1210, 1230, 1260, 1300],
    endMs: 2200,
  };
  const m = computeMetrics(timing, reported(11));
  assert.equal(m.ttftMs, 200);
  assert.equal(m.totalMs, 1200);
  assert.equal(m.tpotMs, (1200 - 200) / 10);
  assert.equal(m.tokensPerSecond, 11 / ((2200 - 1200) / 1000));
  // gaps 10, 20, 30, 40 → p50 = 20 (rank 2), p95 = 40 (rank 4)
  // gaps 10, 20, 30, 40 → linear-interpolated p50 = 25, p95 = 38.5
  assert.equal(m.chunkGapP50Ms, 25);
  assert.equal(m.chunkGapP95Ms, 38.5);
  assert.equal(m.outputTokens, 11);
  assert.equal(m.inputTokens, 10);
  assert.equal(m.tokenSource, 'reported');
});

test('metrics that need content or two tokens are null without them', () => {
  const noContent: TimingMarks = { startMs: 0, headersMs: 5, firstByteMs: 6, firstContentMs: null, chunkMs: [], endMs: 50 };
  const m = computeMetrics(noContent, reported(0));
  assert.equal(m.ttftMs, null);
  assert.equal(m.totalMs, 50);
  assert.equal(m.tpotMs, null);
  assert.equal(m.tokensPerSecond, null);
  assert.equal(m.chunkGapP50Ms, null);
  assert.equal(m.chunkGapP95Ms, null);

  const oneToken: TimingMarks = { startMs: 0, headersMs: 5, firstByteMs: 6, firstContentMs: 20, chunkMs: [20], endMs: 30 };
  const one = computeMetrics(oneToken, reported(1));
  assert.equal(one.ttftMs, 20);
  assert.equal(one.tpotMs, null);
  assert.equal(one.tokensPerSecond, null);
  assert.equal(computeMetrics(oneToken, reported(null)).tpotMs, null);

  // 400 tokens in one content event, [DONE] 5 ms later: no decoding was seen, so no rate (not 80,000 tokens/s).
  const oneEvent: TimingMarks = { startMs: 0, headersMs: 5, firstByteMs: 6, firstContentMs: 20, chunkMs: [20], endMs: 25 };
  const burst = computeMetrics(oneEvent, reported(400));
  assert.equal(burst.ttftMs, 20);
  assert.equal(burst.totalMs, 25);
  assert.equal(burst.tokensPerSecond, null);
  assert.equal(burst.tpotMs, null);
  // Two content events are enough to see decoding.
  assert.equal(computeMetrics({ ...oneEvent, chunkMs: [20, 24] }, reported(400)).tokensPerSecond, 400 / (5 / 1000));
});

test('reported usage wins, including cached and reasoning details', async () => {
  const counts = await resolveTokenCounts({
    usage: {
      prompt_tokens: 120,
      completion_tokens: 48,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 30 },
    },
    text: 'a much longer text than forty-eight tokens would ever be, repeated '.repeat(20),
    reasoning: '',
    messages: [{ role: 'user', content: 'hi' }],
    model: 'gpt-4o-mini',
    // reported usage never waits for a prompt count
    promptTokens: new Promise<number>(() => undefined),
  });
  assert.deepEqual(counts, {
    inputTokens: 120,
    outputTokens: 48,
    cachedInputTokens: 100,
    reasoningTokens: 30,
    tokenSource: 'reported',
  });
});

test('usage that cannot be a count is not used: the tokens are estimated instead', async () => {
  const base = { text: 'Paris is the capital of France.', reasoning: '', messages: [{ role: 'user' as const, content: 'Capital of France?' }], model: 'gpt-4o-mini', promptTokens: 7 };
  const sourceOf = async (usage: Record<string, unknown>) => (await resolveTokenCounts({ ...base, usage })).tokenSource;
  // Zeros filled in for an answer that has text, or for a prompt that has text.
  assert.equal(await sourceOf({ prompt_tokens: 0, completion_tokens: 0 }), 'estimated');
  assert.equal(await sourceOf({ prompt_tokens: 7, completion_tokens: 0 }), 'estimated');
  assert.equal(await sourceOf({ prompt_tokens: 0, completion_tokens: 8 }), 'estimated');
  // Fractions, negatives, non-numbers.
  assert.equal(await sourceOf({ prompt_tokens: 7, completion_tokens: 10.5 }), 'estimated');
  assert.equal(await sourceOf({ prompt_tokens: -1, completion_tokens: 8 }), 'estimated');
  assert.equal(await sourceOf({ prompt_tokens: '7', completion_tokens: 8 }), 'estimated');
  const estimated = await resolveTokenCounts({ ...base, usage: { prompt_tokens: 0, completion_tokens: 0 } });
  assert.equal(estimated.inputTokens, 7);
  assert.ok(estimated.outputTokens! > 0, 'the answer is counted, not taken as 0');
  // Whole numbers that can be true are used.
  assert.equal(await sourceOf({ prompt_tokens: 7, completion_tokens: 8 }), 'reported');
  // An empty answer may report 0 output tokens.
  assert.equal((await resolveTokenCounts({ ...base, text: '', usage: { prompt_tokens: 7, completion_tokens: 0 } })).tokenSource, 'reported');
});

test('without usage, tokens are counted with the tokenizer, never from chunks', async () => {
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Name three primes.' },
  ];
  const text = 'Two, three and five are the first three primes.';
  const reasoning = 'The user wants primes; start from two.';
  const counts = await resolveTokenCounts({ usage: null, text, reasoning, messages, model: 'llama-3.1-8b' });
  assert.equal(counts.tokenSource, 'estimated');
  assert.equal(counts.inputTokens, referenceMessageCount(messages, 'llama-3.1-8b'));
  assert.equal(counts.outputTokens, referenceCount(text, 'llama-3.1-8b') + referenceCount(reasoning, 'llama-3.1-8b'));
  assert.ok(counts.outputTokens! > 10);
  assert.equal(counts.cachedInputTokens, null);
  assert.equal(counts.reasoningTokens, null);

  // usage without completion_tokens is not trusted
  const partial = await resolveTokenCounts({ usage: { prompt_tokens: 5 }, text, reasoning: '', messages, model: 'm' });
  assert.equal(partial.tokenSource, 'estimated');
  assert.equal(partial.outputTokens, referenceCount(text, 'm'));
});

test('estimated counts: a precounted (or pending) prompt is used as is; an uncountable one is null, never a throw', async () => {
  const messages = [{ role: 'user' as const, content: 'Name three primes.' }];
  const text = 'Two, three and five.';
  const given = await resolveTokenCounts({ usage: null, text, reasoning: '', messages, model: 'gpt-4o', promptTokens: 1234 });
  assert.equal(given.inputTokens, 1234);
  assert.equal(given.outputTokens, referenceCount(text, 'gpt-4o'));
  const pending = await resolveTokenCounts({ usage: null, text, reasoning: '', messages, model: 'gpt-4o', promptTokens: Promise.resolve(77) });
  assert.equal(pending.inputTokens, 77);
  const counted = await resolveTokenCountsAsync({ usage: null, text, reasoning: 'hmm', messages, model: 'gpt-4o' });
  assert.deepEqual(counted, {
    inputTokens: referenceMessageCount(messages, 'gpt-4o'),
    outputTokens: referenceCount(text, 'gpt-4o') + referenceCount('hmm', 'gpt-4o'),
    cachedInputTokens: null,
    reasoningTokens: null,
    tokenSource: 'estimated',
  });

  const huge = [{ role: 'user' as const, content: 'x '.repeat(maxCountedChars / 2 + 1) }];
  const big = await resolveTokenCounts({ usage: null, text, reasoning: '', messages: huge, model: 'gpt-4o' });
  assert.equal(big.inputTokens, null);
  assert.equal(big.outputTokens, referenceCount(text, 'gpt-4o'));
  assert.equal(big.tokenSource, 'estimated');
  const broken = await resolveTokenCounts({ usage: null, text, reasoning: '', messages, model: undefined as unknown as string });
  assert.deepEqual([broken.inputTokens, broken.outputTokens], [null, null]);
  const metrics = computeMetrics({ startMs: 0, headersMs: 1, firstByteMs: 2, firstContentMs: 3, chunkMs: [3], endMs: 10 }, broken);
  assert.equal(metrics.tpotMs, null);
  assert.equal(metrics.tokensPerSecond, null);
});

test('with an aborted signal, estimated counts are null at once, a pending prompt count included', async () => {
  const controller = new AbortController();
  const input = {
    usage: null,
    text: dna(1_000_000), // seconds of work: cannot be done before the abort
    reasoning: '',
    messages: [{ role: 'user' as const, content: 'hi' }],
    model: 'gpt-4',
    promptTokens: new Promise<number>(() => undefined),
  };
  const later = resolveTokenCounts(input, { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  const counts = await later;
  // Nothing was counted, so nothing is marked estimated: the source is unknown too.
  assert.deepEqual([counts.inputTokens, counts.outputTokens, counts.tokenSource], [null, null, null]);
  const started = performance.now();
  const again = await resolveTokenCounts(input, { signal: controller.signal });
  assert.deepEqual([again.inputTokens, again.outputTokens], [null, null]);
  assert.ok(performance.now() - started < 50);
});
