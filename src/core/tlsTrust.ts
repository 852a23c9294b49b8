/**
 * Which certificates a backend's TLS connection trusts. Verification is always on: Bakeoff passes
 * `rejectUnauthorized` explicitly, so `NODE_TLS_REJECT_UNAUTHORIZED=0` in the environment cannot
 * switch it off; only a backend's own `tls: { insecure: true }` does (and its numbers are then
 * marked *unverified TLS*). A private CA is trusted through `NODE_EXTRA_CA_CERTS` (Node reads it
 * at start-up) or a per-backend `tls.ca` file, added to the public roots rather than replacing them.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Backend } from './config';
import { TransportError } from './errors';

const caCache = new Map<string, string[]>();
const contextCache = new Map<string, tls.SecureContext>();

/**
 * The CA list for a backend with its own `ca` file: Node's bundled roots, the certificates of
 * `NODE_EXTRA_CA_CERTS` (giving `ca` would otherwise drop them) and those of the file. Read once
 * per path; a file that cannot be read fails the request with a `tls_error` naming it.
 */
export function trustedCas(caFile: string, env: Record<string, string | undefined> = process.env): string[] {
  const key = `${caFile}\n${env.NODE_EXTRA_CA_CERTS ?? ''}`;
  const cached = caCache.get(key);
  if (cached) return cached;
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new TransportError({
        type: 'tls_error',
        message: `Cannot read ${what} ${path} (${code})`,
        hint: 'Fix the path of the PEM file with the CA certificates (tls.ca, or NODE_EXTRA_CA_CERTS).',
        code,
      });
    }
  };
  const list = [...tls.rootCertificates];
  if (env.NODE_EXTRA_CA_CERTS) list.push(read(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS file'));
  const own = read(caFile, 'the CA file');
  if (!/-----BEGIN CERTIFICATE-----/.test(own)) {
    throw new TransportError({
      type: 'tls_error',
      message: `The CA file ${caFile} holds no PEM certificate`,
      hint: 'tls.ca must be a PEM file (-----BEGIN CERTIFICATE-----).',
      code: 'ECAFILE',
    });
  }
  list.push(own);
  caCache.set(key, list);
  return list;
}

/**
 * A TLS context trusting {@link trustedCas}, built once per CA file: parsing the whole root store
 * for every connection would add tens of milliseconds to each connect phase.
 */
export function trustedContext(caFile: string, env: Record<string, string | undefined> = process.env): tls.SecureContext {
  const key = `${caFile}\n${env.NODE_EXTRA_CA_CERTS ?? ''}`;
  let context = contextCache.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: trustedCas(caFile, env) });
    contextCache.set(key, context);
  }
  return context;
}

/** The TLS part of the fetch options for a backend (see NodeFetchOptions). */
export function backendTlsOptions(backend: Pick<Backend, 'tls'>): { insecure?: boolean; caFile?: string } {
  return {
    ...(backend.tls?.insecure ? { insecure: true } : {}),
    ...(backend.tls?.ca ? { caFile: backend.tls.ca } : {}),
  };
}
