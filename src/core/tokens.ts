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
