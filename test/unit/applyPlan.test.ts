import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredNames, detectWholeFileAnswer } from '../../src/core/applyPlan';

const cart = `export interface Item {
  name: string;
  price: number;
  quantity: number;
}

export function applyDiscount(total: number, percent: number): number {
  return total * (1 - percent / 100);
}

export function cartTotal(items: Item[]): number {
  let total = 0;
  for (let i = 0; i < items.length; i++) total += items[i].price * items[i].quantity;
  return total;
}
`;
const selectedFn = cart.slice(cart.indexOf('export function cartTotal'));
const start = cart.indexOf('export function cartTotal');

test("the issue's example: a whole-file answer to a one-function selection is recognised", () => {
  const wholeFileAnswer = `export interface Item {
  name: string;
  price: number;
  quantity: number;
}

export function applyDiscount(total: number, percent: number): number {
  return total * (1 - percent / 100);
}

export function cartTotal(items: Item[]): number {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}`;
  const verdict = detectWholeFileAnswer(cart, start, cart.length, wholeFileAnswer);
  assert.equal(verdict.wholeFile, true);
  assert.deepEqual(verdict.redefined, ['Item', 'applyDiscount']);
});

test('a function-only answer to a one-function selection is not a whole file', () => {
  const fnOnly = `export function cartTotal(items: Item[]): number {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}`;
  const verdict = detectWholeFileAnswer(cart, start, cart.length, fnOnly);
  assert.equal(verdict.wholeFile, false);
  assert.deepEqual(verdict.redefined, []);
  assert.equal(selectedFn.includes('cartTotal'), true);
});

test('a selection covering the whole file is never partial', () => {
  assert.equal(detectWholeFileAnswer(cart, 0, cart.length, cart).wholeFile, false);
  assert.equal(detectWholeFileAnswer(`\n\n${cart}\n`, 2, cart.length + 2, cart).wholeFile, false);
});

test('repeating most lines outside the selection counts even without declarations', () => {
  const config = 'host = "example.org"\nport = 8080\nretries = 3\ntimeout_seconds = 30\n';
  const sel = config.indexOf('timeout_seconds');
  const answer = 'host = "example.org"\nport = 8080\nretries = 3\ntimeout_seconds = 60\n';
  assert.equal(detectWholeFileAnswer(config, sel, config.length, answer).wholeFile, true);
  assert.equal(detectWholeFileAnswer(config, sel, config.length, 'timeout_seconds = 60').wholeFile, false);
});

test('declarations are found across languages', () => {
  assert.deepEqual(declaredNames('def total(items):\n    pass\nclass Cart:\n    pass'), ['total', 'Cart']);
  assert.deepEqual(declaredNames('func (c *Cart) Total() int {\n}\ntype Item struct {\n}'), ['Total', 'Item']);
  assert.deepEqual(declaredNames('pub fn total() -> u32 {}\nstruct Item {}\nconst LIMIT: u32 = 3;'), ['total', 'Item', 'LIMIT']);
  assert.deepEqual(declaredNames('const x = 1;\nx = 2;\nreturn x;'), ['x']);
});
