import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countMessageTokens, countTokens } from '../../src/core/tokenCounter';
import { maxCountedChars, maxPieceChars, messageTokensFromParts, tokenizerName, tokensPerMessage, tokensPerReplyPrimer } from '../../src/core/tokens';
import { dna, referenceCount, referenceMessageCount } from './helpers/referenceTokens';

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

test('countTokens matches the published cl100k_base example and handles empty text', async () => {
  // OpenAI cookbook: "tiktoken is great!" is 6 tokens in cl100k_base.
  assert.equal(await countTokens('tiktoken is great!', 'gpt-4'), 6);
  assert.equal(await countTokens('', 'gpt-4o'), 0);
  assert.equal(await countTokens('hello world', 'gpt-4o'), 2);
  assert.equal(await countTokens('hello world', 'gpt-3.5-turbo'), 2);
});

test('the two tokenizers really differ: o200k_base is denser on non-English text', async () => {
  const text = 'Привет, как дела? Сегодня хорошая погода. 你好世界，今天天气很好。';
  const o200k = (await countTokens(text, 'gpt-4o'))!;
  const cl100k = (await countTokens(text, 'gpt-4'))!;
  assert.ok(o200k > 0 && cl100k > 0);
  assert.ok(o200k < cl100k, `expected o200k (${o200k}) < cl100k (${cl100k})`);
});

test('special-token strings in user text are counted as plain text, not rejected', async () => {
  const n = (await countTokens('<|endoftext|>', 'gpt-4o'))!;
  assert.ok(n > 1, `expected several ordinary tokens, got ${n}`);
});

test('countMessageTokens adds 3 per message and 3 for the reply primer', async () => {
  assert.equal(tokensPerMessage, 3);
  assert.equal(tokensPerReplyPrimer, 3);
  assert.equal(messageTokensFromParts([]), 3);
  assert.equal(await countMessageTokens([], 'gpt-4o'), 3);
  // "user" is 1 token and "Hello!" is 2 ("Hello", "!"): 3 + 1 + 2 + 3.
  assert.equal(await countMessageTokens([{ role: 'user', content: 'Hello!' }], 'gpt-4o'), 9);
  const messages = [
    { role: 'system' as const, content: 'You are a terse assistant.' },
    { role: 'user' as const, content: 'Explain BPE in one sentence. '.repeat(500) },
  ];
  assert.equal(await countMessageTokens(messages, 'gpt-4'), referenceMessageCount(messages, 'gpt-4'));
});

/** Ordinary inputs: prose, code, markup, numbers, many scripts and emoji, odd whitespace. */
const corpus = [
  'The quick brown fox jumps over the lazy dog.\n\n  Indented line\r\n\ttab   spaces   here  ',
  "function add(a, b) {\n  return a + b; // it's 42\n}\n\n\n    const x = [1234567, 89];\n",
  'Привет, как дела? 你好世界，今天天气很好。 naïve café — “quotes” 🙂🙂🙂 1234567890',
  '   leading and trailing whitespace   \n\n',
  'def fib(n):\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n',
  '<div class="card">\n  <p>Price: $1,299.99 (incl. 20% VAT)</p>\n</div>\n',
  '{"id": "chatcmpl-123", "choices": [{"delta": {"content": "Hi"}}], "usage": null}',
  'Donaudampfschifffahrtsgesellschaftskapitänsmütze und Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz.',
  'https://example.com/path/to/resource?query=value&other=123#section-4.2',
  'العربية: مرحبا بالعالم. हिन्दी: नमस्ते दुनिया। 日本語：こんにちは世界。한국어: 안녕하세요 세계',
  '👩‍👩‍👧‍👦 family, 🇫🇷 flag, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters, e\u0301 combining accent',
  'SELECT name, COUNT(*) FROM users WHERE created_at > NOW() - INTERVAL 7 DAY GROUP BY name;',
  '- [ ] item one\n- [x] item two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
  'sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  '<|endoftext|> and <|fim_prefix|> appear in text',
  ' '.repeat(maxPieceChars) + 'x' + '\n'.repeat(40) + '\t'.repeat(maxPieceChars - 1),
  'a'.repeat(maxPieceChars - 1) + ' ' + 'B'.repeat(maxPieceChars - 1),
];

test('exact on ordinary text: every count equals js-tiktoken encode().length, for both tokenizers', async () => {
  for (const model of ['gpt-4o', 'llama-3.1-8b']) {
    for (const text of corpus) {
      assert.equal(await countTokens(text, model), referenceCount(text, model), `${model}: ${JSON.stringify(text.slice(0, 30))}`);
    }
    // Long enough to be counted in many slices.
    const long = corpus.slice(0, -2).join(' ').repeat(40);
    assert.equal(await countTokens(long, model), referenceCount(long, model), `${model}: long text`);
  }
});

test('runs far longer than one pre-token limit are counted piece by piece: close to BPE over the whole run', async () => {
  // Long enough to be split (3–4 pieces), short enough for the reference to count in a moment.
  for (const text of [' '.repeat(800), 'a'.repeat(800), 'z'.repeat(1000), dna(800), '\n'.repeat(800), 'é'.repeat(600), '😀'.repeat(300)]) {
    for (const model of ['gpt-4o', 'gpt-4']) {
      const exact = referenceCount(text, model);
      const estimate = (await countTokens(text, model))!;
      assert.ok(Math.abs(estimate - exact) <= Math.max(2, exact * 0.05), `${model} ${JSON.stringify(text.slice(0, 8))}… ×${text.length}: estimate ${estimate}, exact ${exact}`);
    }
  }
});

test('pathological runs are counted in bounded time: 64,000 spaces, 12 KB DNA, 12,000 letters, 3.9 MB of one letter', async () => {
  // js-tiktoken alone needs minutes (or never finishes) for each of these: BPE is quadratic in
  // the length of one pre-token. The bound is generous; the benchmark records the real times.
  const inputs: Array<[string, string]> = [
    ['64,000 spaces', ' '.repeat(64_000)],
    ['12 KB DNA', dna(12_000)],
    ['12,000 letters', 'x'.repeat(12_000)],
    ['3.9 MB of one letter', 'a'.repeat(3_900_000)],
  ];
  for (const [name, text] of inputs) {
    for (const model of ['gpt-4o', 'gpt-4']) {
      const started = performance.now();
      const n = await countTokens(text, model, { timeLimitMs: 60_000 });
      const ms = performance.now() - started;
      assert.ok(typeof n === 'number' && n > 0, `${name} ${model}: ${n}`);
      assert.ok(ms < 15_000, `${name} ${model}: ${ms.toFixed(0)} ms`);
    }
  }
});

test('an aborted signal makes pending and future counts null at once', async () => {
  const heavy = dna(2_000_000, 7); // minutes of BPE even in pieces of maxPieceChars
  const before = new AbortController();
  before.abort();
  let started = performance.now();
  assert.equal(await countTokens(heavy, 'gpt-4', { signal: before.signal }), null);
  assert.equal(await countMessageTokens([{ role: 'user', content: heavy }], 'gpt-4', { signal: before.signal }), null);
  assert.ok(performance.now() - started < 50, 'already aborted: no work');

  const during = new AbortController();
  const counting = countTokens(heavy, 'gpt-4', { signal: during.signal });
  const prompt = countMessageTokens([{ role: 'user', content: heavy }], 'gpt-4o', { signal: during.signal });
  await new Promise((resolve) => setTimeout(resolve, 300));
  started = performance.now();
  during.abort();
  assert.equal(await counting, null);
  assert.equal(await prompt, null);
  assert.ok(performance.now() - started < 50, `resolved ${(performance.now() - started).toFixed(1)} ms after abort`);
  // The counter still works afterwards.
  assert.equal(await countTokens('hello world', 'gpt-4'), 2);
});

test('past the time limit a count is null (unknown), not a wait', async () => {
  const started = performance.now();
  assert.equal(await countTokens(dna(2_000_000, 9), 'gpt-4', { timeLimitMs: 200 }), null);
  const ms = performance.now() - started;
  assert.ok(ms >= 190 && ms < 1000, `${ms.toFixed(0)} ms`);
});

test('text over maxCountedChars is not counted: null, fast, never a throw', async () => {
  const huge = 'ab '.repeat(Math.ceil((maxCountedChars + 3) / 3));
  assert.ok(huge.length > maxCountedChars);
  const started = performance.now();
  assert.equal(await countTokens(huge, 'gpt-4o'), null);
  assert.equal(await countMessageTokens([{ role: 'user', content: huge }], 'gpt-4o'), null);
  assert.ok(performance.now() - started < 500);
  // a model or text that is not a string: null, not a TypeError
  assert.equal(await countTokens('hi', undefined as unknown as string), null);
  assert.equal(await countTokens(undefined as unknown as string, 'gpt-4o'), null);
  assert.equal(await countMessageTokens(undefined as unknown as [], 'gpt-4o'), null);
});
