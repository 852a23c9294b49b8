/**
 * The HTML report opens in Chromium as one self-contained, offline file: no request besides the
 * file itself, no console error, every chart drawn, readable in light and dark mode. Screenshots
 * are kept in test-results/ to look at.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { toSuiteHtml } from '../../src/core/suite/html';
import { buildSuiteReport } from '../../src/core/suite/report';
import type { ResultsHeader, SuiteCell } from '../../src/core/suite/types';

const resultsDir = join(__dirname, '..', '..', 'test-results');
let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bakeoff-html-'));
  mkdirSync(resultsDir, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run of 3 backends on 24 long-context tests (4 lengths) with deterministic stand-in figures. */
function report() {
  const lengths = ['4k', '16k', '64k', '128k'];
  const backends: ResultsHeader['backends'] = [
    { id: 'openai', label: 'OpenAI <gpt-4o-mini>', kind: 'closed', model: 'gpt-4o-mini', baseUrl: 'http://127.0.0.1:1/v1', pricing: 'catalog', concurrency: 1, params: { maxTokens: 64, temperature: 0 } },
    { id: 'chutes', label: 'Chutes', kind: 'decentralized', model: 'llama', baseUrl: 'http://127.0.0.1:2/v1', pricing: 'modelsEndpoint', concurrency: 1, params: { maxTokens: 64, temperature: 0 } },
    { id: 'local', label: 'Local vLLM', kind: 'local', model: 'qwen', baseUrl: 'http://127.0.0.1:3/v1', pricing: 'free', concurrency: 2, params: { maxTokens: 64, temperature: 0 } },
  ];
  const tests = Array.from({ length: 24 }, (_, i) => ({
    id: `t${String(i + 1).padStart(4, '0')}`,
    index: i,
    description: `needle ${i + 1} "quoted" & <b>`,
    promptLabel: 'p',
    metadata: { lengthLabel: lengths[i % 4]!, targetTokens: [4000, 16000, 64000, 128000][i % 4]!, family: i % 2 ? 'needle' : 'vartrack' },
  }));
  const cells: SuiteCell[] = [];
  for (const t of tests) {
    backends.forEach((b, bi) => {
      const hard = t.index % 4; // longer contexts are harder
      const score = Math.max(0, 1 - hard * [0.05, 0.22, 0.3][bi]! - ((t.index * 7 + bi) % 5) * 0.04);
      const failed = bi === 1 && t.index % 11 === 5;
      cells.push({
        type: 'cell',
        test: t.id,
        testIndex: t.index,
        backend: b.id,
        trial: 1,
        order: cells.length,
        status: failed ? 'http_error' : 'ok',
        delivered: !failed,
        passed: failed ? false : score >= 0.8,
        score: failed ? 0 : score,
        reason: failed ? 'not delivered: ✗ HTTP 503' : 'score',
        ttftMs: failed ? null : [300, 700, 150][bi]! + ((t.index * 37) % 200),
        totalMs: failed ? null : [900, 2100, 600][bi]! + ((t.index * 53) % 700),
        wallMs: failed ? 40 : 1000,
        tokensPerSecond: failed ? null : [80, 40, 120][bi]!,
        inputTokens: [4100, 16200, 64500, 129000][t.index % 4]!,
        outputTokens: 20,
        promptTokensReported: bi === 1 ? null : [4100, 16200, 64500, 129000][t.index % 4]! + bi * 50,
        tokenSource: 'reported',
        costUsd: failed ? null : [0.0006, 0.00025, 0][bi]! * (1 + (t.index % 4)),
        costSource: (['catalog', 'modelsEndpoint', 'free'] as const)[bi]!,
        retries: 0,
        retryWaitMs: 0,
        error: failed ? { type: 'http_error', message: 'HTTP 503', hint: 'retry later', httpStatus: 503 } : null,
        finishReason: 'stop',
        text: failed ? '' : 'answer',
        reasoning: '',
        assertions: [],
        namedScores: {},
        lengthLabel: t.metadata.lengthLabel,
        startedAt: '2026-01-01T00:00:00.000Z',
      });
    });
  }
  const header: ResultsHeader = {
    type: 'header',
    format: 'bakeoff-suite-results',
    version: 1,
    runId: 'run-html',
    startedAt: '2026-01-01T00:00:00.000Z',
    bakeoffVersion: '0.1.0',
    suite: { file: 'longctx.yaml', description: 'Long context <stand-ins>', hash: 'a'.repeat(64), tests: 24, format: 'suite-yaml' },
    seed: 7,
    trials: 1,
    shard: null,
    backends,
    tests,
    baselineId: null,
  };
  return buildSuiteReport({ header, cells, outcome: 'finished' });
}

test('the HTML report is self-contained and renders its charts in Chromium, light and dark', async () => {
  const r = report();
  assert.ok(r.claims.length > 0, 'closed and decentralized: a claims table');
  const html = toSuiteHtml(r);
  assert.doesNotMatch(html, /<script|<link |src="http|href="http/, 'nothing to load');
  assert.ok(!html.includes('<gpt-4o-mini>') && html.includes('&lt;gpt-4o-mini&gt;'), 'labels are escaped');
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  for (const scheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(url);
    assert.deepEqual(requests, [url], 'no request besides the file');
    assert.deepEqual(problems, []);
    assert.equal(await page.title(), 'Bakeoff suite: Long context <stand-ins>');
    const charts = await page.$$eval('figure svg', (svgs) => svgs.map((s) => ({ w: s.getBoundingClientRect().width, h: s.getBoundingClientRect().height, marks: s.querySelectorAll('rect, circle, polyline, line').length })));
    assert.ok(charts.length >= 4, `${charts.length} charts`);
    for (const c of charts) assert.ok(c.w > 200 && c.h > 60 && c.marks > 3, JSON.stringify(c));
    const captions = await page.$$eval('figcaption', (f) => f.map((x) => x.textContent));
    assert.ok(captions.some((c) => /Pass rate/.test(c ?? '')));
    assert.ok(captions.some((c) => /Latency distributions/.test(c ?? '')));
    assert.ok(captions.some((c) => /Cost per passed test/.test(c ?? '')));
    assert.ok(captions.some((c) => /Accuracy per context length/.test(c ?? '')));
    // Text and background differ in both schemes (readable), and nothing but tables scrolls sideways.
    const colours = await page.evaluate(() => {
      const style = getComputedStyle(document.body);
      return { fg: style.color, bg: style.backgroundColor, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
    });
    assert.notEqual(colours.fg, colours.bg);
    assert.equal(colours.overflow, 0, 'no sideways scrolling of the page');
    if (scheme === 'dark') assert.equal(colours.bg, 'rgb(13, 17, 23)');
    const verdicts = await page.$$eval('td[class^="verdict-"]', (cells) => cells.map((c) => c.textContent));
    assert.ok(verdicts.length >= 4);
    await page.screenshot({ path: join(resultsDir, `suite-report-${scheme}.png`), fullPage: true });
    await page.close();
  }
});
