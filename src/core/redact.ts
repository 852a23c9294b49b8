/**
 * Keeps API keys out of everything Bakeoff shows, stores or logs: recorded requests, error
 * messages and error bodies.
 */

/** Header names whose values are secrets (besides `Authorization`). */
const secretHeaderName = /(key|token|secret|auth|cookie|password|signature|credential)/i;

/** Replaces `Bearer <anything>` so a key echoed by a server never survives. */
const bearerPattern = /\bBearer\s+[^\s"',;]+/gi;

/** The text secrets are replaced with. */
export const redactedMarker = '***';

/**
 * Returns a plain copy of `headers` with secret values replaced: `Authorization` becomes
 * `Bearer ***` (or `***` for other schemes), and any header whose name contains key, token,
 * secret, auth, cookie, password, signature or credential becomes `***`. Names are lower-cased.
 */
export function redactHeaders(
  headers: Headers | Record<string, string | string[] | undefined> | Iterable<[string, string]> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries: Iterable<[string, unknown]> =
    headers instanceof Headers || Symbol.iterator in (headers as object)
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [rawName, rawValue] of entries) {
    if (rawValue === undefined || rawValue === null) continue;
    const name = rawName.toLowerCase();
    const value = Array.isArray(rawValue) ? rawValue.join(', ') : String(rawValue);
    if (name === 'authorization' || name === 'proxy-authorization') {
      out[name] = /^bearer\s/i.test(value) ? `Bearer ${redactedMarker}` : redactedMarker;
    } else if (secretHeaderName.test(name)) {
      out[name] = redactedMarker;
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * Removes every occurrence of each non-empty secret from `text`, and any `Bearer <token>`
 * credential, replacing them with `***`.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join(redactedMarker);
  }
  return out.replace(bearerPattern, `Bearer ${redactedMarker}`);
}

/**
 * {@link redactSecrets} for text that may have been cut off (a body read up to a byte limit):
 * also replaces a trailing fragment of 4 or more characters that is the beginning of a secret,
 * so a key split by the cut does not survive in part.
 */
export function redactCutText(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = redactSecrets(text, secrets);
  for (const secret of secrets) {
    if (!secret) continue;
    for (let len = Math.min(secret.length - 1, out.length); len >= 4; len--) {
      if (out.endsWith(secret.slice(0, len))) {
        out = `${out.slice(0, out.length - len)}${redactedMarker}`;
        break;
      }
    }
  }
  return out;
}

/** Deep copy of a JSON-like value with {@link redactSecrets} applied to every string. */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | null | undefined>): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, secrets);
    return out as T;
  }
  return value;
}
