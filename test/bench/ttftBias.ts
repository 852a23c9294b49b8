/**
 * TTFT bias benchmark: how much later than the server's actual send time each client notices the
 * first content token. The server runs in a child process (its own event loop) and records
 * `performance.timeOrigin + performance.now()` right before writing the first content chunk;
 * clients record the same epoch-based clock when they see that chunk. Compared side by side,
 * interleaved in one run: a raw `node:http` client, a bare `openai` SDK loop, and
 * `streamCompletion`, with 1 and 8 parallel streams. A fourth client, `streamCompletion` against
 * a server that reports no usage, pays for tokenizing each answer (~2 KB) when it ends; with 8
 * parallel streams their first tokens are staggered, so streams that already ended count their
 * tokens while the others are still waiting for their first token. Writes BENCHMARKS.md.
 *
 *   npm run bench                       # 200 samples per cell
 *   npm run bench -- --samples 50
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { OpenAI } from 'openai';
import { Backend, RequestParams } from '../../src/core/config';
import { percentile } from '../../src/core/stats';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';

const serverTtftMs = 15;
const serverChunkGapMs = 2;
/** Extra first-token delay per parallel slot for the no-usage client (slot k waits 15 + 6k ms). */
const staggerMs = 6;
/** The no-usage answer's body after "Hello": about 2 KB of prose in one chunk. */
const longAnswer = ' The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun.'.repeat(24);

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function sseChunk(content: string | null, role: boolean, finish: string | null): string {
  const delta: Record<string, string> = role ? { role: 'assistant', content: '' } : { content: content ?? '' };
  const chunk = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'bench',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The bench-only SSE server (child process). */
function serve(): void {
  const sends = new Map<string, number>();
  const words = [' from', ' the', ' bench', ' server', '.'];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__bench/sends') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(sends)));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-bench-id'] ?? '');
      const usage = req.headers['x-bench-usage'] !== '0';
      const ttftMs = Number(req.headers['x-bench-ttft'] ?? serverTtftMs);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(sseChunk(null, true, null));
      setTimeout(() => {
        const first = sseChunk('Hello', false, null);
        const sentAt = epochNow();
        res.write(first);
        sends.set(id, sentAt);
        if (!usage) {
          // No usage report: one long chunk, then the end, soon after the first token.
          setTimeout(() => {
            if (res.destroyed) return;
            res.write(sseChunk(longAnswer, false, 'stop'));
            res.end('data: [DONE]\n\n');
          }, serverChunkGapMs);
          return;
        }
        let i = 0;
        const next = (): void => {
          if (res.destroyed) return;
          if (i < words.length) {
            const last = i === words.length - 1;
            res.write(sseChunk(words[i++]!, false, last ? 'stop' : null));
            setTimeout(next, serverChunkGapMs);
          } else {
            res.write(
              `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })}\n\n`,
            );
            res.end('data: [DONE]\n\n');
          }
        };
        setTimeout(next, serverChunkGapMs);
      }, ttftMs);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

type ClientName = 'node:http (raw)' | 'openai SDK (bare loop)' | 'streamCompletion' | 'streamCompletion, no usage (estimated)';
/** Runs one request; `slot` is its index among the parallel streams of a round. Resolves to the epoch ms of the first token. */
type Client = (id: string, slot: number) => Promise<number>;

function requestBody(): Record<string, unknown> {
  return { model: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, temperature: 0, stream: true };
}

function rawClient(port: number): Client {
  const payload = JSON.stringify(requestBody());
  return (id) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-bench-id': id },
        },
        (res) => {
          let seen = '';
          let firstMs: number | null = null;
          res.on('data', (data: Buffer) => {
            const t = epochNow();
            if (firstMs !== null) return;
            seen += data.toString('utf8');
            if (/"content":"[^"]/.test(seen)) firstMs = t;
          });
          res.on('end', () => (firstMs === null ? reject(new Error('no content')) : resolve(firstMs)));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

function sdkClient(port: number): Client {
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'bench', maxRetries: 0 });
  return async (id) => {
    const stream = await client.chat.completions.create(requestBody() as never, { headers: { 'x-bench-id': id } });
    let firstMs: number | null = null;
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ delta?: { content?: string | null } }> }>) {
      if (firstMs === null && chunk.choices[0]?.delta?.content) firstMs = epochNow();
    }
    if (firstMs === null) throw new Error('no content');
    return firstMs;
  };
}

function oursClient(port: number, usage: boolean): Client {
  const memory = new UsageSupportMemory();
  const params = RequestParams.parse({ maxTokens: usage ? 16 : 1024 });
  return async (id, slot) => {
    const headers: Record<string, string> = { 'x-bench-id': id };
    if (!usage) {
      headers['x-bench-usage'] = '0';
      headers['x-bench-ttft'] = String(serverTtftMs + staggerMs * slot);
    }
    const backend = Backend.parse({ id: 'bench', kind: 'local', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'bench', headers });
    const r = await streamCompletion({ backend, messages: [{ role: 'user', content: 'hi' }], params, usageMemory: memory });
    if (r.status !== 'ok' || r.timing.firstContentMs === null) throw new Error(`stream ended ${r.status}: ${r.error?.message}`);
    if (r.metrics.tokenSource !== (usage ? 'reported' : 'estimated') || (!usage && (r.metrics.outputTokens ?? 0) < 300)) {
      throw new Error(`unexpected token counts: ${r.metrics.tokenSource} ${r.metrics.outputTokens}`);
    }
    return performance.timeOrigin + r.timing.firstContentMs;
  };
}

async function getJson(port: number, urlPath: string): Promise<unknown> {
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

async function main(): Promise<void> {
  const argIndex = process.argv.indexOf('--samples');
  const samples = argIndex > 0 ? Math.max(10, Number(process.argv[argIndex + 1]) || 200) : 200;
  const child = spawn(process.execPath, [...process.execArgv, __filename, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });

  const clients: Array<[ClientName, Client]> = [
    ['node:http (raw)', rawClient(port)],
    ['openai SDK (bare loop)', sdkClient(port)],
    ['streamCompletion', oursClient(port, true)],
    ['streamCompletion, no usage (estimated)', oursClient(port, false)],
  ];
  const observed = new Map<string, { client: ClientName; parallel: number; firstMs: number }>();
  let seq = 0;

  const round = async (parallel: number, record: boolean): Promise<void> => {
    // Clients are interleaved round by round so they share the same machine conditions.
    for (const [name, client] of clients) {
      await Promise.all(
        Array.from({ length: parallel }, async (_, slot) => {
          const id = `${record ? 'm' : 'w'}${seq++}`;
          const firstMs = await client(id, slot);
          if (record) observed.set(id, { client: name, parallel, firstMs });
        }),
      );
    }
  };

  for (const parallel of [1, 8]) {
    for (let i = 0; i < 10; i++) await round(parallel, false);
    const rounds = Math.ceil(samples / parallel);
    for (let i = 0; i < rounds; i++) await round(parallel, true);
  }

  const sends = (await getJson(port, '/__bench/sends')) as Record<string, number>;
  child.stdin.end();

  const rows: string[] = [];
  const table = ['| Client | Parallel streams | Samples | Bias p50 (ms) | Bias p95 (ms) | Bias p99 (ms) |', '|---|---:|---:|---:|---:|---:|'];
  for (const parallel of [1, 8]) {
    for (const [name] of clients) {
      const bias: number[] = [];
      for (const [id, o] of observed) {
        if (o.client !== name || o.parallel !== parallel) continue;
        const sentAt = sends[id];
        if (sentAt !== undefined) bias.push(o.firstMs - sentAt);
      }
      const fmt = (p: number) => (percentile(bias, p) ?? NaN).toFixed(2);
      const row = `| ${name} | ${parallel} | ${bias.length} | ${fmt(50)} | ${fmt(95)} | ${fmt(99)} |`;
      table.push(row);
      rows.push(row);
    }
  }

  const cpus = os.cpus();
  const machine = [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores)`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
  ];
  const report = [
    '# Benchmarks',
    '',
    '## TTFT measurement bias',
    '',
    'Bias = the time a client notices the first content token − the time the server wrote it, both as',
    '`performance.timeOrigin + performance.now()` on the same machine. The server is a minimal SSE',
    `server in a child process (first content ${serverTtftMs} ms after headers, then ${serverChunkGapMs} ms between chunks);`,
    'clients run interleaved in one process, one fresh connection per request for the raw client and',
    '`streamCompletion`, the SDK with its default pooled fetch. Percentiles interpolate linearly between closest ranks.',
    `The *no usage (estimated)* rows: the server sends no usage, so each answer (about ${longAnswer.length + 5} characters,`,
    'one chunk right after the first token) is counted with the tokenizer when it ends; with 8 parallel streams the',
    `first tokens are staggered (${serverTtftMs} + ${staggerMs}·k ms for stream k), so finished streams count their tokens while the`,
    'others still wait for their first token. The tokenizer is loaded during the unrecorded warm-up rounds, as the',
    'runner loads it before a comparison sends any request.',
    'Reproduce with `npm run bench`.',
    '',
    ...machine,
    '',
    ...table,
    '',
  ].join('\n');
  // Keep the other benchmarks' sections (the suite runner's is written by suiteBench.ts).
  const file = path.resolve(__dirname, '..', '..', 'BENCHMARKS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = previous.indexOf('<!-- suite-bench:start -->');
  fs.writeFileSync(file, kept >= 0 ? `${report}\n${previous.slice(kept)}` : report);
  console.log(machine.join('\n'));
  console.log('');
  console.log(table.join('\n'));
}

if (process.argv.includes('--serve')) serve();
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
