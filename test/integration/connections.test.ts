/**
 * Runs inside the real extension host: what the editor does to Bakeoff's `node:http` requests.
 * The host replaces `http`/`https` for extensions with copies whose `request` may swap the
 * agent for its own proxy agent (which pools through the global agent). Bakeoff's fetch builds
 * its requests with `new ClientRequest` and a fresh agent per request, and applies the editor's
 * proxy settings itself; these tests check, with and without `http.proxy` set to a local proxy,
 * that every request still opens its own connection and that the connect phase is still timed.
 * What the host does to a plain `http.request({agent: false})` is recorded alongside (written to
 * test-results/integration-connection-findings.json) for the README.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectInfo } from '../../src/core/proxy';
import { createNodeFetch, readCapped } from '../../src/core/timedFetch';
import { editorProxySettings } from '../../src/extension/proxy';
import { startProxy, type TestProxy } from '../fixtures/proxy';
import { makeCertificates, startTlsFront, type TlsFront } from '../fixtures/tls';

/** Not `127.0.0.1`/`localhost`, which the host's proxy agent exempts from its handling. */
const host = '127.0.0.2';
const findings: Record<string, unknown> = { vscodeVersion: vscode.version, host };

suite('Connections from the extension host', () => {
  let server: Server;
  let port: number;
  const connections: Socket[] = [];
  let front: TlsFront;
  let caFile: string;
  let dir: string;
  let proxy: TestProxy;

  suiteSetup(async () => {
    server = createServer((_req: IncomingMessage, res) => res.end('ok'));
    server.on('connection', (s: Socket) => connections.push(s));
    await new Promise<void>((r) => server.listen(0, host, r));
    port = (server.address() as AddressInfo).port;
    const certs = await makeCertificates();
    front = await startTlsFront(port, certs.signed, host);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-it-conn-'));
    caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, certs.caCert);
    proxy = await startProxy();
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('http').update('proxy', undefined, vscode.ConfigurationTarget.Global);
    for (const s of connections) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await front.close();
    await proxy.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const out = process.env.BAKEOFF_TEST_RESULTS_DIR;
    if (out) {
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'integration-connection-findings.json'), JSON.stringify(findings, null, 2));
    }
  });

  /** Three requests through the core fetch; returns what each connection reported. */
  async function threeRequests(url: string, proxySettings = editorProxySettings(vscode.workspace.getConfiguration('http'))): Promise<ConnectInfo[]> {
    const infos: ConnectInfo[] = [];
    const fetch = createNodeFetch({ connectTimeoutMs: 10_000, caFile, proxy: proxySettings, onConnected: (i) => infos.push(i) });
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await fetch(url);
      assert.equal(await readCapped(res.body, 100), 'ok');
      const info = infos[i];
      assert.ok(info, `request ${i + 1} reported its connection`);
      assert.ok(info.connectedMs >= started && info.connectedMs <= performance.now(), `request ${i + 1}: connect mark inside the request`);
    }
    return infos;
  }

  test('without a proxy setting: one connection per request, connect phase timed (http and https)', async () => {
    await vscode.workspace.getConfiguration('http').update('proxy', undefined, vscode.ConfigurationTarget.Global);
    const before = connections.length;
    const http = await threeRequests(`http://${host}:${port}/`);
    assert.equal(connections.length - before, 3, 'three http requests, three connections');
    assert.ok(http.every((i) => i.proxy === null && i.tlsVerified === null));
    const handshakes = front.handshakes();
    const https = await threeRequests(`https://${host}:${front.port}/`);
    assert.equal(front.handshakes() - handshakes, 3, 'three https requests, three TLS handshakes');
    assert.ok(https.every((i) => i.proxy === null && i.tlsVerified === true));
    findings.direct = { httpConnections: 3, httpsHandshakes: 3, connectMarks: 'set for every request' };
  });

  test('with http.proxy set to a local proxy: requests go through it, one tunnel/connection each, connect phase timed', async () => {
    await vscode.workspace.getConfiguration('http').update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    const settings = editorProxySettings(vscode.workspace.getConfiguration('http'));
    assert.equal(settings.httpsProxy, proxy.url, 'the setting is read');
    const records = proxy.records.length;
    const proxyConnections = proxy.connections();
    const http = await threeRequests(`http://${host}:${port}/`, settings);
    const https = await threeRequests(`https://${host}:${front.port}/`, settings);
    const seen = proxy.records.slice(records);
    assert.deepEqual(
      seen.map((r) => r.method),
      ['GET', 'GET', 'GET', 'CONNECT', 'CONNECT', 'CONNECT'],
      'absolute form for http, CONNECT for https',
    );
    assert.equal(proxy.connections() - proxyConnections, 6, 'one proxy connection per request');
    assert.ok(http.every((i) => i.proxyMode === 'absolute-form') && https.every((i) => i.proxyMode === 'tunnel' && i.tlsVerified === true));
    findings.withHttpProxy = { proxied: seen.map((r) => `${r.method} ${r.target}`), proxyConnections: 6, connectMarks: 'set for every request' };
  });

  test('records what the host does to a plain http.request({agent: false})', async () => {
    // The host patches the shared `http` module object in place (so `node:http` too), keeping
    // the originals in `__vscodeOriginal`; `new ClientRequest`, which the core fetch uses, is not patched.
    const http = module.require('node:http') as typeof import('node:http') & { __vscodeOriginal?: { request?: unknown } };
    findings.httpModulePatchedInPlace = typeof http.__vscodeOriginal === 'object';
    findings.httpRequestReplaced = !!http.__vscodeOriginal && http.request !== http.__vscodeOriginal.request;
    findings.sameModuleForHttpAndNodeHttp = module.require('http') === module.require('node:http');
    const observe = async (): Promise<{ agent: string; connections: number; viaProxy: number; errors: string[] }> => {
      const before = connections.length;
      const proxied = proxy.records.length;
      let agent = '';
      const errors: string[] = [];
      for (let i = 0; i < 2; i++) {
        await new Promise<void>((resolve) => {
          const r = http.request({ host, port, path: '/', agent: false }, (res) => {
            res.resume();
            res.once('end', () => resolve());
          });
          agent = (r as unknown as { agent?: object }).agent?.constructor?.name ?? String((r as unknown as { agent?: unknown }).agent);
          r.setTimeout(5_000, () => r.destroy(new Error('no answer within 5 s')));
          r.once('error', (err) => {
            errors.push(err.message);
            resolve();
          });
          r.end();
        });
      }
      return { agent, connections: connections.length - before, viaProxy: proxy.records.length - proxied, errors };
    };
    await vscode.workspace.getConfiguration('http').update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    findings.plainRequestWithHttpProxy = await observe();
    await vscode.workspace.getConfiguration('http').update('proxy', undefined, vscode.ConfigurationTarget.Global);
    findings.plainRequestWithoutProxy = await observe();
    assert.ok(typeof findings.httpModulePatchedInPlace === 'boolean');
  });
});
