/**
 * End-to-end scenarios: the packaged extension (.vsix) installed in code-server, driven in
 * Chromium like a user would, against two local OpenAI-compatible fixture servers — one set up
 * as a closed API, one as a decentralized endpoint — plus canaries that must never be contacted.
 *
 *   node --import tsx test/e2e/main.ts          (BAKEOFF_VSIX=path, else packages one first)
 *
 * One editor session is shared by all scenarios, in order. Prints `ok`/`not ok` per scenario and
 * ends with `N passed, N failed`. Screenshots of scenarios 1 and 2 go to test-results/; with
 * BAKEOFF_UPDATE_SCREENSHOT=1 the first one is also copied to media/screenshot.png.
 * BAKEOFF_E2E_ONLY=1,2,8 runs only the listed scenarios (later ones may depend on earlier ones).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { hostileAnswers } from '../fixtures/hostileAnswers';
import type { Schedule } from '../fixtures/server';
import { FixtureProcess } from './fixtureProcess';
import { scenarioBlind, scenarioDemo, scenarioHistory, type SessionBackends } from './historyArenaDemo';
import { scenarioSuite } from './suiteScenario';
import { EditorSession, poll, repoRoot, reportOutcomes, runAsEntry, testResultsDir, type TestOutcome } from './harness';
import { panelScenarios } from './panelScenarios';

const closedKey = 'sk-closed-e2e-7f3a';
const decKey = 'dk-decentral-e2e-91b2';
const closedModel = 'gpt-fixture';
const decModel = 'llama-fixture';
const closedId = 'closed-api';
const decId = 'decentral';
const closedPrices = { inputPerMTok: 2.5, outputPerMTok: 10 };
const sessionBackends: SessionBackends = {
  closed: { id: 'closed-api', label: 'Closed API', model: 'gpt-fixture', key: closedKey },
  dec: { id: 'decentral', label: 'Decentral Net', model: 'llama-fixture', key: decKey },
  sampleFile: 'sample.ts',
};
const decPrices = { inputPerMTok: 0.2, outputPerMTok: 0.6 };

const sampleSource = `export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
`;

/** Everything the scenarios share. */
interface World {
  session: EditorSession;
  closed: FixtureProcess;
  dec: FixtureProcess;
  /** Fixture server named by the workspace settings: must never be contacted. */
  workspaceCanary: FixtureProcess;
  /** Plain server whose address the hostile answer points at: must see no request. */
  hostileCanary: { origin: string; hits: string[]; close(): Promise<void> };
  /** Text the last run streamed per backend id. */
  lastTexts: Record<string, string>;
  /** The packaged extension under test. */
  vsix?: string;
}

// ---------- webview helpers ----------

/** The column of the current run (columns of an earlier run are marked stale by {@link startRun}). */
function column(w: World, backendId: string): Locator {
  return w.session.webview().locator(`[data-testid="column"][data-backend-id="${backendId}"]:not([data-e2e-stale])`);
}

/** The Bakeoff panel's editor tab. */
function panelTab(w: World): Locator {
  return w.session.page.locator('.tab', { hasText: /^\s*Bakeoff/ }).first();
}

/**
 * Marks the columns on screen as stale, then starts a run, so that later reads cannot mistake the
 * previous run's finished columns for the new ones (a new run re-renders its columns).
 *
 * A panel hidden behind another editor has no live webview; when it is shown again it first
 * renders its saved state (the previous run) and then the state the extension sends back. So the
 * panel is brought to front first, and an observer in the webview marks as stale every column
 * that appears already finished: a new run's columns always appear waiting.
 */
async function startRun(w: World, start: () => Promise<void>): Promise<void> {
  if ((await panelTab(w).count()) > 0) {
    if (!(await panelTab(w).getAttribute('class'))?.split(/\s+/).includes('active')) await panelTab(w).click();
    await poll(
      async () => {
        const frame = await w.session.webviewFrame();
        await frame.evaluate(() => {
          // (No named inner functions: the test runner's transpiler would wrap them in a helper the page lacks.)
          for (const el of Array.from(document.querySelectorAll('[data-testid="column"]'))) el.setAttribute('data-e2e-stale', '1');
          const win = window as unknown as { __e2eRestoredColumns?: MutationObserver };
          win.__e2eRestoredColumns ??= new MutationObserver((records) => {
            for (const record of records) {
              for (const node of Array.from(record.addedNodes)) {
                if (!(node instanceof Element)) continue;
                const cols = node.matches('[data-testid="column"]') ? [node] : Array.from(node.querySelectorAll('[data-testid="column"]'));
                for (const col of cols) {
                  const status = col.querySelector('[data-testid="state"]')?.getAttribute('data-status');
                  if (status !== 'waiting' && status !== 'streaming') col.setAttribute('data-e2e-stale', '1');
                }
              }
            }
          });
          win.__e2eRestoredColumns.observe(document, { childList: true, subtree: true });
        });
        return true;
      },
      { what: 'the panel in front, its old columns marked stale', timeoutMs: 20_000 },
    );
  }
  await start();
}

async function columnStatus(w: World, backendId: string): Promise<string | null> {
  return column(w, backendId).locator('[data-testid="state"]').getAttribute('data-status', { timeout: 1000 });
}

async function rawText(w: World, backendId: string): Promise<string> {
  return (await column(w, backendId).locator('[data-testid="column-raw"]').textContent({ timeout: 1000 })) ?? '';
}

async function metric(w: World, backendId: string, name: string): Promise<{ value: number | null; source: string | null; title: string | null }> {
  const m = column(w, backendId).locator(`[data-testid="metric-${name}"]`);
  const raw = await m.getAttribute('data-value', { timeout: 1000 });
  return {
    value: raw === null || raw === '' ? null : Number(raw),
    source: await m.getAttribute('data-source', { timeout: 1000 }),
    title: await m.getAttribute('title', { timeout: 1000 }),
  };
}

/** Waits until every listed column reaches a terminal status; returns them. */
async function waitForFinal(w: World, ids: string[], timeoutMs = 60_000): Promise<Record<string, string>> {
  return poll(
    async () => {
      const out: Record<string, string> = {};
      for (const id of ids) {
        const s = await columnStatus(w, id);
        if (!s || s === 'waiting' || s === 'streaming') return false;
        out[id] = s;
      }
      return out;
    },
    { what: `final status of ${ids.join(', ')}`, timeoutMs, intervalMs: 150 },
  );
}

/** What the in-page status recorder (see {@link startStatusRecorder}) has seen per backend id. */
interface StatusRecord {
  /** Distinct statuses in the order they appeared. */
  seen: Record<string, string[]>;
  /** Whether the column showed raw text while its status was still waiting/streaming. */
  textWhileLive: Record<string, boolean>;
  /** The latest status. */
  last: Record<string, string>;
  samples: number;
}

/**
 * Installs a sampler inside the panel's webview that reads every column's `data-status` and raw
 * text every 40 ms. It runs in the page, so it keeps its pace however slow the round trips from
 * the test process are on a loaded machine.
 */
async function startStatusRecorder(w: World): Promise<void> {
  await poll(
    async () => {
      const frame = await w.session.webviewFrame();
      await frame.evaluate(() => {
        const win = window as unknown as { __e2eStatus?: StatusRecord & { timer: number } };
        if (win.__e2eStatus) return;
        const rec = { seen: {}, textWhileLive: {}, last: {}, samples: 0, timer: 0 } as StatusRecord & { timer: number };
        win.__e2eStatus = rec;
        rec.timer = window.setInterval(() => {
          rec.samples++;
          for (const col of Array.from(document.querySelectorAll('[data-testid="column"]:not([data-e2e-stale])'))) {
            const id = col.getAttribute('data-backend-id') ?? '?';
            const status = col.querySelector('[data-testid="state"]')?.getAttribute('data-status');
            if (!status) continue;
            const seen = (rec.seen[id] ??= []);
            if (seen[seen.length - 1] !== status) seen.push(status);
            rec.last[id] = status;
            const raw = col.querySelector('[data-testid="column-raw"]')?.textContent ?? '';
            if ((status === 'waiting' || status === 'streaming') && raw.length > 0) rec.textWhileLive[id] = true;
          }
        }, 40);
      });
      return true;
    },
    { what: 'the status recorder in the panel', timeoutMs: 30_000 },
  );
}

/** Waits until the recorder saw every listed column final; stops it and returns what it saw. */
async function finishStatusRecorder(w: World, ids: string[], timeoutMs = 60_000): Promise<StatusRecord> {
  const frame = await w.session.webviewFrame();
  const read = () =>
    frame.evaluate(() => {
      const rec = (window as unknown as { __e2eStatus?: StatusRecord }).__e2eStatus;
      return rec ? { seen: rec.seen, textWhileLive: rec.textWhileLive, last: rec.last, samples: rec.samples } : null;
    });
  const record = await poll(
    async () => {
      const rec = await read();
      if (!rec) throw new Error('the status recorder is gone (was the panel reloaded?)');
      return ids.every((id) => rec.last[id] && !liveStatuses.has(rec.last[id]!)) ? rec : false;
    },
    { what: `final status of ${ids.join(', ')} in the recorder`, timeoutMs, intervalMs: 150 },
  );
  await frame.evaluate(() => {
    const win = window as unknown as { __e2eStatus?: { timer: number } };
    if (win.__e2eStatus) window.clearInterval(win.__e2eStatus.timer);
    delete win.__e2eStatus;
  });
  return record;
}

const liveStatuses = new Set(['waiting', 'streaming']);

/** Every file (recursively) below `dir`. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/**
 * Asserts that neither API key appears in the panel's DOM, in any frame of the workbench, in the
 * workbench's saved state (IndexedDB, secret-store entries aside), in code-server's log files or
 * in the browser console. The Bakeoff log must exist and mention `mustLog`, so the check is not
 * vacuous.
 */
async function assertKeysNowhere(w: World, mustLog: string, mustShow: string): Promise<void> {
  const keys = [closedKey, decKey];
  const leaks: string[] = [];
  const scan = (where: string, text: string): void => {
    for (const key of keys) if (text.includes(key)) leaks.push(`${key.slice(0, 6)}… in ${where}`);
  };

  const frame = await w.session.webviewFrame();
  const panelHtml = await frame.evaluate(() => document.documentElement.outerHTML);
  assert.ok(panelHtml.includes(mustShow), 'the panel DOM holds the run being checked');
  scan('the panel DOM', panelHtml);
  for (const f of w.session.page.frames()) {
    const html = await f.evaluate(() => document.documentElement?.outerHTML ?? '').catch(() => '');
    scan(`frame ${f.url().slice(0, 80)}`, html);
  }

  // Saved workbench state, where the panel's persisted webview state ends up.
  // (No named inner functions: the test runner's transpiler would wrap them in a helper the page lacks.)
  const saved = await w.session.page.evaluate(async () => {
    const rows: Array<[string, string]> = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const open = indexedDB.open(info.name);
      const db = await new Promise<IDBDatabase>((ok, ko) => ((open.onsuccess = () => ok(open.result)), (open.onerror = () => ko(open.error))));
      try {
        for (const storeName of Array.from(db.objectStoreNames)) {
          const store = db.transaction(storeName, 'readonly').objectStore(storeName);
          const requests: Array<IDBRequest<unknown[]>> = [store.getAllKeys() as IDBRequest<unknown[]>, store.getAll()];
          const [k, v] = await Promise.all(
            requests.map((r) => new Promise<unknown[]>((ok, ko) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => ko(r.error))))),
          );
          k!.forEach((key, i) => rows.push([`${info.name}/${storeName}/${String(key)}`, typeof v![i] === 'string' ? (v![i] as string) : JSON.stringify(v![i])]));
        }
      } finally {
        db.close();
      }
    }
    return rows;
  });
  assert.ok(saved.length > 0, 'the workbench state could be read');
  for (const [where, value] of saved) if (!/secret:\/\//.test(where)) scan(`saved state ${where}`, value ?? '');

  const logsDir = path.join(w.session.dirs.userData, 'logs');
  const bakeoffLog = await poll(
    () => {
      const file = filesBelow(logsDir).find((f) => /bakeoff/i.test(path.basename(f)) && f.endsWith('.log'));
      return file && fs.readFileSync(file, 'utf8').includes(mustLog) ? file : false;
    },
    { what: `the Bakeoff log file to mention "${mustLog}"`, timeoutMs: 20_000, intervalMs: 250 },
  );
  assert.ok(fs.statSync(bakeoffLog).size > 0, 'the Bakeoff log is not empty');
  for (const file of filesBelow(logsDir)) scan(path.relative(logsDir, file), fs.readFileSync(file, 'latin1'));
  scan('the browser console', w.session.logLines.join('\n'));
  assert.deepEqual(leaks, [], 'an API key leaked');
}

/** The Bakeoff status-bar item's text ('' while it is not shown). */
async function statusBarText(w: World): Promise<string> {
  const items = await w.session.page.locator('.statusbar-item').allInnerTexts();
  return items.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => /^Bakeoff:/.test(t)) ?? '';
}

async function clearNotifications(w: World): Promise<void> {
  await w.session.runCommand('Notifications: Clear All Notifications');
}

/** Sets both servers' schedules and clears their request logs. */
async function arrange(w: World, closed: Schedule, dec: Schedule): Promise<void> {
  await w.closed.setSchedule(closedModel, closed);
  await w.dec.setSchedule(decModel, dec);
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  w.lastTexts = { [closedId]: closed.text ?? '', [decId]: dec.text ?? '' };
}

async function compareSelectionInSample(w: World): Promise<void> {
  await w.session.openFile('sample.ts');
  await w.session.selectAllInEditor();
  await startRun(w, () => w.session.runCommand('Bakeoff: Compare Selection'));
}

async function rerunLast(w: World): Promise<void> {
  await startRun(w, () => w.session.runCommand('Bakeoff: Re-run Last'));
}

function words(n: number, prefix: string): string {
  return Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).join(' ');
}

// ---------- scenarios ----------

const closedText1 = [
  'The closed API answers: `fib` is exponential; memoize it for **O(n)** time:',
  '',
  '```ts',
  'const memo = new Map<number, number>();',
  'export function fib(n: number): number {',
  '  if (n < 2) return n;',
  '  if (!memo.has(n)) memo.set(n, fib(n - 1) + fib(n - 2));',
  '  return memo.get(n)!;',
  '}',
  '```',
].join('\n');
const decText1 = [
  'The decentralized endpoint answers: use an iterative loop, it needs O(1) extra memory and avoids deep recursion.',
  '',
  '```ts',
  'export function fib(n: number): number {',
  '  let [a, b] = [0, 1];',
  '  for (let i = 0; i < n; i++) [a, b] = [b, a + b];',
  '  return a;',
  '}',
  '```',
].join('\n');

async function scenarioCompare(w: World): Promise<void> {
  // Slow enough that the panel is up while both still stream.
  const closed: Schedule = { text: closedText1, ttftMs: 400, chunkIntervalMs: 100, usage: 'always' };
  const dec: Schedule = { text: decText1, ttftMs: 1500, chunkIntervalMs: 90, usage: 'always' };
  await arrange(w, closed, dec);
  await compareSelectionInSample(w);
  await startStatusRecorder(w);

  await poll(async () => (await column(w, closedId).count()) === 1 && (await column(w, decId).count()) === 1, {
    what: 'both columns in the panel',
    timeoutMs: 30_000,
  });
  const labels = [
    await column(w, closedId).locator('[data-testid="column-label"]').textContent(),
    await column(w, decId).locator('[data-testid="column-label"]').textContent(),
  ];
  assert.match(labels[0] ?? '', /closed/i, 'closed column shows its kind');
  assert.match(labels[1] ?? '', /decentralized/i, 'decentralized column shows its kind');
  const watched = await finishStatusRecorder(w, [closedId, decId]);
  assert.deepEqual(watched.last, { [closedId]: 'ok', [decId]: 'ok' });
  // Both columns must have streamed: seen "streaming" with text before "ok", not filled in at the end.
  for (const id of [closedId, decId]) {
    const seq = watched.seen[id] ?? [];
    const when = `statuses seen: ${seq.join(' → ')} in ${watched.samples} samples`;
    const streamingAt = seq.indexOf('streaming');
    assert.ok(streamingAt >= 0 && streamingAt < seq.indexOf('ok'), `${id} was seen streaming before ok (${when})`);
    assert.ok(watched.textWhileLive[id], `${id} showed text while still streaming (${when})`);
  }
  assert.equal(await rawText(w, closedId), closedText1);
  assert.equal(await rawText(w, decId), decText1);
  const rendered = await column(w, closedId).locator('[data-testid="column-text"]').innerText();
  assert.ok(rendered.includes('memoize it for'), `rendered markdown: ${rendered}`);

  for (const [id, s, tokens, prices] of [
    [closedId, closed, closedText1.split(/\s+/).length, closedPrices],
    [decId, dec, decText1.split(/\s+/).length, decPrices],
  ] as const) {
    const ttft = await metric(w, id, 'ttft');
    const total = await metric(w, id, 'total');
    assert.ok(ttft.value !== null && total.value !== null, `${id}: ttft/total shown`);
    // Lower bounds are the server's own delays; the upper slack covers a loaded 2-core machine.
    assert.ok(ttft.value >= s.ttftMs! * 0.9 && ttft.value <= s.ttftMs! + 2500, `${id}: TTFT ${ttft.value} ms vs schedule ${s.ttftMs} ms`);
    const streamMs = s.ttftMs! + (tokens - 1) * s.chunkIntervalMs!;
    assert.ok(total.value >= streamMs * 0.9 && total.value <= streamMs + 4000, `${id}: total ${total.value} ms vs schedule ≈${streamMs} ms`);
    const input = await metric(w, id, 'input');
    const output = await metric(w, id, 'output');
    const cost = await metric(w, id, 'cost');
    assert.equal(cost.source, 'override', `${id}: cost source`);
    assert.ok(input.value !== null && output.value !== null && cost.value !== null, `${id}: tokens and cost shown`);
    assert.equal(output.value, tokens, `${id}: output tokens as reported by the server`);
    const expected = (input.value * prices.inputPerMTok + output.value * prices.outputPerMTok) / 1e6;
    assert.ok(Math.abs(cost.value - expected) <= expected * 0.01 + 1e-9, `${id}: cost ${cost.value} vs ${expected}`);
  }
  const closedReq = await w.closed.chatRequests();
  const decReq = await w.dec.chatRequests();
  assert.equal(closedReq.length, 1);
  assert.equal(decReq.length, 1);
  assert.equal(closedReq[0]!.headers.authorization, `Bearer ${closedKey}`);
  assert.equal(decReq[0]!.headers.authorization, `Bearer ${decKey}`);
  assert.ok(JSON.stringify(closedReq[0]!.body).includes('fib(n - 1)'), 'the selection is in the prompt');

  const summary = w.session.webview().locator('[data-testid="summary"]');
  await summary.waitFor({ timeout: 10_000 });
  for (const kind of ['latency', 'cost']) {
    // The first backend that delivered is the baseline; the other is compared with it.
    const base = await summary.locator(`[data-testid="ratio-${kind}"][data-backend-id="${closedId}"]`).textContent({ timeout: 5000 });
    assert.equal(base, 'baseline', `${kind} ratio cell of the baseline`);
    const text = await summary.locator(`[data-testid="ratio-${kind}"][data-backend-id="${decId}"]`).textContent({ timeout: 5000 });
    assert.match(text ?? '', /\d+(\.\d+)?\s*×/, `${kind} ratio for ${decId}`);
  }
  assert.match((await summary.locator('[data-testid="baseline-note"]').textContent()) ?? '', /Baseline: .* \(the first backend that delivered\)/);
  await w.session.webview().locator('[data-testid="chart"]').waitFor({ timeout: 5000 });
  const shot = await w.session.screenshot('scenario-1-compare');
  if (process.env.BAKEOFF_UPDATE_SCREENSHOT === '1') fs.copyFileSync(shot, path.join(repoRoot, 'media', 'screenshot.png'));
  const exportButton = w.session.webview().locator('[data-testid="action-export"]');
  await poll(() => exportButton.isEnabled({ timeout: 1000 }), { what: 'Export enabled once the run has finished', timeoutMs: 10_000 });

  // Export Results… → JSON → the (quick-input) save dialog → a file in the workspace.
  const exported = path.join(w.session.dirs.workspace, 'bakeoff-e2e-export.json');
  await w.session.runCommand('Bakeoff: Export Results…');
  await w.session.pickQuickItem('JSON (same shape');
  const input = w.session.page.locator('.quick-input-widget input.input');
  await poll(async () => /\.json$/.test(await input.inputValue({ timeout: 1000 })), { what: 'the save dialog proposing a .json file' });
  await input.fill(exported);
  await input.press('Enter');
  const report = await poll(
    () => {
      if (!fs.existsSync(exported)) return false;
      const text = fs.readFileSync(exported, 'utf8');
      try {
        return { text, json: JSON.parse(text) as { results?: Array<{ backend: string; status: string; text: string }> } };
      } catch {
        return false; // still being written
      }
    },
    { what: `the exported JSON at ${path.basename(exported)}`, timeoutMs: 20_000 },
  );
  const results = report.json.results ?? [];
  assert.deepEqual(results.map((r) => r.backend).sort(), [closedId, decId].sort(), 'the export holds a result per backend');
  assert.deepEqual(results.map((r) => r.status), ['ok', 'ok']);
  assert.equal(results.find((r) => r.backend === decId)?.text, decText1, 'the export holds the answers');
  for (const key of [closedKey, decKey]) assert.ok(!report.text.includes(key), 'an API key is in the export');
  // The panel and the export read one summary: the same ratio, to the last digit.
  const exportedSummary = (JSON.parse(report.text) as { summary: { baseline: { id: string }; backends: Array<{ id: string; latencyRatio: { value: number } | null }> } }).summary;
  assert.equal(exportedSummary.baseline.id, closedId);
  const panelRatio = await summary.locator(`[data-testid="ratio-latency"][data-backend-id="${decId}"]`).getAttribute('data-value');
  assert.equal(Number(panelRatio), exportedSummary.backends.find((b) => b.id === decId)!.latencyRatio!.value, 'panel and export latency ratio');

  // Pin the decentralized backend as the baseline: the ratios turn around; unpin again.
  await column(w, decId).locator('[data-testid="action-baseline"]').click();
  await poll(async () => (await summary.locator(`[data-testid="ratio-latency"][data-backend-id="${decId}"]`).textContent({ timeout: 1000 })) === 'baseline', {
    what: 'the pinned backend as the baseline',
  });
  const flipped = Number(await summary.locator(`[data-testid="ratio-latency"][data-backend-id="${closedId}"]`).getAttribute('data-value'));
  assert.ok(Math.abs(flipped * Number(panelRatio) - 1) < 1e-9, `the ratio against the pinned baseline is the inverse: ${flipped} vs ${panelRatio}`);
  assert.match((await summary.locator('[data-testid="baseline-note"]').textContent()) ?? '', /Baseline: Decentral Net \(your choice\)/);
  assert.equal(await column(w, decId).locator('[data-testid="baseline-tag"]').isVisible(), true);
  await column(w, decId).locator('[data-testid="action-baseline"]').click();
  await poll(async () => (await summary.locator(`[data-testid="ratio-latency"][data-backend-id="${closedId}"]`).textContent({ timeout: 1000 })) === 'baseline', {
    what: 'the baseline back to the first backend that delivered',
  });
  await clearNotifications(w);
  await assertKeysNowhere(w, `${decId} #1: ok`, 'iterative loop');
}

const okAfterRetryText = 'Recovered after one 429: the retry honoured Retry-After and streamed this answer.';

async function scenarioErrors(w: World): Promise<void> {
  const html = `<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>${'<p>upstream exploded</p>'.repeat(9000)}</body></html>`;
  await arrange(
    w,
    { text: okAfterRetryText, ttftMs: 100, chunkIntervalMs: 20, fault: { type: 'rateLimit', times: 1, retryAfter: '0.2' } },
    { fault: { type: 'status', status: 500, body: html, contentType: 'text/html' } },
  );
  w.lastTexts[decId] = '';
  await rerunLast(w);
  const statuses = await waitForFinal(w, [closedId, decId]);
  assert.deepEqual(statuses, { [closedId]: 'ok', [decId]: 'http_error' });
  assert.equal(await rawText(w, closedId), okAfterRetryText);
  const stateText = (await column(w, decId).locator('[data-testid="state"]').innerText()) ?? '';
  assert.match(stateText, /500/, `error text: ${stateText}`);
  // Failed before its stream began: no Total, the elapsed time is in the state line.
  assert.match(stateText, /failed after \d+/, `error text: ${stateText}`);
  assert.equal((await metric(w, decId, 'total')).value, null, 'no Total for a request that failed before its stream');
  const retried = (await column(w, closedId).locator('[data-testid="state"]').innerText()) ?? '';
  assert.match(retried, /after 1 retry \(waited 0\.\d s, Retry-After 0\.2 s\)/, `retry shown in the state line: ${retried}`);
  const summaryEl = w.session.webview().locator('[data-testid="summary"]');
  assert.equal(await summaryEl.locator(`[data-testid="retry-mark"]`).count(), 1, 'one ↻ mark in the summary');
  assert.match((await summaryEl.locator(`[data-testid="delivered"][data-backend-id="${decId}"]`).textContent()) ?? '', /✗ HTTP 500/);
  assert.ok(stateText.length < 2000 && !stateText.includes('upstream exploded</p><p>'), 'the 200 KB HTML body is not dumped into the column');
  const closedReq = await w.closed.chatRequests();
  assert.equal(closedReq.length, 2, 'one 429 then one successful retry');
  assert.ok(closedReq[1]!.receivedAtMs - closedReq[0]!.receivedAtMs >= 180, 'the retry waited for Retry-After');
  await w.session.screenshot('scenario-2-errors');
  await assertKeysNowhere(w, `${decId} #1: http_error`, 'Recovered after one 429');
}

const slowText = words(60, 'slow');

async function scenarioCancel(w: World): Promise<void> {
  await arrange(w, { text: slowText, ttftMs: 100, chunkIntervalMs: 250 }, { text: slowText, ttftMs: 300, chunkIntervalMs: 300 });
  await rerunLast(w);
  await poll(async () => (await rawText(w, closedId)).length > 0 && (await rawText(w, decId)).length > 0, {
    what: 'both columns streaming some text',
    timeoutMs: 20_000,
  });
  await w.session.webview().locator('[data-testid="action-cancel"]').click();
  const statuses = await waitForFinal(w, [closedId, decId], 15_000);
  assert.deepEqual(statuses, { [closedId]: 'cancelled', [decId]: 'cancelled' });
  await poll(async () => /Cancelled/.test((await w.session.webview().locator('[data-testid="run-status"]').textContent({ timeout: 1000 })) ?? ''), {
    what: 'the run header saying Cancelled',
  });
  assert.equal(await column(w, closedId).locator('[data-testid="metric-ttft"] .badge').textContent(), 'partial', 'a cancelled column’s figures are partial');
  for (const id of [closedId, decId]) {
    const partial = await rawText(w, id);
    assert.ok(partial.length > 0, `${id}: partial text kept`);
    assert.ok(slowText.startsWith(partial), `${id}: partial text is a prefix of what was sent: ${partial}`);
    assert.ok(partial.length < slowText.length, `${id}: stream was cut short`);
  }
}

const insertCode = ['export const inserted = 42;', 'export const doubled = inserted * 2;'].join('\n');
const insertProse = 'Add these two constants below the function:';
const insertExplanation = 'Both are exported, so other modules can import them.';
/** A realistic answer: prose, a fenced code block, an explanation. Insert must take only the code. */
const insertAnswer = [insertProse, '', '```ts', insertCode, '```', '', insertExplanation].join('\n');

async function scenarioInsertAndDiff(w: World): Promise<void> {
  await arrange(w, { text: insertAnswer, ttftMs: 50, chunkIntervalMs: 10 }, { text: '// decentralized variant', ttftMs: 50 });
  await compareSelectionInSample(w);
  assert.deepEqual(await waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  const file = path.join(w.session.dirs.workspace, 'sample.ts');
  assert.equal(fs.readFileSync(file, 'utf8'), sampleSource);
  await column(w, closedId).locator('[data-testid="action-insert"]').click();
  // The document (not yet saved) as the editor shows it; Monaco renders spaces as U+00A0.
  const lines = w.session.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines');
  const after = await poll(
    async () => {
      const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
      return text.includes('export const inserted = 42;') ? text : false;
    },
    { what: 'the inserted code in sample.ts', timeoutMs: 15_000 },
  );
  assert.ok(after.includes('return n < 2 ? n : fib(n - 1) + fib(n - 2);'), `the original code stays: ${after}`);
  await poll(async () => (await w.session.page.locator('.tab.dirty', { hasText: 'sample.ts' }).count()) > 0, { what: 'sample.ts marked modified' });
  // Save, then compare the file byte for byte: exactly the code block went in — no fences, no prose.
  await w.session.runCommand('File: Save');
  // A save truncates the file before writing it: wait for the written text, not for any change.
  const saved = await poll(
    () => {
      const text = fs.readFileSync(file, 'utf8');
      return text !== sampleSource && text.includes('export const inserted = 42;') ? text : false;
    },
    { what: 'sample.ts saved with the insertion' },
  );
  assert.ok(!saved.includes('```'), `no code fence was inserted:\n${saved}`);
  assert.ok(!saved.includes(insertProse) && !saved.includes(insertExplanation), `no prose was inserted:\n${saved}`);
  assert.ok([sampleSource + insertCode, `${sampleSource + insertCode}\n`].includes(saved), `sample.ts is the original plus exactly the code:\n${saved}`);

  await column(w, closedId).locator('[data-testid="action-diff-selection"]').click();
  await poll(
    async () =>
      (await w.session.page.locator('.monaco-diff-editor').first().isVisible()) ||
      (await w.session.page.locator('.tab', { hasText: '↔' }).count()) > 0,
    { what: 'a diff editor', timeoutMs: 15_000 },
  );
}

async function scenarioHostile(w: World): Promise<void> {
  const host = w.hostileCanary.origin;
  const hostile = [
    '# Totally normal answer',
    `<script>window.__pwned = 'script'; alert('script'); fetch('${host}/script')</script>`,
    `<img src="${host}/img-tag.png" onerror="window.__pwned='onerror'; alert('onerror')">`,
    `![remote image](${host}/markdown-image.png)`,
    `[javascript link](javascript:window.__pwned='js-link';alert('js'))`,
    `[command link](command:workbench.action.closeWindow)`,
    `<iframe src="${host}/iframe"></iframe>`,
    `<a href="${host}/anchor" onclick="window.__pwned='onclick'">plain anchor</a>`,
    `<svg onload="window.__pwned='svg'"><image href="${host}/svg-image.png"/></svg>`,
    `<style>@import url('${host}/style.css'); body { background: url('${host}/bg.png') }</style>`,
    '```html',
    `<script>window.__pwned='code-block'</script>`,
    '```',
    ...hostileAnswers.map((a) => a.text),
  ].join('\n\n');
  await arrange(w, { text: hostile, ttftMs: 20, chunkIntervalMs: 2, tokensPerChunk: 4 }, { text: 'A harmless reply.', ttftMs: 20 });
  const dialogsBefore = w.session.dialogs.length;
  const requestsBefore = w.session.pageRequests.length;
  await rerunLast(w);
  assert.deepEqual(await waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  assert.equal(await rawText(w, closedId), hostile, 'raw text is exactly what was streamed');

  const rendered = column(w, closedId).locator('[data-testid="column-text"]');
  for (const tag of ['script', 'img', 'iframe', 'svg image', 'style', 'object', 'embed']) {
    assert.equal(await rendered.locator(tag).count(), 0, `no <${tag}> in the rendered answer`);
  }
  const hrefs = await rendered.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) assert.doesNotMatch(href, /^\s*(javascript|command|data|vbscript):/i, `dangerous href ${href}`);
  const handlers = await rendered.evaluate((el) =>
    Array.from(el.querySelectorAll('*')).flatMap((n) => Array.from(n.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${n.tagName}.${a.name}`)),
  );
  assert.deepEqual(handlers, [], 'no inline event handlers');
  assert.ok((await rendered.innerText()).includes('Totally normal answer'));

  // Clicking the would-be links must not run anything either.
  for (const name of ['javascript link', 'command link', 'plain anchor']) {
    const link = rendered.getByText(name, { exact: true });
    if ((await link.count()) > 0) await link.first().click({ timeout: 2000 }).catch(() => undefined);
  }
  await w.session.page.keyboard.press('Escape'); // closes a link confirmation, if one opened
  const frame = await w.session.webviewFrame();
  assert.equal(await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, 'no payload ran');
  assert.deepEqual(w.session.dialogs.slice(dialogsBefore), [], 'no alert/confirm dialog fired');
  const leaked = w.session.pageRequests.slice(requestsBefore).filter((u) => u.startsWith(host) || u.includes('evil.example'));
  assert.deepEqual(leaked, [], 'no request to the hostile host left the page');
  assert.deepEqual(w.hostileCanary.hits, [], 'the hostile host saw no request');
}

async function scenarioLinkConfirm(w: World): Promise<void> {
  const url = `${w.hostileCanary.origin}/docs`;
  const answer = `Details are in the [docs](${url}) of the project.`;
  await arrange(w, { text: answer, ttftMs: 20 }, { text: 'No links in this one.', ttftMs: 20 });
  const requestsBefore = w.session.pageRequests.length;
  await rerunLast(w);
  assert.deepEqual(await waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  const link = column(w, closedId).locator('[data-testid="column-text"] .md-link', { hasText: 'docs' });
  assert.equal(await link.getAttribute('data-href', { timeout: 5000 }), url);
  assert.equal(await link.getAttribute('href'), null, 'the link has no href the webview could follow');
  await link.click();
  const dialog = w.session.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  const shown = await dialog.innerText();
  assert.ok(shown.includes(new URL(url).host) && shown.includes(url), `the confirmation shows the URL: ${shown}`);
  assert.deepEqual(w.hostileCanary.hits, [], 'nothing was opened before the user confirmed');
  await dialog.locator('.monaco-button', { hasText: /^\s*Cancel\s*$/ }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  // The panel still answers (a round trip through it) and the link's host was never contacted.
  assert.equal(await columnStatus(w, closedId), 'ok');
  assert.deepEqual(w.hostileCanary.hits, [], 'cancelling the confirmation opened nothing');
  assert.deepEqual(
    w.session.pageRequests.slice(requestsBefore).filter((u) => u.startsWith(w.hostileCanary.origin)),
    [],
    'no page request went to the link',
  );
}

const wsText = 'Answer from the user-configured closed API.';
const wsDecText = 'Answer from the user-configured decentralized endpoint.';

async function scenarioWorkspaceSettingsIgnored(w: World): Promise<void> {
  await arrange(w, { text: wsText, ttftMs: 20 }, { text: wsDecText, ttftMs: 20 });
  await w.workspaceCanary.clearRequests();
  await w.session.openFile('sample.ts');
  // The workspace settings file was read (its editor.tabSize shows in the status bar)…
  await w.session.page.locator('.statusbar-item', { hasText: 'Spaces: 3' }).first().waitFor({ timeout: 15_000 });
  await w.session.selectAllInEditor();
  await startRun(w, () => w.session.runCommand('Bakeoff: Compare Selection'));
  assert.deepEqual(await waitForFinal(w, [closedId, decId]), { [closedId]: 'ok', [decId]: 'ok' });
  // …but its bakeoff.backends were not: the run went to the user's servers with their keys.
  assert.equal(await rawText(w, closedId), wsText);
  assert.equal(await rawText(w, decId), wsDecText);
  assert.equal(await column(w, 'ws-only').count(), 0, 'a backend defined only in the workspace is not shown');
  const closedReq = await w.closed.chatRequests();
  assert.equal(closedReq.length, 1);
  assert.equal(closedReq[0]!.headers.authorization, `Bearer ${closedKey}`);
  const canary = await w.workspaceCanary.requests();
  assert.deepEqual(canary.map((r) => `${r.method} ${r.path}`), [], 'the workspace-configured host was contacted');
}

async function scenarioReload(w: World): Promise<void> {
  const expected = { ...w.lastTexts };
  await w.session.reloadWindow();
  const tab = w.session.page.locator('.tab', { hasText: /^\s*Bakeoff/ });
  await tab.first().waitFor({ timeout: 45_000 });
  await poll(async () => {
    // The restored panel may sit behind another editor of its group; bring it to front like a user would.
    if ((await column(w, closedId).count()) === 0 && !(await tab.first().getAttribute('class'))?.includes('active')) await tab.first().click();
    return (await column(w, closedId).count()) === 1 && (await column(w, decId).count()) === 1;
  }, {
    what: 'the panel restored with both columns',
    timeoutMs: 45_000,
    intervalMs: 300,
  });
  for (const id of [closedId, decId]) {
    await poll(async () => (await rawText(w, id)) === expected[id], { what: `restored text of ${id}`, timeoutMs: 15_000 });
    assert.equal(await columnStatus(w, id), 'ok');
  }
}

/** Reads the user settings.json as the editor wrote it (undefined while it is mid-write). */
function readUserSettings(w: World): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(w.session.userSettingsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** In the open Choose Backends… pick, checks exactly the configured backends in `wanted`, then accepts. */
async function chooseOnly(w: World, wanted: string[], all: string[], order: string | readonly string[] = []): Promise<void> {
  const leading: readonly string[] = typeof order === 'string' ? [order] : order;
  const page = w.session.page;
  await w.session.runCommand('Bakeoff: Choose Backends…');
  const widget = page.locator('.quick-input-widget');
  for (const label of all) {
    const row = widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name').getByText(label, { exact: true }) });
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const checked = async () => (await row.getAttribute('aria-checked')) === 'true';
    const want = wanted.includes(label);
    if ((await checked()) !== want) {
      await row.locator('.quick-input-list-checkbox, input[type="checkbox"], .monaco-custom-toggle').first().click();
      await poll(async () => (await checked()) === want, { what: `${label} ${want ? 'checked' : 'unchecked'}`, timeoutMs: 5000 });
    }
  }
  const states = await widget.locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((r) => `${r.querySelector('.label-name')?.textContent?.trim() ?? '?'}=${r.getAttribute('aria-checked')}`),
  );
  for (const label of all) {
    assert.ok(states.includes(`${label}=${wanted.includes(label)}`), `Choose Backends rows before accepting: ${states.join(', ')}`);
  }
  await widget.locator('input.input').press('Enter');
  // With two or more picked, the column order is asked next, one column at a time: keep the
  // order, or put one first (then keep the rest as they are).
  const keep = widget.locator('.monaco-list-row', { hasText: 'Keep this order' });
  for (let step = 1; ; step++) {
    // (The widget hides for a moment between steps: "closed" only after it stayed hidden.)
    let hiddenFor = 0;
    const next = await poll(
      async () => {
        if ((await keep.count()) > 0 && (await keep.first().isVisible()) && (await widget.innerText()).includes(`column order (${step} of`)) return 'order';
        hiddenFor = (await widget.isVisible()) ? 0 : hiddenFor + 1;
        return hiddenFor >= 8 ? 'closed' : false;
      },
      { what: `column order step ${step} or the end`, intervalMs: 150 },
    );
    if (next !== 'order') break;
    const name = leading[step - 1];
    if (name) await w.session.pickQuickItem(`${name} ${step === 1 ? 'first' : 'next'}`);
    else await widget.locator('input.input').press('Enter');
  }
  await poll(async () => !(await widget.isVisible()), { what: 'Choose Backends to close' });
}

const ollamaBaseUrl = 'http://localhost:11434/v1';

async function scenarioBackendManagement(w: World): Promise<void> {
  const page = w.session.page;
  const input = page.locator('.quick-input-widget input.input');

  // (a) Add Backend… → Ollama → default model (its /models is unreachable here, so typed): written to the user settings on disk.
  await w.session.runCommand('Bakeoff: Add Backend…');
  await w.session.pickQuickLabel('Ollama (local)', 'Ollama');
  await poll(async () => (await input.inputValue({ timeout: 1000 })) === 'llama3.1:8b', { what: 'the model box with the preset default' });
  await input.press('Enter');
  const added = await poll(
    () => {
      const backends = readUserSettings(w)?.['bakeoff.backends'];
      return Array.isArray(backends) ? (backends as Array<Record<string, unknown>>).find((b) => b.baseUrl === ollamaBaseUrl) : false;
    },
    { what: `a bakeoff.backends entry with baseUrl ${ollamaBaseUrl} in settings.json` },
  );
  assert.equal(added.model, 'llama3.1:8b');
  assert.equal(added.kind, 'local');
  const ollamaLabel = typeof added.label === 'string' ? added.label : String(added.id);
  // A local backend gets no key prompt; nothing may be left waiting for input.
  await poll(async () => !(await input.isVisible()), { what: 'no key prompt for a local backend' });
  // A third backend is not slipped into every comparison: the two chosen ones stay.
  await page.locator('.notification-toast', { hasText: /added Ollama.*Pick it in Choose Backends/ }).first().waitFor({ timeout: 10_000 });
  assert.equal(await statusBarText(w), 'Bakeoff: Closed API vs Decentral Net', 'the new backend is not chosen on its own');
  await clearNotifications(w);

  // (b) Choose Backends… → only the closed API → the status bar names just it; then back to both.
  const all = ['Closed API', 'Decentral Net', ollamaLabel];
  await chooseOnly(w, ['Closed API'], all);
  await poll(async () => (await statusBarText(w)) === 'Bakeoff: Closed API', { what: 'the status bar naming only Closed API' });
  await chooseOnly(w, ['Closed API', 'Decentral Net'], all);
  await poll(async () => (await statusBarText(w)) === 'Bakeoff: Closed API vs Decentral Net', { what: 'the status bar naming both backends again' });

  // (c) Test Backends → a report naming each chosen backend as reachable.
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);
  await w.session.runCommand('Bakeoff: Test Backends');
  const reportText = await poll(
    async () => {
      const texts = await Promise.all(
        page.frames().map((f) => f.evaluate(() => (document.body as HTMLElement | null)?.innerText ?? '').catch(() => '')),
      );
      return texts.find((t) => t.includes('backend check') && t.includes('Reachable')) ?? false;
    },
    { what: 'the backend check report', timeoutMs: 30_000, intervalMs: 250 },
  );
  for (const [label, kind, model] of [
    ['Closed API', 'closed', closedModel],
    ['Decentral Net', 'decentralized', decModel],
  ]) {
    const row = new RegExp(`${label}[\\s|]+${kind}[\\s|]+${model}[\\s|]+yes`);
    assert.match(reportText, row, `the report shows ${label} as reachable:\n${reportText}`);
  }
  assert.ok(!reportText.includes(ollamaLabel), 'a backend that is not chosen is not tested');
  assert.ok((await w.closed.requests()).length > 0 && (await w.dec.requests()).length > 0, 'both backends were contacted');
  const previewTab = page.locator('.tab', { hasText: 'Backend check' }).first();
  if ((await previewTab.count()) > 0) {
    await previewTab.click();
    await w.session.runCommand('View: Close Editor');
    await poll(async () => (await previewTab.count()) === 0, { what: 'the report to close' });
  }
  await clearNotifications(w);

  // (d) Clear API Key… → Decentral Net. A comparison asks for the missing key right there,
  // naming the origin it will be bound to; dismissed, the column says why and offers Set API
  // Key, whose button stores the key and runs that backend again (the other column stays).
  await w.session.runCommand('Bakeoff: Clear API Key…');
  await w.session.pickQuickLabel('Decentral Net');
  await arrange(w, { text: 'Closed still answers.', ttftMs: 20 }, { text: 'Decentral answers once its key is set.', ttftMs: 20 });
  // (The reload of scenario 7 restarted the extension host, so there is no "last run" to repeat.)
  await compareSelectionInSample(w);
  await poll(async () => (await input.getAttribute('type')) === 'password', { what: 'the key prompt of the comparison', timeoutMs: 15_000 });
  const promptText = await page.locator('.quick-input-widget').innerText();
  assert.match(promptText, /API key for Decentral Net/, `the prompt names the backend: ${promptText}`);
  assert.ok(promptText.includes(w.dec.origin), `the prompt names the origin the key is bound to: ${promptText}`);
  await page.keyboard.press('Escape');
  const statuses = await waitForFinal(w, [closedId, decId]);
  assert.equal(statuses[closedId], 'ok');
  assert.equal(statuses[decId], 'not_sent');
  for (const name of ['ttft', 'total', 'input', 'output', 'cost']) {
    const m = column(w, decId).locator(`[data-testid="metric-${name}"]`);
    assert.equal(await m.getAttribute('data-value'), '', `${name}: nothing measured for a request never sent`);
    assert.equal(await m.locator('.badge').textContent(), 'not sent', `${name}: badge`);
  }
  assert.match(
    (await w.session.webview().locator(`[data-testid="summary"] [data-testid="delivered"][data-backend-id="${decId}"]`).textContent()) ?? '',
    /not sent: no key/,
  );
  const stateText = await column(w, decId).locator('[data-testid="state"]').innerText();
  assert.match(stateText, /No API key is set for Decentral Net/, `the column names the missing key: ${stateText}`);
  assert.doesNotMatch(stateText, /environment variable/i, 'no advice about environment variables in the editor');
  assert.equal((await w.dec.chatRequests()).length, 0, 'nothing was sent without a key');
  const closedRequests = (await w.closed.chatRequests()).length;
  const fixButton = column(w, decId).locator('[data-testid="fix-setApiKey"]');
  await fixButton.click();
  await poll(async () => (await input.getAttribute('type')) === 'password', { what: 'the Set API Key box opened by the column', timeoutMs: 15_000 });
  await w.session.answerInputBox(decKey);
  await poll(async () => (await columnStatus(w, decId)) === 'ok', { what: 'Decentral Net answering after its key was set', timeoutMs: 30_000 });
  assert.equal(await rawText(w, decId), 'Decentral answers once its key is set.');
  assert.equal(await columnStatus(w, closedId), 'ok', 'the other column stays');
  assert.equal((await w.closed.chatRequests()).length, closedRequests, 'only the fixed backend ran again');
  assert.equal((await w.dec.chatRequests())[0]!.headers.authorization, `Bearer ${decKey}`);
  await clearNotifications(w);
}

async function scenarioStatusBarAtStartup(w: World): Promise<void> {
  const text = await poll(async () => (await statusBarText(w)) || false, { what: 'the Bakeoff status-bar item', timeoutMs: 30_000 });
  assert.equal(text, 'Bakeoff: Closed API vs Decentral Net', 'the status bar names the configured backends');
}

/**
 * A backend set to `tls.insecure` shows the red *unverified TLS* badge on every one of its
 * numbers, and only there. Runs in its own editor session started with that user setting (the
 * editor does not pick up a settings.json rewritten behind its back).
 */
async function scenarioUnverifiedTls(w: World): Promise<void> {
  assert.ok(w.vsix, 'the packaged extension');
  await arrange(w, { text: closedText1, usage: 'always' }, { text: decText1, usage: 'always' });
  const backends = [
    { id: closedId, label: 'Closed API', kind: 'local', baseUrl: w.closed.baseUrl, model: closedModel, pricing: { type: 'free' } },
    { id: decId, label: 'Decentral Net', kind: 'local', baseUrl: w.dec.baseUrl, model: decModel, pricing: { type: 'free' }, tls: { insecure: true } },
  ];
  const session = await EditorSession.start({
    name: 'tls-badge',
    vsix: w.vsix,
    userSettings: { 'bakeoff.backends': backends },
    workspaceFiles: { 'sample.ts': sampleSource },
  });
  try {
    const w2: World = { ...w, session };
    await compareSelectionInSample(w2);
    // No keys in this session: the fixture servers answer 401, which is a finished column too.
    const finished = (status: string | null) => status === 'ok' || status === 'http_error';
    await poll(async () => finished(await columnStatus(w2, decId)) && finished(await columnStatus(w2, closedId)), {
      what: 'both columns to finish',
      timeoutMs: 60_000,
    });
    const metrics = await column(w2, decId).locator('.metric').count();
    assert.ok(metrics >= 5, `metrics in the column: ${metrics}`);
    const badges = column(w2, decId).locator('[data-testid="badge-insecure"]');
    assert.equal(await badges.count(), metrics, 'every number carries the badge');
    assert.equal(await column(w2, closedId).locator('[data-testid="badge-insecure"]').count(), 0, 'a verified backend carries none');
    assert.equal(await badges.first().textContent(), 'unverified TLS');
    const color = await badges.first().evaluate((el) => getComputedStyle(el).color);
    const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
    assert.ok(r! > 150 && r! > g! + 50 && r! > b! + 50, `the badge is red (${color})`);
    await session.screenshot('scenario-9-unverified-tls');
  } finally {
    await session.close();
  }
}

const scenarios: Array<[string, (w: World) => Promise<void>]> = [
  ['1 compare selection: both columns stream, metrics, cost and ratios', scenarioCompare],
  ['2 429 retried while a 500 HTML page shows a typed error', scenarioErrors],
  ['3 cancel keeps partial text', scenarioCancel],
  ['4 insert at cursor and diff with selection', scenarioInsertAndDiff],
  ['5 hostile answer renders as inert text', scenarioHostile],
  ['5b a link opens only after a confirmation showing its URL', scenarioLinkConfirm],
  ['6 workspace settings cannot redirect a backend', scenarioWorkspaceSettingsIgnored],
  ['7 reload restores the panel', scenarioReload],
  ['8 backend management: add from preset, choose, test, clear a key', scenarioBackendManagement],
  ['9 a backend with tls.insecure shows the unverified TLS badge on every number', scenarioUnverifiedTls],
  ...panelScenarios<World>({
    ids: { closedId, decId, closedModel, decModel, closedKey, decKey },
    column,
    startRun,
    waitForFinal,
    arrange,
    compareSelectionInSample,
    rerunLast,
    clearNotifications,
    setKey,
    chooseOnly,
    statusBarText,
  }),
  ['19 history: runs kept as they go, a corrupt line skipped, a past run reopened after a reload without sending, re-run, side by side, delete; Backends view Test action', (w) => scenarioHistory(w, sessionBackends)],
  ['20 blind A/B: answers shown together, names hidden until the vote, the vote stored in the battle schema, leaderboard with ratings, votes exported, a vote left pending resumed from the History view', (w) => scenarioBlind(w, sessionBackends)],
  ['22 suite run and report: plan and cost confirmed, progress, matrix with filters, a cell with its exact request, summary, claims and charts, HTML export, history, back after a reload', (w) => scenarioSuite(w, sessionBackends)],
  ['21 demo from a fresh profile: the "no backends" message starts it, stand-ins labelled everywhere, stopped with the panel, first walkthrough step', scenarioDemo],
];

// ---------- setup ----------

function packageVsix(): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bakeoff-vsix-')), 'bakeoff.vsix');
  execFileSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  return out;
}

async function startHostileCanary(): Promise<World['hostileCanary']> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('canary');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function setKey(session: EditorSession, label: string, key: string): Promise<void> {
  await session.runCommand('Bakeoff: Set API Key…');
  await session.pickQuickItem(label);
  const input = session.page.locator('.quick-input-widget input.input');
  await poll(async () => (await input.getAttribute('type')) === 'password', { what: 'the password box', timeoutMs: 10_000 });
  await session.answerInputBox(key);
  await poll(async () => !(await session.page.locator('.quick-input-widget').isVisible()), { what: 'the key prompt to close' });
}

async function main(): Promise<number> {
  const vsix = process.env.BAKEOFF_VSIX ?? packageVsix();
  const outcomes: TestOutcome[] = [];
  const hostileCanary = await startHostileCanary();
  const started: FixtureProcess[] = [];
  let session: EditorSession | undefined;
  let failedAny = false;
  try {
    const [closed, dec, workspaceCanary] = await Promise.all([
      FixtureProcess.start('closed', {}, closedKey),
      FixtureProcess.start('decentralized', {}, decKey),
      FixtureProcess.start('workspace-canary', {}),
    ]);
    started.push(closed, dec, workspaceCanary);
    const userBackends = [
      {
        id: closedId,
        label: 'Closed API',
        kind: 'closed',
        baseUrl: closed.baseUrl,
        model: closedModel,
        pricing: { type: 'perToken', ...closedPrices, source: 'e2e test prices', asOf: '2025-01-01' },
      },
      {
        id: decId,
        label: 'Decentral Net',
        kind: 'decentralized',
        baseUrl: dec.baseUrl,
        model: decModel,
        pricing: { type: 'perToken', ...decPrices, source: 'e2e test prices', asOf: '2025-01-01' },
      },
    ];
    const workspaceSettings = {
      'editor.tabSize': 3,
      'editor.detectIndentation': false,
      'bakeoff.backends': [
        { ...userBackends[0], baseUrl: workspaceCanary.baseUrl },
        { ...userBackends[1], baseUrl: workspaceCanary.baseUrl },
        { id: 'ws-only', kind: 'gateway', baseUrl: workspaceCanary.baseUrl, model: 'x' },
      ],
    };
    session = await EditorSession.start({
      name: 'scenarios',
      vsix,
      userSettings: { 'bakeoff.backends': userBackends },
      workspaceFiles: { 'sample.ts': sampleSource, '.vscode/settings.json': JSON.stringify(workspaceSettings, null, 2) },
    });
    const world: World = { session, closed, dec, workspaceCanary, hostileCanary, lastTexts: {}, vsix };
    const runOne = async (name: string, fn: (w: World) => Promise<void>): Promise<void> => {
      const t0 = Date.now();
      try {
        await fn(world);
        outcomes.push({ name, ok: true, durationMs: Date.now() - t0 });
        console.log(`ok - ${name} (${Date.now() - t0} ms)`);
      } catch (err) {
        failedAny = true;
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        outcomes.push({ name, ok: false, error: message, durationMs: Date.now() - t0 });
        console.log(`not ok - ${name}\n${message.split('\n').slice(0, 6).map((l) => `    ${l}`).join('\n')}`);
        const slug = `failure-scenario-${name.split(' ')[0]}`;
        await session!.screenshot(slug).catch(() => undefined);
        await session!.page.keyboard.press('Escape').catch(() => undefined);
      }
    };
    // Before any Bakeoff command runs: the extension activates on startup and shows its item.
    await runOne('0 status bar names the backends from startup, before any command', scenarioStatusBarAtStartup);
    await setKey(session, 'Closed API', closedKey);
    await setKey(session, 'Decentral Net', decKey);
    await session.runCommand('View: Close Primary Side Bar');

    const only = process.env.BAKEOFF_E2E_ONLY?.split(',').map((s) => s.trim());
    for (const [name, fn] of scenarios) {
      if (only && !only.includes(name.split(' ')[0]!)) continue;
      await runOne(name, fn);
    }
  } catch (err) {
    failedAny = true;
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    outcomes.push({ name: 'e2e setup', ok: false, error: message, durationMs: 0 });
    console.log(`not ok - e2e setup\n    ${message.split('\n').slice(0, 12).join('\n    ')}`);
    await session?.screenshot('failure-setup').catch(() => undefined);
  } finally {
    if (failedAny && session) console.log(`logs kept in ${path.relative(repoRoot, session.saveLogs('e2e'))}`);
    await session?.close();
    await Promise.all(started.map((f) => f.stop()));
    await hostileCanary.close();
  }
  if (failedAny) console.log(`screenshots in ${path.relative(repoRoot, testResultsDir)}/`);
  reportOutcomes(outcomes);
  return failedAny ? 1 : 0;
}

runAsEntry(main, 'e2e runner');
