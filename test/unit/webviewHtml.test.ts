import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsp, createNonce, panelOptions, panelWebviewOptions, renderPanelHtml } from '../../src/extension/webviewHtml';

const cspSource = 'vscode-webview-resource:';
const options = (nonce = createNonce()) => ({
  cspSource,
  nonce,
  scriptUri: 'vscode-webview-resource://ext/dist/webview/main.js',
  styleUri: 'vscode-webview-resource://ext/dist/webview/main_css.css',
  codiconUri: 'vscode-webview-resource://ext/dist/webview/codicons/codicon.css',
});

function cspOf(html: string): string {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'the page has a CSP meta tag');
  return match[1].replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('createNonce', () => {
  it('returns 16 random bytes as base64, different every time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) {
      assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
    }
  });
});

describe('renderPanelHtml', () => {
  it('sets a strict CSP: nothing by default, scripts only by nonce, styles/fonts/images only from the extension', () => {
    const nonce = createNonce();
    const csp = cspOf(renderPanelHtml(options(nonce)));
    const d = directives(csp);
    assert.deepEqual(d.get('default-src'), ["'none'"]);
    assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(d.get('style-src'), [cspSource]);
    assert.deepEqual(d.get('font-src'), [cspSource]);
    assert.deepEqual(d.get('img-src'), [cspSource, 'data:']);
    assert.equal(csp, buildCsp(cspSource, nonce));
  });

  it('never allows inline code, eval or remote sources', () => {
    const csp = cspOf(renderPanelHtml(options()));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic/);
    assert.doesNotMatch(csp, /https?:/);
    assert.doesNotMatch(csp, /(^|\s)\*(\s|;|$)/);
    assert.doesNotMatch(csp, /connect-src|frame-src|child-src/);
  });

  it('puts the nonce on every script tag and loads only the extension files', () => {
    const nonce = createNonce();
    const html = renderPanelHtml(options(nonce));
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs] of scripts) {
      assert.match(attrs, new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
      assert.match(attrs, /src="vscode-webview-resource:\/\/ext\/dist\/webview\/main\.js"/);
    }
    assert.match(html, /<link rel="stylesheet" href="vscode-webview-resource:\/\/ext\/dist\/webview\/codicons\/codicon\.css">/);
    assert.match(html, /<link rel="stylesheet" href="vscode-webview-resource:\/\/ext\/dist\/webview\/main_css\.css">/);
    assert.doesNotMatch(html, /\sstyle=|<style|\son\w+=/i, 'no inline styles or handlers');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>[^<]+<\/script>/, 'no inline script bodies');
  });

  it('gives two renders different nonces', () => {
    const a = renderPanelHtml(options());
    const b = renderPanelHtml(options());
    const nonceOf = (html: string) => /script-src 'nonce-([^']+)'/.exec(cspOf(html))?.[1];
    assert.ok(nonceOf(a));
    assert.notEqual(nonceOf(a), nonceOf(b));
  });

  it('escapes URIs and rejects malformed nonces', () => {
    const html = renderPanelHtml({ ...options(), scriptUri: 'x"><img src=y onerror=alert(1)>' });
    assert.doesNotMatch(html, /<img/);
    assert.throws(() => renderPanelHtml(options("abc' 'unsafe-inline")), /nonce/);
    assert.throws(() => renderPanelHtml(options('')), /nonce/);
  });
});

describe('panelWebviewOptions', () => {
  const root = { scheme: 'file', path: '/ext/dist/webview' };

  it('turns scripts on and command links off, and reads files only from the webview bundle folder', () => {
    const options = panelWebviewOptions(root);
    assert.equal(options.enableScripts, true);
    assert.equal(options.enableCommandUris, false);
    assert.equal(options.localResourceRoots.length, 1);
    assert.equal(options.localResourceRoots[0], root);
    assert.deepEqual(Object.keys(options).sort(), ['enableCommandUris', 'enableScripts', 'localResourceRoots']);
  });

  it('gives equal options on every call (new panel and revived panel alike)', () => {
    assert.deepEqual(panelWebviewOptions(root), panelWebviewOptions(root));
    assert.notEqual(panelWebviewOptions(root).localResourceRoots, panelWebviewOptions(root).localResourceRoots, 'no shared array');
  });

  it('does not keep a hidden panel in memory and offers the find widget', () => {
    assert.deepEqual(panelOptions, { retainContextWhenHidden: false, enableFindWidget: true });
  });
});
