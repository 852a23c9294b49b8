/**
 * The `bakeoff` command as a whole process (the production bundle, dist/cli.js):
 *
 * 1. Start: `bakeoff --help` against a bare `node -e 0`, run in turn (A B A B …) so both see the
 *    same machine; median wall time of each, the ratio pair by pair, and peak RSS.
 * 2. Harness CPU per request: `bakeoff compare` against the local fixture server (a child
 *    process) at 32 requests in flight, 1,000 and 4,000 requests; CPU (user + system, every thread
 *    of the CLI process) and peak RSS. The per-request figure is marginal: (CPU of N requests −
 *    CPU of a 10-request run) ÷ (N − 10), so the process start and the one-off work of a run (the
 *    token-counting worker, the first request's code loading) are not spread over the requests.
 *    Anchor: a bare `node:http` client making the same requests (fresh connection each, reading
 *    every byte, nothing parsed), measured the same way in the same run.
 *
 * CPU and memory come from the measured process itself: a `--require`d probe records
 * `process.cpuUsage()`, `process.resourceUsage().maxRSS` and RSS every 100 ms when it exits.
 * Writes its section of BENCHMARKS.md.
 *
 *   npm run bench
 *   node --import tsx test/bench/cli.ts [--runs 5] [--profile DIR]   # --profile: also a --cpu-prof of the 1,000-request run
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { percentile } from '../../src/core/stats';
import { machineLines, startFixtureProcess, writeSection } from './report';

const root = path.resolve(__dirname, '..', '..');
const cliBundle = path.join(root, 'dist', 'cli.js');
const inFlight = 32;
/** Content events per answer (one word each), plus the role, usage and `[DONE]` events. */
const answerWords = 32;
const smallRun = 10;

/**
 * The environment of every measured process: this one's without NODE_EXTRA_CA_CERTS, which makes
 * every Node.js start read and parse a certificate file (about 90 ms on a 2-core machine with the
 * system bundle) and would hide the difference between two starts. No measured request uses TLS.
 */
const extraCaCertsSet = Boolean(process.env.NODE_EXTRA_CA_CERTS);
const benchEnv: NodeJS.ProcessEnv = { ...process.env };
delete benchEnv.NODE_EXTRA_CA_CERTS;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const probeSource = `
const fs = require('node:fs');
const rss = [];
const timer = setInterval(() => rss.push(process.memoryUsage().rss), 100);
timer.unref();
// CPU of the main thread and of every other live thread (V8's compiler and GC helpers, libuv's
// pool), from /proc on Linux; null elsewhere. Clock ticks are 100 per second on Linux.
const threadSplit = () => {
  try {
    let mainMs = 0, otherMs = 0;
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (Number(tid) === process.pid) mainMs += ms; else otherMs += ms;
    }
    return { mainMs, otherMs };
  } catch {
    return { mainMs: null, otherMs: null };
  }
};
process.on('exit', () => {
  const cpu = process.cpuUsage();
  fs.writeFileSync(process.env.BAKEOFF_BENCH_PROBE, JSON.stringify({
    ...threadSplit(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    rssMiB: rss.map((b) => b / 1048576),
  }));
});
`;

interface ProbeResult {
  cpuMs: number;
  /** CPU of the main thread and of the other threads still running at exit; null off Linux. */
  mainMs: number | null;
  otherMs: number | null;
  maxRssMiB: number;
  rssMiB: number[];
  wallMs: number;
}

/** Runs `node [--require probe] args`, returns what the probe recorded and the wall time. */
function measured(probe: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ProbeResult> {
  const out = path.join(path.dirname(probe), `probe-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', probe, ...args], {
      cwd: root,
      env: { ...benchEnv, ...env, BAKEOFF_BENCH_PROBE: out },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      try {
        const r = JSON.parse(fs.readFileSync(out, 'utf8')) as Omit<ProbeResult, 'wallMs'>;
        fs.rmSync(out, { force: true });
        if (code !== 0 && code !== 1) throw new Error(`exit ${code}`);
        resolve({ ...r, wallMs });
      } catch (err) {
        reject(new Error(`${args.join(' ')} failed (${String(err)}):\n${stderr}`));
      }
    });
  });
}

/** Wall time of one short process, without the probe (peak RSS is measured in separate runs). */
function timeProcess(args: string[]): { wallMs: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env: benchEnv, stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return { wallMs: performance.now() - started };
}

/** The fixture server, every answer `answerWords` content events. */
function startFixture(dir: string): Promise<{ baseUrl: string; stop: () => void }> {
  const words = Array.from({ length: answerWords }, (_, i) => `word${i + 1}`).join(' ');
  return startFixtureProcess(dir, { '*': { text: words, usage: 'always' } }, benchEnv);
}

/** A config of `backends` local backends on the fixture server. */
function writeConfig(dir: string, baseUrl: string, backends: number): string {
  const file = path.join(dir, `config-${backends}.json`);
  const list = Array.from({ length: backends }, (_, i) => ({ id: `b${i + 1}`, kind: 'local', baseUrl, model: 'fixture-model', pricing: { type: 'free' } }));
  fs.writeFileSync(file, JSON.stringify({ backends: list, request: { maxTokens: 64 } }));
  return file;
}

/** Arguments of a compare run of `requests` requests with 32 in flight. */
function compareArgs(dir: string, baseUrl: string, requests: number): string[] {
  const trials = requests >= 100 ? 100 : 1;
  const backends = requests / trials;
  const parallel = Math.max(1, Math.ceil(inFlight / backends));
  const config = writeConfig(dir, baseUrl, backends);
  return [cliBundle, 'compare', '--config', config, '--prompt', 'Say hello.', '--trials', String(trials), '--concurrency', String(inFlight), '--parallel-trials', String(parallel), '--json'];
}

/** The anchor: a bare node:http client, `requests` requests with 32 in flight, fresh connection each. */
function rawClientScript(dir: string): string {
  const file = path.join(dir, 'raw-client.cjs');
  fs.writeFileSync(
    file,
    `
const http = require('node:http');
const [url, total, inFlight] = [new URL(process.argv[2] + '/chat/completions'), Number(process.argv[3]), Number(process.argv[4])];
const body = JSON.stringify({ model: 'fixture-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 64, stream: true, stream_options: { include_usage: true } });
let started = 0, done = 0;
const one = () => {
  if (started >= total) return;
  started++;
  const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.on('data', () => {});
    res.on('end', () => { done++; if (done === total) process.exit(0); one(); });
  });
  req.on('error', (e) => { console.error(e); process.exit(3); });
  req.end(body);
};
for (let i = 0; i < inFlight; i++) one();
`,
  );
  return file;
}

/**
 * Two more reference clients, same requests, fresh connection each (`connection: close`): Node's
 * built-in `fetch` reading every byte (nothing parsed), and the `openai` SDK's chat stream read
 * the way an application reads it (every event parsed, the text joined), retries off.
 */
function referenceClientScripts(dir: string): { fetch: string; sdk: string } {
  const body = `JSON.stringify({ model: 'fixture-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 64, stream: true, stream_options: { include_usage: true } })`;
  const loop = (oneRequest: string) => `
const [base, total, inFlight] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let started = 0;
const worker = async () => {
  while (started < total) {
    started++;
${oneRequest}
  }
};
Promise.all(Array.from({ length: inFlight }, worker)).then(() => process.exit(0), (e) => { console.error(e); process.exit(3); });
`;
  const fetchFile = path.join(dir, 'fetch-client.cjs');
  fs.writeFileSync(
    fetchFile,
    `const body = ${body};` +
      loop(`    const res = await fetch(base + '/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body });
    for await (const piece of res.body) void piece;`),
  );
  const sdkFile = path.join(dir, 'sdk-client.cjs');
  fs.writeFileSync(
    sdkFile,
    `const { OpenAI } = require(${JSON.stringify(require.resolve('openai'))});` +
      loop(`    const client = new OpenAI({ baseURL: base, apiKey: 'unused', maxRetries: 0, defaultHeaders: { connection: 'close' } });
    const stream = await client.chat.completions.create({ model: 'fixture-model', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 64, stream: true, stream_options: { include_usage: true } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    if (!text) throw new Error('empty answer');`),
  );
  return { fetch: fetchFile, sdk: sdkFile };
}

function median(values: number[]): number {
  return percentile(values, 50) ?? NaN;
}

async function main(): Promise<void> {
  if (!fs.existsSync(cliBundle)) throw new Error('dist/cli.js missing: run `node esbuild.mjs --production` first');
  const runs = Math.max(1, Number(argValue('--runs') ?? 5));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-bench-cli-'));
  const probe = path.join(dir, 'probe.cjs');
  fs.writeFileSync(probe, probeSource);

  // 1. Start time: A B A B …, one unrecorded warm-up pair.
  const help = [cliBundle, '--help'];
  const bare = ['-e', '0'];
  timeProcess(help);
  timeProcess(bare);
  const helpWall: number[] = [];
  const bareWall: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < Math.max(runs, 10); i++) {
    const a = timeProcess(help).wallMs;
    const b = timeProcess(bare).wallMs;
    helpWall.push(a);
    bareWall.push(b);
    ratios.push(a / b);
  }
  const helpRss = median(await Promise.all([0, 1, 2].map(() => measured(probe, help))).then((r) => r.map((x) => x.maxRssMiB)));
  const bareRss = median(await Promise.all([0, 1, 2].map(() => measured(probe, bare))).then((r) => r.map((x) => x.maxRssMiB)));

  // 2. Per-request CPU.
  const fixture = await startFixture(dir);
  const rawScript = rawClientScript(dir);
  const reference = referenceClientScripts(dir);
  const sizes = [smallRun, 1000, 4000];
  const cli = new Map<number, ProbeResult[]>();
  const raw = new Map<number, ProbeResult[]>();
  const nodeFetch = new Map<number, ProbeResult[]>();
  const sdk = new Map<number, ProbeResult[]>();
  try {
    // Warm-up (the fixture server's code paths, the page cache).
    await measured(probe, compareArgs(dir, fixture.baseUrl, 100));
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 2)); i++) {
      for (const n of sizes) {
        (cli.get(n) ?? cli.set(n, []).get(n)!).push(await measured(probe, compareArgs(dir, fixture.baseUrl, n)));
        (raw.get(n) ?? raw.set(n, []).get(n)!).push(await measured(probe, [rawScript, fixture.baseUrl, String(n), String(inFlight)]));
        (nodeFetch.get(n) ?? nodeFetch.set(n, []).get(n)!).push(await measured(probe, [reference.fetch, fixture.baseUrl, String(n), String(inFlight)]));
        (sdk.get(n) ?? sdk.set(n, []).get(n)!).push(await measured(probe, [reference.sdk, fixture.baseUrl, String(n), String(inFlight)]));
      }
    }
    const profileDir = argValue('--profile');
    if (profileDir) {
      fs.mkdirSync(profileDir, { recursive: true });
      await measured(probe, ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir), ...compareArgs(dir, fixture.baseUrl, 1000)]);
      console.log(`CPU profile of a 1,000-request run written to ${profileDir}`);
    }
  } finally {
    fixture.stop();
  }

  const cpuOf = (m: Map<number, ProbeResult[]>, n: number) => median(m.get(n)!.map((r) => r.cpuMs));
  const perRequest = (m: Map<number, ProbeResult[]>, n: number) => (cpuOf(m, n) - cpuOf(m, smallRun)) / (n - smallRun);
  /** Per request between the 1,000- and the 4,000-request runs: the JIT has compiled the hot paths by then. */
  const steadyPerRequest = (m: Map<number, ProbeResult[]>) => (cpuOf(m, 4000) - cpuOf(m, 1000)) / 3000;
  const threadOf = (m: Map<number, ProbeResult[]>, n: number, key: 'mainMs' | 'otherMs') => {
    const values = m.get(n)!.map((r) => r[key]).filter((v): v is number => v !== null);
    return values.length ? median(values) : NaN;
  };
  const rssOf = (m: Map<number, ProbeResult[]>, n: number) => median(m.get(n)!.map((r) => r.maxRssMiB));
  const wallOf = (m: Map<number, ProbeResult[]>, n: number) => median(m.get(n)!.map((r) => r.wallMs));
  /** RSS over the second half of the run vs the first half: a leak grows it. */
  const rssDrift = (m: Map<number, ProbeResult[]>, n: number) => {
    const samples = m.get(n)![0]!.rssMiB;
    const half = Math.floor(samples.length / 2);
    if (half < 2) return NaN;
    return Math.max(...samples.slice(half)) - Math.max(...samples.slice(0, half));
  };

  const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
  const startTable = [
    '| Command | Runs | Wall p50 (ms) | Wall min–max (ms) | Peak RSS (MiB) |',
    '|---|---:|---:|---:|---:|',
    `| \`bakeoff --help\` | ${helpWall.length} | ${f1(median(helpWall))} | ${f1(Math.min(...helpWall))}–${f1(Math.max(...helpWall))} | ${f1(helpRss)} |`,
    `| \`node -e 0\` (anchor) | ${bareWall.length} | ${f1(median(bareWall))} | ${f1(Math.min(...bareWall))}–${f1(Math.max(...bareWall))} | ${f1(bareRss)} |`,
    `| ratio, pair by pair (goal ≤ 2×) | ${ratios.length} | ${f2(median(ratios))}× | ${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}× | |`,
  ];
  const cpuTable = [
    '| Client | Requests | Runs | Wall p50 (s) | CPU p50 (ms) | … main thread (ms) | … other threads (ms) | CPU per request, marginal (ms) | Peak RSS (MiB) | RSS 2nd half − 1st half (MiB) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, m] of [
    ['`bakeoff compare`', cli],
    ['bare `node:http` (anchor)', raw],
    ["Node's `fetch`, bytes only (reference)", nodeFetch],
    ['`openai` SDK chat stream (reference)', sdk],
  ] as const) {
    for (const n of sizes) {
      cpuTable.push(
        `| ${name} | ${n.toLocaleString('en-US')} | ${m.get(n)!.length} | ${f2(wallOf(m, n) / 1000)} | ${f1(cpuOf(m, n))} | ${f1(threadOf(m, n, 'mainMs'))} | ${f1(threadOf(m, n, 'otherMs'))} | ${n === smallRun ? '—' : f3(perRequest(m, n))} | ${f1(rssOf(m, n))} | ${n === smallRun ? '—' : f1(rssDrift(m, n))} |`,
      );
    }
    cpuTable.push(`| ${name}, steady state: 1,000 → 4,000 | 3,000 | | | | | | ${f3(steadyPerRequest(m))} | | |`);
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const perRequestAt = (n: number) => perRequest(cli, n);
  const cliWorst = Math.max(perRequestAt(1000), perRequestAt(4000));
  const steady = steadyPerRequest(cli);
  const otherShare = (n: number) => threadOf(cli, n, 'otherMs') / cpuOf(cli, n);
  const reading = [
    `Reading: \`bakeoff compare\` takes ${f3(perRequestAt(1000))} ms (1,000 requests) and ${f3(perRequestAt(4000))} ms (4,000) of CPU per request`,
    `counted from a ${smallRun}-request run — ${cliWorst < 1 ? 'meets' : 'misses'} the goal of < 1 ms — against ${f3(perRequest(raw, 1000))} and ${f3(perRequest(raw, 4000))} ms for the bare client;`,
    `between the 1,000- and the 4,000-request runs it takes ${f3(steady)} ms per request (${steady < 1 ? 'within' : 'over'} the goal; bare client ${f3(steadyPerRequest(raw))} ms).`,
    `On this machine the bare client alone — a fresh connection, the bytes read, nothing parsed — takes ${f3(perRequest(raw, 1000))} ms per request at 1,000 requests:`,
    `${perRequest(raw, 1000) < 1 ? `${f3(1 - perRequest(raw, 1000))} ms is left under the goal for everything else` : 'the goal is below what any Node.js client that opens a connection per request reaches here'}.`,
    `For reference, the same requests cost ${f3(perRequest(nodeFetch, 1000))} / ${f3(perRequest(nodeFetch, 4000))} ms each with Node's own \`fetch\` reading the bytes (nothing parsed)`,
    `and ${f3(perRequest(sdk, 1000))} / ${f3(perRequest(sdk, 4000))} ms with the \`openai\` SDK's chat stream (1,000 / 4,000 requests), measured the same way in the same run.`,
    'The difference between 1,000 and 4,000 is one-off work that a 10-request run never does and the first thousand requests pay for:',
    `V8 compiling the hot paths with its optimising compiler on helper threads (the "other threads" column: ${Number.isFinite(otherShare(1000)) ? `${(otherShare(1000) * 100).toFixed(0)} %` : '—'} of the`,
    `CPU at 1,000 requests, ${Number.isFinite(otherShare(4000)) ? `${(otherShare(4000) * 100).toFixed(0)} %` : '—'} at 4,000, together with the garbage collector's helpers), and the code running unoptimised meanwhile.`,
    'The marginal figures also carry work that grows with the requests but is not the streaming path: the summary\'s bootstrap',
    'intervals (2,000 resamples per backend and measure) and the progress line per trial. RSS: peak and "2nd half − 1st half" above',
    '(the run keeps every answer for its report, so RSS grows with the requests).',
  ];
  const load = os.loadavg().map((x) => x.toFixed(1)).join(', ');
  const machine = [...machineLines(), `- Load average at the end: ${load}`];
  writeSection('CLI start and harness CPU per request', [
    'The production bundle `dist/cli.js` as a whole process. *Start*: `bakeoff --help` and a bare `node -e 0` run in',
    'turn (A B A B …) after a warm-up pair; the ratio is taken pair by pair, so it holds when the machine\'s speed drifts.',
    `*CPU per request*: \`bakeoff compare --json\` against the fixture server (a child process), ${inFlight} requests in flight, every`,
    `answer ${answerWords} content events plus the role, usage and \`[DONE]\` events; the CPU of every thread of the CLI process`,
    `(\`process.cpuUsage()\` when it exits), marginal: (CPU of N requests − CPU of a ${smallRun}-request run) ÷ (N − ${smallRun}), so the`,
    'process start and the one-off work of a run are not spread over the requests; *steady state*: (CPU of 4,000 − CPU of 1,000) ÷ 3,000.',
    'Main thread and other threads: each thread\'s CPU from `/proc` when the process exits. Anchor: a bare `node:http` client',
    'making the same requests the same way (fresh connection each, every byte read, nothing parsed); for reference also Node\'s',
    'built-in `fetch` (bytes only) and the `openai` SDK\'s chat stream (every event parsed), fresh connection each. RSS sampled every',
    '100 ms; "2nd half − 1st half" compares the peaks of the two halves of the run (a leak makes it grow). Medians.',
    ...(extraCaCertsSet ? ['Every measured process runs without `NODE_EXTRA_CA_CERTS`, which this machine sets (it makes each Node.js start read a certificate file).'] : []),
    'Reproduce with `npm run bench`.',
    '',
    ...machine,
    '',
    ...startTable,
    '',
    ...cpuTable,
    '',
    ...reading,
  ]);
  console.log(startTable.join('\n'));
  console.log('');
  console.log(cpuTable.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
