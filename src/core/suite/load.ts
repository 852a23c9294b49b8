/**
 * Reads a suite file into a {@link Suite}: promptfoo's `promptfooconfig.yaml` (the subset that
 * matters), Bakeoff's suite YAML/JSON (the same schema plus Bakeoff fields), AI Toolkit bulk-run
 * JSONL and OpenAI Evals JSONL. Every test's prompt and assertion values are rendered here, so a
 * malformed suite or an unknown variable is a {@link SuiteError} — with file, line and field —
 * before any request is sent.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { presets } from '../presets';
import { decodeText, InputError } from '../textInput';
import type { RequestParams } from '../config';
import { baseType, checkAssertion, isKnownAssertionType, knownAssertionTypes } from './assertions';
import { parseCommaSeparated } from './match';
import { prepareVars, renderDeep, renderPromptMessages, renderTemplate, TemplateError } from './render';
import {
  ignoredTopLevelFields,
  knownSuiteFields,
  promptfooAssertionTypes,
  refusedTopLevelFields,
  SuiteFile,
  suiteObjects,
  TestCase,
  type AssertionInput,
  type SuiteObject,
  type SuiteFileInput,
  type TestCaseInput,
} from './schema';
import type { AssertionSpec, SourceRef, Suite, SuiteFormat, SuiteProvider, SuiteTest } from './types';

/** A malformed suite: says which file, line and field, and what is wrong. */
export class SuiteError extends Error {
  override readonly name = 'SuiteError';
  constructor(
    readonly problem: string,
    readonly file: string,
    readonly line: number | null,
    readonly field: string | null,
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${problem}`);
  }
}

/** Largest suite file (or file it refers to) read, in bytes. */
export const maxSuiteFileBytes = 256 * 1024 * 1024;

export interface LoadOptions {
  /** Environment for `OPENAI_BASE_URL` (promptfoo's default base URL). Default: process.env. */
  env?: Record<string, string | undefined>;
}

/** Levenshtein distance for short names. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** A close candidate other than the name itself (which, being refused, is not one of them here). */
function didYouMean(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const others = candidates.filter((c) => c !== name);
  const guess =
    others.find((c) => c.toLowerCase() === lower) ??
    others.filter((c) => editDistance(c.toLowerCase(), lower) <= 2).sort((a, b) => editDistance(a, lower) - editDistance(b, lower))[0];
  return guess ? ` (did you mean "${guess}"?)` : '';
}

/** Which object of the schema an issue path (from `root`) points into: the last field named on the way decides. */
function objectAt(path: ReadonlyArray<PropertyKey>, root: SuiteObject): SuiteObject {
  const named = path.filter((k): k is string => typeof k === 'string');
  const last = named.at(-1);
  if (last === undefined) return root;
  if (last === 'tests' || last === 'defaultTest') return 'test';
  if (last === 'assert') return 'assertion';
  if (last === 'providers' || last === 'targets') return 'provider';
  if (last === 'prompts') return 'prompt';
  if (last === 'options' || last === 'request' || last === 'evaluateOptions') return last;
  return root;
}

/**
 * A field the object does not take, never suggesting the name itself: the same name in another
 * case here; else, for a field of another object, where it belongs (and a name one edit away here);
 * else a close name here, or anywhere.
 */
function unknownField(name: string, where: SuiteObject): string {
  const fields: readonly string[] = suiteObjects[where].fields;
  const sameName = fields.find((f) => f !== name && f.toLowerCase() === name.toLowerCase());
  if (sameName) return `unknown field "${name}" (did you mean "${sameName}"?)`;
  const places = Object.values(suiteObjects)
    .filter((o) => (o.fields as readonly string[]).includes(name))
    .map((o) => o.place);
  if (places.length) {
    const near = fields.find((f) => editDistance(f.toLowerCase(), name.toLowerCase()) <= 1);
    return `field "${name}" is not allowed ${suiteObjects[where].place} (it belongs ${places.join(', or ')}${near ? `; did you mean "${near}"?` : ''})`;
  }
  return `unknown field "${name}"${didYouMean(name, fields) || didYouMean(name, knownSuiteFields)}`;
}

/** What a path that is not a regular file is, for the message refusing it. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a suite file (or a file it refers to) as text. Only regular files are read — a
 * directory, device, FIFO or socket is refused by name, before any read — and at most
 * {@link maxSuiteFileBytes}, counted while reading, so a file that grows or lies about its size
 * stops at the limit. The text is decoded as `compare` decodes its input files
 * ({@link decodeText}: UTF-8, or UTF-16 with a BOM; invalid bytes and NULs refused with their
 * offset). Synchronous, because loading a suite is: the async `readBounded` (textInput.ts) that
 * `compare` uses cannot serve here, and FIFOs (the one case it waits for) are refused.
 */
function readText(path: string, from: SourceRef, field: string): string {
  const fail = (problem: string) => new SuiteError(problem, from.file, from.line, field);
  const fsProblem = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`file not found: ${path}`);
    if (code === 'EISDIR') return fail(`${path} is a directory, not a file`);
    return fail(`cannot read ${path} (${code ?? String(err)})`);
  };
  let info: Stats;
  try {
    info = statSync(path);
  } catch (err) {
    throw fsProblem(err);
  }
  if (!info.isFile()) throw fail(`${path} is ${kindOf(info)}, not a file`);
  const limit = `${maxSuiteFileBytes / 1024 / 1024} MB`;
  if (info.size > maxSuiteFileBytes) throw fail(`${path} is larger than ${limit}`);
  let fd: number;
  try {
    // Non-blocking, so a path swapped for a FIFO after the check cannot hang the open.
    fd = openSync(path, constants.O_RDONLY | (process.platform === 'win32' ? 0 : constants.O_NONBLOCK));
  } catch (err) {
    throw fsProblem(err);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw fail(`${path} is ${kindOf(opened)}, not a file`);
    const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(64 * 1024, opened.size + 1)));
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      size += n;
      if (size > maxSuiteFileBytes) throw fail(`${path} is larger than ${limit}`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  } catch (err) {
    if (err instanceof SuiteError) throw err;
    throw fsProblem(err);
  } finally {
    closeSync(fd);
  }
  try {
    return decodeText(Buffer.concat(chunks, size), `file ${path}`);
  } catch (err) {
    if (err instanceof InputError) throw fail(err.message);
    throw err;
  }
}

/** A parsed YAML/JSON file with positions. */
interface Positioned {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function parseStructured(text: string, file: string): Positioned {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line ?? (error.pos ? lines.linePos(error.pos[0]).line : null);
    throw new SuiteError(`not valid ${file.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}`, file, line, null);
  }
  return { file, doc, lines };
}

/** 1-based line of the node at `path` (or of its nearest existing parent). */
function lineOf(p: Positioned, path: ReadonlyArray<string | number>): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = p.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return null;
}

function fieldName(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

function zodProblem(issue: z.core.$ZodIssue, root: SuiteObject): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => unknownField(k, objectAt(issue.path, root))).join('; ');
  if (issue.code === 'invalid_union') return 'not one of the accepted forms (see the suite schema)';
  return issue.message;
}

/**
 * The issue to report: inside a union (a field that takes several forms), the problem of the
 * form that got furthest (the deepest path), with its path made absolute.
 */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: z.core.$ZodIssue | null = null;
  for (const branch of issue.errors) {
    for (const sub of branch) {
      const resolved = deepestIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue);
      if (!best || resolved.path.length > best.path.length) best = resolved;
    }
  }
  return best ?? issue;
}

/** The first schema problem as a SuiteError with its line. */
function schemaError(error: z.ZodError, p: Positioned, root: SuiteObject, prefix: ReadonlyArray<string | number> = []): SuiteError {
  const issue = deepestIssue(error.issues[0]!);
  // An unknown field is reported at the field itself, not at the object holding it.
  const own = issue.code === 'unrecognized_keys' && issue.keys.length ? [issue.keys[0]!] : [];
  const path = [...prefix, ...(issue.path as Array<string | number>), ...own];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return new SuiteError(zodProblem(issue, root) + more, p.file, lineOf(p, path), fieldName(path) || null);
}

// ---------------------------------------------------------------------------------------------
// File references
// ---------------------------------------------------------------------------------------------

/** Paths a `file://` reference names, relative to `baseDir`; `*` and `?` allowed in the file name. */
function resolveFileRef(ref: string, baseDir: string, from: SourceRef, field: string): string[] {
  const path = resolve(baseDir, ref.slice('file://'.length));
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  if (/[*?]/.test(dirname(path))) throw new SuiteError(`wildcards are supported in the file name only: ${ref}`, from.file, from.line, field);
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    throw new SuiteError(`folder not found for ${ref}`, from.file, from.line, field);
  }
  const matches = entries.filter((e) => pattern.test(e)).sort().map((e) => join(dirname(path), e));
  if (matches.length === 0) throw new SuiteError(`no file matches ${ref}`, from.file, from.line, field);
  return matches;
}

const isFileRef = (v: unknown): v is string => typeof v === 'string' && v.startsWith('file://');

const isStructured = (path: string) => ['.yaml', '.yml', '.json'].includes(extname(path).toLowerCase());

/** One file named by a `file://` var: text files as text (trimmed), YAML/JSON as JSON text, as promptfoo does. */
function readVarFile(path: string, ref: string, from: SourceRef, field: string): string {
  if (['.js', '.cjs', '.mjs', '.ts', '.py', '.rb'].includes(extname(path).toLowerCase())) {
    throw new SuiteError(`vars computed by scripts are not supported (${ref})`, from.file, from.line, field);
  }
  const text = readText(path, from, field);
  if (isStructured(path)) return JSON.stringify(parseStructured(text, path).doc.toJS());
  return text.trim();
}

/** A var loaded from `file://`: one value per file it names (a `*` in the name can match several). */
function loadVarFiles(ref: string, baseDir: string, from: SourceRef, field: string): string[] {
  return resolveFileRef(ref, baseDir, from, field).map((path) => readVarFile(path, ref, from, field));
}

/** The one file a `file://` reference names where one is wanted: a reference matching several is refused, never cut to the first. */
function oneFile(ref: string, baseDir: string, from: SourceRef, field: string): string {
  const paths = resolveFileRef(ref, baseDir, from, field);
  if (paths.length > 1) {
    throw new SuiteError(`${ref} matches ${paths.length} files (${paths.map((p) => basename(p)).join(', ')}); name one file here`, from.file, from.line, field);
  }
  return paths[0]!;
}

/** A value loaded from `file://` where one file is wanted. */
function loadVarFile(ref: string, baseDir: string, from: SourceRef, field: string): string {
  return readVarFile(oneFile(ref, baseDir, from, field), ref, from, field);
}

// ---------------------------------------------------------------------------------------------
// Prompts
// ---------------------------------------------------------------------------------------------

interface PromptDef {
  label: string;
  raw: string;
}

/** Files promptfoo runs to get a prompt (functions and executables): refused. */
const scriptExtensions = ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts', '.py', '.rb', '.sh', '.bash', '.exe', '.bat', '.cmd', '.ps1', '.pl', '.go'];

/**
 * promptfoo's `.txt` prompt file: prompts separated by lines that are `---` once trimmed, each
 * trimmed; empty ones dropped (so a trailing `---` adds nothing).
 */
function splitTextPrompts(content: string): string[] {
  const prompts: string[] = [];
  let buffer: string[] = [];
  const flush = () => {
    const raw = buffer.join('\n').trim();
    if (raw) prompts.push(raw);
    buffer = [];
  };
  for (const line of content.split(/\r?\n/)) {
    if (line.trim() === '---') flush();
    else buffer.push(line);
  }
  flush();
  return prompts;
}

/**
 * promptfoo's `.csv` prompt file: with a comma anywhere, a CSV whose `prompt` column gives one
 * prompt a row (empty cells skipped) and whose optional `label` column labels it; without one (or
 * when it does not parse as CSV), one prompt a non-blank line, a first line `prompt` being the header.
 */
function csvPrompts(content: string): Array<{ raw: string; label?: string }> {
  const byLine = () => {
    const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
    return lines.slice(lines[0]?.trim().toLowerCase() === 'prompt' ? 1 : 0).map((raw) => ({ raw }));
  };
  if (!content.includes(',')) return byLine();
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(content, { columns: true, bom: true, relax_quotes: true, skip_empty_lines: true, trim: true }) as typeof rows;
  } catch {
    return byLine();
  }
  return rows.filter((row) => row.prompt).map((row) => ({ raw: row.prompt!, ...(row.label ? { label: row.label } : {}) }));
}

function promptsFrom(raw: SuiteFileInput['prompts'], p: Positioned, baseDir: string): PromptDef[] {
  if (raw === undefined) return [{ label: '{{prompt}}', raw: '{{prompt}}' }];
  const entries = typeof raw === 'string' ? [raw] : raw;
  const out: PromptDef[] = [];
  entries.forEach((entry, i) => {
    const from: SourceRef = { file: p.file, line: lineOf(p, ['prompts', ...(typeof raw === 'string' ? [] : [i])]) };
    const field = typeof raw === 'string' ? 'prompts' : `prompts[${i}]`;
    const text = typeof entry === 'string' ? entry : (entry.raw ?? entry.id);
    const label = typeof entry === 'string' ? undefined : entry.label;
    if (text === undefined) throw new SuiteError('a prompt needs "raw" text or an "id" (file://…)', from.file, from.line, field);
    if (!isFileRef(text)) {
      out.push({ label: label ?? clip(text, 60), raw: text });
      return;
    }
    for (const path of resolveFileRef(text, baseDir, from, field)) {
      const ext = extname(path).toLowerCase();
      const name = basename(path);
      if (scriptExtensions.includes(ext)) {
        throw new SuiteError(`prompt functions are not supported (${name}); write the prompt as text or chat JSON`, from.file, from.line, field);
      }
      if (ext === '.prompty') {
        throw new SuiteError(`Prompty files are not supported (${name}); write the prompt as text, chat JSON or a YAML chat`, from.file, from.line, field);
      }
      const content = readText(path, from, field);
      /** Several prompts from one file: each labelled `<label or file name>:<n>`, unless it has its own label. */
      const several = (raws: Array<{ raw: string; label?: string | undefined }>) =>
        raws.forEach((r, k) => out.push({ label: r.label ?? (raws.length > 1 ? `${label ?? name}:${k + 1}` : (label ?? name)), raw: r.raw }));
      if (ext === '.json') {
        out.push({ label: label ?? name, raw: content.trim() });
      } else if (ext === '.jsonl') {
        content
          .split(/\r?\n/)
          .filter((l) => l.trim())
          .forEach((l, k) => out.push({ label: `${label ?? name}:${k + 1}`, raw: l.trim() }));
      } else if (ext === '.yaml' || ext === '.yml') {
        out.push({ label: label ?? name, raw: JSON.stringify(parseStructured(content, path).doc.toJS()) });
      } else if (ext === '.txt') {
        const parts = splitTextPrompts(content);
        if (parts.length === 0) throw new SuiteError(`the prompt file ${name} is empty`, from.file, from.line, field);
        several(parts.map((raw) => ({ raw })));
      } else if (ext === '.csv') {
        const rows = csvPrompts(content);
        if (rows.length === 0) throw new SuiteError(`no prompts in ${name} (a prompts CSV has a "prompt" column, or one prompt a line)`, from.file, from.line, field);
        several(rows);
      } else {
        // Markdown, Jinja2 and any other text file: the whole file is one prompt, as in promptfoo.
        if (!content.trim()) throw new SuiteError(`the prompt file ${name} is empty`, from.file, from.line, field);
        out.push({ label: label ?? name, raw: content });
      }
    }
  });
  if (out.length === 0) throw new SuiteError('no prompts', p.file, lineOf(p, ['prompts']), 'prompts');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Providers
// ---------------------------------------------------------------------------------------------

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function sanitizeId(text: string): string {
  const id = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return id || 'backend';
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return null;
  }
}

const bodyPassThrough = ['top_p', 'presence_penalty', 'frequency_penalty', 'stop', 'response_format', 'reasoning_effort', 'logit_bias'];
const configKeys = new Set([
  'apiBaseUrl',
  'apiHost',
  'apiKeyEnvar',
  'apiKey',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'seed',
  'headers',
  'cost',
  'inputCost',
  'outputCost',
  ...bodyPassThrough,
]);

/** A backend for promptfoo's `openai:chat:<model>`. */
function openAiBackend(
  model: string,
  entry: { label?: string | undefined; config?: Record<string, unknown> | undefined; kind?: string | undefined; pricing?: unknown },
  env: Record<string, string | undefined>,
  from: SourceRef,
  field: string,
  warnings: string[],
): { backend: Record<string, unknown>; params: Partial<RequestParams> } {
  const config = entry.config ?? {};
  if (config.apiKey !== undefined) {
    throw new SuiteError('an API key in a suite file is refused: put it in an environment variable and name it with apiKeyEnvar', from.file, from.line, `${field}.config.apiKey`);
  }
  const apiHost = typeof config.apiHost === 'string' ? config.apiHost : undefined;
  const baseUrl =
    (typeof config.apiBaseUrl === 'string' ? config.apiBaseUrl : undefined) ??
    (apiHost ? `https://${apiHost}/v1` : undefined) ??
    env.OPENAI_BASE_URL ??
    env.OPENAI_API_BASE_URL ??
    'https://api.openai.com/v1';
  const origin = originOf(baseUrl);
  const preset = presets.find((p) => originOf(p.baseUrl) === origin);
  const loopback = origin !== null && /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(origin);
  let kind = entry.kind;
  if (!kind) {
    kind = preset?.kind ?? (loopback ? 'local' : 'gateway');
    if (!preset && !loopback) warnings.push(`${field}: ${baseUrl} is not a known provider; its kind is taken as "gateway" (set kind: closed or decentralized to include it in the claims table).`);
  }
  let pricing = entry.pricing as Record<string, unknown> | undefined;
  if (!pricing) {
    const perToken = (v: unknown) => (typeof v === 'number' ? v * 1e6 : undefined);
    const input = perToken(config.inputCost ?? config.cost);
    const output = perToken(config.outputCost ?? config.cost);
    if (input !== undefined && output !== undefined) pricing = { type: 'perToken', inputPerMTok: input, outputPerMTok: output, source: 'suite provider config' };
    else if (preset) pricing = preset.pricing;
    else if (loopback) pricing = { type: 'free' };
  }
  const extraBody: Record<string, unknown> = {};
  for (const key of bodyPassThrough) if (config[key] !== undefined) extraBody[key] = config[key];
  const ignored = Object.keys(config).filter((k) => !configKeys.has(k));
  if (ignored.length) warnings.push(`${field}.config: ignored ${ignored.map((k) => `"${k}"`).join(', ')}`);
  const params: Partial<RequestParams> = {};
  if (typeof config.temperature === 'number') params.temperature = config.temperature;
  const maxTokens = config.max_tokens ?? config.max_completion_tokens;
  if (typeof maxTokens === 'number') params.maxTokens = maxTokens;
  if (typeof config.seed === 'number') params.seed = config.seed;
  return {
    backend: {
      id: sanitizeId(entry.label ?? model),
      ...(entry.label ? { label: entry.label } : {}),
      kind,
      baseUrl,
      model,
      apiKeyEnv: typeof config.apiKeyEnvar === 'string' ? config.apiKeyEnvar : (preset?.apiKeyEnv ?? 'OPENAI_API_KEY'),
      ...(pricing ? { pricing } : {}),
      ...(config.headers ? { headers: config.headers } : {}),
      ...(Object.keys(extraBody).length ? { extraBody } : {}),
    },
    params,
  };
}

const openAiChat = /^openai:(?:chat:)?(.+)$/;
const openAiOtherApis = /^openai:(completion|embedding|embeddings|assistant|image|moderation|realtime|responses|transcription|speech):/;

function providersFrom(
  raw: SuiteFileInput['providers'],
  key: 'providers' | 'targets',
  p: Positioned,
  env: Record<string, string | undefined>,
  warnings: string[],
): SuiteProvider[] {
  if (raw === undefined) return [];
  const entries = typeof raw === 'string' ? [raw] : raw;
  const out: SuiteProvider[] = entries.map((entry, i) => {
    const path = typeof raw === 'string' ? [key] : [key, i];
    const from: SourceRef = { file: p.file, line: lineOf(p, path) };
    const field = fieldName(path);
    const id = typeof entry === 'string' ? entry : entry.id;
    const obj: Exclude<typeof entry, string> | Partial<Exclude<typeof entry, string>> = typeof entry === 'string' ? {} : entry;
    if (openAiOtherApis.test(id) || id === 'openai:chat' || id === 'openai') {
      throw new SuiteError(`"${id}": only chat models are supported; write openai:chat:<model>`, from.file, from.line, field);
    }
    const chat = openAiChat.exec(id);
    if (chat) {
      const { backend, params } = openAiBackend(chat[1]!, obj, env, from, field, warnings);
      return { ref: null, backend, concurrency: obj.concurrency ?? null, params, source: from };
    }
    if (!idPattern.test(id) || id.includes(':')) {
      throw new SuiteError(
        `provider "${id}" is not OpenAI-compatible here: use openai:chat:<model> with config.apiBaseUrl, or the id of a backend in your --config file`,
        from.file,
        from.line,
        field,
      );
    }
    if (obj.config || obj.pricing || obj.kind) {
      throw new SuiteError(`"${id}" refers to a backend of the --config file; set its kind, pricing and URL there`, from.file, from.line, field);
    }
    return { ref: id, backend: null, concurrency: obj.concurrency ?? null, params: {}, source: from };
  });
  const ids = new Map<string, number>();
  for (const prov of out) {
    const id = prov.ref ?? String(prov.backend!.id);
    const seen = ids.get(id) ?? 0;
    ids.set(id, seen + 1);
    if (seen > 0 && prov.backend) prov.backend.id = `${id}-${seen + 1}`;
    else if (seen > 0) throw new SuiteError(`backend "${id}" is listed twice`, prov.source.file, prov.source.line, key);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/** A test case as read, with where it came from. */
interface RawTest {
  test: TestCaseInput;
  source: SourceRef;
  /** Field path for messages. */
  field: string;
  /** The positioned file it is in, when it came from YAML/JSON (for line numbers of its parts). */
  positioned?: { p: Positioned; path: Array<string | number> };
  /** The folder `vars: file://…` is relative to: the tests file's, for a test read from one (promptfoo's readTest). */
  varsBaseDir?: string;
}

const csvAssertion = new RegExp(`^(not-)?(${[...promptfooAssertionTypes].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?:\\((\\d+(?:\\.\\d+)?)\\))?(?::([\\s\\S]*))?$`);

/** promptfoo's reading of a CSV `__expected` cell (already trimmed, as promptfoo trims it). */
export function assertionFromCsv(expected: string): AssertionInput {
  for (const prefix of ['javascript:', 'fn:', 'eval:']) {
    if (expected.startsWith(prefix)) return { type: 'javascript', value: expected.slice(prefix.length).trim() };
  }
  if (expected.startsWith('grade:')) return { type: 'llm-rubric', value: expected.slice(6) };
  if (expected.startsWith('llm-rubric:')) return { type: 'llm-rubric', value: expected.slice(11) };
  if (expected.startsWith('python:')) return { type: 'python', value: expected.slice(7).trim() };
  const m = csvAssertion.exec(expected);
  if (!m) return { type: 'equals', value: expected };
  const [, not, type, thresholdText, value] = m;
  const fullType = `${not ?? ''}${type}`;
  const threshold = thresholdText ? Number.parseFloat(thresholdText) : Number.NaN;
  if (type === 'contains-all' || type === 'contains-any' || type === 'icontains-all' || type === 'icontains-any') {
    return { type: fullType, value: (value ?? '').split(',').map((s) => s.trim()) };
  }
  // JSON Schemas are taken as written; every other value is trimmed (`contains: Paris` → "Paris").
  if (type === 'is-json' || type === 'contains-json') return { type: fullType, ...(value !== undefined ? { value } : {}) };
  if (['cost', 'latency', 'levenshtein', 'similar', 'rouge-n', 'classifier', 'answer-relevance', 'context-recall', 'context-relevance', 'context-faithfulness', 'perplexity', 'perplexity-score', 'starts-with'].includes(type!)) {
    return { type: fullType, value: (value ?? '').trim(), threshold: Number.isFinite(threshold) ? threshold : type === 'similar' ? 0.8 : 0.75 };
  }
  return { type: fullType, ...(value !== undefined ? { value: value.trim() } : {}) };
}

/** The ordinal of an `__expected` column: `__expected` and `__expected1` are 1, `__expectedN` is N; null for other names. */
function expectedOrdinal(column: string): number | null {
  const m = /^__expected(\d*)$/.exec(column);
  if (!m) return null;
  return m[1] ? Number(m[1]) : 1;
}

function testsFromCsv(path: string, from: SourceRef, field: string, warnings: string[]): RawTest[] {
  const text = readText(path, from, field);
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, relax_quotes: true, info: true }) as typeof rows;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new SuiteError(`not valid CSV: ${String(e.message ?? err).split('\n')[0]}`, path, e.lines ?? null, null);
  }
  const header = rows.length ? Object.keys(rows[0]!.record).map((k) => k.trim()) : [];
  // Any other column is a var, as in promptfoo — said once, since a misspelt special column would otherwise pass unseen.
  const specialColumns = ['__expected', '__description', '__prefix', '__suffix', '__metric', '__threshold', '__metadata:', '__config:', '__providerOutput'];
  for (const column of header) {
    if (column === '__metadata') warnings.push(`${basename(path)}: the column "__metadata" needs a name (__metadata:<name>) and is ignored, as in promptfoo.`);
    else if (column.startsWith('__') && !column.startsWith('__expected') && !specialColumns.some((c) => (c.endsWith(':') ? column.startsWith(c) : column === c))) {
      warnings.push(`${basename(path)}: "${column}" is not a special column; it is a var, as in promptfoo${didYouMean(column, specialColumns.filter((c) => !c.endsWith(':')))}.`);
    }
  }
  return rows.map(({ record, info }) => {
    const vars: Record<string, string> = {};
    const assert: AssertionInput[] = [];
    /** The ordinal of the `__expected` column each assertion came from. */
    const ordinals: Array<number | null> = [];
    /** `__config:__expected<N>:threshold` values by ordinal. */
    const thresholds = new Map<number, number>();
    const metadata: Record<string, unknown> = {};
    const options: NonNullable<TestCaseInput['options']> = {};
    let description: string | undefined;
    let metric: string | undefined;
    let threshold: number | undefined;
    // Column names are trimmed, as promptfoo does (`q, __expected` names "__expected", not a var " __expected").
    for (const [rawKey, value] of Object.entries(record)) {
      const key = rawKey.trim();
      if (key.startsWith('__expected')) {
        if (value.trim() !== '') {
          assert.push(assertionFromCsv(value.trim()));
          ordinals.push(expectedOrdinal(key));
        }
      } else if (key.startsWith('__config:')) {
        const parts = key.slice('__config:'.length).split(':');
        const target = parts.length === 2 ? expectedOrdinal(parts[0]!) : null;
        if (target === null) {
          throw new SuiteError('write __config:__expected:threshold or __config:__expected<N>:threshold', path, 1, key);
        }
        if (parts[1] !== 'threshold') throw new SuiteError('only the threshold of an assertion can be set in a __config column', path, 1, key);
        if (!header.some((h) => expectedOrdinal(h) === target)) {
          throw new SuiteError(`there is no ${parts[0]} column whose assertion it could set`, path, 1, key);
        }
        if (value.trim() === '') continue;
        const number = Number(value.trim());
        if (!Number.isFinite(number)) throw new SuiteError(`"${value}" is not a number`, path, info.lines, key);
        thresholds.set(target, number);
      } else if (key === '__description') description = value;
      else if (key === '__prefix') options.prefix = value;
      else if (key === '__suffix') options.suffix = value;
      else if (key === '__metric') metric = value;
      else if (key === '__threshold') threshold = Number.parseFloat(value);
      else if (key.startsWith('__metadata:')) {
        const name = key.slice('__metadata:'.length);
        if (name.endsWith('[]')) metadata[name.slice(0, -2)] = parseCommaSeparated(value);
        else metadata[name] = value;
      } else if (key === '__providerOutput' || key === '__metadata') {
        // promptfoo columns with no meaning here: Bakeoff always asks the backends; __metadata without a name is ignored
      } else vars[key] = value;
    }
    if (metric) for (const a of assert) a.metric = metric;
    assert.forEach((a, i) => {
      const t = thresholds.get(ordinals[i] ?? -1);
      if (t !== undefined) a.threshold = t;
    });
    const test: TestCaseInput = {
      vars,
      assert,
      ...(description ? { description } : {}),
      ...(threshold !== undefined && Number.isFinite(threshold) ? { threshold } : {}),
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    };
    return { test, source: { file: path, line: info.lines }, field: `${basename(path)} row` };
  });
}

function testsFromStructuredFile(path: string, from: SourceRef, field: string, warnings: string[]): RawTest[] {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return testsFromCsv(path, from, field, warnings);
  const text = readText(path, from, field);
  if (ext === '.jsonl') {
    const out: RawTest[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new SuiteError(`not valid JSON: ${(err as Error).message}`, path, i + 1, null);
      }
      const parsed = TestCase.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new SuiteError(zodProblem(issue, 'test'), path, i + 1, fieldName(issue.path as Array<string | number>) || null);
      }
      out.push({ test: parsed.data, source: { file: path, line: i + 1 }, field: `line ${i + 1}`, varsBaseDir: dirname(path) });
    });
    return out;
  }
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new SuiteError(`test files must be .csv, .json, .jsonl, .yaml or .yml (${basename(path)})`, from.file, from.line, field);
  }
  const p = parseStructured(text, path);
  const root = p.doc.contents;
  const list = isSeq(root) ? (p.doc.toJS() as unknown[]) : isMap(root) ? [p.doc.toJS()] : null;
  if (!list) throw new SuiteError('a test file must hold a list of tests', path, 1, null);
  return list.map((value, i) => {
    const path0 = isSeq(root) ? [i] : [];
    const parsed = TestCase.safeParse(value);
    if (!parsed.success) throw schemaError(parsed.error, p, 'test', path0);
    return { test: parsed.data, source: { file: path, line: lineOf(p, path0) }, field: `tests[${i}]`, positioned: { p, path: path0 }, varsBaseDir: dirname(path) };
  });
}

function rawTests(raw: SuiteFileInput['tests'], p: Positioned, baseDir: string, warnings: string[]): RawTest[] {
  if (raw === undefined) return [];
  const entries = typeof raw === 'string' ? [raw] : raw;
  const out: RawTest[] = [];
  entries.forEach((entry, i) => {
    const path = typeof raw === 'string' ? ['tests'] : ['tests', i];
    const from: SourceRef = { file: p.file, line: lineOf(p, path) };
    const field = fieldName(path);
    if (typeof entry === 'string') {
      if (!isFileRef(entry)) {
        throw new SuiteError('a test given as text must be a file:// reference (to .csv, .json, .jsonl or .yaml)', from.file, from.line, field);
      }
      for (const file of resolveFileRef(entry, baseDir, from, field)) out.push(...testsFromStructuredFile(file, from, field, warnings));
    } else {
      out.push({ test: entry, source: from, field, positioned: { p, path: path as Array<string | number> } });
    }
  });
  return out;
}

/** promptfoo's var expansion: a var holding a list of strings gives one test per value (all combinations). */
function expandVars(vars: Record<string, unknown>): Array<Record<string, unknown>> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [key, value] of Object.entries(vars)) {
    const values = Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? value : [value];
    const next: Array<Record<string, unknown>> = [];
    for (const combo of combos) for (const v of values) next.push({ ...combo, [key]: v });
    combos = next;
    if (combos.length > 1_000_000) throw new Error('list vars expand to more than a million tests');
  }
  return combos;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeVars(vars: Record<string, unknown>): string {
  const parts = Object.entries(vars).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return clip(parts.join(', '), 80) || 'test';
}

/** Field path text of an assertion inside a test. */
function assertionField(testField: string, path: number[]): string {
  return `${testField}.assert${path.map((i, k) => (k === 0 ? `[${i}]` : `.assert[${i}]`)).join('')}`;
}

/** Renders assertion values with the vars, checks each (recursively), and returns them. */
function prepareAssertions(
  asserts: readonly AssertionInput[],
  vars: Record<string, unknown>,
  baseDir: string,
  raw: RawTest,
  at: number[] = [],
): AssertionSpec[] {
  return asserts.map((a, i) => {
    const path = [...at, i];
    const fieldPath = raw.positioned ? [...raw.positioned.path, 'assert', ...path.flatMap((k, j) => (j === 0 ? [k] : ['assert', k]))] : null;
    const line = raw.positioned && fieldPath ? lineOf(raw.positioned.p, fieldPath) : raw.source.line;
    const field = assertionField(raw.field, path);
    const fail = (problem: string) => new SuiteError(problem, raw.source.file, line, field);
    if (!isKnownAssertionType(a.type)) throw fail(`unknown assertion type "${a.type}"${didYouMean(baseType(a.type).base, knownAssertionTypes)}`);
    let value = a.value;
    const base = baseType(a.type).base;
    try {
      if (isFileRef(value) && (base === 'is-json' || base === 'contains-json')) {
        value = JSON.parse(loadVarFile(value, baseDir, raw.source, field));
      } else if (isFileRef(value)) {
        throw fail(`assertion values from files are supported for is-json and contains-json schemas only (${value})`);
      } else {
        // Every value is a template, `javascript` code included (promptfoo renders them all).
        value = renderDeep(value, vars);
      }
    } catch (err) {
      if (err instanceof SuiteError) throw err;
      if (err instanceof TemplateError) throw fail(`value: ${err.message}`);
      throw fail(`value: ${(err as Error).message}`);
    }
    // The metric name is a template too (promptfoo's renderMetricName).
    let metric = a.metric;
    if (metric !== undefined) {
      try {
        metric = renderTemplate(metric, vars);
      } catch (err) {
        throw fail(`metric: ${(err as Error).message}`);
      }
    }
    const spec: AssertionSpec = { ...a, ...(value !== undefined ? { value } : {}), ...(metric !== undefined ? { metric } : {}) };
    if (base === 'assert-set' && a.assert) spec.assert = prepareAssertions(a.assert, vars, baseDir, raw, path);
    const problems = checkAssertion(spec);
    if (problems.length) throw fail(problems.join('; '));
    return spec;
  });
}

/** `defaultTest: file://…` (promptfoo: an inline test or a path): the test in that YAML or JSON file, checked against the schema there. */
function loadDefaultTest(ref: string, baseDir: string, from: SourceRef): TestCaseInput {
  const field = 'defaultTest';
  if (!isFileRef(ref)) throw new SuiteError('defaultTest must be an object or a file:// reference to a YAML or JSON file', from.file, from.line, field);
  const path = oneFile(ref, baseDir, from, field);
  if (!isStructured(path)) throw new SuiteError(`a defaultTest file must be YAML or JSON (${basename(path)})`, from.file, from.line, field);
  const dp = parseStructured(readText(path, from, field), path);
  const value = dp.doc.toJS() as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SuiteError('a defaultTest file must hold one test (an object)', path, 1, null);
  const parsed = TestCase.safeParse(value);
  if (!parsed.success) throw schemaError(parsed.error, dp, 'test');
  return parsed.data;
}

function mergeDefault(test: TestCaseInput, defaults: TestCaseInput | undefined): TestCaseInput {
  if (!defaults) return test;
  const vars =
    typeof defaults.vars === 'object' || typeof test.vars === 'object'
      ? { ...(typeof defaults.vars === 'object' ? defaults.vars : {}), ...(typeof test.vars === 'object' ? test.vars : {}) }
      : undefined;
  return {
    ...defaults,
    ...test,
    ...(vars ? { vars } : {}),
    assert: [...(defaults.assert ?? []), ...(test.assert ?? [])],
    metadata: { ...(defaults.metadata ?? {}), ...(test.metadata ?? {}) },
    options: { ...(defaults.options ?? {}), ...(test.options ?? {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// JSONL suites (AI Toolkit bulk run, OpenAI Evals)
// ---------------------------------------------------------------------------------------------

function jsonlSuite(text: string, file: string): Suite {
  const tests: SuiteTest[] = [];
  let format: SuiteFormat | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const lineNo = i + 1;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new SuiteError(`not valid JSON: ${(err as Error).message}`, file, lineNo, null);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new SuiteError('each line must be a JSON object', file, lineNo, null);
    const kind: SuiteFormat | null = 'query' in row ? 'ai-toolkit-jsonl' : 'input' in row ? 'openai-evals-jsonl' : null;
    if (!kind) throw new SuiteError('expected "query" (AI Toolkit bulk run) or "input" (OpenAI Evals)', file, lineNo, null);
    if (format && kind !== format) throw new SuiteError('lines mix AI Toolkit ("query") and OpenAI Evals ("input") rows', file, lineNo, null);
    format = kind;
    const index = tests.length;
    let messages: SuiteTest['messages'];
    const assert: AssertionSpec[] = [];
    const vars: Record<string, unknown> = {};
    const metadata: Record<string, unknown> = {};
    if (kind === 'ai-toolkit-jsonl') {
      if (typeof row.query !== 'string' || !row.query.trim()) throw new SuiteError('"query" must be non-empty text', file, lineNo, 'query');
      messages = [{ role: 'user', content: row.query }];
      for (const [k, v] of Object.entries(row)) vars[k] = v;
      if (row.ground_truth !== undefined && row.ground_truth !== null && String(row.ground_truth).trim() !== '') {
        assert.push({ type: 'icontains', value: String(row.ground_truth) });
      }
    } else {
      const input = row.input;
      if (typeof input === 'string') messages = [{ role: 'user', content: input }];
      else {
        try {
          messages = renderPromptMessages(JSON.stringify(input), {});
        } catch (err) {
          throw new SuiteError(`"input" must be text or a list of chat messages: ${(err as Error).message}`, file, lineNo, 'input');
        }
      }
      const ideal = row.ideal;
      const ideals = typeof ideal === 'string' ? [ideal] : Array.isArray(ideal) ? ideal.map(String) : [];
      if (ideal !== undefined && ideals.length === 0) throw new SuiteError('"ideal" must be text or a list of texts', file, lineNo, 'ideal');
      if (ideals.length === 1) assert.push({ type: 'icontains', value: ideals[0] });
      else if (ideals.length > 1) assert.push({ type: 'icontains-any', value: ideals });
      for (const [k, v] of Object.entries(row)) if (k !== 'input') vars[k] = v;
    }
    for (const a of assert) {
      const problems = checkAssertion(a);
      if (problems.length) throw new SuiteError(problems.join('; '), file, lineNo, null);
    }
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? messages.at(-1)!.content;
    tests.push({
      id: testId(index),
      index,
      description: clip(lastUser, 80),
      promptLabel: kind === 'ai-toolkit-jsonl' ? 'query' : 'input',
      vars,
      messages,
      assert,
      threshold: null,
      metadata,
      transform: null,
      source: { file, line: lineNo },
    });
  });
  if (tests.length === 0) throw new SuiteError('the file holds no tests', file, null, null);
  return finish({ file, format: format!, description: null, tests, providers: [], request: null, repeat: null, maxConcurrency: null, warnings: [] });
}

// ---------------------------------------------------------------------------------------------

function testId(index: number): string {
  return `t${String(index + 1).padStart(4, '0')}`;
}

/** Adds the content hash. */
function finish(suite: Omit<Suite, 'hash'>): Suite {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ request: suite.request }));
  for (const t of suite.tests) {
    hash.update(JSON.stringify([t.id, t.description, t.messages, t.assert, t.threshold, t.transform, t.metadata]));
    hash.update('\n');
  }
  return { ...suite, hash: hash.digest('hex') };
}

/** Reads and validates a suite file. Throws {@link SuiteError}. */
export function loadSuite(path: string, options: LoadOptions = {}): Suite {
  const env = options.env ?? process.env;
  const file = path;
  const text = readText(resolve(path), { file, line: null }, 'suite');
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl') return jsonlSuite(text, file);
  if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
    throw new SuiteError('a suite must be .yaml, .yml, .json (promptfoo or Bakeoff suite) or .jsonl (AI Toolkit, OpenAI Evals)', file, null, null);
  }
  const p = parseStructured(text, file);
  let rawValue = p.doc.toJS() as unknown;
  if (rawValue === null || typeof rawValue !== 'object' || Array.isArray(rawValue)) {
    throw new SuiteError('a suite file must hold an object with prompts and tests', file, 1, null);
  }
  const baseDir = dirname(resolve(path));
  const defaultTestRef = (rawValue as { defaultTest?: unknown }).defaultTest;
  if (typeof defaultTestRef === 'string') rawValue = { ...rawValue, defaultTest: loadDefaultTest(defaultTestRef, baseDir, { file, line: lineOf(p, ['defaultTest']) }) };
  const parsed = SuiteFile.safeParse(rawValue);
  if (!parsed.success) throw schemaError(parsed.error, p, 'suite');
  const s = parsed.data;
  const warnings: string[] = [];
  for (const key of refusedTopLevelFields) {
    if (s[key] !== undefined) throw new SuiteError(`"${key}" is not supported by Bakeoff (it would change which tests run)`, file, lineOf(p, [key]), key);
  }
  for (const key of ignoredTopLevelFields) if (s[key] !== undefined) warnings.push(`"${key}" has no meaning for Bakeoff and is ignored.`);
  if (s.providers !== undefined && s.targets !== undefined) throw new SuiteError('give either providers or targets, not both', file, lineOf(p, ['targets']), 'targets');
  const ignoredEval = ['delay', 'cache', 'showProgressBar', 'timeoutMs', 'maxEvalTimeMs'].filter((k) => (s.evaluateOptions as Record<string, unknown> | undefined)?.[k] !== undefined);
  if (ignoredEval.length) warnings.push(`evaluateOptions: ignored ${ignoredEval.join(', ')} (Bakeoff never caches answers; timeouts come from the --config file).`);

  const prompts = promptsFrom(s.prompts, p, baseDir);
  const providers = s.targets !== undefined ? providersFrom(s.targets, 'targets', p, env, warnings) : providersFrom(s.providers, 'providers', p, env, warnings);
  if (s.defaultTest && typeof s.defaultTest.vars === 'string') {
    throw new SuiteError('defaultTest.vars must be an object', file, lineOf(p, ['defaultTest', 'vars']), 'defaultTest.vars');
  }
  const tests: SuiteTest[] = [];
  const raws = rawTests(s.tests, p, baseDir, warnings);
  if (raws.length === 0) throw new SuiteError('the suite has no tests', file, lineOf(p, ['tests']), 'tests');
  let ignoredProviderOutput = false;
  let ignoredGraderOverride = false;
  for (const raw of raws) {
    const merged = mergeDefault(raw.test, s.defaultTest);
    if (merged.providerOutput !== undefined) ignoredProviderOutput = true;
    if (merged.options?.provider !== undefined) ignoredGraderOverride = true;
    let vars: Record<string, unknown> = {};
    if (typeof raw.test.vars === 'string') {
      if (!isFileRef(raw.test.vars)) throw new SuiteError('vars must be an object or a file:// reference', raw.source.file, raw.source.line, `${raw.field}.vars`);
      // Every file the reference names is read, later files overriding earlier ones (promptfoo's readVarsFiles).
      const loaded: Record<string, unknown> = {};
      const field = `${raw.field}.vars`;
      for (const path of resolveFileRef(raw.test.vars, raw.varsBaseDir ?? baseDir, raw.source, field)) {
        if (!isStructured(path)) throw new SuiteError(`a vars file must be YAML or JSON (${basename(path)})`, raw.source.file, raw.source.line, field);
        const value = JSON.parse(readVarFile(path, raw.test.vars, raw.source, field)) as unknown;
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SuiteError(`a vars file must hold an object (${basename(path)})`, raw.source.file, raw.source.line, field);
        Object.assign(loaded, value);
      }
      vars = { ...(s.defaultTest?.vars as Record<string, unknown> | undefined), ...loaded };
    } else vars = (merged.vars as Record<string, unknown> | undefined) ?? {};
    for (const [k, v] of Object.entries(vars)) {
      if (!isFileRef(v)) continue;
      const field = `${raw.field}.vars.${k}`;
      const values = loadVarFiles(v, baseDir, raw.source, field);
      // Several files give one test each, as a list var does (promptfoo's generateVarCombinations).
      if (values.length > 1 && merged.options?.disableVarExpansion) {
        throw new SuiteError(`${v} matches ${values.length} files, one test each, but options.disableVarExpansion is set: name one file`, raw.source.file, raw.source.line, field);
      }
      vars[k] = values.length === 1 ? values[0] : values;
    }
    let combos: Array<Record<string, unknown>>;
    try {
      combos = merged.options?.disableVarExpansion ? [vars] : expandVars(vars);
    } catch (err) {
      throw new SuiteError((err as Error).message, raw.source.file, raw.source.line, `${raw.field}.vars`);
    }
    for (const combo of combos) {
      const prepared = prepareVars(combo);
      const assert = prepareAssertions(merged.assert ?? [], prepared, baseDir, raw);
      for (const prompt of prompts) {
        const template = `${merged.options?.prefix ?? ''}${prompt.raw}${merged.options?.suffix ?? ''}`;
        let messages: SuiteTest['messages'];
        try {
          messages = renderPromptMessages(template, prepared);
        } catch (err) {
          const message = err instanceof TemplateError ? err.message : String((err as Error).message ?? err);
          throw new SuiteError(`prompt "${prompt.label}": ${message}`, raw.source.file, raw.source.line, `${raw.field}.vars`);
        }
        const index = tests.length;
        const base = merged.description ?? describeVars(combo);
        const description = combos.length > 1 && merged.description ? `${base} (${describeVars(combo)})` : base;
        tests.push({
          id: testId(index),
          index,
          description: prompts.length > 1 ? `${description} · ${prompt.label}` : description,
          promptLabel: prompt.label,
          vars: prepared,
          messages,
          assert,
          threshold: merged.threshold ?? null,
          metadata: merged.metadata ?? {},
          transform: merged.options?.transform ?? null,
          source: raw.source,
        });
      }
    }
  }
  if (ignoredProviderOutput) warnings.push('providerOutput is ignored: Bakeoff always asks the backends.');
  if (ignoredGraderOverride) warnings.push('options.provider (a grader override) is ignored: name the grader with --grader.');
  return finish({
    file,
    format: ext === '.json' ? 'suite-json' : 'suite-yaml',
    description: s.description ?? null,
    tests,
    providers,
    request: s.request ?? null,
    repeat: s.evaluateOptions?.repeat ?? null,
    maxConcurrency: s.evaluateOptions?.maxConcurrency ?? null,
    warnings,
  });
}
