import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countMessageTokens,
  countMessageTokensAsync,
  countTokens,
  countTokensAsync,
  loadedTokenizers,
  maxCountedChars,
  tokenizerName,
  tokensPerMessage,
  tokensPerReplyPrimer,
  tryCountMessageTokens,
  tryCountTokens,
  warmTokenizers,
} from '../../src/core/tokens';

test('tokenizerName picks o200k_base for the GPT-4o / 4.1 / 5 / o-series families', () => {
  for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4o-2024-08-06', 'chatgpt-4o-latest', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini', 'o1', 'o3-mini', 'o4-mini', 'openai/gpt-4o', 'GPT-4O', 'gpt-oss-20b']) {
    assert.equal(tokenizerName(model), 'o200k_base', model);
  }
});

test('tokenizerName falls back to cl100k_base for older OpenAI and non-OpenAI models', () => {
  for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'llama3.1:8b', 'deepseek-ai/DeepSeek-V3-0324', 'claude-sonnet-4-5', 'gemini-2.5-flash', 'omni-model', 'orca']) {
    assert.equal(tokenizerName(model), 'cl100k_base', model);
  }
});

test('countTokens matches the published cl100k_base example and handles empty text', () => {
  // OpenAI cookbook: "tiktoken is great!" is 6 tokens in cl100k_base.
  assert.equal(countTokens('tiktoken is great!', 'gpt-4'), 6);
  assert.equal(countTokens('', 'gpt-4o'), 0);
  assert.equal(countTokens('hello world', 'gpt-4o'), 2);
  assert.equal(countTokens('hello world', 'gpt-3.5-turbo'), 2);
});

test('the two tokenizers really differ: o200k_base is denser on non-English text', () => {
  const text = 'Привет, как дела? Сегодня хорошая погода. 你好世界，今天天气很好。';
  const o200k = countTokens(text, 'gpt-4o');
  const cl100k = countTokens(text, 'gpt-4');
  assert.ok(o200k > 0 && cl100k > 0);
  assert.ok(o200k < cl100k, `expected o200k (${o200k}) < cl100k (${cl100k})`);
});

test('special-token strings in user text are counted as plain text, not rejected', () => {
  const n = countTokens('<|endoftext|>', 'gpt-4o');
  assert.ok(n > 1, `expected several ordinary tokens, got ${n}`);
});

test('counting is stable across calls (cached encoders) and grows with text', () => {
  const a = countTokens('The quick brown fox jumps over the lazy dog.', 'gpt-4o-mini');
  const b = countTokens('The quick brown fox jumps over the lazy dog.', 'gpt-4o-mini');
  assert.equal(a, b);
  assert.ok(countTokens('The quick brown fox jumps over the lazy dog. '.repeat(10), 'gpt-4o-mini') > a * 5);
});

test('countMessageTokens adds 3 per message and 3 for the reply primer', () => {
  assert.equal(tokensPerMessage, 3);
  assert.equal(tokensPerReplyPrimer, 3);
  assert.equal(countMessageTokens([], 'gpt-4o'), 3);
  // "user" is 1 token and "Hello!" is 2 ("Hello", "!"): 3 + 1 + 2 + 3.
  assert.equal(countMessageTokens([{ role: 'user', content: 'Hello!' }], 'gpt-4o'), 9);
  const messages = [
    { role: 'system' as const, content: 'You are a terse assistant.' },
    { role: 'user' as const, content: 'Explain BPE in one sentence.' },
  ];
  const expected = 3 + messages.reduce((sum, m) => sum + 3 + countTokens(m.role, 'gpt-4') + countTokens(m.content, 'gpt-4'), 0);
  assert.equal(countMessageTokens(messages, 'gpt-4'), expected);
});

test('countTokensAsync equals countTokens whatever the slice size (cuts only at pre-tokenizer boundaries)', async () => {
  const texts = [
    'The quick brown fox jumps over the lazy dog.\n\n  Indented line\r\n\ttab   spaces   here  ',
    "function add(a, b) {\n  return a + b; // it's 42\n}\n\n\n    const x = [1234567, 89];\n",
    'Привет, как дела? 你好世界，今天天气很好。 naïve café — “quotes” 🙂🙂🙂 1234567890',
    '   leading and trailing whitespace   \n\n',
  ];
  for (const model of ['gpt-4o', 'llama-3.1-8b']) {
    for (const text of texts) {
      const expected = countTokens(text, model);
      for (const slice of [1, 3, 7, 16, 10_000]) {
        assert.equal(await countTokensAsync(text, model, slice), expected, `${model} slice ${slice}: ${JSON.stringify(text.slice(0, 20))}`);
      }
    }
    const long = texts.join(' ').repeat(200);
    assert.equal(await countTokensAsync(long, model), countTokens(long, model));
  }
});

test('countTokensAsync yields to the event loop between slices', async () => {
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(2000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    await countTokensAsync(text, 'llama-3.1-8b', 512);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'timers ran while counting');
});

test('text over maxCountedChars is not counted: null, fast, never a throw', async () => {
  const huge = 'ab '.repeat(Math.ceil((maxCountedChars + 3) / 3));
  assert.ok(huge.length > maxCountedChars);
  const started = performance.now();
  assert.equal(tryCountTokens(huge, 'gpt-4o'), null);
  assert.equal(await countTokensAsync(huge, 'gpt-4o'), null);
  assert.equal(tryCountMessageTokens([{ role: 'user', content: huge }], 'gpt-4o'), null);
  assert.equal(await countMessageTokensAsync([{ role: 'user', content: huge }], 'gpt-4o'), null);
  assert.ok(performance.now() - started < 500);
  // a model that is not a string: null, not a TypeError
  assert.equal(tryCountTokens('hi', undefined as unknown as string), null);
  assert.equal(await countTokensAsync('hi', undefined as unknown as string), null);
});

test('countMessageTokensAsync equals countMessageTokens; warmTokenizers loads what the models need', async () => {
  const messages = [
    { role: 'system' as const, content: 'You are a terse assistant.' },
    { role: 'user' as const, content: 'Explain BPE in one sentence. '.repeat(500) },
  ];
  assert.equal(await countMessageTokensAsync(messages, 'gpt-4'), countMessageTokens(messages, 'gpt-4'));
  warmTokenizers(['gpt-4o', 'llama3.1:8b', undefined as unknown as string]);
  assert.deepEqual(loadedTokenizers().sort(), ['cl100k_base', 'o200k_base']);
});
