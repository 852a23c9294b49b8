/**
 * The plan of a suite run: which tests (a shard of them), which cells (tests × backends ×
 * trials), in which order (a seeded shuffle of test × trial pairs, each pair's backends next to
 * one another, so every backend answers the same prompt in the same time window), and what the
 * run is estimated to send and cost. Pure.
 */
import type { Backend } from '../config';
import { computeCost, type ModelsEndpointPrice } from '../pricing';
import { seededShuffle } from '../stats';
import { tokenizerName, type TokenizerName } from '../tokens';
import type { PlanBackend, SuiteTest } from './types';

/** `i/N` → `{ index: i, count: N }` (1 ≤ i ≤ N); throws a readable Error otherwise. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1) || index > count || count > 10_000) {
    throw new Error(`--shard takes i/N with 1 ≤ i ≤ N (e.g. 2/3), not "${text}"`);
  }
  return { index, count };
}

/**
 * The tests of shard `index` of `count`: test k (0-based, in suite order) belongs to shard
 * (k mod count) + 1. Every backend and trial of a test stays in its shard; shards differ in
 * size by at most one test.
 */
export function shardTests<T extends Pick<SuiteTest, 'index'>>(tests: readonly T[], shard: { index: number; count: number } | null): T[] {
  if (!shard) return [...tests];
  return tests.filter((t) => (t.index % shard.count) + 1 === shard.index);
}

/** One planned request. */
export interface PlannedCell {
  testIndex: number;
  test: string;
  backend: string;
  trial: number;
  /** Position in the run order. */
  order: number;
  /** Position of its test × trial pair in the run order (the cells of one pair share it). */
  pair: number;
}

/** Mixes two integers into a 32-bit seed. */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Cells in run order: the test × trial pairs shuffled with `seed`; for each pair, one cell per
 * backend, the backends in an order shuffled per pair (so no backend is always first).
 */
export function planCells(tests: ReadonlyArray<Pick<SuiteTest, 'id' | 'index'>>, backendIds: readonly string[], trials: number, seed: number): PlannedCell[] {
  const pairs: Array<{ test: Pick<SuiteTest, 'id' | 'index'>; trial: number }> = [];
  for (const test of tests) for (let trial = 1; trial <= trials; trial++) pairs.push({ test, trial });
  const ordered = seededShuffle(pairs, seed);
  const cells: PlannedCell[] = [];
  ordered.forEach((pair, k) => {
    const backends = backendIds.length > 1 ? seededShuffle(backendIds, mix(seed, k)) : backendIds;
    for (const backend of backends) cells.push({ testIndex: pair.test.index, test: pair.test.id, backend, trial: pair.trial, order: cells.length, pair: k });
  });
  return cells;
}

/** What a backend's share of the plan is estimated to send and cost. */
export interface BackendEstimate {
  backend: string;
  cells: number;
  /** Prompt tokens counted with the backend's tokenizer (null when some prompt could not be counted). */
  inputTokens: number | null;
  /** Upper bound: cells × maxTokens (answers cannot be longer). */
  outputTokensMax: number;
  /** Upper bound of the cost; null when the price is unknown. */
  costUsdMax: number | null;
  /** How the price is known, or why not. */
  costDetail: string;
}

/** Prompt tokens of every test, per tokenizer. */
export type PromptTokenCounts = Map<TokenizerName, ReadonlyArray<number | null>>;

/**
 * The estimate of one cell's cost: the counted prompt plus an answer of `maxTokens` (an upper
 * bound), priced by the backend's price source. Null when the price or the prompt count is
 * unknown.
 */
export function estimateCellCostUsd(
  backend: Backend,
  promptTokens: number | null,
  maxTokens: number,
  modelsEndpointPrice: ModelsEndpointPrice | null,
): number | null {
  if (promptTokens === null) return null;
  return computeCost({
    backend,
    inputTokens: promptTokens,
    outputTokens: maxTokens,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    tokensPerSecond: null,
    modelsEndpointPrice,
  }).costUsd;
}

/** Estimates per backend for the dry run and the budget. */
export function estimatePlan(
  cells: readonly PlannedCell[],
  backends: ReadonlyArray<{ plan: PlanBackend; backend: Backend; modelsEndpointPrice: ModelsEndpointPrice | null }>,
  counts: PromptTokenCounts,
): BackendEstimate[] {
  return backends.map(({ plan, backend, modelsEndpointPrice }) => {
    const mine = cells.filter((c) => c.backend === plan.id);
    const perTest = counts.get(tokenizerName(plan.model));
    let input: number | null = 0;
    for (const c of mine) {
      const n = perTest?.[c.testIndex] ?? null;
      input = input === null || n === null ? null : input + n;
    }
    const outputMax = mine.length * plan.params.maxTokens;
    const probe = computeCost({
      backend,
      inputTokens: input ?? 0,
      outputTokens: outputMax,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      tokensPerSecond: null,
      modelsEndpointPrice,
    });
    return {
      backend: plan.id,
      cells: mine.length,
      inputTokens: input,
      outputTokensMax: outputMax,
      costUsdMax: input === null ? null : probe.costUsd,
      costDetail: input === null ? 'unknown: some prompt could not be counted' : probe.detail,
    };
  });
}

/**
 * The plan's estimated cost: the sum of the upper bounds of the backends whose price is known,
 * and the backends whose price is not (their share is not in the sum).
 */
export function planCostTotal(estimates: ReadonlyArray<Pick<BackendEstimate, 'backend' | 'costUsdMax'>>): { costUsdMax: number; unknown: string[] } {
  let costUsdMax = 0;
  const unknown: string[] = [];
  for (const e of estimates) {
    if (e.costUsdMax === null) unknown.push(e.backend);
    else costUsdMax += e.costUsdMax;
  }
  return { costUsdMax, unknown };
}
