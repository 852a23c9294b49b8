/**
 * The suite file schema: the part of promptfoo's `promptfooconfig.yaml` that matters for a
 * comparison of backends, plus Bakeoff's own fields. A promptfoo file and a Bakeoff suite are
 * read with the same schema; fields promptfoo has and Bakeoff ignores are accepted with a
 * warning, unknown fields are errors (with a "did you mean"). The JSON Schema for editors
 * (`schemas/bakeoff-suite.schema.json`) is generated from these definitions.
 */
import { z } from 'zod';
import { BackendKind, Pricing } from '../config';

/** Every assertion type promptfoo knows (so a typo is an error, and a real type Bakeoff does not run is "not run"). */
export const promptfooAssertionTypes = [
  'agent-rubric',
  'answer-relevance',
  'assert-set',
  'bleu',
  'classifier',
  'contains',
  'contains-all',
  'contains-any',
  'contains-html',
  'contains-json',
  'contains-sql',
  'contains-xml',
  'context-faithfulness',
  'context-recall',
  'context-relevance',
  'conversation-relevance',
  'cost',
  'equals',
  'ends-with',
  'f-score',
  'factuality',
  'finish-reason',
  'g-eval',
  'gleu',
  'guardrails',
  'human',
  'icontains',
  'icontains-all',
  'icontains-any',
  'is-html',
  'is-json',
  'is-refusal',
  'is-sql',
  'is-valid-function-call',
  'is-valid-openai-function-call',
  'is-valid-openai-tools-call',
  'is-xml',
  'javascript',
  'latency',
  'levenshtein',
  'llm-rubric',
  'max-score',
  'meteor',
  'model-graded-closedqa',
  'model-graded-factuality',
  'moderation',
  'perplexity',
  'perplexity-score',
  'pi',
  'python',
  'regex',
  'rouge-n',
  'ruby',
  'search-rubric',
  'select-best',
  'similar',
  'similar:cosine',
  'similar:dot',
  'similar:euclidean',
  'skill-used',
  'starts-with',
  'tool-call-f1',
  'trace-error-spans',
  'trace-span-count',
  'trace-span-duration',
  'trajectory:goal-success',
  'trajectory:step-count',
  'trajectory:tool-args-match',
  'trajectory:tool-sequence',
  'trajectory:tool-used',
  'webhook',
  'word-count',
] as const;

/** Assertion types only Bakeoff has. */
export const bakeoffAssertionTypes = ['ttft', 'tps', 'item-recall', 'exclusive-choice', 'command'] as const;

/** Model-graded types Bakeoff runs against the `--grader` backend. */
export const modelGradedTypes = ['llm-rubric', 'factuality', 'model-graded-factuality', 'model-graded-closedqa'] as const;

/** Types Bakeoff evaluates (with `javascript` only under `--allow-js`, `command` only under `--allow-exec`, model-graded only with `--grader`). */
export const supportedAssertionTypes = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'icontains-any',
  'icontains-all',
  'starts-with',
  'regex',
  'is-json',
  'contains-json',
  'latency',
  'cost',
  'javascript',
  'assert-set',
  ...modelGradedTypes,
  ...bakeoffAssertionTypes,
] as const;

export interface AssertionInput {
  type: string;
  value?: unknown;
  threshold?: number | undefined;
  weight?: number | undefined;
  metric?: string | undefined;
  distractors?: string[] | undefined;
  options?: string[] | undefined;
  transform?: string | undefined;
  config?: Record<string, unknown> | undefined;
  provider?: unknown;
  rubricPrompt?: unknown;
  assert?: AssertionInput[] | undefined;
}

/** One assertion (`assert-set` holds more under `assert`). */
export const Assertion: z.ZodType<AssertionInput> = z.strictObject({
  type: z.string().min(1).describe('Assertion type, e.g. `contains`, `not-regex`, `item-recall`, `assert-set`.'),
  value: z.unknown().optional().describe('Expected value; strings are rendered with the test vars (`{{var}}`).'),
  threshold: z.number().optional().describe('Pass mark: ms for `latency`/`ttft`, USD for `cost`, tokens/s for `tps`, score for `item-recall`, `javascript`, `llm-rubric`, `assert-set`.'),
  weight: z.number().min(0).optional().describe('Weight in the test score (default 1; 0 records the score without failing the test).'),
  metric: z.string().optional().describe('Name under which the score is recorded.'),
  distractors: z.array(z.string()).optional().describe('`item-recall`: items that count against the score when named.'),
  options: z.array(z.string()).optional().describe('`exclusive-choice`: every candidate answer, the right one included.'),
  transform: z.string().optional().describe('JavaScript expression applied to the output first (needs `--allow-js`).'),
  config: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Type-specific settings: `factuality` scores; for `command`, `file` (where the answer\'s code goes, relative to the copy), `dir` (folder copied first, relative to the suite file) and `timeoutMs`.'),
  provider: z.unknown().optional().describe('promptfoo grader override; Bakeoff grades with `--grader` instead (ignored).'),
  rubricPrompt: z.unknown().optional().describe('promptfoo rubric prompt override (ignored).'),
  get assert() {
    return z.array(Assertion).optional().describe('`assert-set`: the grouped assertions.');
  },
});

/** Options of a test (promptfoo `options`). */
export const TestOptions = z.strictObject({
  prefix: z.string().optional().describe('Text put before the prompt.'),
  suffix: z.string().optional().describe('Text put after the prompt.'),
  transform: z.string().optional().describe('JavaScript expression applied to every output of the test (needs `--allow-js`).'),
  provider: z.unknown().optional().describe('promptfoo grader override (ignored; use `--grader`).'),
  rubricPrompt: z.unknown().optional().describe('Ignored.'),
  disableVarExpansion: z.boolean().optional().describe('Do not expand list vars into one test per value.'),
});

export const TestCase = z.strictObject({
  description: z.string().optional(),
  vars: z.union([z.record(z.string(), z.unknown()), z.string()]).optional().describe('Variables for `{{var}}`, or `file://vars.yaml`.'),
  assert: z.array(Assertion).optional(),
  threshold: z.number().optional().describe('The test passes when its weighted score reaches this (instead of every assertion passing).'),
  metadata: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Free-form; Bakeoff reads `family`, `lengthLabel` (e.g. `32k`) and `targetTokens` to break figures down.'),
  options: TestOptions.optional(),
  providerOutput: z.unknown().optional().describe('promptfoo: a fixed output to grade (ignored: Bakeoff always asks the backends).'),
});
export type TestCaseInput = z.infer<typeof TestCase>;

/** A prompt: text, `file://…`, or an object with a label. */
export const PromptEntry = z.union([
  z.string(),
  z.strictObject({
    raw: z.string().optional(),
    id: z.string().optional(),
    label: z.string().optional(),
  }),
]);

/** Request parameters every cell of the suite uses (Bakeoff). */
export const SuiteRequest = z.strictObject({
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().optional(),
});
export type SuiteRequest = z.infer<typeof SuiteRequest>;

/** promptfoo provider `config` for `openai:chat:<model>`. */
export const OpenAiProviderConfig = z
  .object({
    apiBaseUrl: z.string().optional(),
    apiHost: z.string().optional(),
    apiKeyEnvar: z.string().optional(),
    apiKey: z.unknown().optional(),
    temperature: z.number().optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    cost: z.number().nonnegative().optional(),
    inputCost: z.number().nonnegative().optional(),
    outputCost: z.number().nonnegative().optional(),
  })
  .catchall(z.unknown());

/** A provider: promptfoo's `openai:chat:<model>` (string or object), or the id of a backend in `--config`. */
export const ProviderEntry = z.union([
  z.string(),
  z.strictObject({
    id: z.string().min(1).describe('`openai:chat:<model>`, or the id of a backend in the `--config` file.'),
    label: z.string().optional(),
    config: OpenAiProviderConfig.optional(),
    kind: BackendKind.optional().describe('Bakeoff: closed, decentralized, local or gateway.'),
    pricing: Pricing.optional().describe('Bakeoff: how the cost is found (as in a backend).'),
    concurrency: z.number().int().min(1).max(1000).optional().describe('Bakeoff: requests in flight at once for this backend (default 1).'),
  }),
]);

export const EvaluateOptions = z.strictObject({
  repeat: z.number().int().min(1).max(1000).optional().describe('Trials per test and backend.'),
  maxConcurrency: z.number().int().min(1).max(1000).optional().describe('Requests in flight at once, all backends together.'),
  delay: z.unknown().optional(),
  cache: z.unknown().optional(),
  showProgressBar: z.unknown().optional(),
  timeoutMs: z.unknown().optional(),
  maxEvalTimeMs: z.unknown().optional(),
});

/** The suite file. */
export const SuiteFile = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  prompts: z.union([z.string(), z.array(PromptEntry)]).optional().describe('Prompt templates; default `{{prompt}}`.'),
  providers: z.union([z.string(), z.array(ProviderEntry)]).optional(),
  targets: z.union([z.string(), z.array(ProviderEntry)]).optional().describe('promptfoo alias of `providers`.'),
  defaultTest: TestCase.optional(),
  tests: z.union([z.string(), z.array(z.union([z.string(), TestCase]))]).optional(),
  evaluateOptions: EvaluateOptions.optional(),
  request: SuiteRequest.optional().describe('Bakeoff: maxTokens, temperature and seed for every cell of the suite.'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  // promptfoo fields with no meaning for Bakeoff: accepted, ignored with a warning.
  sharing: z.unknown().optional(),
  outputPath: z.unknown().optional(),
  writeLatestResults: z.unknown().optional(),
  tags: z.unknown().optional(),
  env: z.unknown().optional(),
  nunjucksFilters: z.unknown().optional(),
  extensions: z.unknown().optional(),
  derivedMetrics: z.unknown().optional(),
  commandLineOptions: z.unknown().optional(),
  scenarios: z.unknown().optional(),
  redteam: z.unknown().optional(),
});
export type SuiteFileInput = z.infer<typeof SuiteFile>;

/** Top-level promptfoo fields Bakeoff reads no meaning from (a warning each). */
export const ignoredTopLevelFields = [
  'sharing',
  'outputPath',
  'writeLatestResults',
  'tags',
  'env',
  'nunjucksFilters',
  'extensions',
  'derivedMetrics',
  'commandLineOptions',
] as const;

/** Top-level promptfoo fields that would change what is tested: refused rather than ignored. */
export const refusedTopLevelFields = ['scenarios', 'redteam'] as const;

/** Every field name the suite schema knows, for "did you mean" hints. */
export const knownSuiteFields: string[] = [
  ...Object.keys(SuiteFile.shape),
  ...Object.keys(TestCase.shape),
  ...Object.keys(TestOptions.shape),
  ...Object.keys(SuiteRequest.shape),
  ...Object.keys(EvaluateOptions.shape),
  'type',
  'value',
  'threshold',
  'weight',
  'metric',
  'distractors',
  'options',
  'transform',
  'config',
  'assert',
  'raw',
  'id',
  'label',
  'kind',
  'pricing',
  'concurrency',
];

/** The objects of the suite schema: where each is, and its fields (for the message about a field in the wrong place). */
export const suiteObjects = {
  suite: { place: 'at the top level', fields: Object.keys(SuiteFile.shape) },
  test: { place: 'in a test', fields: Object.keys(TestCase.shape) },
  options: { place: "in a test's options", fields: Object.keys(TestOptions.shape) },
  assertion: { place: 'in an assertion', fields: ['type', 'value', 'threshold', 'weight', 'metric', 'distractors', 'options', 'transform', 'config', 'provider', 'rubricPrompt', 'assert'] },
  provider: { place: 'in a provider', fields: ['id', 'label', 'config', 'kind', 'pricing', 'concurrency'] },
  prompt: { place: 'in a prompt', fields: ['raw', 'id', 'label'] },
  request: { place: 'in request', fields: Object.keys(SuiteRequest.shape) },
  evaluateOptions: { place: 'in evaluateOptions', fields: Object.keys(EvaluateOptions.shape) },
} as const satisfies Record<string, { place: string; fields: readonly string[] }>;
export type SuiteObject = keyof typeof suiteObjects;

/** The JSON Schema editors use for completion (committed as `schemas/bakeoff-suite.schema.json`). */
export function suiteJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SuiteFile, { unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'Bakeoff suite',
    description:
      'A Bakeoff suite: prompts, tests with vars and assertions (promptfoo-compatible), providers, and Bakeoff fields (request, kind, pricing, concurrency).',
  };
}
