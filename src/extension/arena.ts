/**
 * Compare Blind…, Show Leaderboard and Export Votes…: two backends answer one prompt as A and B
 * (drawn at random from the chosen backends, or the two the user names, in random order); the
 * Blind A/B panel shows both answers only once both have ended, then the vote, then who was who
 * with their figures. Votes go to the history in the battle schema (core/arena.ts); the
 * leaderboard is computed by core/leaderboard.ts.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { battleRecord, battlesToJsonl, drawPairing, type ArenaVote, type BlindPairing } from '../core/arena';
import type { Backend } from '../core/config';
import { MissingKeyError } from '../core/errors';
import { runPromptText } from '../core/history';
import { describePricing } from '../core/pricing';
import { fetchModelsPrice, runComparison } from '../core/runner';
import { isDelivered } from '../core/summary';
import type { ArenaState } from '../shared/arenaProtocol';
import { ArenaPanel, type ArenaHandlers } from './arenaPanel';
import { battleView, leaderboardView, side, voteOf, type Battle, type Side } from './arenaView';
import { askForMissingKeys, isBlocked, offerAddBackend, offerKeyFix, resolveKeys } from './backendKeys';
import type { CompareCommands } from './compare';
import { isRunRef, isSealed, shortDate, type HistoryCommands } from './historyCommands';
import { editorProxySettings, tlsUnverified } from './proxy';
import type { HostServices } from './services';
import { backendName, buildMessages } from './settings';

export class ArenaCommands {
  private battle: Battle | undefined;
  private showLeaderboard = false;

  constructor(
    private readonly services: HostServices,
    private readonly compare: CompareCommands,
    private readonly historyCommands: HistoryCommands,
  ) {}

  /**
   * Vote on Blind Comparison…: reopens a stored blind run that has no vote yet (the History
   * view's `{ runId }`, else one picked) in the Blind A/B panel.
   */
  async voteOnPending(arg?: unknown): Promise<void> {
    const runId = isRunRef(arg) ? arg.runId : undefined;
    if (runId) return this.resume(runId);
    const contents = await this.services.history.read();
    const pending = [...contents.runs].reverse().filter((r) => isSealed(r, contents) && !this.services.history.isRunning(r.record.runId));
    if (!pending.length) {
      void vscode.window.showInformationMessage('Bakeoff: no blind comparison is waiting for a vote.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      pending.map((r) => ({ label: r.record.title, description: shortDate(r.record.startedAt), run: r })),
      { title: 'Vote on Blind Comparison', placeHolder: 'Which blind comparison?' },
    );
    if (picked) await this.resume(picked.run.record.runId);
  }

  /** Compare Blind…: asks for the prompt and the pair, runs both, shows them blind. */
  async compareBlind(): Promise<void> {
    const { configured, chosen } = this.services.settings.chosenBackends(true);
    if (!configured.length) return offerAddBackend();
    if (configured.length < 2) {
      void vscode.window.showWarningMessage('Bakeoff: a blind comparison needs two backends; add another with Add Backend from Preset…, or try the demo.');
      return;
    }
    type Mode = vscode.QuickPickItem & { mode: 'random' | 'named' };
    const pool = chosen.length >= 2 ? chosen : configured;
    const mode = await vscode.window.showQuickPick<Mode>(
      [
        { label: '$(question) Two at random', description: `from ${pool.map(backendName).join(', ')}`, detail: 'Neither the pair nor the order is shown until you vote.', mode: 'random' },
        { label: '$(list-selection) Two I choose', description: 'the order A/B is still drawn at random', mode: 'named' },
      ],
      { title: 'Compare Blind', placeHolder: 'Which backends answer?' },
    );
    if (!mode) return;
    let candidates: Backend[] = pool;
    if (mode.mode === 'named') {
      const picked = await vscode.window.showQuickPick(
        configured.map((b) => ({ label: backendName(b), description: `${b.kind} · ${b.model}`, backend: b })),
        { title: 'Compare Blind: pick exactly two backends', canPickMany: true, placeHolder: 'Pick two' },
      );
      if (!picked) return;
      if (picked.length !== 2) {
        void vscode.window.showWarningMessage(`Bakeoff: pick exactly two backends (you picked ${picked.length}).`);
        return;
      }
      candidates = picked.map((p) => p.backend);
    }
    // Two named backends: a missing key is asked for right there, as Compare does.
    const resolved = await resolveKeys(this.services.keys, candidates);
    const keyed = mode.mode === 'named' ? await askForMissingKeys(this.services, resolved) : resolved;
    const usable = keyed.filter((k) => !isBlocked(k)).map((k) => k.backend);
    if (mode.mode === 'named' && usable.length < 2) {
      offerKeyFix(this.services, keyed.filter(isBlocked));
      return;
    }
    if (usable.length < 2) {
      void vscode.window.showWarningMessage(`Bakeoff: fewer than two of ${pool.map(backendName).join(', ')} have a usable API key; set the keys first.`);
      offerKeyFix(this.services, keyed.filter(isBlocked));
      return;
    }
    const prepared = await this.compare.askForPrompt('Compare Blind', 'two backends, shown as A and B');
    if (!prepared) return;
    const pairing = drawPairing(
      usable.map((b) => ({ id: b.id, label: backendName(b), model: b.model, kind: b.kind, backend: b })),
      Math.random,
      mode.mode === 'named' ? [usable[0]!.id, usable[1]!.id] : undefined,
    );
    await this.run(prepared.title, prepared.userPrompt, pairing);
  }

  /** Show Leaderboard: the standings of every stored vote. */
  async showLeaderboardCommand(): Promise<void> {
    this.showLeaderboard = true;
    await this.refreshPanel(true);
  }

  /** Export Votes…: every vote as JSONL in the public battle schema. */
  async exportVotes(): Promise<void> {
    const { battles } = await this.services.history.read();
    if (!battles.length) {
      void vscode.window.showInformationMessage('Bakeoff: no votes yet. Run Compare Blind… and vote.');
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Export Bakeoff Votes',
      saveLabel: 'Export',
      filters: { 'JSON Lines': ['jsonl'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'bakeoff-votes.jsonl') } : {}),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(battlesToJsonl(battles)));
    this.services.log.info(`Exported ${battles.length} vote(s) to ${target.toString(true)}.`);
    void vscode.window.showInformationMessage(`Bakeoff: exported ${battles.length} vote${battles.length === 1 ? '' : 's'}.`);
  }

  private async run(title: string, userPrompt: string, pairing: BlindPairing<Side & { backend: Backend }>): Promise<void> {
    const { services } = this;
    const settings = services.settings.runSettings();
    const previous = services.runs.current;
    if (previous) {
      services.log.info(`Run ${previous.runId} replaced by a blind comparison; cancelling it.`);
      previous.abort.abort();
    }
    this.battle?.abort?.abort();
    const tracked = services.runs.start();
    const { runId, abort } = tracked;
    const backends = [pairing.a.backend, pairing.b.backend];
    const keyed = await resolveKeys(services.keys, backends);
    const keys = new Map(keyed.map((k) => [k.backend.id, isBlocked(k) ? undefined : k.key]));
    const runKeys = [...keys.values()].filter((k): k is string => !!k);
    const messages = buildMessages(userPrompt, settings.systemPrompt);
    const battle: Battle = {
      battleId: randomUUID(),
      runId,
      promptPreview: userPrompt.slice(0, 2_000),
      pairing: { a: side(pairing.a), b: side(pairing.b), swapped: pairing.swapped },
      phase: 'waiting',
      results: null,
      vote: null,
      revealed: false,
      abort,
    };
    this.battle = battle;
    this.showLeaderboard = true;
    await this.refreshPanel(true);
    const proxy = editorProxySettings(vscode.workspace.getConfiguration('http'));
    const recorder = services.history.startRun(
      {
        runId,
        mode: 'blind',
        title,
        request: { messages, params: settings.params },
        backends: backends.map((b) => ({ id: b.id, label: backendName(b), kind: b.kind, model: b.model, pricingNote: describePricing(b), ...(tlsUnverified(b, proxy) ? { tlsInsecure: true } : {}) })),
        trials: 1,
        perBackendConcurrency: 1,
        blind: { swapped: pairing.swapped },
      },
      runKeys,
    );
    // Names stay out of the log until the vote: the log is one click away.
    services.log.info(`Blind run ${runId}: two backends, prompt ${userPrompt.length} chars.`);
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Bakeoff: blind comparison' }, () =>
        runComparison({
          runId,
          backends,
          messages,
          params: settings.params,
          timeouts: settings.timeouts,
          trials: 1,
          concurrency: 2,
          perBackendConcurrency: 1,
          signal: abort.signal,
          transport: { proxy },
          resolveKey: (b) => {
            const k = keyed.find((x) => x.backend.id === b.id);
            if (k && isBlocked(k)) throw new MissingKeyError(k.blocked, 'Run "Bakeoff: Set API Key…" for this backend.');
            return keys.get(b.id);
          },
          usageMemory: services.usageMemory,
          priceCache: services.priceCache,
          modelsPrice: (b) => fetchModelsPrice(b, keys.get(b.id), undefined, { timeouts: settings.timeouts, signal: abort.signal, transport: { proxy } }),
          onEvent: (event) => {
            if (event.type === 'finished') recorder.trial(event.result);
          },
        }),
      );
      recorder.end(result.outcome, null);
      const a = result.results.find((r) => r.backendId === pairing.a.id)!;
      const b = result.results.find((r) => r.backendId === pairing.b.id)!;
      battle.results = { a, b };
      battle.abort = null;
      battle.phase = result.outcome === 'cancelled' ? 'cancelled' : isDelivered(a) && isDelivered(b) ? 'voting' : 'void';
      services.log.info(`Blind run ${runId}: ${battle.phase === 'voting' ? 'both answered; waiting for the vote' : battle.phase}.`);
    } catch (err) {
      recorder.end('failed', services.errorText(err, runKeys));
      battle.phase = 'cancelled';
      void vscode.window.showErrorMessage(`Bakeoff: the blind comparison failed — ${services.errorText(err, runKeys)}`);
    } finally {
      services.runs.end(tracked);
    }
    if (this.battle === battle) await this.refreshPanel(false);
  }

  /** Reopens a stored blind run that has no vote yet. */
  private async resume(runId: string): Promise<void> {
    const contents = await this.services.history.read();
    const run = contents.runs.find((r) => r.record.runId === runId);
    if (!run || run.record.mode !== 'blind' || run.record.backends.length !== 2) {
      void vscode.window.showWarningMessage('Bakeoff: that blind comparison is no longer in the history.');
      return;
    }
    if (this.battle?.runId === runId) return this.refreshPanel(true);
    const [sa, sb] = run.record.backends;
    const a = run.results.find((r) => r.backendId === sa!.id);
    const b = run.results.find((r) => r.backendId === sb!.id);
    const voted = contents.battles.find((x) => x.runId === runId);
    this.battle = {
      battleId: voted?.battleId ?? randomUUID(),
      runId,
      promptPreview: runPromptText(run.record).slice(0, 2_000),
      pairing: { a: { ...sa! }, b: { ...sb! }, swapped: run.record.blind?.swapped ?? false },
      phase: voted ? 'revealed' : a && b && isDelivered(a) && isDelivered(b) && run.outcome === 'finished' ? 'voting' : 'void',
      results: a && b ? { a, b } : null,
      vote: voted ? voteOf(voted) : null,
      revealed: Boolean(voted),
      abort: null,
    };
    this.showLeaderboard = true;
    await this.refreshPanel(true);
  }

  private handlers(): ArenaHandlers {
    const services = this.services;
    return {
      vote: (battleId, vote) => this.vote(battleId, vote),
      reveal: async (battleId) => {
        const battle = this.battle;
        if (!battle || battle.battleId !== battleId || battle.phase !== 'void') return;
        battle.revealed = true;
        battle.phase = 'revealed';
        await this.refreshPanel(false);
      },
      cancel: () => this.battle?.abort?.abort(),
      again: () => this.compareBlind(),
      exportVotes: () => this.exportVotes(),
      openInPanel: async (battleId) => {
        const battle = this.battle;
        if (!battle || battle.battleId !== battleId || !battle.revealed) return;
        await this.historyCommands.open({ runId: battle.runId });
      },
      closed: () => {
        // A closed panel with a battle still running stops it: nobody is there to vote.
        this.battle?.abort?.abort();
        this.showLeaderboard = false;
      },
      get log() {
        return services.log;
      },
    };
  }

  private async vote(battleId: string, vote: ArenaVote): Promise<void> {
    const battle = this.battle;
    if (!battle || battle.battleId !== battleId || battle.phase !== 'voting') return;
    const record = battleRecord({ battleId, runId: battle.runId, pairing: battle.pairing, vote });
    await this.services.history.addBattle(record);
    void vscode.commands.executeCommand('setContext', 'bakeoff.votedBlind', true);
    battle.vote = vote;
    battle.revealed = true;
    battle.phase = 'revealed';
    this.services.log.info(`Blind run ${battle.runId}: vote ${record.winner} (A = ${battle.pairing.a.label}, B = ${battle.pairing.b.label}).`);
    await this.refreshPanel(false);
  }

  /** Sends the current battle and leaderboard to the panel (opening it when `reveal`). */
  private async refreshPanel(reveal: boolean): Promise<void> {
    if (!reveal && !ArenaPanel.current) return;
    // No leaderboard while a battle is blind: its names would tell who might be answering.
    const blind = this.battle?.phase === 'waiting' || this.battle?.phase === 'voting';
    const contents = this.showLeaderboard && !blind ? await this.services.history.read() : null;
    const state: ArenaState = { battle: this.battle ? battleView(this.battle) : null, leaderboard: contents ? leaderboardView(contents) : null };
    if (reveal) ArenaPanel.show(this.services.context, this.handlers(), state);
    else ArenaPanel.current?.setState(state);
  }
}

