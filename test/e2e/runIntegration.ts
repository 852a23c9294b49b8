/**
 * Runs the compiled in-host mocha suite (out/integration/index.js) inside code-server's extension
 * host, with the extension loaded from the repository as extensionDevelopmentPath.
 *
 *   node esbuild.mjs && node test/integration/build.mjs && node --import tsx test/e2e/runIntegration.ts
 *
 * Prints each in-host test, ends with `N passed, N failed`, exits non-zero on any failure.
 * Env: BAKEOFF_RESULTS_FILE (where test/run-all.mjs reads the counts), BAKEOFF_EXTENSION_PATH
 * (extension folder, default: the repository).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EditorSession, repoRoot, reportOutcomes, runAsEntry, type TestOutcome } from './harness';

const suiteTimeoutMs = 180_000;

async function main(): Promise<number> {
  const developmentPath = process.env.BAKEOFF_EXTENSION_PATH ?? repoRoot;
  const testsPath = path.join(developmentPath, 'out', 'integration', 'index.js');
  if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} missing: run node test/integration/build.mjs`);
  const resultsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-it-')), 'results.json');
  const started = Date.now();
  const session = await EditorSession.start({
    name: 'integration',
    developmentPath,
    testsPath,
    env: { BAKEOFF_TEST: '1', BAKEOFF_INTEGRATION_RESULTS: resultsFile },
  });
  let outcomes: TestOutcome[] = [];
  let failed = false;
  try {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      session.automationExit,
      new Promise<null>((r) => (timer = setTimeout(() => r(null), suiteTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!exit) throw new Error(`the in-host suite did not finish within ${suiteTimeoutMs / 1000} s`);
    try {
      outcomes = (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { tests: TestOutcome[] }).tests;
    } catch {
      throw new Error(`the in-host suite exited with code ${exit.code} without writing results (did it load? see logs)`);
    }
    if (exit.code !== 0 && outcomes.every((o) => o.ok)) {
      outcomes.push({ name: 'in-host runner exit code', ok: false, error: `exit code ${exit.code}`, durationMs: 0 });
    }
  } catch (err) {
    outcomes.push({ name: 'in-host suite', ok: false, error: err instanceof Error ? err.message : String(err), durationMs: Date.now() - started });
  } finally {
    failed = outcomes.some((o) => !o.ok) || outcomes.length === 0;
    if (failed) {
      try {
        await session.screenshot('integration-failure');
      } catch {
        /* page already gone */
      }
      const dir = session.saveLogs('integration');
      console.log(`logs kept in ${path.relative(repoRoot, dir) || dir}`);
    }
    await session.close();
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
  }
  for (const o of outcomes) {
    console.log(`${o.ok ? 'ok' : 'not ok'} - ${o.name}${o.ok ? ` (${o.durationMs} ms)` : ''}`);
    if (!o.ok && o.error) console.log(o.error.split('\n').slice(0, 8).map((l) => `    ${l}`).join('\n'));
  }
  reportOutcomes(outcomes);
  return failed ? 1 : 0;
}

runAsEntry(main, 'in-host suite setup');
