/**
 * The rules of token counting: which tokenizer a model uses, the chat-format overhead, and the
 * limits that keep counting bounded. No tokenizer is loaded here: the BPE ranks (about 4 MB) live
 * only in `tokenWorker.ts`, and counting goes through `tokenCounter.ts`, which runs it in a
 * worker thread.
 *
 * Counts are used when a server does not report `usage`, so they are marked `estimated`. Only
 * OpenAI models are counted exactly. For every other model (Llama, DeepSeek, Qwen, Gemini,
 * Claude…) the count is an estimate: those models use their own tokenizers, whose counts differ
 * from cl100k_base's depending on language and content.
 */
import type { ChatMessage } from './config';

/** The tokenizers Bakeoff can count with. */
export type TokenizerName = 'o200k_base' | 'cl100k_base';

/**
 * Chat-format overhead, from OpenAI's cookbook ("How to count tokens with tiktoken"): every
 * message is wrapped as `<|start|>{role}<|message|>{content}<|end|>` (3 tokens besides role and
 * content) and every reply is primed with `<|start|>assistant<|message|>` (3 tokens).
 */
export const tokensPerMessage = 3;
/** Tokens of the `<|start|>assistant<|message|>` primer added once per request. */
export const tokensPerReplyPrimer = 3;

/**
 * Texts longer than this (UTF-16 code units, about 8 MB of ASCII) are not counted: the count is
 * null (shown as unknown). Counting is linear in length (see {@link maxPieceChars}), but the text
 * must be copied to the counting thread and held in memory there.
 */
export const maxCountedChars = 8 * 1024 * 1024;

/**
 * Longest pre-token (one match of the tokenizer's own splitting pattern, e.g. a word with its
 * leading space, or a run of whitespace) given to BPE in one piece. BPE costs the square of a
 * piece's length (js-tiktoken: about 0.6 s for 2,000 spaces, minutes for 64,000), so longer
 * pre-tokens — runs of one letter, DNA, whitespace, base64 without separators, which ordinary
 * prose and code never produce — are cut into pieces of this length (at code-point boundaries)
 * and each piece is counted on its own. The sum can differ by a few tokens from what BPE over
 * the whole run would give, which is why such counts are estimates like every other count here.
 * Text whose pre-tokens are all shorter is counted exactly.
 */
export const maxPieceChars = 256;

/**
 * Ordinary text is encoded this many characters at a time (cut only between pre-tokens, which
 * BPE never merges across, so the sum is exact); between pieces the counter can notice a
 * cancellation and, when it runs on the calling thread, yield to the event loop.
 */
export const countSliceChars = 4096;

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

/** Characters (UTF-16 code units) of all roles and contents, for the {@link maxCountedChars} check. */
export function messagesLength(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.role.length + m.content.length;
  return chars;
}

/**
 * Prompt tokens of a chat request from the token counts of its parts: for each message
 * 3 + tokens(role) + tokens(content), plus 3 for the reply primer (OpenAI cookbook formula).
 * Matches what OpenAI bills for plain-text chat messages; an estimate for other providers, whose
 * chat templates differ. `parts` holds [role tokens, content tokens] per message.
 */
export function messageTokensFromParts(parts: ReadonlyArray<readonly [number, number]>): number {
  let total = tokensPerReplyPrimer;
  for (const [role, content] of parts) total += tokensPerMessage + role + content;
  return total;
}
