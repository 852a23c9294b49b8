/**
 * End-to-end scenarios of the comparison panel's reading, checking and applying (run by
 * test/e2e/main.ts in its shared editor session, after its own scenarios): every built-in
 * theme's contrast, presenter mode and the live race, Check Candidates, apply/undo, the narrow
 * layout, a keyboard-only run, the key prompt on compare, the custom endpoint flow and the
 * Test Backends verdicts. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import type { Schedule } from '../fixtures/server';
import { contrastProbe, contrastReport, type ContrastSample } from './contrast';
import type { FixtureProcess } from './fixtureProcess';
import { poll, repoRoot, type EditorSession } from './harness';

/** What these scenarios need of the shared world of main.ts. */
export interface PanelWorld {
  session: EditorSession;
  closed: FixtureProcess;
  dec: FixtureProcess;
  lastTexts: Record<string, string>;
}

/** Helpers of main.ts, handed over so both files drive the editor the same way. */
export interface PanelHelpers<W extends PanelWorld> {
  ids: { closedId: string; decId: string; closedModel: string; decModel: string; closedKey: string; decKey: string };
  column(w: W, backendId: string): Locator;
  startRun(w: W, start: () => Promise<void>): Promise<void>;
  waitForFinal(w: W, ids: string[], timeoutMs?: number): Promise<Record<string, string>>;
  arrange(w: W, closed: Schedule, dec: Schedule): Promise<void>;
  compareSelectionInSample(w: W): Promise<void>;
  rerunLast(w: W): Promise<void>;
  clearNotifications(w: W): Promise<void>;
  setKey(session: EditorSession, label: string, key: string): Promise<void>;
}

/** Name → body of each scenario, in order. */
export type ScenarioList<W> = Array<[string, (w: W) => Promise<void>]>;

// ---------- answers used below ----------

/** An answer with every kind of text the panel renders: prose, inline code, a link, a table, a quote, highlighted code. */
export const richAnswer = [
  '## Memoize it',
  '',
  'The `fib` function is **exponential**; a `Map` cache makes it linear. See [the docs](https://example.org/docs).',
  '',
  '> Quoted note: keep the signature unchanged.',
  '',
  '| n | calls before | calls after |',
  '|---|---:|---:|',
  '| 10 | 177 | 19 |',
  '',
  '```ts',
  '// cache of computed values',
  'const memo = new Map<number, number>();',
  'export function fib(n: number): number {',
  "  if (n < 2) return n; // base case",
  '  const hit = memo.get(n);',
  '  if (hit !== undefined) return hit;',
  '  const value = fib(n - 1) + fib(n - 2);',
  "  memo.set(n, value);",
  '  return value;',
  '}',
  "export const label = 'fib' + String(42);",
  '```',
].join('\n');

export const pythonAnswer = [
  'An iterative version, in Python for comparison:',
  '',
  '```python',
  'def fib(n: int) -> int:',
  '    """Return the n-th Fibonacci number."""',
  '    a, b = 0, 1',
  '    for _ in range(n):  # O(n)',
  '        a, b = b, a + b',
  '    return a',
  '```',
].join('\n');

// ---------- helpers ----------

async function contrastSamples(w: PanelWorld): Promise<ContrastSample[]> {
  const frame = await w.session.webviewFrame();
  return (await frame.evaluate(contrastProbe)) as ContrastSample[];
}

/** The webview body's theme classes (`vscode-dark`, `vscode-high-contrast-light`…). */
async function themeClasses(w: PanelWorld): Promise<string> {
  const frame = await w.session.webviewFrame();
  return frame.evaluate(() => document.body.className);
}

/** Picks a colour theme from Preferences: Color Theme and waits until the panel has it. */
async function setColorTheme(w: PanelWorld, label: string, bodyClass: RegExp): Promise<void> {
  await w.session.runCommand('Preferences: Color Theme');
  await w.session.pickQuickLabel(label, label);
  await poll(async () => bodyClass.test(await themeClasses(w)), { what: `the panel in ${label}`, timeoutMs: 20_000, intervalMs: 250 });
  // Let the theme's variables settle (the webview receives them in a second message).
  await new Promise((r) => setTimeout(r, 500));
}

/** Writes `text` to test-results/<name>.json for the report. */
function keepJson(name: string, value: unknown): void {
  const dir = process.env.BAKEOFF_TEST_RESULTS_DIR ?? path.join(repoRoot, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(value, null, 2));
}

// ---------- scenarios ----------

export const themes: Array<{ label: string; slug: string; bodyClass: RegExp }> = [
  { label: 'Dark Modern', slug: 'dark-modern', bodyClass: /\bvscode-dark\b/ },
  { label: 'Light Modern', slug: 'light-modern', bodyClass: /\bvscode-light\b/ },
  { label: 'Dark High Contrast', slug: 'dark-hc', bodyClass: /\bvscode-high-contrast\b(?!-light)(?!.*vscode-high-contrast-light)/ },
  { label: 'Light High Contrast', slug: 'light-hc', bodyClass: /\bvscode-high-contrast-light\b/ },
];

/** Every built-in theme: WCAG contrast ≥ 4.5 for every piece of text in the panel, plus screenshots. */
async function scenarioThemes<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  await w.session.page.setViewportSize({ width: 1600, height: 1000 });
  await h.arrange(w, { text: richAnswer, ttftMs: 30, usage: 'always' }, { fault: { type: 'status', status: 500 } });
  await h.compareSelectionInSample(w);
  await h.waitForFinal(w, [closedId, decId]);
  await h.clearNotifications(w);
  const measured: Record<string, { lowest: Record<string, number>; failing: ContrastSample[] }> = {};
  try {
    for (const theme of themes) {
      await setColorTheme(w, theme.label, theme.bodyClass);
      const samples = await contrastSamples(w);
      assert.ok(samples.filter((s) => s.kind === 'code').length > 10, `${theme.label}: code was measured (${samples.length} samples)`);
      assert.ok(samples.some((s) => s.kind === 'answer'), `${theme.label}: the answer's text was measured`);
      measured[theme.label] = contrastReport(samples);
      await w.session.screenshot(`theme-${theme.slug}-1600x1000`);
    }
  } finally {
    keepJson('theme-contrast', measured);
    await setColorTheme(w, 'Dark Modern', themes[0]!.bodyClass).catch(() => undefined);
  }
  const failures = Object.entries(measured).flatMap(([theme, r]) =>
    r.failing.slice(0, 6).map((s) => `${theme}: ${s.ratio} "${s.text}" (${s.where}; ${s.color} on ${s.background})`),
  );
  assert.deepEqual(failures, [], 'text below WCAG 4.5:1');
}

/** The scenarios of this file, numbered after main.ts's. */
export function panelScenarios<W extends PanelWorld>(h: PanelHelpers<W>): ScenarioList<W> {
  return [['10 every built-in theme: contrast ≥ 4.5 for all text and code in the panel', (w) => scenarioThemes(w, h)]];
}
