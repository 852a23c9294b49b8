/**
 * The reference the counter is checked against: js-tiktoken's own `encode(text).length`, loaded
 * here on the test's thread, independently of src/core.
 */
import { tokenizerName } from '../../../src/core/tokens';

interface Encoder {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
}
const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: unknown) => Encoder };
const encoders = new Map<string, Encoder>();

/** js-tiktoken's token count of `text` with `model`'s tokenizer (special-token strings as plain text). */
export function referenceCount(text: string, model: string): number {
  const name = tokenizerName(model);
  let encoder = encoders.get(name);
  if (!encoder) {
    encoder = new Tiktoken(require(`js-tiktoken/ranks/${name}`));
    encoders.set(name, encoder);
  }
  return encoder.encode(text, [], []).length;
}

/** The cookbook's prompt-token formula over reference counts. */
export function referenceMessageCount(messages: ReadonlyArray<{ role: string; content: string }>, model: string): number {
  return 3 + messages.reduce((sum, m) => sum + 3 + referenceCount(m.role, model) + referenceCount(m.content, model), 0);
}

/** `length` characters of pseudo-random A/C/G/T (a fixed sequence, with no period a counter could exploit). */
export function dna(length: number, seed = 42): string {
  let state = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += 'ACGT'[state >>> 30];
  }
  return out;
}
