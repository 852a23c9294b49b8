/**
 * Tiny dependency-free helpers shared by the extension host and the webview bundle (kept apart
 * from `protocol.ts` so the webview does not pull zod in).
 */

/** Exhaustiveness check for discriminated-union `switch` statements. */
export function assertNever(value: never, context = 'value'): never {
  throw new Error(`Unexpected ${context}: ${JSON.stringify(value)}`);
}

/** Longest URL the panel will link to or open. */
export const maxLinkUrlLength = 4096;

/**
 * Whether `url` may be shown as a link and opened in the browser: an absolute `http:` or
 * `https:` URL with a host, no credentials, no control characters or whitespace.
 */
export function isSafeLinkUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > maxLinkUrlLength) return false;
  // Control characters, whitespace and backslashes are how scheme filters get confused.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(url)) return false;
  if (!/^https?:\/\//i.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (!parsed.hostname) return false;
  if (parsed.username || parsed.password) return false;
  return true;
}
