import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Backend, RequestParams, Timeouts, type BackendInput } from '../../src/core/config';
import { streamFlags, timingPhases } from '../../src/core/metrics';
import { proxyFromEnv } from '../../src/core/proxy';
import { runComparison } from '../../src/core/runner';
import { streamCompletion, UsageSupportMemory } from '../../src/core/stream';
import { createNodeFetch, requestObserver, type ObservedInit } from '../../src/core/timedFetch';
import type { TimingMarks, TimingPhases, TrialResult } from '../../src/core/types';
import { startProxy } from '../fixtures/proxy';
import { makeCertificates, startTlsFront, type TlsFront } from '../fixtures/tls';
import { useFixtureServer } from './helpers/fixture';

const fixture = useFixtureServer();
const messages = [{ role: 'user' as const, content: 'Say hello.' }];
const params = RequestParams.parse({ maxTokens: 32 });

let tlsFront: TlsFront;
let caFile: string;
let dir: string;
before(async () => {
  const certs = await makeCertificates();
  tlsFront = await startTlsFront(fixture.server.port, certs.signed);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-phases-'));
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.caCert);
});
after(async () => {
  await tlsFront.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function backend(model: string, extra: Partial<BackendInput> = {}): Backend {
  return Backend.parse({ id: `b-${model}`, kind: 'local', baseUrl: fixture.server.baseUrl, model, ...extra });
}

function stream(b: Backend, extra: Partial<Parameters<typeof streamCompletion>[0]> = {}): Promise<TrialResult> {
  return streamCompletion({ backend: b, messages, params, timeouts: { firstByteMs: 5000, idleMs: 5000, totalMs: 10_000 }, usageMemory: new UsageSupportMemory(), ...extra });
}

const sum = (xs: Array<number | null>) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);

/** The phases up to the first token add up to TTFT, and all of them to Total. */
function assertAddsUp(r: TrialResult): TimingPhases {
  const p = r.timing.phases!;
  assert.ok(p, 'phases are on the result');
  const toFirstToken = [p.dnsMs, p.connectMs, p.tunnelMs, p.tlsMs, p.sendMs, p.requestToHeadersMs, p.headersToFirstByteMs, p.firstByteToFirstTokenMs];
  assert.ok(Math.abs(sum(toFirstToken) - r.metrics.ttftMs!) < 1e-6, `phases ${JSON.stringify(p)} add up to TTFT ${r.metrics.ttftMs}`);
  assert.ok(Math.abs(sum([...toFirstToken, p.decodeMs]) - r.metrics.totalMs!) < 1e-6, 'and to Total');
  for (const [name, v] of Object.entries(p)) if (typeof v === 'number') assert.ok(v >= 0, `${name} ≥ 0`);
  return p;
}

test('timing breakdown over http: TCP connect, request sent → headers → first byte → first token → decode', async () => {
  fixture.server.setSchedule('plain', { text: 'a b c d', headersDelayMs: 40, ttftMs: 60, chunkIntervalMs: 10 });
  const r = await stream(backend('plain'));
  assert.equal(r.status, 'ok');
  const p = assertAddsUp(r);
  assert.equal(p.dnsMs, null, 'an IP address needs no DNS lookup');
  assert.ok(p.connectMs !== null, 'TCP connect measured');
  assert.equal(p.tlsMs, null, 'no TLS over http');
  assert.equal(p.tunnelMs, null, 'no proxy');
  assert.equal(p.connectionReused, false);
  assert.ok(p.requestToHeadersMs! >= 35, `the server held the headers 40 ms: ${p.requestToHeadersMs}`);
  assert.ok(p.firstByteToFirstTokenMs! >= 50, `first token 60 ms after the role chunk: ${p.firstByteToFirstTokenMs}`);
  assert.ok(p.decodeMs! >= 25, `three more tokens 10 ms apart: ${p.decodeMs}`);
  assert.ok(r.timing.connection && r.timing.connection.sentMs! >= r.timing.startMs && r.timing.connection.sentMs! <= r.timing.headersMs!);
  await fixture.settled();
});

test('timing breakdown: a DNS lookup by name, a TLS handshake over https, a CONNECT tunnel through a proxy', async () => {
  fixture.server.setSchedule('named', { text: 'x y' });
  const byName = await stream(backend('named', { baseUrl: `http://localhost:${fixture.server.port}/v1` }));
  assert.equal(byName.status, 'ok', JSON.stringify(byName.error));
  assert.ok(assertAddsUp(byName).dnsMs !== null, 'localhost was looked up');

  const https = await stream(backend('named', { baseUrl: `https://127.0.0.1:${tlsFront.port}/v1`, tls: { ca: caFile } }));
  assert.equal(https.status, 'ok', JSON.stringify(https.error));
  const tls = assertAddsUp(https);
  assert.ok(tls.tlsMs !== null && tls.connectMs !== null, `TLS and TCP measured: ${JSON.stringify(tls)}`);

  const proxy = await startProxy();
  try {
    const tunnelled = await stream(backend('named', { baseUrl: `https://127.0.0.1:${tlsFront.port}/v1`, tls: { ca: caFile } }), {
      transport: { proxy: proxyFromEnv({ HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }) },
    });
    assert.equal(tunnelled.status, 'ok', JSON.stringify(tunnelled.error));
    const t = assertAddsUp(tunnelled);
    assert.ok(t.connectMs !== null && t.tunnelMs !== null && t.tlsMs !== null, `TCP to the proxy, tunnel, TLS: ${JSON.stringify(t)}`);
  } finally {
    await proxy.close();
  }
  await fixture.settled();
});

test('a custom fetch reports no connection steps: those phases are null, never zero', async () => {
  fixture.server.setSchedule('custom', { text: 'x y' });
  const base = createNodeFetch();
  // A fetch that does not take the observer (as any fetch but the built-in one).
  const r = await stream(backend('custom'), { fetch: (input, init) => base(input, { ...init, [requestObserver]: undefined } as ObservedInit) });
  assert.equal(r.status, 'ok', JSON.stringify(r.error));
  const p = r.timing.phases!;
  for (const k of ['dnsMs', 'connectMs', 'tunnelMs', 'tlsMs', 'sendMs', 'requestToHeadersMs', 'connectionReused'] as const) assert.equal(p[k], null, k);
  assert.ok(p.headersToFirstByteMs !== null && p.decodeMs !== null);
  await fixture.settled();
});

/** A TCP forwarder in front of the fixture server that counts the connections clients open. */
async function countingFront(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect({ host: '127.0.0.1', port: fixture.server.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('connection "warm": one kept-alive connection opened by an unmeasured GET /models, reused by every trial; "fresh": one per trial', async () => {
  fixture.server.setSchedule('reuse', { text: 'one two three' });
  const front = await countingFront();
  try {
    const baseUrl = `http://127.0.0.1:${front.port}/v1`;
    const run = (connection: 'fresh' | 'warm') =>
      runComparison({
        backends: [backend('reuse', { baseUrl, connection })],
        messages,
        params,
        timeouts: Timeouts.parse({}),
        trials: 3,
        resolveKey: () => undefined,
      });
    const seenBefore = fixture.server.requests.length;
    const warm = await run('warm');
    assert.deepEqual(warm.results.map((r) => r.status), ['ok', 'ok', 'ok']);
    assert.equal(front.connections(), 1, 'one connection for the warm-up and the three trials');
    const paths = fixture.server.requests.slice(seenBefore).map((r) => `${r.method} ${r.path}`);
    assert.equal(paths[0], 'GET /v1/models', 'the warm-up request comes first');
    assert.equal(paths.filter((p) => p.endsWith('/chat/completions')).length, 3);
    for (const r of warm.results) {
      assert.equal(r.connection, 'warm');
      const p = assertAddsUp(r);
      assert.equal(p.connectionReused, true, 'every measured request reused the connection');
      assert.equal(p.connectMs, null, 'no connect phase on a reused connection');
    }

    const fresh = await run('fresh');
    assert.equal(front.connections(), 4, 'three more: one per trial');
    for (const r of fresh.results) {
      assert.equal(r.connection, 'fresh');
      assert.equal(assertAddsUp(r).connectionReused, false);
    }
  } finally {
    await front.close();
  }
  await fixture.settled();
});

test('stream flags: role-only first event, and a stream whose answer arrives all at the end is buffered', async () => {
  fixture.server.setSchedule('paced', { text: 'one two three four five six', ttftMs: 20, chunkIntervalMs: 25 });
  const paced = await stream(backend('paced'));
  assert.deepEqual(paced.streamFlags, { buffered: false, firstByteWithoutContent: true }, 'the fixture sends the role first, like OpenAI');

  // The role chunk at once, then nothing for 300 ms, then every token in one go.
  fixture.server.setSchedule('held', { text: 'one two three four five six', ttftMs: 300, chunkIntervalMs: 0 });
  const held = await stream(backend('held'));
  assert.equal(held.streamFlags?.buffered, true, JSON.stringify(held.timing.chunkMs.map((t) => t - held.timing.firstByteMs!)));

  fixture.server.setSchedule('single', { text: 'one' });
  assert.equal((await stream(backend('single'))).streamFlags?.buffered, null, 'one content event: nothing to judge');
  await fixture.settled();
});

test('streamFlags and timingPhases from marks', () => {
  const marks = (chunkMs: number[], chunkBytes: number[], firstEventHasContent: boolean | null): TimingMarks => ({
    startMs: 0,
    headersMs: 10,
    firstByteMs: 10,
    firstContentMs: chunkMs[0] ?? null,
    chunkMs,
    chunkBytes,
    firstEventHasContent,
    endMs: 110,
  });
  // The answer's time runs from its first content (20) to the end (110): its last 10 % starts at 101.
  assert.equal(streamFlags(marks([20, 40, 60, 80, 100], [10, 10, 10, 10, 10], true)).buffered, false);
  assert.equal(streamFlags(marks([20, 100, 105], [10, 5, 5], true)).buffered, false, '5 of 20 bytes in the tail');
  assert.equal(streamFlags(marks([20, 101, 105], [10, 5, 5], true)).buffered, true, 'exactly half of the bytes in the tail');
  assert.equal(streamFlags(marks([20, 50], [10, 9], true)).buffered, false);
  // A role-only first byte at 10, a long wait (queueing, prefill), then a short answer really
  // streamed: the wait is not part of the answer's time, so it is not buffered…
  const queued = (chunkMs: number[]): TimingMarks => ({ ...marks(chunkMs, chunkMs.map(() => 6), false), endMs: chunkMs.at(-1)! });
  assert.equal(streamFlags(queued([1000, 1020, 1040, 1060, 1080])).buffered, false, 'a wait before the first token is not buffering');
  // …while the same answer delivered at once after the wait is.
  assert.equal(streamFlags(queued([1080, 1080, 1080, 1080, 1080])).buffered, true, 'every byte at one instant');
  assert.equal(streamFlags(queued([1000, 1001, 1078, 1079, 1080])).buffered, true, '3 of 5 events in the last 8 ms of 80');
  // An answer whose whole time is under a millisecond arrived at once: its last millisecond is the tail.
  assert.equal(streamFlags(queued([1080, 1080.01, 1080.02, 1080.03, 1080.05])).buffered, true, 'five reads within 50 µs');
  assert.equal(streamFlags(queued([1000, 1002, 1004, 1006, 1008])).buffered, false, 'paced 2 ms apart: the last millisecond holds one event of five');
  assert.deepEqual(streamFlags(marks([20], [10], false)), { buffered: null, firstByteWithoutContent: true });
  assert.deepEqual(streamFlags({ ...marks([], [], null), chunkBytes: undefined }), { buffered: null, firstByteWithoutContent: null });

  const phases = timingPhases({
    ...marks([60, 80], [1, 1], false),
    connection: { dnsMs: 2, tcpMs: 5, tunnelMs: null, tlsMs: 9, sentMs: 9.5, reused: false },
  });
  assert.deepEqual(phases, {
    dnsMs: 2,
    connectMs: 3,
    tunnelMs: null,
    tlsMs: 4,
    sendMs: 0.5,
    requestToHeadersMs: 0.5,
    headersToFirstByteMs: 0,
    firstByteToFirstTokenMs: 50,
    decodeMs: 50,
    connectionReused: false,
  });
});
