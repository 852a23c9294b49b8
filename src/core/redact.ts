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
  headers: Headers | Record<string, string | string[] | undefined> | Iterable<readonly [string, string]> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries: Iterable<readonly [string, unknown]> =
    headers instanceof Headers || Symbol.iterator in (headers as object)
      ? (headers as Iterable<readonly [string, string]>)
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
 * credential, replacing them with `***`. A secret of at least {@link minSecretKeyLength}
 * characters is also removed as a server might echo it (see {@link echoedKeyPattern}: any letter
 * case, inline tags, zero-width characters or soft hyphens between its characters); a shorter one
 * (a placeholder such as `ollama`) only where it appears exactly.
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join(redactedMarker);
    if (secret.length >= minSecretKeyLength) out = out.replace(cachedEchoPattern(secret), redactedMarker);
  }
  return out.replace(bearerPattern, `Bearer ${redactedMarker}`);
}

/**
 * {@link redactSecrets} for text that may have been cut off (a body read up to a byte limit):
 * also replaces a trailing fragment of 4 or more characters that is the beginning of a secret,
 * so a key split by the cut does not survive in part. For a secret of at least
 * {@link minSecretKeyLength} characters the fragment is matched as an echo is (any letter case,
 * ignorable sequences between its characters, an unfinished tag at the very end); a shorter one
 * only exactly.
 */
export function redactCutText(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = redactSecrets(text, secrets);
  for (const secret of secrets) {
    if (!secret) continue;
    if (secret.length >= minSecretKeyLength) {
      const start = echoedPrefixStart(out, secret, 4);
      if (start >= 0) out = `${out.slice(0, start)}${redactedMarker}`;
      continue;
    }
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

/**
 * Keys shorter than this are placeholders (`ollama`, `EMPTY`, `sk-local`), not secrets: replacing
 * them in answers and messages would only mangle ordinary words.
 */
export const minSecretKeyLength = 12;

/** The keys worth redacting from text: non-empty and at least {@link minSecretKeyLength} long. */
export function secretKeys(keys: ReadonlyArray<string | null | undefined>): string[] {
  return [...new Set(keys.filter((k): k is string => typeof k === 'string' && k.length >= minSecretKeyLength))];
}

/**
 * What may sit between two characters of an echoed key without hiding it: an inline tag, a
 * zero-width character or a soft hyphen (U+00AD, invisible unless a line breaks there).
 */
const gapSource = '(?:<[^<>]{0,64}>|[\\u00AD\\u200B-\\u200D\\u2060\\uFEFF])';
const ignorable = new RegExp(`^${gapSource}`);

function escapeRegExp(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A pattern matching `key` as a server might echo it: any letter case, and inline tags
 * (`<b>`, `</span>`), zero-width characters or soft hyphens between its characters.
 */
export function echoedKeyPattern(key: string): RegExp {
  return new RegExp([...key].map(escapeRegExp).join(`${gapSource}*`), 'giu');
}

/** Compiled {@link echoedKeyPattern}s by key: redaction runs on every request, the keys are few. */
const echoPatternCache = new Map<string, RegExp>();
const echoPatternCacheSize = 32;

/**
 * The cached {@link echoedKeyPattern} of `key`. Shared: use it only with `String.prototype.replace`
 * (which starts a global pattern at 0 and leaves it there), never with `exec` or `test`.
 */
function cachedEchoPattern(key: string): RegExp {
  let pattern = echoPatternCache.get(key);
  if (pattern) {
    // Most recently used last, so the oldest goes first when the cache is full.
    echoPatternCache.delete(key);
  } else {
    pattern = echoedKeyPattern(key);
    if (echoPatternCache.size >= echoPatternCacheSize) echoPatternCache.delete(echoPatternCache.keys().next().value!);
  }
  echoPatternCache.set(key, pattern);
  return pattern;
}

/** `text` with every echo of the keys (see {@link echoedKeyPattern}) replaced by `***`, and whether any was found. */
export function redactKeysInText(text: string, keys: ReadonlyArray<string | null | undefined>): { text: string; found: boolean } {
  let found = false;
  let out = text;
  for (const key of secretKeys(keys)) {
    out = out.replace(cachedEchoPattern(key), () => {
      found = true;
      return redactedMarker;
    });
  }
  return { text: out, found };
}

/**
 * How many characters of `key` the tail of `text` from `start` holds when that tail could be the
 * beginning of an echo of `key` (case-insensitive, ignorable sequences allowed) that more text
 * may complete; -1 when it cannot (a character that does not fit, or a whole echo).
 */
function echoPrefixLength(text: string, start: number, key: string): number {
  let k = 0;
  let i = start;
  while (i < text.length) {
    if (k > 0) {
      const rest = text.slice(i, i + 66);
      const gap = ignorable.exec(rest);
      if (gap) {
        i += gap[0].length;
        continue;
      }
      // An unfinished tag at the very end may still become a gap.
      if (rest.startsWith('<') && !rest.includes('>') && i + rest.length === text.length) return k;
    }
    if (text[i]!.toLowerCase() !== key[k]!.toLowerCase()) return -1;
    k++;
    i++;
    if (k === key.length) return -1; // a whole echo: the full replacement handles it
  }
  return k;
}

/**
 * Whether the tail of `text` from `start` could be the beginning of an echo of `key`
 * (case-insensitive, ignorable sequences allowed) that the next piece of text may complete.
 */
function couldStartEcho(text: string, start: number, key: string): boolean {
  return echoPrefixLength(text, start, key) >= 0;
}

/**
 * Where the longest tail of `text` that is the beginning of an echo of `key` holding at least
 * `minChars` of its characters starts; -1 when there is none.
 */
function echoedPrefixStart(text: string, key: string, minChars: number): number {
  for (let i = Math.max(0, text.length - key.length * 70); i < text.length; i++) {
    if (echoPrefixLength(text, i, key) >= minChars) return i;
  }
  return -1;
}

/**
 * Redacts keys from text that arrives in pieces (a streamed answer). {@link push} returns what
 * can be shown now: complete echoes replaced by `***`, and a tail that could be the start of an
 * echo held back until the next piece proves otherwise. {@link flush} returns the rest. The
 * concatenation of everything returned is the redacted answer.
 */
export class StreamingKeyRedactor {
  private readonly keys: string[];
  private held = '';
  /** Some key was echoed. */
  found = false;

  constructor(keys: ReadonlyArray<string | null | undefined>) {
    this.keys = secretKeys(keys);
  }

  push(piece: string): string {
    if (this.keys.length === 0) return piece;
    const redacted = redactKeysInText(this.held + piece, this.keys);
    if (redacted.found) this.found = true;
    const text = redacted.text;
    let cut = text.length;
    const longest = Math.max(...this.keys.map((k) => k.length));
    for (let i = Math.max(0, text.length - longest * 70); i < text.length; i++) {
      if (this.keys.some((key) => couldStartEcho(text, i, key))) {
        cut = i;
        break;
      }
    }
    this.held = text.slice(cut);
    return text.slice(0, cut);
  }

  /**
   * The rest, at the end of the answer. A tail that is the beginning of a key (8 characters or
   * more, the way {@link push} matches an echo) will never be completed now: it is replaced, so
   * an answer cut inside an echoed key shows none of it.
   */
  flush(): string {
    let rest = this.held;
    this.held = '';
    for (const key of this.keys) {
      const start = echoedPrefixStart(rest, key, answerTailPrefixChars);
      if (start >= 0) {
        rest = `${rest.slice(0, start)}${redactedMarker}`;
        this.found = true;
      }
    }
    return rest;
  }
}

/** The shortest beginning of a key that {@link StreamingKeyRedactor.flush} replaces at the end of an answer. */
const answerTailPrefixChars = 8;
