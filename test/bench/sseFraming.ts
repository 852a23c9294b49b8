/**
 * Event-stream framing benchmark, through `streamCompletion`:
 *
 * 1. Split terminators: the server (a child process, its own event loop) writes the first token
 *    125 ms after the headers, ending the event with a line-terminator pair whose last part (or
 *    nothing) follows only with the next event, 250 ms later. Reported: TTFT, and the bias = the
 *    time the client stamped the first token − the time the server wrote it (both as
 *    `performance.timeOrigin + performance.now()`).
 * 2. One 5 MB event (a base64 image, a large tool-call argument) written in 1.5 KB pieces, one per
 *    event-loop turn: time until the stream ends at the 4 MB cap.
 * 3. A sibling stream (first token 300 ms after its headers) alone, and started while the large
 *    event streams: its TTFT.
 *
 * Replaces its own section of BENCHMARKS.md (after the TTFT-bias section `ttftBias.ts` writes).
 *
 *   npm run bench                               # both benchmarks
 *   node --import tsx test/bench/sseFraming.ts -- --samples 10
 */
import http from 'node:http';
import os from 'node:os';
import { Backend, RequestParams } from '../../src/core/config';
import { percentile } from '../../src/core/stats';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';
import { getJson, machineLines, startBenchServer, writeSection } from './report';

const firstTokenMs = 125;
const gapMs = 250;
const siblingFirstTokenMs = 300;
const bigEventBytes = 5 * 1024 * 1024;
const pieceBytes = 1536;

/** Event ends written by the server; `held` bytes of each go out with the next event. */
const framings = [
  { name: 'LF LF (reference)', end: '\n\n', held: 0 },
  { name: 'CR CR', end: '\r\r', held: 0 },
  { name: 'LF CR, then LF', end: '\n\r\n', held: 1 },
  { name: 'CR LF CR', end: '\r\n\r', held: 0 },
  { name: 'CR CR, then LF', end: '\r\r\n', held: 1 },
  { name: 'CR LF CR, then LF', end: '\r\n\r\n', held: 1 },
] as const;

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

function chunkJson(delta: Record<string, string>, finish: string | null): string {
  return JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] });
}

/** The bench-only SSE server (child process). */
function serve(): void {
  const sends = new Map<string, number>();
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__bench/sends') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(Object.fromEntries(sends)));
      return;
    }
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-bench-id'] ?? '');
      const mode = String(req.headers['x-bench-mode'] ?? 'framing');
      res.socket?.setNoDelay(true);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(`data: ${chunkJson({ role: 'assistant', content: '' }, null)}\n\n`);
      if (mode === 'big') {
        // One event far over the cap, in small pieces, one per event-loop turn.
        const head = `data: ${chunkJson({ content: '@@' }, null)}`.split('@@');
        let sent = 0;
        let first = true;
        const next = (): void => {
          if (res.destroyed) return;
          if (sent >= bigEventBytes) {
            res.end(`${head[1]}\n\ndata: [DONE]\n\n`);
            return;
          }
          const piece = (first ? head[0]! : '') + 'QUJD'.repeat(pieceBytes / 4);
          first = false;
          sent += piece.length;
          res.write(piece);
          setImmediate(next);
        };
        next();
        return;
      }
      const framing = framings[Number(req.headers['x-bench-framing'] ?? 0)]!;
      const ttftMs = mode === 'sibling' ? siblingFirstTokenMs : firstTokenMs;
      const words = ['Hello', ' from', ' the', ' bench'];
      let carry = '';
      const write = (event: string): void => {
        const framed = carry + event + framing.end;
        carry = framed.slice(framed.length - framing.held);
        res.write(framed.slice(0, framed.length - framing.held));
      };
      let i = 0;
      const step = (): void => {
        if (res.destroyed) return;
        if (i === 0) sends.set(id, epochNow());
        if (i < words.length) {
          write(`data: ${chunkJson({ content: words[i]! }, i === words.length - 1 ? 'stop' : null)}`);
          i++;
          setTimeout(step, gapMs);
        } else {
          write('data: [DONE]');
          res.end(carry);
        }
      };
      setTimeout(step, ttftMs);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

async function main(): Promise<void> {
  const argIndex = process.argv.indexOf('--samples');
  const samples = argIndex > 0 ? Math.max(3, Number(process.argv[argIndex + 1]) || 20) : 20;
  const bigRuns = Math.max(3, Math.round(samples / 4));
  const { child, port } = await startBenchServer(__filename);
  const memory = new UsageSupportMemory();
  let seq = 0;
  const stream = (headers: Record<string, string>) =>
    streamCompletion({
      backend: Backend.parse({ id: 'bench', kind: 'local', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'bench', headers, streamUsage: 'never' }),
      messages: [{ role: 'user', content: 'hi' }],
      params: RequestParams.parse({ maxTokens: 16 }),
      usageMemory: memory,
      estimateTokens: false,
      timeouts: { totalMs: 120_000 },
    });

  // 1. Split terminators: all framings interleaved round by round.
  const framingRuns = framings.map(() => ({ ttft: [] as number[], bias: [] as number[], ids: [] as Array<[string, number]> }));
  for (let round = 0; round < samples + 2; round++) {
    await Promise.all(
      framings.map(async (_, f) => {
        const id = `f${seq++}`;
        const r = await stream({ 'x-bench-id': id, 'x-bench-framing': String(f) });
        if (r.status !== 'ok' || r.timing.firstContentMs === null) throw new Error(`framing ${f}: ${r.status} ${r.error?.message}`);
        if (round < 2) return; // warm-up
        framingRuns[f]!.ttft.push(r.metrics.ttftMs!);
        framingRuns[f]!.ids.push([id, performance.timeOrigin + r.timing.firstContentMs]);
      }),
    );
  }
  const sends = (await getJson(port, '/__bench/sends')) as Record<string, number>;
  for (const run of framingRuns) for (const [id, firstMs] of run.ids) run.bias.push(firstMs - sends[id]!);

  // 2 and 3. The large event, and a sibling alone and beside it.
  const siblingAlone: number[] = [];
  const siblingBeside: number[] = [];
  const capMs: number[] = [];
  for (let i = 0; i < bigRuns; i++) {
    const alone = await stream({ 'x-bench-id': `s${seq++}`, 'x-bench-mode': 'sibling' });
    siblingAlone.push(alone.metrics.ttftMs!);
    const big = stream({ 'x-bench-id': `b${seq++}`, 'x-bench-mode': 'big' });
    await new Promise((r) => setTimeout(r, 50));
    const beside = stream({ 'x-bench-id': `s${seq++}`, 'x-bench-mode': 'sibling' });
    const [b, s] = await Promise.all([big, beside]);
    if (b.status !== 'protocol_error' || !/stream exceeded/.test(b.error?.message ?? '')) throw new Error(`large event ended ${b.status}: ${b.error?.message}`);
    capMs.push(b.metrics.totalMs!);
    siblingBeside.push(s.metrics.ttftMs!);
  }
  child.stdin.end();

  const f1 = (v: number | null) => (v ?? NaN).toFixed(1);
  const framingTable = [
    '| Event end ("then": sent with the next event) | Samples | TTFT p50 (ms) | TTFT p95 (ms) | Bias p50 (ms) | Bias p95 (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...framings.map((f, i) => {
      const r = framingRuns[i]!;
      return `| ${f.name} | ${r.ttft.length} | ${f1(percentile(r.ttft, 50))} | ${f1(percentile(r.ttft, 95))} | ${f1(percentile(r.bias, 50))} | ${f1(percentile(r.bias, 95))} |`;
    }),
  ];
  const bigTable = [
    '| Measure | Runs | p50 (ms) | max (ms) |',
    '|---|---:|---:|---:|',
    `| 5 MB event in 1.5 KB pieces: time until the 4 MB cap ends the stream | ${capMs.length} | ${f1(percentile(capMs, 50))} | ${f1(Math.max(...capMs))} |`,
    `| Sibling TTFT, alone (first token sent ${siblingFirstTokenMs} ms after headers) | ${siblingAlone.length} | ${f1(percentile(siblingAlone, 50))} | ${f1(Math.max(...siblingAlone))} |`,
    `| Sibling TTFT, beside the large event | ${siblingBeside.length} | ${f1(percentile(siblingBeside, 50))} | ${f1(Math.max(...siblingBeside))} |`,
  ];
  const machine = [...machineLines(), `- Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`];
  writeSection('Event-stream framing and large events', [
    `The server (a child process) writes the first token ${firstTokenMs} ms after the headers and the next events ${gapMs} ms apart,`,
    'ending each event with the line-terminator pair in the first column ("then LF": that LF goes out only with the',
    'next event). An event is complete once its blank line began, so TTFT should follow the schedule whatever the framing;',
    'bias = when `streamCompletion` stamped the first token − when the server wrote it.',
    'The second table: one 5 MB event (like a base64 image) written in 1.5 KB pieces, one per event-loop turn of the',
    'server, until the 4 MB stream cap ends it; and a sibling stream started 50 ms into it.',
    'Reproduce with `npm run bench`.',
    '',
    ...machine,
    '',
    ...framingTable,
    '',
    ...bigTable,
  ]);
  console.log([...machine, '', ...framingTable, '', ...bigTable].join('\n'));
}

if (process.argv.includes('--serve')) serve();
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
