import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkCandidate,
  createScratchCopy,
  expandCheckCommand,
  quoteForShell,
  runCheckCommand,
  stripAnsi,
} from '../../src/core/checkCommand';

const node = JSON.stringify(process.execPath);

function tempDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-check-test-'));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('runCheckCommand', () => {
  it('passes on exit code 0 and captures stdout and stderr', async () => {
    const cwd = tempDir({});
    const r = await runCheckCommand({ cwd, command: `${node} -e "console.log('out'); console.error('err')"`, timeoutMs: 20_000 });
    assert.equal(r.passed, true);
    assert.equal(r.exitCode, 0);
    assert.match(r.output, /out/);
    assert.match(r.output, /err/);
    assert.equal(r.timedOut, false);
    assert.ok(r.durationMs > 0);
  });

  it('fails with the exit code and the output of a failing command', async () => {
    const cwd = tempDir({});
    const r = await runCheckCommand({ cwd, command: `${node} -e "console.log('error TS2304: Cannot find name'); process.exit(2)"`, timeoutMs: 20_000 });
    assert.equal(r.passed, false);
    assert.equal(r.exitCode, 2);
    assert.match(r.output, /TS2304/);
  });

  it('replaces {file} with the quoted candidate path and sets BAKEOFF_FILE', async () => {
    const cwd = tempDir({ 'src/my file.ts': 'x' });
    const r = await runCheckCommand({
      cwd,
      command: `${node} -e "const fs=require('fs'); console.log(process.argv[1], fs.existsSync(process.argv[1]), process.env.BAKEOFF_FILE)" {file}`,
      file: 'src/my file.ts',
      timeoutMs: 20_000,
    });
    assert.equal(r.passed, true, r.output);
    assert.equal(r.output.trim(), 'src/my file.ts true src/my file.ts');
  });

  it('stops a command at its time limit, children included', async () => {
    const cwd = tempDir({});
    const marker = path.join(cwd, 'child-alive');
    // The shell starts a node process that would write a marker after 3 s.
    const script = `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'), 3000); setInterval(() => {}, 1000)`;
    const r = await runCheckCommand({ cwd, command: `${node} -e ${JSON.stringify(script)}`, timeoutMs: 400 });
    assert.equal(r.timedOut, true);
    assert.equal(r.passed, false);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    assert.equal(fs.existsSync(marker), false, 'the child process was stopped too');
  });

  it('is cancelled by its signal', async () => {
    const cwd = tempDir({});
    const abort = new AbortController();
    const pending = runCheckCommand({ cwd, command: `${node} -e "setInterval(() => {}, 1000)"`, timeoutMs: 30_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    const r = await pending;
    assert.equal(r.cancelled, true);
    assert.equal(r.passed, false);
    assert.equal(r.timedOut, false);
  });

  it('caps the output, keeping its head and tail', async () => {
    const cwd = tempDir({});
    const script = "console.log('FIRST-LINE'); for (let i = 0; i < 20000; i++) console.log('line ' + i); console.log('LAST-LINE')";
    const r = await runCheckCommand({ cwd, command: `${node} -e ${JSON.stringify(script)}`, timeoutMs: 20_000, maxOutputBytes: 4096 });
    assert.equal(r.outputTruncated, true);
    assert.ok(r.output.length < 4096 + 200, `capped (${r.output.length})`);
    assert.match(r.output, /^FIRST-LINE/);
    assert.match(r.output, /LAST-LINE\s*$/);
    assert.match(r.output, /bytes of output left out/);
  });

  it('reports a command that cannot start as a failed check, never throws', async () => {
    const r = await runCheckCommand({ cwd: path.join(os.tmpdir(), 'no-such-dir-bakeoff-xyz'), command: 'true', timeoutMs: 5_000 });
    assert.equal(r.passed, false);
    assert.ok(r.spawnError, 'says why');
    const empty = await runCheckCommand({ cwd: os.tmpdir(), command: '   ', timeoutMs: 5_000 });
    assert.equal(empty.passed, false);
    assert.match(empty.spawnError ?? '', /empty/);
  });

  it('strips terminal colours from the output', async () => {
    assert.equal(stripAnsi('\u001b[31merror\u001b[39m TS1005 \u001b]8;;http://x\u0007link\u001b]8;;\u0007'), 'error TS1005 link');
  });
});

describe('quoting', () => {
  it('quotes paths for POSIX shells and cmd.exe', () => {
    assert.equal(quoteForShell('src/cart.ts', 'linux'), 'src/cart.ts');
    assert.equal(quoteForShell("it's here.ts", 'linux'), `'it'\\''s here.ts'`);
    assert.equal(quoteForShell('a b.ts', 'win32'), '"a b.ts"');
    assert.equal(quoteForShell('$(rm -rf ~).ts', 'linux'), `'$(rm -rf ~).ts'`);
    assert.equal(expandCheckCommand('npm test -- {file} && echo {file}', 'a b.ts', 'linux'), "npm test -- 'a b.ts' && echo 'a b.ts'");
    assert.equal(expandCheckCommand('npx tsc --noEmit -p .', undefined, 'linux'), 'npx tsc --noEmit -p .');
  });
});

describe('scratch copies', () => {
  it('copies the workspace, links node_modules, leaves .git out, and never touches the source', async () => {
    const source = tempDir({
      'package.json': '{}',
      'src/cart.ts': 'original',
      'src/other.ts': 'other',
      '.git/HEAD': 'ref',
      'node_modules/dep/index.js': 'module.exports = 1',
    });
    const scratch = await createScratchCopy({ sourceDir: source, files: { 'src/cart.ts': 'candidate' } });
    try {
      assert.notEqual(scratch.dir, source);
      assert.equal(fs.readFileSync(path.join(scratch.dir, 'src/cart.ts'), 'utf8'), 'candidate');
      assert.equal(fs.readFileSync(path.join(scratch.dir, 'src/other.ts'), 'utf8'), 'other');
      assert.equal(fs.existsSync(path.join(scratch.dir, '.git')), false);
      assert.equal(fs.lstatSync(path.join(scratch.dir, 'node_modules')).isSymbolicLink(), true);
      assert.equal(fs.readFileSync(path.join(scratch.dir, 'node_modules/dep/index.js'), 'utf8'), 'module.exports = 1');
      assert.equal(fs.readFileSync(path.join(source, 'src/cart.ts'), 'utf8'), 'original', 'the source is unchanged');
    } finally {
      await scratch.dispose();
    }
    assert.equal(fs.existsSync(scratch.dir), false, 'disposed');
  });

  it('refuses files outside the copy', async () => {
    await assert.rejects(createScratchCopy({ sourceDir: null, files: { '../escape.ts': 'x' } }), /not a file inside/);
  });
});

describe('checkCandidate', () => {
  const checker = `${node} -e "const s=require('fs').readFileSync(process.env.BAKEOFF_FILE,'utf8'); if (s.includes('BROKEN')) { console.log(process.env.BAKEOFF_FILE + ': error: broken'); process.exit(1) } console.log('ok')"`;

  it('passes a good candidate and fails a broken one, each in its own copy', async () => {
    const source = tempDir({ 'src/cart.ts': 'export const total = 1;\n' });
    const good = await checkCandidate({ sourceDir: source, relativeFile: 'src/cart.ts', content: 'export const total = 2;\n', command: checker, timeoutMs: 20_000 });
    assert.equal(good.passed, true, good.output);
    const bad = await checkCandidate({ sourceDir: source, relativeFile: 'src/cart.ts', content: 'BROKEN', command: checker, timeoutMs: 20_000 });
    assert.equal(bad.passed, false);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.output, /src\/cart\.ts: error: broken/);
    assert.equal(fs.readFileSync(path.join(source, 'src/cart.ts'), 'utf8'), 'export const total = 1;\n', 'the working tree is untouched');
    const leftovers = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('bakeoff-check-') && fs.existsSync(path.join(os.tmpdir(), n, 'src', 'cart.ts')));
    assert.deepEqual(leftovers.filter((n) => fs.readFileSync(path.join(os.tmpdir(), n, 'src', 'cart.ts'), 'utf8') === 'BROKEN'), [], 'scratch copies are removed');
  });
});
