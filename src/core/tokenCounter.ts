/**
 * Token counting off the event loop. Counts run in a worker thread (`tokenWorker.ts`, bundled as
 * `dist/tokenWorker.js`), started on first need; the thread that asks only posts the text and
 * awaits a number, so streams being timed are never stalled by the tokenizer, and a cancelled run
 * never waits for a count.
 *
 * - Every count resolves, never rejects: a number, or null for *unknown* (text over
 *   `maxCountedChars`, cancelled through `signal`, over the time limit, tokenizer failure).
 * - The worker never keeps a process alive: it is `unref()`ed whenever no count is pending.
 * - The worker stops after {@link workerIdleMs} without a count and without a hold
 *   ({@link holdTokenCounter}: a stream that may need a count when it ends), handing back the
 *   memory its tokenizer holds (about 90 MB per encoding); the next count starts a new one.
 * - When no worker can be started (no worker file, worker threads unavailable), the same module
 *   is loaded on this thread and counts in slices that yield to the event loop.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChatMessage } from './config';
import { maxCountedChars, messagesLength, type TokenizerName } from './tokens';
import type * as TokenWorkerModule from './tokenWorker';
import type { TokenWorkerRequest, TokenWorkerResponse } from './tokenWorker';

/** Options of {@link countTokens} and {@link countMessageTokens}. */
export interface CountOptions {
  /** When aborted (before or during the count), the count resolves null at once. */
  signal?: AbortSignal;
  /** Past this many ms the count resolves null (unknown) and the work is stopped. Default {@link countTimeLimitMs}. */
  timeLimitMs?: number;
}

/**
 * Default time limit of one count, ms. Counting is linear (about 1 s per MB of ordinary text, far
 * less for the long runs a degenerate answer repeats), so only pathological multi-MB inputs reach
 * it; the first count of a process also pays for loading the tokenizer (about 1 s).
 */
export const countTimeLimitMs = 10_000;

/**
 * Default idle time after which the worker stops, ms: streams that may need a count hold it
 * meanwhile, so this only has to bridge the gaps between counts and runs; short, so that a run
 * whose servers report usage does not keep the tokenizer for its whole length.
 */
export const workerIdleMs = 2_000;

/** How counts are made in this process: not yet decided, in a worker thread, or on this thread. */
export type TokenCounterMode = 'idle' | 'worker' | 'in-thread';

/** Must equal `tokenWorkerMarker` in tokenWorker.ts (not imported: that would pull the ranks into this bundle). */
const workerMarker = 'bakeoffTokenWorker';

type Job = Extract<TokenWorkerRequest, { type: 'count' | 'countMessages' }>;

interface Pending {
  /** Resolves the count once; `answered`: the worker sent it (else the worker is told to stop). */
  settle(count: number | null, answered?: boolean): void;
  job: Job;
}

interface WorkerState {
  worker: Worker;
  /** The worker sent `ready` (it started); an error before that means it cannot start. */
  ready: boolean;
  pending: Map<number, Pending>;
  /** Stops the worker when it stays without a count (armed while nothing is pending). */
  idleTimer?: NodeJS.Timeout;
}

let configuredFile: string | undefined;
let idleMs = workerIdleMs;
/** Holds taken by {@link holdTokenCounter} and not yet released. */
let holds = 0;
let workerAllowed = true;
let current: WorkerState | null = null;
let mode: TokenCounterMode = 'idle';
let inThread: typeof TokenWorkerModule | null | undefined;
let nextId = 1;
/** Workers that failed after starting; past a few, counting moves to this thread. */
let crashes = 0;
const maxCrashes = 3;

/**
 * The worker file: `tokenWorker.js` next to this module's bundle (dist/), or `tokenWorker.ts`
 * next to this source file when running from sources (tests, `node --import tsx`).
 */
function workerFile(): string {
  if (configuredFile !== undefined) return configuredFile;
  const js = path.join(__dirname, 'tokenWorker.js');
  if (existsSync(js)) return js;
  return path.join(__dirname, 'tokenWorker.ts');
}

/**
 * Changes where and how counts run (tests, embedders). `workerFile`: the worker module to use
 * (default: found next to this module). `worker: false` counts on this thread. `idleMs`: how long
 * the worker may stay without a count before it stops (default {@link workerIdleMs}). Stops a
 * running worker; pending counts resolve null.
 */
export function configureTokenCounter(options: { workerFile?: string; worker?: boolean; idleMs?: number }): void {
  configuredFile = options.workerFile;
  workerAllowed = options.worker ?? true;
  idleMs = options.idleMs ?? workerIdleMs;
  stopWorker();
  inThread = undefined;
  crashes = 0;
  mode = 'idle';
}

/** How counts are made now (see {@link TokenCounterMode}). */
export function tokenCounterMode(): TokenCounterMode {
  return mode;
}

function stopWorker(): void {
  const state = current;
  if (!state) return;
  current = null;
  clearTimeout(state.idleTimer);
  state.worker.removeAllListeners();
  // An 'error' after this point must not become an uncaught exception.
  state.worker.on('error', () => undefined);
  void state.worker.terminate().catch(() => undefined);
  for (const p of state.pending.values()) p.settle(null);
  state.pending.clear();
}

/**
 * Counts on the calling thread, blocking it (the tokenizer loads here on first use, 0.4–1.5 s).
 * Only for work that times nothing, such as generating a suite; a run counts through
 * {@link countTokens}. Null when the counting module cannot be loaded or the text is too long.
 */
export function countTokensBlocking(text: string, model: string): number | null {
  return inThreadModule()?.countTokensSync(text, model) ?? null;
}

/** The pre-tokenization pattern of `name`, loading the tokenizer on this thread (see {@link countTokensBlocking}); null when it cannot be loaded. */
export function pretokenPatternBlocking(name: TokenizerName): string | null {
  try {
    return inThreadModule()?.pretokenPattern(name) ?? null;
  } catch {
    return null;
  }
}

/** The counting module loaded on this thread; null when it cannot be loaded. */
function inThreadModule(): typeof TokenWorkerModule | null {
  if (inThread === undefined) {
    try {
      // Not a literal `require`: esbuild must leave the worker bundle (and its ranks) out of this one.
      inThread = createRequire(__filename)(workerFile()) as typeof TokenWorkerModule;
      if (typeof inThread.countTokensAsync !== 'function') inThread = null;
    } catch {
      inThread = null;
    }
  }
  return inThread;
}

function startWorker(): WorkerState {
  const file = workerFile();
  const workerData = { [workerMarker]: true };
  // The worker needs no flags of its host (an editor's debugging or loader flags could even stop
  // it from starting). From sources it is TypeScript: tsx's require hook is registered in it
  // first (on Node 20 an inherited `--import tsx` does not compile a worker's entry).
  const worker = file.endsWith('.ts')
    ? new Worker(
        `require(require('node:module').createRequire(${JSON.stringify(file)}).resolve('tsx/cjs')); require(${JSON.stringify(file)});`,
        { eval: true, workerData, execArgv: [] },
      )
    : new Worker(file, { workerData, execArgv: [] });
  const state: WorkerState = { worker, ready: false, pending: new Map() };
  worker.unref();
  worker.on('message', (message: TokenWorkerResponse) => {
    if (message?.type === 'ready') {
      state.ready = true;
      return;
    }
    if (message?.type !== 'result') return;
    const p = state.pending.get(message.id);
    if (p) p.settle(typeof message.count === 'number' ? message.count : null, true);
  });
  const fail = (): void => {
    if (current !== state) return;
    current = null;
    worker.removeAllListeners('message');
    const pending = [...state.pending.values()];
    state.pending.clear();
    if (!state.ready || ++crashes >= maxCrashes) {
      // It could not start (or keeps failing): count here from now on, the pending ones included.
      mode = 'in-thread';
      for (const p of pending) runInThread(p);
    } else {
      // A crash (e.g. out of memory on a huge input): those counts are unknown; the next count starts a new worker.
      mode = 'idle';
      for (const p of pending) p.settle(null);
    }
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  return state;
}

/**
 * Keeps a running worker from stopping while held (a stream that may need a count when it ends);
 * starts none. Returns the release, which may be called more than once.
 */
export function holdTokenCounter(): () => void {
  holds++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    holds--;
    if (holds === 0 && current && current.pending.size === 0) armIdleStop(current);
  };
}

/** Stops `state`'s worker after {@link idleMs} unless a count or a hold comes first. */
function armIdleStop(state: WorkerState): void {
  clearTimeout(state.idleTimer);
  state.idleTimer = setTimeout(() => {
    if (current !== state || state.pending.size > 0 || holds > 0) return;
    stopWorker();
    mode = 'idle';
  }, idleMs);
  state.idleTimer.unref();
}

function runInThread(p: Pending): void {
  const module = inThreadModule();
  if (!module) {
    p.settle(null);
    return;
  }
  let done = false;
  const settle = p.settle;
  p.settle = (count) => {
    done = true;
    settle(count);
  };
  const options = { isCancelled: () => done };
  const counting =
    p.job.type === 'count'
      ? module.countTokensAsync(p.job.text, p.job.model, options)
      : module.countMessageTokensAsync(p.job.messages, p.job.model, options);
  void counting.then((count) => p.settle(count), () => p.settle(null));
}

/** Sends the job to the worker (started now if needed) or counts it here; resolves null on abort or time limit. */
function submit(makeJob: (id: number) => Job, options: CountOptions): Promise<number | null> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve(null);
  return new Promise<number | null>((resolve) => {
    const id = nextId++;
    const job = makeJob(id);
    let state: WorkerState | null = null;
    let settled = false;
    const timeLimitMs = options.timeLimitMs ?? countTimeLimitMs;
    const timer = setTimeout(() => pending.settle(null), Math.max(0, timeLimitMs));
    timer.unref();
    const onAbort = (): void => pending.settle(null);
    const pending: Pending = {
      job,
      settle(count, answered = false) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (state && state.pending.delete(id)) {
          if (!answered && current === state) {
            const cancel: TokenWorkerRequest = { type: 'cancel', id };
            state.worker.postMessage(cancel);
          }
          // Unreferenced while idle, so the worker never keeps the process alive; stopped when it stays idle.
          if (state.pending.size === 0) {
            state.worker.unref();
            armIdleStop(state);
          }
        }
        resolve(count);
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    if (workerAllowed && mode !== 'in-thread') {
      try {
        if (!current) {
          current = startWorker();
          mode = 'worker';
        }
        state = current;
        if (state.pending.size === 0) {
          clearTimeout(state.idleTimer);
          state.worker.ref();
        }
        state.pending.set(id, pending);
        state.worker.postMessage(job);
        return;
      } catch {
        if (state) state.pending.delete(id);
        state = null;
        if (current) stopWorker();
        mode = 'in-thread';
      }
    }
    mode = 'in-thread';
    runInThread(pending);
  });
}

/**
 * Number of tokens in `text` for `model`'s tokenizer (see `tokenizerName` in tokens.ts), counted
 * off this thread. Exact for ordinary text; runs longer than `maxPieceChars` are counted piece by
 * piece (an estimate). Null (unknown) when over `maxCountedChars`, aborted, past the time limit
 * or on failure. Never rejects.
 */
export function countTokens(text: string, model: string, options: CountOptions = {}): Promise<number | null> {
  if (typeof text !== 'string' || typeof model !== 'string' || text.length > maxCountedChars) return Promise.resolve(null);
  if (options.signal?.aborted) return Promise.resolve(null);
  if (text === '') return Promise.resolve(0);
  return submit((id) => ({ type: 'count', id, model, text }), options);
}

/**
 * Prompt tokens of a chat request for `model`: for each message 3 + tokens(role) +
 * tokens(content), plus 3 for the reply primer (OpenAI cookbook formula; see tokens.ts), counted
 * off this thread. Null as for {@link countTokens}. Never rejects.
 */
export function countMessageTokens(messages: readonly ChatMessage[], model: string, options: CountOptions = {}): Promise<number | null> {
  try {
    if (!Array.isArray(messages) || typeof model !== 'string' || messagesLength(messages) > maxCountedChars) return Promise.resolve(null);
  } catch {
    return Promise.resolve(null);
  }
  if (options.signal?.aborted) return Promise.resolve(null);
  const plain = messages.map((m) => ({ role: m.role, content: m.content }));
  return submit((id) => ({ type: 'countMessages', id, model, messages: plain }), options);
}

/**
 * Starts the worker and loads the tokenizers of `models` in it, so the first count does not pay
 * for the load. Costs this thread only the worker's start. Never throws.
 */
export function warmTokenCounter(models: readonly string[]): void {
  if (!workerAllowed || mode === 'in-thread') return;
  try {
    if (!current) {
      current = startWorker();
      mode = 'worker';
    }
    const warm: TokenWorkerRequest = { type: 'warm', models: models.filter((m) => typeof m === 'string') };
    current.worker.postMessage(warm);
  } catch {
    // counts will fall back to this thread
  }
}
