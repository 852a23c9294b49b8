/**
 * Messages between the extension host and the comparison webview, as zod schemas (both
 * directions, discriminated on `type`) plus the view model the webview renders.
 *
 * Host → webview messages are named in the past tense (`runStarted`, `deltasAppended`…);
 * webview → host messages are requests (`copy`, `apply`…). The host validates every incoming
 * message with {@link parseWebviewMessage} and drops anything that does not match.
 *
 * The webview imports only *types* from this module so that zod stays out of its bundle.
 */
import { z } from 'zod';
import { BackendKind } from '../core/config';
import { terminalStatuses, type TimingPhases, type TrialResult } from '../core/types';

export { assertNever } from './guards';

const backendId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const trialNumber = z.number().int().min(1).max(10_000);
const shortText = z.string().max(2_000);
const nonNegativeInt = z.number().int().nonnegative();
const finiteNumber = z.number().finite();

/** What the panel shows about one backend (no URLs, headers or keys). */
export const BackendView = z.object({
  id: backendId,
  label: z.string().min(1).max(200),
  kind: BackendKind,
  model: z.string().max(300),
  /** How its cost is priced, e.g. `genai-prices catalogue` or `$1.20/GPU-hour (Akash)`. */
  pricingNote: shortText,
  trustNote: shortText.optional(),
  /** Its TLS certificate is not verified (`tls.insecure`, or a proxy with strict SSL off): every number is marked. */
  tlsInsecure: z.boolean().optional(),
  /** How its requests connect (absent: `fresh`). */
  connection: z.enum(['fresh', 'warm']).optional(),
});
export type BackendView = z.infer<typeof BackendView>;

/** A 0-based line/character range in a text document. */
export const SelectionRange = z.object({
  startLine: nonNegativeInt,
  startCharacter: nonNegativeInt,
  endLine: nonNegativeInt,
  endCharacter: nonNegativeInt,
});
export type SelectionRange = z.infer<typeof SelectionRange>;

/** The editor a comparison was started from (where Insert / Replace / Diff apply). */
export const EditorTarget = z.object({
  uri: z.string().min(1).max(4_096),
  selection: SelectionRange,
});
export type EditorTarget = z.infer<typeof EditorTarget>;

/** The header of one comparison run. */
export const RunView = z.object({
  runId: z.string().min(1).max(200),
  title: z.string().max(500),
  promptPreview: z.string().max(2_000),
  backends: z.array(BackendView).min(1).max(64),
  trials: trialNumber,
  /** Most requests in flight per backend (1: trials of a backend never overlap). */
  perBackendConcurrency: z.number().int().min(1).max(1_000).default(1),
  /** Human-readable name of the editor target (e.g. `foo.ts:12–24`); null when there is none. */
  targetLabel: z.string().max(500).nullable(),
  /** Where Insert puts an answer, e.g. `below line 24 of foo.ts`; null or absent without a target. */
  insertPlace: z.string().max(500).nullable().optional(),
});
export type RunView = z.infer<typeof RunView>;

export const TerminalStatusSchema = z.enum(terminalStatuses);

export const StreamErrorView = z.object({
  type: TerminalStatusSchema.exclude(['ok']),
  message: z.string().max(4_000),
  hint: z.string().max(4_000),
  httpStatus: z.number().int().optional(),
  timeoutPhase: z.enum(['connect', 'firstByte', 'idle', 'total']).optional(),
  code: z.string().max(100).optional(),
  /** What the column offers to fix it (buttons), most useful first (`suggestedFixes` in core/errors.ts). */
  fixes: z.array(z.enum(['setApiKey', 'openSettings', 'testBackends', 'retry'])).max(4).optional(),
});
export type StreamErrorView = z.infer<typeof StreamErrorView>;

export const MetricsView = z.object({
  ttftMs: finiteNumber.nullable(),
  totalMs: finiteNumber.nullable(),
  tpotMs: finiteNumber.nullable(),
  tokensPerSecond: finiteNumber.nullable(),
  inputTokens: finiteNumber.nullable(),
  outputTokens: finiteNumber.nullable(),
  cachedInputTokens: finiteNumber.nullable(),
  reasoningTokens: finiteNumber.nullable(),
  tokenSource: z.enum(['reported', 'estimated']).nullable(),
});
export type MetricsView = z.infer<typeof MetricsView>;

export const CostView = z.object({
  costUsd: finiteNumber.nullable(),
  costSource: z.enum(['catalog', 'modelsEndpoint', 'override', 'gpuHour', 'free', 'unknown']),
  detail: z.string().max(2_000),
  asOf: z.string().max(100).optional(),
});
export type CostView = z.infer<typeof CostView>;

const phaseMs = finiteNumber.nonnegative().nullable();

/** Where the time of the request went (core `TimingPhases`). */
export const PhasesView = z.object({
  dnsMs: phaseMs,
  connectMs: phaseMs,
  tunnelMs: phaseMs,
  tlsMs: phaseMs,
  sendMs: phaseMs,
  requestToHeadersMs: phaseMs,
  headersToFirstByteMs: phaseMs,
  firstByteToFirstTokenMs: phaseMs,
  decodeMs: phaseMs,
  connectionReused: z.boolean().nullable(),
});
export type PhasesView = z.infer<typeof PhasesView>;

/** Everything known about a trial once its stream has ended. */
export const TrialFinal = z.object({
  status: TerminalStatusSchema,
  error: StreamErrorView.nullable(),
  finishReason: z.string().max(100).nullable(),
  metrics: MetricsView,
  cost: CostView,
  retries: nonNegativeInt,
  retryWaitMs: finiteNumber.nonnegative(),
  retryAfterMs: finiteNumber.nonnegative().nullable(),
  /** Wall time of the whole trial (429 waits included); null when nothing was sent. */
  wallMs: finiteNumber.nullable(),
  usageReported: z.boolean(),
  /** The answer contained the backend's API key; it was redacted. */
  keyRedacted: z.boolean(),
  /** The backend's TLS certificate was not verified. */
  tlsUnverified: z.boolean().default(false),
  /** The timing breakdown; null or absent when it was not measured (e.g. the request was not sent). */
  phases: PhasesView.nullable().optional(),
  /** Buffered stream, first byte without content (null: not judged); absent: not judged. */
  streamFlags: z.object({ buffered: z.boolean().nullable(), firstByteWithoutContent: z.boolean().nullable() }).optional(),
  /** How the request connected; absent: `fresh`. */
  connection: z.enum(['fresh', 'warm']).optional(),
});
export type TrialFinal = z.infer<typeof TrialFinal>;

/** One backend × one trial: the text so far and, once ended, its final result. */
export const TrialSnapshot = z.object({
  backendId,
  trial: trialNumber,
  /** Content text as streamed; after `trialFinished`, exactly the final result's text. */
  text: z.string(),
  reasoning: z.string(),
  final: TrialFinal.nullable(),
  /** Time to first token, sent by the host the moment it is measured (the final metrics hold the same figure). */
  liveTtftMs: finiteNumber.nonnegative().nullable().optional(),
});
export type TrialSnapshot = z.infer<typeof TrialSnapshot>;

/** Longest check output the panel keeps per candidate. */
export const maxCheckOutputChars = 70_000;

/** One candidate's check (Check Candidates): the project's command run on a scratch copy with the answer applied. */
export const CheckView = z.object({
  backendId,
  trial: trialNumber,
  state: z.enum(['queued', 'running', 'passed', 'failed', 'timedOut', 'cancelled', 'error']),
  /** The command as run (with `{file}` filled in). */
  command: z.string().max(1_000),
  /** What was checked, e.g. `sample.ts with the code block in place of lines 3–9`. */
  detail: z.string().max(1_000),
  exitCode: z.number().int().nullable(),
  durationMs: finiteNumber.nonnegative().nullable(),
  output: z.string().max(maxCheckOutputChars),
});
export type CheckView = z.infer<typeof CheckView>;

export const RunStatus = z.enum(['idle', 'running', 'finished', 'cancelled', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/** The whole render state of the panel; enough to re-render it after a reload. */
export const PanelState = z.object({
  version: z.literal(1),
  run: RunView.nullable(),
  runStatus: RunStatus,
  /** Why the run failed (`failed`) or was interrupted. */
  errorMessage: z.string().max(4_000).nullable(),
  /** Trials that have started, in start order. */
  trials: z.array(TrialSnapshot).max(10_000),
  target: EditorTarget.nullable(),
  /** The backend the user pinned as baseline (remembered per workspace); null: the first that delivered. */
  baselineId: backendId.nullable().default(null),
  /**
   * When the panel shows a run read back from the history (nothing was sent): when that run
   * started, ISO. Absent or null for a run of this session.
   */
  fromHistory: z.string().max(40).nullable().optional(),
  /** Candidate checks of this run (Check Candidates), one per column checked. */
  checks: z.array(CheckView).max(64).optional(),
});
export type PanelState = z.infer<typeof PanelState>;

/** UI choices the webview keeps across reloads (not needed by the host). */
export const WebviewUiState = z.object({
  /** Trial shown per backend id (default 1). */
  selectedTrial: z.record(z.string(), trialNumber),
  /** Backend ids whose "Raw" toggle is on. */
  raw: z.array(z.string()),
  /** Presenter mode: larger type, one-line prompt, summary on top, fewer metrics. */
  presenter: z.boolean().optional(),
  /** Long code lines wrap instead of scrolling sideways. */
  wrapCode: z.boolean().optional(),
  /** The column shown alone (Focus this column); null or absent: all columns. */
  focused: z.string().nullable().optional(),
});
export type WebviewUiState = z.infer<typeof WebviewUiState>;

/** What the webview stores with `vscode.setState`; handed to the serializer on revive. */
export const PersistedWebviewState = z.object({
  panel: PanelState,
  ui: WebviewUiState.optional(),
});
export type PersistedWebviewState = z.infer<typeof PersistedWebviewState>;

/** A batch of streamed text for one (backend, trial). */
export const DeltaChunk = z.object({
  backendId,
  trial: trialNumber,
  content: z.string(),
  reasoning: z.string(),
});
export type DeltaChunk = z.infer<typeof DeltaChunk>;

/** Host → webview. */
export const HostToWebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('runStarted'), run: RunView, target: EditorTarget.nullable(), baselineId: backendId.nullable() }),
  /** The user pinned another baseline (or none: the first backend that delivered). */
  z.object({ type: z.literal('baselineChanged'), baselineId: backendId.nullable() }),
  z.object({ type: z.literal('trialStarted'), backendId, trial: trialNumber }),
  /** The trial's first token arrived: its TTFT as measured by the core (never computed in the panel). */
  z.object({ type: z.literal('firstTokenReceived'), backendId, trial: trialNumber, ttftMs: finiteNumber.nonnegative() }),
  /** One backend runs again (Retry this backend): its trials and checks are cleared. */
  z.object({ type: z.literal('backendRestarted'), backendId }),
  /** A new round of candidate checks (replaces the previous one). */
  z.object({ type: z.literal('checksStarted'), checks: z.array(CheckView).max(64) }),
  /** One candidate check moved on (running, passed, failed…). */
  z.object({ type: z.literal('checkUpdated'), check: CheckView }),
  z.object({ type: z.literal('deltasAppended'), chunks: z.array(DeltaChunk) }),
  z.object({ type: z.literal('trialFinished'), trial: TrialSnapshot }),
  z.object({
    type: z.literal('runFinished'),
    runStatus: z.enum(['finished', 'cancelled', 'failed']),
    errorMessage: z.string().max(4_000).nullable(),
  }),
  z.object({ type: z.literal('stateRestored'), state: PanelState }),
  z.object({
    type: z.literal('noticeShown'),
    level: z.enum(['info', 'warning', 'error']),
    message: z.string().max(1_000),
    /** Buttons on the notice (e.g. Undo); a click posts `noticeAction` with the id. */
    actions: z.array(z.object({ id: z.string().min(1).max(100), label: z.string().min(1).max(60) })).max(3).optional(),
  }),
]);
export type HostToWebviewMessage = z.infer<typeof HostToWebviewMessage>;

/** Identifies one trial's text. */
export const TrialRef = z.object({ backendId, trial: trialNumber });
export type TrialRef = z.infer<typeof TrialRef>;

/** Webview → host. */
export const WebviewToHostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('rerun') }),
  z.object({ type: z.literal('export') }),
  /** Pin a backend as the baseline of the ratios (null: back to the first that delivered). */
  z.object({ type: z.literal('setBaseline'), backendId: backendId.nullable() }),
  z.object({ type: z.literal('copy'), backendId, trial: trialNumber }),
  /** `replaceFile`: the answer replaces the whole file (it looked like a whole-file answer). */
  z.object({ type: z.literal('apply'), backendId, trial: trialNumber, mode: z.enum(['insert', 'replace', 'replaceFile']) }),
  z.object({ type: z.literal('diffWithSelection'), backendId, trial: trialNumber }),
  z.object({ type: z.literal('diffColumns'), left: TrialRef, right: TrialRef }),
  z.object({ type: z.literal('openLink'), url: z.string().min(1).max(4_096) }),
  /** Check Candidates: run the project's check command on each column's code. */
  z.object({ type: z.literal('checkCandidates') }),
  z.object({ type: z.literal('cancelChecks') }),
  /** A button of a notice was clicked. */
  z.object({ type: z.literal('noticeAction'), id: z.string().min(1).max(100) }),
  /** A fix button of a failed column. */
  z.object({ type: z.literal('fix'), backendId, fix: z.enum(['setApiKey', 'openSettings', 'testBackends', 'retry']) }),
]);
export type WebviewToHostMessage = z.infer<typeof WebviewToHostMessage>;

/** A message validated by its protocol's schema, or why it was refused (the first three problems). */
export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Validates `raw` against a panel protocol's schema; every panel host reads its messages through this. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data };
  const reason = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason };
}

export type ParsedWebviewMessage = Parsed<WebviewToHostMessage>;

/** Validates a raw message posted by the comparison panel; never throws. */
export function parseWebviewMessage(raw: unknown): ParsedWebviewMessage {
  return parseMessage(WebviewToHostMessage, raw);
}

/**
 * Validates state persisted by the webview (handed back by the serializer after a reload).
 * A run that was still streaming cannot continue in the new window, so it comes back
 * `interrupted`. Returns null when the state is missing or malformed.
 */
export function parsePersistedState(raw: unknown): PanelState | null {
  const result = PersistedWebviewState.safeParse(raw);
  if (!result.success) return null;
  const state = result.data.panel;
  if (state.runStatus !== 'running') return state;
  return { ...state, runStatus: 'interrupted', errorMessage: 'The window was reloaded while this run was streaming.' };
}

/** Cuts `text` to at most `max` characters (schemas cap string lengths). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const finiteOrNull = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);

/**
 * The part of a trial result the webview needs: no request URL, headers or body, no raw timing
 * marks, no error body.
 */
export function toTrialSnapshot(result: TrialResult): TrialSnapshot {
  const { metrics, cost, error } = result;
  return {
    backendId: result.backendId,
    trial: result.trial,
    text: result.text,
    reasoning: result.reasoning,
    final: {
      status: result.status,
      error: error
        ? {
            type: error.type,
            message: clip(error.message, 4_000),
            hint: clip(error.hint, 4_000),
            ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
            ...(error.timeoutPhase !== undefined ? { timeoutPhase: error.timeoutPhase } : {}),
            ...(error.code !== undefined ? { code: clip(error.code, 100) } : {}),
          }
        : null,
      finishReason: result.finishReason === null ? null : clip(result.finishReason, 100),
      metrics: {
        ttftMs: finiteOrNull(metrics.ttftMs),
        totalMs: finiteOrNull(metrics.totalMs),
        tpotMs: finiteOrNull(metrics.tpotMs),
        tokensPerSecond: finiteOrNull(metrics.tokensPerSecond),
        inputTokens: finiteOrNull(metrics.inputTokens),
        outputTokens: finiteOrNull(metrics.outputTokens),
        cachedInputTokens: finiteOrNull(metrics.cachedInputTokens),
        reasoningTokens: finiteOrNull(metrics.reasoningTokens),
        tokenSource: metrics.tokenSource,
      },
      cost: {
        costUsd: finiteOrNull(cost.costUsd),
        costSource: cost.costSource,
        detail: clip(cost.detail, 2_000),
        ...(cost.asOf !== undefined ? { asOf: clip(cost.asOf, 100) } : {}),
      },
      retries: result.retries,
      retryWaitMs: Number.isFinite(result.retryWaitMs) && result.retryWaitMs >= 0 ? result.retryWaitMs : 0,
      retryAfterMs: result.retryAfterMs !== null && Number.isFinite(result.retryAfterMs) && result.retryAfterMs >= 0 ? result.retryAfterMs : null,
      wallMs: finiteOrNull(result.wallMs),
      usageReported: result.usageReported,
      keyRedacted: result.keyRedacted,
      tlsUnverified: result.tlsUnverified,
      phases: phasesView(result.timing.phases),
      streamFlags: { buffered: result.streamFlags?.buffered ?? null, firstByteWithoutContent: result.streamFlags?.firstByteWithoutContent ?? null },
      connection: result.connection ?? 'fresh',
    },
  };
}

/** The phases with every non-finite or negative figure as null (schemas accept only real durations). */
function phasesView(phases: TimingPhases | undefined): PhasesView | null {
  if (!phases) return null;
  const ms = (n: number | null) => (n !== null && Number.isFinite(n) && n >= 0 ? n : null);
  return {
    dnsMs: ms(phases.dnsMs),
    connectMs: ms(phases.connectMs),
    tunnelMs: ms(phases.tunnelMs),
    tlsMs: ms(phases.tlsMs),
    sendMs: ms(phases.sendMs),
    requestToHeadersMs: ms(phases.requestToHeadersMs),
    headersToFirstByteMs: ms(phases.headersToFirstByteMs),
    firstByteToFirstTokenMs: ms(phases.firstByteToFirstTokenMs),
    decodeMs: ms(phases.decodeMs),
    connectionReused: phases.connectionReused,
  };
}
