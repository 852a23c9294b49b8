/**
 * The page of each of Bakeoff's panels: its script and stylesheet bundles from
 * `<extension>/dist/webview`, the codicons, a fresh nonce and the strict CSP of webviewHtml.ts.
 */
import * as vscode from 'vscode';
import { createNonce, renderPanelHtml } from './webviewHtml';

/** The bundles esbuild.mjs writes: `<name>.js` and `<name>_css.css`. */
export type PanelBundle = 'main' | 'arena' | 'suite';

/** `<extension>/dist/webview`, the only folder a panel may read. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** The HTML of a panel page that loads `bundle`. */
export function panelPage(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: PanelBundle): string {
  const root = webviewRoot(extensionUri);
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(root, ...parts)).toString();
  return renderPanelHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: uri(`${bundle}.js`),
    styleUri: uri(`${bundle}_css.css`),
    codiconUri: uri('codicons', 'codicon.css'),
  });
}
