/**
 * The suites the task generators write: Bakeoff suite YAML (the promptfoo-compatible subset that
 * `bakeoff run` reads). One prompt template `{{prompt}}`; each test carries its prompt in
 * `vars.prompt`, its assertions, and metadata saying what it measures; `request` bounds every
 * answer. Serialization is deterministic: the same suite always gives the same bytes.
 */
import { Document } from 'yaml';
import type { ExclusiveChoiceAssertion, ItemRecallAssertion } from './scoring';

/** The promptfoo assertion types the generators use (with promptfoo's semantics). */
export type PromptfooAssertion =
  | { type: 'regex'; value: string }
  | { type: 'equals'; value: string }
  | { type: 'contains'; value: string }
  | { type: 'icontains'; value: string };

export type TaskAssertion = ItemRecallAssertion | ExclusiveChoiceAssertion | PromptfooAssertion;

/** What a generated test measures. */
export interface TaskMetadata {
  /** Task family, e.g. `needle`, `rooms`, `arithmetic`. */
  family: string;
  /** Variant inside the family, e.g. `multikey`. */
  variant: string;
  /** Long-context items: the length label (`32k`) and the window it stands for, in tokens. */
  lengthLabel?: string;
  targetTokens?: number;
  /** Tokens of the prompt text in the reference tokenizer. */
  promptTokens: number;
  tokenizer: string;
  /** The suite seed, and the item's index inside its family (and length). */
  seed: number;
  index: number;
  /** Relative depths (0–1) of the facts an answer needs, where that means something. */
  depths?: number[];
}

export interface TaskTest {
  description: string;
  vars: { prompt: string };
  assert: TaskAssertion[];
  metadata: TaskMetadata;
}

/** Request parameters every cell of the suite uses. */
export interface SuiteRequest {
  maxTokens: number;
  temperature: number;
  seed: number;
}

export interface TaskSuite {
  description: string;
  prompts: string[];
  request: SuiteRequest;
  tests: TaskTest[];
}

/** The suite as YAML, with a header comment (e.g. the command that regenerates it). */
export function suiteToYaml(suite: TaskSuite, header?: string): string {
  const doc = new Document(suite);
  if (header) doc.commentBefore = header.split('\n').map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

/** The suite as JSON (for `--out suite.json`). */
export function suiteToJson(suite: TaskSuite): string {
  return JSON.stringify(suite, null, 2) + '\n';
}
