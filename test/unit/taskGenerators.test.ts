import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import {
  completionFamilies,
  finalDate,
  finalNumber,
  generateCompletionItem,
  generateCompletionSuite,
  numberToWords,
} from '../../src/core/tasks/completion';
import { fillerSentence } from '../../src/core/tasks/filler';
import { chatOverheadTokens, promptBudget, referenceCount, TokenMeter } from '../../src/core/tasks/haystack';
import {
  generateLongContextItem,
  generateLongContextSuite,
  longContextFamilies,
  parseFamilies,
  parseLengths,
  type LengthTarget,
} from '../../src/core/tasks/longctx';
import { Rng } from '../../src/core/tasks/random';
import { scoreExclusiveChoice, scoreItemRecall } from '../../src/core/tasks/scoring';
import { suiteToYaml, type TaskAssertion } from '../../src/core/tasks/suite';
import { people, fillerWords, objects, rooms } from '../../src/core/tasks/words';
import { parseNumberWords, solve } from '../fixtures/answerers';

/** Scores one assertion of a generated test (the types the generators write). */
function score(a: TaskAssertion, answer: string): number {
  switch (a.type) {
    case 'item-recall':
      return scoreItemRecall(answer, a).score;
    case 'exclusive-choice':
      return scoreExclusiveChoice(answer, a).score;
    case 'regex':
      return new RegExp(a.value).test(answer) ? 1 : 0;
    default:
      throw new Error(`unexpected assertion ${a.type}`);
  }
}

/** Every candidate answer an item names: expected items and distractors, or all options. */
function candidates(a: TaskAssertion): string[] {
  if (a.type === 'item-recall') return [...a.value, ...(a.distractors ?? [])];
  if (a.type === 'exclusive-choice') return a.options;
  return [];
}

const len = (text: string): LengthTarget => parseLengths(text)[0]!;

test('lengths: k is 1,024 tokens; sorted, deduplicated; bad entries named', () => {
  assert.deepEqual(parseLengths('8k, 4K,4096,6000'), [
    { label: '4k', tokens: 4096 },
    { label: '6000', tokens: 6000 },
    { label: '8k', tokens: 8192 },
  ]);
  assert.deepEqual(parseLengths('128k'), [{ label: '128k', tokens: 131072 }]);
  assert.throws(() => parseLengths('4k,big'), /"big" is not a length/);
  assert.throws(() => parseLengths('512'), /outside 1k–1024k/);
  assert.throws(() => parseLengths('2000k'), /outside/);
  assert.throws(() => parseLengths('1.3k'), /whole number/);
  assert.throws(() => parseLengths(' , '), /no length/);
  assert.deepEqual(parseFamilies('rooms,needle'), ['needle', 'rooms']);
  assert.throws(() => parseFamilies('needle,haystack'), /unknown task family haystack; choose from needle, variables/);
});

test('filler never contains digits, people, rooms, objects or words a task asks about', () => {
  const words = fillerWords();
  for (const name of [...people, ...rooms, ...objects]) {
    for (const w of name.toLowerCase().split(' ')) assert.ok(!words.has(w), `filler vocabulary contains "${w}"`);
  }
  for (const w of ['special', 'magic', 'number', 'var', 'question', 'answer', 'coded', 'list', 'room']) assert.ok(!words.has(w), w);
  const rng = new Rng(1);
  for (let i = 0; i < 3000; i++) {
    const s = fillerSentence(rng);
    assert.match(s, /^[A-Z][a-z ,]+\.$/, s);
    for (const w of s.toLowerCase().match(/[a-z]+/g)!) assert.ok(words.has(w), `"${w}" in "${s}" is not in the declared vocabulary`);
  }
});

test('every family at several lengths: prompt sized to its window, counted exactly, fits with maxTokens', () => {
  const meter = new TokenMeter();
  for (const length of parseLengths('1k,4k,16k')) {
    const budget = promptBudget(length.tokens, 128);
    for (const family of longContextFamilies) {
      const item = generateLongContextItem(family, 3, length, 1, 128, meter);
      const exact = referenceCount(item.vars.prompt);
      assert.equal(item.metadata.promptTokens, exact, `${item.description}: counted in pieces = counted whole`);
      assert.ok(exact <= budget, `${item.description}: ${exact} > budget ${budget}`);
      assert.ok(exact >= budget * 0.97, `${item.description}: ${exact} is well under the budget ${budget}`);
      assert.ok(exact + chatOverheadTokens() + 128 <= length.tokens, 'request fits the window');
      assert.equal(item.metadata.lengthLabel, length.label);
      assert.equal(item.metadata.targetTokens, length.tokens);
      assert.equal(item.metadata.family, family);
      assert.equal(item.metadata.tokenizer, 'cl100k_base');
    }
  }
});

test('the suite of a seed is byte-identical every time; another seed gives other items', () => {
  const opts = { seed: 42, lengths: parseLengths('1k,2k'), n: 3 };
  const a = suiteToYaml(generateLongContextSuite(opts));
  const b = suiteToYaml(generateLongContextSuite(opts));
  assert.equal(a, b);
  const other = generateLongContextSuite({ ...opts, seed: 43 });
  const first = generateLongContextSuite(opts);
  assert.equal(other.tests.length, first.tests.length);
  let sameAnswer = 0;
  for (let i = 0; i < first.tests.length; i++) {
    assert.notEqual(other.tests[i]!.vars.prompt, first.tests[i]!.vars.prompt, `item ${i} is the same under another seed`);
    if (JSON.stringify(other.tests[i]!.assert) === JSON.stringify(first.tests[i]!.assert)) sameAnswer++;
  }
  // A room story may end in the same room by chance (1 in 14); nothing else may repeat.
  assert.ok(sameAnswer <= 2, `${sameAnswer} items kept their answers under another seed`);
  const c1 = suiteToYaml(generateCompletionSuite({ seed: 42, n: 4 }));
  assert.equal(c1, suiteToYaml(generateCompletionSuite({ seed: 42, n: 4 })));
  assert.notEqual(c1, suiteToYaml(generateCompletionSuite({ seed: 7, n: 4 })));
  // Items are addressed by (seed, family, length, index): more items or lengths keep the old ones.
  const more = generateLongContextSuite({ ...opts, n: 4, lengths: parseLengths('1k,2k,3k') });
  for (const t of first.tests) assert.ok(more.tests.some((m) => m.vars.prompt === t.vars.prompt));
});

test('the suite YAML has the documented shape and reads back to the same data', () => {
  const suite = generateLongContextSuite({ seed: 5, lengths: parseLengths('1k'), n: 1, families: ['needle', 'rooms'] });
  const text = suiteToYaml(suite, 'bakeoff gen longctx --seed 5');
  assert.ok(text.startsWith('# bakeoff gen longctx --seed 5\n'));
  const read = parseYaml(text);
  assert.deepEqual(read, JSON.parse(JSON.stringify(suite)));
  assert.deepEqual(read.prompts, ['{{prompt}}']);
  assert.deepEqual(read.request, { maxTokens: 128, temperature: 0, seed: 5 });
  assert.equal(read.tests.length, 2);
  assert.deepEqual(Object.keys(read.tests[0]), ['description', 'vars', 'assert', 'metadata']);
  assert.ok(!text.includes('{{prompt}}\n') || text.includes("- '{{prompt}}'") || text.includes('- "{{prompt}}"'));
  for (const t of read.tests) assert.ok(!t.vars.prompt.includes('{{') && !t.vars.prompt.includes('{%'), 'no template syntax inside a prompt');
});

test('anti-gaming: on every item the answer scores 1, echoing the prompt or naming every candidate scores 0', () => {
  const meter = new TokenMeter();
  for (const length of parseLengths('1k,3k')) {
    for (const family of longContextFamilies) {
      for (let i = 0; i < 6; i++) {
        const item = generateLongContextItem(family, 9, length, i, 128, meter);
        const [a] = item.assert;
        assert.ok(a && item.assert.length === 1);
        const right = a.type === 'item-recall' ? a.value.join(', ') : a.type === 'exclusive-choice' ? a.value : '';
        assert.equal(score(a, right), 1, `${item.description}: the right answer`);
        assert.equal(score(a, solve(item.vars.prompt)), 1, `${item.description}: an independent solver`);
        assert.equal(score(a, item.vars.prompt), 0, `${item.description}: the whole prompt`);
        assert.equal(score(a, candidates(a).join(', ')), 0, `${item.description}: every candidate`);
        // An echo cut at the answer bound holds no fact (the lead-in is twice maxTokens).
        const echo = item.vars.prompt.split(/(?<=\s)/).slice(0, 128).join('');
        assert.equal(score(a, echo), 0, `${item.description}: an echo of 128 words`);
        // Every candidate is in the prompt; the expected items are not in the question itself.
        for (const c of candidates(a)) assert.ok(item.vars.prompt.toLowerCase().includes(c.toLowerCase()) || a.type === 'exclusive-choice');
      }
    }
  }
});

test('needle: the key asked about has its facts in the text, with other keys that share a word', () => {
  for (let i = 0; i < 9; i++) {
    const item = generateLongContextItem('needle', 21, len('4k'), i);
    const a = item.assert[0]!;
    assert.equal(a.type, 'item-recall');
    if (a.type !== 'item-recall') return;
    const variant = item.metadata.variant;
    const keys = /special magic numbers for (.+?) mentioned in the text above\?/.exec(item.vars.prompt)![1]!.split(/, | and /);
    if (variant === 'multiquery') assert.ok(keys.length >= 2 && a.value.length === keys.length);
    if (variant === 'multivalue') assert.ok(keys.length === 1 && a.value.length >= 2);
    if (variant === 'multikey') assert.ok(keys.length === 1 && a.value.length === 1);
    for (const v of a.value) {
      const facts = item.vars.prompt.match(new RegExp(`The special magic number for ([\\w-]+) is: ${v}\\.`, 'g'))!;
      assert.equal(facts.length, 1);
      assert.ok(keys.some((k) => facts[0]!.includes(` ${k} `)));
    }
    assert.ok(a.distractors!.length >= 6);
    for (const k of keys) {
      const [adj, noun] = k.split('-');
      const near = new RegExp(`for (${adj}-(?!${noun}\\b)[a-z]+|[a-z]+-${noun}) is`).test(item.vars.prompt.replaceAll(`for ${k} is`, ''));
      assert.ok(near, `${item.description}: a near-miss key for ${k}`);
    }
    assert.equal(item.metadata.depths!.length, a.value.length);
  }
});

test('variables: chains in order, the asked value held by exactly the expected names', () => {
  for (let i = 0; i < 6; i++) {
    const item = generateLongContextItem('variables', 4, len('2k'), i);
    const a = item.assert[0]!;
    if (a.type !== 'item-recall') assert.fail('item-recall expected');
    const value = /hold the value (\d+)/.exec(item.vars.prompt)![1]!;
    assert.equal(a.value.length, Number(item.metadata.variant.split('-')[1]));
    const first = item.vars.prompt.indexOf(`VAR ${a.value[0]} = ${value}.`);
    assert.ok(first > 0, 'the chain starts with the value');
    for (const name of a.value.slice(1)) assert.ok(item.vars.prompt.indexOf(`VAR ${name} = VAR `) > first, `${name} is assigned after the value`);
    assert.ok(a.distractors!.length >= 6);
    for (const d of a.distractors!) assert.match(d, /^[A-Z]{5}$/);
  }
});

test('frequency tasks: the expected words are the most frequent, with a clear margin', () => {
  for (let i = 0; i < 4; i++) {
    const cwe = generateLongContextItem('common-words', 8, len('8k'), i);
    const a = cwe.assert[0]!;
    if (a.type !== 'item-recall') assert.fail();
    const words = [...cwe.vars.prompt.matchAll(/\d+\. ([a-z]+)/g)].map((m) => m[1]!);
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    const minCommon = Math.min(...a.value.map((w) => counts.get(w)!));
    const maxRare = Math.max(...a.distractors!.map((w) => counts.get(w)!));
    assert.ok(minCommon >= 10 * maxRare || minCommon >= maxRare + 20, `${minCommon} vs ${maxRare}`);
    assert.equal(counts.size, a.value.length + a.distractors!.length);

    const fwe = generateLongContextItem('coded-words', 8, len('8k'), i);
    const b = fwe.assert[0]!;
    if (b.type !== 'item-recall') assert.fail();
    const coded = fwe.vars.prompt.split('\n\n')[1]!.split(' ');
    const c = new Map<string, number>();
    for (const w of coded) c.set(w, (c.get(w) ?? 0) + 1);
    const ranked = [...c].sort((x, y) => y[1] - x[1]);
    assert.deepEqual(new Set(ranked.slice(0, 3).map(([w]) => w)), new Set(b.value));
    assert.ok(ranked[2]![1] > ranked[3]![1], 'third and fourth differ');
  }
});

test('rooms: the story needs two or three facts and the answer is one of the rooms', () => {
  let carried = 0;
  let dropped = 0;
  for (let i = 0; i < 8; i++) {
    const item = generateLongContextItem('rooms', 12, len('4k'), i);
    const a = item.assert[0]!;
    if (a.type !== 'exclusive-choice') assert.fail();
    assert.deepEqual(a.options, [...rooms]);
    assert.ok(rooms.includes(a.value));
    const object = /Where is the (\w+) at the end/.exec(item.vars.prompt)![1]!;
    assert.ok(new RegExp(`(picked up|grabbed|took) the ${object}\\.`).test(item.vars.prompt), 'someone picked the object up');
    if (item.metadata.variant === 'carried') carried++;
    else {
      dropped++;
      assert.ok(new RegExp(`(dropped|put down|left behind) the ${object}\\.`).test(item.vars.prompt));
    }
  }
  assert.ok(carried > 0 && dropped > 0);
});

test('completion: number words round-trip; every family solved by an independent reader; answer never in the prompt', () => {
  for (const n of [0, 7, 13, 20, 21, 100, 101, 110, 999, 1000, 1005, 1010, 20_000, 407_231, 1_000_001, 806_432_080, 999_999_999_999]) {
    assert.equal(parseNumberWords(numberToWords(n)), n, `${n}: ${numberToWords(n)}`);
  }
  assert.equal(numberToWords(407_231), 'four hundred and seven thousand, two hundred and thirty-one');
  assert.equal(numberToWords(1005), 'one thousand and five');
  assert.equal(numberToWords(2_000_040), 'two million and forty');
  const meter = new TokenMeter();
  for (const family of completionFamilies) {
    const variants = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const item = generateCompletionItem(family, 17, i, meter);
      variants.add(item.metadata.variant);
      const [a] = item.assert;
      assert.ok(a);
      const solved = solve(item.vars.prompt);
      assert.equal(solved, item.answer, `${item.description}: ${item.vars.prompt}`);
      assert.equal(score(a, solved), 1, `${item.description}: ${JSON.stringify(a)}`);
      assert.equal(score(a, `The answer is ${solved}.`), 1);
      assert.equal(score(a, item.vars.prompt), 0, `${item.description}: echo`);
      if (a.type === 'regex') {
        assert.ok(!new RegExp(`(?<![\\d.])${item.answer.replace('-', '')}(?![\\d])`).test(item.vars.prompt), `${item.description}: answer in prompt`);
        assert.equal(score(a, `${solved} or maybe 31415926`), 0, 'a later number wins');
      }
      assert.equal(item.metadata.promptTokens, referenceCount(item.vars.prompt));
    }
    assert.ok(variants.size >= 2, `${family} has variants: ${[...variants].join(', ')}`);
  }
});

test('completion scoring patterns: the last number (or date) decides', () => {
  const check = (a: TaskAssertion, answer: string) => score(a, answer) === 1;
  const n = finalNumber(4207);
  for (const ok of ['4207', '4,207', '4207.', 'It is 4207 rolls.', '12 + 30 = 42; 4207', '4207.0', '**4207**']) assert.ok(check(n, ok), ok);
  for (const bad of ['14207', '42070', '4207.5', '-4207', '4207 or 4208', '4,2070', 'four thousand two hundred and seven', '4.207']) assert.ok(!check(n, bad), bad);
  const neg = finalNumber(-12);
  assert.ok(check(neg, 'f returns -12.'));
  assert.ok(check(neg, '−12'));
  assert.ok(!check(neg, '12'));
  const dec = finalNumber(4.25);
  assert.ok(check(dec, '4.25 kilograms'));
  assert.ok(check(dec, '4.250'));
  assert.ok(!check(dec, '4.2'));
  assert.ok(!check(dec, '14.25'));
  const big = finalNumber(1_234_567);
  assert.ok(check(big, '1,234,567'));
  assert.ok(check(big, '1234567'));
  const d = finalDate('2023-04-28');
  assert.ok(check(d, '2023-04-28'));
  assert.ok(check(d, 'From 2023-03-14, 45 days later is 2023-04-28.'));
  assert.ok(!check(d, '2023-04-28 or 2023-04-29'));
  assert.ok(!check(d, '12023-04-28'));
});
