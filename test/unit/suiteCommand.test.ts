import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '../fixtures/server';
import { bakeoff, tempDir, write, writeConfig } from './helpers/suiteRun';

let server: FixtureServer;
let dir: string;
let config: string;
let suite: string;
let project: string;

// Valid and broken JavaScript, each in a fenced block with prose around it, as a model answers.
const good = 'Here it is:\n\n```js\nexport const double = (n) => n * 2;\n```\n\nDone.';
const broken = 'Try this:\n\n```js\nexport const double = (n) => n * ;\n```';

before(async () => {
  server = await startFixtureServer();
  dir = tempDir('bakeoff-suite-command-');
  server.setSchedule('closed-m', { text: good, ttftMs: 5 });
  server.setSchedule('dec-m', { text: broken, ttftMs: 5 });
  config = writeConfig(dir, server);
  project = join(dir, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  write(project, 'src/double.mjs', 'export const double = (n) => n + n;\n');
  suite = write(
    dir,
    'suite.yaml',
    [
      'description: Checks the answer with the project command',
      'prompts: ["Rewrite double()"]',
      'tests:',
      '  - assert:',
      `      - type: command`,
      `        value: "${process.execPath.replace(/\\/g, '/')} --check {file}"`,
      '        config: { dir: project, file: src/double.mjs, timeoutMs: 30000 }',
    ].join('\n'),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('command assertions run the project command on each answer’s code in a scratch copy, only with --allow-exec', async () => {
  const off = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--json', '-o', join(dir, 'off.jsonl')]);
  const offSummary = JSON.parse(off.stdout);
  for (const b of offSummary.summary.backends) assert.equal(b.passed, 0, 'nothing passes when the command did not run');
  assert.match(readFileSync(join(dir, 'off.jsonl'), 'utf8'), /command assertions run only with --allow-exec/);

  const on = await bakeoff(['run', suite, '-c', config, '--backends', 'closed,dec', '--allow-exec', '--json', '-o', join(dir, 'on.jsonl')]);
  const summary = JSON.parse(on.stdout).summary.backends as Array<{ id: string; passed: number; cells: number }>;
  assert.equal(summary.find((b) => b.id === 'closed')!.passed, 1, on.stderr);
  assert.equal(summary.find((b) => b.id === 'dec')!.passed, 0, on.stderr);
  const cells = readFileSync(join(dir, 'on.jsonl'), 'utf8');
  assert.match(cells, /exit code 1/, 'the failing check says how it ended');
  assert.match(cells, /SyntaxError/, 'with the command output');
  // The project itself is never touched.
  assert.equal(readFileSync(join(project, 'src/double.mjs'), 'utf8'), 'export const double = (n) => n + n;\n');
});
