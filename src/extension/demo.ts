/**
 * Try a Demo Comparison: starts the two demo stand-ins (core/standIn.ts) inside the extension —
 * one playing a closed API, one a slower, cheaper decentralized endpoint — and runs a normal
 * comparison against them, so the whole product can be seen without a key. Every column and
 * export names them *demo stand-in*. They stop when the comparison panel closes (and when the
 * extension stops).
 */
import * as vscode from 'vscode';
import { Backend } from '../core/config';
import { demoPrompt, demoStandIns, startStandIn, type StandIn } from '../core/standIn';
import type { CompareCommands } from './compare';
import type { PreparedRun } from './comparisonRun';
import { ComparePanel } from './panel';
import type { HostServices } from './services';

export class DemoCommands implements vscode.Disposable {
  private servers: Promise<StandIn[]> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly services: HostServices,
    private readonly compare: CompareCommands,
  ) {
    this.subscription = ComparePanel.onDidClose(() => void this.stop());
  }

  /** Starts the stand-ins (if not running) and runs the demo comparison in the panel. */
  async tryDemo(): Promise<void> {
    // Marks the walkthrough step done however the demo was started (palette, button, welcome view).
    void vscode.commands.executeCommand('setContext', 'bakeoff.demoRan', true);
    await this.compare.runPrepared(this.prepared());
  }

  /** The demo run; Re-run starts the stand-ins again if the panel was closed in between. */
  prepared(): PreparedRun {
    return {
      title: 'Demo: improve a Fibonacci function (local stand-ins, no key needed)',
      userPrompt: demoPrompt,
      mode: 'demo',
      backends: async () => {
        const servers = await this.start();
        return demoStandIns.map((s, i) => ({ backend: Backend.parse({ ...s.backend, baseUrl: servers[i]!.baseUrl }), key: undefined }));
      },
    };
  }

  private start(): Promise<StandIn[]> {
    this.servers ??= Promise.all(demoStandIns.map((s) => startStandIn(s.backend.model, s.schedule))).then(
      (servers) => {
        this.services.log.info(`Demo stand-ins listening at ${servers.map((s) => s.baseUrl).join(' and ')}.`);
        return servers;
      },
      (err: unknown) => {
        this.servers = undefined;
        throw err;
      },
    );
    return this.servers;
  }

  /** Stops the stand-ins (a running demo comparison ends with connection errors). */
  async stop(): Promise<void> {
    const pending = this.servers;
    this.servers = undefined;
    if (!pending) return;
    const servers = await pending.catch(() => [] as StandIn[]);
    await Promise.all(servers.map((s) => s.close()));
    if (servers.length) this.services.log.info('Demo stand-ins stopped.');
  }

  dispose(): void {
    this.subscription.dispose();
    void this.stop();
  }
}
