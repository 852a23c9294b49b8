/**
 * Sizing prompts to a token length with the reference tokenizer, and hiding sentences in filler.
 *
 * Counting is done piece by piece (a sentence, a list entry) as a prompt grows, never by encoding
 * the whole prompt again: every piece starts and ends where the tokenizer's own pre-tokenization
 * splits text (a piece starts with a space or a letter, and ends with `.`, `.\n\n` or a word),
 * and BPE never merges across those splits, so the sum over the pieces equals the count of the
 * whole prompt (a test checks this for every family).
 */
import { countTokensBlocking, pretokenPatternBlocking } from '../tokenCounter';
import { messageTokensFromParts, type TokenizerName } from '../tokens';
import { fillerSentence } from './filler';
import { Rng } from './random';

/** The tokenizer every prompt is sized with. Backends count differently; runs record what each reports. */
export const referenceTokenizer: TokenizerName = 'cl100k_base';
/** A model id the token module maps to {@link referenceTokenizer}. */
const referenceModel = 'gpt-4';

/**
 * Share of a length's window given to the prompt, after the answer's `maxTokens`: tokenizers of
 * other models count a few per cent more than the reference on English prose, and the prompt of
 * a "32k" item should still fit a 32,768-token window there.
 */
export const fitFraction = 0.95;

/** The reference tokenizer's pre-tokenization pattern: BPE runs inside each match, never across. */
function referencePattern(): string {
  const pattern = pretokenPatternBlocking(referenceTokenizer);
  if (pattern === null) throw new Error('The reference tokenizer could not be loaded to size the prompts.');
  return pattern;
}

/**
 * Counts pieces of text with the reference tokenizer. Each piece is cut with the tokenizer's own
 * pre-tokenization pattern and every chunk (a word with its leading space, up to three digits, a
 * run of punctuation) is encoded once and remembered: filler reuses a few hundred words, so a
 * 128K-token prompt costs a regex pass instead of a full encoding. Equal to `countTokens`.
 */
export class TokenMeter {
  private readonly chunks = new Map<string, number>();
  private readonly pattern = new RegExp(referencePattern(), 'gu');

  count(piece: string): number {
    let total = 0;
    this.pattern.lastIndex = 0;
    for (let m = this.pattern.exec(piece); m !== null; m = this.pattern.exec(piece)) {
      const chunk = m[0];
      if (chunk.length === 0) {
        this.pattern.lastIndex++;
        continue;
      }
      let n = this.chunks.get(chunk);
      if (n === undefined) {
        n = referenceCount(chunk);
        if (this.chunks.size < 200_000) this.chunks.set(chunk, n);
      }
      total += n;
    }
    return total;
  }

  /** Sum over pieces. */
  countAll(pieces: readonly string[]): number {
    let total = 0;
    for (const p of pieces) total += this.count(p);
    return total;
  }
}

/**
 * The exact reference count of a text, counted on this thread (generating a suite times nothing).
 * Throws when the tokenizer cannot be loaded: a suite sized without it would be wrong.
 */
export function referenceCount(text: string): number {
  const n = countTokensBlocking(text, referenceModel);
  if (n === null) throw new Error('The reference tokenizer could not be loaded to size the prompts.');
  return n;
}

/** Tokens the chat format adds around a single user message (OpenAI's formula). */
export function chatOverheadTokens(): number {
  return messageTokensFromParts([[referenceCount('user'), 0]]);
}

/**
 * Tokens the prompt text may use so that the request (prompt in one user message, plus an answer
 * of `maxTokens`) fits a window of `targetTokens` with room to spare ({@link fitFraction}).
 */
export function promptBudget(targetTokens: number, maxTokens: number): number {
  return Math.floor((targetTokens - maxTokens) * fitFraction) - chatOverheadTokens();
}

export interface FillerPromptSpec {
  rng: Rng;
  meter: TokenMeter;
  /** Most tokens the whole prompt text may have. */
  budgetTokens: number;
  /** Text before the filler; must end with `\n\n`. */
  head: string;
  /** Text after the filler (the question); must start with a letter. */
  tail: string;
  /** Sentences hidden in the filler, kept in this order, each at a random depth. */
  inserts: readonly string[];
  /**
   * Filler tokens before the first insert. With at least the answer bound here, an answer that
   * echoes the start of the prompt can never contain a hidden fact.
   */
  leadTokens?: number;
}

export interface BuiltPrompt {
  prompt: string;
  /** Reference tokens of `prompt`. */
  tokens: number;
  /** Relative depth (0 = start of the filler, 1 = end) of each insert, in order. */
  depths: number[];
}

/** Thrown when a length is too small for a task's fixed text. */
export class LengthTooSmallError extends Error {
  override readonly name = 'LengthTooSmallError';
}

/**
 * Builds `head + filler with the inserts hidden in it + tail`, as long as the budget allows.
 * Paragraphs of 3–7 sentences; the inserts keep their order.
 */
export function buildFillerPrompt(spec: FillerPromptSpec): BuiltPrompt {
  const { rng, meter } = spec;
  const fixed = meter.count(spec.head) + meter.count(spec.tail) + spec.inserts.reduce((n, s) => n + meter.count(` ${s}`), 0) + 2;
  if (fixed > spec.budgetTokens) {
    throw new LengthTooSmallError(`the task needs ${fixed} tokens before any filler; the budget is ${spec.budgetTokens}`);
  }
  const filler: string[] = [];
  let estimate = fixed;
  let lead = -1;
  for (;;) {
    const sentence = fillerSentence(rng);
    const n = meter.count(` ${sentence}`);
    if (estimate + n > spec.budgetTokens) break;
    filler.push(sentence);
    estimate += n;
    if (lead < 0 && estimate - fixed >= (spec.leadTokens ?? 0)) lead = filler.length;
  }
  if (lead < 0) throw new LengthTooSmallError(`the budget of ${spec.budgetTokens} tokens leaves no room after the lead-in of ${spec.leadTokens} tokens`);
  const slots = spec.inserts.map(() => rng.int(lead, filler.length)).sort((a, b) => a - b);
  const paragraphSeed = rng.seed();

  for (;;) {
    const sentences: { text: string; insert: boolean }[] = [];
    let next = 0;
    for (let i = 0; i <= filler.length; i++) {
      while (next < slots.length && Math.min(slots[next]!, filler.length) === i) sentences.push({ text: spec.inserts[next++]!, insert: true });
      if (i < filler.length) sentences.push({ text: filler[i]!, insert: false });
    }
    const pieces = [spec.head];
    const paragraphs = new Rng(paragraphSeed);
    let left = 0;
    const depths: number[] = [];
    sentences.forEach((s, i) => {
      const first = left === 0;
      if (first) left = paragraphs.int(3, 7);
      left--;
      const last = left === 0 || i === sentences.length - 1;
      if (s.insert) depths.push(sentences.length > 1 ? i / (sentences.length - 1) : 0);
      pieces.push(`${first ? '' : ' '}${s.text}${last ? '\n\n' : ''}`);
    });
    pieces.push(spec.tail);
    const tokens = meter.countAll(pieces);
    if (tokens <= spec.budgetTokens || filler.length === 0) {
      return { prompt: pieces.join(''), tokens, depths };
    }
    // The estimate was a little short (paragraph breaks merge with full stops): drop filler from the end.
    filler.pop();
    for (let k = 0; k < slots.length; k++) slots[k] = Math.min(slots[k]!, filler.length);
  }
}
