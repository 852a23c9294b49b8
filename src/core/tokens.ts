/**
 * Token counting with OpenAI's BPE tokenizers (js-tiktoken). Used when a server does not report
 * `usage`, so counts are marked `estimated`.
 *
 * Only OpenAI models are counted exactly. For every other model (Llama, DeepSeek, Qwen, Gemini,
 * Claude…) the count is an estimate: those models use their own tokenizers, whose counts differ
 * from cl100k_base's depending on language and content.
 */
import type { ChatMessage } from './config';

// js-tiktoken ships ESM-flavoured type declarations for its CommonJS builds, which TypeScript
// refuses to `import` from a CommonJS module; the shapes below are the parts used here.
interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}
interface Encoder {
  encode(text: string, allowedSpecial?: string[] | 'all', disallowedSpecial?: string[] | 'all'): number[];
}
const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: RankFile) => Encoder };
const o200kBase = require('js-tiktoken/ranks/o200k_base') as RankFile;
const cl100kBase = require('js-tiktoken/ranks/cl100k_base') as RankFile;

/** The tokenizers this module can load. */
export type TokenizerName = 'o200k_base' | 'cl100k_base';

/**
 * Chat-format overhead, from OpenAI's cookbook ("How to count tokens with tiktoken"): every
 * message is wrapped as `<|start|>{role}<|message|>{content}<|end|>` (3 tokens besides role and
 * content) and every reply is primed with `<|start|>assistant<|message|>` (3 tokens).
 */
export const tokensPerMessage = 3;
/** Tokens of the `<|start|>assistant<|message|>` primer added once per request. */
export const tokensPerReplyPrimer = 3;

const ranks: Record<TokenizerName, RankFile> = { o200k_base: o200kBase, cl100k_base: cl100kBase };
const encoders = new Map<TokenizerName, Encoder>();

/**
 * Texts longer than this (UTF-16 code units, about 8 MB of ASCII) are not counted: the count
 * would take seconds and the tokenizer can run out of memory on inputs of hundreds of MB. The
 * safe counters below return null for them.
 */
export const maxCountedChars = 8 * 1024 * 1024;

/**
 * Largest piece of text counted in one go by {@link countTokensAsync} before it yields to the
 * event loop. Once an encoder is loaded, BPE costs roughly 0.2–0.5 ms per 1,000 characters, so a
 * slice blocks the event loop for about a millisecond.
 */
export const countSliceChars = 4096;

function encoderFor(name: TokenizerName): Encoder {
  let encoder = encoders.get(name);
  if (!encoder) {
    encoder = new Tiktoken(ranks[name]);
    encoders.set(name, encoder);
  }
  return encoder;
}

/**
 * Which tokenizer is used for `model`: `o200k_base` for GPT-4o, GPT-4.1, GPT-4.5, GPT-5,
 * gpt-oss and the o-series (o1, o3, o4…), `cl100k_base` for everything else. A provider prefix
 * such as `openai/` is ignored.
 */
export function tokenizerName(model: string): TokenizerName {
  const id = model.trim().toLowerCase().split('/').pop() ?? '';
  if (/^(?:chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o\d)(?:$|[-:._])/.test(id)) return 'o200k_base';
  return 'cl100k_base';
}

/** Tokenizers loaded so far in this process. */
export function loadedTokenizers(): TokenizerName[] {
  return [...encoders.keys()];
}

/**
 * Loads the tokenizers used by `models` now. Loading is synchronous and slow the first time
 * (measured 0.6–0.8 s for cl100k_base, 1.2–1.5 s for o200k_base); callers that stream several
 * answers at once warm up before sending any request, so a load never stalls the event loop while
 * another stream is being timed. Later calls cost nothing. Never throws.
 */
export function warmTokenizers(models: readonly string[]): void {
  for (const model of models) {
    try {
      encoderFor(tokenizerName(model));
    } catch {
      // counting will report null for this model
    }
  }
}

/**
 * Number of tokens in `text` for `model`. Special-token strings such as `<|endoftext|>` are
 * counted as ordinary text. Exact for OpenAI models, an estimate for others (see module doc).
 */
export function countTokens(text: string, model: string): number {
  if (text === '') return 0;
  return encoderFor(tokenizerName(model)).encode(text, [], []).length;
}

/**
 * Prompt tokens of a chat request: for each message 3 + tokens(role) + tokens(content), plus 3
 * for the reply primer (OpenAI cookbook formula). Matches what OpenAI bills for plain-text chat
 * messages; an estimate for other providers, whose chat templates differ.
 */
export function countMessageTokens(messages: ChatMessage[], model: string): number {
  let total = tokensPerReplyPrimer;
  for (const message of messages) {
    total += tokensPerMessage + countTokens(message.role, model) + countTokens(message.content, model);
  }
  return total;
}

function messagesLength(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.role.length + m.content.length;
  return chars;
}

/** {@link countTokens}, or null when the text is over {@link maxCountedChars} or counting fails. Never throws. */
export function tryCountTokens(text: string, model: string): number | null {
  try {
    if (text.length > maxCountedChars) return null;
    return countTokens(text, model);
  } catch {
    return null;
  }
}

/** {@link countMessageTokens}, or null when the messages are over {@link maxCountedChars} or counting fails. Never throws. */
export function tryCountMessageTokens(messages: ChatMessage[], model: string): number | null {
  try {
    if (messagesLength(messages) > maxCountedChars) return null;
    return countMessageTokens(messages, model);
  } catch {
    return null;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * {@link countTokens} that never blocks the event loop for more than one slice of about
 * {@link countSliceChars} characters: longer texts are cut at boundaries of the tokenizer's own
 * pre-tokenization pattern (BPE never merges across those), each slice is encoded separately and
 * the function yields between slices. The result equals `countTokens(text, model)`. Null when
 * the text is over {@link maxCountedChars} or counting fails; never rejects. (The first call for a
 * tokenizer still loads it synchronously: see {@link warmTokenizers}.)
 */
export async function countTokensAsync(text: string, model: string, sliceChars: number = countSliceChars): Promise<number | null> {
  try {
    if (text.length > maxCountedChars) return null;
    if (text.length <= sliceChars) return countTokens(text, model);
    const name = tokenizerName(model);
    const encoder = encoderFor(name);
    const pattern = new RegExp(ranks[name].pat_str, 'gu');
    let total = 0;
    let sliceStart = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      const end = match.index + match[0].length;
      if (end - sliceStart >= sliceChars) {
        total += encoder.encode(text.slice(sliceStart, end), [], []).length;
        sliceStart = end;
        await nextTurn();
      }
    }
    if (sliceStart < text.length) total += encoder.encode(text.slice(sliceStart), [], []).length;
    return total;
  } catch {
    return null;
  }
}

/** {@link countMessageTokens} counted with {@link countTokensAsync}; null when over the limit or on failure. Never rejects. */
export async function countMessageTokensAsync(messages: ChatMessage[], model: string): Promise<number | null> {
  try {
    if (messagesLength(messages) > maxCountedChars) return null;
    let total = tokensPerReplyPrimer;
    for (const message of messages) {
      const role = await countTokensAsync(message.role, model);
      const content = await countTokensAsync(message.content, model);
      if (role === null || content === null) return null;
      total += tokensPerMessage + role + content;
    }
    return total;
  } catch {
    return null;
  }
}
