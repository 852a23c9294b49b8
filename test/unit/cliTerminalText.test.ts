/**
 * Text from servers, config and suite files is made safe before the human output of `bakeoff`
 * prints it (src/cli/terminalText.ts): no escape sequence, C1 control, stray CR or bidi override
 * reaches the terminal, while JSON output stays byte for byte what it was.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { rawStream, terminalIo, terminalStream, terminalText } from '../../src/cli/terminalText';
import { ProgressLine } from '../../src/cli/progress';
import { exitCodes, runCli } from '../../src/cli/main';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, tempDir, write } from './helpers/suiteRun';

const ESC = '\u001b';
/** Anything a terminal could act on: C0 but tab and LF, DEL, C1, and the bidi embedding/override/isolate controls. */
// eslint-disable-next-line no-control-regex
const unsafeChar = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function assertTerminalSafe(text: string, what: string): void {
  const m = unsafeChar.exec(text);
  assert.equal(m, null, `${what}: U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m?.index} in ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
}

// ---------------------------------------------------------------------------------------------
// terminalText
// ---------------------------------------------------------------------------------------------

test('terminalText: CSI sequences are removed whole (colours, erase line, conceal, cursor, private and intermediate bytes)', () => {
  assert.equal(terminalText(`${ESC}[31mred${ESC}[0m plain`), 'red plain');
  assert.equal(terminalText(`fail${ESC}[2K${ESC}[1Gok`), 'failok');
  assert.equal(terminalText(`a${ESC}[8mhidden${ESC}[28mb`), 'ahiddenb');
  assert.equal(terminalText(`a${ESC}[?25l${ESC}[10;20H${ESC}[2 qb`), 'ab');
  assert.equal(terminalText(`a${ESC}[1A${ESC}[Kb`), 'ab');
});

test('terminalText: OSC sequences (clipboard, hyperlink, title) are removed up to BEL or ST', () => {
  assert.equal(terminalText(`x${ESC}]52;c;cm0gLXJmIH4=\u0007y`), 'xy');
  assert.equal(terminalText(`x${ESC}]8;;https://evil.example${ESC}\\click me${ESC}]8;;${ESC}\\y`), 'xclick mey');
  assert.equal(terminalText(`x${ESC}]0;window title\u0007y`), 'xy');
  assert.equal(terminalText(`x${ESC}]0;title\u009cy`), 'xy');
});

test('terminalText: DCS, SOS, PM and APC strings are removed up to ST', () => {
  for (const intro of ['P', 'X', '^', '_']) {
    assert.equal(terminalText(`a${ESC}${intro}payload;1;2${ESC}\\b`), 'ab', intro);
    assert.equal(terminalText(`a${ESC}${intro}payload\u009cb`), 'ab', intro);
  }
});

test('terminalText: two-byte and nF escape sequences are removed', () => {
  assert.equal(terminalText(`a${ESC}cb`), 'ab'); // RIS: full reset
  assert.equal(terminalText(`a${ESC}7${ESC}8b`), 'ab'); // save/restore cursor
  assert.equal(terminalText(`a${ESC}(0b${ESC}(B`), 'ab'); // line-drawing character set
  assert.equal(terminalText(`a${ESC}#8b`), 'ab'); // screen alignment test
  assert.equal(terminalText(`a${ESC}\\b`), 'ab'); // stray ST
  assert.equal(terminalText(`a${ESC}Mb`), 'ab'); // reverse index
});

test('terminalText: sequences cut short at the end of the text are removed; a control string ends at a line break', () => {
  assert.equal(terminalText(`done${ESC}`), 'done');
  assert.equal(terminalText(`done${ESC}[`), 'done');
  assert.equal(terminalText(`done${ESC}[31;1`), 'done');
  assert.equal(terminalText(`done${ESC}(`), 'done');
  assert.equal(terminalText(`done${ESC}]52;c;cm0gLXJm`), 'done');
  assert.equal(terminalText(`done${ESC}]8;;https://evil.example${ESC}`), 'done');
  assert.equal(terminalText(`done${ESC}Pq#0;2`), 'done');
  assert.equal(terminalText('done\u009b'), 'done');
  assert.equal(terminalText('done\u009d52;c;abc'), 'done');
  // An unterminated string cannot swallow the lines after it.
  assert.equal(terminalText(`line 1${ESC}]52;c;abc\nline 2\n`), 'line 1\nline 2\n');
  // A sequence broken by a character that cannot be in it ends there; the rest is text.
  assert.equal(terminalText(`a${ESC}[31\nm`), 'a\nm');
  // A text written in pieces: each piece alone is safe.
  const pieces = [`ok ${ESC}]52;c;`, 'cm0g\u0007 end', `${ESC}`, '[2K'];
  for (const p of pieces) assertTerminalSafe(terminalText(p), JSON.stringify(p));
});

test('terminalText: 8-bit C1 sequences are removed whole; lone C1 controls become U+FFFD', () => {
  assert.equal(terminalText('a\u009b2Kb'), 'ab'); // CSI
  assert.equal(terminalText('a\u009b31;1mb'), 'ab');
  assert.equal(terminalText('a\u009d52;c;cm0g\u0007b'), 'ab'); // OSC … BEL
  assert.equal(terminalText('a\u009d8;;https://evil.example\u009clink\u009d8;;\u009cb'), 'alinkb'); // OSC … ST
  assert.equal(terminalText(`a\u0090q#0${ESC}\\b`), 'ab'); // DCS
  assert.equal(terminalText('a\u0098x\u009cb\u009ey\u009cc\u009fz\u009cd'), 'abcd'); // SOS, PM, APC
  assert.equal(terminalText('a\u0085b\u0084c\u0080d\u009ce'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe'); // NEL, IND, PAD, lone ST
});

test('terminalText: other C0 controls and DEL become U+FFFD; tab and LF stay, CR LF becomes LF, a lone CR is replaced', () => {
  assert.equal(terminalText('a\u0000b\u0007c\u0008d\u000be\u000cf\u007fg'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg');
  assert.equal(terminalText('col1\tcol2\nline 2\n'), 'col1\tcol2\nline 2\n');
  assert.equal(terminalText('line 1\r\nline 2\r\n'), 'line 1\nline 2\n');
  assert.equal(terminalText('✖ b1 failed\r✔ b1 trial 1: Done'), '✖ b1 failed\uFFFD✔ b1 trial 1: Done');
  assert.equal(terminalText('a\r'), 'a\uFFFD');
});

test('terminalText: bidi embedding, override and isolate controls become U+FFFD ("Trojan Source")', () => {
  const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  for (const c of bidi) assert.equal(terminalText(`a${c}b`), 'a\uFFFDb', `U+${c.charCodeAt(0).toString(16)}`);
  assert.equal(terminalText('access = "user\u202e \u2066// admin\u2069\u2066"'), 'access = "user\uFFFD \uFFFD// admin\uFFFD\uFFFD"');
});

test('terminalText: ordinary text is untouched (accents, CJK, emoji, RTL scripts, combining marks, symbols)', () => {
  const texts = [
    'The capital is Paris. Tokyo too.',
    'Ça coûte 3,50 € — naïve façade, Ångström, Øresund, Straße',
    '日本語のテキスト、中文文本，한국어 텍스트',
    'Emoji: 🎉 👩‍💻 👍🏽 🇫🇷 ❤️ 1️⃣',
    'שלום עולם — مرحبا بالعالم', // right-to-left scripts, no controls
    'e\u0301 a\u0308 \u200d \u200e zero-width and marks', // combining marks, ZWJ, LRM (a mark, not an override)
    '── closed (closed, m) · trial 1 · ok ──\n✔ ✖ ⚠ · ≤ ≥ ± × ½ ∞ │ ┌─┐',
    '\t{\n\t  "json": [1, 2]\n\t}\n',
    '',
  ];
  for (const t of texts) assert.equal(terminalText(t), t);
});

test('terminalText: never lets an unsafe character through, and is idempotent (random mixes of dangerous characters)', () => {
  const alphabet = [ESC, '[', ']', 'P', 'X', '^', '_', '\\', '\u0007', '\u009b', '\u009c', '\u009d', '\u0090', '\u009f', '\r', '\n', '\t', '\u0000', '\u007f', '\u0085', '\u202e', '\u2066', '2', 'K', ';', 'm', 'a', '日', '🎉', ' '];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const len = next() % 24;
    for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
    const safe = terminalText(s);
    assertTerminalSafe(safe, JSON.stringify(s));
    assert.equal(terminalText(safe), safe, JSON.stringify(s));
  }
});

// ---------------------------------------------------------------------------------------------
// The streams
// ---------------------------------------------------------------------------------------------

function sink(isTTY?: boolean) {
  const writes: string[] = [];
  return { writes, stream: { write: (s: string) => writes.push(s), ...(isTTY === undefined ? {} : { isTTY }) } };
}

test('terminalStream filters every write; rawStream reaches the stream under it; wrapping twice changes nothing', () => {
  const s = sink(true);
  const wrapped = terminalStream(s.stream);
  assert.equal(wrapped.isTTY, true);
  assert.equal(terminalStream(sink().stream).isTTY, undefined);
  wrapped.write(`a${ESC}]52;c;eA==\u0007b\n`);
  assert.equal(terminalStream(wrapped), wrapped);
  terminalStream(wrapped).write(`c${ESC}[2Kd\n`);
  rawStream(wrapped).write(`{"raw": "\u009b"}`);
  assert.equal(rawStream(terminalStream(wrapped)), s.stream);
  assert.equal(rawStream(s.stream), s.stream);
  assert.deepEqual(s.writes, ['ab\n', 'cd\n', '{"raw": "\u009b"}']);
  const io = { stdout: sink().stream, stderr: s.stream, env: { A: '1' }, signal: new AbortController().signal };
  const safe = terminalIo(io);
  assert.equal(safe.env, io.env);
  assert.equal(safe.signal, io.signal);
  assert.equal(rawStream(safe.stderr), s.stream);
  assert.equal(rawStream(safe.stdout), io.stdout);
});

test('the progress line of `bakeoff run` keeps its own controls through a filtered stream', () => {
  const s = sink(true);
  const line = new ProgressLine(terminalStream(s.stream), true, () => 0);
  line.update({ done: 1, total: 2, failed: 0, spentUsd: 0.01, etaMs: 1000 } as never);
  line.finish();
  const out = s.writes.join('');
  assert.ok(out.startsWith(`\r${ESC}[2K1/2 cells · 0 failed · $0.01 spent · ETA `), JSON.stringify(out));
  assert.ok(out.endsWith('\n'), JSON.stringify(out));
  assertTerminalSafe(out.slice(`\r${ESC}[2K`.length), 'after the controls');
});

// ---------------------------------------------------------------------------------------------
// The CLI against a hostile server, config and suite
// ---------------------------------------------------------------------------------------------

/** An answer that tries every trick: clipboard write, hidden link, erased and concealed lines, 8-bit CSI, bidi override, CR. */
const hostileAnswer = `Visible answer.${ESC}]52;c;cm0gLXJmIH4=\u0007 ${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\ ${ESC}[8mconcealed${ESC}[0m \u009b2K \u202eesrever\u202c\r${ESC}[2Kfaked line`;
/** An error message that erases its own line and prints a success in its place. */
const hostileError = `upstream broke${ESC}[2K\r✔ bad trial 1: Done in 90 ms${ESC}]52;c;eA==\u0007`;
const hostileModel = `shadow-m\u009b31m${ESC}]8;;https://evil.example${ESC}\\`;

let server: FixtureServer;
let dir: string;
let config: string;

before(async () => {
  server = await startFixtureServer();
  server.setSchedule('good-m', { text: hostileAnswer });
  server.setSchedule('bad-m', { fault: { type: 'status', status: 400, body: JSON.stringify({ error: { message: hostileError, type: 'invalid_request_error' } }), contentType: 'application/json' } });
  // Listed by GET /v1/models (every scheduled model is), so `backends check` names it.
  server.setSchedule(hostileModel, { text: 'ok' });
  dir = tempDir('bakeoff-terminal-text-');
  config = write(
    dir,
    'backends.yaml',
    [
      'backends:',
      `  - { id: good, label: "Good\\e[8m \\e]52;c;eA==\\a", kind: closed, baseUrl: "${server.baseUrl}", model: good-m, pricing: { type: perToken, inputPerMTok: 1, outputPerMTok: 1 } }`,
      `  - { id: bad, kind: decentralized, baseUrl: "${server.baseUrl}", model: bad-m, pricing: { type: perToken, inputPerMTok: 1, outputPerMTok: 1 } }`,
      `  - { id: absent, kind: local, baseUrl: "${server.baseUrl}", model: absent-m }`,
      'request: { maxTokens: 64, temperature: 0 }',
      'timeouts: { firstByteMs: 5000, idleMs: 5000, totalMs: 20000 }',
    ].join('\n'),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('compare: hostile answers, error messages and labels reach neither stdout nor the progress lines on stderr', async () => {
  const r = await bakeoff(['compare', '-c', config, '-b', 'good,bad', '-p', 'Say hi']);
  assert.equal(r.code, exitCodes.someFailed, r.stderr);
  assertTerminalSafe(r.stdout, 'stdout');
  assertTerminalSafe(r.stderr, 'stderr');
  // What is text stays readable; the failure stays visible.
  assert.match(r.stdout, /Visible answer\. link concealed {2}\uFFFDesrever\uFFFD\uFFFDfaked line/);
  assert.match(r.stdout, /── Good (.*)· trial 1 · ok ──/);
  assert.match(r.stderr, /✖ bad trial 1: .*upstream broke ?\uFFFD?✔ bad trial 1: Done in 90 ms/);
  assert.match(r.stdout, /✖ .*upstream broke/);
});

test('compare --json: the data is left exactly as the server sent it', async () => {
  const r = await bakeoff(['compare', '-c', config, '-b', 'good,bad', '-p', 'Say hi', '--json']);
  assert.equal(r.code, exitCodes.someFailed, r.stderr);
  const report = JSON.parse(r.stdout) as { results: Array<{ backend: string; text: string; label?: string }> };
  assert.equal(report.results.find((x) => x.backend === 'good')!.text, hostileAnswer);
  // JSON escapes C0 controls itself; a C1 character goes out as it is, unfiltered.
  assert.ok(r.stdout.includes('\\u001b]52;c;'));
  assert.ok(r.stdout.includes('\u009b2K'));
  assert.equal(r.stdout, `${JSON.stringify(report, null, 2)}\n`);
  assertTerminalSafe(r.stderr, 'stderr');
});

test('backends check: model ids listed by /models and error messages are made safe; --json keeps them', async () => {
  const r = await bakeoff(['backends', 'check', '-c', config, '-b', 'absent,bad']);
  assertTerminalSafe(r.stdout, 'stdout');
  assertTerminalSafe(r.stderr, 'stderr');
  assert.match(r.stdout, /models it lists: .*shadow-m/);
  assert.match(r.stdout, /upstream broke/);
  const j = await bakeoff(['backends', 'check', '-c', config, '-b', 'absent', '--json']);
  const parsed = JSON.parse(j.stdout) as { checks: Array<{ verdict: { otherModels: string[] } }> };
  assert.ok(parsed.checks[0]!.verdict.otherModels.includes(hostileModel));
});

test('bakeoff run: a hostile suite description, backend label and warnings are made safe; --json keeps them', async () => {
  const suite = write(
    dir,
    'suite.yaml',
    [
      'description: "Capitals\\e]52;c;eA==\\a \\e[2K\\rAll passed \\u202e"',
      'prompts: ["Say hi"]',
      'providers: [good, bad]',
      'tests:',
      '  - assert: [{ type: icontains, value: visible }]',
    ].join('\n'),
  );
  const r = await bakeoff(['run', suite, '-c', config, '-o', `${dir}/results.jsonl`], { tty: true });
  assert.equal(r.code, 100, r.stderr + r.stdout);
  assertTerminalSafe(r.stdout, 'stdout');
  // The progress line's own `\r ESC[2K` is the only control on stderr.
  assertTerminalSafe(r.stderr.replaceAll('\r\u001b[2K', ''), 'stderr');
  assert.match(r.stdout, /^Capitals \uFFFDAll passed \uFFFD — 1 tests/);
  assert.match(r.stdout, /Good/);
  const j = await bakeoff(['run', suite, '-c', config, '-o', `${dir}/results2.jsonl`, '--json']);
  assert.ok(j.stdout.includes('\\u001b]52;c;eA==\\u0007'), j.stdout.slice(0, 400));
  assert.ok(j.stdout.includes('\u202e'));
  // merge prints the same report from the results file.
  const m = await bakeoff(['merge', `${dir}/results.jsonl`]);
  assert.equal(m.code, 100, m.stderr + m.stdout);
  assertTerminalSafe(m.stdout + m.stderr, 'merge');
  assert.match(m.stdout, /^Capitals \uFFFDAll passed \uFFFD — 1 tests/);
  const mj = await bakeoff(['merge', `${dir}/results.jsonl`, '--json']);
  assert.ok(mj.stdout.includes('\u202e'));
});

test('errors: a message built from a suite file is made safe on stderr', async () => {
  const suite = write(dir, 'bad-suite.yaml', ['prompts: ["Say hi"]', 'providers: ["x\\e]52;c;eA==\\a\\e[2K\\rlooks fine"]', 'tests: [{ vars: {} }]'].join('\n'));
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['run', suite, '-c', config], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} });
  assert.equal(code, exitCodes.usage, err.join(''));
  assertTerminalSafe(err.join(''), 'stderr');
  assert.match(err.join(''), /bakeoff: .*x\uFFFD?looks fine/);
});
