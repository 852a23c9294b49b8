// Runs the in-host suite in desktop VS Code through @vscode/test-electron (downloads VS Code, so
// it needs internet). Build first: `node esbuild.mjs && node test/integration/build.mjs`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-desktop-'));
try {
  await runTests({
    version: process.env.BAKEOFF_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'integration', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { BAKEOFF_TEST: '1' },
  });
  console.log('in-host suite passed');
} catch (err) {
  console.error('in-host suite failed:', err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
