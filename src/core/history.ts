/**
 * The run history: every comparison (and every blind vote) kept in one append-only JSONL file.
 *
 * A comparison is written as it goes — one `run` line when it starts, one `trial` line per
 * finished trial, one `runEnd` line when it ends — so a run killed half-way (the editor closed,
 * the host crashed) keeps every trial that finished; without its `runEnd` it reads back as
 * `interrupted`. A vote is one `battle` line (see arena.ts). Lines are validated when read: a
 * corrupt or truncated line is skipped with a warning naming its line number, and never stops
 * the rest from loading.
 *
 * Nothing here redacts by itself: callers pass records through {@link historyTrialRecord}, which
 * scrubs keys field by field (report.ts), before appending. The file is capped in size: when an
 * append takes it past the cap, the oldest runs (with their votes) are dropped by rewriting the
 * file atomically (temporary file, then rename).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BackendKind, ChatMessage } from './config';
import { historyLimits } from './limits';
import { redactDeep, redactKeysInText, secretKeys } from './redact';
import { redactTrialResult } from './report';
import { cellKey } from './suite/store';
import type { ResultsHeader, SuiteCell } from './suite/types';
import { terminalStatuses, type ComparisonResult, type SentRequest, type TrialResult } from './types';

/** Version written in every line; lines of a newer version are skipped with a warning. */
export const historyVersion = 1;

/** Name of the history file inside the extension's global storage folder. */
export const historyFileName = 'history.jsonl';

const finiteOrNull = z.number().finite().nullable();

/** A backend as the history names it (no URL, headers or key). */
export const HistoryBackend = z.object({
  id: z.string().min(1).max(64),
  label: z.string().min(1).max(200),
  kind: BackendKind,
  model: z.string().max(300),
  pricingNote: z.string().max(2_000).default(''),
  trustNote: z.string().max(2_000).optional(),
  tlsInsecure: z.boolean().optional(),
});
export type HistoryBackend = z.infer<typeof HistoryBackend>;

/** How a run was started. */
export const RunMode = z.enum(['compare', 'blind', 'demo']);
export type RunMode = z.infer<typeof RunMode>;

const StoredRequest = z.object({
  messages: z.array(ChatMessage).max(1_000),
  params: z.object({ maxTokens: z.number().int().positive(), temperature: z.number().min(0).max(2), seed: z.number().int().optional() }),
});

/** A trial result as stored: the fields every view reads are checked, the rest kept as written. */
const StoredTrialResult = z
  .looseObject({
    backendId: z.string().min(1).max(64),
    backendLabel: z.string().max(200),
    kind: BackendKind,
    model: z.string().max(300),
    trial: z.number().int().min(1).max(10_000),
    status: z.enum(terminalStatuses),
    error: z
      .object({
        type: z.enum(terminalStatuses).exclude(['ok']),
        message: z.string(),
        hint: z.string(),
        httpStatus: z.number().int().optional(),
        timeoutPhase: z.enum(['connect', 'firstByte', 'idle', 'total']).optional(),
        body: z.string().optional(),
        code: z.string().optional(),
      })
      .nullable(),
    text: z.string(),
    reasoning: z.string(),
    finishReason: z.string().nullable(),
    metrics: z.object({
      ttftMs: finiteOrNull,
      totalMs: finiteOrNull,
      tpotMs: finiteOrNull,
      chunkGapP50Ms: finiteOrNull,
      chunkGapP95Ms: finiteOrNull,
      tokensPerSecond: finiteOrNull,
      inputTokens: finiteOrNull,
      outputTokens: finiteOrNull,
      cachedInputTokens: finiteOrNull,
      reasoningTokens: finiteOrNull,
      tokenSource: z.enum(['reported', 'estimated']).nullable(),
    }),
    cost: z.object({
      costUsd: finiteOrNull,
      costSource: z.enum(['catalog', 'modelsEndpoint', 'override', 'gpuHour', 'free', 'unknown']),
      detail: z.string(),
      asOf: z.string().optional(),
    }),
    timing: z.object({
      callStartMs: z.number().optional(),
      startMs: z.number(),
      headersMs: z.number().nullable(),
      firstByteMs: z.number().nullable(),
      firstContentMs: z.number().nullable(),
      chunkMs: z.array(z.number()),
      allChunkMs: z.array(z.number()).optional(),
      endMs: z.number(),
    }),
    request: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.record(z.string(), z.unknown()) }),
    retries: z.number().int().nonnegative(),
    retryWaitMs: z.number().nonnegative(),
    retryAfterMs: z.number().nonnegative().nullable(),
    wallMs: finiteOrNull,
    usageReported: z.boolean(),
    keyRedacted: z.boolean(),
    tlsUnverified: z.boolean().default(false),
  })
  .transform((r): TrialResult => r);

/** First line of a run: what was asked of whom. */
export const RunRecord = z.object({
  type: z.literal('run'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  startedAt: z.string().max(40),
  mode: RunMode,
  title: z.string().max(500),
  request: StoredRequest,
  backends: z.array(HistoryBackend).min(1).max(64),
  trials: z.number().int().min(1).max(10_000),
  perBackendConcurrency: z.number().int().min(1).max(1_000).default(1),
  /** A blind run: `backends` are in display order (A, B); whether that order was swapped. */
  blind: z.object({ swapped: z.boolean() }).optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** One finished trial of a run. */
export const TrialRecord = z.object({
  type: z.literal('trial'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  result: StoredTrialResult,
});
export type TrialRecord = z.infer<typeof TrialRecord>;

/** Final line of a run. */
export const RunEndRecord = z.object({
  type: z.literal('runEnd'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  endedAt: z.string().max(40),
  outcome: z.enum(['finished', 'cancelled', 'failed']),
  errorMessage: z.string().max(4_000).nullable().default(null),
});
export type RunEndRecord = z.infer<typeof RunEndRecord>;

/** The verdicts of a blind vote, in the spelling of public arena battle logs. */
export const battleWinners = ['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const;
export type BattleWinner = (typeof battleWinners)[number];

/**
 * One blind vote in the battle schema of public arenas (`model_a`, `model_b`, `winner`,
 * `tstamp` in Unix seconds), plus whether the two sides were swapped for display and the
 * names shown at the reveal. `model_a` is what was shown as A.
 */
export const BattleRecord = z.object({
  type: z.literal('battle'),
  v: z.literal(historyVersion),
  battleId: z.string().min(1).max(200),
  runId: z.string().min(1).max(200),
  model_a: z.string().min(1).max(400),
  model_b: z.string().min(1).max(400),
  label_a: z.string().max(200),
  label_b: z.string().max(200),
  winner: z.enum(battleWinners),
  tstamp: z.number().finite(),
  swapped: z.boolean(),
});
export type BattleRecord = z.infer<typeof BattleRecord>;

/** A suite cell as stored: the fields the views read are checked, the rest kept as written. */
const StoredSuiteCell = z
  .looseObject({
    type: z.literal('cell'),
    test: z.string().min(1).max(200),
    testIndex: z.number().int().nonnegative(),
    backend: z.string().min(1).max(64),
    trial: z.number().int().min(1),
    status: z.enum(terminalStatuses),
    delivered: z.boolean(),
    passed: z.boolean().nullable(),
    score: z.number().nullable(),
    reason: z.string(),
    text: z.string(),
    assertions: z.array(z.unknown()),
  })
  .transform((c) => c as unknown as SuiteCell);

/** The header of a suite run (the first line of its results JSONL). */
const StoredResultsHeader = z
  .looseObject({
    type: z.literal('header'),
    format: z.literal('bakeoff-suite-results'),
    version: z.literal(1),
    runId: z.string().min(1).max(200),
    startedAt: z.string(),
    seed: z.number(),
    trials: z.number().int().min(1),
    backends: z.array(z.looseObject({ id: z.string(), label: z.string(), kind: BackendKind, model: z.string() })).min(1),
    tests: z.array(z.looseObject({ id: z.string(), index: z.number().int().nonnegative(), description: z.string() })),
  })
  .transform((h) => h as unknown as ResultsHeader);

/** First line of a suite run: the plan, and the rendered messages of each test (for the exact request). */
export const SuiteStartRecord = z.object({
  type: z.literal('suiteStart'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  startedAt: z.string().max(40),
  title: z.string().max(500),
  /** The suite file as the user knows it (workspace-relative when it is in the workspace). */
  suiteFile: z.string().max(4_096),
  /** Its URI, to run it again. */
  suiteUri: z.string().max(4_096).nullable(),
  header: StoredResultsHeader,
  tests: z.array(z.object({ index: z.number().int().nonnegative(), messages: z.array(ChatMessage) })),
  /** Whether `javascript` assertions and transforms ran, and why not when they did not. */
  allowJs: z.boolean(),
  jsNote: z.string().max(1_000).nullable(),
});
export type SuiteStartRecord = z.infer<typeof SuiteStartRecord>;

/** One finished cell of a suite run, with the request as sent (its messages are the test's, stored once). */
export const SuiteCellRecord = z.object({
  type: z.literal('suiteCell'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  cell: StoredSuiteCell,
  request: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), body: z.record(z.string(), z.unknown()) }).nullable(),
});
export type SuiteCellRecord = z.infer<typeof SuiteCellRecord>;

/** Last line of a suite run. */
export const SuiteEndRecord = z.object({
  type: z.literal('suiteEnd'),
  v: z.literal(historyVersion),
  runId: z.string().min(1).max(200),
  endedAt: z.string().max(40),
  outcome: z.enum(['finished', 'interrupted', 'budget', 'failed']),
  notes: z.array(z.string().max(4_000)).max(100),
  errorMessage: z.string().max(4_000).nullable(),
});
export type SuiteEndRecord = z.infer<typeof SuiteEndRecord>;

export const HistoryRecord = z.discriminatedUnion('type', [RunRecord, TrialRecord, RunEndRecord, BattleRecord, SuiteStartRecord, SuiteCellRecord, SuiteEndRecord]);
export type HistoryRecord = z.infer<typeof HistoryRecord>;

/** How a stored run ended; `interrupted` when its last line never came (killed mid-way). */
export type StoredOutcome = RunEndRecord['outcome'] | 'interrupted';

/** A run as read back: its first line, its trials (trial-major, in column order) and its end. */
export interface StoredRun {
  record: RunRecord;
  results: TrialResult[];
  outcome: StoredOutcome;
  endedAt: string | null;
  errorMessage: string | null;
}

/** A suite run as read back; `interrupted` when its last line never came. */
export interface StoredSuite {
  record: SuiteStartRecord;
  /** Cells in the order they finished; a cell written twice keeps the later line. */
  cells: SuiteCell[];
  /** The request of each cell as sent, by {@link cellKey}, with the test's messages put back. */
  requests: Map<string, SentRequest>;
  outcome: SuiteEndRecord['outcome'] | 'interrupted';
  endedAt: string | null;
  notes: string[];
  errorMessage: string | null;
}

/** Everything in the history file. */
export interface HistoryContents {
  /** Oldest first. */
  runs: StoredRun[];
  /** Suite runs, oldest first. */
  suites: StoredSuite[];
  /** Oldest first. */
  battles: BattleRecord[];
  /** One line per skipped line (`line 12: not JSON`), for the log. */
  warnings: string[];
}

/** Reason a line is skipped, or the record it holds. */
type ParsedLine = { ok: true; record: HistoryRecord } | { ok: false; reason: string };

/** Parses one history line; never throws. */
export function parseHistoryLine(line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON (cut off or corrupted)' };
  }
  if (json && typeof json === 'object' && typeof (json as { v?: unknown }).v === 'number' && (json as { v: number }).v > historyVersion) {
    return { ok: false, reason: `written by a newer version of Bakeoff (format ${(json as { v: number }).v})` };
  }
  const parsed = HistoryRecord.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not a history record (${issue ? `${issue.path.map(String).join('.') || 'line'}: ${issue.message}` : 'invalid'})` };
}

/**
 * Builds the contents of a history file line by line: a whole file when it is first read, then
 * each line this window appends (so a long history is not parsed again after every run).
 */
export class HistoryReader {
  private readonly runs = new Map<string, StoredRun>();
  private readonly suites = new Map<string, StoredSuite>();
  private readonly battles: BattleRecord[] = [];
  private readonly warnings: string[] = [];
  private lines = 0;

  /** Feeds the next line of the file (without its line break); a bad line becomes a warning. */
  addLine(raw: string): void {
    this.lines++;
    const line = raw.trim();
    if (!line) return;
    const parsed = parseHistoryLine(line);
    if (!parsed.ok) {
      this.warnings.push(`line ${this.lines}: ${parsed.reason}; skipped`);
      return;
    }
    this.apply(parsed.record);
  }

  /** Feeds a record written as the next line (by this store, so already valid). */
  addRecord(record: HistoryRecord): void {
    this.lines++;
    this.apply(record);
  }

  /** What has been read so far (runs and battles oldest first). */
  contents(): HistoryContents {
    return { runs: [...this.runs.values()], suites: [...this.suites.values()], battles: [...this.battles], warnings: [...this.warnings] };
  }

  private apply(record: HistoryRecord): void {
    const at = `line ${this.lines}`;
    switch (record.type) {
      case 'run':
        if (this.runs.has(record.runId)) {
          this.warnings.push(`${at}: run ${record.runId} starts a second time; skipped`);
          return;
        }
        this.runs.set(record.runId, { record, results: [], outcome: 'interrupted', endedAt: null, errorMessage: null });
        return;
      case 'trial': {
        const run = this.runs.get(record.runId);
        if (!run) {
          this.warnings.push(`${at}: a trial of run ${record.runId}, whose first line is missing; skipped`);
          return;
        }
        insertResult(run, record.result);
        return;
      }
      case 'runEnd': {
        const run = this.runs.get(record.runId);
        if (!run) {
          this.warnings.push(`${at}: the end of run ${record.runId}, whose first line is missing; skipped`);
          return;
        }
        run.outcome = record.outcome;
        run.endedAt = record.endedAt;
        run.errorMessage = record.errorMessage;
        return;
      }
      case 'battle':
        this.battles.push(record);
        return;
      case 'suiteStart':
        if (this.suites.has(record.runId) || this.runs.has(record.runId)) {
          this.warnings.push(`${at}: run ${record.runId} starts a second time; skipped`);
          return;
        }
        this.suites.set(record.runId, { record, cells: [], requests: new Map(), outcome: 'interrupted', endedAt: null, notes: [], errorMessage: null });
        return;
      case 'suiteCell': {
        const suite = this.suites.get(record.runId);
        if (!suite) {
          this.warnings.push(`${at}: a cell of suite run ${record.runId}, whose first line is missing; skipped`);
          return;
        }
        const key = cellKey(record.cell);
        suite.cells = suite.cells.filter((c) => cellKey(c) !== key);
        suite.cells.push(record.cell);
        if (record.request) {
          const messages = suite.record.tests.find((t) => t.index === record.cell.testIndex)?.messages;
          suite.requests.set(key, { ...record.request, body: messages ? { ...record.request.body, messages } : record.request.body });
        }
        return;
      }
      case 'suiteEnd': {
        const suite = this.suites.get(record.runId);
        if (!suite) {
          this.warnings.push(`${at}: the end of suite run ${record.runId}, whose first line is missing; skipped`);
          return;
        }
        suite.outcome = record.outcome;
        suite.endedAt = record.endedAt;
        suite.notes = record.notes;
        suite.errorMessage = record.errorMessage;
        return;
      }
    }
  }
}

/** Puts a trial in its place (trial-major, column order); a trial written twice keeps the later one. */
function insertResult(run: StoredRun, result: TrialResult): void {
  const column = (id: string) => {
    const i = run.record.backends.findIndex((b) => b.id === id);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const key = (r: TrialResult) => r.trial * 1_000 + Math.min(column(r.backendId), 999);
  const list = run.results;
  const existing = list.findIndex((r) => r.backendId === result.backendId && r.trial === result.trial);
  if (existing >= 0) list.splice(existing, 1);
  let at = list.length;
  while (at > 0 && key(list[at - 1]!) > key(result)) at--;
  list.splice(at, 0, result);
}

/** Reads the lines of a history file into runs and battles; bad lines become warnings. */
export function parseHistory(text: string): HistoryContents {
  const reader = new HistoryReader();
  for (const line of text.split('\n')) reader.addLine(line);
  return reader.contents();
}

/** Trial-major order with backends in column order, as the runner returns them. */
function orderResults(record: RunRecord, results: TrialResult[]): TrialResult[] {
  const column = new Map(record.backends.map((b, i) => [b.id, i]));
  return [...results].sort((a, b) => a.trial - b.trial || (column.get(a.backendId) ?? 1e9) - (column.get(b.backendId) ?? 1e9));
}

/** A stored run as a {@link ComparisonResult}, for the reports and exports (an interrupted run counts as stopped). */
export function storedRunResult(run: StoredRun): ComparisonResult {
  return {
    runId: run.record.runId,
    startedAt: run.record.startedAt,
    request: { messages: run.record.request.messages, params: run.record.request.params },
    results: run.results,
    outcome: run.outcome === 'cancelled' || run.outcome === 'interrupted' ? 'cancelled' : 'finished',
    perBackendConcurrency: run.record.perBackendConcurrency,
  };
}

/** The user message of a run (what it asked), for titles and "same prompt" checks. */
export function runPromptText(record: Pick<RunRecord, 'request'>): string {
  return record.request.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n\n');
}

/** Whether two runs sent the same messages with the same parameters. */
export function samePrompt(a: Pick<RunRecord, 'request'>, b: Pick<RunRecord, 'request'>): boolean {
  return JSON.stringify(a.request.messages) === JSON.stringify(b.request.messages);
}

/** A `run` line; its title and messages pass through key redaction like everything else stored. */
export function historyRunRecord(
  fields: Omit<RunRecord, 'type' | 'v' | 'perBackendConcurrency'> & { perBackendConcurrency?: number },
  keys: readonly (string | undefined)[],
): RunRecord {
  const record: RunRecord = { type: 'run', v: historyVersion, ...fields, perBackendConcurrency: fields.perBackendConcurrency ?? 1 };
  return redactDeep(record, secretKeys(keys));
}

/** A `trial` line with every key scrubbed (answer, reasoning, error, the recorded request). */
export function historyTrialRecord(runId: string, result: TrialResult, keys: readonly (string | undefined)[]): TrialRecord {
  const secrets = secretKeys(keys);
  const redacted = redactTrialResult(result, secrets);
  return { type: 'trial', v: historyVersion, runId, result: { ...redacted, request: redactDeep(redacted.request, secrets) } };
}

/** A `runEnd` line. */
export function historyRunEndRecord(runId: string, outcome: RunEndRecord['outcome'], errorMessage: string | null, endedAt = new Date()): RunEndRecord {
  return { type: 'runEnd', v: historyVersion, runId, endedAt: endedAt.toISOString(), outcome, errorMessage };
}

/** A `suiteStart` line, keys scrubbed from everything in it (titles, prompts). */
export function historySuiteStartRecord(fields: Omit<SuiteStartRecord, 'type' | 'v'>, keys: readonly (string | undefined)[]): SuiteStartRecord {
  return redactDeep({ type: 'suiteStart', v: historyVersion, ...fields }, secretKeys(keys));
}

/** A `suiteEnd` line. */
export function historySuiteEndRecord(runId: string, outcome: SuiteEndRecord['outcome'], notes: readonly string[], errorMessage: string | null, endedAt = new Date()): SuiteEndRecord {
  return { type: 'suiteEnd', v: historyVersion, runId, endedAt: endedAt.toISOString(), outcome, notes: notes.slice(0, 100).map((n) => n.slice(0, 4_000)), errorMessage };
}

/** A `suiteCell` line: the cell and its request, keys scrubbed; the request's messages are left out (the test's are stored once). */
export function historySuiteCellRecord(runId: string, cell: SuiteCell, request: SentRequest | null, keys: readonly (string | undefined)[]): SuiteCellRecord {
  const secrets = secretKeys(keys);
  let stored: SuiteCellRecord['request'] = null;
  if (request) {
    const { messages: _messages, ...body } = request.body as Record<string, unknown>;
    stored = { url: request.url, headers: request.headers, body };
  }
  const text = redactKeysInText(cell.text, secrets);
  const reasoning = redactKeysInText(cell.reasoning, secrets);
  return redactDeep({ type: 'suiteCell', v: historyVersion, runId, cell: { ...cell, text: text.text, reasoning: reasoning.text }, request: stored }, secrets);
}

/** Options of {@link HistoryStore}. */
export interface HistoryStoreOptions {
  /** Largest size of the file, bytes (read at every append, so a changed setting applies at once). */
  maxBytes: () => number;
  /** Hears about skipped lines and failed writes (never throws into the caller). */
  onWarning?: (message: string) => void;
}

/** The key a line belongs to when the file is trimmed: runs go with their trials, end and votes. */
function groupKeyOf(record: HistoryRecord): string {
  return record.type === 'battle' ? record.runId || record.battleId : record.runId;
}

/**
 * The history file. Writes are queued so they land in order; reads are cached and refreshed
 * when the file changed behind the store's back (another window appended to it).
 */
export class HistoryStore {
  private queue: Promise<unknown> = Promise.resolve();
  private cache: { size: number; mtimeMs: number; reader: HistoryReader } | null = null;
  /** Size and time of the file right after this store's last append (it then ended with a newline). */
  private lastAppend: { size: number; mtimeMs: number } | null = null;
  private readonly reported = new Set<string>();

  constructor(
    readonly file: string,
    private readonly options: HistoryStoreOptions,
  ) {}

  /** Appends records (one line each); trims the oldest runs when the file grows past the cap. */
  append(...records: HistoryRecord[]): Promise<void> {
    return this.enqueue(async () => {
      const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
      const before = await this.statOrNull();
      // No file yet (first run, or its folder was removed): make the folder.
      if (!before) await fs.mkdir(path.dirname(this.file), { recursive: true });
      // Nothing changed the file since this store appended to it: it ends with that newline.
      const ownEnd = !!before && !!this.lastAppend && this.lastAppend.size === before.size && this.lastAppend.mtimeMs === before.mtimeMs;
      // A line cut off by a crash must not swallow the next one.
      const prefix = before && !ownEnd && (await this.endsWithoutNewline()) ? '\n' : '';
      await fs.appendFile(this.file, prefix + text, { encoding: 'utf8', mode: 0o600 });
      const after = (await fs.stat(this.file));
      const size = after.size;
      this.lastAppend = { size: after.size, mtimeMs: after.mtimeMs };
      // Nobody else wrote since the last read: the cached contents just gain these records.
      if (this.cache && before && this.cache.size === before.size && this.cache.mtimeMs === before.mtimeMs && !prefix) {
        for (const record of records) this.cache.reader.addRecord(record);
        this.cache.size = after.size;
        this.cache.mtimeMs = after.mtimeMs;
      } else {
        this.cache = null;
      }
      const max = this.options.maxBytes();
      if (size > max) await this.trim(max, new Set(records.map(groupKeyOf)));
    });
  }

  /** Everything in the file (oldest first); a missing file is an empty history. */
  read(): Promise<HistoryContents> {
    return this.enqueue(() => this.readNow());
  }

  /** Removes the runs (with their trials, ends and votes) whose ids are given. */
  deleteRuns(runIds: readonly string[]): Promise<void> {
    const drop = new Set(runIds);
    return this.enqueue(() => this.rewrite((key) => !drop.has(key)));
  }

  /** Removes every vote (the runs stay). */
  deleteBattles(): Promise<void> {
    return this.enqueue(async () => {
      const lines = await this.readLines();
      await this.writeLines(lines.filter((l) => l.record?.type !== 'battle').map((l) => l.text));
    });
  }

  /** Empties the history. */
  clear(): Promise<void> {
    return this.enqueue(async () => {
      await fs.rm(this.file, { force: true });
      this.cache = null;
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async endsWithoutNewline(): Promise<boolean> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(this.file, 'r');
      const { size } = await handle.stat();
      if (size === 0) return false;
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } catch {
      return false;
    } finally {
      await handle?.close();
    }
  }

  private async statOrNull(): Promise<{ size: number; mtimeMs: number } | null> {
    try {
      return await fs.stat(this.file);
    } catch {
      return null;
    }
  }

  private async readNow(): Promise<HistoryContents> {
    const stat = await this.statOrNull();
    if (!stat) {
      this.cache = null;
      return { runs: [], suites: [], battles: [], warnings: [] };
    }
    if (this.cache && this.cache.size === stat.size && this.cache.mtimeMs === stat.mtimeMs) return this.cache.reader.contents();
    const reader = new HistoryReader();
    // Parsed in slices of a few milliseconds: a large history must not hold up the event loop,
    // where a running comparison stamps the arrival of its bytes.
    let sliceStart = performance.now();
    for (const line of (await fs.readFile(this.file, 'utf8')).split('\n')) {
      reader.addLine(line);
      if (performance.now() - sliceStart > 8) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    const contents = reader.contents();
    for (const warning of contents.warnings) {
      if (this.reported.has(warning)) continue;
      this.reported.add(warning);
      this.options.onWarning?.(`History file ${path.basename(this.file)}, ${warning}.`);
    }
    this.cache = { size: stat.size, mtimeMs: stat.mtimeMs, reader };
    return contents;
  }

  /** The file's lines with their records (null: unreadable), parsed in slices that yield to the event loop. */
  private async readLines(): Promise<Array<{ text: string; record: HistoryRecord | null }>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: Array<{ text: string; record: HistoryRecord | null }> = [];
    let sliceStart = performance.now();
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const parsed = parseHistoryLine(line);
      out.push({ text: line, record: parsed.ok ? parsed.record : null });
      if (performance.now() - sliceStart > 8) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return out;
  }

  /** Keeps the groups `keep` accepts (unreadable lines are dropped), atomically. */
  private async rewrite(keep: (groupKey: string) => boolean): Promise<void> {
    const lines = await this.readLines();
    await this.writeLines(lines.filter((l) => l.record && keep(groupKeyOf(l.record))).map((l) => l.text));
  }

  /**
   * Drops the oldest groups until the file is at most 80 % of `maxBytes` (so trimming does not
   * happen again at the next append); never the groups in `protect` (the run being written).
   */
  private async trim(maxBytes: number, protect: ReadonlySet<string>): Promise<void> {
    const lines = (await this.readLines()).filter((l) => l.record);
    const order: string[] = [];
    const bytes = new Map<string, number>();
    for (const l of lines) {
      const key = groupKeyOf(l.record!);
      if (!bytes.has(key)) order.push(key);
      bytes.set(key, (bytes.get(key) ?? 0) + Buffer.byteLength(l.text) + 1);
    }
    let total = [...bytes.values()].reduce((a, b) => a + b, 0);
    const target = Math.floor(maxBytes * 0.8);
    const dropped = new Set<string>();
    for (const key of order) {
      if (total <= target) break;
      if (protect.has(key)) continue;
      dropped.add(key);
      total -= bytes.get(key)!;
    }
    if (!dropped.size) return;
    await this.writeLines(lines.filter((l) => !dropped.has(groupKeyOf(l.record!))).map((l) => l.text));
    this.options.onWarning?.(
      `History is over its size limit (${Math.round(maxBytes / 1024 / 1024)} MB, setting bakeoff.history.maxSizeMB): dropped the ${dropped.size} oldest run(s).`,
    );
  }

  private async writeLines(lines: readonly string[]): Promise<void> {
    this.cache = null;
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.writeFile(tmp, lines.length ? `${lines.join('\n')}\n` : '', { encoding: 'utf8', mode: 0o600 });
    await fs.rename(tmp, this.file);
    this.cache = null;
  }
}

/** Megabytes → bytes for the size cap, clamped to the allowed range. */
export function historyMaxBytes(megabytes: number | undefined): number {
  const mb = typeof megabytes === 'number' && Number.isFinite(megabytes) ? megabytes : historyLimits.defaultMaxSizeMB;
  return Math.round(Math.min(historyLimits.maxSizeMB, Math.max(historyLimits.minSizeMB, mb)) * 1024 * 1024);
}

/** A backend id made unique for one of several runs shown together (`openai.1`), within the id rules. */
function taggedId(id: string, index: number): string {
  const suffix = `.${index + 1}`;
  return `${id.slice(0, 64 - suffix.length)}${suffix}`;
}

/**
 * Several runs of the same prompt as one run, for side-by-side display: every backend of every
 * run becomes its own column (`openai.1`, `openai.2`…) labelled with `tags[i]` (e.g. the run's
 * date), so the summary compares each against the baseline as usual. The first run's request
 * and id lead; the outcome is `finished` only when every run finished.
 */
export function combineRuns(runs: readonly StoredRun[], tags: readonly string[]): StoredRun {
  if (runs.length < 1) throw new Error('combineRuns needs at least one run');
  const first = runs[0]!;
  const backends: HistoryBackend[] = [];
  const results: TrialResult[] = [];
  runs.forEach((run, index) => {
    const tag = tags[index] ?? `run ${index + 1}`;
    for (const b of run.record.backends) backends.push({ ...b, id: taggedId(b.id, index), label: `${b.label} · ${tag}`.slice(0, 200) });
    for (const r of run.results) {
      const backend = run.record.backends.find((b) => b.id === r.backendId);
      results.push({ ...r, backendId: taggedId(r.backendId, index), backendLabel: `${backend?.label ?? r.backendLabel} · ${tag}`.slice(0, 200) });
    }
  });
  const outcome = runs.find((r) => r.outcome !== 'finished')?.outcome ?? 'finished';
  const record: RunRecord = {
    ...first.record,
    runId: runs.map((r) => r.record.runId).join('+').slice(0, 200),
    title: `${first.record.title} — ${runs.length} runs side by side`.slice(0, 500),
    backends: backends.slice(0, 64),
    trials: Math.max(...runs.map((r) => r.record.trials)),
  };
  return { record, results: orderResults(record, results), outcome, endedAt: null, errorMessage: runs.find((r) => r.errorMessage)?.errorMessage ?? null };
}
