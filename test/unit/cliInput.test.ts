/**
 * The CLI refuses bad input clearly (exit 2, nothing sent), reads with a bound, stays
 * interruptible, handles SIGTERM like Ctrl-C, and routes through proxies with verified TLS.
 * In-process through runCli where possible; the signal cases run the real binary entry point.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodes, runCli } from '../../src/cli/main';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { startProxy } from '../fixtures/proxy';
import { makeCertificates, startTlsFront, type TestCertificates, type TlsFront } from '../fixtures/tls';

const root = join(__dirname, '..', '..');
let fast: FixtureServer;
let slow: FixtureServer;
let dir: string;
let config: string;
let certs: TestCertificates;
let signedFront: TlsFront;
let selfSignedFront: TlsFront;

before(async () => {
  fast = await startFixtureServer({ schedules: { '*': { text: 'Fast answer.' } } });
  slow = await startFixtureServer({ schedules: { '*': { text: 'Slow answer.', ttftMs: 20_000 } } });
  dir = await mkdtemp(join(tmpdir(), 'bakeoff-cli-input-'));
  config = join(dir, 'bakeoff.json');
  await writeFile(
    config,
    JSON.stringify({
      backends: [
        { id: 'fast', kind: 'local', baseUrl: fast.baseUrl, model: 'f' },
        { id: 'slow', kind: 'local', baseUrl: slow.baseUrl, model: 's' },
      ],
    }),
  );
  certs = await makeCertificates();
  signedFront = await startTlsFront(fast.port, certs.signed);
  selfSignedFront = await startTlsFront(fast.port, certs.selfSigned);
});

after(async () => {
  await Promise.all([fast.close(), slow.close(), signedFront.close(), selfSignedFront.close()]);
  await rm(dir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

const sent = () => fast.requests.length + slow.requests.length;

test('binary, Latin-1 and broken prompt files are refused with the offset; nothing is sent', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['binary.bin', Buffer.from([0x48, 0x69, 0x00, 0x01, 0x02]), /contains a NUL byte at offset 2; is it a binary file\?/],
    ['latin1.txt', Buffer.from('Caf\xe9 au lait', 'latin1'), /is not valid UTF-8: byte 0xe9 at offset 3/],
    ['truncated.txt', Buffer.from([0x61, 0x62, 0xe2, 0x82]), /is not valid UTF-8: byte 0xe2 at offset 2/],
    ['overlong.txt', Buffer.from([0x61, 0xc0, 0xaf]), /is not valid UTF-8: byte 0xc0 at offset 1/],
    ['utf16-nul.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\0b', 'utf16le')]), /NUL character at byte offset 4 \(UTF-16 LE\)/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const before = sent();
    const t = io();
    assert.equal(await runCli(['compare', '-c', config, '-b', 'fast', '-f', file], t.io), exitCodes.usage, name);
    assert.match(t.stderr(), message, name);
    assert.ok(t.stderr().includes(file), `${name}: the message names the file`);
    assert.equal(sent(), before, `${name}: nothing was sent`);
  }
});

test('UTF-16 prompt files with a BOM (PowerShell 5) are decoded; a UTF-8 BOM is dropped', async () => {
  const text = 'Grüße — explain this ✓';
  const files: Array<[string, Buffer]> = [
    ['ps5.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['be.txt', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
    ['bom8.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
  ];
  for (const [name, bytes] of files) {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const t = io();
    assert.equal(await runCli(['compare', '-c', config, '-b', 'fast', '-f', file, '--json'], t.io), exitCodes.ok, `${name}: ${t.stderr()}`);
    assert.equal(fast.requests.at(-1)!.body.messages.at(-1).content, text, name);
  }
});

test('--config /dev/zero fails at the size bound instead of hanging', { skip: process.platform === 'win32' }, async () => {
  const t = io();
  const started = performance.now();
  assert.equal(await runCli(['compare', '-c', '/dev/zero', '-p', 'x'], t.io), exitCodes.usage);
  assert.match(t.stderr(), /Config file \/dev\/zero is larger than 1 MB/);
  assert.ok(performance.now() - started < 5_000);
});

test('--backends with no ids, a baseUrl with credentials, bad headers and out-of-range limits exit 2', async () => {
  const creds = join(dir, 'creds.json');
  await writeFile(creds, JSON.stringify({ backends: [{ id: 'c', kind: 'closed', baseUrl: 'https://user:sk-live-123@api.example.com/v1', model: 'm' }] }));
  const headers = join(dir, 'headers.json');
  await writeFile(headers, JSON.stringify({ backends: [{ id: 'h', kind: 'local', baseUrl: fast.baseUrl, model: 'm', headers: { 'X-A': 'v\r\nX-Injected: 1' } }] }));
  const cases: Array<[string[], RegExp]> = [
    [['compare', '-c', config, '-p', 'x', '--backends', ',,,'], /--backends names no backend \(",,,"\)/],
    [['compare', '-c', config, '-p', 'x', '--backends', ''], /--backends names no backend/],
    [['backends', 'check', '-c', config, '--backends', ' , '], /--backends names no backend/],
    [['compare', '-c', creds, '-p', 'x'], /backend "c" → baseUrl: must not contain a user name or password/],
    [['compare', '-c', headers, '-p', 'x'], /backend "h" → headers → X-A: header values may not contain line breaks/],
    [['compare', '-c', config, '-p', 'x', '--trials', '101'], /whole number from 1 to 100/],
    [['compare', '-c', config, '-p', 'x', '--concurrency', '33'], /whole number from 1 to 32/],
    [['compare', '-c', config, '-p', 'x', '--proxy', 'socks5://127.0.0.1:1080'], /only http:\/\/ and https:\/\/ proxies are supported/],
  ];
  for (const [argv, message] of cases) {
    const before = sent();
    const t = io();
    assert.equal(await runCli(argv, t.io), exitCodes.usage, argv.join(' '));
    assert.match(t.stderr(), message, argv.join(' '));
    assert.ok(!t.stderr().includes('sk-live-123'), 'credentials are not echoed');
    assert.equal(sent(), before, `${argv.join(' ')}: nothing sent`);
  }
});

test('a host with mixed scripts gets a warning with its punycode form, before anything is sent', async () => {
  const proxy = await startProxy({ refuseConnect: 403 });
  try {
    const file = join(dir, 'lookalike.json');
    await writeFile(file, JSON.stringify({ backends: [{ id: 'look', kind: 'closed', baseUrl: 'https://\u0430pi.invalid/v1', model: 'm' }] }));
    const t = io();
    assert.equal(await runCli(['compare', '-c', file, '-p', 'x', '--proxy', proxy.url, '--json'], t.io), exitCodes.someFailed);
    assert.match(t.stderr(), /warning: backend "look" → baseUrl: host "\u0430pi\.invalid" mixes Cyrillic and Latin letters; the request goes to xn--pi-6kc\.invalid/);
    assert.equal(proxy.records[0]?.target, 'xn--pi-6kc.invalid:443', 'the request went to the punycode host (refused by the test proxy)');
  } finally {
    await proxy.close();
  }
});

test('--proxy, the config proxy and HTTP_PROXY route requests; --proxy direct ignores the environment', async () => {
  const proxy = await startProxy({ auth: { user: 'u', pass: 'cli-proxy-secret' } });
  try {
    const withCreds = `http://u:cli-proxy-secret@127.0.0.1:${proxy.port}`;
    let t = io();
    assert.equal(await runCli(['compare', '-c', config, '-b', 'fast', '-p', 'x', '--proxy', withCreds, '--json'], t.io), exitCodes.ok, t.stderr());
    assert.equal(proxy.records.length, 1);
    assert.equal(proxy.records[0]!.target, `${fast.baseUrl}/chat/completions`);
    assert.match(t.stderr(), new RegExp(`Using proxy 127\\.0\\.0\\.1:${proxy.port}`));
    assert.ok(!(t.stderr() + t.stdout()).includes('cli-proxy-secret'), 'proxy password never printed');

    const cfg = join(dir, 'with-proxy.json');
    await writeFile(cfg, JSON.stringify({ proxy: withCreds, backends: [{ id: 'fast', kind: 'local', baseUrl: fast.baseUrl, model: 'f' }] }));
    t = io();
    assert.equal(await runCli(['compare', '-c', cfg, '-p', 'x', '--json'], t.io), exitCodes.ok, t.stderr());
    assert.equal(proxy.records.length, 2, 'the config proxy was used');

    t = io({ HTTP_PROXY: withCreds });
    assert.equal(await runCli(['compare', '-c', config, '-b', 'fast', '-p', 'x', '--json'], t.io), exitCodes.ok, t.stderr());
    assert.equal(proxy.records.length, 3, 'HTTP_PROXY was used');

    t = io({ HTTP_PROXY: withCreds });
    assert.equal(await runCli(['compare', '-c', config, '-b', 'fast', '-p', 'x', '--proxy', 'direct', '--json'], t.io), exitCodes.ok, t.stderr());
    assert.equal(proxy.records.length, 3, '--proxy direct went around the proxy');

    t = io({ HTTP_PROXY: withCreds });
    assert.equal(await runCli(['backends', 'check', '-c', config, '-b', 'fast', '--json'], t.io), exitCodes.ok, t.stderr());
    assert.ok(proxy.records.length >= 5, 'backends check goes through the proxy too');
  } finally {
    await proxy.close();
  }
});

test('an unreadable tls.ca file is refused before anything is sent; tls.insecure is marked in the report', async () => {
  const missing = join(dir, 'missing-ca.json');
  await writeFile(missing, JSON.stringify({ backends: [{ id: 'sec', kind: 'closed', baseUrl: `https://127.0.0.1:${signedFront.port}/v1`, model: 'm', tls: { ca: 'nope.pem' } }] }));
  let t = io();
  assert.equal(await runCli(['compare', '-c', missing, '-p', 'x'], t.io), exitCodes.usage);
  assert.match(t.stderr(), /backend "sec" → tls\.ca: cannot read .*nope\.pem \(ENOENT\)/);

  const ca = join(dir, 'ca.pem');
  await writeFile(ca, certs.caCert);
  const relative = join(dir, 'relative-ca.json');
  await writeFile(relative, JSON.stringify({ backends: [{ id: 'sec', kind: 'closed', baseUrl: `https://127.0.0.1:${signedFront.port}/v1`, model: 'm', tls: { ca: 'ca.pem' } }] }));
  t = io();
  assert.equal(await runCli(['compare', '-c', relative, '-p', 'x', '--json'], t.io), exitCodes.ok, t.stderr() + t.stdout());

  const insecure = join(dir, 'insecure.json');
  await writeFile(insecure, JSON.stringify({ backends: [{ id: 'lax', kind: 'closed', baseUrl: `https://127.0.0.1:${selfSignedFront.port}/v1`, model: 'm', tls: { insecure: true } }] }));
  t = io();
  assert.equal(await runCli(['compare', '-c', insecure, '-p', 'x'], t.io), exitCodes.ok, t.stderr());
  assert.match(t.stderr(), /warning: backend "lax" → tls\.insecure: certificates are not verified/);
  assert.match(t.stdout(), /trial 1 · ok · ⚠ unverified TLS ──/);
  assert.match(t.stdout(), /^lax \(unverified TLS\)/m);
});

/** Runs the real CLI entry point in a child process. */
function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SIGTERM ends a run like Ctrl-C: the report is printed and the exit code is 143', async () => {
  const run = spawnCli(['compare', '-c', config, '-p', 'x', '--json']);
  try {
    await waitFor(() => /✔ fast trial 1: Done/.test(run.stderr()), 'the fast backend to finish', 30_000);
    run.child.kill('SIGTERM');
    const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    assert.equal(code, exitCodes.terminated, run.stderr());
    const report = JSON.parse(run.stdout());
    assert.deepEqual(report.results.map((r: { backend: string; status: string }) => `${r.backend}:${r.status}`), ['fast:ok', 'slow:cancelled']);
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('a prompt FIFO with no writer can be interrupted (Ctrl-C exits 130 at once)', { skip: process.platform === 'win32' }, async () => {
  const fifo = join(dir, 'prompt.fifo');
  execFileSync('mkfifo', [fifo]);
  const run = spawnCli(['compare', '-c', config, '-f', fifo]);
  try {
    await waitFor(() => /waiting for its writer/.test(run.stderr()), 'the CLI to wait for the FIFO', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(run.child.exitCode, null, 'still waiting for a writer');
    run.child.kill('SIGINT');
    const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
    assert.equal(code, exitCodes.interrupted, run.stderr());
    assert.match(run.stderr(), /Reading prompt file .*prompt\.fifo was interrupted/);
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('a prompt FIFO with a writer is read to its end', { skip: process.platform === 'win32' }, async () => {
  const fifo = join(dir, 'prompt2.fifo');
  execFileSync('mkfifo', [fifo]);
  const run = spawnCli(['compare', '-c', config, '-b', 'fast', '-f', fifo, '--json']);
  try {
    await waitFor(() => /waiting for its writer/.test(run.stderr()), 'the CLI to wait for the FIFO', 30_000);
    await writeFile(fifo, 'From a pipe.');
    const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
    assert.equal(code, exitCodes.ok, run.stderr());
    assert.equal(fast.requests.at(-1)!.body.messages.at(-1).content, 'From a pipe.');
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('the binary: NODE_EXTRA_CA_CERTS trusts a private CA; NODE_TLS_REJECT_UNAUTHORIZED=0 does not disable checks', async () => {
  const ca = join(dir, 'extra-ca.pem');
  await writeFile(ca, certs.caCert);
  const cfg = join(dir, 'tls.json');
  await writeFile(
    cfg,
    JSON.stringify({
      backends: [
        { id: 'private', kind: 'closed', baseUrl: `https://127.0.0.1:${signedFront.port}/v1`, model: 'm' },
        { id: 'selfsigned', kind: 'closed', baseUrl: `https://127.0.0.1:${selfSignedFront.port}/v1`, model: 'm' },
      ],
    }),
  );
  const before = fast.requests.length;
  const run = spawnCli(['compare', '-c', cfg, '-p', 'x', '--json'], { NODE_EXTRA_CA_CERTS: ca, NODE_TLS_REJECT_UNAUTHORIZED: '0' });
  const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  run.child.kill('SIGKILL');
  assert.equal(code, exitCodes.someFailed, run.stderr());
  const rows = JSON.parse(run.stdout()).results as Array<{ backend: string; status: string }>;
  assert.deepEqual(rows.map((r) => `${r.backend}:${r.status}`), ['private:ok', 'selfsigned:tls_error']);
  assert.match(run.stderr(), /NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored/);
  assert.equal(fast.requests.length, before + 1, 'only the verified backend received a request');
});
