/**
 * End-to-end scenario of a suite run in the editor: a seeded long-context suite (written into
 * the workspace) run with Run Suite… against the two fixture backends — one reading the whole
 * prompt, one only its last tokens — the plan confirmed, the report panel checked (summary,
 * Claims, charts, matrix with its filters, a cell in full with its exact request), an HTML
 * export, the run in the History view, and the panel back after a window reload.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { longContextItems, longContextSuite, parseLengths, type LongContextOptions } from '../../src/core/tasks/longctx';
import { suiteToYaml } from '../../src/core/tasks/suite';
import { poll, repoRoot, type EditorSession } from './harness';
import { historyFile, shootPanel, shootVariants, showBakeoffView, type ScenarioContext, type SessionBackends } from './historyArenaDemo';

const updatePictures = process.env.BAKEOFF_UPDATE_SCREENSHOT === '1';

async function suiteFrame(session: EditorSession): Promise<Frame> {
  return poll(
    async () => {
      for (const frame of session.page.frames()) {
        if (!frame.url().includes('active-frame') && !frame.url().includes('fake.html')) continue;
        if (await frame.evaluate(() => document.querySelector('[data-testid="suite-title"]') !== null).catch(() => false)) return frame;
      }
      return false;
    },
    { what: 'the suite report panel', timeoutMs: 60_000, intervalMs: 250 },
  );
}

export async function scenarioSuite(w: ScenarioContext, b: SessionBackends): Promise<void> {
  const { session } = w;
  const page = session.page;
  const options: LongContextOptions = { seed: 3, n: 2, lengths: parseLengths('1k,2k'), families: ['needle'], maxTokens: 64 };
  const tests = [...longContextItems(options)];
  const suiteFile = path.join(session.dirs.workspace, 'longctx-suite.yaml');
  fs.writeFileSync(suiteFile, suiteToYaml(longContextSuite(options, tests)));
  // The closed stand-in reads the whole prompt; the decentralized one only its last 1,300 tokens.
  await w.closed.setSchedule(b.closed.model, { answerer: { type: 'perfect' }, usage: 'always' });
  await w.dec.setSchedule(b.dec.model, { answerer: { type: 'windowed', windowTokens: 1300 }, usage: 'always', ttftMs: 150 });
  await Promise.all([w.closed.clearRequests(), w.dec.clearRequests()]);

  await session.runCommand('Bakeoff: Run Suite…');
  await session.pickQuickItem('longctx-suite.yaml');
  // The backends: the chosen ones, already checked.
  const widget = page.locator('.quick-input-widget');
  // The backend step replaces the file step in the same widget: wait for its title, then for its
  // rows (the list is filled a moment after the title changes).
  await poll(async () => ((await widget.locator('.quick-input-title').innerText({ timeout: 1000 }).catch(() => '')).includes('Run Suite: backends')), {
    what: 'the Run Suite backend step',
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  await poll(async () => (await widget.locator('.monaco-list-row[aria-checked="true"]', { hasText: b.dec.label }).count()) > 0, {
    what: `the checked ${b.dec.label} row`,
    timeoutMs: 15_000,
    intervalMs: 200,
  });
  assert.equal(await widget.locator('.monaco-list-row[aria-checked="true"]').count(), 2, 'both chosen backends are checked');
  await widget.locator('input.input').press('Enter');
  // The plan, with its estimated cost, before anything is sent.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  const plan = await dialog.innerText();
  assert.match(plan, /4 tests × 2 backends × 1 trial = 8 requests/, plan);
  assert.match(plan, /Estimated cost ≤ \$/, plan);
  assert.equal((await w.closed.chatRequests()).length + (await w.dec.chatRequests()).length, 0, 'nothing sent before the confirmation');
  await dialog.locator('.monaco-button', { hasText: /^Run$/ }).click();

  const frame = await suiteFrame(session);
  await poll(async () => (await frame.locator('[data-testid="suite-status"]').innerText({ timeout: 1000 })).includes('Finished'), { what: 'the suite run to finish', timeoutMs: 120_000, intervalMs: 500 });
  assert.equal((await w.closed.chatRequests()).length, 4);
  assert.equal((await w.dec.chatRequests()).length, 4);

  // Summary (the CLI's cells), Claims, charts.
  const summary = await frame.locator('[data-testid="suite-summary"] tbody tr').allInnerTexts();
  assert.equal(summary.length, 2);
  assert.match(summary[0]!, new RegExp(`^${b.closed.label}`));
  assert.match(summary[0]!, /4\/4/, `the closed backend passes every test: ${summary[0]}`);
  assert.ok((await frame.locator('[data-testid="claim-verdict"]').count()) > 0, 'the Claims table');
  for (const chart of ['chart-pass-rate', 'chart-ttft', 'chart-total', 'chart-length']) {
    assert.ok((await frame.locator(`[data-testid="${chart}"] svg`).count()) === 1, `${chart} is drawn`);
  }

  // The matrix: 4 tests × 2 backends; the windowed backend fails at 2k.
  const rows = frame.locator('[data-testid="matrix-row"]');
  assert.equal(await rows.count(), 4);
  const verdicts = await frame.locator(`[data-testid="matrix-cell"][data-backend="${b.dec.id}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
  assert.deepEqual(verdicts.slice(0, 2), ['pass', 'pass'], `the 1k tests fit the short window: ${verdicts}`);
  assert.ok(verdicts.slice(2).includes('fail'), `a 2k test does not: ${verdicts}`);
  const failing = verdicts.filter((v) => v === 'fail').length;
  await frame.locator('[data-testid="filter-failuresOnly"]').check();
  await poll(async () => (await frame.locator('[data-testid="matrix-row"]').count()) === failing, { what: 'only the rows with a failure' });
  await frame.locator('[data-testid="filter-failuresOnly"]').uncheck();
  await frame.locator('[data-testid="filter-answersDiffer"]').check();
  await poll(async () => (await frame.locator('[data-testid="matrix-row"]').count()) >= failing && (await frame.locator('[data-testid="matrix-row"]').count()) < 4, { what: 'only the rows whose answers differ' });
  await frame.locator('[data-testid="filter-answersDiffer"]').uncheck();

  // A failing cell in full.
  await frame.locator(`[data-testid="matrix-cell"][data-backend="${b.dec.id}"][data-verdict="fail"]`).first().click();
  await frame.locator('[data-testid="detail-grade"]').waitFor({ timeout: 15_000 });
  assert.match(await frame.locator('[data-testid="detail-grade"]').innerText(), /^Failed/);
  assert.ok((await frame.locator('[data-testid="assertion"]').count()) > 0, 'its assertion results');
  const request = await frame.locator('[data-testid="detail-request"] pre').textContent();
  const sent = JSON.parse(request ?? '{}') as { url: string; headers: Record<string, string>; body: { model: string; messages: Array<{ content: string }> } };
  assert.equal(sent.body.model, b.dec.model);
  assert.ok(sent.body.messages[0]!.content.includes('special magic number'), 'the exact prompt');
  assert.equal(sent.headers.authorization, 'Bearer ***', 'the key is redacted');
  assert.ok(!fs.readFileSync(historyFile(session), 'utf8').includes(b.dec.key), 'no key in the history');
  await frame.locator('[data-testid="detail-request"] summary').click();
  await frame.locator('[data-testid="cell-detail"]').scrollIntoViewIfNeeded();
  await session.screenshot('scenario-22-suite-cell');
  await frame.evaluate(() => window.scrollTo(0, 0));
  const shots = await shootVariants(session, 'scenario-22-suite');
  assert.ok(shots['light-1280x720']);
  if (updatePictures) {
    // The README's picture: the charts, then the start of the matrix.
    await shootPanel(session, '[data-testid="suite-title"]', path.join(repoRoot, 'media', 'suite-report.png'), async () => {
      await frame.evaluate(() => document.querySelector('[data-testid="charts-section"]')?.scrollIntoView({ block: 'start' }));
      await new Promise((r) => setTimeout(r, 300));
    });
  }

  // Export: the HTML report bakeoff run --output writes.
  const exported = path.join(session.dirs.workspace, 'suite-report-e2e.html');
  await frame.locator('[data-testid="suite-export-html"]').click();
  const input = page.locator('.quick-input-widget input.input');
  await poll(async () => /\.html$/.test(await input.inputValue({ timeout: 1000 })), { what: 'the save dialog proposing a .html file' });
  await input.fill(exported);
  await input.press('Enter');
  const html = await poll(() => (fs.existsSync(exported) ? fs.readFileSync(exported, 'utf8') : false), { what: 'the exported HTML' });
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.ok(html.includes(b.closed.label) && html.includes('<svg'), 'the report with its charts');
  await session.runCommand('Notifications: Clear All Notifications');

  // In the History view; back after a reload.
  await showBakeoffView(session);
  const row = page.locator('.monaco-list[aria-label="History"] .monaco-list-row[aria-level="2"]', { hasText: 'Suite:' }).first();
  await row.waitFor({ timeout: 15_000 });
  assert.match((await row.getAttribute('aria-label')) ?? '', /\d+\/8 passed$/);
  await session.reloadWindow();
  const revived = await suiteFrame(session);
  await poll(async () => (await revived.locator('[data-testid="suite-status"]').innerText({ timeout: 1000 })).includes('Finished'), { what: 'the report back after the reload', timeoutMs: 60_000 });
  assert.equal(await revived.locator('[data-testid="matrix-row"]').count(), 4);
}
