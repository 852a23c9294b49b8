/**
 * Proxies and TLS trust in the core fetch, against a real local proxy (CONNECT and absolute
 * form, Basic auth) and a TLS front with certificates generated here: NO_PROXY as curl reads it,
 * credentials never shown, the tunnel timed as part of the connect phase, one connection per
 * request, and certificate checks that NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch off.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Backend } from '../../src/core/config';
import { bypassesProxy, proxyFor, proxyFromEnv, redactProxyUrl, withExplicitProxy, type ConnectInfo } from '../../src/core/proxy';
import { streamCompletion } from '../../src/core/stream';
import { createNodeFetch, readCapped } from '../../src/core/timedFetch';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { startProxy } from '../fixtures/proxy';
import { makeCertificates, startTlsFront, type TestCertificates, type TlsFront } from '../fixtures/tls';

let backend: FixtureServer;
let certs: TestCertificates;
let signedFront: TlsFront;
let selfSignedFront: TlsFront;
let dir: string;
let caFile: string;

before(async () => {
  backend = await startFixtureServer({ apiKey: 'sk-proxy-test-key', schedules: { '*': { text: 'Through the tunnel.' } } });
  certs = await makeCertificates();
  signedFront = await startTlsFront(backend.port, certs.signed);
  selfSignedFront = await startTlsFront(backend.port, certs.selfSigned);
  dir = await mkdtemp(join(tmpdir(), 'bakeoff-proxy-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, certs.caCert);
});

after(async () => {
  await Promise.all([backend.close(), signedFront.close(), selfSignedFront.close()]);
  await rm(dir, { recursive: true, force: true });
});

function makeBackend(baseUrl: string, extra: Record<string, unknown> = {}): Backend {
  return parseConfig({ backends: [{ id: 'b', kind: 'closed', baseUrl, model: 'm', ...extra }] }).backends[0]!;
}

const messages = [{ role: 'user' as const, content: 'hi' }];
const params = { maxTokens: 16, temperature: 0 };

test('NO_PROXY matches as curl does', () => {
  const cases: Array<[string, number, string, boolean]> = [
    ['api.example.com', 443, 'example.com', true],
    ['example.com', 443, 'example.com', true],
    ['api.example.com', 443, '.example.com', true],
    ['example.com', 443, '.example.com', true],
    ['myexample.com', 443, 'example.com', false],
    ['API.Example.COM', 443, 'example.com', true],
    ['api.example.com.', 443, 'example.com', true],
    ['anything', 443, '*', true],
    ['a.b', 443, ' foo.com , b ', true],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['127.0.0.1', 443, '127.0.0.1', true],
    ['127.0.0.2', 443, '127.0.0.1', false],
    ['::1', 443, '::1', true],
    ['[::1]', 443, '[::1]', true],
    ['fd00::5', 443, 'fd00::/8', true],
    ['fe80::5', 443, 'fd00::/8', false],
    ['localhost', 443, '127.0.0.1', false],
    ['host.corp', 8080, 'host.corp:8080', true],
    ['host.corp', 443, 'host.corp:8080', false],
    ['host.corp', 443, '', false],
    ['host.corp', 443, '*.corp', true],
  ];
  for (const [host, port, list, expected] of cases) assert.equal(bypassesProxy(host, port, list), expected, `${host}:${port} vs "${list}"`);
});

test('proxy variables: lower case first, ALL_PROXY as fallback, NO_PROXY, explicit override and direct', () => {
  const env = { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2', HTTP_PROXY: 'http://plain:3', NO_PROXY: 'internal.corp' };
  const s = proxyFromEnv(env);
  assert.deepEqual(s, { httpsProxy: 'http://lower:1', httpProxy: 'http://plain:3', noProxy: 'internal.corp' });
  assert.deepEqual(proxyFromEnv({ ALL_PROXY: 'http://all:9' }), { httpsProxy: 'http://all:9', httpProxy: 'http://all:9', noProxy: '' });
  assert.equal(proxyFor(new URL('https://api.openai.com/v1'), s)?.host, 'lower:1');
  assert.equal(proxyFor(new URL('http://localhost:11434/v1'), s)?.host, 'plain:3');
  assert.equal(proxyFor(new URL('https://x.internal.corp/v1'), s), null);
  assert.equal(proxyFor(new URL('https://api.openai.com/v1'), withExplicitProxy(s, 'direct')), null);
  const explicit = withExplicitProxy(s, 'proxy.corp:8080');
  assert.equal(proxyFor(new URL('https://api.openai.com/v1'), explicit)?.href, 'http://proxy.corp:8080/');
  assert.equal(proxyFor(new URL('https://x.internal.corp/v1'), explicit), null, 'NO_PROXY still applies to an explicit proxy');
  assert.equal(redactProxyUrl('http://alice:s3cret@proxy:8080'), 'http://***@proxy:8080');
  assert.equal(redactProxyUrl('alice:s3cret@proxy:8080'), '***@proxy:8080');
});

test('http backend through the proxy in absolute form, with Basic credentials from the URL', async () => {
  const proxy = await startProxy({ auth: { user: 'alice', pass: 'pr0xy-pass' } });
  try {
    const result = await streamCompletion({
      backend: makeBackend(backend.baseUrl),
      apiKey: 'sk-proxy-test-key',
      messages,
      params,
      transport: { proxy: proxyFromEnv({ HTTP_PROXY: `http://alice:pr0xy-pass@127.0.0.1:${proxy.port}` }) },
    });
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.text, 'Through the tunnel.');
    const seen = proxy.records.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.target, `${backend.baseUrl}/chat/completions`);
    assert.equal(seen.authorized, true);
    assert.equal(seen.headers.host, new URL(backend.baseUrl).host);
    assert.ok(!JSON.stringify(result).includes('pr0xy-pass'), 'proxy password nowhere in the result');
  } finally {
    await proxy.close();
  }
});

test('https backend through a CONNECT tunnel; TLS to the backend inside it, verified with the backend CA file', async () => {
  const proxy = await startProxy({ auth: { user: 'alice', pass: 'pr0xy-pass' } });
  const connects: ConnectInfo[] = [];
  try {
    const baseUrl = `https://127.0.0.1:${signedFront.port}/v1`;
    const handshakes = signedFront.handshakes();
    const result = await streamCompletion({
      backend: makeBackend(baseUrl, { tls: { ca: caFile } }),
      apiKey: 'sk-proxy-test-key',
      messages,
      params,
      transport: { proxy: proxyFromEnv({ HTTPS_PROXY: `http://alice:pr0xy-pass@127.0.0.1:${proxy.port}` }), onConnected: (i) => connects.push(i) },
    });
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const seen = proxy.records.at(-1)!;
    assert.equal(seen.method, 'CONNECT');
    assert.equal(seen.target, `127.0.0.1:${signedFront.port}`);
    assert.equal(seen.authorized, true);
    assert.equal(signedFront.handshakes(), handshakes + 1, 'TLS was end to end, through the tunnel');
    assert.equal(connects.length, 1);
    assert.deepEqual({ ...connects[0], connectedMs: 0 }, { connectedMs: 0, proxy: `127.0.0.1:${proxy.port}`, proxyMode: 'tunnel', tlsVerified: true });
    assert.ok(connects[0]!.connectedMs >= result.timing.startMs && connects[0]!.connectedMs <= result.timing.headersMs!, 'connected between start and headers');
  } finally {
    await proxy.close();
  }
});

test('refused proxy credentials: a clear network error naming the proxy, never the password', async () => {
  const proxy = await startProxy({ auth: { user: 'alice', pass: 'right' } });
  try {
    for (const baseUrl of [`https://127.0.0.1:${signedFront.port}/v1`, backend.baseUrl]) {
      const isHttps = baseUrl.startsWith('https');
      const before = backend.requests.length;
      const result = await streamCompletion({
        backend: makeBackend(baseUrl, { tls: { ca: caFile } }),
        apiKey: 'sk-proxy-test-key',
        messages,
        params,
        transport: { proxy: withExplicitProxy(proxyFromEnv({}), `http://alice:wr0ng-pass@127.0.0.1:${proxy.port}`) },
      });
      const text = JSON.stringify(result);
      assert.ok(!text.includes('wr0ng-pass'), 'the password is not in the result');
      assert.equal(backend.requests.length, before, 'nothing reached the backend');
      if (isHttps) {
        assert.equal(result.status, 'network_error');
        assert.match(result.error!.message, new RegExp(`Proxy 127\\.0\\.0\\.1:${proxy.port} requires authentication \\(HTTP 407`));
        assert.match(result.error!.hint, /user and password in the proxy URL/);
      } else {
        assert.equal(result.status, 'http_error');
        assert.equal(result.error!.httpStatus, 407);
        assert.match(result.error!.hint, /proxy/i);
      }
    }
  } finally {
    await proxy.close();
  }
});

test('the tunnel setup is part of the connect phase (connect timeout covers a slow CONNECT)', async () => {
  const proxy = await startProxy({ connectDelayMs: 1500 });
  try {
    const result = await streamCompletion({
      backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`, { tls: { ca: caFile } }),
      messages,
      params,
      timeouts: { connectMs: 300, firstByteMs: 10_000 },
      transport: { proxy: proxyFromEnv({ HTTPS_PROXY: proxy.url }) },
    });
    assert.equal(result.status, 'timeout', JSON.stringify(result.error));
    assert.equal(result.error!.timeoutPhase, 'connect');
  } finally {
    await proxy.close();
  }
});

test('NO_PROXY hosts connect directly; a refused tunnel and an unreachable proxy are clear errors', async () => {
  const proxy = await startProxy({ refuseConnect: 403 });
  try {
    const direct = await streamCompletion({
      backend: makeBackend(backend.baseUrl),
      apiKey: 'sk-proxy-test-key',
      messages,
      params,
      transport: { proxy: proxyFromEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }) },
    });
    assert.equal(direct.status, 'ok');
    assert.equal(proxy.records.length, 0, 'the proxy saw nothing');

    const refused = await streamCompletion({
      backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`, { tls: { ca: caFile } }),
      messages,
      params,
      transport: { proxy: proxyFromEnv({ HTTPS_PROXY: proxy.url }) },
    });
    assert.equal(refused.status, 'network_error');
    assert.match(refused.error!.message, /refused the tunnel to 127\.0\.0\.1:\d+ \(HTTP 403/);
  } finally {
    await proxy.close();
  }
  const unreachable = await streamCompletion({
    backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`),
    messages,
    params,
    transport: { proxy: proxyFromEnv({ HTTPS_PROXY: 'http://bob:hunter2@127.0.0.1:9' }) },
  });
  assert.equal(unreachable.status, 'network_error');
  assert.match(unreachable.error!.message, /Cannot reach proxy 127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  assert.ok(!JSON.stringify(unreachable).includes('hunter2'));
});

test('every request opens its own connection, direct and through the proxy', async () => {
  const connections: Socket[] = [];
  const server: Server = createServer((_req, res) => res.end('ok'));
  server.on('connection', (s: Socket) => connections.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const proxy = await startProxy();
  try {
    const direct = createNodeFetch({});
    for (let i = 0; i < 3; i++) assert.equal(await readCapped((await direct(`http://127.0.0.1:${port}/`)).body, 100), 'ok');
    assert.equal(connections.length, 3, 'three requests, three connections');
    const viaProxy = createNodeFetch({ proxy: proxyFromEnv({ HTTPS_PROXY: proxy.url }), caFile });
    for (let i = 0; i < 3; i++) {
      const res = await viaProxy(`https://127.0.0.1:${signedFront.port}/v1/models`);
      await readCapped(res.body, 10_000);
    }
    assert.equal(proxy.records.filter((r) => r.method === 'CONNECT').length, 3);
    assert.equal(proxy.connections(), 3, 'one proxy connection per request');
  } finally {
    await proxy.close();
    for (const s of connections) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('NODE_TLS_REJECT_UNAUTHORIZED=0 does not switch verification off: no key reaches a self-signed server', async () => {
  const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  const savedWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  try {
    const before = backend.requests.length;
    const result = await streamCompletion({
      backend: makeBackend(`https://127.0.0.1:${selfSignedFront.port}/v1`),
      apiKey: 'sk-proxy-test-key',
      messages,
      params,
    });
    assert.equal(result.status, 'tls_error', JSON.stringify(result.error));
    assert.equal(backend.requests.length, before, 'the request (and its key) never left');
  } finally {
    if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    process.emitWarning = savedWarning;
  }
});

test('a backend opts out with tls.insecure; a private CA works through tls.ca; a wrong CA file is a clear tls_error', async () => {
  const insecure = await streamCompletion({
    backend: makeBackend(`https://127.0.0.1:${selfSignedFront.port}/v1`, { tls: { insecure: true } }),
    apiKey: 'sk-proxy-test-key',
    messages,
    params,
  });
  assert.equal(insecure.status, 'ok', JSON.stringify(insecure.error));
  const untrusted = await streamCompletion({ backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`), messages, params });
  assert.equal(untrusted.status, 'tls_error', 'the private CA is not trusted by default');
  const trusted = await streamCompletion({
    backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`, { tls: { ca: caFile } }),
    apiKey: 'sk-proxy-test-key',
    messages,
    params,
  });
  assert.equal(trusted.status, 'ok', JSON.stringify(trusted.error));
  const missing = await streamCompletion({
    backend: makeBackend(`https://127.0.0.1:${signedFront.port}/v1`, { tls: { ca: join(dir, 'missing.pem') } }),
    messages,
    params,
  });
  assert.equal(missing.status, 'tls_error');
  assert.match(missing.error!.message, /Cannot read the CA file .*missing\.pem \(ENOENT\)/);
});
