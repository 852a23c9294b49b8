/**
 * Binds each stored API key to the origin (scheme://host:port) it was saved for. A key is only
 * sent when the backend still points at that origin, so changing a backend's URL (or a settings
 * file doing it) cannot redirect a stored key elsewhere.
 */

/** Secret-store entry name for a backend's key. */
export function secretName(backendId: string): string {
  return `bakeoff.apiKey.${backendId}`;
}

/** What is stored in the secret store, as JSON. */
export interface StoredKey {
  key: string;
  origin: string;
}

/** `new URL(baseUrl).origin`, or null when the URL does not parse or is not http(s). */
export function originOf(baseUrl: string): string | null {
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Serialises a key together with the origin of `baseUrl`. Throws when the URL has no http(s) origin. */
export function encodeStoredKey(key: string, baseUrl: string): string {
  const origin = originOf(baseUrl);
  if (!origin) throw new Error('The backend URL is not a valid http:// or https:// URL.');
  const stored: StoredKey = { key, origin };
  return JSON.stringify(stored);
}

/** Parses a stored entry; anything that is not `{ key, origin }` JSON yields null. */
export function decodeStoredKey(raw: string | undefined): StoredKey | null {
  if (raw === undefined) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object') {
      const { key, origin } = value as Record<string, unknown>;
      if (typeof key === 'string' && key.length > 0 && typeof origin === 'string' && origin.length > 0) {
        return { key, origin };
      }
    }
  } catch {
    // not JSON
  }
  return null;
}

/** Outcome of looking up the key for one backend. */
export type KeyCheck =
  | { status: 'ok'; key: string }
  | { status: 'missing'; message: string }
  | { status: 'originMismatch'; savedOrigin: string; currentOrigin: string; message: string }
  | { status: 'unreadable'; message: string };

/** The parts of a backend the check needs. */
export interface KeyBindingTarget {
  id: string;
  label?: string;
  baseUrl: string;
}

/**
 * Decides whether the stored entry may be sent to `backend`. Messages never contain the key.
 */
export function checkKeyBinding(raw: string | undefined, backend: KeyBindingTarget): KeyCheck {
  const name = backend.label ?? backend.id;
  if (raw === undefined || raw === '') {
    return { status: 'missing', message: `No API key is set for ${name}. Run "Bakeoff: Set API Key…" to add one.` };
  }
  const stored = decodeStoredKey(raw);
  if (!stored) {
    return {
      status: 'unreadable',
      message: `The stored key for ${name} is not in the expected format. Set the key again to use it.`,
    };
  }
  const currentOrigin = originOf(backend.baseUrl);
  if (currentOrigin === null || currentOrigin !== stored.origin) {
    return {
      status: 'originMismatch',
      savedOrigin: stored.origin,
      currentOrigin: currentOrigin ?? backend.baseUrl,
      message:
        `The key for ${name} was saved for ${stored.origin}; this backend now points at ` +
        `${currentOrigin ?? 'an invalid URL'}. Set the key again to allow it.`,
    };
  }
  return { status: 'ok', key: stored.key };
}
