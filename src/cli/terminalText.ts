/**
 * Text made safe for a terminal. What the `bakeoff` command prints comes in good part from places
 * it does not control — answers, error messages and model lists of a server, labels of a config
 * file, descriptions and assertion messages of a suite — and a terminal acts on the control
 * sequences in such text: OSC 52 writes the clipboard, OSC 8 makes hidden links, `ESC[2K`, `\r`
 * and `ESC[8m` erase, overwrite or conceal lines (a failure can be made to look like a success),
 * and bidi overrides reorder what is shown. {@link terminalIo} passes every write of the human
 * output through {@link terminalText}; what must stay byte for byte (JSON, Markdown, generated
 * suites, the progress line's own controls) is written with {@link rawStream}.
 *
 * Imports nothing: main.ts (dist/cli.js) uses it as well as cliActions.ts.
 */

/**
 * One match at a time, first alternative that fits:
 * 1. CSI, 7-bit `ESC [` or 8-bit U+009B: parameter and intermediate bytes, then the final byte
 *    (0x40–0x7E) when there is one.
 * 2. A control string: OSC (`ESC ]`, U+009D), DCS (`ESC P`, U+0090), SOS (`ESC X`, U+0098),
 *    PM (`ESC ^`, U+009E), APC (`ESC _`, U+009F), up to its terminator — BEL, ST (`ESC \` or
 *    U+009C) — or, when there is none, up to the next line break or the end of the text.
 * 3. Any other escape sequence: ESC, intermediate bytes (0x20–0x2F), a final byte (0x30–0x7E)
 *    when there is one (a lone ESC is matched alone).
 * 4. CR LF.
 * 5. One control character: C0 but tab and line feed, a lone CR, DEL, C1, and the bidi
 *    embedding, override and isolate controls U+202A–U+202E, U+2066–U+2069.
 */
const unsafe =
  // eslint-disable-next-line no-control-regex
  /(?:\u001b\[|\u009b)[\u0020-\u003f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?|\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The first character of every escape sequence (so a match that starts with one is a sequence). */
const introducers = new Set(['\u001b', '\u009b', '\u009d', '\u0090', '\u0098', '\u009e', '\u009f']);

/**
 * `text` made safe to print on a terminal. The rule:
 * - every escape sequence — 7-bit (ESC …) or 8-bit (U+009B CSI, U+009D OSC, U+0090 DCS, U+0098
 *   SOS, U+009E PM, U+009F APC) — is removed whole, and so is one cut short (unterminated at the
 *   end of the text, or broken by a byte that cannot be part of it); a control string (OSC, DCS,
 *   SOS, PM, APC) with no terminator ends at the next line break, which is kept, so it cannot
 *   swallow the lines after it;
 * - CR LF becomes LF;
 * - every other control character becomes U+FFFD (�), so that something was there stays
 *   visible: C0 controls but tab and line feed, a lone CR (it would move back to the start of the
 *   line and overwrite it), DEL, C1 controls U+0080–U+009F, and the bidi controls U+202A–U+202E
 *   and U+2066–U+2069 (which reorder what is shown: "Trojan Source").
 *
 * Everything else — tab, line feed, printable Unicode (accents, CJK, emoji, RTL scripts) — is
 * kept as is. The result contains no ESC and no C1 character, whatever `text` was, so writing
 * it in pieces is as safe as writing it at once; and `terminalText(terminalText(t))` equals
 * `terminalText(t)`.
 */
export function terminalText(text: string): string {
  return text.replace(unsafe, (m) => (m === '\r\n' ? '\n' : introducers.has(m[0]!) ? '' : '\uFFFD'));
}

/** Something the CLI writes text to (as `CliIo['stdout']` and `CliIo['stderr']`). */
export interface TextStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * The unfiltered stream under a {@link terminalStream}. A registered symbol, not a module-local
 * one: main.ts and cliActions.ts are bundled apart, each with its own copy of this module.
 */
const rawKey = Symbol.for('bakeoff.cli.rawTerminalStream');

type Wrapped = TextStream & { [rawKey]: TextStream };

function isWrapped(stream: TextStream): stream is Wrapped {
  return rawKey in stream;
}

/** `stream` with every write passed through {@link terminalText} (a stream already wrapped is returned as is). */
export function terminalStream(stream: TextStream): TextStream {
  if (isWrapped(stream)) return stream;
  const wrapped: Wrapped = {
    write: (chunk: string) => stream.write(terminalText(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
    [rawKey]: stream,
  };
  return wrapped;
}

/**
 * The stream under a {@link terminalStream} (or `stream` itself), for output that must stay as it
 * is: JSON (its escaping already covers C0 controls; the data must not change), the Markdown
 * report, generated suites, and controls the CLI writes itself.
 */
export function rawStream(stream: TextStream): TextStream {
  return isWrapped(stream) ? stream[rawKey] : stream;
}

/** `io` whose stdout and stderr filter every write through {@link terminalText}. */
export function terminalIo<T extends { stdout: TextStream; stderr: TextStream }>(io: T): T {
  return { ...io, stdout: terminalStream(io.stdout), stderr: terminalStream(io.stderr) } as T;
}
