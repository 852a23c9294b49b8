/**
 * The token counter itself, and the only module that loads js-tiktoken's BPE ranks. Built as its
 * own bundle (`dist/tokenWorker.js`) so the ranks stay out of the extension and CLI bundles.
 *
 * Two ways to use it:
 * - as a worker thread started by `tokenCounter.ts` (with {@link tokenWorkerMarker} in
 *   `workerData`): it answers {@link TokenWorkerRequest}s with {@link TokenWorkerResponse}s,
 *   several counts interleaved, each stoppable by a `cancel` message;
 * - `require`d on the calling thread, when no worker can be started: the exported functions
 *   count in slices that yield to the event loop.
 *
 * Counting is linear in the text's length: pre-tokens longer than `maxPieceChars` are cut into
 * pieces before BPE (see tokens.ts). Never throws; a count that cannot be made is null.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ChatMessage } from './config';
import {
  countSliceChars,
  maxCountedChars,
  maxPieceChars,
  messageTokensFromParts,
  messagesLength,
  tokenizerName,
  type TokenizerName,
} from './tokens';

/** Key set to true in `workerData` by the client, so a plain `require` never starts listening. */
export const tokenWorkerMarker = 'bakeoffTokenWorker';

/** Messages the client sends. */
export type TokenWorkerRequest =
  | { type: 'count'; id: number; model: string; text: string }
  | { type: 'countMessages'; id: number; model: string; messages: ChatMessage[] }
  | { type: 'cancel'; id: number }
  | { type: 'warm'; models: string[] };

/** Messages the worker sends: `ready` once listening, then one `result` per count not cancelled. */
export type TokenWorkerResponse = { type: 'ready' } | { type: 'result'; id: number; count: number | null };

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

interface LoadedTokenizer {
  encoder: Encoder;
  patStr: string;
}

const loaded = new Map<TokenizerName, LoadedTokenizer>();

function loadRanks(name: TokenizerName): RankFile {
  // Literal paths, so esbuild bundles both rank files into this module's bundle.
  return name === 'o200k_base'
    ? (require('js-tiktoken/ranks/o200k_base') as RankFile)
    : (require('js-tiktoken/ranks/cl100k_base') as RankFile);
}

/**
 * The tokenizer `name`, loaded on first use: synchronous and slow the first time (measured
 * 0.4–0.8 s for cl100k_base, 0.9–1.5 s for o200k_base), which is why it happens in the worker.
 */
function tokenizer(name: TokenizerName): LoadedTokenizer {
  let t = loaded.get(name);
  if (!t) {
    const { Tiktoken } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: RankFile) => Encoder };
    const ranks = loadRanks(name);
    t = { encoder: new Tiktoken(ranks), patStr: ranks.pat_str };
    loaded.set(name, t);
  }
  return t;
}

/** Tokenizers loaded so far in this thread. */
export function loadedTokenizers(): TokenizerName[] {
  return [...loaded.keys()];
}

/** Loads the tokenizers used by `models` now. Never throws. */
export function warmTokenizers(models: readonly string[]): void {
  for (const model of models) {
    try {
      tokenizer(tokenizerName(model));
    } catch {
      // counting will report null for this model
    }
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The count of `text` as a generator that yields after each piece of work (a slice of about
 * `sliceChars` characters of ordinary text, or one piece of a long pre-token), so a driver can
 * stop or yield to the event loop in between. Slices are cut only between pre-tokens, so for
 * text without pre-tokens over `maxPieceChars` the result equals `encode(text).length`.
 * Special-token strings such as `<|endoftext|>` are counted as ordinary text.
 */
function* countSteps(text: string, model: string, sliceChars: number): Generator<void, number, void> {
  if (text === '') return 0;
  const { encoder, patStr } = tokenizer(tokenizerName(model));
  const encode = (s: string): number => encoder.encode(s, [], []).length;
  const pattern = new RegExp(patStr, 'gu');
  // Long runs repeat the same piece (one letter, one space, a repeated motif): count each once.
  const pieceCounts = new Map<string, number>();
  let total = 0;
  let sliceStart = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const length = match[0].length;
    if (length === 0) {
      pattern.lastIndex++;
      continue;
    }
    const end = match.index + length;
    if (length > maxPieceChars) {
      if (match.index > sliceStart) {
        total += encode(text.slice(sliceStart, match.index));
        yield;
      }
      for (let at = match.index; at < end; ) {
        let cut = Math.min(end, at + maxPieceChars);
        if (cut < end && isLowSurrogate(text.charCodeAt(cut))) cut--;
        const piece = text.slice(at, cut);
        let n = pieceCounts.get(piece);
        if (n === undefined) {
          n = encode(piece);
          if (pieceCounts.size < 1024) pieceCounts.set(piece, n);
          total += n;
          yield;
        } else {
          total += n;
        }
        at = cut;
      }
      sliceStart = end;
    } else if (end - sliceStart >= sliceChars) {
      total += encode(text.slice(sliceStart, end));
      sliceStart = end;
      yield;
    }
  }
  if (sliceStart < text.length) total += encode(text.slice(sliceStart));
  return total;
}

/** Options of the counting functions below. */
export interface SliceOptions {
  /** Checked between pieces of work; when it returns true the count stops and gives null. */
  isCancelled?: () => boolean;
  /** Longest run of work between two yields to the event loop, ms. Default 2. */
  budgetMs?: number;
  /** Size of the slices of ordinary text, characters. Default `countSliceChars`. */
  sliceChars?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Number of tokens in `text` for `model`, counted in slices: between pieces of work it yields to
 * the event loop whenever `budgetMs` have passed, and stops (null) once `isCancelled()` is true.
 * Null when the text is over `maxCountedChars` or counting fails; never rejects. (The first call
 * for a tokenizer loads it synchronously.)
 */
export async function countTokensAsync(text: string, model: string, options: SliceOptions = {}): Promise<number | null> {
  try {
    if (typeof text !== 'string' || text.length > maxCountedChars) return null;
    const budgetMs = options.budgetMs ?? 2;
    const steps = countSteps(text, model, Math.max(1, options.sliceChars ?? countSliceChars));
    let since = performance.now();
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      if (performance.now() - since >= budgetMs) {
        await nextTurn();
        since = performance.now();
      }
      if (options.isCancelled?.()) return null;
    }
  } catch {
    return null;
  }
}

/** The tokenizer's pre-tokenization pattern (BPE runs inside each match, never across them). */
export function pretokenPattern(name: TokenizerName): string {
  return tokenizer(name).patStr;
}

/**
 * {@link countTokensAsync} without yielding: blocks this thread until the count is done. For
 * callers that time nothing (generating a suite), never while streams are being timed. Null over
 * `maxCountedChars` or on failure.
 */
export function countTokensSync(text: string, model: string): number | null {
  try {
    if (typeof text !== 'string' || text.length > maxCountedChars) return null;
    const steps = countSteps(text, model, countSliceChars);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  } catch {
    return null;
  }
}

/**
 * Prompt tokens of `messages` (see `messageTokensFromParts`), counted with
 * {@link countTokensAsync}. Null when over `maxCountedChars`, cancelled or on failure; never
 * rejects.
 */
export async function countMessageTokensAsync(messages: readonly ChatMessage[], model: string, options: SliceOptions = {}): Promise<number | null> {
  try {
    if (messagesLength(messages) > maxCountedChars) return null;
    const parts: Array<[number, number]> = [];
    for (const message of messages) {
      const role = await countTokensAsync(message.role, model, options);
      const content = role === null ? null : await countTokensAsync(message.content, model, options);
      if (role === null || content === null) return null;
      parts.push([role, content]);
    }
    return messageTokensFromParts(parts);
  } catch {
    return null;
  }
}

/**
 * Gives this thread a lower scheduling priority than the thread that stamps stream timings: on a
 * machine whose cores are all busy, the kernel then runs that thread first when a chunk arrives,
 * instead of letting a long count delay it. Linux only (where a nice value is per thread and a
 * thread can lower its own priority); elsewhere counting runs at normal priority.
 */
function yieldCpuToTimingThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: nothing to do
  }
}

/** Answers the client's requests; several counts run interleaved, each in slices. */
function serve(port: NonNullable<typeof parentPort>): void {
  yieldCpuToTimingThread();
  const cancelled = new Set<number>();
  const running = new Set<number>();
  port.on('message', (request: TokenWorkerRequest) => {
    switch (request.type) {
      case 'warm':
        warmTokenizers(request.models);
        return;
      case 'cancel':
        if (running.has(request.id)) cancelled.add(request.id);
        return;
      case 'count':
      case 'countMessages': {
        const { id } = request;
        running.add(id);
        // Each piece of work is short; a larger budget than on the main thread costs nothing here.
        const options: SliceOptions = { isCancelled: () => cancelled.has(id), budgetMs: 8 };
        const counting =
          request.type === 'count'
            ? countTokensAsync(request.text, request.model, options)
            : countMessageTokensAsync(request.messages, request.model, options);
        void counting.then((count) => {
          running.delete(id);
          if (cancelled.delete(id)) return;
          const response: TokenWorkerResponse = { type: 'result', id, count };
          port.postMessage(response);
        });
        return;
      }
    }
  });
  const ready: TokenWorkerResponse = { type: 'ready' };
  port.postMessage(ready);
}

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[tokenWorkerMarker] === true) {
  serve(parentPort);
}
