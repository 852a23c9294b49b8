/**
 * HTTP(S) proxies for the core fetch: which proxy a URL goes through (`HTTPS_PROXY`,
 * `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` — lower case first, as curl reads them — or an explicit
 * setting), and the CONNECT tunnel that https requests use through it. Plain http requests go to
 * the proxy in absolute form (`GET http://host/path`), which createNodeFetch does itself.
 * Proxy credentials come from the proxy URL (`http://user:pass@proxy:3128`), are sent as
 * `Proxy-Authorization: Basic`, and never appear in a message: see {@link redactProxyUrl}.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import { TransportError } from './errors';
import type { Backend } from './config';
import type { ConnectionMarks, StreamError } from './types';

/** Where requests go: through which proxy, and which hosts bypass it. */
export interface ProxySettings {
  /** Proxy for `https://` targets (null: direct). */
  httpsProxy: string | null;
  /** Proxy for `http://` targets (null: direct). */
  httpProxy: string | null;
  /** `NO_PROXY`-style list: hosts, domains (`.corp`), IPs, CIDR ranges, `*`. */
  noProxy: string;
  /**
   * Verify the certificate of an `https://` proxy, and of backends reached through a proxy.
   * Default true; VS Code's `http.proxyStrictSSL: false` turns it off (and those results are
   * marked *unverified TLS*).
   */
  strictSSL?: boolean;
}

/** No proxy at all. */
export const directConnection: ProxySettings = { httpsProxy: null, httpProxy: null, noProxy: '' };

/** Reads a variable the way curl does: lower case first, then upper case. */
function envValue(env: Record<string, string | undefined>, name: string): string | null {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() ? value.trim() : null;
}

/**
 * The proxy settings of an environment: `https_proxy`/`HTTPS_PROXY` for https targets,
 * `http_proxy`/`HTTP_PROXY` for http targets, `all_proxy`/`ALL_PROXY` for both when the specific
 * one is unset, and `no_proxy`/`NO_PROXY`.
 */
export function proxyFromEnv(env: Record<string, string | undefined>): ProxySettings {
  const all = envValue(env, 'all_proxy');
  return {
    httpsProxy: envValue(env, 'https_proxy') ?? all,
    httpProxy: envValue(env, 'http_proxy') ?? all,
    noProxy: envValue(env, 'no_proxy') ?? '',
  };
}

/**
 * The settings for an explicit proxy (`--proxy`, config `proxy`, VS Code's `http.proxy`) over the
 * environment's: `direct` ignores every proxy variable; a URL is used for both http and https
 * targets. `NO_PROXY` from the environment still applies, as with curl's `--proxy`.
 */
export function withExplicitProxy(fromEnv: ProxySettings, explicit: string | null | undefined): ProxySettings {
  if (!explicit) return fromEnv;
  if (explicit === 'direct') return { ...directConnection };
  return { ...fromEnv, httpsProxy: explicit, httpProxy: explicit };
}

/** `[v6]` → `v6`, lower case, no trailing dot. */
function normalizeHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/** An IPv6 address as 8 16-bit groups; null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  if (!net.isIPv6(ip)) return null;
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    if (n === null) return null;
    text = text.slice(0, -v4[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const groups = [...h, ...fill, ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : null;
}

function inCidr(host: string, range: string, bits: number): boolean {
  const a4 = ipv4ToInt(host);
  const r4 = ipv4ToInt(range);
  if (a4 !== null && r4 !== null) {
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return ((a4 & mask) >>> 0) === ((r4 & mask) >>> 0);
  }
  const a6 = ipv6Groups(host);
  const r6 = ipv6Groups(range);
  if (!a6 || !r6 || bits > 128) return false;
  for (let i = 0; i < 8; i++) {
    const take = Math.max(0, Math.min(16, bits - i * 16));
    const mask = take === 0 ? 0 : (0xffff << (16 - take)) & 0xffff;
    if ((a6[i]! & mask) !== (r6[i]! & mask)) return false;
  }
  return true;
}

/**
 * Whether `host` bypasses the proxy under a `NO_PROXY` list, as curl reads it: entries separated
 * by commas (spaces around them ignored), case-insensitive; `*` alone matches every host; a name
 * matches itself and its subdomains, with or without a leading dot (`example.com` and
 * `.example.com` both match `example.com` and `api.example.com`, never `myexample.com`); an IP
 * address matches only itself, written as an IP; `10.0.0.0/8`-style CIDR ranges match addresses
 * inside them (IPv4 and IPv6). A port on an entry (`host:8080`) limits it to that port.
 */
export function bypassesProxy(host: string, port: number, noProxy: string): boolean {
  const target = normalizeHost(host);
  for (const rawEntry of noProxy.split(',')) {
    let entry = rawEntry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: number | null = null;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2] ? Number(bracketed[2]) : null;
    } else if (!net.isIPv6(entry.split('/')[0]!)) {
      const withPort = /^(.*):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1]!;
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== null && entryPort !== port) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      if (net.isIP(target) && inCidr(target, cidr[1]!, Number(cidr[2]))) return true;
      continue;
    }
    if (net.isIP(entry) || net.isIP(target)) {
      if (net.isIP(entry) && net.isIP(target)) {
        const a = ipv6Groups(entry);
        const b = ipv6Groups(target);
        if (entry === target || (a && b && a.every((g, i) => g === b[i]))) return true;
      }
      continue;
    }
    const domain = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (!domain) continue;
    if (target === domain || target.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** Parses a proxy URL (`host:port` alone means `http://host:port`); throws a TransportError for an unusable one. */
export function parseProxyUrl(proxy: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TransportError(proxyError(`The proxy setting is not a valid URL: ${redactProxyUrl(proxy)}`, 'EPROXYURL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError(
      proxyError(`Proxy ${redactProxyUrl(proxy)}: only http:// and https:// proxies are supported (not ${url.protocol.slice(0, -1)})`, 'EPROXYURL'),
    );
  }
  return url;
}

/**
 * The proxy for `target`, or null for a direct connection (no proxy configured for its
 * protocol, or the host is in the no-proxy list).
 */
export function proxyFor(target: URL, settings: ProxySettings | undefined): URL | null {
  if (!settings) return null;
  const proxy = target.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (!proxy) return null;
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  if (bypassesProxy(target.hostname, port, settings.noProxy)) return null;
  return parseProxyUrl(proxy);
}

/** A proxy URL fit for a message: credentials replaced by `***`. Works on unparseable text too. */
export function redactProxyUrl(proxy: string | URL): string {
  const text = String(proxy);
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/?#]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/** `host:port` of a proxy, for messages (never the credentials). */
export function proxyAddress(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? 443 : 80)}`;
}

/** `Basic …` for the credentials in the proxy URL; null without any. */
export function proxyAuthorization(proxy: URL): string | null {
  if (!proxy.username && !proxy.password) return null;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

function proxyError(message: string, code: string, hint?: string): StreamError {
  return {
    type: 'network_error',
    message,
    hint: hint ?? 'Check the proxy address (HTTPS_PROXY / HTTP_PROXY, --proxy, or the proxy setting) and NO_PROXY.',
    code,
  };
}

/** Options of {@link openTunnel}. */
export interface TunnelOptions {
  /** Stamps the DNS lookup, TCP connect and CONNECT answer of the proxy connection. */
  observer?: { now(): number; connection: ConnectionMarks };
  /** `host:port` to tunnel to. */
  host: string;
  port: number;
  lookup?: LookupFunction;
  /** Verify an `https://` proxy's certificate. Default true. */
  rejectUnauthorized?: boolean;
  /** CA certificates for an `https://` proxy. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Largest CONNECT response header accepted, bytes. */
  maxHeaderBytes?: number;
}

/** A tunnel being opened; `cancel` destroys whatever socket exists. */
export interface PendingTunnel {
  socket: Promise<net.Socket>;
  cancel(reason?: Error): void;
}

/**
 * Opens a CONNECT tunnel through `proxy` to `host:port` and resolves with the raw socket once
 * the proxy answered 2xx (the caller then starts TLS on it). A non-2xx answer rejects with a
 * TransportError naming the status (407: credentials), the proxy address, never its
 * credentials. Socket errors keep their Node code.
 */
export function openTunnel(proxy: URL, options: TunnelOptions): PendingTunnel {
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const proxyHost = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const socket: net.Socket =
    proxy.protocol === 'https:'
      ? tls.connect({
          host: proxyHost,
          port: proxyPort,
          servername: net.isIP(proxyHost) ? undefined : proxyHost,
          rejectUnauthorized: options.rejectUnauthorized !== false,
          ...(options.ca ? { ca: options.ca } : {}),
          ...(options.lookup ? { lookup: options.lookup } : {}),
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({ host: proxyHost, port: proxyPort, ...(options.lookup ? { lookup: options.lookup } : {}) });
  const observer = options.observer;
  if (observer) {
    socket.once('lookup', () => (observer.connection.dnsMs ??= observer.now()));
    socket.once('connect', () => (observer.connection.tcpMs ??= observer.now()));
  }
  let cancel: (reason?: Error) => void = () => undefined;
  const promise = new Promise<net.Socket>((resolve, reject) => {
    const target = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
    const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
    let buffered = Buffer.alloc(0);
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > maxHeaderBytes) fail(new TransportError(proxyError(`Proxy ${proxyAddress(proxy)} sent an oversized answer to CONNECT`, 'EPROXY')));
        return;
      }
      const head = buffered.subarray(0, end).toString('latin1');
      const statusLine = head.split('\r\n', 1)[0] ?? '';
      const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? NaN);
      if (!(status >= 200 && status < 300)) {
        const reason = statusLine.replace(/^HTTP\/\S+\s+\d{3}\s*/, '').slice(0, 100);
        if (status === 407) {
          fail(
            new TransportError(
              proxyError(
                `Proxy ${proxyAddress(proxy)} requires authentication (HTTP 407${reason ? ` ${reason}` : ''})${proxy.username ? '; the credentials in the proxy URL were refused' : ''}`,
                'EPROXYAUTH',
                'Put the proxy user and password in the proxy URL (http://user:password@host:port); they are never shown.',
              ),
            ),
          );
        } else {
          fail(
            new TransportError(
              proxyError(
                Number.isNaN(status)
                  ? `Proxy ${proxyAddress(proxy)} did not answer CONNECT with HTTP`
                  : `Proxy ${proxyAddress(proxy)} refused the tunnel to ${target} (HTTP ${status}${reason ? ` ${reason}` : ''})`,
                'EPROXYCONNECT',
                'The proxy does not let this host through; check NO_PROXY, the proxy rules, or the backend address.',
              ),
            ),
          );
        }
        return;
      }
      done = true;
      if (observer) observer.connection.tunnelMs = observer.now();
      cleanup();
      // Bytes after the header belong to the tunnelled stream (normally none before we speak).
      const rest = buffered.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportError) return fail(err);
      const code = err.code ?? 'EPROXY';
      const tlsProblem = /certificate|SSL|TLS/i.test(err.message) || /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code);
      fail(
        new TransportError({
          type: tlsProblem ? 'tls_error' : 'network_error',
          message: `Cannot reach proxy ${proxyAddress(proxy)} (${code})`,
          hint: tlsProblem
            ? 'The proxy\'s certificate is not trusted; add its CA with NODE_EXTRA_CA_CERTS.'
            : 'Check that the proxy address and port are right and the proxy is running.',
          code,
        }),
      );
    };
    const onClose = () => fail(Object.assign(new Error(`Proxy ${proxyAddress(proxy)} closed the connection during CONNECT`), { code: 'ECONNRESET' }));
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const auth = proxyAuthorization(proxy);
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}Proxy-Connection: close\r\n\r\n`,
    );
    cancel = (reason) => fail(reason ?? new Error('The tunnel was cancelled'));
  });
  return { socket: promise, cancel: (reason) => cancel(reason) };
}

/** What {@link prepareConnection} reports when a request's connection is ready. */
export interface ConnectInfo {
  /** `performance.now()` when TCP, any proxy tunnel and the TLS handshake were done. */
  connectedMs: number;
  /** `host:port` of the proxy the request went through; null when direct. */
  proxy: string | null;
  /** `tunnel` (CONNECT, https targets) or `absolute-form` (http targets); null when direct. */
  proxyMode: 'tunnel' | 'absolute-form' | null;
  /** Whether the backend's certificate was verified; null for plain http. */
  tlsVerified: boolean | null;
}

/**
 * Kept-alive connections of one backend for one run (`connection: "warm"`): one agent per way of
 * connecting (direct, through a proxy, tunnelled), each keeping its idle connections for the next
 * request. Destroy it when the run ends.
 */
export class ConnectionPool {
  private readonly agents = new Map<string, http.Agent>();

  /** The agent for `key`, made by `create` the first time. */
  agent<A extends http.Agent>(key: string, create: () => A): A {
    let agent = this.agents.get(key) as A | undefined;
    if (!agent) {
      agent = create();
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Connections kept alive and idle, ready for the next request. */
  idleConnections(): number {
    let n = 0;
    for (const agent of this.agents.values()) for (const sockets of Object.values(agent.freeSockets)) n += sockets?.length ?? 0;
    return n;
  }

  /** Closes every connection. */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** The connection-related options createNodeFetch passes on (see NodeFetchOptions). */
export interface ConnectionOptions {
  proxy?: ProxySettings;
  insecure?: boolean;
  lookup?: LookupFunction;
  /** Reuse kept-alive connections from here; absent: a fresh, unpooled connection. */
  pool?: ConnectionPool;
  /** Stamps the steps of a tunnelled connection (direct ones are stamped on the request's socket). */
  observer?: { now(): number; connection: ConnectionMarks };
}

/** Request option under which a tunnelled request carries its observer to the agent's createConnection. */
const tunnelObserver = Symbol('bakeoff.tunnelObserver');

/** How one request connects: its ClientRequest options (with a fresh agent) and tunnel control. */
export interface PreparedConnection {
  /** For `new http.ClientRequest` (TLS fields reach the agent's createConnection). */
  options: https.RequestOptions;
  /** The socket handed to the request finishes a TLS handshake before it is ready. */
  secure: boolean;
  info(connectedMs: number): ConnectInfo;
  /** Stops a tunnel still being opened (the request was destroyed first). */
  cancel(): void;
  /** The connection may be kept alive for another request (from a {@link ConnectionPool}). */
  pooled: boolean;
}

/**
 * Turns the request options of `target` into options for `new http.ClientRequest`: direct, or
 * through the proxy that {@link proxyFor} picks — a CONNECT tunnel for https (TLS to the backend
 * inside it), the absolute form for http. Without a pool every request gets its own non-pooled
 * agent, so each opens its own connection and pays its own connect phase; with one, requests share
 * its kept-alive agents. Certificates are verified unless the backend opted out (`insecure`) or
 * the proxy settings say not to (`strictSSL: false`, for connections through a proxy);
 * `rejectUnauthorized` is always passed explicitly, so `NODE_TLS_REJECT_UNAUTHORIZED=0` changes
 * nothing.
 */
export function prepareConnection(target: URL, base: https.RequestOptions, options: ConnectionOptions): PreparedConnection {
  const isHttps = target.protocol === 'https:';
  const proxy = proxyFor(target, options.proxy);
  const strictProxy = options.proxy?.strictSSL !== false;
  const verify = !options.insecure && (proxy ? strictProxy : true);
  const pool = options.pool;
  let tunnel: PendingTunnel | null = null;
  const info = (connectedMs: number): ConnectInfo => ({
    connectedMs,
    proxy: proxy ? proxyAddress(proxy) : null,
    proxyMode: proxy ? (isHttps ? 'tunnel' : 'absolute-form') : null,
    tlsVerified: isHttps ? verify : null,
  });
  const cancel = () => tunnel?.cancel();
  /** A fresh one-connection agent, or the pool's kept-alive agent of this way of connecting. */
  const agentFor = <A extends http.Agent>(kind: string, make: (keepAlive: boolean) => A): A =>
    pool ? pool.agent(`${kind} ${proxy?.href ?? ''}`, () => make(true)) : make(false);
  const pooled = pool !== undefined;

  if (!proxy) {
    const agent = isHttps
      ? agentFor('https', (keepAlive) => new https.Agent({ keepAlive, maxSockets: keepAlive ? Infinity : 1 }))
      : agentFor('http', (keepAlive) => new http.Agent({ keepAlive, maxSockets: keepAlive ? Infinity : 1 }));
    return { options: { ...base, agent, ...(isHttps ? { rejectUnauthorized: verify } : {}) }, secure: isHttps, info, cancel, pooled };
  }

  const proxyHost = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  if (!isHttps) {
    // Absolute form: the request goes to the proxy, naming the whole target URL.
    const proxyIsHttps = proxy.protocol === 'https:';
    const headers: Record<string, string> = { ...(base.headers as Record<string, string>), host: target.host };
    const auth = proxyAuthorization(proxy);
    if (auth) headers['proxy-authorization'] = auth;
    const agent = proxyIsHttps
      ? agentFor('https-proxy', (keepAlive) => new https.Agent({ keepAlive, maxSockets: keepAlive ? Infinity : 1 }))
      : agentFor('http-proxy', (keepAlive) => new http.Agent({ keepAlive, maxSockets: keepAlive ? Infinity : 1 }));
    return {
      options: {
        ...base,
        protocol: proxy.protocol,
        hostname: proxyHost,
        port: proxyPort,
        path: `${target.protocol}//${target.host}${target.pathname}${target.search}`,
        headers,
        agent,
        ...(proxyIsHttps ? { rejectUnauthorized: strictProxy, servername: net.isIP(proxyHost) ? '' : proxyHost } : {}),
      },
      secure: proxyIsHttps,
      info,
      cancel,
      pooled,
    };
  }

  // CONNECT tunnel, then TLS to the backend inside it, all within the agent's createConnection
  // (so it is part of the request's connect phase).
  const host = String(base.hostname);
  const port = Number(base.port) || 443;
  const agent = agentFor(`tunnel ${host}:${port}`, (keepAlive) => {
    const made = new https.Agent({ keepAlive, maxSockets: keepAlive ? Infinity : 1 });
    (made as unknown as { createConnection: unknown }).createConnection = (
      connectOptions: tls.ConnectionOptions,
      callback: (err: Error | null, socket?: net.Socket) => void,
    ): undefined => {
      // The observer of the request this connection is opened for (a pooled agent outlives requests).
      const observer = (connectOptions as { [tunnelObserver]?: ConnectionOptions['observer'] })[tunnelObserver];
      const opening = openTunnel(proxy, {
        host,
        port,
        rejectUnauthorized: strictProxy,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        ...(observer ? { observer } : {}),
      });
      if (!keepAlive) tunnel = opening;
      opening.socket.then(
        (raw) => {
          const secure = tls.connect({
            ...connectOptions,
            socket: raw,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: verify,
          });
          callback(null, secure);
        },
        (err: Error) => callback(err),
      );
      return undefined;
    };
    return made;
  });
  const observer = options.observer;
  return { options: { ...base, agent, rejectUnauthorized: verify, ...(observer ? { [tunnelObserver]: observer } : {}) }, secure: true, info, cancel, pooled };
}

/**
 * Whether this backend's certificate goes unverified: it opted out (`tls.insecure`), or it is
 * reached over https through a proxy while the proxy settings turn strict SSL off (`http.proxyStrictSSL`
 * in the editor). Every number of such a backend is marked *unverified TLS*.
 */
export function tlsUnverified(backend: Pick<Backend, 'baseUrl' | 'tls'>, proxy: ProxySettings | undefined): boolean {
  if (backend.tls?.insecure) return true;
  if (!proxy || proxy.strictSSL !== false) return false;
  try {
    const url = new URL(backend.baseUrl);
    return url.protocol === 'https:' && proxyFor(url, proxy) !== null;
  } catch {
    return false;
  }
}
