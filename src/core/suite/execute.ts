/**
 * Runs a suite's cells on top of the runner's trial primitive (`createTrialRunner`: keys,
 * `streamCompletion`, the `/models` price cache): cells in the plan's seeded order, at most
 * `concurrency` in flight and at most each backend's own `concurrency` (default 1) per backend,
 * never a response cache. Each finished cell is graded and appended to the results file.
 * `maxCostUsd` stops sending before the estimate of the spend would pass it; a cancel stops
 * sending and lets the cells in flight end `cancelled`.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Backend, RequestParams, Timeouts } from '../config';
import { outcomeLabel } from '../format';
import type { ModelsEndpointPrice } from '../pricing';
import { countWhenNeeded, createTrialRunner, fetchModelsPrice, ModelsPriceCache, type ModelsPrice, type TrialRunner } from '../runner';
import { UsageSupportMemory } from '../stream';
import { isDelivered } from '../summary';
import type { FetchFn, NodeFetchOptions } from '../timedFetch';
import { countMessageTokens } from '../tokenCounter';
import { tokenizerName, type TokenizerName } from '../tokens';
import type { SentRequest, TrialResult } from '../types';
import { gradeTest, type Grader } from './assertions';
import { estimateCellCostUsd, planCells, type PlannedCell, type PromptTokenCounts } from './plan';
import { cellKey, isFinalCell, type ResultsWriter } from './store';
import type { PlanBackend, SuiteCell, SuiteOutcome, SuiteTest } from './types';

/** Progress of a run, for the CLI's progress line. */
export interface SuiteProgress {
  /** Cells finished, resumed ones included. */
  done: number;
  total: number;
  /** Finished cells that failed: not delivered, or the test failed (not graded ones are not counted). */
  failed: number;
  /** Known spend so far (tested backends and grader), US dollars. */
  spentUsd: number;
  elapsedMs: number;
  /** Estimated time left, from the pace of this run; null before the first cell. */
  etaMs: number | null;
}

/** A backend as the executor uses it. */
export interface RunBackend {
  backend: Backend;
  plan: PlanBackend;
}

export interface SuiteRunOptions {
  /** The tests to run (one shard's). */
  tests: readonly SuiteTest[];
  backends: readonly RunBackend[];
  trials: number;
  seed: number;
  /** Most requests in flight, all backends together. */
  concurrency: number;
  timeouts: Timeouts;
  resolveKey: (backend: Backend) => string | undefined | Promise<string | undefined>;
  /** Cells already finished (a resumed run); final ones are not sent again. */
  done?: readonly SuiteCell[];
  /** Where each finished cell is appended. */
  writer?: ResultsWriter | null;
  maxCostUsd?: number | null;
  allowJs?: boolean;
  /** Run `command` assertions (`--allow-exec`). */
  allowExec?: boolean;
  /** Folder of the suite file (`command` assertions' `config.dir` is relative to it). */
  suiteDir?: string;
  /** The `--grader` backend and its request parameters. */
  grader?: { backend: Backend; params: RequestParams; concurrency?: number } | null;
  signal?: AbortSignal;
  fetch?: FetchFn;
  transport?: Omit<NodeFetchOptions, 'connectTimeoutMs'>;
  rateLimitBackoffMs?: readonly number[];
  priceCache?: ModelsPriceCache;
  /** Price source for `modelsEndpoint` pricing (tests); default reads the backend's `GET /models`. */
  modelsPrice?: (backend: Backend) => Promise<ModelsPrice | null>;
  onProgress?: (progress: SuiteProgress) => void;
  /**
   * Called with each finished cell (after it was graded), in finishing order, and the request
   * exactly as it was sent (keys redacted).
   */
  onCell?: (cell: SuiteCell, request: SentRequest) => void;
  /** Monotonic clock, ms. */
  now?: () => number;
}

export interface SuiteRunResult {
  /** Every finished cell: resumed ones first, then this run's, in finishing order. */
  cells: SuiteCell[];
  plan: PlannedCell[];
  outcome: SuiteOutcome;
  /** Cells of the plan that were not sent (budget reached, or interrupted before they started). */
  notSent: number;
  /** Known spend of this run's grader calls, US dollars. */
  graderSpendUsd: number;
  /** Known spend of the tested backends in this run (resumed cells excluded), US dollars. */
  spendUsd: number;
}

/** The budget cannot be enforced: some backend's price is unknown. */
export class BudgetError extends Error {
  override readonly name = 'BudgetError';
}

/** Prompt tokens of each test (by test index), per tokenizer the backends use. Counted before any request. */
export async function countPromptTokens(tests: readonly SuiteTest[], models: readonly string[]): Promise<PromptTokenCounts> {
  const names = new Map<TokenizerName, string>();
  for (const model of models) {
    try {
      const name = tokenizerName(model);
      if (!names.has(name)) names.set(name, model);
    } catch {
      // unknown: counts stay null
    }
  }
  const counts: PromptTokenCounts = new Map();
  for (const [name, model] of names) {
    const perTest: Array<number | null> = [];
    for (const t of tests) perTest[t.index] = await countMessageTokens(t.messages, model);
    counts.set(name, perTest);
  }
  return counts;
}

const round3 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

/** The results-file cell of a trial (graded or not). */
function toCell(
  planned: PlannedCell,
  test: SuiteTest,
  r: TrialResult,
  grade: { pass: boolean | null; score: number | null; reason: string; assertions: SuiteCell['assertions']; namedScores: Record<string, number> } | null,
  startedAt: string,
): SuiteCell {
  const delivered = isDelivered(r);
  const attempted = r.status !== 'not_sent' && r.status !== 'cancelled';
  let passed: boolean | null;
  let score: number | null;
  let reason: string;
  if (!attempted) {
    passed = null;
    score = null;
    reason = outcomeLabel(r.status, r.error);
  } else if (!delivered) {
    passed = false;
    score = 0;
    reason = `not delivered: ${outcomeLabel(r.status, r.error)}`;
  } else {
    passed = grade ? grade.pass : null;
    score = grade ? grade.score : null;
    reason = grade ? grade.reason : 'not graded';
  }
  const e = r.error;
  const lengthLabel = test.metadata.lengthLabel;
  return {
    type: 'cell',
    test: test.id,
    testIndex: test.index,
    backend: planned.backend,
    trial: planned.trial,
    order: planned.order,
    status: r.status,
    delivered,
    passed,
    score,
    reason,
    ttftMs: round3(r.metrics.ttftMs),
    totalMs: round3(r.metrics.totalMs),
    wallMs: round3(r.wallMs),
    tokensPerSecond: round3(r.metrics.tokensPerSecond),
    inputTokens: r.metrics.inputTokens,
    outputTokens: r.metrics.outputTokens,
    promptTokensReported: r.usageReported ? r.metrics.inputTokens : null,
    tokenSource: r.metrics.tokenSource,
    costUsd: r.cost.costUsd,
    costSource: r.cost.costSource,
    retries: r.retries,
    retryWaitMs: round3(r.retryWaitMs) ?? 0,
    error: e
      ? {
          type: e.type,
          message: e.message,
          hint: e.hint,
          ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
          ...(e.timeoutPhase !== undefined ? { timeoutPhase: e.timeoutPhase } : {}),
          ...(e.code !== undefined ? { code: e.code } : {}),
        }
      : null,
    finishReason: r.finishReason,
    text: r.text,
    reasoning: r.reasoning,
    assertions: delivered && grade ? grade.assertions : [],
    namedScores: delivered && grade ? grade.namedScores : {},
    lengthLabel: typeof lengthLabel === 'string' ? lengthLabel : typeof lengthLabel === 'number' ? String(lengthLabel) : null,
    startedAt,
  };
}

/** A tiny counting semaphore. */
function semaphore(slots: number): <T>(job: () => Promise<T>) => Promise<T> {
  let free = Math.max(1, slots);
  const waiting: Array<() => void> = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** Runs the cells of a suite that are not already finished. Never rejects for a failed request. */
export async function runSuite(options: SuiteRunOptions): Promise<SuiteRunResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const signal = options.signal;
  // Every stream in flight listens for the cancel: allow as many listeners as the run has streams.
  if (signal) setMaxListeners(Math.max(getMaxListeners(signal), Math.floor(options.concurrency) + 16), signal);
  const byId = new Map(options.backends.map((b) => [b.plan.id, b]));
  const testsByIndex = new Map(options.tests.map((t) => [t.index, t]));
  const plan = planCells(options.tests, options.backends.map((b) => b.plan.id), options.trials, options.seed);
  const finished = new Map<string, SuiteCell>();
  for (const c of options.done ?? []) if (isFinalCell(c) && byId.has(c.backend) && testsByIndex.has(c.testIndex)) finished.set(cellKey(c), c);
  const todo = plan.filter((p) => !finished.has(cellKey(p)));
  const todoTests = new Set(todo.map((p) => p.testIndex));
  const todoBackends = new Set(todo.map((p) => p.backend));

  const priceCache = options.priceCache ?? new ModelsPriceCache();
  const usageMemory = new UsageSupportMemory();
  const runTrial: TrialRunner = createTrialRunner({
    timeouts: options.timeouts,
    resolveKey: options.resolveKey,
    usageMemory,
    priceCache,
    ...(signal ? { signal } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.rateLimitBackoffMs ? { rateLimitBackoffMs: options.rateLimitBackoffMs } : {}),
    ...(options.modelsPrice ? { modelsPrice: options.modelsPrice } : {}),
  });

  // A budget prices every cell before it is sent: its prompts are counted before any request, so
  // the tokenizer never loads mid-stream. Without one, a cell's prompt is counted only when its
  // answer comes without usage, as in a comparison: a run whose servers report usage never loads
  // the tokenizer (about 1 s of CPU and 90 MB).
  const maxCost = options.maxCostUsd ?? null;
  const counts =
    maxCost !== null
      ? await countPromptTokens(
          options.tests.filter((t) => todoTests.has(t.index)),
          options.backends.map((b) => b.plan.model),
        )
      : null;
  const promptTokens = (model: string, testIndex: number): number | null => {
    try {
      return counts?.get(tokenizerName(model))?.[testIndex] ?? null;
    } catch {
      return null;
    }
  };
  /** Counts on first need, once per tokenizer and test. */
  const neededCounts = new Map<string, PromiseLike<number | null>>();
  const promptTokensOfCell = (model: string, test: SuiteTest): number | null | PromiseLike<number | null> => {
    if (counts) return promptTokens(model, test.index);
    let name: TokenizerName;
    try {
      name = tokenizerName(model);
    } catch {
      return null;
    }
    const key = `${name}\n${test.index}`;
    let count = neededCounts.get(key);
    if (!count) neededCounts.set(key, (count = countWhenNeeded(() => countMessageTokens(test.messages, model))));
    return count;
  };

  // The budget: known spend so far, plus an upper-bound estimate for every cell in flight.
  let spentUsd = 0;
  for (const c of finished.values()) spentUsd += c.costUsd ?? 0;
  const modelsPrices = new Map<string, ModelsEndpointPrice | null>();
  if (maxCost !== null && todo.length > 0) {
    const unpriced: string[] = [];
    for (const b of options.backends) {
      if (!todoBackends.has(b.plan.id)) continue;
      let price: ModelsEndpointPrice | null = null;
      if (b.backend.pricing.type === 'modelsEndpoint') {
        const key = (await options.resolveKey(b.backend)) || undefined;
        price = await priceCache.get(b.backend, () =>
          options.modelsPrice ? options.modelsPrice(b.backend) : fetchModelsPrice(b.backend, key, options.fetch, { timeouts: options.timeouts, ...(signal ? { signal } : {}) }),
        );
      }
      modelsPrices.set(b.plan.id, price);
      const probe = estimateCellCostUsd(b.backend, 0, b.plan.params.maxTokens, price);
      if (probe === null) unpriced.push(`${b.plan.id} (${b.backend.pricing.type === 'modelsEndpoint' ? 'its /models listing gave no price' : `pricing: ${b.backend.pricing.type}`})`);
    }
    if (options.grader && estimateCellCostUsd(options.grader.backend, 0, options.grader.params.maxTokens, null) === null) {
      unpriced.push(`${options.grader.backend.id} (the grader; pricing: ${options.grader.backend.pricing.type})`);
    }
    if (unpriced.length) {
      throw new BudgetError(`--max-cost needs a known price for every backend; unknown for: ${unpriced.join(', ')}. Set their pricing, or run without --max-cost.`);
    }
  }
  const estimateOf = (p: PlannedCell): number => {
    const b = byId.get(p.backend)!;
    const tokens = promptTokens(b.plan.model, p.testIndex);
    // An uncountable prompt is priced as if it filled the whole context a request can carry: no budget surprise.
    return estimateCellCostUsd(b.backend, tokens ?? 1_000_000, b.plan.params.maxTokens, modelsPrices.get(p.backend) ?? null) ?? 0;
  };

  // The grader: its own small concurrency, its spend counted.
  let graderSpendUsd = 0;
  let graderCalls = 0;
  let grader: Grader | null = null;
  if (options.grader) {
    const g = options.grader;
    const limit = semaphore(g.concurrency ?? 2);
    grader = (messages) =>
      limit(async () => {
        if (maxCost !== null && spentUsd + (estimateCellCostUsd(g.backend, 2_000, g.params.maxTokens, null) ?? 0) > maxCost) {
          return { error: 'the --max-cost budget is reached' };
        }
        const r = await runTrial(g.backend, ++graderCalls, messages, g.params, null);
        graderSpendUsd += r.cost.costUsd ?? 0;
        spentUsd += r.cost.costUsd ?? 0;
        if (r.status !== 'ok') return { error: outcomeLabel(r.status, r.error) };
        return { text: r.text };
      });
  }

  const cells: SuiteCell[] = [...finished.values()];
  let runSpendUsd = 0;
  let failed = cells.filter((c) => c.passed === false).length;
  let doneThisRun = 0;
  const total = plan.length;
  const progress = (): void => {
    if (!options.onProgress) return;
    const elapsedMs = now() - started;
    const left = total - cells.length;
    try {
      options.onProgress({
        done: cells.length,
        total,
        failed,
        spentUsd,
        elapsedMs,
        etaMs: doneThisRun > 0 ? (elapsedMs / doneThisRun) * left : null,
      });
    } catch {
      // a broken listener must not break the run
    }
  };

  // Per-backend queues in plan order; the next cell is the earliest one whose backend has room.
  const queues = new Map<string, PlannedCell[]>(options.backends.map((b) => [b.plan.id, []]));
  for (const p of todo) queues.get(p.backend)!.push(p);
  const heads = new Map<string, number>(options.backends.map((b) => [b.plan.id, 0]));
  const open = new Map<string, number>(options.backends.map((b) => [b.plan.id, 0]));
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  let running = 0;
  let inFlightEstimate = 0;
  let budgetStopped = false;
  let writeError: Error | null = null;
  let fatal: unknown = null;
  const pendingWork = new Set<Promise<void>>();

  progress();
  await new Promise<void>((resolveAll) => {
    let finishedAll = false;
    const maybeDone = (): void => {
      if (!finishedAll && running === 0 && pendingWork.size === 0 && (stopped() || nothingLeft())) {
        finishedAll = true;
        resolveAll();
      }
    };
    const stopped = () => budgetStopped || Boolean(signal?.aborted) || writeError !== null || fatal !== null;
    const nothingLeft = () => [...queues].every(([id, q]) => heads.get(id)! >= q.length);
    // A backend may not run ahead of the slowest one by more than `window` test × trial pairs:
    // every backend answers the same prompt in about the same time window. The total time does
    // not grow, since the slowest backend sets it anyway.
    const window = Math.max(...options.backends.map((b) => b.plan.concurrency));
    const next = (): PlannedCell | null => {
      let frontier = Infinity;
      for (const [id, q] of queues) {
        const head = heads.get(id)!;
        if (head < q.length) frontier = Math.min(frontier, q[head]!.pair);
      }
      let best: PlannedCell | null = null;
      for (const [id, q] of queues) {
        const head = heads.get(id)!;
        if (head >= q.length) continue;
        if (open.get(id)! >= byId.get(id)!.plan.concurrency) continue;
        const cand = q[head]!;
        if (cand.pair > frontier + window) continue;
        if (!best || cand.order < best.order) best = cand;
      }
      return best;
    };
    const pump = (): void => {
      while (!stopped() && running < concurrency) {
        const p = next();
        if (!p) break;
        const estimate = maxCost !== null ? estimateOf(p) : 0;
        if (maxCost !== null && spentUsd + inFlightEstimate + estimate > maxCost) {
          budgetStopped = true;
          break;
        }
        heads.set(p.backend, heads.get(p.backend)! + 1);
        open.set(p.backend, open.get(p.backend)! + 1);
        running++;
        inFlightEstimate += estimate;
        const work = runCell(p, estimate)
          .catch((err: unknown) => {
            fatal ??= err;
          })
          .finally(() => {
          pendingWork.delete(work);
          maybeDone();
        });
        pendingWork.add(work);
      }
      maybeDone();
    };
    const runCell = async (p: PlannedCell, estimate: number): Promise<void> => {
      const { backend, plan: pb } = byId.get(p.backend)!;
      const test = testsByIndex.get(p.testIndex)!;
      const startedAt = new Date().toISOString();
      let result: TrialResult;
      try {
        result = await runTrial(backend, p.trial, test.messages, pb.params, promptTokensOfCell(pb.model, test));
      } finally {
        // The backend's slot is free as soon as its stream ended; grading and writing follow.
        running--;
        open.set(p.backend, open.get(p.backend)! - 1);
        inFlightEstimate -= estimate;
      }
      const cost = result.cost.costUsd ?? 0;
      spentUsd += cost;
      runSpendUsd += cost;
      pump();
      const grade = isDelivered(result)
        ? await gradeTest(test, {
            output: result.text,
            prompt: [...test.messages].reverse().find((m) => m.role === 'user')?.content ?? '',
            vars: test.vars,
            metadata: test.metadata,
            metrics: { ttftMs: result.metrics.ttftMs, totalMs: result.metrics.totalMs, tokensPerSecond: result.metrics.tokensPerSecond, costUsd: result.cost.costUsd },
            allowJs: options.allowJs ?? false,
            allowExec: options.allowExec ?? false,
            suiteDir: options.suiteDir ?? null,
            ...(signal ? { signal } : {}),
            grader,
          })
        : null;
      const cell = toCell(p, test, result, grade, startedAt);
      if (options.writer) {
        try {
          await options.writer.write(cell);
        } catch (err) {
          writeError = err as Error;
        }
      }
      cells.push(cell);
      doneThisRun++;
      if (cell.passed === false) failed++;
      try {
        options.onCell?.(cell, result.request);
      } catch {
        // ignore listener errors
      }
      progress();
    };
    signal?.addEventListener('abort', () => maybeDone(), { once: true });
    pump();
  });
  // Kept-alive connections of `connection: "warm"` backends end with the run.
  runTrial.close();
  if (writeError) throw writeError;
  if (fatal) throw fatal;
  const outcome: SuiteOutcome = signal?.aborted ? 'interrupted' : budgetStopped ? 'budget' : 'finished';
  const sentKeys = new Set(cells.map(cellKey));
  return {
    cells,
    plan,
    outcome,
    notSent: plan.filter((p) => !sentKeys.has(cellKey(p))).length,
    graderSpendUsd,
    spendUsd: runSpendUsd,
  };
}
