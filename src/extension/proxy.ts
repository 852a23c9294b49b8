/**
 * The editor's proxy settings for Bakeoff's requests: `http.proxy` (over the extension host's
 * HTTPS_PROXY / HTTP_PROXY / ALL_PROXY), `http.noProxy` (with NO_PROXY), `http.proxyStrictSSL`,
 * and `http.proxySupport: off`, which leaves only the environment. Bakeoff's fetch makes its own
 * connections (one per request, timed; see src/core/proxy.ts), so it applies these itself instead
 * of relying on the editor's patched `http` module. Pure over a configuration reader so it can be
 * tested without the editor.
 */
import { proxyFromEnv, withExplicitProxy, type ProxySettings } from '../core/proxy';

export { tlsUnverified } from '../core/proxy';

/** The subset of `vscode.WorkspaceConfiguration` (section `http`) read here. */
export interface HttpConfigReader {
  get<T>(key: string): T | undefined;
}

/** Proxy settings from the `http.*` settings and the extension host's environment. */
export function editorProxySettings(http: HttpConfigReader, env: Record<string, string | undefined> = process.env): ProxySettings {
  const fromEnv = proxyFromEnv(env);
  if (http.get<string>('proxySupport') === 'off') return fromEnv;
  const explicit = http.get<string>('proxy')?.trim() || null;
  const settings = withExplicitProxy(fromEnv, explicit);
  const noProxy = http.get<unknown>('noProxy');
  const listed = Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [];
  return {
    ...settings,
    noProxy: [settings.noProxy, ...listed].filter(Boolean).join(','),
    strictSSL: http.get<boolean>('proxyStrictSSL') !== false,
  };
}
