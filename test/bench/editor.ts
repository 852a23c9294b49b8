/**
 * Bakeoff in the real editor (code-server 4.100.3 in Chromium, as the e2e suite runs it):
 *
 * 1. Activation: in each of several fresh editor sessions, a probe in the extension host
 *    (editorProbe.ts) activates a reference extension whose `activate` is empty, then Bakeoff,
 *    and records the time of each `activate()` call (module loading included), the heap each left
 *    behind after a full GC, and which of Bakeoff's files were loaded. Bakeoff is installed from a
 *    .vsix of the production build whose manifest lists no activation events, so that the probe,
 *    not the editor's start-up, activates it (what activation does does not depend on its cause).
 *    Also: the size of every production bundle and of what activation loads.
 * 2. Timing parity: one fixture server with a fixed schedule; in the last session the panel runs
 *    20 trials (Compare Prompt… typed in the palette, the results exported as JSON), then the CLI
 *    runs the same 20 trials against the same server while the editor stays open. Bias of a trial =
 *    its TTFT − the time the server took from receiving the request to writing the first token
 *    (its own clock): what the client adds (connection, transit, its own work).
 *
 * Writes its section of BENCHMARKS.md.
 *
 *   npm run bench
 *   node --import tsx test/bench/editor.ts [--sessions 5] [--no-build]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { percentile } from '../../src/core/stats';
import type { RecordedRequest, Schedule } from '../fixtures/server';
import { FixtureProcess } from '../e2e/fixtureProcess';
import { EditorSession, poll, repoRoot } from '../e2e/harness';
import type { ActivationSample } from './editorProbe';
import { machineLines, writeSection } from './report';

const parityTrials = 20;
const parityModel = 'parity-model';
const paritySchedule: Schedule = {
  text: Array.from({ length: 24 }, (_, i) => `token${i + 1}`).join(' '),
  ttftMs: 120,
  chunkIntervalMs: 15,
  usage: 'requested',
};

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => percentile(xs, 50) ?? NaN;

/**
 * A .vsix of the production build whose manifest lists no activation events (the probe activates
 * it); installed like a user installs it, so it runs in the editor's normal (production) mode.
 */
function packageExtension(dir: string): string {
  const ext = path.join(dir, 'bakeoff');
  fs.mkdirSync(ext, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  manifest.activationEvents = [];
  delete manifest.scripts;
  fs.writeFileSync(path.join(ext, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.cpSync(path.join(repoRoot, 'dist'), path.join(ext, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  fs.cpSync(path.join(repoRoot, 'media'), path.join(ext, 'media'), { recursive: true });
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) fs.copyFileSync(path.join(repoRoot, file), path.join(ext, file));
  const vsix = path.join(dir, 'bakeoff-bench.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
  const r = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: ext, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vsce package failed:\n${r.stdout}\n${r.stderr}`);
  return vsix;
}

/** The reference extension: one command, an empty `activate`. */
function anchorExtension(dir: string): string {
  const ext = path.join(dir, 'anchor');
  fs.mkdirSync(ext, { recursive: true });
  fs.writeFileSync(
    path.join(ext, 'package.json'),
    JSON.stringify({
      name: 'anchor',
      publisher: 'bakeoff-bench',
      version: '0.0.1',
      engines: { vscode: '^1.100.0' },
      main: './extension.js',
      activationEvents: [],
      contributes: { commands: [{ command: 'bakeoffBenchAnchor.noop', title: 'Bench anchor' }] },
    }),
  );
  fs.writeFileSync(path.join(ext, 'extension.js'), 'exports.activate = function () {};\nexports.deactivate = function () {};\n');
  return ext;
}

async function buildProbe(dir: string): Promise<string> {
  const outfile = path.join(dir, 'probe', 'index.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'editorProbe.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outfile;
}

function bundleSizes(): Array<{ file: string; bytes: number }> {
  const dist = path.join(repoRoot, 'dist');
  return fs
    .readdirSync(dist)
    .filter((f) => f.endsWith('.js'))
    .map((file) => ({ file: `dist/${file}`, bytes: fs.statSync(path.join(dist, file)).size }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** Server-side time from request received to first token, per chat request in arrival order. */
function serverTtfts(requests: RecordedRequest[]): number[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/chat/completions'))
    .sort((a, b) => a.receivedAtMs - b.receivedAtMs)
    .map((r) => (r.firstContentAtMs ?? NaN) - r.receivedAtMs);
}

interface JsonRow {
  trial: number;
  status: string;
  ttftMs: number | null;
  phases: Record<string, number | boolean | null> | null;
}

/** Median of each phase of the timing breakdown over the rows (README → Metrics). */
function phaseMedians(rows: JsonRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(rows[0]?.phases ?? {})) {
    if (key === 'connectionReused') continue;
    const xs = rows.map((r) => r.phases?.[key]).filter((x): x is number => typeof x === 'number');
    if (xs.length) out[key] = median(xs);
  }
  return out;
}

function biases(rows: JsonRow[], server: number[]): number[] {
  const sorted = [...rows].sort((a, b) => a.trial - b.trial);
  if (sorted.length !== server.length) throw new Error(`${sorted.length} results but the server saw ${server.length} requests`);
  return sorted.map((r, i) => {
    if (r.status !== 'ok' || r.ttftMs === null) throw new Error(`trial ${r.trial} ended ${r.status}`);
    return r.ttftMs - server[i]!;
  });
}

/** The panel's run: Compare Prompt… in the palette, wait for the end, export JSON. */
async function panelRun(session: EditorSession, fixture: FixtureProcess): Promise<JsonRow[]> {
  await fixture.clearRequests();
  await session.runCommand('Bakeoff: Compare Prompt…');
  await session.answerInputBox('Say hello.');
  await poll(async () => (await fixture.chatRequests()).length >= parityTrials || undefined, {
    what: `${parityTrials} requests at the fixture server`,
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  const exportButton = session.webview().locator('[data-testid="action-export"]');
  await poll(() => exportButton.isEnabled({ timeout: 1000 }), { what: 'the run to finish (Export enabled)', timeoutMs: 60_000 });
  const exported = path.join(session.dirs.workspace, 'parity.json');
  await session.runCommand('Bakeoff: Export Results…');
  await session.pickQuickItem('JSON (same shape');
  const input = session.page.locator('.quick-input-widget input.input');
  await poll(async () => /\.json$/.test(await input.inputValue({ timeout: 1000 })), { what: 'the save dialog' });
  await input.fill(exported);
  await input.press('Enter');
  return poll(
    () => {
      try {
        return (JSON.parse(fs.readFileSync(exported, 'utf8')) as { results: JsonRow[] }).results;
      } catch {
        return false;
      }
    },
    { what: 'the exported JSON', timeoutMs: 20_000 },
  );
}

/** The CLI's run of the same trials (the production bundle, in its own process). */
function cliRun(dir: string, fixture: FixtureProcess): Promise<JsonRow[]> {
  const config = path.join(dir, 'parity.json');
  fs.writeFileSync(config, JSON.stringify({ backends: [{ id: 'parity', kind: 'local', baseUrl: fixture.baseUrl, model: parityModel, pricing: { type: 'free' } }] }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'compare', '--config', config, '--prompt', 'Say hello.', '--trials', String(parityTrials), '--json'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      try {
        resolve((JSON.parse(out) as { results: JsonRow[] }).results);
      } catch {
        reject(new Error(`the CLI run failed (exit ${code})`));
      }
    });
  });
}

async function main(): Promise<void> {
  const sessions = Math.max(1, Number(argValue('--sessions') ?? 5));
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: repoRoot, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('production build failed');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-bench-editor-'));
  const vsix = packageExtension(dir);
  const anchor = anchorExtension(dir);
  const probe = await buildProbe(dir);
  const fixture = await FixtureProcess.start('parity', { [parityModel]: paritySchedule });

  const activations: Array<{ anchor: ActivationSample; bakeoff: ActivationSample }> = [];
  let panel: number[] = [];
  let cli: number[] = [];
  let panelPhases: Record<string, number> = {};
  let cliPhases: Record<string, number> = {};
  let vscodeVersion = '';
  try {
    for (let i = 0; i < sessions; i++) {
      const out = path.join(dir, `activation-${i}.json`);
      const session = await EditorSession.start({
        name: 'bench-editor',
        vsix,
        developmentPath: anchor,
        testsPath: probe,
        env: { BAKEOFF_BENCH_OUT: out },
        // Set before the start, as a user's are (the editor may not notice a settings file replaced later).
        userSettings: {
          'bakeoff.backends': [{ id: 'parity', label: 'Parity', kind: 'local', baseUrl: fixture.baseUrl, model: parityModel, pricing: { type: 'free' } }],
          'bakeoff.trials': parityTrials,
        },
      });
      try {
        const result = await poll(
          () => {
            try {
              return JSON.parse(fs.readFileSync(out, 'utf8')) as { samples: ActivationSample[]; vscodeVersion: string; error?: string };
            } catch {
              return false;
            }
          },
          { what: 'the activation probe', timeoutMs: 120_000, intervalMs: 250 },
        );
        if (result.error) throw new Error(`the activation probe failed: ${result.error}`);
        vscodeVersion = result.vscodeVersion;
        const [a, b] = result.samples;
        if (a!.error || b!.error) throw new Error(`activation not measured: ${a!.error ?? b!.error}`);
        activations.push({ anchor: a!, bakeoff: b! });
        console.log(`session ${i + 1}: anchor ${a!.activateMs.toFixed(1)} ms, Bakeoff ${b!.activateMs.toFixed(1)} ms, heap ${b!.heapRetainedMiB.toFixed(2)} MiB`);
        if (i === sessions - 1) {
          const panelRows = await panelRun(session, fixture);
          panel = biases(panelRows, serverTtfts(await fixture.requests()));
          panelPhases = phaseMedians(panelRows);
          await fixture.clearRequests();
          const cliRows = await cliRun(dir, fixture);
          cli = biases(cliRows, serverTtfts(await fixture.requests()));
          cliPhases = phaseMedians(cliRows);
          console.log('panel biases', panel.map((x) => x.toFixed(1)).join(' '));
          console.log('CLI biases', cli.map((x) => x.toFixed(1)).join(' '));
        }
      } catch (err) {
        await session.screenshot('bench-editor-failure').catch(() => undefined);
        console.error(`screenshot and logs in ${session.saveLogs('bench-editor-failure')}`);
        throw err;
      } finally {
        fs.writeFileSync(`${out}.done`, '');
        await session.close();
      }
    }
  } finally {
    await fixture.stop();
  }

  const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
  const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const row = (name: string, pick: (s: { anchor: ActivationSample; bakeoff: ActivationSample }) => ActivationSample) => {
    const xs = activations.map(pick);
    const ms = xs.map((s) => s.activateMs);
    return `| ${name} | ${xs.length} | ${f1(median(ms))} | ${f1(Math.min(...ms))}–${f1(Math.max(...ms))} | ${f2(median(xs.map((s) => s.heapRetainedMiB)))} | ${f2(median(xs.map((s) => s.heapAllocatedMiB)))} |`;
  };
  const loaded = activations[0]?.bakeoff.loadedFiles ?? [];
  const activationTable = [
    '| Extension | Sessions | `activate()` p50 (ms) | min–max (ms) | Heap retained p50 (MiB) | Heap allocated p50 (MiB) |',
    '|---|---:|---:|---:|---:|---:|',
    row('empty `activate` (anchor)', (s) => s.anchor),
    row('Bakeoff', (s) => s.bakeoff),
  ];
  const sizeTable = [
    '| Bundle | Size | Loaded at activation |',
    '|---|---:|---|',
    ...bundleSizes().map((b) => `| \`${b.file}\` | ${kib(b.bytes)} | ${loaded.some((l) => `dist/${path.basename(l.file)}` === b.file) ? 'yes' : 'no'} |`),
    `| **loaded at activation, total** (goal ≤ 500 KB) | ${kib(loaded.reduce((n, l) => n + l.bytes, 0))} | ${loaded.map((l) => `\`${l.file}\``).join(', ')} |`,
  ];
  const pct = (xs: number[], p: number) => f1(percentile(xs, p) ?? NaN);
  const parityTable = [
    '| Client | Trials | TTFT p50 (ms) | Bias p50 (ms) | Bias p95 (ms) | Bias max (ms) |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const ratio = median(panel) / median(cli);
  for (const [name, xs] of [
    ['CLI (`bakeoff compare`)', cli],
    ['panel (extension host)', panel],
  ] as const) {
    parityTable.push(`| ${name} | ${xs.length} | — | ${pct(xs, 50)} | ${pct(xs, 95)} | ${f1(Math.max(...xs))} |`);
  }
  parityTable.push(`| panel ÷ CLI, p50 (goal ≤ 2×) | | | ${f2(ratio)}× | | |`);
  // The TTFT column: the schedule's first token plus the bias; shown for scale.
  parityTable[2] = parityTable[2]!.replace('| — |', `| ${f1(paritySchedule.ttftMs! + median(cli))} |`);
  parityTable[3] = parityTable[3]!.replace('| — |', `| ${f1(paritySchedule.ttftMs! + median(panel))} |`);
  const phaseTable = ['| Phase (median, ms) | CLI | panel |', '|---|---:|---:|'];
  for (const key of Object.keys({ ...cliPhases, ...panelPhases })) phaseTable.push(`| ${key} | ${f2(cliPhases[key] ?? NaN)} | ${f2(panelPhases[key] ?? NaN)} |`);
  fs.rmSync(dir, { recursive: true, force: true });

  const load = os.loadavg().map((x) => x.toFixed(1)).join(', ');
  writeSection('In the editor: activation and timing parity', [
    `code-server ${vscodeVersion ? `(VS Code ${vscodeVersion}) ` : ''}in headless Chromium, a fresh editor session each time. *Activation*: a probe in the`,
    'extension host waits for the editor\'s start-up work to settle (a second in which its event loop never ran 5 ms late),',
    'activates an extension whose `activate` is empty (the anchor), then Bakeoff (a .vsix of the production build whose',
    'manifest lists no activation events, so the probe, not the start-up, activates it); time of each',
    '`activate()` call, module loading included, and the heap it leaves behind after a full GC 500 ms later',
    '("allocated": right after the call, before any GC). Goal: ≤ 50 ms and ≤ 3 MB.',
    `*Timing parity*: one fixture server (first token ${paritySchedule.ttftMs} ms after the request, then ${paritySchedule.chunkIntervalMs} ms between tokens); the panel runs`,
    `${parityTrials} trials (Compare Prompt…, results exported as JSON), then the CLI runs the same ${parityTrials} trials while the editor stays`,
    'open. Bias = TTFT − the server\'s own time from receiving the request to writing the first token: what the client',
    'adds (connection, transit, its own work). Reproduce with `npm run bench`.',
    '',
    ...machineLines(),
    `- Load average at the end: ${load}`,
    '',
    ...activationTable,
    '',
    ...sizeTable,
    '',
    ...parityTable,
    '',
    'Where the time of those trials went (the timing breakdown, README → Metrics), median per phase:',
    '',
    ...phaseTable,
  ]);
  console.log([...activationTable, '', ...sizeTable, '', ...parityTable, '', ...phaseTable].join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
