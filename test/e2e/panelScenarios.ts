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
import type { FrameLocator, Locator } from 'playwright-core';
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
  /** Choose Backends…: exactly `wanted` of `all`, optionally with one put first. */
  /** `order`: the backends of the first columns, in order (the rest keep theirs). */
  chooseOnly(w: W, wanted: string[], all: string[], order?: string | readonly string[]): Promise<void>;
  statusBarText(w: W): Promise<string>;
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
  const page = w.session.page;
  // The theme picker sometimes does not open on the first try while the workbench is busy.
  await poll(
    async () => {
      await w.session.runCommand('Preferences: Color Theme');
      // The picker (its list shows only the rows in view, so wait for the widget, not a row).
      const picker = page.locator('.quick-input-widget input.input[placeholder*="Color Theme"]');
      return picker.first().waitFor({ state: 'visible', timeout: 5000 }).then(
        () => true,
        async () => {
          await page.keyboard.press('Escape');
          return false;
        },
      );
    },
    { what: 'the colour theme picker', timeoutMs: 45_000, intervalMs: 500 },
  );
  await w.session.pickQuickLabel(label, label);
  await poll(async () => bodyClass.test(await themeClasses(w)), { what: `the panel in ${label}`, timeoutMs: 20_000, intervalMs: 250 });
  // Let the theme's variables settle (the webview receives them in a second message).
  await new Promise((r) => setTimeout(r, 500));
}

/**
 * A screenshot in test-results/; with BAKEOFF_UPDATE_SCREENSHOT=1 also copied to
 * media/readme/<readme>.png for the README.
 */
async function shot(w: PanelWorld, name: string, readme?: string): Promise<void> {
  const file = await w.session.screenshot(name);
  if (readme && process.env.BAKEOFF_UPDATE_SCREENSHOT === '1') {
    fs.mkdirSync(path.join(repoRoot, 'media', 'readme'), { recursive: true });
    fs.copyFileSync(file, path.join(repoRoot, 'media', 'readme', `${readme}.png`));
  }
}

/** Writes `text` to test-results/<name>.json for the report. */
function keepJson(name: string, value: unknown): void {
  const dir = process.env.BAKEOFF_TEST_RESULTS_DIR ?? path.join(repoRoot, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(value, null, 2));
}


/** A webview locator inside the panel. */
function panel(w: PanelWorld): FrameLocator {
  return w.session.webview();
}

/** Runs `fn` in the panel's webview frame (a string, so the runner's transpiler leaves it alone). */
async function inPanel<T>(w: PanelWorld, script: string): Promise<T> {
  const frame = await w.session.webviewFrame();
  return (await frame.evaluate(script)) as T;
}

/** Writes workspace files on disk (the editor picks them up). */
function writeWorkspaceFile(w: PanelWorld, rel: string, content: string): string {
  const file = path.join(w.session.dirs.workspace, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** The text of the first editor group's editor as Monaco shows it (spaces normalised). */
async function editorText(w: PanelWorld): Promise<string> {
  const lines = w.session.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first();
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** Selects from line `from` (1-based) to the end of the active editor, with the keyboard. */
async function selectFromLineToEnd(w: PanelWorld, from: number): Promise<void> {
  const page = w.session.page;
  await w.session.runCommand('Go to Line/Column...');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`:${from}`);
  await input.press('Enter');
  const editor = page.locator('.editor-group-container.active .monaco-editor textarea').first();
  await editor.focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+Control+End');
  await poll(async () => /\(\d+ selected\)/.test(await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText()), {
    what: 'the selection in the editor',
    timeoutMs: 5000,
  });
}

/** Waits until no Bakeoff notification toast is on screen. */
async function noBakeoffToastDuring(w: PanelWorld): Promise<number> {
  return w.session.page.locator('.notification-toast', { hasText: /Bakeoff/ }).count();
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
      await shot(w, `theme-${theme.slug}-1600x1000`, theme.slug === 'light-hc' ? 'high-contrast' : undefined);
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


/** A long answer, so the column scrolls while streaming and must come back to its first line. */
const longAnswer = ['First line of the closed answer.', '', ...Array.from({ length: 40 }, (_, i) => `- point ${i + 1}: keep the cache small`)].join('\n');
const shortDecAnswer = ['The decentralized answer starts here.', '', ...Array.from({ length: 30 }, (_, i) => `- step ${i + 1}`)].join('\n');

/**
 * Presenter mode and the live race at 1280×720: TTFT appears while the answer still streams,
 * progress shows in the panel header (no notification over the panel), columns scroll back to
 * their first line when they finish, the fastest/cheapest badges come when all are done, and the
 * verdict is on screen without scrolling.
 */
async function scenarioPresenter<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  const page = w.session.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  await h.arrange(w, { text: longAnswer, ttftMs: 600, chunkIntervalMs: 15, usage: 'always' }, { text: shortDecAnswer, ttftMs: 1500, chunkIntervalMs: 60, usage: 'always' });
  await h.compareSelectionInSample(w);
  // Sample the panel from inside: race TTFT and column state together, every 30 ms.
  await poll(() => inPanel(w, `(() => {
    const rec = { liveTtft: {}, progress: [], scrolledWhileStreaming: {}, timer: 0 };
    window.__race = rec;
    rec.timer = setInterval(() => {
      const status = document.querySelector('[data-testid="run-status"]')?.textContent ?? '';
      if (!rec.progress.includes(status)) rec.progress.push(status);
      for (const col of document.querySelectorAll('[data-testid="column"]:not([data-e2e-stale])')) {
        const id = col.getAttribute('data-backend-id');
        const st = col.querySelector('[data-testid="state"]')?.getAttribute('data-status');
        const row = document.querySelector('[data-testid="race-row"][data-backend-id="' + id + '"]');
        const ttft = row?.querySelector('[data-testid="race-ttft"]')?.getAttribute('data-value');
        const cell = col.querySelector('[data-testid="metric-ttft"]')?.getAttribute('data-value');
        if ((st === 'streaming' || st === 'waiting') && ttft && cell && !rec.liveTtft[id]) rec.liveTtft[id] = { race: Number(ttft), cell: Number(cell) };
        const body = col.querySelector('[data-testid="column-body"]');
        if (st === 'streaming' && body && body.scrollTop > 0) rec.scrolledWhileStreaming[id] = true;
      }
    }, 30);
    return true;
  })()`), { what: 'the race recorder in the panel', timeoutMs: 20_000 });
  // The panel gets the whole editor area, as a presenter would have it.
  await page.locator('.tab', { hasText: /^\s*Bakeoff/ }).first().click();
  await w.session.runCommand('View: Toggle Maximize Editor Group');
  // Presenter mode from the keyboard shortcut, while it runs.
  await panel(w).locator('[data-testid="race"]').waitFor({ timeout: 15_000 });
  await panel(w).locator('[data-testid="run-title"]').click();
  await page.keyboard.press('p');
  await poll(async () => /\bpresenter\b/.test(await inPanel<string>(w, 'document.body.className')), { what: 'presenter mode on', timeoutMs: 5000 });
  const toastsDuringRun = await noBakeoffToastDuring(w);
  const done = await h.waitForFinal(w, [closedId, decId], 60_000);
  assert.deepEqual(done, { [closedId]: 'ok', [decId]: 'ok' });
  const rec = await poll(
    async () => {
      const r = await inPanel<{ liveTtft: Record<string, { race: number; cell: number }>; progress: string[]; scrolledWhileStreaming: Record<string, boolean> }>(w, 'window.__race');
      return Object.keys(r.liveTtft).length === 2 ? r : false;
    },
    { what: 'TTFT seen while both columns still streamed', timeoutMs: 5000 },
  );
  await inPanel(w, 'clearInterval(window.__race.timer)');
  for (const id of [closedId, decId]) {
    const final = Number(await h.column(w, id).locator('[data-testid="metric-ttft"]').getAttribute('data-value'));
    assert.equal(rec.liveTtft[id]!.cell, final, `${id}: the TTFT shown while streaming is the final one`);
    assert.equal(rec.liveTtft[id]!.race, final, `${id}: the overview showed it too`);
  }
  assert.ok(rec.progress.some((p) => /Running · [01]\/2 done/.test(p)), `progress in the panel header: ${rec.progress.join(' | ')}`);
  assert.equal(toastsDuringRun, 0, 'no Bakeoff notification covers the panel while it runs');
  assert.ok(rec.scrolledWhileStreaming[closedId], 'the long answer followed the stream');
  for (const id of [closedId, decId]) {
    const body = h.column(w, id).locator('[data-testid="column-body"]');
    await poll(async () => (await body.evaluate((b) => b.scrollTop)) === 0, { what: `${id} back at its first line`, timeoutMs: 5000 });
  }
  // Verdict: fastest (closed: quicker) and cheapest (decentralized: lower prices) from the summary.
  await panel(w).locator(`[data-testid="race-row"][data-backend-id="${closedId}"] [data-testid="badge-fastest"]`).waitFor({ timeout: 5000 });
  await panel(w).locator(`[data-testid="race-row"][data-backend-id="${decId}"] [data-testid="badge-cheapest"]`).waitFor({ timeout: 5000 });
  assert.equal(await panel(w).locator(`[data-testid="race-row"][data-backend-id="${closedId}"] [data-testid="race-rank"]`).textContent(), '1st');
  const layout = await inPanel<{ scrollY: number; innerHeight: number; raceBottom: number; summaryBottom: number; promptHeight: number; lineHeight: number; hidden: string[]; shown: string[] }>(
    w,
    `(() => {
      const r = (sel) => document.querySelector(sel).getBoundingClientRect();
      const prompt = document.querySelector('[data-testid="prompt-preview"]');
      const col = document.querySelector('[data-testid="column"]');
      const vis = (id) => getComputedStyle(col.querySelector('[data-testid="metric-' + id + '"]')).display !== 'none';
      return {
        scrollY: document.scrollingElement.scrollTop,
        innerHeight: window.innerHeight,
        raceBottom: r('[data-testid="race"]').bottom,
        summaryBottom: r('[data-testid="summary"] table').bottom,
        promptHeight: prompt.getBoundingClientRect().height,
        lineHeight: parseFloat(getComputedStyle(prompt).lineHeight) || 20,
        hidden: ['tps', 'input', 'output'].filter((id) => !vis(id)),
        shown: ['ttft', 'total', 'cost'].filter((id) => vis(id)),
      };
    })()`,
  );
  assert.equal(layout.scrollY, 0, 'nothing scrolled');
  assert.ok(layout.raceBottom <= layout.innerHeight && layout.summaryBottom <= layout.innerHeight, `the verdict is on screen at 1280×720: ${JSON.stringify(layout)}`);
  assert.ok(layout.promptHeight <= layout.lineHeight * 1.6, `the prompt is one line: ${JSON.stringify(layout)}`);
  assert.deepEqual(layout.hidden, ['tps', 'input', 'output'], 'metrics reduced');
  assert.deepEqual(layout.shown, ['ttft', 'total', 'cost']);
  await shot(w, 'presenter-1280x720', 'presenter');
  await page.keyboard.press('p');
  await poll(async () => !/\bpresenter\b/.test(await inPanel<string>(w, 'document.body.className')), { what: 'presenter mode off', timeoutMs: 5000 });
  await w.session.screenshot('normal-1280x720');
  // Back to two groups side by side.
  await page.locator('.tab', { hasText: /^\s*Bakeoff/ }).first().click();
  await w.session.runCommand('View: Toggle Maximize Editor Group');
  await page.setViewportSize({ width: 1600, height: 1000 });
}

export const cartSource = `export interface Item {
  name: string;
  price: number;
  quantity: number;
}

export function applyDiscount(total: number, percent: number): number {
  return total * (1 - percent / 100);
}

export function cartTotal(items: Item[]): number {
  let total = 0;
  for (let i = 0; i < items.length; i++) total += items[i].price * items[i].quantity;
  return total;
}
`;
const cartGood = cartSource.replace(/export function cartTotal[\s\S]*$/, 'export function cartTotal(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}');
const cartBroken = cartSource.replace(/export function cartTotal[\s\S]*$/, 'export function cartTotal(items: Item[]): number {\n  const total: string = items.length;\n  return total;\n}');
const fence = (code: string) => `Here is the file:\n\n\`\`\`ts\n${code}\n\`\`\`\n`;

function setUpCartProject(w: PanelWorld): void {
  writeWorkspaceFile(w, 'cart.ts', cartSource);
  // The project's dependencies (TypeScript): a scratch copy links node_modules rather than copying it.
  const modules = path.join(w.session.dirs.workspace, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(repoRoot, 'node_modules'), modules, 'dir');
  writeWorkspaceFile(w, 'tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', types: [] }, files: ['cart.ts'] }, null, 2));
}

/** Check Candidates: one candidate compiles, the other does not; the working tree is never touched. */
async function scenarioCheckCandidates<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  const page = w.session.page;
  setUpCartProject(w);
  await h.arrange(w, { text: fence(cartGood), ttftMs: 20 }, { text: fence(cartBroken), ttftMs: 20 });
  await w.session.openFile('cart.ts');
  await w.session.selectAllInEditor();
  await h.startRun(w, () => w.session.runCommand('Bakeoff: Compare Selection'));
  assert.deepEqual(await h.waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  const command = 'npx --no-install tsc --noEmit -p .';
  await panel(w).locator('[data-testid="action-check"]').click();
  // First time: the command is asked for (and saved in the workspace settings)…
  await w.session.answerInputBox(command);
  // …then confirmed, showing exactly what will run.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  assert.ok((await dialog.innerText()).includes(command), 'the confirmation shows the command');
  await dialog.locator('.monaco-button', { hasText: /^\s*Run Checks\s*$/ }).click();
  const state = (id: string) => h.column(w, id).locator('[data-testid="check"]').getAttribute('data-state', { timeout: 1000 });
  await poll(async () => (await state(closedId)) === 'passed' && (await state(decId)) === 'failed', { what: 'one check passed, one failed', timeoutMs: 90_000, intervalMs: 300 });
  const output = (await h.column(w, decId).locator('[data-testid="check-output"]').textContent()) ?? '';
  assert.match(output, /error TS2322/, `the failing candidate's compiler output: ${output.slice(0, 400)}`);
  assert.match(output, /cart\.ts/, 'the output names the file');
  assert.match((await h.column(w, decId).locator('[data-testid="check-summary"]').textContent()) ?? '', /Check failed · exit [12]/);
  assert.match((await h.column(w, closedId).locator('[data-testid="check-summary"]').textContent()) ?? '', /Check passed/);
  await panel(w).locator(`[data-testid="race-row"][data-backend-id="${closedId}"] [data-testid="badge-check-passed"]`).waitFor({ timeout: 5000 });
  await panel(w).locator(`[data-testid="race-row"][data-backend-id="${decId}"] [data-testid="badge-check-failed"]`).waitFor({ timeout: 5000 });
  assert.equal(fs.readFileSync(path.join(w.session.dirs.workspace, 'cart.ts'), 'utf8'), cartSource, 'the working tree is untouched');
  const settings = fs.readFileSync(path.join(w.session.dirs.workspace, '.vscode', 'settings.json'), 'utf8');
  assert.ok(settings.includes('bakeoff.check.command'), 'the command is saved for this workspace');
  await shot(w, 'check-candidates', 'check-candidates');
  // Second time: no confirmation (remembered for this workspace and command), the checks run again.
  await panel(w).locator('[data-testid="action-check"]').click();
  await poll(async () => (await state(closedId)) === 'running' || (await state(closedId)) === 'queued' || (await state(decId)) === 'running', { what: 'the checks running again', timeoutMs: 15_000, intervalMs: 100 });
  assert.equal(await dialog.isVisible(), false, 'no second confirmation');
  await poll(async () => (await state(closedId)) === 'passed' && (await state(decId)) === 'failed', { what: 'the second round done', timeoutMs: 90_000, intervalMs: 300 });
}

const cartFunctionOnly = 'export function cartTotal(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}';

/**
 * Applying the winner: a whole-file answer to a one-function selection is recognised and
 * replaces the whole file; the panel's Undo takes it back; Insert says where it inserts; the
 * diff opens beside the file (not over the panel) with Apply to Selection, whose Undo works too.
 */
async function scenarioApplyUndo<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  const page = w.session.page;
  setUpCartProject(w);
  await h.arrange(w, { text: fence(cartGood), ttftMs: 20 }, { text: fence(cartFunctionOnly), ttftMs: 20 });
  await w.session.openFile('cart.ts');
  await selectFromLineToEnd(w, 11);
  const selected = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText();
  assert.match(selected, /\(\d+ selected\)/, `a selection from line 11: ${selected}`);
  // The keybinding (the palette's Escape would drop the selection).
  await h.startRun(w, () => page.keyboard.press('Control+Shift+Alt+B'));
  assert.deepEqual(await h.waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  assert.equal(await panel(w).locator('[data-testid="run-title"]').textContent(), 'Selection from cart.ts (5 lines)');

  // Replace with the whole-file answer: asked, then the whole file is replaced (no duplicates).
  await h.column(w, closedId).locator('[data-testid="action-replace"]').click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  const asked = await dialog.innerText();
  assert.match(asked, /looks like the whole of cart\.ts/, asked);
  assert.match(asked, /“Item”, “applyDiscount”/, asked);
  await dialog.locator('.monaco-button', { hasText: /^\s*Replace Whole File\s*$/ }).click();
  await poll(async () => (await editorText(w)).includes('items.reduce'), { what: 'the whole-file answer in cart.ts', timeoutMs: 10_000 });
  const replaced = await editorText(w);
  assert.equal(replaced.split('export interface Item').length - 1, 1, `Item is defined once:\n${replaced}`);
  assert.equal(replaced.split('export function applyDiscount').length - 1, 1, 'applyDiscount is defined once');
  // The panel's notice offers Undo.
  const undo = panel(w).locator('[data-testid="toast-action-undo"]');
  await undo.waitFor({ state: 'visible', timeout: 10_000 });
  await undo.click();
  await poll(async () => (await editorText(w)).includes('for (let i = 0; i < items.length; i++)'), { what: 'cart.ts as it was', timeoutMs: 10_000 });

  // Insert names where it inserts, and inserts there.
  const insertLabel = (await h.column(w, decId).locator('[data-testid="action-insert"]').innerText()).trim();
  const insertTitle = (await h.column(w, decId).locator('[data-testid="action-insert"]').getAttribute('title')) ?? '';
  assert.match(insertTitle, /below line 15 of cart\.ts/, insertTitle);
  if (insertLabel) assert.equal(insertLabel, 'Insert below L15');

  // Diff with selection opens beside the file, with the panel still in view.
  await h.column(w, decId).locator('[data-testid="action-diff-selection"]').click();
  const diff = page.locator('.editor-group-container').first().locator('.monaco-diff-editor');
  await diff.waitFor({ state: 'visible', timeout: 15_000 });
  assert.equal(await page.locator('.tab.active', { hasText: /^\s*Bakeoff/ }).count(), 1, 'the panel is still shown in its own group');
  const apply = page.locator('.editor-group-container').first().locator('.editor-actions [aria-label="Apply to Selection"]');
  await apply.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await page.locator('.editor-group-container').first().locator('.editor-actions [aria-label="Apply to Whole File"]').count(), 1);
  await apply.click();
  const notice = page.locator('.notification-toast', { hasText: /Bakeoff: Replaced lines 11–15 of cart\.ts/ });
  await notice.waitFor({ timeout: 10_000 });
  await poll(async () => (await editorText(w)).includes('items.reduce') && (await editorText(w)).includes('export function applyDiscount'), { what: 'the function replaced in place', timeoutMs: 10_000 });
  await notice.locator('.monaco-button', { hasText: 'Undo' }).click();
  await poll(async () => (await editorText(w)).includes('for (let i = 0; i < items.length; i++)'), { what: 'cart.ts as it was after Undo', timeoutMs: 10_000 });
  await w.session.runCommand('File: Revert File');
  await h.clearNotifications(w);
}


const longName = 'Decentral Net — second model from its own model list';

/** The labels of every configured backend (for Choose Backends), from the user settings on disk. */
function configuredLabels(w: PanelWorld): string[] {
  const settings = JSON.parse(fs.readFileSync(w.session.userSettingsFile, 'utf8')) as { 'bakeoff.backends'?: Array<{ id: string; label?: string }> };
  return (settings['bakeoff.backends'] ?? []).map((b) => b.label ?? b.id);
}

/** Add Backend… → Custom OpenAI-compatible endpoint: URL → its /models (asks the key first: 401) → model → kind → name. */
async function scenarioCustomEndpoint<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const page = w.session.page;
  const widget = page.locator('.quick-input-widget');
  await h.clearNotifications(w);
  await h.arrange(w, { text: 'closed', ttftMs: 10 }, { text: 'decentral', ttftMs: 10 });
  const before = await h.statusBarText(w);
  await w.session.runCommand('Bakeoff: Add Backend…');
  await widget.locator('.monaco-list-row').first().waitFor({ timeout: 15_000 });
  // The list renders only the rows in view: page through it.
  let listed = '';
  for (let i = 0; i < 8; i++) {
    listed += `\n${await widget.innerText()}`;
    await page.keyboard.press('PageDown');
    await new Promise((r) => setTimeout(r, 150));
  }
  for (const group of ['Closed APIs', 'Decentralized networks', 'Local (your own hardware)']) assert.ok(listed.includes(group), `presets grouped: ${group} in\n${listed}`);
  if (configuredLabels(w).some((l) => /Ollama/.test(l))) assert.match(listed, /already added/, 'an added preset is marked');
  await widget.locator('input.input').fill('Custom');
  await w.session.pickQuickItem('Custom OpenAI-compatible endpoint');
  await w.session.answerInputBox(w.dec.baseUrl);
  // Its /models needs a key (401): asked now, bound to its origin.
  const input = widget.locator('input.input');
  await poll(async () => (await input.getAttribute('type')) === 'password', { what: 'the key prompt of the custom endpoint', timeoutMs: 15_000 });
  assert.ok((await widget.innerText()).includes(w.dec.origin), 'the key prompt names the origin');
  await w.session.answerInputBox(h.ids.decKey);
  // The model step lists what the server lists.
  await widget.locator('.monaco-list-row', { hasText: 'fixture-model' }).first().waitFor({ timeout: 15_000 });
  assert.ok((await widget.innerText()).includes(h.ids.decModel), 'its scheduled model is listed too');
  await w.session.pickQuickLabel('fixture-model');
  await w.session.pickQuickLabel('Decentralized');
  await poll(async () => (await input.inputValue()).includes('fixture-model'), { what: 'a proposed name', timeoutMs: 10_000 });
  await w.session.answerInputBox(longName);
  const added = await poll(
    () => {
      const settings = JSON.parse(fs.readFileSync(w.session.userSettingsFile, 'utf8')) as { 'bakeoff.backends'?: Array<Record<string, unknown>> };
      return settings['bakeoff.backends']?.find((b) => b.label === longName) ?? false;
    },
    { what: 'the custom backend in the user settings', timeoutMs: 15_000 },
  );
  assert.equal(added.baseUrl, w.dec.baseUrl);
  assert.equal(added.model, 'fixture-model');
  assert.equal(added.kind, 'decentralized');
  assert.deepEqual(added.pricing, { type: 'unknown' }, 'no invented price');
  assert.equal(added.auth, undefined, 'it has a key');
  await page.locator('.notification-toast', { hasText: /Pick it in Choose Backends/ }).first().waitFor({ timeout: 10_000 });
  assert.equal(await h.statusBarText(w), before, 'not chosen on its own');
  await h.clearNotifications(w);
  // Choose Backends shows key status and sets the column order.
  await w.session.runCommand('Bakeoff: Choose Backends…');
  const row = widget.locator('.monaco-list-row', { hasText: longName }).first();
  await row.waitFor({ timeout: 15_000 });
  assert.match(await row.innerText(), /key set/, 'its key status');
  await page.keyboard.press('Escape');
  const all = configuredLabels(w);
  await h.chooseOnly(w, ['Closed API', 'Decentral Net'], all, 'Decentral Net');
  await poll(async () => (await h.statusBarText(w)) === 'Bakeoff: Decentral Net vs Closed API', { what: 'Decentral Net put first' });
  await h.chooseOnly(w, ['Closed API', 'Decentral Net', longName], all, 'Closed API');
  await poll(async () => (await h.statusBarText(w)) === `Bakeoff: Closed API vs Decentral Net vs ${longName}`, { what: 'three backends, Closed API first' });
  // The whole order, one column at a time: the new endpoint first, then Decentral Net, Closed API last.
  await h.chooseOnly(w, ['Closed API', 'Decentral Net', longName], all, [longName, 'Decentral Net']);
  await poll(async () => (await h.statusBarText(w)) === `Bakeoff: ${longName} vs Decentral Net vs Closed API`, { what: 'Decentral Net in the second column, Closed API last' });
  // Back to the order the next scenarios expect.
  await h.chooseOnly(w, ['Closed API', 'Decentral Net', longName], all, ['Closed API', 'Decentral Net']);
  await poll(async () => (await h.statusBarText(w)) === `Bakeoff: Closed API vs Decentral Net vs ${longName}`, { what: 'Closed API, Decentral Net, then the new endpoint again' });
}

/** A 1280×720 window with the panel beside the file: three columns stack, the overview stays in view, failures show. */
async function scenarioNarrow<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  const page = w.session.page;
  await page.setViewportSize({ width: 1280, height: 720 });
  await h.arrange(w, { text: richAnswer, ttftMs: 20 }, { fault: { type: 'status', status: 503 } });
  await h.compareSelectionInSample(w);
  const thirdId = (await panel(w).locator('[data-testid="column"]:not([data-e2e-stale])').nth(2).getAttribute('data-backend-id', { timeout: 20_000 }))!;
  await h.waitForFinal(w, [closedId, decId, thirdId]);
  const layout = await inPanel<{ layout: string; overflow: number; widths: number[]; grid: number; nameCut: boolean; nameLines: number }>(
    w,
    `(() => {
      const grid = document.querySelector('[data-testid="columns"]');
      const cols = [...grid.querySelectorAll('[data-testid="column"]')];
      const name = cols[2].querySelector('.column-name');
      return {
        layout: grid.dataset.layout,
        overflow: document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth,
        widths: cols.map((c) => c.getBoundingClientRect().width),
        grid: grid.getBoundingClientRect().width,
        nameCut: name.scrollWidth > name.clientWidth + 1,
        nameLines: Math.round(name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight)),
      };
    })()`,
  );
  assert.equal(layout.layout, 'stacked', `three columns do not fit side by side: ${JSON.stringify(layout)}`);
  assert.ok(layout.overflow <= 1, `nothing off-screen sideways: ${JSON.stringify(layout)}`);
  for (const width of layout.widths) assert.ok(width >= layout.grid * 0.95, `full-width cards: ${JSON.stringify(layout)}`);
  assert.equal(layout.nameCut, false, 'the long name is not cut');
  // The overview stays at the top while reading the last column, and names the failure.
  await inPanel(w, `document.querySelector('[data-testid="summary"]').scrollIntoView()`);
  const race = await inPanel<{ top: number; bottom: number; rows: number; text: string }>(
    w,
    `(() => { const r = document.querySelector('[data-testid="race"]'); const b = r.getBoundingClientRect(); return { top: b.top, bottom: b.bottom, rows: r.querySelectorAll('[data-testid="race-row"]').length, text: r.innerText }; })()`,
  );
  assert.ok(race.top >= -1 && race.top < 20 && race.bottom > 40, `the overview stays in view: ${JSON.stringify(race)}`);
  assert.equal(race.rows, 3);
  assert.match(race.text, /✗ HTTP 503/, 'the failed backend is named in the overview');
  // The cost chart: one known cost (the third backend has no price) draws no bar from itself alone;
  // the unknown one is hatched and labelled.
  const costRows = panel(w).locator('[data-testid="chart-row-costUsd"]');
  assert.equal(await costRows.count(), 3);
  assert.equal(await panel(w).locator('[data-testid="chart-row-costUsd"] [data-testid="chart-bar"]').count(), 0, 'no full-width bar from a single known cost');
  const unknownCost = costRows.filter({ has: panel(w).locator('.chart-track.hatched') });
  assert.match((await unknownCost.allInnerTexts()).join(' | '), /unknown \(no price\)/);
  assert.match((await panel(w).locator('.chart-note').allInnerTexts()).join(' '), /One known value/);
  await w.session.screenshot('narrow-1280x720-scrolled');
  // A click on a row of the overview brings its column into view and focuses it.
  await panel(w).locator(`[data-testid="race-row"][data-backend-id="${decId}"]`).click();
  const focus = await inPanel<{ inColumn: string | null; top: number; height: number; raceBottom: number }>(
    w,
    `(() => { const c = document.activeElement.closest('[data-testid="column"]'); return { inColumn: c?.getAttribute('data-backend-id') ?? null, top: c?.getBoundingClientRect().top ?? -1, height: window.innerHeight, raceBottom: document.querySelector('[data-testid="race"]').getBoundingClientRect().bottom }; })()`,
  );
  assert.equal(focus.inColumn, decId, 'focus in the clicked backend’s column');
  assert.ok(focus.top >= focus.raceBottom - 1 && focus.top < focus.height, `its column in view, below the overview: ${JSON.stringify(focus)}`);
  assert.equal(await h.column(w, decId).locator('[data-testid="fix-retry"]').isVisible(), true, 'the failed card offers Retry');
  // Focus this column: the others hide; Escape brings them back.
  await h.column(w, closedId).locator('[data-testid="action-focus"]').click();
  await poll(async () => !(await h.column(w, decId).isVisible()) && (await h.column(w, closedId).isVisible()), { what: 'only one column shown' });
  await page.keyboard.press('Escape');
  await poll(async () => (await h.column(w, decId).isVisible()) && (await h.column(w, thirdId).isVisible()), { what: 'all columns back' });
  await inPanel(w, 'window.scrollTo(0, 0)');
  await shot(w, 'narrow-1280x720', 'narrow');
  await page.setViewportSize({ width: 1600, height: 1000 });
}

/** Describes the focused element of the panel ('' when the focus is outside the panel). */
const focusProbe = `(() => {
  if (!document.hasFocus()) return '';
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  const col = e.closest('[data-testid="column"]');
  return (col ? 'column:' + col.getAttribute('data-backend-id') + '/' : '') + (e.getAttribute('data-testid') || e.className || e.tagName);
})()`;

/** A keyboard-only run: start, reach the panel, one Tab stop per column, arrows inside, shortcuts, skip link. */
async function scenarioKeyboard<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId } = h.ids;
  const page = w.session.page;
  await h.arrange(w, { text: richAnswer, ttftMs: 20, usage: 'always' }, { text: pythonAnswer, ttftMs: 40, usage: 'always' });
  // Open the file and compare, from the keyboard only.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+1');
  await page.keyboard.press('Control+p');
  await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 5000 });
  await page.keyboard.type('sample.ts');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'sample.ts' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.editor-group-container.active .tab.active', { hasText: 'sample.ts' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+a');
  await h.startRun(w, () => page.keyboard.press('Control+Shift+Alt+B'));
  const columns = await poll(async () => {
    const n = await panel(w).locator('[data-testid="column"]:not([data-e2e-stale])').count();
    return n >= 2 ? n : false;
  }, { what: 'the columns', timeoutMs: 20_000 });
  const ids = await panel(w).locator('[data-testid="column"]:not([data-e2e-stale])').evaluateAll((cols) => cols.map((c) => c.getAttribute('data-backend-id')!));
  await h.waitForFinal(w, ids);
  // Into the panel: focus the second editor group.
  await page.keyboard.press('Control+2');
  await poll(async () => (await inPanel<string>(w, focusProbe)) !== '', { what: 'the panel focused', timeoutMs: 10_000 });
  // Tab through the whole panel: skip link, toolbar, overview, one stop per column.
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const at = await inPanel<string>(w, focusProbe);
    if (!at || at === 'body') break;
    stops.push(at);
  }
  assert.equal(stops[0], 'skip-link', `the first stop is the skip link: ${stops.join(' → ')}`);
  // The status bar item's accessible name is words, not the icon's id.
  const statusName = (await page.locator('.statusbar-item', { hasText: /Bakeoff:/ }).first().locator('a, [role="button"]').first().getAttribute('aria-label')) ?? '';
  assert.match(statusName, /^Bakeoff: /, `status bar accessible name: ${statusName}`);
  assert.doesNotMatch(statusName, /beaker|\$\(/, statusName);
  const perColumn = ids.map((id) => stops.filter((s) => s.startsWith(`column:${id}/`)).length);
  assert.deepEqual(perColumn, ids.map(() => 1), `one Tab stop per column: ${stops.join(' → ')}`);
  // Skip link, toolbar, Show more (long prompt), overview, the columns, the summary table's scroller.
  assert.ok(stops.length <= 5 + columns, `${stops.length} Tab stops for ${columns} backends: ${stops.join(' → ')}`);
  keepJson('keyboard-tab-stops', { columns, stops });
  // Back in: key 2 focuses the second column; the arrows move inside it.
  await page.keyboard.press('Control+2');
  await poll(async () => (await inPanel<string>(w, focusProbe)) !== '', { what: 'the panel focused again', timeoutMs: 10_000 });
  await page.keyboard.press('2');
  assert.match(await inPanel<string>(w, focusProbe), new RegExp(`^column:${ids[1]}/column-body`), 'key 2: the second column’s answer');
  await page.keyboard.press('ArrowLeft');
  assert.match(await inPanel<string>(w, focusProbe), /metric-cost/, 'arrow left: its cost');
  const tip = await inPanel<{ shown: boolean; text: string }>(w, `(() => { const t = document.querySelector('.tip'); return { shown: !!t && !t.hidden, text: t?.textContent ?? '' }; })()`);
  assert.ok(tip.shown && /Cost = |Cost unknown/.test(tip.text), `the formula shows on focus: ${JSON.stringify(tip)}`);
  await w.session.screenshot('keyboard-metric-focus');
  // B pins this column as the baseline; B again unpins it.
  await page.keyboard.press('b');
  await poll(async () => /\(your choice\)/.test((await panel(w).locator('[data-testid="baseline-note"]').textContent()) ?? ''), { what: 'the baseline pinned from the keyboard' });
  await page.keyboard.press('b');
  await poll(async () => !/\(your choice\)/.test((await panel(w).locator('[data-testid="baseline-note"]').textContent()) ?? ''), { what: 'the baseline unpinned' });
  // Arrow right past the answer (its code blocks and links are stops too) to Copy, and Enter.
  const visited: string[] = [];
  for (let i = 0; i < 12 && !/action-copy/.test(visited.at(-1) ?? ''); i++) {
    await page.keyboard.press('ArrowRight');
    visited.push(await inPanel<string>(w, focusProbe));
  }
  assert.match(visited.at(-1) ?? '', /action-copy/, `arrow right reaches Copy: ${visited.join(' → ')}`);
  assert.ok(visited.every((v) => v.startsWith(`column:${ids[1]}/`)), `the arrows stay in the column: ${visited.join(' → ')}`);
  await page.keyboard.press('Enter');
  await poll(async () => /Copied /.test((await panel(w).locator('[data-testid="toast"]').textContent()) ?? ''), { what: 'the copy notice' });
  // R re-runs.
  const before = (await w.closed.chatRequests()).length;
  await page.keyboard.press('r');
  await poll(async () => (await w.closed.chatRequests()).length > before, { what: 'R re-ran the comparison', timeoutMs: 20_000 });
  await h.waitForFinal(w, [closedId, decId]);
  // The skip link jumps to the summary.
  await page.keyboard.press('Control+2');
  await poll(async () => (await inPanel<string>(w, focusProbe)) !== '', { what: 'the panel focused once more', timeoutMs: 10_000 });
  await page.keyboard.press('Tab');
  assert.equal(await inPanel<string>(w, focusProbe), 'skip-link');
  await page.keyboard.press('Enter');
  assert.equal(await inPanel<string>(w, focusProbe), 'summary', 'the summary is focused');
}

/** A comparison with a remote backend that has no key asks for it right there, then runs. */
async function scenarioKeyPrompt<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const { closedId, decId, closedKey } = h.ids;
  const page = w.session.page;
  // (The picker is built after the keys are read; if focus moves meanwhile it can close: try again.)
  await poll(
    async () => {
      await w.session.runCommand('Bakeoff: Clear API Key…');
      return w.session.pickQuickLabel('Closed API', undefined, 5000).then(
        () => true,
        async () => {
          await page.keyboard.press('Escape');
          return false;
        },
      );
    },
    { what: 'Clear API Key… → Closed API', timeoutMs: 45_000, intervalMs: 500 },
  );
  await h.clearNotifications(w);
  await h.arrange(w, { text: 'Closed answers with the key typed at compare time.', ttftMs: 20 }, { text: 'Decentral answers.', ttftMs: 20 });
  await w.session.openFile('sample.ts');
  await w.session.selectAllInEditor();
  await h.startRun(w, () => page.keyboard.press('Control+Shift+Alt+B'));
  const input = page.locator('.quick-input-widget input.input');
  await poll(async () => (await input.getAttribute('type')) === 'password', { what: 'the key prompt', timeoutMs: 15_000 });
  const text = await page.locator('.quick-input-widget').innerText();
  assert.match(text, /API key for Closed API/);
  assert.ok(text.includes(w.closed.origin), `names the origin the key is bound to: ${text}`);
  await w.session.answerInputBox(closedKey);
  const statuses = await h.waitForFinal(w, [closedId, decId]);
  assert.equal(statuses[closedId], 'ok');
  assert.equal(statuses[decId], 'ok');
  assert.equal((await w.closed.chatRequests())[0]!.headers.authorization, `Bearer ${closedKey}`);
  // Stored: the next comparison does not ask again.
  await h.rerunLast(w);
  await h.waitForFinal(w, [closedId, decId]);
  assert.equal(await input.isVisible(), false, 'no second prompt');

  // Compare Prompt… takes a multi-line prompt in an editor, run from its title bar.
  await w.session.runCommand('Bakeoff: Compare Prompt…');
  await page.locator('.quick-input-widget [aria-label="Write a multi-line prompt in an editor"]').first().click();
  const promptEditor = page.locator('.editor-group-container.active .monaco-editor textarea').first();
  await page.locator('.editor-group-container.active .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10_000 });
  await promptEditor.focus();
  await page.keyboard.type('First line of the prompt.');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Second line: keep both.');
  const run = page.locator('.editor-group-container.active .editor-actions [aria-label="Run Prompt"]');
  await run.waitFor({ state: 'visible', timeout: 10_000 });
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  await h.startRun(w, () => run.click());
  await h.waitForFinal(w, [closedId, decId]);
  const body = JSON.stringify((await w.closed.chatRequests())[0]!.body);
  assert.ok(body.includes('First line of the prompt.\\nSecond line: keep both.'), `both lines were sent: ${body.slice(0, 300)}`);
  assert.match((await panel(w).locator('[data-testid="run-title"]').textContent()) ?? '', /^Prompt: “First line of the prompt\. Second line: keep both\.”/);
  await page.locator('.tab', { hasText: 'Untitled' }).first().click();
  await w.session.runCommand('View: Revert and Close Editor');
}

/** Test Backends: a verdict first per backend, a chat request column, fix buttons that work. */
async function scenarioTestBackends<W extends PanelWorld>(w: W, h: PanelHelpers<W>): Promise<void> {
  const page = w.session.page;
  await h.arrange(w, { text: 'fine', ttftMs: 10 }, { fault: { type: 'status', status: 500 } });
  const all = configuredLabels(w);
  const wanted = ['Closed API', 'Decentral Net', ...all.filter((l) => /Ollama/.test(l))];
  await h.chooseOnly(w, wanted, all);
  await w.session.runCommand('Bakeoff: Test Backends');
  const reportFrame = async () => {
    for (const f of page.frames()) {
      const text = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (text.includes('Bakeoff — backend check') && text.includes('Details')) return f;
    }
    return false;
  };
  const frame = await poll(reportFrame, { what: 'the backend check report', timeoutMs: 60_000, intervalMs: 300 });
  const verdict = async (label: string) =>
    frame.evaluate((name) => {
      const card = Array.from(document.querySelectorAll('[data-testid="check-card"]')).find((c) => c.querySelector('.name')?.textContent === name);
      return card ? { level: card.getAttribute('data-verdict'), text: (card as HTMLElement).innerText } : null;
    }, label);
  const closed = await verdict('Closed API');
  assert.equal(closed?.level, 'ready', JSON.stringify(closed));
  const dec = await verdict('Decentral Net');
  assert.equal(dec?.level, 'failing', JSON.stringify(dec));
  assert.match(dec!.text, /Not working/);
  assert.match(dec!.text, /A chat request failed: HTTP 500/);
  const body = await frame.evaluate(() => document.body.innerText);
  assert.match(body, /Decentral Net\s+decentralized\s+llama-fixture\s+yes\s+HTTP 500\s+yes\s+yes/, `the details say: reachable, chat HTTP 500, model listed and found:\n${body}`);
  if (wanted.length > 2) {
    const local = await verdict(wanted[2]!);
    assert.equal(local?.level, 'failing');
    assert.match(local!.text, /Not reachable/);
  }
  await shot(w, 'test-backends', 'test-backends');
  // Fix buttons are live: Test Again runs the check again.
  const before = (await w.dec.chatRequests()).length;
  await frame.locator('[data-testid="check-card"][data-verdict="failing"] a', { hasText: 'Test Again' }).first().click();
  await poll(async () => (await w.dec.chatRequests()).length > before, { what: 'Test Again checked the backends again', timeoutMs: 30_000 });
  await page.locator('.tab', { hasText: 'Backend Check' }).first().click();
  await w.session.runCommand('View: Close Editor');
  await h.chooseOnly(w, ['Closed API', 'Decentral Net'], all);
  await h.clearNotifications(w);
}

/** The scenarios of this file, numbered after main.ts's. */
export function panelScenarios<W extends PanelWorld>(h: PanelHelpers<W>): ScenarioList<W> {
  return [
    ['10 every built-in theme: contrast ≥ 4.5 for all text and code in the panel', (w) => scenarioThemes(w, h)],
    ['11 presenter mode and the live race at 1280×720', (w) => scenarioPresenter(w, h)],
    ['12 check candidates: one passes, one fails, the working tree untouched', (w) => scenarioCheckCandidates(w, h)],
    ['13 apply the winner: whole-file replace, undo, insert label, diff beside with apply', (w) => scenarioApplyUndo(w, h)],
    ['14 custom endpoint: URL, its models, key, kind, name; not chosen on its own; column order', (w) => scenarioCustomEndpoint(w, h)],
    ['15 narrow layout: columns stack, the overview stays in view and names failures', (w) => scenarioNarrow(w, h)],
    ['16 keyboard only: one Tab stop per column, arrows inside, shortcuts, skip link', (w) => scenarioKeyboard(w, h)],
    ['17 a missing key is asked for when comparing', (w) => scenarioKeyPrompt(w, h)],
    ['18 Test Backends: verdicts, a chat request column, fix buttons', (w) => scenarioTestBackends(w, h)],
  ];
}
