import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAssertion } from '../../src/core/suite/assertions';
import { Assertion } from '../../src/core/suite/schema';
import { namedItems, namesItem, scoreExclusiveChoice, scoreItemRecall } from '../../src/core/tasks/scoring';

const recall = (answer: string, value: string[], distractors?: string[], threshold?: number) =>
  scoreItemRecall(answer, { value, distractors, threshold });

test('item-recall: fraction of expected items found, case-insensitive', () => {
  assert.equal(recall('The numbers are 4821937 and 5512345.', ['4821937', '5512345']).score, 1);
  assert.equal(recall('Only 4821937.', ['4821937', '5512345']).score, 0.5);
  assert.equal(recall('QPXRT, mzklw', ['qpxrt', 'MZKLW', 'ABCDE']).score, 2 / 3);
  assert.equal(recall('', ['a1']).score, 0);
  const r = recall('qpxrt', ['QPXRT', 'MZKLW']);
  assert.deepEqual(r.found, ['QPXRT']);
  assert.deepEqual(r.missing, ['MZKLW']);
});

test('item-recall: whole-token matching, a number never matches inside a longer number', () => {
  const hit = (answer: string, value = '31415') => recall(answer, [value]).score === 1;
  assert.ok(hit('31415'));
  assert.ok(hit('31415.'));
  assert.ok(hit('(31415)'));
  assert.ok(hit('"31415"'));
  assert.ok(hit('answer:31415'));
  assert.ok(hit('27182, 31415'));
  assert.ok(hit('27182,31415'), 'a list written without spaces');
  assert.ok(hit('31415,27182'));
  assert.ok(hit('-31415'));
  assert.ok(!hit('314159'));
  assert.ok(!hit('131415'));
  assert.ok(!hit('31415.9'), 'a decimal point joins digits');
  assert.ok(!hit('3.31415'));
  assert.ok(!hit('31415,926'), 'a thousands group joins digits');
  assert.ok(!hit('2,314', '314'));
  assert.ok(hit('31415,9265', '31415'), 'four digits after a comma are not a thousands group');
  assert.ok(!hit('x31415'));
  assert.ok(!hit('31415x'));
  assert.ok(!hit('31415_a'));
  assert.ok(hit('kitchen!', 'kitchen'));
  assert.ok(!hit('kitchens', 'kitchen'));
  assert.ok(!hit('notebook', 'book'));
  assert.ok(hit('the BOOK.', 'book'));
  assert.ok(hit('Ünïcode ÉTÉ', 'été'));
  assert.ok(!hit('étés', 'été'));
});

test('item-recall: items with spaces match across any whitespace', () => {
  assert.equal(recall('It is in the living\n  room.', ['living room']).score, 1);
  assert.equal(recall('It is in the living-room.', ['living room']).score, 0);
  assert.equal(recall('  Living   Room ', [' living room ']).score, 1);
});

test('item-recall: every distractor named costs one expected item; never below 0', () => {
  const value = ['4821937', '5512345'];
  const distractors = ['1111111', '2222222', '3333333'];
  assert.equal(recall('4821937 5512345', value, distractors).score, 1);
  assert.equal(recall('4821937 5512345 1111111', value, distractors).score, 0.5);
  assert.equal(recall('4821937 1111111', value, distractors).score, 0);
  // Listing every candidate scores 0.
  const all = recall([...value, ...distractors].join(', '), value, distractors);
  assert.equal(all.score, 0);
  assert.equal(all.pass, false);
  assert.deepEqual(all.distractorsNamed, distractors);
  // A distractor named twice is counted once.
  assert.equal(recall('4821937 5512345 1111111 1111111', value, distractors).score, 0.5);
});

test('item-recall: threshold decides pass; default is every item', () => {
  assert.equal(recall('a1 b2', ['a1', 'b2', 'c3']).pass, false);
  assert.equal(recall('a1 b2', ['a1', 'b2', 'c3'], [], 0.6).pass, true);
  assert.equal(recall('a1 b2 c3', ['a1', 'b2', 'c3']).pass, true);
  assert.equal(recall('', ['a1'], [], 0).pass, true);
});

test('item-recall: duplicates and overlaps between expected items and distractors', () => {
  // Expected items are counted once however often they are listed.
  assert.equal(recall('kitchen', ['kitchen', 'Kitchen', ' kitchen ']).score, 1);
  // An item that is both expected and a distractor counts as expected only.
  assert.equal(recall('kitchen', ['kitchen'], ['KITCHEN', 'garden']).score, 1);
});

test('longer items hide the shorter items they contain', () => {
  assert.deepEqual(namedItems('the dining room', ['room', 'dining room']), [false, true]);
  assert.deepEqual(namedItems('the dining room and another room', ['room', 'dining room']), [true, true]);
  assert.equal(recall('quiet-harbour', ['quiet-harbour'], ['harbour']).score, 1);
});

test('exclusive-choice: 1 only when the right option is the only one named', () => {
  const options = ['kitchen', 'garden', 'hallway', 'living room', 'dining room'];
  const choose = (answer: string, value = 'garden') => scoreExclusiveChoice(answer, { value, options }).score;
  assert.equal(choose('garden'), 1);
  assert.equal(choose('The apple is in the Garden.'), 1);
  assert.equal(choose('garden or kitchen'), 0);
  assert.equal(choose('kitchen'), 0);
  assert.equal(choose('I do not know.'), 0);
  assert.equal(choose(options.join(', ')), 0, 'listing every candidate');
  assert.equal(choose('the dining room', 'dining room'), 1);
  assert.equal(choose('the living room', 'dining room'), 0);
  assert.equal(choose('gardens'), 0);
  assert.deepEqual(scoreExclusiveChoice('kitchen, then garden', { value: 'garden', options }).named, ['garden', 'kitchen']);
  // The right option counts as an option even when the list forgot it.
  assert.equal(scoreExclusiveChoice('attic', { value: 'attic', options: ['kitchen'] }).score, 1);
  assert.equal(scoreExclusiveChoice('attic kitchen', { value: 'attic', options: ['kitchen'] }).score, 0);
});

test('scoring is deterministic and does not depend on the order of items', () => {
  const a = recall('b2 a1 zz', ['a1', 'b2'], ['zz', 'yy']);
  const b = recall('b2 a1 zz', ['b2', 'a1'], ['yy', 'zz']);
  assert.equal(a.score, b.score);
  assert.equal(a.score, 0.5);
});

test('scoring with tens of thousands of distractors', () => {
  const distractors = Array.from({ length: 20_000 }, (_, i) => `word${i}`);
  const answer = 'word1 word2 word3 ' + 'filler '.repeat(100);
  const r = recall(answer, ['word1', 'word2', 'word3', 'word4'], distractors.slice(4));
  assert.equal(r.score, 3 / 4);
});

test('a suite cannot hold an item-recall or exclusive-choice assertion that cannot be scored', () => {
  const valid = (a: unknown) => Assertion.safeParse(a).success && checkAssertion(a as never).length === 0;
  assert.ok(valid({ type: 'item-recall', value: ['a'] }));
  assert.ok(valid({ type: 'item-recall', value: ['a'], distractors: ['b'], threshold: 0.5 }));
  assert.ok(!valid({ type: 'item-recall', value: [] }));
  assert.ok(!valid({ type: 'item-recall', value: ['  '] }));
  assert.ok(!valid({ type: 'item-recall', value: ['a'], threshold: 1.5 }));
  assert.ok(!valid({ type: 'item-recall', value: ['a'], distractor: ['b'] }));
  assert.ok(!valid({ type: 'contains', value: 'a', distractors: ['b'] }));
  assert.ok(valid({ type: 'exclusive-choice', value: 'a', options: ['a', 'b'] }));
  assert.ok(!valid({ type: 'exclusive-choice', value: 'a', options: [] }));
  assert.ok(!valid({ type: 'exclusive-choice', value: '', options: ['b'] }));
});

test('namesItem: one item, the same rules', () => {
  assert.equal(namesItem('X = 314159', '31415'), false);
  assert.equal(namesItem('value: 31415.', '31415'), true);
  assert.equal(namesItem('anything', '   '), false);
});
