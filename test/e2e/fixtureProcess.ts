/**
 * Starts the OpenAI-compatible fixture server (test/fixtures/cli.ts) as a child process and talks
 * to its control routes, as the extension host would see a real provider.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordedRequest, Schedule } from '../fixtures/server';
import { repoRoot } from './harness';

/** A fixture server running in its own process. */
export class FixtureProcess {
  private constructor(
    /** e.g. http://127.0.0.1:PORT/v1 */
    readonly baseUrl: string,
    private readonly child: ChildProcess,
    readonly name: string,
  ) {}

  /** Origin of the server, e.g. http://127.0.0.1:PORT */
  get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  /** Spawns the server and resolves once it prints `LISTENING <baseUrl>`. */
  static async start(name: string, schedules: Record<string, Schedule>, apiKey?: string): Promise<FixtureProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bakeoff-fixture-${name}-`));
    const file = path.join(dir, 'schedules.json');
    fs.writeFileSync(file, JSON.stringify(schedules));
    const args = ['--import', 'tsx', path.join(repoRoot, 'test', 'fixtures', 'cli.ts'), '--port', '0', '--schedules', file];
    if (apiKey) args.push('--api-key', apiKey);
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`fixture ${name} did not start:\n${out}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        out += chunk.toString();
        const m = /^LISTENING (\S+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`fixture ${name} exited (${code}):\n${out}`));
      });
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return new FixtureProcess(baseUrl, child, name);
  }

  private async control(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.origin}/__control/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`fixture ${this.name}: ${method} ${route} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Sets the schedule for requests naming `model` ('*' = every model). */
  async setSchedule(model: string, schedule: Schedule): Promise<void> {
    await this.control('POST', 'schedule', { model, schedule });
  }

  /** Every request received since the last {@link clearRequests}. */
  async requests(): Promise<RecordedRequest[]> {
    return (await this.control('GET', 'requests')) as RecordedRequest[];
  }

  /** Chat-completion requests only (control and model-list calls left out). */
  async chatRequests(): Promise<RecordedRequest[]> {
    return (await this.requests()).filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'));
  }

  /** Forgets the recorded requests. */
  async clearRequests(): Promise<void> {
    await this.control('DELETE', 'requests');
  }

  /** Stops the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const t = await Promise.race([exited.then(() => 'exit'), new Promise((r) => (timer = setTimeout(() => r('timeout'), 5000)))]);
    clearTimeout(timer);
    if (t === 'timeout') {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}
