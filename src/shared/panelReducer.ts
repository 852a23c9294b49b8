/**
 * The one reducer of the comparison panel's state, used on both sides: the host applies each
 * event to its authoritative copy and posts what was applied; the webview applies what it
 * receives. Both therefore hold the same `PanelState`.
 *
 * Imports only types from `protocol.ts` (and the dependency-free `guards.ts`), so it can go
 * into the webview bundle without pulling zod in.
 */
import { assertNever } from './guards';
import type { DeltaChunk, HostToWebviewMessage, PanelState, TrialSnapshot } from './protocol';

/** Host → webview messages that change the panel state (every message but notices). */
export type PanelEvent = Exclude<HostToWebviewMessage, { type: 'noticeShown' }>;

/** The key of one (backend, trial) in maps and indexes. */
export function trialKey(backendId: string, trial: number): string {
  return `${backendId}\u0000${trial}`;
}

/** A panel with nothing to show yet. */
export function emptyPanelState(): PanelState {
  return { version: 1, run: null, runStatus: 'idle', errorMessage: null, trials: [], target: null, baselineId: null };
}

/** A `PanelState` with an index of its trials, changed only through {@link PanelModel.apply}. */
export class PanelModel {
  private current: PanelState;
  private readonly index = new Map<string, TrialSnapshot>();

  constructor(initial: PanelState = emptyPanelState()) {
    this.current = initial;
    this.reindex();
  }

  /** The state as it stands (owned by the model: read it, do not change it). */
  get state(): PanelState {
    return this.current;
  }

  /** The snapshot of one trial, if it has started (or streamed or finished). */
  trial(backendId: string, trial: number): TrialSnapshot | undefined {
    return this.index.get(trialKey(backendId, trial));
  }

  /**
   * Applies one event. Returns the event as applied — for `deltasAppended`, only the chunks of
   * trials that have not finished (text after `trialFinished` is ignored), or null when none
   * is left; every other event comes back as given.
   */
  apply(event: PanelEvent): PanelEvent | null {
    switch (event.type) {
      case 'runStarted':
        this.replace({ version: 1, run: event.run, runStatus: 'running', errorMessage: null, trials: [], target: event.target, baselineId: event.baselineId });
        return event;
      case 'firstTokenReceived': {
        const snapshot = this.ensure(event.backendId, event.trial);
        if (snapshot.final) return null;
        snapshot.liveTtftMs = event.ttftMs;
        return event;
      }
      case 'backendRestarted':
        this.current.trials = this.current.trials.filter((t) => t.backendId !== event.backendId);
        this.current.checks = (this.current.checks ?? []).filter((c) => c.backendId !== event.backendId);
        this.current.runStatus = 'running';
        this.current.errorMessage = null;
        // A request is sent now: the panel no longer shows only what the history kept.
        this.current.fromHistory = null;
        this.reindex();
        return event;
      case 'checksStarted':
        this.current.checks = event.checks.map((c) => ({ ...c }));
        return event;
      case 'checkUpdated': {
        const checks = (this.current.checks ??= []);
        const at = checks.findIndex((c) => c.backendId === event.check.backendId);
        if (at < 0) checks.push({ ...event.check });
        else checks[at] = { ...event.check };
        return event;
      }
      case 'baselineChanged':
        this.current.baselineId = event.baselineId;
        return event;
      case 'trialStarted':
        this.ensure(event.backendId, event.trial);
        return event;
      case 'deltasAppended': {
        const chunks = this.appendDeltas(event.chunks);
        return chunks.length ? { type: 'deltasAppended', chunks } : null;
      }
      case 'trialFinished': {
        const finished = event.trial;
        const snapshot = this.ensure(finished.backendId, finished.trial);
        snapshot.text = finished.text;
        snapshot.reasoning = finished.reasoning;
        snapshot.final = finished.final;
        // The figure streamed earlier is the final one; keep it where the final metrics lack it.
        if (finished.liveTtftMs !== undefined) snapshot.liveTtftMs = finished.liveTtftMs;
        return event;
      }
      case 'runFinished':
        this.current.runStatus = event.runStatus;
        this.current.errorMessage = event.errorMessage;
        return event;
      case 'stateRestored':
        this.replace(event.state);
        return event;
      default:
        return assertNever(event, 'panel event');
    }
  }

  private replace(state: PanelState): void {
    this.current = state;
    this.reindex();
  }

  private reindex(): void {
    this.index.clear();
    for (const snapshot of this.current.trials) this.index.set(trialKey(snapshot.backendId, snapshot.trial), snapshot);
  }

  /** The trial's snapshot, created (empty, appended to `state.trials`) when it is new. */
  private ensure(backendId: string, trial: number): TrialSnapshot {
    const key = trialKey(backendId, trial);
    let snapshot = this.index.get(key);
    if (!snapshot) {
      snapshot = { backendId, trial, text: '', reasoning: '', final: null };
      this.current.trials.push(snapshot);
      this.index.set(key, snapshot);
    }
    return snapshot;
  }

  private appendDeltas(chunks: readonly DeltaChunk[]): DeltaChunk[] {
    const applied: DeltaChunk[] = [];
    for (const chunk of chunks) {
      const snapshot = this.ensure(chunk.backendId, chunk.trial);
      if (snapshot.final) continue;
      snapshot.text += chunk.content;
      snapshot.reasoning += chunk.reasoning;
      applied.push(chunk);
    }
    return applied;
  }
}
