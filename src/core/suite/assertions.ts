/**
 * Grading one answer against a test's assertions, with promptfoo's semantics:
 * - every assertion gives `pass` and a `score`; `not-<type>` inverts the pass (and the score of
 *   graded types);
 * - the test score is Σ weight·score / Σ weight (weight defaults to 1; weight 0 records the
 *   score but can never fail the test);
 * - without a test `threshold` the test passes when every assertion passed; with one, when the
 *   score reaches it; `assert-set` groups assertions under their own threshold and weight.
 * Bakeoff adds `ttft`, `tps`, `item-recall` and `exclusive-choice`, and one rule of its own: an
 * assertion that could not run (an unsupported type, `javascript` without `--allow-js`, a
 * model-graded type without `--grader`, a metric that is unknown) is *not run* — `pass: null` —
 * and a test that depends on one is *not graded*, never passed.
 */
import { resolve as resolvePath } from 'node:path';
import { checkCandidate } from '../checkCommand';
import { extractCode } from '../codeBlock';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { ChatMessage } from '../config';
import { scoreExclusiveChoice, scoreItemRecall } from '../tasks/scoring';
import { extractJsonObjects, parseCommaSeparated } from './match';
import { functionBody, runScript, ScriptError, scriptTimeoutMs } from './script';
import { modelGradedTypes, promptfooAssertionTypes, supportedAssertionTypes } from './schema';
import type { AssertionResult, AssertionSpec, Judgement, TestGrade } from './types';

/** What a grader backend answered: its text, or why there is none. */
export type GraderReply = { text: string } | { error: string };

/** Sends messages to the `--grader` backend. */
export type Grader = (messages: ChatMessage[]) => Promise<GraderReply>;

/** Everything an assertion may look at. */
export interface GradeContext {
  /** The answer text (after a test `transform`: its result, as JSON text unless it is a string). */
  output: string;
  /**
   * The value a test `transform` returned (an object, a number…), which `javascript` assertions
   * and assertion transforms get as `output`, as in promptfoo. Absent: `output`.
   */
  outputValue?: unknown;
  /** The prompt as sent (its last user message), for model-graded types. */
  prompt: string;
  vars: Record<string, unknown>;
  metadata: Record<string, unknown>;
  metrics: { ttftMs: number | null; totalMs: number | null; tokensPerSecond: number | null; costUsd: number | null };
  /** `--allow-js`: run `javascript` assertions and transforms. */
  allowJs: boolean;
  /** `--allow-exec`: run `command` assertions (a shell command on the answer's code, in a scratch copy). */
  allowExec?: boolean;
  /** Folder of the suite file, which `command` assertions' `config.dir` is relative to. */
  suiteDir?: string | null;
  /** Stops a running `command` assertion. */
  signal?: AbortSignal;
  /** The `--grader` backend, when one was named. */
  grader: Grader | null;
  scriptTimeoutMs?: number;
}

/** What a test needs to be graded. */
export interface GradableTest {
  assert: readonly AssertionSpec[];
  threshold: number | null;
  transform: string | null;
}

const supported = new Set<string>(supportedAssertionTypes);
const known = new Set<string>([...promptfooAssertionTypes, ...supportedAssertionTypes]);
const graded = new Set<string>(modelGradedTypes);

/** `not-contains` → `{ base: 'contains', inverse: true }`. */
export function baseType(type: string): { base: string; inverse: boolean } {
  return type.startsWith('not-') ? { base: type.slice(4), inverse: true } : { base: type, inverse: false };
}

/** Whether Bakeoff or promptfoo knows this type (with or without `not-`). */
export function isKnownAssertionType(type: string): boolean {
  return known.has(baseType(type).base);
}

/** Known assertion type names, for "did you mean" hints. */
export const knownAssertionTypes: readonly string[] = [...known];

const ajv = new Ajv({ allErrors: true, strict: false });
const schemaCache = new Map<string, ValidateFunction>();

/** Compiles a JSON Schema (cached); throws with a readable message when it is not one. */
export function compileJsonSchema(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = schemaCache.get(key);
  if (!validate) {
    if (typeof schema !== 'object' && typeof schema !== 'boolean') throw new Error('a JSON Schema must be an object');
    validate = ajv.compile(schema as object);
    schemaCache.set(key, validate);
  }
  return validate;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The pass mark of a metric assertion: `threshold`, else a numeric `value`. */
function limitOf(a: AssertionSpec): number | null {
  if (isNum(a.threshold)) return a.threshold;
  if (isNum(a.value)) return a.value;
  if (typeof a.value === 'string' && a.value.trim() !== '' && Number.isFinite(Number(a.value))) return Number(a.value);
  return null;
}

function listOf(value: unknown): string[] | null {
  if (typeof value === 'string') return parseCommaSeparated(value);
  if (Array.isArray(value)) return value.map((v) => String(v));
  return null;
}

/**
 * Problems with an assertion that make the suite malformed (checked when the suite loads, so a
 * broken suite is refused before anything is sent). Empty when it is fine.
 */
export function checkAssertion(a: AssertionSpec): string[] {
  const { base } = baseType(a.type);
  const problems: string[] = [];
  if (!known.has(base)) return [`unknown assertion type "${a.type}"`];
  // promptfoo has no `not-assert-set`; dropping the `not-` would grade the opposite of what was asked.
  if (a.type === 'not-assert-set') return ['"not-assert-set" does not exist: an assert-set cannot be inverted (put not- on the assertions inside it)'];
  if (base === 'assert-set') {
    if (!Array.isArray(a.assert) || a.assert.length === 0) problems.push('assert-set needs a non-empty "assert" list');
    return problems;
  }
  if (!supported.has(base)) return problems;
  switch (base) {
    case 'equals':
      if (a.value === undefined) problems.push(`"${a.type}" needs a value`);
      break;
    case 'contains':
    case 'icontains':
    case 'starts-with':
      if (!((typeof a.value === 'string' && a.value !== '') || isNum(a.value))) problems.push(`"${a.type}" needs a non-empty string value`);
      break;
    case 'contains-any':
    case 'contains-all':
    case 'icontains-any':
    case 'icontains-all': {
      try {
        const list = listOf(a.value);
        if (!list || list.length === 0) problems.push(`"${a.type}" needs a list of strings (or a comma-separated string)`);
      } catch (err) {
        problems.push(`"${a.type}" value: ${(err as Error).message}`);
      }
      break;
    }
    case 'regex':
      if (typeof a.value !== 'string' || a.value === '') problems.push(`"${a.type}" needs a regular expression`);
      else {
        try {
          new RegExp(a.value);
        } catch (err) {
          problems.push(`invalid regular expression: ${(err as Error).message}`);
        }
      }
      break;
    case 'is-json':
    case 'contains-json': {
      const schema = jsonSchemaOf(a.value);
      if (schema.error) problems.push(schema.error);
      break;
    }
    case 'latency':
    case 'cost':
    case 'ttft':
    case 'tps':
      if (limitOf(a) === null) problems.push(`"${a.type}" needs a numeric threshold`);
      break;
    case 'javascript':
      if (typeof a.value !== 'string' || a.value.trim() === '') problems.push('"javascript" needs the code as a string value');
      break;
    case 'item-recall':
      if (!Array.isArray(a.value) || a.value.length === 0 || !a.value.every((v) => typeof v === 'string' && v.trim() !== '')) {
        problems.push('"item-recall" needs value: a non-empty list of expected items');
      }
      if (a.threshold !== undefined && !(a.threshold >= 0 && a.threshold <= 1)) problems.push('"item-recall" threshold must be between 0 and 1');
      break;
    case 'exclusive-choice':
      if (typeof a.value !== 'string' || a.value.trim() === '') problems.push('"exclusive-choice" needs value: the right option');
      else if (!Array.isArray(a.options) || !a.options.includes(a.value)) problems.push('"exclusive-choice" needs options: every candidate, the right one included');
      break;
    case 'llm-rubric':
    case 'model-graded-closedqa':
      if (typeof a.value !== 'string' || a.value.trim() === '') problems.push(`"${a.type}" needs the rubric as a string value`);
      break;
    case 'factuality':
    case 'model-graded-factuality':
      if (typeof a.value !== 'string' || a.value.trim() === '') problems.push(`"${a.type}" needs the expert answer as a string value`);
      break;
  }
  if (a.distractors !== undefined && base !== 'item-recall') problems.push('"distractors" only applies to item-recall');
  if (a.options !== undefined && base !== 'exclusive-choice') problems.push('"options" only applies to exclusive-choice');
  return problems;
}

/** The JSON Schema of an `is-json` / `contains-json` value (an object, or JSON or YAML text as promptfoo reads it); none when empty. */
function jsonSchemaOf(value: unknown): { schema: unknown; error?: string } {
  if (value === undefined || value === null || value === '') return { schema: null };
  let schema = value;
  if (typeof value === 'string') {
    try {
      schema = parseYaml(value);
    } catch {
      return { schema: null, error: 'the JSON Schema must be an object (or JSON or YAML text)' };
    }
    if (schema === null || (typeof schema !== 'object' && typeof schema !== 'boolean')) {
      return { schema: null, error: 'the JSON Schema must be an object (or JSON or YAML text)' };
    }
  }
  try {
    compileJsonSchema(schema);
  } catch (err) {
    return { schema: null, error: `invalid JSON Schema: ${(err as Error).message}` };
  }
  return { schema };
}

interface RawOutcome {
  pass: boolean;
  score: number;
  reason: string;
}

const binary = (pass: boolean, reason: string): RawOutcome => ({ pass, score: pass ? 1 : 0, reason: pass ? 'Assertion passed' : reason });

function notRun(a: AssertionSpec, why: string): AssertionResult {
  return { type: a.type, pass: null, score: null, reason: `not run: ${why}`, weight: a.weight ?? 1, ...(a.metric ? { metric: a.metric } : {}), notRun: why };
}

/** The deterministic types: pure, synchronous. `inverse` is already applied. */
function deterministic(a: AssertionSpec, base: string, inverse: boolean, ctx: GradeContext): RawOutcome | { notRun: string } {
  const out = ctx.output;
  const not = inverse ? 'not ' : '';
  const flip = (pass: boolean, reason: string): RawOutcome => binary(pass !== inverse, reason);
  switch (base) {
    case 'equals': {
      if (a.value !== null && typeof a.value === 'object') {
        let equal = false;
        try {
          equal = deepEqual(a.value, JSON.parse(out));
        } catch {
          equal = false;
        }
        return flip(equal, `Expected output to ${not}equal ${JSON.stringify(a.value)}`);
      }
      return flip(String(a.value) === out, `Expected output "${clip(out)}" to ${not}equal "${clip(String(a.value))}"`);
    }
    case 'contains':
      return flip(out.includes(String(a.value)), `Expected output to ${not}contain "${clip(String(a.value))}"`);
    case 'icontains':
      return flip(out.toLowerCase().includes(String(a.value).toLowerCase()), `Expected output to ${not}contain "${clip(String(a.value))}"`);
    case 'contains-any':
    case 'icontains-any': {
      const ci = base === 'icontains-any';
      const list = listOf(a.value)!;
      const hay = ci ? out.toLowerCase() : out;
      return flip(
        list.some((v) => hay.includes(ci ? v.toLowerCase() : v)),
        `Expected output to ${not}contain one of "${clip(list.join(', '))}"`,
      );
    }
    case 'contains-all':
    case 'icontains-all': {
      const ci = base === 'icontains-all';
      const list = listOf(a.value)!;
      const hay = ci ? out.toLowerCase() : out;
      const missing = list.filter((v) => !hay.includes(ci ? v.toLowerCase() : v));
      return flip(missing.length === 0, `Expected output to ${not}contain all of [${clip(list.join(', '))}]. Missing: [${clip(missing.join(', '))}]`);
    }
    case 'starts-with':
      return flip(out.startsWith(String(a.value)), `Expected output to ${not}start with "${clip(String(a.value))}"`);
    case 'regex':
      return flip(new RegExp(String(a.value)).test(out), `Expected output to ${not}match regex "${clip(String(a.value))}"`);
    case 'is-json': {
      let parsed: unknown;
      let isJson = true;
      try {
        parsed = JSON.parse(out);
      } catch {
        isJson = false;
      }
      const { schema } = jsonSchemaOf(a.value);
      if (isJson && schema !== null) {
        const validate = compileJsonSchema(schema);
        const valid = validate(parsed);
        return flip(valid, inverse ? 'Output is JSON that conforms to the schema' : `JSON does not conform to the schema: ${ajv.errorsText(validate.errors)}`);
      }
      return flip(isJson, inverse ? 'Expected output not to be valid JSON' : 'Expected output to be valid JSON');
    }
    case 'contains-json': {
      const objects = extractJsonObjects(out);
      const { schema } = jsonSchemaOf(a.value);
      if (schema === null || objects.length === 0) {
        return flip(objects.length > 0, inverse ? 'Expected output not to contain JSON' : 'Expected output to contain valid JSON');
      }
      const validate = compileJsonSchema(schema);
      let errors = '';
      const anyValid = objects.some((o) => {
        const ok = validate(o);
        if (!ok) errors = ajv.errorsText(validate.errors);
        return ok;
      });
      return flip(anyValid, inverse ? 'Output contains JSON conforming to the schema' : `JSON does not conform to the schema: ${errors}`);
    }
    case 'latency':
    case 'ttft':
    case 'tps':
    case 'cost': {
      const limit = limitOf(a)!;
      const measured =
        base === 'latency' ? ctx.metrics.totalMs : base === 'ttft' ? ctx.metrics.ttftMs : base === 'tps' ? ctx.metrics.tokensPerSecond : ctx.metrics.costUsd;
      if (measured === null) {
        const what = base === 'latency' ? 'total time' : base === 'ttft' ? 'TTFT' : base === 'tps' ? 'tokens/s' : 'cost';
        return { notRun: `${what} of this answer is unknown` };
      }
      const atLeast = base === 'tps';
      const ok = atLeast ? measured >= limit : measured <= limit;
      const unit = base === 'cost' ? ' USD' : base === 'tps' ? ' tokens/s' : ' ms';
      const shown = base === 'cost' ? measured.toPrecision(3) : measured.toFixed(base === 'tps' ? 1 : 0);
      return flip(ok, `${base} ${shown}${unit} is ${ok ? (atLeast ? 'at least' : 'at most') : atLeast ? 'below' : 'above'} the threshold ${limit}${unit}`);
    }
    case 'item-recall': {
      const expected = a.value as string[];
      const r = scoreItemRecall(out, { value: expected, distractors: a.distractors ?? [] });
      const threshold = a.threshold ?? 1;
      const rawPass = r.score >= threshold;
      const detail =
        `${r.found.length}/${expected.length} expected items named` +
        (r.distractorsNamed.length ? `, ${r.distractorsNamed.length} distractor${r.distractorsNamed.length > 1 ? 's' : ''} named (${clip(r.distractorsNamed.join(', '))})` : '') +
        (r.missing.length ? `; missing: ${clip(r.missing.join(', '))}` : '');
      const pass = rawPass !== inverse;
      return { pass, score: inverse ? 1 - r.score : r.score, reason: `score ${r.score.toFixed(2)} (${detail})${pass ? '' : `; threshold ${threshold}`}` };
    }
    case 'exclusive-choice': {
      const r = scoreExclusiveChoice(out, { value: String(a.value), options: a.options ?? [] });
      const pass = (r.score >= (a.threshold ?? 1)) !== inverse;
      const named = r.named.length ? `named ${clip(r.named.join(', '))}` : 'named no option';
      return { pass, score: inverse ? 1 - r.score : r.score, reason: `${named}; expected only "${clip(String(a.value))}"` };
    }
  }
  return { notRun: `"${a.type}" is not supported by Bakeoff` };
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** promptfoo's reading of a script result: boolean, finite number (vs threshold, else > 0), or `{pass, score, reason}` (its `pass` as it is). */
function fromScriptResult(a: AssertionSpec, value: unknown, inverse: boolean): RawOutcome {
  if (typeof value === 'boolean') {
    const pass = value !== inverse;
    return { pass, score: pass ? 1 : 0, reason: pass ? 'Assertion passed' : `Custom function returned ${value}` };
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    const rawPass = a.threshold === undefined ? value > 0 : value >= a.threshold;
    const pass = rawPass !== inverse;
    return { pass, score: value, reason: pass ? 'Assertion passed' : `Custom function returned ${rawPass}` };
  }
  if (value && typeof value === 'object' && typeof (value as { pass?: unknown }).pass === 'boolean') {
    const r = value as { pass: boolean; score?: unknown; reason?: unknown };
    const score = typeof r.score === 'number' && Number.isFinite(r.score) ? r.score : r.pass ? 1 : 0;
    // promptfoo applies `threshold` to a returned number only: an object's `pass` is the verdict.
    const pass = r.pass !== inverse;
    return { pass, score, reason: typeof r.reason === 'string' ? r.reason : pass ? 'Assertion passed' : 'Custom function failed' };
  }
  throw new ScriptError('must return a boolean, a finite number, or {pass, score, reason}');
}

/**
 * Applies a JavaScript `transform` to the output (the answer text, or what an earlier transform
 * returned) and returns what it returned, as it is. Returning nothing (`undefined` or `null`) is
 * an error, as in promptfoo.
 */
async function transformOutput(code: string, input: unknown, ctx: GradeContext): Promise<unknown> {
  const value = await runScript(functionBody(code), input, scriptContext(ctx), ctx.scriptTimeoutMs ?? scriptTimeoutMs);
  if (value === null || value === undefined) throw new ScriptError('did not return a value');
  return value;
}

/** The output as the assertions see it: the transformed value when there is one, else the answer text. */
function outputValueOf(ctx: GradeContext): unknown {
  return ctx.outputValue === undefined ? ctx.output : ctx.outputValue;
}

/** promptfoo's text of an output: a string as it is, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function scriptContext(ctx: GradeContext): Record<string, unknown> {
  return { vars: ctx.vars, prompt: ctx.prompt, test: { vars: ctx.vars, metadata: ctx.metadata }, metadata: ctx.metadata };
}

// ---------------------------------------------------------------------------------------------
// Model-graded types: asked twice, with the answer and the reference in both orders.
// ---------------------------------------------------------------------------------------------

const rubricSystem =
  'You are a strict grader. Decide whether the answer satisfies the rubric. Judge only what the answer says. ' +
  'Reply with one JSON object and nothing else: {"pass": true or false, "score": a number from 0 to 1, "reason": "one sentence"}.';

const factualitySystem =
  'You compare the facts in a submitted answer with an expert answer to the same question. Ignore style, grammar and punctuation. ' +
  'Reply with a single letter and nothing else:\n' +
  '(A) the submission is a subset of the expert answer and consistent with it\n' +
  '(B) the submission is a superset of the expert answer and consistent with it\n' +
  '(C) the submission contains the same details as the expert answer\n' +
  '(D) the submission and the expert answer disagree\n' +
  '(E) they differ, but not in a way that matters for factuality';

const closedQaSystem =
  'You judge whether a submission meets a criterion for a task. Reason briefly, then end with a line that holds only Y (it meets the criterion) or N (it does not).';

type Order = Judgement['order'];
const orders: Order[] = ['answer-first', 'reference-first'];

/** The grader messages for one order (exported so tests can check both orders are asked). */
export function graderMessages(base: string, a: AssertionSpec, ctx: GradeContext, output: string, order: Order): ChatMessage[] {
  const answer = `<answer>\n${output}\n</answer>`;
  if (base === 'llm-rubric') {
    const rubric = `<rubric>\n${String(a.value)}\n</rubric>`;
    return [
      { role: 'system', content: rubricSystem },
      { role: 'user', content: order === 'answer-first' ? `${answer}\n\n${rubric}` : `${rubric}\n\n${answer}` },
    ];
  }
  const question = `<question>\n${ctx.prompt}\n</question>`;
  if (base === 'model-graded-closedqa') {
    const criterion = `<criterion>\n${String(a.value)}\n</criterion>`;
    return [
      { role: 'system', content: closedQaSystem },
      { role: 'user', content: order === 'answer-first' ? `${question}\n\n${answer}\n\n${criterion}` : `${question}\n\n${criterion}\n\n${answer}` },
    ];
  }
  const submission = `<submission>\n${output}\n</submission>`;
  const expert = `<expert_answer>\n${String(a.value)}\n</expert_answer>`;
  return [
    { role: 'system', content: factualitySystem },
    { role: 'user', content: order === 'answer-first' ? `${question}\n\n${submission}\n\n${expert}` : `${question}\n\n${expert}\n\n${submission}` },
  ];
}

/** Reads one grader reply. `pass: null` when it cannot be read. */
export function readGraderReply(base: string, a: AssertionSpec, text: string): { pass: boolean | null; score: number | null; reason: string } {
  if (base === 'llm-rubric') {
    const obj = extractJsonObjects(text).find((o) => typeof (o as { pass?: unknown }).pass === 'boolean') as
      | { pass: boolean; score?: unknown; reason?: unknown }
      | undefined;
    if (!obj) return { pass: null, score: null, reason: `unreadable grader reply: ${clip(text, 120)}` };
    const score = typeof obj.score === 'number' && Number.isFinite(obj.score) ? Math.min(1, Math.max(0, obj.score)) : obj.pass ? 1 : 0;
    const pass = obj.pass && (a.threshold === undefined || score >= a.threshold);
    return { pass, score, reason: typeof obj.reason === 'string' ? obj.reason : '' };
  }
  if (base === 'model-graded-closedqa') {
    const lines = text.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const last = lines.at(-1)?.replace(/[^A-Za-z]/g, '').toUpperCase();
    if (last !== 'Y' && last !== 'N') return { pass: null, score: null, reason: `unreadable grader reply: ${clip(text, 120)}` };
    return { pass: last === 'Y', score: last === 'Y' ? 1 : 0, reason: clip(lines.slice(0, -1).join(' '), 300) };
  }
  const letter = /(?:^|[^A-Za-z])\(?([A-E])\)?(?![A-Za-z])/.exec(text.trim())?.[1];
  if (!letter) return { pass: null, score: null, reason: `unreadable grader reply: ${clip(text, 120)}` };
  const cfg = (a.config ?? {}) as Record<string, unknown>;
  const num = (key: string, fallback: number) => (typeof cfg[key] === 'number' ? (cfg[key] as number) : fallback);
  const scores: Record<string, number> = {
    A: num('subset', 1),
    B: num('superset', 1),
    C: num('agree', 1),
    D: num('disagree', 0),
    E: num('differButFactual', 1),
  };
  const names: Record<string, string> = {
    A: 'subset of the expert answer',
    B: 'superset of the expert answer',
    C: 'same details as the expert answer',
    D: 'disagrees with the expert answer',
    E: 'differs without mattering for factuality',
  };
  const score = scores[letter]!;
  return { pass: score > 0, score, reason: `(${letter}) ${names[letter]}` };
}

async function modelGraded(a: AssertionSpec, base: string, inverse: boolean, ctx: GradeContext, output: string): Promise<AssertionResult> {
  if (!ctx.grader) return notRun(a, `"${base}" needs a grader backend (--grader ID)`);
  const judgements: Judgement[] = [];
  for (const order of orders) {
    const reply = await ctx.grader(graderMessages(base, a, ctx, output, order));
    if ('error' in reply) judgements.push({ order, pass: null, score: null, reason: `grader failed: ${reply.error}` });
    else judgements.push({ order, ...readGraderReply(base, a, reply.text) });
  }
  const weight = a.weight ?? 1;
  const metric = a.metric ? { metric: a.metric } : {};
  const unreadable = judgements.find((j) => j.pass === null);
  if (unreadable) return { type: a.type, pass: null, score: null, reason: `not run: ${unreadable.reason}`, weight, ...metric, notRun: unreadable.reason, judgements };
  const rawPass = judgements.every((j) => j.pass === true);
  const rawScore = judgements.reduce((s, j) => s + j.score!, 0) / judgements.length;
  const agree = judgements[0]!.pass === judgements[1]!.pass;
  const pass = rawPass !== inverse;
  const reason = agree
    ? judgements[0]!.reason || (rawPass ? 'Grader: passes' : 'Grader: fails')
    : `The grader disagreed between the two orders (answer first: ${judgements[0]!.pass ? 'pass' : 'fail'}, reference first: ${judgements[1]!.pass ? 'pass' : 'fail'}); counted as a fail`;
  return { type: a.type, pass, score: inverse ? 1 - rawScore : rawScore, reason, weight, ...metric, judgements };
}

/** Runs one assertion. Never throws: problems become a failed or not-run result. */
export async function runAssertion(a: AssertionSpec, ctx: GradeContext): Promise<AssertionResult> {
  const { base, inverse } = baseType(a.type);
  const weight = a.weight ?? 1;
  const metric = a.metric ? { metric: a.metric } : {};
  if (base === 'assert-set') {
    const group = await gradeAssertions(a.assert ?? [], a.threshold ?? null, ctx);
    return { type: a.type, pass: group.pass, score: group.score, reason: group.reason, weight, ...metric, children: group.assertions };
  }
  if (!supported.has(base)) return notRun(a, `"${base}" is not supported by Bakeoff`);
  let value = outputValueOf(ctx);
  if (a.transform !== undefined) {
    if (!ctx.allowJs) return notRun(a, 'its transform is JavaScript; pass --allow-js to run it');
    try {
      value = await transformOutput(a.transform, value, ctx);
    } catch (err) {
      return { type: a.type, pass: false, score: 0, reason: `transform ${(err as Error).message}`, weight, ...metric };
    }
  }
  // promptfoo: `javascript` gets the value itself; every other type its text.
  const output = asText(value);
  let result: AssertionResult;
  if (graded.has(base)) {
    result = await modelGraded(a, base, inverse, ctx, output);
  } else if (base === 'command') {
    if (!ctx.allowExec) return notRun(a, 'command assertions run only with --allow-exec');
    result = { type: a.type, ...(await commandCheck(a, inverse, ctx, output)), weight, ...metric };
  } else if (base === 'javascript') {
    if (!ctx.allowJs) return notRun(a, 'javascript assertions run only with --allow-js');
    try {
      const returned = await runScript(functionBody(String(a.value)), value, scriptContext(ctx), ctx.scriptTimeoutMs ?? scriptTimeoutMs);
      result = { type: a.type, ...fromScriptResult(a, returned, inverse), weight, ...metric };
    } catch (err) {
      result = { type: a.type, pass: false, score: 0, reason: `Custom function ${(err as Error).message}`, weight, ...metric };
    }
  } else {
    const raw = deterministic(a, base, inverse, { ...ctx, output });
    if ('notRun' in raw) return notRun(a, raw.notRun);
    result = { type: a.type, ...raw, weight, ...metric };
  }
  // promptfoo: an assertion of weight 0 records its score but never fails.
  if (weight === 0 && result.pass === false) result = { ...result, pass: true };
  return result;
}

/**
 * Aggregates assertions the way promptfoo does (see the module comment), with not-run
 * assertions making the outcome unknown (`pass: null`, `score: null`) unless a run assertion
 * already failed a test without threshold.
 */
async function gradeAssertions(assertions: readonly AssertionSpec[], threshold: number | null, ctx: GradeContext): Promise<TestGrade> {
  const results: AssertionResult[] = [];
  for (const a of assertions) results.push(await runAssertion(a, ctx));
  return aggregate(results, threshold);
}

/** The promptfoo aggregation of assertion results (exported for tests). */
export function aggregate(results: AssertionResult[], threshold: number | null): TestGrade {
  if (results.length === 0) return { pass: true, score: 1, reason: 'No assertions', assertions: [], namedScores: {} };
  let weighted = 0;
  let totalWeight = 0;
  let unknown = false;
  let failed: AssertionResult | undefined;
  const named = new Map<string, { sum: number; weight: number }>();
  for (const r of results) {
    if (r.pass === null || r.score === null) {
      if (r.weight > 0) unknown = true;
      continue;
    }
    weighted += r.score * r.weight;
    totalWeight += r.weight;
    if (!r.pass && !failed) failed = r;
    if (r.metric) {
      const m = named.get(r.metric) ?? { sum: 0, weight: 0 };
      m.sum += r.score * r.weight;
      m.weight += r.weight;
      named.set(r.metric, m);
    }
  }
  const namedScores: Record<string, number> = {};
  for (const [name, m] of named) namedScores[name] = m.weight > 0 ? m.sum / m.weight : 0;
  const notRunCount = results.filter((r) => r.pass === null).length;
  if (unknown) {
    if (threshold === null && failed) {
      return { pass: false, score: null, reason: failed.reason, assertions: results, namedScores };
    }
    return {
      pass: null,
      score: null,
      reason: `not graded: ${notRunCount} assertion${notRunCount > 1 ? 's' : ''} not run (${results.find((r) => r.pass === null)!.notRun ?? 'see assertions'})`,
      assertions: results,
      namedScores,
    };
  }
  const score = totalWeight > 0 ? weighted / totalWeight : 0;
  if (threshold !== null) {
    const pass = score >= threshold;
    return { pass, score, reason: `Aggregate score ${score.toFixed(2)} ${pass ? '≥' : '<'} ${threshold} threshold`, assertions: results, namedScores };
  }
  return { pass: !failed, score, reason: failed ? failed.reason : 'All assertions passed', assertions: results, namedScores };
}

/**
 * Grades one answer against a test. The test's `options.transform` (JavaScript) runs first; without
 * `--allow-js` every assertion of such a test is not run.
 */
export async function gradeTest(test: GradableTest, ctx: GradeContext): Promise<TestGrade> {
  if (!test.transform) return gradeAssertions(test.assert, test.threshold, ctx);
  if (!ctx.allowJs) {
    const results = test.assert.map((a) => notRun(a, "the test's transform is JavaScript; pass --allow-js to run it"));
    return aggregate(results, test.threshold);
  }
  let value: unknown;
  try {
    value = await transformOutput(test.transform, outputValueOf(ctx), ctx);
  } catch (err) {
    return { pass: false, score: 0, reason: `transform ${(err as Error).message}`, assertions: [], namedScores: {} };
  }
  return gradeAssertions(test.assert, test.threshold, { ...ctx, output: asText(value), outputValue: value });
}

/** Every not-run assertion in a result tree, with its reason. */
export function notRunAssertions(results: readonly AssertionResult[]): AssertionResult[] {
  return results.flatMap((r) => [...(r.pass === null && r.notRun ? [r] : []), ...notRunAssertions(r.children ?? [])]);
}

/** Default time limit of a `command` assertion, ms. */
export const commandTimeoutMs = 120_000;

/**
 * A `command` assertion: the answer's code (its longest fenced block, or the whole answer; the
 * same rule as the editor's Insert) is written to `config.file` in a scratch copy of
 * `config.dir` (or an empty folder), and `value` runs there (`{file}` is the file's path). It
 * passes when the command exits 0 within `config.timeoutMs`. The user's files are never touched.
 */
async function commandCheck(a: AssertionSpec, inverse: boolean, ctx: GradeContext, output: string): Promise<RawOutcome> {
  const command = typeof a.value === 'string' ? a.value.trim() : '';
  if (!command) return { pass: false, score: 0, reason: 'command assertion without a command (value)' };
  const config = a.config ?? {};
  const file = typeof config.file === 'string' && config.file.trim() !== '' ? config.file : 'candidate.txt';
  const dir = typeof config.dir === 'string' && config.dir.trim() !== '' ? resolvePath(ctx.suiteDir ?? '.', config.dir) : null;
  const timeoutMs = typeof config.timeoutMs === 'number' && config.timeoutMs > 0 ? config.timeoutMs : commandTimeoutMs;
  const check = await checkCandidate({
    sourceDir: dir,
    relativeFile: file,
    content: extractCode(output).code,
    command,
    timeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const why = check.spawnError
    ? `could not run: ${check.spawnError}`
    : check.timedOut
      ? `timed out after ${timeoutMs} ms`
      : `exit code ${check.exitCode ?? check.signal ?? '?'}`;
  const tail = check.output.trim().split('\n').slice(-5).join('\n');
  return binary(check.passed !== inverse, `\`${command}\` ${why}${tail ? `: ${tail}` : ''}`);
}
