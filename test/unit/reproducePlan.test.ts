import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyProbe,
  defaultPlanOptions,
  defaultPlanSmallModelCost,
  largestAcceptedLength,
  maxProbes,
  planSuites,
  planTokens,
  probePrompt,
  probeTokens,
  smallModelCost,
  type ProbeOutcome,
} from '../../src/core/reproduce';
import { promptBudget, referenceCount } from '../../src/core/tasks/haystack';
import { parseLengths, type LengthTarget } from '../../src/core/tasks/longctx';
import { makeTrial } from './helpers/makeResult';

const refused = (status: number, message: string) =>
  makeTrial({ backendId: 'b', status: 'http_error', error: { type: 'http_error', httpStatus: status, message, hint: '' } });

test('probe results: context errors of real servers mean too long; other failures say nothing', () => {
  const tooLong = [
    refused(400, "HTTP 400: This model's maximum context length is 8192 tokens. However, you requested 9000 tokens"),
    refused(400, 'HTTP 400: prompt is too long: 210000 tokens > 200000 maximum'),
    refused(400, 'HTTP 400: The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).'),
    refused(422, 'HTTP 422: Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096'),
    refused(400, 'HTTP 400: the request exceeds the available context size, try increasing it'),
    refused(400, "HTTP 400: {'code': 'context_length_exceeded'}"),
    refused(413, 'HTTP 413: Payload Too Large'),
  ];
  for (const r of tooLong) {
    const o = classifyProbe(r, 8000);
    assert.equal(o.fits, false, r.error!.message);
  }
  const unrelated = [
    refused(400, 'HTTP 400: Invalid value for temperature'),
    refused(401, 'HTTP 401: invalid api key'),
    refused(429, 'HTTP 429: too many requests'),
    refused(500, 'HTTP 500: maximum context length exceeded upstream'),
    makeTrial({ backendId: 'b', status: 'timeout', error: { type: 'timeout', message: 'first byte timeout', hint: '' } }),
  ];
  for (const r of unrelated) assert.equal(classifyProbe(r, 8000).fits, null, r.error!.message);

  const ok = makeTrial({ backendId: 'b', metrics: { inputTokens: 7900, tokenSource: 'reported' } as never });
  assert.deepEqual(classifyProbe(ok, 8000), { fits: true, reportedPromptTokens: 7900 });
  // A server that cuts the prompt silently (Ollama's num_ctx) reports far fewer prompt tokens.
  const cut = classifyProbe(makeTrial({ backendId: 'b', metrics: { inputTokens: 2048, tokenSource: 'reported' } as never }), 8000);
  assert.equal(cut.fits, false);
  assert.match((cut as { message: string }).message, /reported 2,048 prompt tokens for a prompt of about 8,000: it cut the prompt/);
  // Estimated counts are ours, not the server's: they prove nothing.
  assert.equal(classifyProbe(makeTrial({ backendId: 'b', metrics: { inputTokens: 10, tokenSource: 'estimated' } as never }), 8000).fits, true);
});

test('window probe: binary search finds the largest accepted length with few probes', async () => {
  const lengths = parseLengths('4k,8k,16k,32k,64k,128k');
  for (const windowTokens of [0, 4096, 10_000, 16_384, 40_000, 65_536, 131_072, 1_000_000]) {
    const asked: string[] = [];
    const result = await largestAcceptedLength(lengths, async (l): Promise<ProbeOutcome> => {
      asked.push(l.label);
      return l.tokens <= windowTokens ? { fits: true, reportedPromptTokens: null } : { fits: false, why: 'refused', message: 'too long' };
    });
    const expected = [...lengths].reverse().find((l) => l.tokens <= windowTokens) ?? null;
    assert.deepEqual(result.largest, expected, `window ${windowTokens}`);
    assert.ok(asked.length <= maxProbes(lengths.length), `${asked.length} probes`);
    assert.equal(new Set(asked).size, asked.length, 'no length probed twice');
    assert.equal(result.failure, null);
  }
  assert.equal(maxProbes(6), 3);
  assert.equal(maxProbes(1), 1);
  assert.equal(maxProbes(0), 0);
});

test('window probe: a failure unrelated to length stops probing and is reported', async () => {
  const lengths = parseLengths('4k,8k,16k,32k');
  const result = await largestAcceptedLength(lengths, async (l: LengthTarget): Promise<ProbeOutcome> =>
    l.tokens <= 16_384 ? { fits: true, reportedPromptTokens: 16_000 } : { fits: null, message: 'HTTP 503: no healthy backend' },
  );
  assert.match(result.failure!, /32k: HTTP 503/);
  assert.equal(result.largest?.label, '16k', 'what is known to fit');
  const first = await largestAcceptedLength(lengths, async (): Promise<ProbeOutcome> => ({ fits: null, message: 'HTTP 401: bad key' }));
  assert.equal(first.largest, null);
  assert.equal(first.probes.length, 1);
});

test('a probe is as long as the tasks of its length', () => {
  for (const length of parseLengths('2k,8k')) {
    const p = probePrompt(length);
    assert.equal(p.tokens, referenceCount(p.prompt));
    assert.ok(p.tokens <= promptBudget(length.tokens, 128) && p.tokens >= promptBudget(length.tokens, 128) * 0.97);
    assert.match(p.prompt, /Reply with the single word OK\.$/);
    assert.equal(p.prompt, probePrompt(length).prompt, 'deterministic');
  }
});

test('the default plan costs under $1 at a small model’s catalogue prices, for a closed and a decentralized backend', () => {
  const options = defaultPlanOptions();
  assert.deepEqual(options.lengths.map((l) => l.label), ['4k', '8k', '16k', '32k', '64k', '128k']);
  const suites = planSuites(options);
  assert.equal(suites.completion.tests.length, 5 * options.completionN);
  assert.equal(suites.longContext.tests.length, 6 * 5 * options.n);
  const tokens = planTokens([suites.completion, suites.longContext]);
  const probes = probeTokens(options.lengths);
  const perBackend = smallModelCost(tokens).costUsd! + smallModelCost(probes).costUsd!;
  assert.ok(perBackend > 0.1, `${perBackend}`);
  assert.ok(2 * perBackend < 1, `two backends cost $${(2 * perBackend).toFixed(3)}`);
  assert.match(smallModelCost(tokens).detail, /gpt-4o-mini/);
  // The bound the dry run states (prompts filling their whole budget) is above the real plan, and under $1 for two backends.
  const bound = defaultPlanSmallModelCost()!;
  assert.ok(bound >= perBackend - 1e-9 && bound < perBackend * 1.1, `${bound} vs ${perBackend}`);
  assert.ok(2 * bound < 1);
});
