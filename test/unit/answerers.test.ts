/**
 * The fixture server's answer modes, over the real wire: stand-in models that read the prompt,
 * bounded by max_tokens, reporting prompt tokens as a server does, and refusing prompts longer
 * than their context window the way OpenAI does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backend, RequestParams, Timeouts } from '../../src/core/config';
import { runComparison } from '../../src/core/runner';
import { UsageSupportMemory } from '../../src/core/stream';
import { generateLongContextItem, parseLengths } from '../../src/core/tasks/longctx';
import { scoreItemRecall } from '../../src/core/tasks/scoring';
import { countMessageTokens } from '../../src/core/tokenCounter';
import { lastTokens } from '../fixtures/answerers';
import { fixtureTokens } from '../fixtures/server';
import { useFixtureServer } from './helpers/fixture';

const fixture = useFixtureServer();

async function ask(model: string, prompt: string, maxTokens = 128) {
  const result = await runComparison({
    backends: [Backend.parse({ id: model, kind: 'local', baseUrl: fixture.server.baseUrl, model })],
    messages: [{ role: 'user', content: prompt }],
    params: RequestParams.parse({ maxTokens }),
    timeouts: Timeouts.parse({ firstByteMs: 10_000, idleMs: 10_000, totalMs: 30_000 }),
    resolveKey: () => undefined,
    usageMemory: new UsageSupportMemory(),
  });
  return result.results[0]!;
}

const item = generateLongContextItem('needle', 1, parseLengths('4k')[0]!, 2);
const expected = item.assert[0]!.type === 'item-recall' ? item.assert[0]! : assert.fail();

test('perfect answerer reads the prompt and answers it; prompt tokens reported as a real server counts them', async () => {
  fixture.server.setSchedule('ans-perfect', { answerer: { type: 'perfect' } });
  const r = await ask('ans-perfect', item.vars.prompt);
  assert.equal(r.status, 'ok');
  assert.equal(scoreItemRecall(r.text, expected).score, 1, r.text);
  assert.equal(r.metrics.inputTokens, await countMessageTokens([{ role: 'user', content: item.vars.prompt }], 'ans-perfect'));
  assert.equal(r.metrics.tokenSource, 'reported');
  assert.equal(r.finishReason, 'stop');
  await fixture.settled();
});

test('echo answerer is cut at max_tokens with finish_reason length, and scores 0', async () => {
  fixture.server.setSchedule('ans-echo', { answerer: { type: 'echo' } });
  const r = await ask('ans-echo', item.vars.prompt, 40);
  assert.equal(r.status, 'ok');
  assert.equal(r.finishReason, 'length');
  assert.equal(fixtureTokens(r.text).length, 40);
  assert.ok(item.vars.prompt.startsWith(r.text));
  assert.equal(scoreItemRecall(r.text, expected).score, 0);
  await fixture.settled();
});

test('windowed answerer sees only the last K tokens: right when the facts are inside, unknown when not', async () => {
  fixture.server.setSchedule('ans-window', { answerer: { type: 'windowed', windowTokens: 2000 } });
  const seen = { inside: 0, outside: 0 };
  for (let i = 0; i < 8; i++) {
    const t = generateLongContextItem('needle', 1, parseLengths('4k')[0]!, i);
    const a = t.assert[0]!.type === 'item-recall' ? t.assert[0]! : assert.fail();
    const r = await ask('ans-window', t.vars.prompt);
    const tail = lastTokens(t.vars.prompt, 2000);
    assert.ok(t.vars.prompt.endsWith(tail.slice(1)) && tail.length < t.vars.prompt.length * 0.7);
    const visible = a.value.every((v) => tail.includes(`is: ${v}.`));
    seen[visible ? 'inside' : 'outside']++;
    if (visible) assert.equal(scoreItemRecall(r.text, a).score, 1, r.text);
    else assert.ok(scoreItemRecall(r.text, a).score < 1, r.text);
  }
  assert.ok(seen.inside > 0 && seen.outside > 0, JSON.stringify(seen));
  await fixture.settled();
});

test('random answerer gives a few words of the prompt', async () => {
  fixture.server.setSchedule('ans-random', { answerer: { type: 'random', seed: 3 } });
  const r = await ask('ans-random', 'alpha beta gamma delta');
  const words = r.text.split(', ');
  assert.ok(words.length >= 1 && words.length <= 5);
  for (const w of words) assert.ok(['alpha', 'beta', 'gamma', 'delta'].includes(w), r.text);
  await fixture.settled();
});

test('a context window: longer requests get 400 context_length_exceeded, shorter ones are answered', async () => {
  const prompt = item.vars.prompt;
  const promptTokens = (await countMessageTokens([{ role: 'user', content: prompt }], 'ans-window-4k'))!;
  fixture.server.setSchedule('ans-window-4k', { answerer: { type: 'perfect' }, contextWindow: promptTokens + 128 });
  const fits = await ask('ans-window-4k', prompt, 128);
  assert.equal(fits.status, 'ok');
  const over = await ask('ans-window-4k', prompt, 129);
  assert.equal(over.status, 'http_error');
  assert.equal(over.error?.httpStatus, 400);
  assert.match(over.error!.message, /maximum context length is \d+ tokens/);
  await fixture.settled();
});
