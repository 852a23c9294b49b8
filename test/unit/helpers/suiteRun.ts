/** Helpers for tests that run `bakeoff run` / `bakeoff merge` in-process against a fixture server. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { FixtureServer, RecordedRequest } from '../../fixtures/server';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export const suiteKeys = { CLOSED_KEY: 'closed-secret-key-0123456789', DEC_KEY: 'dec-secret-key-9876543210', GRADER_KEY: 'grader-secret-key-24680' };

export async function bakeoff(
  argv: string[],
  opts: { env?: Record<string, string | undefined>; signal?: AbortSignal; tty?: boolean } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), ...(opts.tty ? { isTTY: true } : {}) },
    env: opts.env ?? { ...suiteKeys },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A config with a closed, a decentralized and a grader backend on one fixture server. */
export function writeConfig(dir: string, server: FixtureServer, extra = ''): string {
  return write(
    dir,
    'backends.yaml',
    [
      'backends:',
      `  - { id: closed, kind: closed, baseUrl: "${server.baseUrl}", model: closed-m, apiKeyEnv: CLOSED_KEY,`,
      '      pricing: { type: perToken, inputPerMTok: 2.5, outputPerMTok: 10 } }',
      `  - { id: dec, kind: decentralized, baseUrl: "${server.baseUrl}", model: dec-m, apiKeyEnv: DEC_KEY,`,
      '      pricing: { type: perToken, inputPerMTok: 1, outputPerMTok: 4 } }',
      `  - { id: grader, kind: closed, baseUrl: "${server.baseUrl}", model: grader-m, apiKeyEnv: GRADER_KEY,`,
      '      pricing: { type: perToken, inputPerMTok: 1, outputPerMTok: 1 } }',
      'request: { maxTokens: 64, temperature: 0 }',
      'timeouts: { firstByteMs: 5000, idleMs: 5000, totalMs: 20000 }',
      extra,
    ].join('\n'),
  );
}

/** Chat requests the server received, with model and the last user message. */
export function chats(server: FixtureServer, from = 0): Array<{ model: string; prompt: string; at: number; raw: RecordedRequest }> {
  return server.requests
    .slice(from)
    .filter((r) => r.method === 'POST' && r.path === '/v1/chat/completions')
    .map((r) => ({
      model: String(r.body?.model),
      prompt: String([...(r.body?.messages ?? [])].reverse().find((m: { role: string }) => m.role === 'user')?.content ?? ''),
      at: r.receivedAtMs,
      raw: r,
    }));
}

export function jsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
