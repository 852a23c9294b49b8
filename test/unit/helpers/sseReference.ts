/**
 * A deliberately plain, whole-input reading of the event-stream rules, used by the conformance
 * tests as an oracle for *where* each event completes: it splits the complete byte sequence into
 * lines with one regular expression and reports, per dispatched event, the offset of the byte
 * that completed it (the first byte of the blank line's terminator). Its events are themselves
 * checked against the hand-written expectations of every vector.
 */

export interface ReferenceEvent {
  type: string;
  data: string;
  id: string;
  /** Offset of the byte whose arrival completes the event. */
  completedAt: number;
}

export function referenceParse(input: Buffer): { events: ReferenceEvent[]; retryMs: number | null } {
  const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  // latin1 keeps one character per byte, so string offsets are byte offsets.
  const text = input.toString('latin1');
  const utf8 = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
  const events: ReferenceEvent[] = [];
  let retryMs: number | null = null;
  let data: string[] = [];
  let type = '';
  let id = '';
  const terminator = /\r\n|\r|\n/g;
  terminator.lastIndex = start;
  let lineStart = start;
  for (let m = terminator.exec(text); m !== null; m = terminator.exec(text)) {
    const line = text.slice(lineStart, m.index);
    lineStart = m.index + m[0].length;
    if (line === '') {
      if (data.length > 0) events.push({ type: type || 'message', data: data.join('\n'), id, completedAt: m.index });
      data = [];
      type = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') data.push(utf8(value));
    else if (name === 'event') type = utf8(value);
    else if (name === 'id' && !value.includes('\0')) id = utf8(value);
    else if (name === 'retry' && /^[0-9]+$/.test(value)) retryMs = Number(value);
  }
  return { events, retryMs };
}

/** Ways to cut an input of this length: whole, in two at every offset, byte by byte, and in three when it is short. */
export function splits(input: Buffer): number[][] {
  const out: number[][] = [[]];
  for (let i = 1; i < input.length; i++) out.push([i]);
  if (input.length > 2) out.push(Array.from({ length: input.length - 1 }, (_, i) => i + 1));
  if (input.length <= 48) {
    for (let i = 1; i < input.length; i++) for (let j = i + 1; j < input.length; j++) out.push([i, j]);
  }
  return out;
}

/** The piece (1-based) holding byte `offset` of an input cut at `at`. */
export function pieceOf(at: number[], offset: number): number {
  let k = 0;
  while (k < at.length && at[k]! <= offset) k++;
  return k + 1;
}
