// Reading the files a suite names: only regular files, decoded as `compare` decodes its inputs,
// and `file://` globs that never silently drop matches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite, SuiteError } from '../../src/core/suite/load';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bakeoff-suite-files-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function loadError(path: string): SuiteError {
  let caught: unknown;
  try {
    loadSuite(path, { env: {} });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SuiteError, `expected a SuiteError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  return caught;
}

test('a directory, a device or a FIFO named as a file is refused by what it is, before any read', { skip: process.platform === 'win32' }, async () => {
  mkdirSync(join(dir, 'prompts.d'), { recursive: true });
  const directory = loadError(file('dir.yaml', 'prompts: [file://prompts.d]\ntests:\n  - vars: { q: x }\n'));
  assert.match(directory.message, /prompts\.d is a directory, not a file/);
  assert.equal(directory.field, 'prompts[0]');
  assert.equal(directory.line, 1);

  // /dev/null reads as empty, /dev/zero without end: both are devices, never read. (/dev/null is
  // checked first, so a regression fails there instead of reading /dev/zero until memory runs out.)
  const device = loadError(file('dev.yaml', 'prompts: [file:///dev/null]\ntests:\n  - vars: { q: x }\n'));
  assert.match(device.message, /\/dev\/null is a character device, not a file/);
  const zero = loadError(file('zero.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: { q: file:///dev/zero }\n'));
  assert.match(zero.message, /\/dev\/zero is a character device/);
  assert.equal(zero.field, 'tests[0].vars.q');
  assert.match(loadError('/dev/null').message, /is a character device/, 'the suite file itself');

  // A FIFO: a writer stands by, so the test ends even if the FIFO were read.
  const fifo = join(dir, 'pipe.csv');
  if (!existsSync(fifo) && spawnSync('mkfifo', [fifo]).status !== 0) return;
  const writer = spawn('sh', ['-c', `printf 'q\\nx\\n' > '${fifo}'`], { stdio: 'ignore' });
  try {
    const err = loadError(file('fifo.yaml', 'prompts: ["{{q}}"]\ntests: file://pipe.csv\n'));
    assert.match(err.message, /pipe\.csv is a FIFO \(named pipe\), not a file/);
  } finally {
    writer.kill('SIGKILL');
  }
});

test('files are decoded as compare decodes them: invalid UTF-8 refused with its offset, UTF-16 with a BOM read', () => {
  file('latin1.csv', Buffer.from('q,__expected\ncaf\xe9,x\n', 'latin1'));
  const latin1 = loadError(file('latin1.yaml', 'prompts: ["{{q}}"]\ntests: file://latin1.csv\n'));
  assert.match(latin1.message, /latin1\.csv is not valid UTF-8: byte 0xe9 at offset 16/);
  assert.equal(latin1.field, 'tests');

  file('binary.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x10]));
  assert.match(loadError(file('binary.yaml', 'prompts: [file://binary.txt]\ntests:\n  - vars: { q: x }\n')).message, /binary\.txt is not valid UTF-8: byte 0x89 at offset 0/);
  file('nul.txt', Buffer.from('ab\0cd'));
  assert.match(loadError(file('nul.yaml', 'prompts: [file://nul.txt]\ntests:\n  - vars: { q: x }\n')).message, /contains a NUL byte at offset 2; is it a binary file\?/);
  assert.match(loadError(file('bad-suite.yaml', Buffer.from('prompts: ["caf\xe9"]\n', 'latin1'))).message, /is not valid UTF-8: byte 0xe9 at offset 14/);

  // What PowerShell 5's `>` writes: UTF-16 LE with a BOM — for the suite and the files it names.
  const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  file('prompt16.txt', utf16('Capital of {{ country }}? — réponse courte\n'));
  const s = loadSuite(file('suite16.yaml', utf16('prompts: [file://prompt16.txt]\ntests:\n  - vars: { country: Pérou }\n')), { env: {} });
  assert.deepEqual(s.tests[0]!.messages, [{ role: 'user', content: 'Capital of Pérou? — réponse courte' }]);
  assert.match(loadError(file('odd16.yaml', Buffer.concat([utf16('prompts: [x]'), Buffer.from([0x41])]))).message, /not valid UTF-16 LE: odd length/);
});

test('a file:// var that matches several files gives one test per file, as in promptfoo; a single-file place refuses several', () => {
  file('docs/a.txt', 'Alpha text\n');
  file('docs/b.txt', 'Beta text\n');
  const s = loadSuite(file('glob.yaml', 'prompts: ["Summarize: {{doc}} ({{lang}})"]\ntests:\n  - vars: { doc: file://docs/*.txt, lang: [en, fr] }\n'), { env: {} });
  assert.deepEqual(
    s.tests.map((t) => t.messages[0]!.content),
    ['Summarize: Alpha text (en)', 'Summarize: Alpha text (fr)', 'Summarize: Beta text (en)', 'Summarize: Beta text (fr)'],
  );

  const off = loadError(file('glob-off.yaml', 'prompts: ["{{doc}}"]\ntests:\n  - vars: { doc: file://docs/*.txt }\n    options: { disableVarExpansion: true }\n'));
  assert.match(off.message, /matches 2 files, one test each, but options\.disableVarExpansion is set/);
  assert.equal(off.field, 'tests[0].vars.doc');

  file('schemas/a.json', '{"type": "object"}');
  file('schemas/b.json', '{"type": "array"}');
  const schema = loadError(file('glob-schema.yaml', 'prompts: ["x"]\ntests:\n  - assert: [{ type: is-json, value: file://schemas/*.json }]\n'));
  assert.match(schema.message, /file:\/\/schemas\/\*\.json matches 2 files \(a\.json, b\.json\); name one file here/);

  // A vars file reference matching several files merges them, later files winning (promptfoo's readVarsFiles).
  file('vars/1.yaml', 'q: first\nextra: kept\n');
  file('vars/2.yaml', 'q: second\n');
  const merged = loadSuite(file('glob-vars.yaml', 'prompts: ["{{q}} {{extra}}"]\ntests:\n  - vars: file://vars/*.yaml\n'), { env: {} });
  assert.equal(merged.tests[0]!.messages[0]!.content, 'second kept');
  assert.match(loadError(file('txt-vars.yaml', 'prompts: ["{{q}}"]\ntests:\n  - vars: file://docs/a.txt\n')).message, /a vars file must be YAML or JSON \(a\.txt\)/);
});
