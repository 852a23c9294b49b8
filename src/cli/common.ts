/**
 * What the `bakeoff` commands share: where they read and write, usage errors, signals, number
 * options within the limits of src/core/limits.ts, backend selection, keys from the environment
 * variables a backend names, and proxy settings.
 */
import { access, constants } from 'node:fs/promises';
import { backendWarnings, keyRequired, type Backend, type ConfigFile } from '../core/config';
import { TransportError } from '../core/errors';
import { parseProxyUrl, proxyAddress, proxyFromEnv, redactProxyUrl, withExplicitProxy, type ProxySettings } from '../core/proxy';
import type { CliIo } from './exit';

export { CliInterrupt, interruptedCode, wholeNumberIn, type CliIo } from './exit';

/** A bad command line or setup: exit code 2 with the message. */
export class UsageError extends Error {}

export function selectBackends(config: ConfigFile, list: string | undefined): Backend[] {
  if (list === undefined) return config.backends;
  const wanted = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted.length) {
    throw new UsageError(`--backends names no backend ("${list}"). Configured: ${config.backends.map((b) => b.id).join(', ')}`);
  }
  const unknown = wanted.filter((id) => !config.backends.some((b) => b.id === id));
  if (unknown.length) {
    throw new UsageError(
      `Unknown backend${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Configured: ${config.backends.map((b) => b.id).join(', ')}`,
    );
  }
  return wanted.map((id) => config.backends.find((b) => b.id === id)!);
}

/** Resolves every key up front so a missing variable is reported before anything is sent. */
export function resolveKeys(backends: Backend[], env: CliIo['env']): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const b of backends) {
    if (!b.apiKeyEnv) {
      keys.set(b.id, undefined);
      continue;
    }
    const value = env[b.apiKeyEnv];
    if (value) keys.set(b.id, value);
    else if (!keyRequired(b)) keys.set(b.id, undefined);
    else missing.push(`backend "${b.id}": environment variable ${b.apiKeyEnv} is not set`);
  }
  if (missing.length) throw new UsageError(`Missing API keys:\n  - ${missing.join('\n  - ')}`);
  return keys;
}

/** Proxy settings of a run: `--proxy`, else the config's `proxy`, over the environment's variables. */
export function proxySettings(flag: string | undefined, configProxy: string | undefined, env: CliIo['env']): ProxySettings {
  const explicit = flag ?? configProxy;
  if (explicit && explicit !== 'direct') {
    try {
      parseProxyUrl(explicit);
    } catch (err) {
      throw new UsageError(err instanceof TransportError ? err.message : `Invalid proxy ${redactProxyUrl(explicit)}`);
    }
  }
  const settings = withExplicitProxy(proxyFromEnv(env), explicit);
  for (const proxy of [settings.httpsProxy, settings.httpProxy]) {
    if (!proxy) continue;
    try {
      parseProxyUrl(proxy);
    } catch (err) {
      throw new UsageError(err instanceof TransportError ? err.message : `Invalid proxy ${redactProxyUrl(proxy)}`);
    }
  }
  return settings;
}

/** Problems found before anything is sent: unreadable CA files (exit 2); warnings go to stderr. */
export async function preflight(backends: Backend[], proxy: ProxySettings, io: CliIo): Promise<void> {
  const unreadable: string[] = [];
  for (const b of backends) {
    if (!b.tls?.ca) continue;
    try {
      await access(b.tls.ca, constants.R_OK);
    } catch (err) {
      unreadable.push(`backend "${b.id}" → tls.ca: cannot read ${b.tls.ca} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  if (unreadable.length) throw new UsageError(`Unreadable CA files:\n  - ${unreadable.join('\n  - ')}`);
  for (const line of backendWarnings(backends)) io.stderr.write(`bakeoff: warning: ${line}\n`);
  if (io.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
    io.stderr.write(
      'bakeoff: note: NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored; certificates are verified. Set tls.insecure on a backend to opt out.\n',
    );
  }
  const via = new Set<string>();
  for (const url of [proxy.httpsProxy, proxy.httpProxy]) if (url) via.add(proxyAddress(parseProxyUrl(url)));
  if (via.size) io.stderr.write(`Using proxy ${[...via].join(', ')}${proxy.noProxy ? ` (not for: ${proxy.noProxy})` : ''}\n`);
}

