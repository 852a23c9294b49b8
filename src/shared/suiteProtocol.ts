/**
 * Messages between the extension host and the suite report panel (`bakeoff.suiteReport`), and
 * the view model it renders. Every figure arrives computed by src/core (the suite summary, the
 * claims, the matrix); tables come as the same text cells the CLI and the Markdown report print,
 * and the panel formats the remaining numbers with src/core/format.ts only.
 *
 * The webview imports only types from here (zod stays out of its bundle).
 */
import { z } from 'zod';
import { BackendKind } from '../core/config';
import { terminalStatuses } from '../core/types';
import { parseMessage, type Parsed } from './protocol';

const finiteOrNull = z.number().finite().nullable();
const interval = z.tuple([z.number().finite(), z.number().finite()]);
const text = z.string().max(10_000);

export const SuiteBackendView = z.object({ id: z.string().max(64), label: z.string().max(200), kind: BackendKind, model: z.string().max(300) });
export type SuiteBackendView = z.infer<typeof SuiteBackendView>;

export const MatrixCellView = z.object({
  backend: z.string().max(64),
  trials: z.number().int().nonnegative(),
  planned: z.number().int().nonnegative(),
  delivered: z.number().int().nonnegative(),
  graded: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  verdict: z.enum(['pass', 'fail', 'mixed', 'notGraded', 'missing']),
  ttftP50Ms: finiteOrNull,
  totalP50Ms: finiteOrNull,
  costUsd: finiteOrNull,
  costIsLowerBound: z.boolean(),
  failureLabel: z.string().max(200).nullable(),
  trialNumbers: z.array(z.number().int().min(1)),
});
export type MatrixCellView = z.infer<typeof MatrixCellView>;

export const MatrixRowView = z.object({
  testIndex: z.number().int().nonnegative(),
  test: z.string().max(200),
  description: z.string().max(2_000),
  lengthLabel: z.string().max(100).nullable(),
  family: z.string().max(100).nullable(),
  anyFailed: z.boolean(),
  answersDiffer: z.boolean(),
  cells: z.array(MatrixCellView),
});
export type MatrixRowView = z.infer<typeof MatrixRowView>;

/** A table as text cells (the same cells the CLI and Markdown report print). */
export const TextTable = z.object({ header: z.array(text), rows: z.array(z.array(text)) });
export type TextTable = z.infer<typeof TextTable>;

const QuantilesView = z.object({ min: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number(), max: z.number(), n: z.number().int() });

export const SuiteChartsView = z.object({
  /** Latency distributions per backend (ms). */
  latency: z.array(z.object({ backend: z.string().max(64), ttft: QuantilesView.nullable(), total: QuantilesView.nullable() })),
  /** Pass rate per backend with its Wilson interval. */
  passRate: z.array(z.object({ backend: z.string().max(64), value: finiteOrNull, ci95: interval.nullable(), n: z.number().int().nonnegative() })),
  /** Accuracy per context length (long-context suites), per backend, with its interval. */
  byLength: z.array(
    z.object({
      label: z.string().max(100),
      targetTokens: finiteOrNull,
      backends: z.array(z.object({ backend: z.string().max(64), value: finiteOrNull, ci95: interval.nullable() })),
    }),
  ),
});
export type SuiteChartsView = z.infer<typeof SuiteChartsView>;

export const ClaimView = z.object({
  text: text,
  decentralized: z.string().max(200),
  scope: z.string().max(200),
  measured: text,
  verdict: z.enum(['consistent', 'not consistent', 'too few samples', 'not measured']),
  note: text,
});
export type ClaimView = z.infer<typeof ClaimView>;

export const SuiteReportView = z.object({
  runId: z.string().min(1).max(200),
  title: z.string().max(500),
  suiteFile: z.string().max(4_096),
  startedAt: z.string().max(40),
  status: z.enum(['running', 'finished', 'interrupted', 'budget', 'failed']),
  /** `12 tests × 2 backends × 1 trial = 24 cells · seed 7`. */
  planLine: text,
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), spentUsd: z.number().finite() }).nullable(),
  /** Whether javascript assertions ran, and why not. */
  jsNote: z.string().max(1_000).nullable(),
  backends: z.array(SuiteBackendView),
  matrix: z.array(MatrixRowView),
  summary: TextTable,
  versusBaseline: TextTable.nullable(),
  baselineNote: text,
  claims: z.array(ClaimView),
  notes: z.array(text),
  notRun: z.array(z.object({ type: z.string().max(200), reason: text, count: z.number().int() })),
  charts: SuiteChartsView,
});
export type SuiteReportView = z.infer<typeof SuiteReportView>;

/** One assertion's outcome as the detail view lists it. */
export interface AssertionView {
  type: string;
  pass: boolean | null;
  score: number | null;
  reason: string;
  notRun?: string;
  children?: AssertionView[];
}

export const AssertionViewSchema: z.ZodType<AssertionView> = z.lazy(() =>
  z.object({
    type: z.string().max(200),
    pass: z.boolean().nullable(),
    score: finiteOrNull,
    reason: text,
    notRun: text.optional(),
    children: z.array(AssertionViewSchema).max(200).optional(),
  }),
);

/** One trial of one test on one backend, in full. */
export const CellDetailView = z.object({
  testIndex: z.number().int().nonnegative(),
  test: z.string().max(200),
  description: z.string().max(2_000),
  backend: z.string().max(64),
  trial: z.number().int().min(1),
  status: z.enum(terminalStatuses),
  /** How it ended, in the words of every view. */
  stateLine: text,
  passed: z.boolean().nullable(),
  score: finiteOrNull,
  reason: text,
  text: z.string(),
  reasoning: z.string(),
  ttftMs: finiteOrNull,
  totalMs: finiteOrNull,
  costUsd: finiteOrNull,
  assertions: z.array(AssertionViewSchema),
  /** The request exactly as sent, keys redacted, pretty JSON; null when it was not kept. */
  request: z.string().nullable(),
});
export type CellDetailView = z.infer<typeof CellDetailView>;

export const suiteExportFormats = ['html', 'md', 'json', 'jsonl', 'csv', 'xml'] as const;

/** Host → suite webview. */
export const HostToSuiteMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('reportShown'), report: SuiteReportView }),
  z.object({ type: z.literal('cellDetailShown'), detail: CellDetailView }),
  z.object({ type: z.literal('noticeShown'), level: z.enum(['info', 'warning', 'error']), message: z.string().max(1_000) }),
]);
export type HostToSuiteMessage = z.infer<typeof HostToSuiteMessage>;

/** Suite webview → host. */
export const SuiteToHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cellDetail'), testIndex: z.number().int().nonnegative(), backend: z.string().min(1).max(64), trial: z.number().int().min(1) }),
  z.object({ type: z.literal('cancel') }),
  /** Save the report; `ask`: let the user pick among every format. */
  z.object({ type: z.literal('export'), format: z.enum([...suiteExportFormats, 'ask']) }),
  z.object({ type: z.literal('openLink'), url: z.string().min(1).max(4_096) }),
]);
export type SuiteToHostMessage = z.infer<typeof SuiteToHostMessage>;

/** Validates a message from the suite webview; never throws. */
export function parseSuiteMessage(raw: unknown): Parsed<SuiteToHostMessage> {
  return parseMessage(SuiteToHostMessage, raw);
}

/** What the panel keeps across reloads: which run it shows (the host reads it back from the history). */
export const PersistedSuiteState = z.object({ runId: z.string().min(1).max(200) });
export type PersistedSuiteState = z.infer<typeof PersistedSuiteState>;
