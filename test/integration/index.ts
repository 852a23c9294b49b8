/**
 * Entry point loaded by the extension host through `extensionTestsPath`: runs the compiled mocha
 * suites next to this file inside the real extension host and reports through the promise.
 * When $BAKEOFF_INTEGRATION_RESULTS is set, also writes `{passed, failed, tests}` there.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

interface Outcome {
  name: string;
  ok: boolean;
  error?: string;
  durationMs: number;
}

/** Called by VS Code's extension test runner. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  const outcomes: Outcome[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const resultsFile = process.env.BAKEOFF_INTEGRATION_RESULTS;
      if (resultsFile) {
        const passed = outcomes.filter((o) => o.ok).length;
        fs.writeFileSync(resultsFile, JSON.stringify({ passed, failed: outcomes.length - passed, tests: outcomes }, null, 2));
      }
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => outcomes.push({ name: t.fullTitle(), ok: true, durationMs: t.duration ?? 0 }));
    runner.on('fail', (t, err: unknown) =>
      outcomes.push({ name: t.fullTitle(), ok: false, error: String((err as Error)?.stack ?? err), durationMs: t.duration ?? 0 }),
    );
  });
}
