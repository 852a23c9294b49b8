/**
 * BENCHMARKS.md is written section by section: each benchmark script replaces its own
 * `## Title` section (or appends it) and leaves the others as they are.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const benchmarksFile = path.resolve(__dirname, '..', '..', 'BENCHMARKS.md');

/** The machine a benchmark ran on, as Markdown list lines. */
export function machineLines(): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores)`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
  ];
}

/** Replaces the `## title` section of BENCHMARKS.md with `body` (lines after the heading), or appends it. */
export function writeSection(title: string, body: string[]): void {
  const heading = `## ${title}`;
  const text = fs.existsSync(benchmarksFile) ? fs.readFileSync(benchmarksFile, 'utf8') : '# Benchmarks\n';
  const lines = text.replace(/\s+$/, '').split('\n');
  const start = lines.indexOf(heading);
  const section = [heading, '', ...body];
  if (start < 0) {
    lines.push('', ...section);
  } else {
    let end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
    if (end < 0) end = lines.length;
    while (end > start + 1 && lines[end - 1] === '') end--;
    lines.splice(start, end - start, ...section);
  }
  fs.writeFileSync(benchmarksFile, `${lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\s+$/, '')}\n`);
}

/**
 * Starts this benchmark's own server half (`script --serve`, in a child process so its work never
 * shares the measuring thread) and resolves once it printed its port.
 */
export async function startBenchServer(script: string): Promise<{ child: ChildProcessByStdio<Writable, Readable, null>; port: number }> {
  const child = spawn(process.execPath, [...process.execArgv, script, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return { child, port };
}

/**
 * Starts the fixture server (test/fixtures/cli.ts) in a child process with `schedules` (by model,
 * `'*'` for any) and resolves with its base URL once it listens.
 */
export async function startFixtureProcess(
  dir: string,
  schedules: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ baseUrl: string; stop: () => void }> {
  const file = path.join(dir, `schedules-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(schedules));
  const root = path.resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/fixtures/cli.ts'), '--port', '0', '--schedules', file], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /LISTENING (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fixture server exited (${code})`)));
  });
  return { baseUrl, stop: () => child.kill('SIGTERM') };
}

/** GET a JSON document from the benchmark's server. */
export async function getJson(port: number, urlPath: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString('utf8')));
        res.on('end', () => resolve(JSON.parse(text)));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
