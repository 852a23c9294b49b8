/**
 * `bakeoff reproduce`: the plan that checks the claims on the user's own backends, the probe of
 * each backend's context window, and the figures a claims report adds to a suite summary
 * (accuracy by the prompt tokens each backend reported). Everything here is pure or takes its
 * I/O as a function, so it is tested without a network.
 */
import { Backend } from './config';
import { computeCost } from './pricing';
import { completionFamilies, generateCompletionSuite } from './tasks/completion';
import { buildFillerPrompt, promptBudget, TokenMeter } from './tasks/haystack';
import {
  defaultLongContextMaxTokens,
  estimateLongContextTokens,
  longContextFamilies,
  longContextItems,
  longContextSuite,
  parseLengths,
  type LengthTarget,
  type LongContextFamily,
} from './tasks/longctx';
import { Rng } from './tasks/random';
import type { TaskSuite } from './tasks/suite';
import type { TrialResult } from './types';

/** What `reproduce` runs when not told otherwise. */
export const defaultReproduce = {
  seed: 1,
  lengths: '4k,8k,16k,32k,64k,128k',
  /** Long-context items per family per length. */
  n: 2,
  /** Completion items per family. */
  completionN: 8,
  /** Default spending limit, USD. */
  budgetUsd: 1,
} as const;

export interface ReproducePlanOptions {
  seed: number;
  lengths: LengthTarget[];
  n: number;
  completionN: number;
  families?: readonly LongContextFamily[];
  maxTokens?: number;
}

export function defaultPlanOptions(): ReproducePlanOptions {
  return {
    seed: defaultReproduce.seed,
    lengths: parseLengths(defaultReproduce.lengths),
    n: defaultReproduce.n,
    completionN: defaultReproduce.completionN,
  };
}

// ---------------------------------------------------------------------------------------------
// Probing the context window
// ---------------------------------------------------------------------------------------------

/** The answer a probe request expects; the prompt asks for nothing else. */
export const probeAnswer = 'OK';

/**
 * A request as long as a task of this length (same budget, same answer bound), made of filler
 * only and asking for one word: whether it is accepted tells whether the tasks fit.
 */
export function probePrompt(length: LengthTarget, maxTokens: number = defaultLongContextMaxTokens): { prompt: string; tokens: number } {
  const built = buildFillerPrompt({
    rng: Rng.derive(0, 'probe', length.tokens),
    meter: new TokenMeter(),
    budgetTokens: promptBudget(length.tokens, maxTokens),
    head: 'The text below is filler; it asks nothing of you.\n\n',
    tail: `Question: Reply with the single word ${probeAnswer}.`,
    inserts: [],
  });
  return { prompt: built.prompt, tokens: built.tokens };
}

/** What one probe showed. */
export type ProbeOutcome =
  | { fits: true; reportedPromptTokens: number | null }
  | { fits: false; why: 'refused' | 'truncated'; message: string }
  | { fits: null; message: string };

/** A server's words for "the prompt is longer than my context window". */
const contextErrorPattern =
  /context[ _-]?(length|window|size)|maximum context|too long|too many tokens|token limit|exceeds? the (maximum|max|limit)|max(imum)?[ _-]?(model[ _-]?)?len|reduce the length|input (token count|validation)|tokens? \+ `?max_new_tokens|request exceeds/i;

/**
 * Reads a probe's result. Refused with a context error (HTTP 400/413/422 whose message says so,
 * or any 413) = too long. Accepted but with `prompt_tokens` under 70 % of the reference count =
 * the server cut the prompt silently (Ollama does) = too long as well. Anything else that is not
 * `ok` (no key, 401, 429, 5xx, timeouts…) says nothing about the window: `fits: null`.
 */
export function classifyProbe(result: Pick<TrialResult, 'status' | 'error' | 'metrics'>, referenceTokens: number): ProbeOutcome {
  if (result.status === 'ok') {
    const reported = result.metrics.tokenSource === 'reported' ? result.metrics.inputTokens : null;
    if (reported !== null && reported < 0.7 * referenceTokens) {
      return {
        fits: false,
        why: 'truncated',
        message: `accepted, but the server reported ${reported.toLocaleString('en-US')} prompt tokens for a prompt of about ${referenceTokens.toLocaleString('en-US')}: it cut the prompt`,
      };
    }
    return { fits: true, reportedPromptTokens: reported };
  }
  const status = result.error?.httpStatus;
  const text = `${result.error?.message ?? ''} ${result.error?.body ?? ''}`;
  if (status === 413 || ((status === 400 || status === 422 || result.status === 'upstream_error') && contextErrorPattern.test(text))) {
    return { fits: false, why: 'refused', message: result.error?.message ?? `HTTP ${status}` };
  }
  return { fits: null, message: result.error?.message ?? result.status };
}

export interface ProbeRecord {
  length: LengthTarget;
  outcome: ProbeOutcome;
}

export interface WindowProbe {
  /** The largest length accepted; null when even the shortest is refused or the probes failed. */
  largest: LengthTarget | null;
  probes: ProbeRecord[];
  /** Why probing stopped without an answer (a failure unrelated to length). */
  failure: string | null;
}

/**
 * Binary search for the largest of `lengths` (ascending) a backend accepts, assuming a longer
 * prompt is never accepted when a shorter one is refused. At most ⌈log2(n + 1)⌉ probes.
 */
export async function largestAcceptedLength(
  lengths: readonly LengthTarget[],
  probe: (length: LengthTarget) => Promise<ProbeOutcome>,
): Promise<WindowProbe> {
  const probes: ProbeRecord[] = [];
  let low = 0; // lengths[0..low) are known to fit
  let high = lengths.length; // lengths[high..] are known not to
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const length = lengths[mid]!;
    const outcome = await probe(length);
    probes.push({ length, outcome });
    if (outcome.fits === null) return { largest: low > 0 ? lengths[low - 1]! : null, probes, failure: `${length.label}: ${outcome.message}` };
    if (outcome.fits) low = mid + 1;
    else high = mid;
  }
  return { largest: low > 0 ? lengths[low - 1]! : null, probes, failure: null };
}

/** Most probes a binary search over `count` lengths sends. */
export const maxProbes = (count: number): number => (count <= 0 ? 0 : Math.ceil(Math.log2(count + 1)));

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

export interface ReproduceSuites {
  completion: TaskSuite;
  longContext: TaskSuite;
}

/** The two suites of a plan (long-context tasks only at `lengths`). */
export function planSuites(opts: ReproducePlanOptions, lengths: readonly LengthTarget[] = opts.lengths): ReproduceSuites {
  const completion = generateCompletionSuite({ seed: opts.seed, n: opts.completionN });
  const longOptions = { seed: opts.seed, lengths, n: opts.n, families: opts.families ?? longContextFamilies, maxTokens: opts.maxTokens };
  const longContext = longContextSuite(longOptions, [...longContextItems(longOptions)]);
  return { completion, longContext };
}

/** Tokens one backend is sent and may produce for a plan (reference tokenizer). */
export interface PlanTokens {
  requests: number;
  inputTokens: number;
  /** Upper bound: every answer as long as `maxTokens`. */
  maxOutputTokens: number;
}

/** Chat-format overhead added to each prompt by {@link planTokens} (OpenAI's formula for one user message). */
const messageOverhead = 7;

export function planTokens(suites: readonly TaskSuite[]): PlanTokens {
  let requests = 0;
  let inputTokens = 0;
  let maxOutputTokens = 0;
  for (const suite of suites) {
    for (const t of suite.tests) {
      requests++;
      inputTokens += t.metadata.promptTokens + messageOverhead;
      maxOutputTokens += suite.request.maxTokens;
    }
  }
  return { requests, inputTokens, maxOutputTokens };
}

/** Tokens the probes of one backend may use at most: the longest lengths, ⌈log2(n + 1)⌉ of them. */
export function probeTokens(lengths: readonly LengthTarget[], maxTokens: number = defaultLongContextMaxTokens): PlanTokens {
  const count = maxProbes(lengths.length);
  const longest = [...lengths].sort((a, b) => b.tokens - a.tokens).slice(0, count);
  return {
    requests: count,
    inputTokens: longest.reduce((n, l) => n + promptBudget(l.tokens, maxTokens) + messageOverhead, 0),
    maxOutputTokens: count * 4,
  };
}

/** A small model whose catalogue price the default plan is held to. */
export const smallModelReference = { providerId: 'openai', model: 'gpt-4o-mini' } as const;

/** Cost of `tokens` at the catalogue price of {@link smallModelReference}; null if the catalogue lacks it. */
export function smallModelCost(tokens: PlanTokens): { costUsd: number | null; detail: string } {
  const backend = Backend.parse({
    id: 'reference',
    kind: 'closed',
    baseUrl: 'https://api.openai.com/v1',
    model: smallModelReference.model,
    pricing: { type: 'catalog', providerId: smallModelReference.providerId },
  });
  const cost = computeCost({
    backend,
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.maxOutputTokens,
    cachedInputTokens: null,
    reasoningTokens: null,
    tokensPerSecond: null,
  });
  return { costUsd: cost.costUsd, detail: cost.detail };
}

/** The completion families a plan runs (all of them). */
export const planCompletionFamilies = completionFamilies;

/**
 * Upper bound of what the default plan costs one backend at the catalogue price of
 * {@link smallModelReference} (long-context prompts taken as filling their whole budget, every
 * answer `maxTokens` long, every probe sent). Null when the catalogue lacks the model.
 */
export function defaultPlanSmallModelCost(): number | null {
  const options = defaultPlanOptions();
  const maxTokens = defaultLongContextMaxTokens;
  const longOptions = { seed: options.seed, lengths: options.lengths, n: options.n, maxTokens };
  const longTasks = options.lengths.length * longContextFamilies.length * options.n;
  const completion = planTokens([generateCompletionSuite({ seed: options.seed, n: options.completionN })]);
  const probes = probeTokens(options.lengths, maxTokens);
  return smallModelCost({
    requests: completion.requests + longTasks + probes.requests,
    inputTokens: completion.inputTokens + estimateLongContextTokens(longOptions) + longTasks * messageOverhead + probes.inputTokens,
    maxOutputTokens: completion.maxOutputTokens + longTasks * maxTokens + probes.maxOutputTokens,
  }).costUsd;
}
