/**
 * Suite runner benchmark: 10,000 cells (5,000 tests × 2 backends) at 64 requests in flight
 * against the local fixture server (a child process, so its CPU is not counted). Measures, in one
 * run:
 * - in process: harness CPU per cell of `runSuite` (streaming, grading, JSONL), and of the
 *   streaming client alone (`streamCompletion`, the same requests without the suite around it);
 *   RSS over the run; event-loop delay and measured TTFT with the JSONL results file on and off
 *   (writing must not delay stream timestamps); the time to compute the summary and reports;
 * - side by side, as separate processes on the same server and the same tests: the built
 *   `bakeoff run` and promptfoo `eval -j 64` (installed from npm into a temporary directory at
 *   bench time, never a project dependency): wall time, CPU, peak RSS.
 * Writes its section of BENCHMARKS.md (between the suite-bench markers).
 *
 *   npm run bench:suite                      # 10,000 cells
 *   npm run bench:suite -- --cells 2000      # quicker
 *   npm run bench:suite -- --no-promptfoo    # skip the promptfoo anchor
 *   npm run bench:suite -- --rounds 1        # one round of the in-process measures (default 3)
 *   npm run bench:suite -- --render-only     # rewrite the section from the last run's figures
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Backend, RequestParams, Timeouts } from '../../src/core/config';
import { percentile } from '../../src/core/stats';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';
import { runSuite, type RunBackend } from '../../src/core/suite/execute';
import { toSuiteHtml } from '../../src/core/suite/html';
import { loadSuite } from '../../src/core/suite/load';
import { buildSuiteReport, toSuiteMarkdown } from '../../src/core/suite/report';
import { ResultsWriter } from '../../src/core/suite/store';
import type { PlanBackend, ResultsHeader } from '../../src/core/suite/types';
import { writeSection } from './report';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const cellsWanted = Number(args[args.indexOf('--cells') + 1] ?? NaN) || 10_000;
const withPromptfoo = !args.includes('--no-promptfoo');
const promptfooVersion = '0.121.20';
const concurrency = 64;
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? NaN) || 3;

const med = (values: number[]): number => percentile(values, 50) ?? NaN;

/** Each field the median over the rounds (RSS, heap and maxima included). */
function medianRun(runs: InProcess[]): InProcess {
  return {
    writeSyncUs: runs[0]!.writeSyncUs ? { mean: med(runs.map((r) => r.writeSyncUs!.mean)), max: med(runs.map((r) => r.writeSyncUs!.max)) } : null,
    cells: runs[0]!.cells,
    wallS: med(runs.map((r) => r.wallS)),
    cpuMsPerCell: med(runs.map((r) => r.cpuMsPerCell)),
    rssMb: {
      atQuarter: med(runs.map((r) => r.rssMb.atQuarter)),
      atHalf: med(runs.map((r) => r.rssMb.atHalf)),
      atEnd: med(runs.map((r) => r.rssMb.atEnd)),
      max: med(runs.map((r) => r.rssMb.max)),
    },
    heapAfterGcMb: runs[0]!.heapAfterGcMb.map((_, k) => med(runs.map((r) => r.heapAfterGcMb[k] ?? NaN))),
    eld: { p50: med(runs.map((r) => r.eld.p50)), p99: med(runs.map((r) => r.eld.p99)), max: med(runs.map((r) => r.eld.max)) },
    ttft: { p50: med(runs.map((r) => r.ttft.p50)), p95: med(runs.map((r) => r.ttft.p95)), p99: med(runs.map((r) => r.ttft.p99)) },
    cpuRounds: runs.map((r) => r.cpuMsPerCell),
    ttftP95Rounds: runs.map((r) => r.ttft.p95),
    eldP99Rounds: runs.map((r) => r.eld.p99),
  };
}
const tests = Math.floor(cellsWanted / 2);
const answer = 'Paris is the capital of France, as everyone knows.';
const schedule = { text: answer, ttftMs: 20, chunkIntervalMs: 2, usage: 'always' };

const fmt = (x: number | null | undefined, digits = 2) => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(digits));

async function startServer(): Promise<{ baseUrl: string; stop: () => void }> {
  const schedules = path.join(os.tmpdir(), `bakeoff-bench-schedules-${process.pid}.json`);
  fs.writeFileSync(schedules, JSON.stringify({ 'bench-a': schedule, 'bench-b': schedule }));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'fixtures', 'cli.ts'), '--port', '0', '--schedules', schedules], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /LISTENING (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fixture server exited (${code})`)));
  });
  return { baseUrl, stop: () => child.kill('SIGTERM') };
}

/** Samples a number (RSS) every `everyMs` while the run goes. */
function sampler(read: () => number | null, everyMs = 250): { stop: () => number[] } {
  const values: number[] = [];
  const timer = setInterval(() => {
    const v = read();
    if (v !== null) values.push(v);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return values;
    },
  };
}

function rssOfPid(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Runs a command under /usr/bin/time; returns wall, CPU and peak RSS, and RSS samples. */
async function timed(command: string, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; wallS: number; userS: number; sysS: number; maxRssMb: number; rssSamplesMb: number[]; stderr: string }> {
  const timeFile = path.join(os.tmpdir(), `bakeoff-bench-time-${process.pid}-${Date.now()}.txt`);
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S %M', command, ...argv], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // The timed process is /usr/bin/time's child: sample the whole group's largest member.
  const sample = sampler(() => {
    try {
      const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      const rss = kids.map(rssOfPid).filter((v): v is number => v !== null);
      return rss.length ? Math.max(...rss) : null;
    } catch {
      return null;
    }
  }, 500);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const samples = sample.stop();
  const [wall, user, sys, maxKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  fs.rmSync(timeFile, { force: true });
  return { code, wallS: wall!, userS: user!, sysS: sys!, maxRssMb: maxKb! / 1024, rssSamplesMb: samples.map((b) => b / 1024 / 1024), stderr };
}

function writeSuiteFiles(dir: string, baseUrl: string): { bakeoffSuite: string; promptfooConfig: string; csv: string } {
  const csv = path.join(dir, 'tests.csv');
  fs.writeFileSync(csv, `n,__expected\n${Array.from({ length: tests }, (_, i) => `${i},icontains:paris\n`).join('')}`);
  const prompt = 'prompts: ["Question {{n}}: what is the capital of France? Answer in one sentence."]';
  const provider = (model: string, extra = '') => `  - id: openai:chat:${model}\n    config: { apiBaseUrl: "${baseUrl}", max_tokens: 64, temperature: 0 }${extra}`;
  const promptfooConfig = path.join(dir, 'promptfooconfig.yaml');
  fs.writeFileSync(promptfooConfig, ['description: suite bench', prompt, 'providers:', provider('bench-a'), provider('bench-b'), 'tests: file://tests.csv', ''].join('\n'));
  // The same prompt, tests and providers; Bakeoff's copy lets each backend have 32 requests in flight.
  const bakeoffSuite = path.join(dir, 'bakeoff-suite.yaml');
  fs.writeFileSync(
    bakeoffSuite,
    ['description: suite bench', prompt, 'providers:', provider('bench-a', '\n    concurrency: 32'), provider('bench-b', '\n    concurrency: 32'), 'tests: file://tests.csv', ''].join('\n'),
  );
  return { bakeoffSuite, promptfooConfig, csv };
}

function planBackends(baseUrl: string): RunBackend[] {
  return ['bench-a', 'bench-b'].map((model) => {
    const backend = Backend.parse({ id: model, kind: 'local', baseUrl, model, pricing: { type: 'free' } });
    const plan: PlanBackend = { id: model, label: model, kind: 'local', model, baseUrl, pricing: 'free', concurrency: 32, params: RequestParams.parse({ maxTokens: 64, temperature: 0 }) };
    return { backend, plan };
  });
}

interface InProcess {
  /** Per-round values (the median run only). */
  cpuRounds?: number[];
  ttftP95Rounds?: number[];
  eldP99Rounds?: number[];
  /** Main-thread time spent queueing each results line (stringify + queue), µs; the write itself runs on the thread pool. */
  writeSyncUs: { mean: number; max: number } | null;
  cells: number;
  wallS: number;
  cpuMsPerCell: number;
  rssMb: { atQuarter: number; atHalf: number; atEnd: number; max: number };
  /** Heap in use right after a full GC at ¼, ½ and the end of the cells (MB): flat = nothing piles up. */
  heapAfterGcMb: number[];
  eld: { p50: number; p99: number; max: number };
  ttft: { p50: number; p95: number; p99: number };
}

async function inProcessRun(suitePath: string, baseUrl: string, jsonl: string | null): Promise<InProcess> {
  const suite = loadSuite(suitePath, { env: {} });
  const backends = planBackends(baseUrl);
  let writer: ResultsWriter | null = null;
  const writeTimes: number[] = [];
  if (jsonl) {
    const header: ResultsHeader = {
      type: 'header',
      format: 'bakeoff-suite-results',
      version: 1,
      runId: 'bench',
      startedAt: new Date().toISOString(),
      bakeoffVersion: 'bench',
      suite: { file: suitePath, description: suite.description, hash: suite.hash, tests: suite.tests.length, format: suite.format },
      seed: 1,
      trials: 1,
      shard: null,
      backends: backends.map((b) => b.plan),
      tests: [],
      baselineId: null,
    };
    writer = await ResultsWriter.create(jsonl, header);
    const write = writer.write.bind(writer);
    writer.write = (cell) => {
      const t = performance.now();
      const done = write(cell);
      writeTimes.push((performance.now() - t) * 1000);
      return done;
    };
  }
  const rssAt: number[] = [];
  const heapAfterGc: number[] = [];
  const total = suite.tests.length * 2;
  const eld = monitorEventLoopDelay({ resolution: 1 });
  const rss = sampler(() => process.memoryUsage().rss);
  global.gc?.();
  eld.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await runSuite({
    tests: suite.tests,
    backends,
    trials: 1,
    seed: 1,
    concurrency,
    timeouts: Timeouts.parse({}),
    resolveKey: () => undefined,
    writer,
    onProgress: (p) => {
      if (p.done === Math.floor(total / 4) || p.done === Math.floor(total / 2)) {
        rssAt.push(process.memoryUsage().rss);
        if (global.gc) {
          global.gc();
          heapAfterGc.push(process.memoryUsage().heapUsed);
        }
      }
    },
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  eld.disable();
  await writer?.close();
  if (global.gc) {
    global.gc();
    heapAfterGc.push(process.memoryUsage().heapUsed);
  }
  const samples = rss.stop();
  const ttfts = result.cells.map((c) => c.ttftMs).filter((v): v is number => v !== null);
  const ok = result.cells.filter((c) => c.status === 'ok').length;
  if (ok !== total) throw new Error(`only ${ok} of ${total} cells ended ok`);
  const mb = (b: number) => b / 1024 / 1024;
  return {
    writeSyncUs: writeTimes.length ? { mean: writeTimes.reduce((a, b) => a + b, 0) / writeTimes.length, max: Math.max(...writeTimes) } : null,
    cells: result.cells.length,
    wallS,
    cpuMsPerCell: (cpu.user + cpu.system) / 1000 / result.cells.length,
    rssMb: { atQuarter: mb(rssAt[0] ?? NaN), atHalf: mb(rssAt[1] ?? NaN), atEnd: mb(process.memoryUsage().rss), max: mb(Math.max(...samples)) },
    heapAfterGcMb: heapAfterGc.map(mb),
    eld: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
    ttft: { p50: percentile(ttfts, 50)!, p95: percentile(ttfts, 95)!, p99: percentile(ttfts, 99)! },
  };
}

/** The streaming client alone: the same requests, 64 in flight, no suite around them. */
async function streamOnly(baseUrl: string, count: number): Promise<{ cpuMsPerRequest: number; wallS: number }> {
  const backends = planBackends(baseUrl).map((b) => b.backend);
  const memory = new UsageSupportMemory();
  const params = RequestParams.parse({ maxTokens: 64, temperature: 0 });
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const r = await streamCompletion({
          backend: backends[i % 2]!,
          messages: [{ role: 'user', content: `Question ${i >> 1}: what is the capital of France? Answer in one sentence.` }],
          params,
          usageMemory: memory,
          promptTokens: 20,
        });
        if (r.status !== 'ok') throw new Error(`stream ${i}: ${r.status}`);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / count, wallS: (performance.now() - t0) / 1000 };
}

async function installPromptfoo(dir: string): Promise<{ bin: string } | { error: string }> {
  const npm = spawnSync('npm', ['install', '--prefix', dir, `promptfoo@${promptfooVersion}`, '--no-audit', '--no-fund', '--loglevel=error'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (npm.status !== 0) return { error: `npm install promptfoo@${promptfooVersion} failed (exit ${npm.status}): ${(npm.stderr || npm.error?.message || '').trim().split('\n').slice(-3).join(' ')}` };
  const bin = path.join(dir, 'node_modules', '.bin', 'promptfoo');
  return fs.existsSync(bin) ? { bin } : { error: 'the promptfoo package installed without its command' };
}

/** 1-minute load averages seen during the run (other work on the machine skews every timing). */
const loadSamples: number[] = [];

async function main(): Promise<void> {
  const load = setInterval(() => loadSamples.push(os.loadavg()[0]!), 5000);
  load.unref();
  loadSamples.push(os.loadavg()[0]!);
  console.log('Building dist/cli.js …');
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-suite-bench-'));
  const server = await startServer();
  try {
    const files = writeSuiteFiles(work, server.baseUrl);
    console.log(`Fixture server ${server.baseUrl}; ${tests} tests × 2 backends = ${tests * 2} cells, ${concurrency} in flight.`);
    console.log('Warm-up …');
    await inProcessRun(writeSmall(work, server.baseUrl), server.baseUrl, path.join(work, 'warm.jsonl'));
    // The three in-process variants run in interleaved rounds so they share the machine's conditions;
    // each figure is the median over the rounds.
    const streams: Array<Awaited<ReturnType<typeof streamOnly>>> = [];
    const withRuns: InProcess[] = [];
    const withoutRuns: InProcess[] = [];
    for (let round = 1; round <= rounds; round++) {
      console.log(`Round ${round}/${rounds}: streaming client alone …`);
      streams.push(await streamOnly(server.baseUrl, tests * 2));
      console.log(`  ${fmt(streams.at(-1)!.cpuMsPerRequest, 3)} ms CPU per request`);
      console.log(`Round ${round}/${rounds}: runSuite with the JSONL results file …`);
      withRuns.push(await inProcessRun(files.bakeoffSuite, server.baseUrl, path.join(work, `results-${round}.jsonl`)));
      console.log(`  ${fmt(withRuns.at(-1)!.cpuMsPerCell, 3)} ms CPU per cell`);
      console.log(`Round ${round}/${rounds}: runSuite without a results file …`);
      withoutRuns.push(await inProcessRun(files.bakeoffSuite, server.baseUrl, null));
      console.log(`  ${fmt(withoutRuns.at(-1)!.cpuMsPerCell, 3)} ms CPU per cell`);
    }
    const stream = { cpuMsPerRequest: med(streams.map((x) => x.cpuMsPerRequest)), wallS: med(streams.map((x) => x.wallS)) };
    const withJsonl = medianRun(withRuns);
    const withoutJsonl = medianRun(withoutRuns);
    fs.copyFileSync(path.join(work, 'results-1.jsonl'), path.join(work, 'results.jsonl'));

    console.log('Summary and reports of the 10,000 cells …');
    const lines = fs.readFileSync(path.join(work, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const t0 = performance.now();
    const report = buildSuiteReport({ header: { ...lines[0], tests: loadSuite(files.bakeoffSuite, { env: {} }).tests.map((t) => ({ id: t.id, index: t.index, description: t.description, promptLabel: t.promptLabel, metadata: t.metadata })) }, cells: lines.slice(1), outcome: 'finished' });
    const summaryS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    toSuiteHtml(report);
    toSuiteMarkdown(report);
    const renderS = (performance.now() - t1) / 1000;

    const env = { PATH: process.env.PATH, HOME: work, OPENAI_API_KEY: 'bench-key', PROMPTFOO_CONFIG_DIR: path.join(work, 'promptfoo-home'), PROMPTFOO_DISABLE_TELEMETRY: '1', PROMPTFOO_DISABLE_UPDATE: '1', PROMPTFOO_DISABLE_SHARING: '1' };
    console.log('bakeoff run (built CLI, separate process) …');
    const cli = await timed(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', files.bakeoffSuite, '--seed', '1', '--concurrency', String(concurrency), '-o', path.join(work, 'cli.jsonl'), '-o', path.join(work, 'cli.html')], env, work);
    if (cli.code !== 0) throw new Error(`bakeoff run exited ${cli.code}: ${cli.stderr.slice(-500)}`);
    console.log(`  ${fmt(cli.wallS, 1)} s wall, ${fmt(cli.userS + cli.sysS, 1)} s CPU, ${fmt(cli.maxRssMb, 0)} MB peak RSS`);
    console.log('bakeoff run with NODE_OPTIONS=--max-old-space-size=160 …');
    const capped = await timed(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', files.bakeoffSuite, '--seed', '1', '--concurrency', String(concurrency), '-o', path.join(work, 'capped.jsonl')], { ...env, NODE_OPTIONS: '--max-old-space-size=160' }, work);
    if (capped.code !== 0) throw new Error(`bakeoff run (capped heap) exited ${capped.code}: ${capped.stderr.slice(-500)}`);
    console.log(`  ${fmt(capped.wallS, 1)} s wall, ${fmt(capped.userS + capped.sysS, 1)} s CPU, ${fmt(capped.maxRssMb, 0)} MB peak RSS`);

    let promptfoo: Awaited<ReturnType<typeof timed>> | null = null;
    let promptfooNote = '';
    if (withPromptfoo) {
      console.log(`Installing promptfoo@${promptfooVersion} into a temporary directory …`);
      const pfDir = path.join(work, 'promptfoo');
      const installed = await installPromptfoo(pfDir);
      if ('error' in installed) promptfooNote = installed.error;
      else {
        console.log('promptfoo eval -j 64 (separate process) …');
        promptfoo = await timed(installed.bin, ['eval', '-c', files.promptfooConfig, '-j', String(concurrency), '--no-cache', '--no-table', '--no-progress-bar', '-o', path.join(work, 'promptfoo.json')], env, work);
        if (promptfoo.code !== 0) {
          promptfooNote = `promptfoo eval exited ${promptfoo.code}: ${promptfoo.stderr.trim().split('\n').slice(-3).join(' ')}`;
          promptfoo = null;
        } else console.log(`  ${fmt(promptfoo.wallS, 1)} s wall, ${fmt(promptfoo.userS + promptfoo.sysS, 1)} s CPU, ${fmt(promptfoo.maxRssMb, 0)} MB peak RSS`);
      }
    } else promptfooNote = 'skipped (--no-promptfoo)';

    clearInterval(load);
    writeReport({ stream, withJsonl, withoutJsonl, summaryS, renderS, cli, capped, promptfoo, promptfooNote, loadAverage: { min: Math.min(...loadSamples), max: Math.max(...loadSamples), cores: os.cpus().length } });
  } finally {
    server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function writeSmall(dir: string, baseUrl: string): string {
  const file = path.join(dir, 'warm.yaml');
  fs.writeFileSync(
    file,
    [
      'prompts: ["Question {{n}}: what is the capital of France? Answer in one sentence."]',
      'providers:',
      ...['bench-a', 'bench-b'].map((m) => `  - { id: "openai:chat:${m}", config: { apiBaseUrl: "${baseUrl}" }, concurrency: 32 }`),
      'tests:',
      ...Array.from({ length: 200 }, (_, i) => `  - { vars: { n: "${i}" }, assert: [{ type: icontains, value: paris }] }`),
      '',
    ].join('\n'),
  );
  return file;
}

function writeReport(r: {
  stream: Awaited<ReturnType<typeof streamOnly>>;
  withJsonl: InProcess;
  withoutJsonl: InProcess;
  summaryS: number;
  renderS: number;
  cli: Awaited<ReturnType<typeof timed>>;
  capped: Awaited<ReturnType<typeof timed>>;
  promptfoo: Awaited<ReturnType<typeof timed>> | null;
  promptfooNote: string;
  loadAverage?: { min: number; max: number; cores: number };
}): void {
  const cpus = os.cpus();
  const cells = r.withJsonl.cells;
  const machine = [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} logical cores, shared with the fixture server and other work on the machine)`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node.js: ${process.version}`,
    `- Date: ${new Date().toISOString()}`,
    ...(r.loadAverage ? [`- Load average (1 min) during the run: ${fmt(r.loadAverage.min, 1)}–${fmt(r.loadAverage.max, 1)} on ${r.loadAverage.cores} cores (other work on the machine included)`] : []),
  ];
  const cliCpu = r.cli.userS + r.cli.sysS;
  const side = [
    '| Tool | Wall (s) | CPU (s) | CPU per cell (ms) | Peak RSS (MB) | RSS at ¼ / ½ / end of run (MB) |',
    '|---|---:|---:|---:|---:|---|',
    `| bakeoff run (built CLI; streams, grades, writes .jsonl and .html, computes every interval) | ${fmt(r.cli.wallS, 1)} | ${fmt(cliCpu, 1)} | ${fmt((cliCpu * 1000) / cells, 2)} | ${fmt(r.cli.maxRssMb, 0)} | ${rssTrail(r.cli.rssSamplesMb)} |`,
    `| bakeoff run, same, with NODE_OPTIONS=--max-old-space-size=160 (.jsonl only) | ${fmt(r.capped.wallS, 1)} | ${fmt(r.capped.userS + r.capped.sysS, 1)} | ${fmt(((r.capped.userS + r.capped.sysS) * 1000) / cells, 2)} | ${fmt(r.capped.maxRssMb, 0)} | ${rssTrail(r.capped.rssSamplesMb)} |`,
    r.promptfoo
      ? `| promptfoo ${promptfooVersion} eval -j 64 (non-streaming requests; writes .json and its database) | ${fmt(r.promptfoo.wallS, 1)} | ${fmt(r.promptfoo.userS + r.promptfoo.sysS, 1)} | ${fmt(((r.promptfoo.userS + r.promptfoo.sysS) * 1000) / cells, 2)} | ${fmt(r.promptfoo.maxRssMb, 0)} | ${rssTrail(r.promptfoo.rssSamplesMb)} |`
      : `| promptfoo ${promptfooVersion} | not run: ${r.promptfooNote} | | | | |`,
  ];
  const inproc = [
    '| Measure | With the JSONL results file | Without |',
    '|---|---:|---:|',
    `| Harness CPU per cell (ms) — runSuite: stream, grade, write (rounds: ${(r.withJsonl.cpuRounds ?? []).map((v) => fmt(v, 2)).join(', ')} / ${(r.withoutJsonl.cpuRounds ?? []).map((v) => fmt(v, 2)).join(', ')}) | ${fmt(r.withJsonl.cpuMsPerCell, 3)} | ${fmt(r.withoutJsonl.cpuMsPerCell, 3)} |`,
    `| … of which the streaming client alone (streamCompletion, same requests) | ${fmt(r.stream.cpuMsPerRequest, 3)} | |`,
    `| … the suite's own share (runSuite − streaming client) | ${fmt(r.withJsonl.cpuMsPerCell - r.stream.cpuMsPerRequest, 3)} | ${fmt(r.withoutJsonl.cpuMsPerCell - r.stream.cpuMsPerRequest, 3)} |`,
    `| Wall time (s) | ${fmt(r.withJsonl.wallS, 1)} | ${fmt(r.withoutJsonl.wallS, 1)} |`,
    `| RSS at ¼ / ½ / end of the cells, max (MB) | ${fmt(r.withJsonl.rssMb.atQuarter, 0)} / ${fmt(r.withJsonl.rssMb.atHalf, 0)} / ${fmt(r.withJsonl.rssMb.atEnd, 0)}, ${fmt(r.withJsonl.rssMb.max, 0)} | ${fmt(r.withoutJsonl.rssMb.atQuarter, 0)} / ${fmt(r.withoutJsonl.rssMb.atHalf, 0)} / ${fmt(r.withoutJsonl.rssMb.atEnd, 0)}, ${fmt(r.withoutJsonl.rssMb.max, 0)} |`,
    `| Heap in use after a full GC at ¼ / ½ / end (MB) | ${r.withJsonl.heapAfterGcMb.map((v) => fmt(v, 0)).join(' / ') || '— (run with --expose-gc)'} | ${r.withoutJsonl.heapAfterGcMb.map((v) => fmt(v, 0)).join(' / ') || '—'} |`,
    `| Event-loop delay p50 / p99 / max (ms) | ${fmt(r.withJsonl.eld.p50)} / ${fmt(r.withJsonl.eld.p99)} / ${fmt(r.withJsonl.eld.max)} | ${fmt(r.withoutJsonl.eld.p50)} / ${fmt(r.withoutJsonl.eld.p99)} / ${fmt(r.withoutJsonl.eld.max)} |`,
    `| Main-thread time to queue a results line, mean / max (µs; the write runs on the thread pool) | ${fmt(r.withJsonl.writeSyncUs?.mean, 1)} / ${fmt(r.withJsonl.writeSyncUs?.max, 1)} | — |`,
    `| Measured TTFT p50 / p95 / p99 (ms; the server waits 20 ms) | ${fmt(r.withJsonl.ttft.p50)} / ${fmt(r.withJsonl.ttft.p95)} / ${fmt(r.withJsonl.ttft.p99)} | ${fmt(r.withoutJsonl.ttft.p50)} / ${fmt(r.withoutJsonl.ttft.p95)} / ${fmt(r.withoutJsonl.ttft.p99)} |`,
    `| Summary with every bootstrap interval, then .html + .md (s) | ${fmt(r.summaryS, 2)} + ${fmt(r.renderS, 2)} | |`,
  ];
  writeSection('Suite runner', [
    `${cells.toLocaleString('en-US')} cells (${(cells / 2).toLocaleString('en-US')} tests × 2 backends, one trial) at 64 requests in flight (32 per backend) against the`,
    'local fixture server in its own process (first content 20 ms after headers, 10 content chunks 2 ms apart, usage',
    'reported). The suite is a promptfoo config (`prompts`, two `openai:chat` providers, `tests: file://tests.csv`',
    'with an `icontains` assertion); Bakeoff runs the same prompt, tests and providers with `concurrency: 32` on each',
    'provider, promptfoo runs the config as it is with `-j 64 --no-cache`. Everything ran in one `npm run bench:suite`,',
    `one after another; the in-process figures are medians of ${rounds} interleaved rounds. Harness CPU is \`process.cpuUsage()\` of the`,
    'Bakeoff process (the server is another process); the side-by-side rows are `/usr/bin/time` of each command, startup included.',
    '',
    ...machine,
    '',
    '### In process',
    '',
    ...inproc,
    '',
    '### Side by side',
    '',
    ...side,
    '',
    '### Reading',
    '',
    `- Harness CPU per cell: ${fmt(r.withJsonl.cpuMsPerCell, 2)} ms — ${verdict(r.withJsonl.cpuMsPerCell < 1)} the goal of < 1 ms. The suite runner's own share (planning, grading,`,
    `  results file, progress) is ${fmt(Math.max(0, r.withJsonl.cpuMsPerCell - r.stream.cpuMsPerRequest), 2)} ms; the rest is the streaming client every Bakeoff command uses`,
    `  (${fmt(r.stream.cpuMsPerRequest, 2)} ms per request). In its CPU profile no single part of ours dominates: the kernel's share of a fresh TCP`,
    '  connection per request (connect and close, as the bare `node:http` anchor of the CLI section pays too), garbage collection',
    '  (about a tenth), V8 compiling the hot paths on its helper threads during the first thousands of cells (see the CLI section),',
    '  one `JSON.parse` per event, the event-stream parser and the timers and abort signals of each request. (The `openai` SDK',
    '  now builds each client\'s request once instead of on every request, which cost about 0.15–0.2 ms per request.)',
    `- Memory: the heap in use after a full GC stays flat over the run (${r.withJsonl.heapAfterGcMb.map((v) => fmt(v, 0)).join(' → ')} MB: cells are small and nothing piles up);`,
    '  RSS is higher because V8 grows its heap under this allocation rate. The servers here report usage, so no prompt is',
    '  counted and the token-counting worker (about 90 MB with its tokenizer, and about 1 s of CPU to load it) never starts.',
    `  The built CLI peaked at ${fmt(r.cli.maxRssMb, 0)} MB — ${verdict(r.cli.maxRssMb < 300)} the goal of < 300 MB;`,
    `  with \`NODE_OPTIONS=--max-old-space-size=160\` the same run peaked at ${fmt(r.capped.maxRssMb, 0)} MB (CPU ${fmt(r.capped.userS + r.capped.sysS, 1)} s vs ${fmt(r.cli.userS + r.cli.sysS, 1)} s).`,
    `- Writing the results file costs the event loop ${fmt(r.withJsonl.writeSyncUs?.mean, 1)} µs per cell on average (serialise and queue; the write`,
    '  itself runs on the thread pool; the largest single call also holds whatever paused the process meanwhile: a garbage',
    '  collection, or the process waiting for one of the shared cores).',
    `  ${spreadSentence('TTFT p95', r.withJsonl.ttftP95Rounds ?? [], r.withoutJsonl.ttftP95Rounds ?? [], 'ms')}`,
    `  ${spreadSentence('Event-loop delay p99', r.withJsonl.eldP99Rounds ?? [], r.withoutJsonl.eldP99Rounds ?? [], 'ms')}`,
    '  Both are dominated by the two shared cores being saturated (64 streams plus the server), which is also why TTFT reads',
    '  above the 20 ms the server waits.',
    ...(r.promptfooNote && r.promptfoo ? [] : r.promptfooNote ? ['', `promptfoo: ${r.promptfooNote}.`] : []),
  ]);
  fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(root, '.bench', 'suite-bench.json'), JSON.stringify(r, null, 2));
  console.log('');
  console.log([...machine, '', ...inproc, '', ...side].join('\n'));
}

/** Whether a figure meets its goal, in words. */
function verdict(met: boolean): string {
  return met ? 'meets' : 'misses';
}

/** Compares a measure with and without the results file against the round-to-round spread. */
function spreadSentence(what: string, withFile: number[], without: number[], unit: string): string {
  const list = (v: number[]) => v.map((x) => fmt(x, 1)).join(', ');
  const lo = Math.min(...without);
  const hi = Math.max(...without);
  const m = med(withFile);
  const verdict = m < lo ? 'below every run without it' : m <= hi ? 'within the spread of the runs without it (no delay attributable to the file)' : 'above every run without it';
  return `${what} by round: with the file ${list(withFile)} ${unit}, without ${list(without)} ${unit} — the median with the file is ${verdict}.`;
}

/** RSS at a quarter, half and the end of the samples. */
function rssTrail(samples: number[]): string {
  if (samples.length < 4) return '—';
  const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))]!;
  return `${fmt(at(0.25), 0)} / ${fmt(at(0.5), 0)} / ${fmt(at(1), 0)}`;
}

if (args.includes('--render-only')) {
  // Rewrites the BENCHMARKS.md section from the figures of the last run (.bench/suite-bench.json).
  writeReport(JSON.parse(fs.readFileSync(path.join(root, '.bench', 'suite-bench.json'), 'utf8')));
} else
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
