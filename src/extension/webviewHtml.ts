/**
 * The comparison panel's HTML shell and webview options. Pure (no `vscode` import) so the
 * Content Security Policy and the options can be unit-tested: scripts only with a per-render
 * nonce, styles and fonts only from the extension, no inline styles, no remote sources, no
 * command links, and files readable only from the webview bundle's folder.
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

/** The panel's webview options, for both a new panel and one revived after a window reload. */
export interface PanelWebviewOptions<T> {
  enableScripts: true;
  enableCommandUris: false;
  /** Only the folder of the webview bundle (`<extension>/dist/webview`). */
  localResourceRoots: T[];
}

/**
 * Webview options for the panel; `webviewRoot` is the URI of `<extension>/dist/webview`.
 * Generic so this module needs no `vscode` import.
 */
export function panelWebviewOptions<T>(webviewRoot: T): PanelWebviewOptions<T> {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [webviewRoot] };
}

/**
 * Panel options that only a new panel takes (a revived one keeps what it was created with):
 * the page is rebuilt from the host's state when shown again instead of kept in memory.
 */
export const panelOptions = { retainContextWhenHidden: false, enableFindWidget: true } as const;

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
