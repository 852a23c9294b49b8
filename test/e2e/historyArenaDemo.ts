/**
 * End-to-end scenarios of the run history, the Blind A/B panel with its leaderboard, and the
 * demo, in the shared editor session of main.ts (the demo in a fresh profile of its own). Each
 * saves screenshots in the dark and the light theme at 1600×1000 and 1280×720
 * (test-results/<name>-<theme>-<size>.png); with BAKEOFF_UPDATE_SCREENSHOT=1 the pictures of
 * the README and the walkthrough are refreshed from them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import type { Schedule } from '../fixtures/server';
import type { FixtureProcess } from './fixtureProcess';
import { EditorSession, poll, repoRoot } from './harness';

/** What these scenarios need of main.ts's world. */
export interface ScenarioContext {
  session: EditorSession;
  closed: FixtureProcess;
  dec: FixtureProcess;
  vsix?: string;
}

/** The backends of the shared session (as main.ts configures them). */
export interface SessionBackends {
  closed: { id: string; label: string; model: string; key: string };
  dec: { id: string; label: string; model: string; key: string };
  sampleFile: string;
}

const updatePictures = process.env.BAKEOFF_UPDATE_SCREENSHOT === '1';

// ---------- helpers ----------

/** The extension's history file in the session's global storage. */
export function historyFile(session: EditorSession): string {
  return path.join(session.dirs.userData, 'User', 'globalStorage', 'bakeoff.bakeoff', 'history.jsonl');
}

function historyLines(session: EditorSession): Array<Record<string, unknown>> {
  const file = historyFile(session);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** The frame of the webview whose document holds `selector` (several panels may be open). */
async function frameWith(session: EditorSession, selector: string, what: string, timeoutMs = 30_000): Promise<Frame> {
  return poll(
    async () => {
      for (const frame of session.page.frames()) {
        if (!frame.url().includes('active-frame') && !frame.url().includes('fake.html')) continue;
        const found = await frame.evaluate((s) => document.querySelector(s) !== null, selector).catch(() => false);
        if (found) return frame;
      }
      return false;
    },
    { what, timeoutMs, intervalMs: 250 },
  );
}

async function comparePanelFrame(session: EditorSession): Promise<Frame> {
  return frameWith(session, '[data-testid="column"]', 'the comparison panel');
}

async function arenaFrame(session: EditorSession): Promise<Frame> {
  return frameWith(session, '[data-testid="arena-title"]', 'the Blind A/B panel');
}

/** Statuses of the comparison panel's columns, by backend id. */
async function columnStatuses(frame: Frame): Promise<Record<string, string>> {
  return frame.evaluate(() => {
    const out: Record<string, string> = {};
    for (const col of Array.from(document.querySelectorAll('[data-testid="column"]'))) {
      out[col.getAttribute('data-backend-id') ?? '?'] = col.querySelector('[data-testid="state"]')?.getAttribute('data-status') ?? '';
    }
    return out;
  });
}

async function waitColumnsFinal(session: EditorSession, count: number, timeoutMs = 60_000): Promise<{ frame: Frame; statuses: Record<string, string> }> {
  return poll(
    async () => {
      const frame = await comparePanelFrame(session);
      const statuses = await columnStatuses(frame);
      const values = Object.values(statuses);
      return values.length === count && values.every((s) => s && s !== 'waiting' && s !== 'streaming') ? { frame, statuses } : false;
    },
    { what: `${count} finished columns`, timeoutMs, intervalMs: 250 },
  );
}

/** Opens the Bakeoff view container in the side bar. */
export async function showBakeoffView(session: EditorSession): Promise<void> {
  await session.runCommand('View: Show Bakeoff');
  await session.page.locator('.monaco-list[aria-label="History"]').waitFor({ timeout: 20_000 });
}

/** The runs in the History view (under their day). */
function historyRows(session: EditorSession): Locator {
  return session.page.locator('.monaco-list[aria-label="History"] .monaco-list-row[aria-level="2"]');
}

async function closeEditorTab(session: EditorSession, title: RegExp): Promise<void> {
  const tab = session.page.locator('.tab', { hasText: title }).first();
  if ((await tab.count()) === 0) return;
  await tab.click();
  await session.runCommand('View: Close Editor');
  await poll(async () => (await session.page.locator('.tab', { hasText: title }).count()) === 0, { what: `the ${title} tab to close` });
}

async function clearNotifications(session: EditorSession): Promise<void> {
  await session.runCommand('Notifications: Clear All Notifications');
}

async function setTheme(session: EditorSession, theme: 'Dark Modern' | 'Light Modern'): Promise<void> {
  const body = session.page.locator('.monaco-workbench');
  const wanted = theme === 'Dark Modern' ? 'vs-dark' : 'vs';
  const applied = async () => (await body.getAttribute('class'))?.split(/\s+/).includes(wanted) ?? false;
  // Through the theme picker, as a user would; a palette that closes under the test is retried.
  await poll(
    async () => {
      if (await applied()) return true;
      await session.page.keyboard.press('Escape');
      await session.runCommand('Preferences: Color Theme');
      await session.pickQuickLabel(theme, theme, 5_000);
      await poll(applied, { what: `the ${theme} theme`, timeoutMs: 5_000 });
      return true;
    },
    { what: `the ${theme} theme`, timeoutMs: 60_000, intervalMs: 500 },
  );
}

const variants = [
  { theme: 'Dark Modern', slug: 'dark', width: 1600, height: 1000 },
  { theme: 'Dark Modern', slug: 'dark', width: 1280, height: 720 },
  { theme: 'Light Modern', slug: 'light', width: 1600, height: 1000 },
  { theme: 'Light Modern', slug: 'light', width: 1280, height: 720 },
] as const;

/**
 * Screenshots of the window in both themes at 1600×1000 and 1280×720; `settle` runs after each
 * change (e.g. to wait for a re-render). Leaves the dark theme at 1920×1080. Returns the files.
 */
export async function shootVariants(session: EditorSession, name: string, settle: () => Promise<void> = async () => undefined): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  try {
    for (const v of variants) {
      await setTheme(session, v.theme);
      await session.page.setViewportSize({ width: v.width, height: v.height });
      await new Promise((r) => setTimeout(r, 400));
      await settle();
      files[`${v.slug}-${v.width}x${v.height}`] = await session.screenshot(`${name}-${v.slug}-${v.width}x${v.height}`);
    }
  } finally {
    await setTheme(session, 'Dark Modern');
    await session.page.setViewportSize({ width: 1920, height: 1080 });
  }
  return files;
}

/** A picture of one webview panel (its editor area), for the README and the walkthrough. */
export async function shootPanel(session: EditorSession, frameSelector: string, file: string, prepare: () => Promise<void> = async () => undefined): Promise<void> {
  // Narrow enough that the text stays readable once the picture is scaled down in the walkthrough.
  await session.page.setViewportSize({ width: 1240, height: 860 });
  await new Promise((r) => setTimeout(r, 600));
  await prepare();
  try {
    const handles = await session.page.locator('iframe.webview').elementHandles();
    for (const handle of handles) {
      const outer = await handle.contentFrame();
      const inner = await (await outer?.$('iframe#active-frame'))?.contentFrame();
      if (!inner || !(await inner.$(frameSelector)) || !(await handle.isVisible())) continue;
      await handle.screenshot({ path: file });
      return;
    }
    throw new Error(`no visible panel holds ${frameSelector}`);
  } finally {
    await session.page.setViewportSize({ width: 1920, height: 1080 });
  }
}


// ---------- 10: history ----------

export async function scenarioHistory(w: ScenarioContext, b: SessionBackends): Promise<void> {
  const { session } = w;
  const page = session.page;
  const closedText = [
    'Memoize `fib` so each value is computed once:',
    '',
    '```ts',
    'const memo = new Map<number, number>();',
    'export function fib(n: number): number {',
    '  if (n < 2) return n;',
    '  if (!memo.has(n)) memo.set(n, fib(n - 1) + fib(n - 2));',
    '  return memo.get(n)!;',
    '}',
    '```',
    '',
    'This takes it from exponential to linear time.',
  ].join('\n');
  const decText = [
    'Replace the recursion with a loop:',
    '',
    '```ts',
    'export function fib(n: number): number {',
    '  let [a, b] = [0, 1];',
    '  for (let i = 0; i < n; i++) [a, b] = [b, a + b];',
    '  return a;',
    '}',
    '```',
    '',
    'Linear time, constant memory, and no risk of a stack overflow.',
  ].join('\n');
  await w.closed.setSchedule(b.closed.model, { text: closedText, ttftMs: 30, chunkIntervalMs: 5, tokensPerChunk: 4, usage: 'always' } satisfies Schedule);
  await w.dec.setSchedule(b.dec.model, { text: decText, ttftMs: 60, chunkIntervalMs: 5, tokensPerChunk: 4, usage: 'always' } satisfies Schedule);
  await session.openFile(b.sampleFile);
  await session.selectAllInEditor();
  await session.runCommand('Bakeoff: Compare Selection');
  const endsBefore = historyLines(session).filter((l) => l.type === 'runEnd').length;
  await poll(async () => historyLines(session).filter((l) => l.type === 'runEnd').length > endsBefore, { what: 'this run finished in the history file', timeoutMs: 60_000 });
  await waitColumnsFinal(session, 2);
  const runIds = historyLines(session).filter((l) => l.type === 'run').map((l) => l.runId as string);
  const runId = runIds[runIds.length - 1]!;
  const raw = fs.readFileSync(historyFile(session), 'utf8');
  assert.ok(raw.includes(JSON.stringify(decText).slice(1, -1)), 'the answers are in the history');
  for (const key of [b.closed.key, b.dec.key]) assert.ok(!raw.includes(key), 'no API key in the history file');
  const trials = historyLines(session).filter((l) => l.type === 'trial' && l.runId === runId);
  assert.equal(trials.length, 2, 'one line per finished trial');

  // A line cut off by a crash and a line of garbage: skipped with a warning, the rest loads.
  fs.appendFileSync(historyFile(session), '{"type":"trial","v":1,"runId":"cut-off","result":{"backendI\nnot json at all\n');
  await session.reloadWindow();
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  await closeEditorTab(session, /^\s*Bakeoff$/);
  await showBakeoffView(session);
  await page.locator('.notification-toast', { hasText: /2 lines of the run history could not be read/ }).first().waitFor({ timeout: 20_000 });
  await poll(async () => (await historyRows(session).count()) > 0, { what: 'runs in the History view' });
  const day = (await page.locator('.monaco-list[aria-label="History"] .monaco-list-row[aria-level="1"]').first().getAttribute('aria-label')) ?? '';
  assert.match(day, /Today/, `runs are listed under their day: ${day}`);
  const first = historyRows(session).first();
  const label = (await first.getAttribute('aria-label')) ?? '';
  assert.match(label, /sample\.ts/, `newest run first: ${label}`);
  assert.match(label, new RegExp(`${b.closed.label} vs ${b.dec.label}`), label);
  assert.match(label, /, done$/, label);

  // Open it: read-only, nothing sent.
  await first.click();
  const { frame, statuses } = await waitColumnsFinal(session, 2);
  assert.deepEqual(statuses, { [b.closed.id]: 'ok', [b.dec.id]: 'ok' });
  const shown = await frame.evaluate(() => ({
    badge: document.querySelector('[data-testid="from-history"]')?.textContent ?? '',
    raw: Array.from(document.querySelectorAll('[data-testid="column-raw"]')).map((e) => e.textContent ?? ''),
    delivered: Array.from(document.querySelectorAll('[data-testid="delivered"]')).map((e) => e.textContent ?? ''),
  }));
  assert.match(shown.badge, /^From history · /);
  assert.deepEqual(shown.raw, [closedText, decText]);
  assert.deepEqual(shown.delivered.map((t) => t.trim().slice(0, 3)), ['1/1', '1/1']);
  assert.deepEqual([...(await w.closed.chatRequests()), ...(await w.dec.chatRequests())], [], 'opening a past run sends nothing');
  await clearNotifications(session);
  // The panel gets the whole editor area for the pictures.
  await closeEditorTab(session, /sample\.ts/);
  const shots = await shootVariants(session, 'scenario-19-history');
  if (updatePictures) fs.copyFileSync(shots['dark-1280x720']!, path.join(repoRoot, 'media', 'history.png'));

  // Show Last Results after closing the panel: the same run again, still nothing sent.
  await closeEditorTab(session, /^\s*Bakeoff$/);
  await session.runCommand('Bakeoff: Show Last Results');
  const again = await waitColumnsFinal(session, 2);
  assert.deepEqual(await again.frame.evaluate(() => Array.from(document.querySelectorAll('[data-testid="column-raw"]')).map((e) => e.textContent ?? '')), [closedText, decText]);

  // Re-run it from the panel: the same prompt goes out again; then both runs side by side.
  await again.frame.locator('[data-testid="action-rerun"]').click();
  await poll(async () => (await w.closed.chatRequests()).length === 1 && (await w.dec.chatRequests()).length === 1, { what: 'the re-run to reach both servers' });
  const sent = (await w.closed.chatRequests())[0]!;
  assert.ok(JSON.stringify(sent.body).includes('fib(n - 1)'), 'the re-run sends the stored prompt');
  await poll(async () => historyLines(session).filter((l) => l.type === 'runEnd').length >= endsBefore + 2, { what: 'the re-run in the history', timeoutMs: 60_000 });
  await session.runCommand('Bakeoff: Compare Two Runs…');
  await session.pickQuickItem(/sample\.ts/);
  await session.pickQuickItem(/sample\.ts/);
  const both = await waitColumnsFinal(session, 4);
  const ids = Object.keys(both.statuses).sort();
  assert.deepEqual(ids, [`${b.closed.id}.1`, `${b.closed.id}.2`, `${b.dec.id}.1`, `${b.dec.id}.2`].sort());

  // Delete the re-run from the History view's context menu.
  const before = await historyRows(session).count();
  await historyRows(session).first().click({ button: 'right' });
  const deleteItem = page.locator('.context-view .action-item', { hasText: 'Delete Run from History…' }).first();
  await deleteItem.waitFor({ timeout: 10_000 });
  // Menus act on keys as users press them: the last item, then Enter.
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' }).first().click();
  await poll(async () => (await historyRows(session).count()) === before - 1, { what: 'one run fewer in the History view' });
  assert.equal(historyLines(session).filter((l) => l.type === 'run').length, runIds.length, 'the file lost the deleted run');
  await clearNotifications(session);

  // The Backends view: key status and kind on each row; its Test action checks that backend alone.
  const backendRow = page.locator('.monaco-list[aria-label="Backends"] .monaco-list-row', { hasText: b.closed.label }).first();
  assert.match((await backendRow.getAttribute('aria-label')) ?? '', new RegExp(`^${b.closed.label}, closed, key set$`));
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  await backendRow.click({ button: 'right' });
  await page.locator('.context-view .action-item', { hasText: 'Test Backend' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const report = await poll(
    async () => {
      const texts = await Promise.all(page.frames().map((f) => f.evaluate(() => (document.body as HTMLElement | null)?.innerText ?? '').catch(() => '')));
      return texts.find((t) => t.includes('backend check') && t.includes('Reachable')) ?? false;
    },
    { what: 'the backend check report', timeoutMs: 30_000, intervalMs: 250 },
  );
  assert.match(report, new RegExp(`${b.closed.label}[\\s|]+closed[\\s|]+${b.closed.model}[\\s|]+yes`), report);
  assert.ok(!report.includes(b.dec.label), 'only the backend of that row is tested');
  assert.equal((await w.dec.requests()).length, 0);
  await closeEditorTab(session, /Backend check/);
  await clearNotifications(session);
}

// ---------- 11: blind A/B and leaderboard ----------

/** Earlier votes, written as another window would: enough for ratings. */
function seedVotes(session: EditorSession, b: SessionBackends): void {
  const lines: string[] = [];
  const names = { c: `${b.closed.id}/${b.closed.model}`, d: `${b.dec.id}/${b.dec.model}` };
  const winners = [...Array(8).fill('model_a'), ...Array(3).fill('model_b'), 'tie'] as string[];
  winners.forEach((winner, i) => {
    const swapped = i % 2 === 1;
    const [ma, mb, la, lb] = swapped ? [names.d, names.c, b.dec.label, b.closed.label] : [names.c, names.d, b.closed.label, b.dec.label];
    // model_a won 8 times when it was the closed API; flip the verdict with the sides.
    const verdict = winner === 'tie' ? 'tie' : swapped ? (winner === 'model_a' ? 'model_b' : 'model_a') : winner;
    lines.push(JSON.stringify({ type: 'battle', v: 1, battleId: `seed-${i}`, runId: `seed-run-${i}`, model_a: ma, model_b: mb, label_a: la, label_b: lb, winner: verdict, tstamp: 1767225600 + i * 60, swapped }));
  });
  fs.mkdirSync(path.dirname(historyFile(session)), { recursive: true });
  fs.appendFileSync(historyFile(session), `${lines.join('\n')}\n`);
}

interface BlindRecord {
  phases: string[];
  /** Samples in which exactly one answer was on screen. */
  oneAnswerOnly: number;
  /** Backend names seen on screen before the reveal. */
  namesBeforeReveal: string[];
  samples: number;
}

export async function scenarioBlind(w: ScenarioContext, b: SessionBackends): Promise<void> {
  const { session } = w;
  const page = session.page;
  seedVotes(session, b);
  const closedText =
    'A **mutex** (mutual-exclusion lock) guards a critical section: a thread acquires it before touching shared state and releases it afterwards, so only one thread is inside at a time. Threads that try to acquire a held mutex wait until it is released.';
  const decText = [
    'A mutex is a lock that only one thread can hold at a time.',
    '',
    '- A thread calls `lock()` before it reads or writes the shared data, and `unlock()` when done.',
    '- Any other thread calling `lock()` meanwhile blocks until the mutex is free.',
    '- Forgetting to unlock, or taking two mutexes in different orders, can deadlock.',
    '',
    "In Rust, `std::sync::Mutex` wraps the data it protects, so the compiler makes sure you hold the lock.",
  ].join('\n');
  await w.closed.setSchedule(b.closed.model, { text: closedText, ttftMs: 20, chunkIntervalMs: 5, usage: 'always' });
  // Slow enough that the panel is up, and watched, well before the second answer ends.
  await w.dec.setSchedule(b.dec.model, { text: decText, ttftMs: 4000, chunkIntervalMs: 40, usage: 'always' });
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  await closeEditorTab(session, /^\s*Bakeoff$/);

  await session.runCommand('Bakeoff: Compare Blind…');
  await session.pickQuickItem('Two at random');
  await session.answerInputBox('Explain what a mutex is, briefly.');
  const frame = await arenaFrame(session);
  // Sample the panel in the page every 30 ms: phases, answers on screen, names on screen.
  const secrets = [b.closed.label, b.dec.label, b.closed.model, b.dec.model, 'closed', 'decentralized'];
  await frame.evaluate((names) => {
    const rec = { phases: [] as string[], oneAnswerOnly: 0, namesBeforeReveal: [] as string[], samples: 0, timer: 0 };
    (window as unknown as { __blind: typeof rec }).__blind = rec;
    rec.timer = window.setInterval(() => {
      rec.samples++;
      const phase = document.querySelector('[data-testid="battle"]')?.getAttribute('data-phase') ?? 'none';
      if (rec.phases[rec.phases.length - 1] !== phase) rec.phases.push(phase);
      const answers = ['a', 'b'].filter((s) => (document.querySelector(`[data-testid="arena-answer-${s}"]`)?.textContent ?? '').trim().length > 0);
      if (answers.length === 1) rec.oneAnswerOnly++;
      if (phase !== 'revealed') {
        const text = document.body.innerText;
        for (const n of names) if (text.includes(n) && !rec.namesBeforeReveal.includes(n)) rec.namesBeforeReveal.push(n);
      }
    }, 30);
  }, secrets);
  await poll(async () => (await frame.locator('[data-testid="battle"]').getAttribute('data-phase')) === 'voting', { what: 'both answers shown for the vote', timeoutMs: 60_000 });
  const answers = { a: (await frame.locator('[data-testid="arena-answer-a"]').innerText()).trim(), b: (await frame.locator('[data-testid="arena-answer-b"]').innerText()).trim() };
  const closedEnd = 'wait until it is released.';
  const decEnd = 'the compiler makes sure you hold the lock.';
  const aIsClosed = answers.a.endsWith(closedEnd);
  assert.ok(aIsClosed ? answers.b.endsWith(decEnd) : answers.a.endsWith(decEnd) && answers.b.endsWith(closedEnd), `A and B are the two answers, whole:\n${answers.a}\n---\n${answers.b}`);
  assert.equal(await frame.locator('[data-testid="arena-name-a"]').innerText(), 'Answer A');
  const blindShots = await shootVariants(session, 'scenario-20-blind-voting');
  assert.ok(blindShots['dark-1600x1000']);

  // Vote from the keyboard: A is better.
  await frame.locator('[data-testid="vote-a"]').focus();
  await page.keyboard.press('a');
  await poll(async () => (await frame.locator('[data-testid="battle"]').getAttribute('data-phase')) === 'revealed', { what: 'the reveal after the vote' });
  const record = await frame.evaluate(() => {
    const rec = (window as unknown as { __blind: BlindRecord & { timer: number } }).__blind;
    window.clearInterval(rec.timer);
    return { phases: rec.phases, oneAnswerOnly: rec.oneAnswerOnly, namesBeforeReveal: rec.namesBeforeReveal, samples: rec.samples };
  });
  assert.deepEqual(record.phases.filter((p) => p !== 'none'), ['waiting', 'voting', 'revealed'], `phases seen: ${record.phases.join(' → ')}`);
  assert.equal(record.oneAnswerOnly, 0, `one answer was on screen without the other in ${record.oneAnswerOnly} of ${record.samples} samples`);
  assert.deepEqual(record.namesBeforeReveal, [], 'nothing named a side before the vote');
  const nameA = await frame.locator('[data-testid="arena-name-a"]').innerText();
  assert.equal(nameA, aIsClosed ? b.closed.label : b.dec.label, 'A is revealed as the backend that wrote answer A');
  assert.match(await frame.locator('[data-testid="arena-ttft-a"]').innerText(), /\d+ ms|\d+\.\d+ s/);
  assert.match(await frame.locator('[data-testid="arena-voted"]').innerText(), /Your vote: A is better/);

  // The vote is stored in the battle schema.
  const battle = await poll(() => historyLines(session).find((l) => l.type === 'battle' && !String(l.battleId).startsWith('seed-')), { what: 'the vote in the history file' });
  const aName = aIsClosed ? `${b.closed.id}/${b.closed.model}` : `${b.dec.id}/${b.dec.model}`;
  assert.equal(battle.model_a, aName);
  assert.equal(battle.winner, 'model_a');
  assert.equal(typeof battle.swapped, 'boolean');
  assert.ok(typeof battle.tstamp === 'number' && Math.abs((battle.tstamp as number) - Date.now() / 1000) < 600, 'tstamp in Unix seconds');

  // The leaderboard: 13 votes, ratings with intervals.
  await poll(async () => (await frame.locator('[data-testid="leaderboard-votes"]').innerText()) === '13 votes', { what: 'the leaderboard with 13 votes' });
  const ratings = await frame.locator('[data-testid="rating"]').allInnerTexts();
  assert.equal(ratings.length, 2);
  for (const r of ratings) assert.match(r, /^[\d,]+ \[[\d,]+–[\d,]+\]$/, `rating cell: ${r}`);
  assert.match(await frame.locator('[data-testid="ratings-note"]').innerText(), /Bradley–Terry ratings/);
  const revealShots = await shootVariants(session, 'scenario-20-blind-revealed');
  if (updatePictures) await shootPanel(session, '[data-testid="arena-title"]', path.join(repoRoot, 'media', 'walkthrough', 'blind.png'));
  assert.ok(revealShots['light-1280x720']);

  // Export votes: JSONL in the public battle schema.
  const exported = path.join(session.dirs.workspace, 'votes-e2e.jsonl');
  await frame.locator('[data-testid="export-votes"]').click();
  const input = page.locator('.quick-input-widget input.input');
  await poll(async () => /\.jsonl$/.test(await input.inputValue({ timeout: 1000 })), { what: 'the save dialog proposing a .jsonl file' });
  await input.fill(exported);
  await input.press('Enter');
  const rows = await poll(
    () => {
      if (!fs.existsSync(exported)) return false;
      const lines = fs.readFileSync(exported, 'utf8').trim().split('\n');
      return lines.length === 13 ? lines.map((l) => JSON.parse(l) as Record<string, unknown>) : false;
    },
    { what: 'the exported votes' },
  );
  assert.deepEqual(Object.keys(rows[12]!).sort(), ['anony', 'judge', 'model_a', 'model_b', 'question_id', 'swapped', 'tstamp', 'turn', 'winner']);
  assert.equal(rows[12]!.model_a, aName);
  await clearNotifications(session);

  // The revealed battle opens in the comparison panel, read-only.
  const sentBefore = (await w.closed.chatRequests()).length + (await w.dec.chatRequests()).length;
  await frame.locator('[data-testid="arena-open-panel"]').click();
  const opened = await waitColumnsFinal(session, 2);
  assert.deepEqual(Object.keys(opened.statuses).sort(), [b.closed.id, b.dec.id].sort());
  assert.match(await opened.frame.locator('[data-testid="from-history"]').innerText(), /From history/);
  assert.equal((await w.closed.chatRequests()).length + (await w.dec.chatRequests()).length, sentBefore, 'nothing sent');
  await closeEditorTab(session, /Blind A\/B/);
  await closeEditorTab(session, /^\s*Bakeoff$/);

  // A battle left without a vote stays sealed in the History view and comes back to vote on.
  await w.dec.setSchedule(b.dec.model, { text: decText, ttftMs: 20, chunkIntervalMs: 2, usage: 'always' });
  await session.runCommand('Bakeoff: Compare Blind…');
  await session.pickQuickItem('Two at random');
  await session.answerInputBox('Explain what a mutex is, briefly.');
  const second = await arenaFrame(session);
  await poll(async () => (await second.locator('[data-testid="battle"]').getAttribute('data-phase')) === 'voting', { what: 'the second battle ready to vote', timeoutMs: 60_000 });
  await closeEditorTab(session, /Blind A\/B/);
  await showBakeoffView(session);
  const pending = historyRows(session).filter({ has: page.locator('.label-description', { hasText: 'names hidden until you vote' }) }).first();
  await pending.waitFor({ timeout: 15_000 });
  assert.match((await pending.getAttribute('aria-label')) ?? '', /names hidden until you vote, vote pending$/);
  await pending.click();
  const resumed = await arenaFrame(session);
  await poll(async () => (await resumed.locator('[data-testid="battle"]').getAttribute('data-phase')) === 'voting', { what: 'the pending battle reopened for its vote' });
  assert.equal(await resumed.locator('[data-testid="arena-name-a"]').innerText(), 'Answer A', 'still blind');
  await resumed.locator('[data-testid="vote-tie"]').click();
  await poll(async () => (await resumed.locator('[data-testid="battle"]').getAttribute('data-phase')) === 'revealed', { what: 'the reveal of the resumed battle' });
  assert.equal(historyLines(session).filter((l) => l.type === 'battle').length, 14);
  assert.equal(historyLines(session).filter((l) => l.type === 'battle').at(-1)!.winner, 'tie');
  await closeEditorTab(session, /Blind A\/B/);
}

// ---------- 12: demo from a fresh profile ----------

export async function scenarioDemo(w: ScenarioContext): Promise<void> {
  assert.ok(w.vsix, 'the packaged extension');
  const session = await EditorSession.start({ name: 'demo', vsix: w.vsix, workspaceFiles: { 'notes.ts': 'export const answer = 42;\n' } });
  try {
    const page = session.page;
    // No backend configured: Compare Selection says so and offers the demo.
    await session.openFile('notes.ts');
    await session.runCommand('Bakeoff: Compare Selection');
    const toast = page.locator('.notification-toast', { hasText: 'no backends are configured yet' }).first();
    await toast.waitFor({ timeout: 20_000 });
    await toast.locator('.monaco-button', { hasText: 'Try a Demo Comparison' }).click();
    const { frame, statuses } = await waitColumnsFinal(session, 2);
    assert.deepEqual(statuses, { 'demo-closed': 'ok', 'demo-decentralized': 'ok' });
    const columns = await frame.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid="column"]')).map((c) => ({
        name: c.querySelector('.column-name')?.textContent ?? c.querySelector('[data-testid="column-label"]')?.textContent ?? '',
        text: c.textContent ?? '',
        ttft: Number(c.querySelector('[data-testid="metric-ttft"]')?.getAttribute('data-value')),
      })),
    );
    for (const c of columns) {
      assert.match(c.name, /demo stand-in/, 'every column is labelled as a stand-in');
      assert.match(c.text, /Demo stand-in: a local server inside Bakeoff plays this backend/);
    }
    assert.ok(columns[1]!.ttft > columns[0]!.ttft, 'the decentralized stand-in is the slower one');
    await clearNotifications(session);
    await closeEditorTab(session, /notes\.ts/);
    const shots = await shootVariants(session, 'scenario-21-demo');
    assert.ok(shots['dark-1600x1000']);
    if (updatePictures) {
      await shootPanel(session, '[data-testid="column"]', path.join(repoRoot, 'media', 'walkthrough', 'demo.png'));
      // The walkthrough's compare step: the same panel scrolled to its summary and chart.
      await shootPanel(session, '[data-testid="column"]', path.join(repoRoot, 'media', 'walkthrough', 'compare.png'), async () => {
        await frame.evaluate(() => document.querySelector('[data-testid="summary"]')?.scrollIntoView({ block: 'end' }));
        await new Promise((r) => setTimeout(r, 300));
      });
    }

    // The export names the stand-ins.
    const exported = path.join(session.dirs.workspace, 'demo-report.md');
    await session.runCommand('Bakeoff: Export Results…');
    await session.pickQuickItem('Markdown report');
    const input = page.locator('.quick-input-widget input.input');
    await poll(async () => /\.md$/.test(await input.inputValue({ timeout: 1000 })), { what: 'the save dialog' });
    await input.fill(exported);
    await input.press('Enter');
    const report = await poll(() => (fs.existsSync(exported) ? fs.readFileSync(exported, 'utf8') : false), { what: 'the Markdown export' });
    assert.match(report, /Closed API \(demo stand-in\)/);
    assert.match(report, /Decentralized network \(demo stand-in\)/);
    await clearNotifications(session);

    // The stand-ins listen while the panel is open and stop when it closes.
    const logsDir = path.join(session.dirs.userData, 'logs');
    const urls = await poll(
      () => {
        const files = fs.existsSync(logsDir) ? (fs.readdirSync(logsDir, { recursive: true }) as string[]).map((f) => path.join(logsDir, f)).filter((f) => /bakeoff/i.test(path.basename(f)) && f.endsWith('.log')) : [];
        for (const f of files) {
          const m = /Demo stand-ins listening at (http:\/\/127\.0\.0\.1:\d+\/v1) and (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(fs.readFileSync(f, 'utf8'));
          if (m) return [m[1]!, m[2]!];
        }
        return false;
      },
      { what: 'the stand-in addresses in the Bakeoff log', timeoutMs: 20_000 },
    );
    for (const url of urls) assert.equal((await fetch(`${url}/models`)).status, 200);
    await closeEditorTab(session, /^\s*Bakeoff$/);
    await poll(
      async () => {
        for (const url of urls) {
          try {
            await fetch(`${url}/models`);
            return false;
          } catch {
            /* closed */
          }
        }
        return true;
      },
      { what: 'both stand-ins to stop once the panel is closed', timeoutMs: 15_000 },
    );

    // The walkthrough starts with the demo.
    await session.runCommand('Welcome: Open Walkthrough...');
    await session.pickQuickItem('Get started with Bakeoff');
    const step = page.locator('.getting-started-step', { hasText: 'Try a demo comparison' }).first();
    await step.waitFor({ timeout: 20_000 });
    await poll(
      () => page.evaluate(() => Array.from(document.querySelectorAll('.getting-started-media img')).some((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)),
      { what: 'the picture of the demo step', timeoutMs: 20_000 },
    );
    // (Steps are not ticked in this code-server build whatever completes them — its own buttons
    // included — so their completion is not checked here.)
    await session.screenshot('scenario-21-walkthrough');
  } finally {
    await session.close();
  }
}
