import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/core/config';
import { proxyFor } from '../../src/core/proxy';
import { BackendView } from '../../src/shared/protocol';
import { editorProxySettings, tlsUnverified } from '../../src/extension/proxy';
import { readBackends, type ConfigReader } from '../../src/extension/settings';

function http(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('http.proxy wins over the environment; http.noProxy adds to NO_PROXY; proxyStrictSSL is carried', () => {
  const env = { HTTPS_PROXY: 'http://env-proxy:3128', NO_PROXY: 'env.internal' };
  const s = editorProxySettings(http({ proxy: 'http://u:p@editor-proxy:8080', noProxy: ['*.corp', '10.0.0.0/8'], proxyStrictSSL: false }), env);
  assert.equal(s.httpsProxy, 'http://u:p@editor-proxy:8080');
  assert.equal(s.httpProxy, 'http://u:p@editor-proxy:8080');
  assert.equal(s.strictSSL, false);
  for (const [url, proxied] of [
    ['https://api.openai.com/v1', true],
    ['https://git.corp/v1', false],
    ['https://x.env.internal/v1', false],
    ['http://10.1.2.3:8000/v1', false],
  ] as const) {
    assert.equal(proxyFor(new URL(url), s) !== null, proxied, url);
  }
  const fromEnv = editorProxySettings(http({ proxy: '', proxyStrictSSL: true }), env);
  assert.equal(fromEnv.httpsProxy, 'http://env-proxy:3128', 'empty http.proxy falls back to the environment');
  assert.equal(fromEnv.httpProxy, null);
  assert.equal(fromEnv.strictSSL, true);
  const off = editorProxySettings(http({ proxySupport: 'off', proxy: 'http://editor-proxy:8080', noProxy: ['x'] }), env);
  assert.equal(off.httpsProxy, 'http://env-proxy:3128', 'proxySupport off: the editor settings are not applied');
  assert.equal(off.noProxy, 'env.internal');
});

test('a backend is marked unverified for tls.insecure, or https through a proxy with strict SSL off', () => {
  const [plain, insecure, local] = parseConfig({
    backends: [
      { id: 'a', kind: 'closed', baseUrl: 'https://api.openai.com/v1', model: 'm' },
      { id: 'b', kind: 'closed', baseUrl: 'https://api.openai.com/v1', model: 'm', tls: { insecure: true } },
      { id: 'c', kind: 'local', baseUrl: 'https://gpu.corp/v1', model: 'm' },
    ],
  }).backends;
  const strict = editorProxySettings(http({ proxy: 'http://p:1', noProxy: ['gpu.corp'] }), {});
  const lax = editorProxySettings(http({ proxy: 'http://p:1', noProxy: ['gpu.corp'], proxyStrictSSL: false }), {});
  assert.equal(tlsUnverified(plain!, strict), false);
  assert.equal(tlsUnverified(insecure!, strict), true);
  assert.equal(tlsUnverified(plain!, lax), true, 'proxied with strict SSL off');
  assert.equal(tlsUnverified(local!, lax), false, 'not proxied, so still verified');
  // The flag crosses to the panel.
  const view = { id: 'b', label: 'b', kind: 'closed', model: 'm', pricingNote: '', tlsInsecure: true };
  assert.equal(BackendView.parse(view).tlsInsecure, true);
});

test('a relative tls.ca in user settings is refused (the extension has no config folder to resolve it against)', () => {
  const raw = [
    { id: 'rel', kind: 'closed', baseUrl: 'https://a.example/v1', model: 'm', tls: { ca: 'corp.pem' } },
    { id: 'abs', kind: 'closed', baseUrl: 'https://b.example/v1', model: 'm', tls: { ca: '/etc/ssl/corp.pem' } },
  ];
  const reader: ConfigReader = { get: () => undefined, inspect: <T>() => ({ globalValue: raw as T }) };
  const reading = readBackends(reader);
  assert.deepEqual(reading.backends.map((b) => b.id), ['abs']);
  assert.match(reading.error!.issues.join('\n'), /backend "rel" → tls\.ca: must be an absolute path in user settings \(skipped\)/);
});
