/**
 * Types of a suite run: the normalised suite, the plan, one result cell (a line of the results
 * JSONL, a documented contract), and the results file header.
 */
import type { BackendKind, ChatMessage, Pricing, RequestParams } from '../config';
import type { CostSource, TerminalStatus, TimeoutPhase, TokenSource } from '../types';
import type { AssertionInput } from './schema';

/** Where something was read from, for error messages and reports. */
export interface SourceRef {
  file: string;
  /** 1-based; null when unknown. */
  line: number | null;
}

/** How the suite file was written. */
export type SuiteFormat = 'suite-yaml' | 'suite-json' | 'ai-toolkit-jsonl' | 'openai-evals-jsonl';

/** An assertion after its values were rendered with the test's vars. */
export type AssertionSpec = AssertionInput;

/** One test of a suite (for several prompts, one test per prompt × test case). */
export interface SuiteTest {
  /** `t0001`…, stable for a given suite. */
  id: string;
  /** 0-based position in the suite. */
  index: number;
  description: string;
  /** Label of the prompt this test uses. */
  promptLabel: string;
  vars: Record<string, unknown>;
  /** The rendered messages every backend receives. */
  messages: ChatMessage[];
  assert: AssertionSpec[];
  /** promptfoo test `threshold`: pass when the weighted score reaches it. */
  threshold: number | null;
  metadata: Record<string, unknown>;
  /** `options.transform` (JavaScript; runs only with --allow-js). */
  transform: string | null;
  source: SourceRef;
}

/** A provider entry of the suite, before it is matched with the `--config` backends. */
export interface SuiteProvider {
  /** The id of a `--config` backend this entry refers to; null for a provider defined in the suite. */
  ref: string | null;
  /** A backend defined by the suite (`openai:chat:<model>`), validated later with the Backend schema. */
  backend: Record<string, unknown> | null;
  concurrency: number | null;
  /** Request parameters of this provider (`config.temperature`, `max_tokens`, `seed`). */
  params: Partial<RequestParams>;
  source: SourceRef;
}

export interface Suite {
  file: string;
  format: SuiteFormat;
  description: string | null;
  /** sha256 of the normalised tests, prompts and request: shards and resumed runs must match it. */
  hash: string;
  tests: SuiteTest[];
  providers: SuiteProvider[];
  /** Suite-level `request`: applies to every cell. */
  request: Partial<RequestParams> | null;
  /** `evaluateOptions.repeat`. */
  repeat: number | null;
  /** `evaluateOptions.maxConcurrency`. */
  maxConcurrency: number | null;
  /** Fields read but ignored, and other things worth saying. */
  warnings: string[];
}

/** A backend as a run uses it. */
export interface PlanBackend {
  id: string;
  label: string;
  kind: BackendKind;
  model: string;
  /** Base URL (never a key). */
  baseUrl: string;
  pricing: Pricing['type'];
  /** Requests in flight at once for this backend. */
  concurrency: number;
  /** Request parameters its cells are sent with. */
  params: RequestParams;
}

/** What a report needs of a test. */
export interface TestInfo {
  id: string;
  index: number;
  description: string;
  promptLabel: string;
  metadata: Record<string, unknown>;
}

/** The first line of a results file. */
export interface ResultsHeader {
  type: 'header';
  format: 'bakeoff-suite-results';
  version: 1;
  runId: string;
  startedAt: string;
  bakeoffVersion: string;
  suite: { file: string; description: string | null; hash: string; tests: number; format: SuiteFormat };
  seed: number;
  trials: number;
  /** 1-based index of N, or null for the whole suite. */
  shard: { index: number; count: number } | null;
  backends: PlanBackend[];
  /** The tests this run (shard) covers. */
  tests: TestInfo[];
  baselineId: string | null;
}

/** One assertion's outcome. `pass: null` = not run (never counted as passed). */
export interface AssertionResult {
  type: string;
  pass: boolean | null;
  score: number | null;
  reason: string;
  weight: number;
  metric?: string;
  /** Why it was not run (unsupported type, needs --allow-js, needs --grader, metric unknown…). */
  notRun?: string;
  /** `assert-set`: the grouped outcomes. */
  children?: AssertionResult[];
  /** Model-graded: the grader's verdict in each order. */
  judgements?: Judgement[];
}

export interface Judgement {
  order: 'answer-first' | 'reference-first';
  pass: boolean | null;
  score: number | null;
  reason: string;
}

/** A test's grade for one answer. `pass: null` = not graded (some deciding assertion was not run). */
export interface TestGrade {
  pass: boolean | null;
  score: number | null;
  reason: string;
  assertions: AssertionResult[];
  namedScores: Record<string, number>;
}

/**
 * One line of the results JSONL: a backend's answer to a test in one trial, its metrics and its
 * grade. Documented in README → Suites → Outputs; scripts rely on these names.
 */
export interface SuiteCell {
  type: 'cell';
  test: string;
  testIndex: number;
  backend: string;
  /** 1-based. */
  trial: number;
  /** Position in the run's order (seeded shuffle). */
  order: number;
  status: TerminalStatus;
  /** Ended `ok` with content. */
  delivered: boolean;
  /** Delivered and the test passed; null when the test could not be graded. */
  passed: boolean | null;
  /** The test's weighted score (0..1 for the built-in types); null when not graded. */
  score: number | null;
  reason: string;
  ttftMs: number | null;
  totalMs: number | null;
  wallMs: number | null;
  tokensPerSecond: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** `prompt_tokens` as the server reported it (null when it reported none). */
  promptTokensReported: number | null;
  tokenSource: TokenSource | null;
  costUsd: number | null;
  costSource: CostSource;
  retries: number;
  retryWaitMs: number;
  error: {
    type: string;
    message: string;
    hint: string;
    httpStatus?: number;
    timeoutPhase?: TimeoutPhase;
    code?: string;
  } | null;
  finishReason: string | null;
  text: string;
  reasoning: string;
  assertions: AssertionResult[];
  namedScores: Record<string, number>;
  /** `metadata.lengthLabel` of the test, when it has one. */
  lengthLabel: string | null;
  /** Wall-clock start, ISO. */
  startedAt: string;
}

/** Why a run stopped. */
export type SuiteOutcome = 'finished' | 'interrupted' | 'budget';
