/**
 * The comparison panel's HTML shell. Pure (no `vscode` import) so the Content Security Policy
 * can be unit-tested: scripts only with a per-render nonce, styles and fonts only from the
 * extension, no inline styles, no remote sources.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh per render, from {@link createNonce}. */
  nonce: string;
  /** `webview.asWebviewUri(…/dist/webview/main.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(…/dist/webview/main_css.css)`. */
  styleUri: string;
  /** `webview.asWebviewUri(…/dist/webview/codicons/codicon.css)`. */
  codiconUri: string;
}

/** 128 random bits, base64: a new one for every render of the panel. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy value for the panel. */
export function buildCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Renders the panel's HTML document; the script builds everything inside `#app`. */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri, codiconUri } = options;
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('nonce must be base64 with at least 16 characters');
  const csp = escapeAttribute(buildCsp(cspSource, nonce));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(codiconUri)}">
<link rel="stylesheet" href="${escapeAttribute(styleUri)}">
<title>Bakeoff</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"><p class="boot">Loading comparison…</p></div>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}
