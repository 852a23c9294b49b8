/**
 * Demo stand-ins: small local OpenAI-compatible servers that play a backend for the demo
 * comparison, so Bakeoff can be seen working without any key or network. Each streams a fixed
 * answer as server-sent events (`chat.completion.chunk` events, an optional usage chunk, then
 * `[DONE]`) on a timing schedule, and lists its model at `GET /v1/models`. They listen on
 * 127.0.0.1 only, on a free port, and are labelled *demo stand-in* wherever they appear.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Backend } from './config';

/** How a stand-in answers. */
export interface StandInSchedule {
  /** The answer, streamed a few words at a time. */
  text: string;
  /** Delay before the first content chunk, ms. */
  ttftMs: number;
  /** Delay between content chunks, ms. */
  chunkIntervalMs: number;
  /** Words per content chunk. */
  wordsPerChunk: number;
  /** Whether the stand-in reports `usage` when asked (`stream_options.include_usage`). */
  reportsUsage: boolean;
}

/** A running stand-in. */
export interface StandIn {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  /** Chat requests served so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** The answer's pieces: words with their leading whitespace, so joining them gives the text back. */
function pieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** Starts a stand-in for `model` on 127.0.0.1 (any free port). */
export async function startStandIn(model: string, schedule: StandInSchedule): Promise<StandIn> {
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let requests = 0;
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    let parsed: { stream?: unknown; stream_options?: { include_usage?: unknown }; messages?: Array<{ content?: unknown }> } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'The request body is not JSON.', type: 'invalid_request_error' } }));
      return;
    }
    requests++;
    const id = `chatcmpl-standin-${requests}`;
    // `created` in the OpenAI format is a Unix time in seconds; taken from the monotonic clock's
    // origin like every other timestamp in core, so no wall-clock reading exists beside it.
    const createdUnixS = Math.floor((performance.timeOrigin + performance.now()) / 1000);
    const words = pieces(schedule.text);
    // The stand-in's own report, at the usual rule of thumb of four characters a token.
    const promptChars = (parsed.messages ?? []).reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0);
    const promptTokens = Math.max(1, Math.ceil(promptChars / 4));
    const completionTokens = Math.max(1, Math.ceil(schedule.text.length / 4));
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (parsed.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'chat.completion', created: createdUnixS, model, choices: [{ index: 0, message: { role: 'assistant', content: schedule.text }, finish_reason: 'stop' }], usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (payload: unknown): void => {
      if (!res.destroyed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id, object: 'chat.completion.chunk', created: createdUnixS, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    send(chunk({ role: 'assistant', content: '' }));
    const groups: string[] = [];
    for (let i = 0; i < words.length; i += schedule.wordsPerChunk) groups.push(words.slice(i, i + schedule.wordsPerChunk).join(''));
    const step = (index: number): void => {
      if (res.destroyed) return;
      if (index < groups.length) {
        send(chunk({ content: groups[index] }, index === groups.length - 1 ? 'stop' : null));
        later(schedule.chunkIntervalMs, () => step(index + 1));
        return;
      }
      if (schedule.reportsUsage && parsed.stream_options?.include_usage === true) send({ id, object: 'chat.completion.chunk', created: createdUnixS, model, choices: [], usage });
      res.end('data: [DONE]\n\n');
    };
    later(schedule.ttftMs, () => step(0));
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model', owned_by: 'bakeoff-demo' }] }));
      return;
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const parts: Buffer[] = [];
      let size = 0;
      req.on('data', (part: Buffer) => {
        size += part.length;
        if (size > 8 * 1024 * 1024) req.destroy();
        else parts.push(part);
      });
      req.on('end', () => answer(req, res, Buffer.concat(parts).toString('utf8')));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `Not found: ${req.method} ${path}`, type: 'not_found' } }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What each column of the demo says it is. */
export const demoStandInNote = 'Demo stand-in: a local server inside Bakeoff plays this backend. Its answer, timing and price are made up for the demo; nothing leaves this machine.';

/** The demo's prompt: a small function to improve. */
export const demoPrompt = [
  'Improve this TypeScript function. Reply with the full improved code in one fenced block, then a short explanation.',
  '',
  '```ts',
  'export function fib(n: number): number {',
  '  return n < 2 ? n : fib(n - 1) + fib(n - 2);',
  '}',
  '```',
].join('\n');

const closedAnswer = [
  '`fib` recomputes the same values again and again, so it takes exponential time. Memoize it:',
  '',
  '```ts',
  'const memo = new Map<number, number>();',
  '',
  'export function fib(n: number): number {',
  '  if (n < 2) return n;',
  '  const known = memo.get(n);',
  '  if (known !== undefined) return known;',
  '  const value = fib(n - 1) + fib(n - 2);',
  '  memo.set(n, value);',
  '  return value;',
  '}',
  '```',
  '',
  'Each value is now computed once: **O(n)** time and O(n) memory.',
].join('\n');

const decentralizedAnswer = [
  'Use a loop instead of recursion. It runs in **O(n)** time, needs O(1) memory and cannot overflow the stack:',
  '',
  '```ts',
  'export function fib(n: number): number {',
  '  let [a, b] = [0, 1];',
  '  for (let i = 0; i < n; i++) [a, b] = [b, a + b];',
  '  return a;',
  '}',
  '```',
  '',
  'For very large `n`, switch to `bigint` to keep exact results.',
].join('\n');

/** The two stand-ins of the demo: a fast closed API and a slower, cheaper decentralized endpoint. */
export const demoStandIns: ReadonlyArray<{ backend: Omit<Backend, 'baseUrl'>; schedule: StandInSchedule }> = [
  {
    backend: {
      id: 'demo-closed',
      label: 'Closed API (demo stand-in)',
      kind: 'closed',
      model: 'demo-closed-model',
      pricing: { type: 'perToken', inputPerMTok: 2.5, outputPerMTok: 10, source: 'demo prices, typical of a closed API' },
      streamUsage: 'auto',
      trustNote: demoStandInNote,
    },
    schedule: { text: closedAnswer, ttftMs: 350, chunkIntervalMs: 28, wordsPerChunk: 2, reportsUsage: true },
  },
  {
    backend: {
      id: 'demo-decentralized',
      label: 'Decentralized network (demo stand-in)',
      kind: 'decentralized',
      model: 'demo-open-model',
      pricing: { type: 'perToken', inputPerMTok: 0.2, outputPerMTok: 0.6, source: 'demo prices, typical of a decentralized endpoint' },
      streamUsage: 'auto',
      trustNote: demoStandInNote,
    },
    schedule: { text: decentralizedAnswer, ttftMs: 950, chunkIntervalMs: 45, wordsPerChunk: 2, reportsUsage: true },
  },
];
