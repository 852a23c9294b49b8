/**
 * An incremental parser of the `text/event-stream` format, as the WHATWG HTML standard defines
 * it ("Server-sent events", *Interpreting an event stream*), working on bytes as they arrive:
 *
 * - a line ends at CR, LF or CRLF. A CR ends its line at once; an LF right after it, even at the
 *   start of the next chunk, belongs to the same terminator and starts no new line;
 * - one UTF-8 byte-order mark is dropped at the very start of the stream only; a later line
 *   starting with one has an unknown field name and is ignored;
 * - a line starting with `:` is a comment; a line without `:` is a field with an empty value;
 *   after the colon exactly one space is stripped;
 * - `data` lines are joined with LF; `event` sets the type; `id` sets the last event ID unless
 *   its value contains NUL; `retry` is kept when it is all ASCII digits; other fields are
 *   ignored;
 * - an event is dispatched only at a blank line, and only when it has data; an unterminated
 *   event at the end of the stream is dropped.
 *
 * Each event carries the arrival time of the chunk holding the byte that completed it (the first
 * byte of the blank line's terminator). The work is linear in the input: every byte is scanned
 * once, and a line that spans chunks is kept as pieces and joined once when it ends.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NUL = 0x00;
const BOM = [0xef, 0xbb, 0xbf] as const;

const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');
const ID = Buffer.from('id');
const RETRY = Buffer.from('retry');
const EMPTY = Buffer.alloc(0);

/** One dispatched event. */
export interface SseEvent {
  /** The event type: the last `event` value of the event, or `message` when it had none or an empty one. */
  type: string;
  /** The values of the event's `data` lines joined with LF. */
  data: string;
  /** The last event ID when the event was dispatched (it persists from event to event). */
  lastEventId: string;
  /** Arrival time of the chunk holding the byte that completed the event. */
  completedMs: number;
}

/** Options of {@link SseParser}. */
export interface SseParserOptions {
  /**
   * A data value that ends the stream (`[DONE]` in OpenAI-style streams). When the first `data`
   * line of an event starts with it, the stream ends as soon as that line ends — some servers
   * never send the blank line after it — and {@link SseParser.endedMs} is set; later bytes are
   * ignored. Such a line left unterminated at the end of the body ends the stream too.
   */
  endData?: string;
}

/** Incremental event-stream parser: {@link push} each chunk as it arrives, {@link end} once the body ended. */
export class SseParser {
  /** At least one `data` line was seen. */
  sawData = false;
  /** The last valid `retry` value, ms; null when none came. */
  retryMs: number | null = null;
  /** Arrival time of the bytes that completed the end-data line; null until it came. */
  endedMs: number | null = null;
  /**
   * Bytes scanned, copied or decoded so far. Stays within a small constant times the input size
   * however the input is cut into chunks (checked by the tests).
   */
  workBytes = 0;

  private readonly endData: Buffer | null;
  /** Bytes at the start of the stream that may still be a byte-order mark; null once decided. */
  private startBytes: Buffer | null = EMPTY;
  /** The last byte seen was a CR ending a line: an LF next is part of that terminator. */
  private afterCr = false;
  /** Pieces of the current, unterminated line. */
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** The current line is a comment: its bytes are not kept. */
  private inComment = false;
  private dataLines: string[] = [];
  private eventType = '';
  private lastEventId = '';

  constructor(options: SseParserOptions = {}) {
    this.endData = options.endData ? Buffer.from(options.endData) : null;
  }

  /** Parses `chunk`, which arrived at `arrivedMs`; returns the events it completed, in order. */
  push(chunk: Uint8Array, arrivedMs: number): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.endedMs !== null || chunk.byteLength === 0) return events;
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.startBytes) {
      const held = this.startBytes;
      if (held.length > 0) {
        buf = Buffer.concat([held, buf]);
        this.workBytes += buf.length;
      }
      let k = 0;
      while (k < 3 && k < buf.length && buf[k] === BOM[k]) k++;
      if (k === buf.length && k < 3) {
        // All bytes so far could still be the start of a byte-order mark.
        this.startBytes = Buffer.from(buf);
        return events;
      }
      this.startBytes = null;
      if (k === 3) buf = buf.subarray(3);
    }
    const n = buf.length;
    let i = 0;
    if (this.afterCr && n > 0) {
      this.afterCr = false;
      if (buf[0] === LF) i = 1;
    }
    // Next CR and LF at or after i (-2: not searched yet, -1: none left in this chunk). Each
    // search starts past the previous hit, so the chunk is scanned once for each.
    let nextCr = -2;
    let nextLf = -2;
    while (i < n) {
      if (nextCr !== -1 && nextCr < i) {
        nextCr = buf.indexOf(CR, i);
        this.workBytes += (nextCr === -1 ? n : nextCr + 1) - i;
      }
      if (nextLf !== -1 && nextLf < i) {
        nextLf = buf.indexOf(LF, i);
        this.workBytes += (nextLf === -1 ? n : nextLf + 1) - i;
      }
      const end = nextCr === -1 ? nextLf : nextLf === -1 ? nextCr : Math.min(nextCr, nextLf);
      if (end === -1) {
        this.keep(buf.subarray(i));
        break;
      }
      const start = i;
      if (buf[end] === CR) {
        if (end + 1 === n) this.afterCr = true;
        i = end + 1 < n && buf[end + 1] === LF ? end + 2 : end + 1;
      } else {
        i = end + 1;
      }
      let event: SseEvent | null;
      if (this.inComment) {
        this.inComment = false;
        continue;
      } else if (this.pieceBytes === 0) {
        // The whole line is in this chunk: read in place, no copy.
        event = this.processLine(buf, start, end, arrivedMs);
      } else {
        const line = this.joinLine(buf.subarray(start, end));
        event = this.processLine(line, 0, line.length, arrivedMs);
      }
      if (event) events.push(event);
      if (this.endedMs !== null) break;
    }
    return events;
  }

  /**
   * The body ended. Whatever event was not completed by a blank line is dropped, as the format
   * says; the end-data line, though, ends the stream even without a terminator (`endedMs` is then
   * set to `lastArrivedMs`).
   */
  end(lastArrivedMs: number): void {
    if (this.endedMs === null && this.endData && !this.inComment) {
      const rest = this.pieceBytes > 0 ? Buffer.concat(this.pieces) : (this.startBytes ?? EMPTY);
      const field = splitField(rest);
      if (field && field.name.equals(DATA) && this.dataLines.length === 0 && startsWith(field.value, this.endData)) {
        this.endedMs = lastArrivedMs;
      }
    }
    this.pieces = [];
    this.pieceBytes = 0;
    this.dataLines = [];
    this.eventType = '';
  }

  /** Keeps a piece of an unterminated line (nothing for a comment). */
  private keep(piece: Buffer): void {
    if (this.inComment || piece.length === 0) return;
    if (this.pieceBytes === 0 && piece[0] === COLON) {
      this.inComment = true;
      return;
    }
    this.pieces.push(piece);
    this.pieceBytes += piece.length;
  }

  /** The complete line whose last piece is `tail`, the earlier pieces kept by {@link keep}. */
  private joinLine(tail: Buffer): Buffer {
    this.pieces.push(tail);
    const line = Buffer.concat(this.pieces, this.pieceBytes + tail.length);
    this.workBytes += line.length;
    this.pieces = [];
    this.pieceBytes = 0;
    return line;
  }

  /** The line `buf[start, end)` (its terminator excluded). */
  private processLine(buf: Buffer, start: number, end: number, arrivedMs: number): SseEvent | null {
    if (start === end) return this.dispatch(arrivedMs);
    // A comment; else the field name runs to the first colon (the whole line without one).
    if (buf[start] === COLON) return null;
    let colon = start;
    while (colon < end && buf[colon] !== COLON) colon++;
    const nameEnd = colon;
    const valueStart = colon === end ? end : colon + 1 < end && buf[colon + 1] === SPACE ? colon + 2 : colon + 1;
    this.workBytes += nameEnd - start + 1;
    if (isField(buf, start, nameEnd, DATA)) {
      this.sawData = true;
      if (this.endData && this.dataLines.length === 0 && startsWithAt(buf, valueStart, end, this.endData)) {
        this.endedMs = arrivedMs;
        return null;
      }
      this.dataLines.push(buf.toString('utf8', valueStart, end));
      this.workBytes += end - valueStart;
    } else if (isField(buf, start, nameEnd, EVENT)) {
      this.eventType = buf.toString('utf8', valueStart, end);
    } else if (isField(buf, start, nameEnd, ID)) {
      let nul = false;
      for (let k = valueStart; k < end && !nul; k++) nul = buf[k] === NUL;
      if (!nul) this.lastEventId = buf.toString('utf8', valueStart, end);
    } else if (isField(buf, start, nameEnd, RETRY)) {
      let digits = valueStart < end;
      for (let k = valueStart; k < end && digits; k++) digits = buf[k]! >= 0x30 && buf[k]! <= 0x39;
      if (digits) this.retryMs = Number(buf.toString('latin1', valueStart, end));
    }
    return null;
  }

  private dispatch(completedMs: number): SseEvent | null {
    const lines = this.dataLines;
    const type = this.eventType || 'message';
    this.dataLines = [];
    this.eventType = '';
    if (lines.length === 0) return null;
    const data = lines.length === 1 ? lines[0]! : lines.join('\n');
    if (lines.length > 1) this.workBytes += data.length;
    return { type, data, lastEventId: this.lastEventId, completedMs };
  }
}

/** Field name and value of a non-blank line (one leading space stripped); null for a comment. */
function splitField(line: Buffer): { name: Buffer; value: Buffer } | null {
  if (line.length > 0 && line[0] === COLON) return null;
  const colon = line.indexOf(COLON);
  if (colon === -1) return { name: line, value: EMPTY };
  const start = line[colon + 1] === SPACE ? colon + 2 : colon + 1;
  return { name: line.subarray(0, colon), value: line.subarray(start) };
}

/** Whether `buf[start, end)` is the field name `name`. */
function isField(buf: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (buf[start + k] !== name[k]) return false;
  return true;
}

/** Whether `buf[start, end)` starts with `prefix`. */
function startsWithAt(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[start + k] !== prefix[k]) return false;
  return true;
}

function startsWith(value: Buffer, prefix: Buffer): boolean {
  return value.length >= prefix.length && value.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
