#!/usr/bin/env node
// Runs every test suite in order and prints one closing line `N passed, N failed`.
//
//   node test/run-all.mjs                 # types, lint, unit, package, integration, e2e
//   node test/run-all.mjs unit e2e        # only the named suites (same order)
//
// Suites and how they count:
//   types        `npm run check-types`; counts as one test.
//   lint         `npm run lint` (ESLint, layer boundaries, zero warnings); counts as one test.
//   unit         node:test over test/unit/**/*.test.ts; counts from its TAP summary.
//   package      build + `vsce package`; six checks (packages, contents, size, ranks only in the
//                worker bundle, worker bundle self-contained, what activation loads ≤ 500 KB).
//   integration  mocha inside the extension host of a real VS Code (code-server); counts its tests.
//   e2e          UI scenarios in code-server + Chromium; counts its scenarios.
// A suite that crashes before reporting counts as one failure. Exit code 1 when anything failed.
// Screenshots and, on failure, logs are kept in test-results/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'test-results');
const ALL_SUITES = ['types', 'lint', 'unit', 'package', 'integration', 'e2e'];
const MAX_VSIX_BYTES = 5 * 1024 * 1024;
/** Most bytes of bundles the editor may load to activate the extension (issue: "≤ 500 KB at activation"). */
const MAX_ACTIVATION_BYTES = 500_000;

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of requested) {
  if (!ALL_SUITES.includes(name)) {
    console.error(`unknown suite "${name}"; choose from: ${ALL_SUITES.join(', ')}`);
    process.exit(2);
  }
}
const suites = requested.length ? ALL_SUITES.filter((s) => requested.includes(s)) : ALL_SUITES;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-test-'));
fs.rmSync(RESULTS_DIR, { recursive: true, force: true });
fs.mkdirSync(RESULTS_DIR, { recursive: true });

/** @type {{suite: string, passed: number, failed: number, note?: string}[]} */
const tally = [];
let vsixPath = '';

function banner(text) {
  console.log(`\n========== ${text} ==========`);
}

/**
 * Runs a command with its output shown live; resolves to its exit code.
 * @param {string} cmd @param {string[]} args @param {{env?: NodeJS.ProcessEnv, capture?: boolean}} [opts]
 * @returns {Promise<{code: number, output: string}>}
 */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const forward = (stream) => (chunk) => {
      stream.write(chunk);
      if (opts.capture) output += chunk.toString();
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('error', (err) => {
      console.error(`could not start ${cmd}: ${err.message}`);
      resolve({ code: 127, output });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** Lists files below `dir` whose path relative to ROOT matches `suffix`. */
function findFiles(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.relative(ROOT, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Reads `{passed, failed}` written by a sub-runner; null when missing or unreadable. */
function readResults(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (Number.isInteger(r.passed) && Number.isInteger(r.failed)) return r;
  } catch {
    /* reported by the caller */
  }
  return null;
}

/** Names of the files inside a zip archive (reads the central directory). */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

async function suiteTypes() {
  const { code } = await run('npm', ['run', '--silent', 'check-types']);
  if (code === 0) console.log('ok - type-check');
  else console.log(`not ok - type-check (exit ${code})`);
  return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
}

async function suiteLint() {
  const { code } = await run('npm', ['run', '--silent', 'lint']);
  if (code === 0) console.log('ok - lint');
  else console.log(`not ok - lint (exit ${code})`);
  return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1 };
}

async function suiteUnit() {
  const files = findFiles(path.join(ROOT, 'test', 'unit'), '.test.ts');
  if (!files.length) {
    console.log('no unit test files found under test/unit/');
    return { passed: 0, failed: 0, note: 'no files' };
  }
  const tap = path.join(tmp, 'unit.tap');
  const { code } = await run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  const pass = /^# pass (\d+)$/m.exec(text);
  const fail = /^# fail (\d+)$/m.exec(text);
  if (!pass || !fail) {
    console.log(`unit test runner ended (exit ${code}) without a summary`);
    return { passed: 0, failed: 1 };
  }
  const passed = Number(pass[1]);
  let failed = Number(fail[1]);
  // A non-zero exit with no failed test (e.g. an unhandled error outside tests) is still a failure.
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

async function suitePackage() {
  let passed = 0;
  let failed = 0;
  const check = (ok, name, detail = '') => {
    console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
    if (ok) passed++;
    else failed++;
  };
  const out = path.join(tmp, 'bakeoff.vsix');
  // `vsce package` runs `vscode:prepublish` (the production build) first.
  const { code } = await run('npx', [
    '--no-install',
    'vsce',
    'package',
    '--no-dependencies',
    '--allow-missing-repository', '--no-rewrite-relative-links',
    '-o',
    out,
  ]);
  const built = code === 0 && fs.existsSync(out);
  check(built, 'vsce package builds bakeoff.vsix', built ? '' : `exit ${code}`);
  if (!built) return { passed, failed: failed + 5 };
  vsixPath = out;

  const entries = zipEntries(out).filter((e) => !e.endsWith('/'));
  const allowed = /^extension\/(dist\/.+|media\/.+|package\.json|readme\.md|changelog\.md|license(\.md|\.txt)?)$/i;
  const stray = entries.filter(
    (e) => !(e === 'extension.vsixmanifest' || e === '[Content_Types].xml' || allowed.test(e)) || /\.map$|\.vsix$/.test(e),
  );
  const required = [
    'extension/package.json',
    'extension/dist/extension.js',
    'extension/dist/host.js',
    'extension/dist/priceCatalogue.js',
    'extension/dist/tokenWorker.js',
    'extension/dist/webview/main.js',
  ];
  const absent = required.filter((r) => !entries.includes(r));
  check(
    stray.length === 0 && absent.length === 0,
    'vsix holds only dist/, media/, package.json, README, CHANGELOG, LICENSE',
    [stray.length ? `unexpected: ${stray.slice(0, 10).join(', ')}` : '', absent.length ? `missing: ${absent.join(', ')}` : '']
      .filter(Boolean)
      .join('; ') || `${entries.length} files`,
  );
  const size = fs.statSync(out).size;
  check(size < MAX_VSIX_BYTES, 'vsix is small', `${(size / 1024).toFixed(0)} KiB, limit ${MAX_VSIX_BYTES / 1024} KiB`);

  // The tokenizer ranks (~3.4 MB) live only in the counting worker's bundle.
  const bundle = (name) => {
    const file = path.join(ROOT, 'dist', name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
  };
  const bundles = fs.readdirSync(path.join(ROOT, 'dist')).filter((name) => name.endsWith('.js')).sort();
  const withRanks = bundles.filter((name) => bundle(name).includes(RANKS_MARKER));
  check(
    withRanks.length === 1 && withRanks[0] === 'tokenWorker.js',
    'tokenizer ranks only in dist/tokenWorker.js',
    bundles.map((name) => `${name} ${(bundle(name).length / 1024).toFixed(0)} KiB`).join(', '),
  );
  const counted = await countWithIsolatedWorker(path.join(ROOT, 'dist', 'tokenWorker.js'));
  check(counted === 6, 'dist/tokenWorker.js counts on its own, outside node_modules', `"tiktoken is great!" → ${counted}`);
  const loaded = await filesLoadedByActivation(path.join(ROOT, 'dist'));
  const loadedBytes = Array.isArray(loaded) ? loaded.reduce((n, f) => n + f.bytes, 0) : NaN;
  check(
    Array.isArray(loaded) && loadedBytes <= MAX_ACTIVATION_BYTES && !loaded.some((f) => /^(host|priceCatalogue|tokenWorker|cli\w*)\.js$/.test(f.file)),
    `activation loads at most ${MAX_ACTIVATION_BYTES / 1000} KB of bundles, none of host.js, priceCatalogue.js, tokenWorker.js`,
    Array.isArray(loaded) ? `${loaded.map((f) => `${f.file} ${(f.bytes / 1024).toFixed(1)} KiB`).join(', ')}; total ${(loadedBytes / 1000).toFixed(1)} KB` : loaded,
  );
  return { passed, failed };
}

/**
 * Activates dist/extension.js in a plain Node process against a stand-in for the \`vscode\` module
 * (every property and call answers with the stand-in itself) and lists the files under dist/ that
 * got loaded, with their sizes. Resolves to that list, or a description of the failure.
 */
async function filesLoadedByActivation(distDir) {
  const script = [
    "const Module = require('node:module'); const fs = require('node:fs'); const path = require('node:path');",
    '// Bundles read `import * as vscode` through a copy whose prototype is the module\'s: that prototype answers too.',
    'const proto = new Proxy({}, { get: (_t, p) => (p === "then" ? undefined : stub) });',
    'const stub = new Proxy(function () {}, { get: (_t, p) => (p === "then" ? undefined : stub), set: () => true, apply: () => stub, construct: () => stub, getPrototypeOf: () => proto });',
    'const load = Module._load;',
    "Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };",
    `const dist = ${JSON.stringify(distDir)};`,
    "const api = require(path.join(dist, 'extension.js')).activate(stub);",
    "if (api && typeof api.setApiKey !== 'function') throw new Error('activate returned something else than the test API');",
    'const files = Object.keys(require.cache).filter((f) => f.startsWith(dist + path.sep)).map((f) => ({ file: path.relative(dist, f), bytes: fs.statSync(f).size }));',
    'console.log(JSON.stringify(files));',
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  await new Promise((resolve) => child.on('close', resolve));
  try {
    return JSON.parse(output.trim());
  } catch {
    return output.trim().slice(0, 300) || 'no answer';
  }
}

/** The start of the BPE ranks of cl100k_base and o200k_base as js-tiktoken ships them. */
const RANKS_MARKER = 'IQ== Ig== Iw== JA== JQ== Jg== Jw== KA== KQ==';

/**
 * Copies the worker bundle alone into an empty folder (no node_modules to fall back on) and
 * counts one text through it as a worker thread, speaking the protocol of src/core/tokenWorker.ts.
 * Resolves to the count, or a description of the failure.
 */
async function countWithIsolatedWorker(bundlePath) {
  if (!fs.existsSync(bundlePath)) return 'no bundle';
  const dir = fs.mkdtempSync(path.join(tmp, 'worker-'));
  const copy = path.join(dir, 'tokenWorker.js');
  fs.copyFileSync(bundlePath, copy);
  const script = [
    "const { Worker } = require('node:worker_threads');",
    `const worker = new Worker(${JSON.stringify(copy)}, { workerData: { bakeoffTokenWorker: true } });`,
    "worker.on('error', (e) => { console.log('error: ' + e.message); process.exit(1); });",
    "worker.on('message', (m) => { if (m.type === 'result') { console.log(String(m.count)); process.exit(0); } });",
    "worker.postMessage({ type: 'count', id: 1, model: 'gpt-4', text: 'tiktoken is great!' });",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill(), 60_000);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const n = Number(output.trim());
  return Number.isInteger(n) ? n : output.trim().slice(0, 200) || 'no answer';
}

/** Builds the vsix without counting it (for running `e2e` on its own). */
async function ensureVsix() {
  if (vsixPath) return true;
  const out = path.join(tmp, 'bakeoff.vsix');
  const { code } = await run('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out]);
  if (code === 0 && fs.existsSync(out)) vsixPath = out;
  return Boolean(vsixPath);
}

async function suiteIntegration() {
  // The extension is loaded from the repo (extensionDevelopmentPath), so dist/ must be current.
  if (!suites.includes('package')) {
    const build = await run('node', ['esbuild.mjs']);
    if (build.code !== 0) return { passed: 0, failed: 1, note: 'extension build failed' };
  }
  const build = await run('node', ['test/integration/build.mjs']);
  if (build.code !== 0) return { passed: 0, failed: 1, note: 'suite build failed' };
  const resultsFile = path.join(tmp, 'integration.json');
  const { code } = await run(process.execPath, ['--import', 'tsx', 'test/e2e/runIntegration.ts'], {
    env: { BAKEOFF_RESULTS_FILE: resultsFile, BAKEOFF_TEST_RESULTS_DIR: RESULTS_DIR },
  });
  const r = readResults(resultsFile);
  if (!r) return { passed: 0, failed: 1, note: `runner exited ${code} without results` };
  if (code !== 0 && r.failed === 0) return { passed: r.passed, failed: 1, note: `runner exited ${code}` };
  return r;
}

async function suiteE2e() {
  if (!(await ensureVsix())) return { passed: 0, failed: 1, note: 'could not package the extension' };
  const resultsFile = path.join(tmp, 'e2e.json');
  const { code } = await run(process.execPath, ['--import', 'tsx', 'test/e2e/main.ts'], {
    env: { BAKEOFF_RESULTS_FILE: resultsFile, BAKEOFF_TEST_RESULTS_DIR: RESULTS_DIR, BAKEOFF_VSIX: vsixPath },
  });
  const r = readResults(resultsFile);
  if (!r) return { passed: 0, failed: 1, note: `runner exited ${code} without results` };
  if (code !== 0 && r.failed === 0) return { passed: r.passed, failed: 1, note: `runner exited ${code}` };
  return r;
}

const runners = { types: suiteTypes, lint: suiteLint, unit: suiteUnit, package: suitePackage, integration: suiteIntegration, e2e: suiteE2e };
const started = Date.now();
for (const suite of suites) {
  banner(suite);
  const t0 = Date.now();
  let r;
  try {
    r = await runners[suite]();
  } catch (err) {
    console.error(err);
    r = { passed: 0, failed: 1, note: `crashed: ${err instanceof Error ? err.message : String(err)}` };
  }
  tally.push({ suite, passed: r.passed, failed: r.failed, note: r.note });
  console.log(`[${suite}] ${r.passed} passed, ${r.failed} failed${r.note ? ` — ${r.note}` : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

fs.rmSync(tmp, { recursive: true, force: true });
const passed = tally.reduce((n, t) => n + t.passed, 0);
const failed = tally.reduce((n, t) => n + t.failed, 0);
banner(`summary (${((Date.now() - started) / 1000).toFixed(0)} s)`);
for (const t of tally) console.log(`  ${t.suite.padEnd(12)} ${t.passed} passed, ${t.failed} failed${t.note ? ` — ${t.note}` : ''}`);
const kept = fs.readdirSync(RESULTS_DIR);
if (failed > 0 && kept.length) console.log(`Screenshots and logs of the failures: ${path.relative(ROOT, RESULTS_DIR)}/`);
else if (kept.length) console.log(`Screenshots: ${path.relative(ROOT, RESULTS_DIR)}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
