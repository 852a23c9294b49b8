/**
 * Reading input files (the CLI's config and prompt files): with a size bound that holds for endless
 * devices (`/dev/zero`) as well as regular files, interruptible while waiting (a FIFO with no
 * writer yet), and decoded strictly: UTF-8 (a BOM is dropped) or UTF-16 with a BOM; invalid
 * UTF-8 and NUL bytes are refused with the offset of the first bad byte.
 */
import { constants, createReadStream, open } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { promisify } from 'node:util';

/** `open(2)` giving a bare descriptor (a FileHandle would close it a second time after the socket did). */
const openFd = promisify(open);

/** A file that cannot be used as input; the message says why (path, size, offset). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Thrown when the read was interrupted through the signal. */
export class InputAborted extends Error {
  override readonly name = 'InputAborted';
}

/**
 * Reads at most `maxBytes` of `path`. A file (or device, or FIFO) with more fails with an
 * InputError as soon as byte `maxBytes + 1` arrives, without reading the rest. FIFOs are opened
 * non-blocking and read on the event loop, so waiting for a writer never ties up a thread and
 * `signal` (Ctrl-C) ends the wait at once.
 */
export async function readBounded(
  path: string,
  what: string,
  maxBytes: number,
  signal?: AbortSignal,
  /** Called when `path` is a FIFO, before waiting for its writer (to say what the wait is for). */
  onFifo?: () => void,
): Promise<Buffer> {
  if (signal?.aborted) throw new InputAborted(`Reading ${what} ${path} was interrupted`);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(describeFsError(err, what, path));
  }
  if (info.isDirectory()) throw new InputError(`${capitalize(what)} ${path} is a directory`);
  if (info.isFile() && info.size > maxBytes) throw new InputError(tooLarge(what, path, maxBytes, info.size));

  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer inside a thread-pool thread, which
    // nothing can interrupt (not even process exit).
    fd = await openFd(path, constants.O_RDONLY | (info.isFIFO() ? constants.O_NONBLOCK : 0));
  } catch (err) {
    throw new InputError(describeFsError(err, what, path));
  }
  if (info.isFIFO()) onFifo?.();
  // Both close the descriptor when destroyed.
  const source = info.isFIFO()
    ? new Socket({ fd, readable: true, writable: false })
    : createReadStream('', { fd, autoClose: true, highWaterMark: 64 * 1024 });
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      source.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onAbort = () => finish(new InputAborted(`Reading ${what} ${path} was interrupted`));
    signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (size + buf.length > maxBytes) {
        finish(new InputError(tooLarge(what, path, maxBytes, null)));
        return;
      }
      chunks.push(buf);
      size += buf.length;
    });
    source.once('end', () => finish(null));
    source.once('error', (err: NodeJS.ErrnoException) => finish(new InputError(describeFsError(err, what, path))));
  });
}

function tooLarge(what: string, path: string, maxBytes: number, size: number | null): string {
  const limit = maxBytes % (1024 * 1024) === 0 ? `${maxBytes / (1024 * 1024)} MB` : maxBytes >= 1e6 ? `${maxBytes / 1e6} MB` : `${maxBytes / 1024} KB`;
  const actual = size === null ? 'larger than' : `${(size / 1e6).toFixed(1)} MB; the limit is`;
  return `${capitalize(what)} ${path} is ${actual} ${limit}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeFsError(err: unknown, what: string, path: string): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `${capitalize(what)} not found: ${path}`;
  return `Cannot read ${what} ${path} (${code ?? String(err)})`;
}

/** Offset of the first byte that is not part of valid UTF-8 (RFC 3629), or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes an input file: UTF-16 LE/BE when it starts with a BOM (PowerShell 5's `>` writes
 * UTF-16 LE with a BOM), otherwise UTF-8 (a leading BOM dropped). Refuses invalid UTF-8, broken
 * UTF-16 and NUL characters, naming the byte offset, so a binary or Latin-1 file is never sent.
 */
export function decodeText(buf: Buffer, what: string): string {
  let text: string;
  let encoding: string;
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    const le = buf[0] === 0xff;
    encoding = le ? 'UTF-16 LE' : 'UTF-16 BE';
    if (buf.length % 2 !== 0) throw new InputError(`${capitalize(what)} is not valid ${encoding}: odd length (${buf.length} bytes)`);
    try {
      text = new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: false }).decode(buf);
    } catch {
      throw new InputError(`${capitalize(what)} is not valid ${encoding}: it holds an unpaired surrogate`);
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) throw new InputError(`${capitalize(what)} contains a NUL character at byte offset ${2 + 2 * nul} (${encoding}); is it a binary file?`);
    return text;
  }
  encoding = 'UTF-8';
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const nul = buf.indexOf(0, start);
  const bad = firstInvalidUtf8(buf.subarray(start));
  if (bad >= 0 && (nul < 0 || start + bad < nul)) {
    const at = start + bad;
    throw new InputError(
      `${capitalize(what)} is not valid UTF-8: byte 0x${buf[at]!.toString(16).padStart(2, '0')} at offset ${at}. ` +
        'Save it as UTF-8 (or UTF-16 with a BOM).',
    );
  }
  if (nul >= 0) throw new InputError(`${capitalize(what)} contains a NUL byte at offset ${nul}; is it a binary file?`);
  return buf.subarray(start).toString('utf8');
}
