/**
 * Renders the comparison panel outside VS Code with made-up results and takes screenshots in
 * a dark and a light theme at 2 and 4 columns (plus a streaming frame and a multi-trial run).
 * For looking at the panel while working on it; not part of the test suites.
 *
 *   node --import tsx test/preview/panelPreview.ts [outDir]
 *
 * Needs a Chromium binary (CHROMIUM_PATH, default /usr/bin/chromium). Prints the PNG paths and
 * fails when the page reports an error or a Content-Security-Policy violation.
 */
import { createServer, type Server } from 'node:http';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { createNonce, renderPanelHtml } from '../../src/extension/webviewHtml';
import type { HostToWebviewMessage, RunView, TrialFinal, TrialSnapshot } from '../../src/shared/protocol';
import { hostileAnswers } from '../fixtures/hostileAnswers';

const root = path.resolve(__dirname, '..', '..');

export async function buildBundle(dir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { main: path.join(root, 'src/webview/main.ts'), main_css: path.join(root, 'src/webview/main.css') },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  await mkdir(path.join(dir, 'codicons'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    await copyFile(path.join(root, 'node_modules/@vscode/codicons/dist', file), path.join(dir, 'codicons', file));
  }
}

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

export function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = path.join(dir, path.normalize(decodeURIComponent((req.url ?? '/').split('?')[0])));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

/** A page that stubs the webview API, then loads the panel exactly as VS Code would. */
export function pageHtml(origin: string, extraScript = ''): string {
  const nonce = createNonce();
  const html = renderPanelHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/main.js`,
    styleUri: `${origin}/main_css.css`,
    codiconUri: `${origin}/codicons/codicon.css`,
  });
  const stub = `<script nonce="${nonce}">
    window.__posted = []; window.__state = undefined;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => (window.__state = s),
    });${extraScript}
  </script>\n`;
  return html.replace('<script nonce=', `${stub}<script nonce=`);
}

const themes = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-editor-font-size': '12px',
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-editorWidget-background': '#252526',
      '--vscode-widget-border': '#3c3c3c',
      '--vscode-panel-border': '#3c3c3c',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-textLink-foreground': '#4daafc',
      '--vscode-textCodeBlock-background': '#2b2b2b',
      '--vscode-textBlockQuote-background': '#2b2b2b',
      '--vscode-textBlockQuote-border': '#616161',
      '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-testing-iconPassed': '#73c991',
      '--vscode-errorForeground': '#f85149',
      '--vscode-editorWarning-foreground': '#cca700',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
      '--vscode-editor-font-size': '12px',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-editor-background': '#ffffff',
      '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-widget-border': '#e5e5e5',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-textLink-foreground': '#005fb8',
      '--vscode-textCodeBlock-background': '#f2f2f2',
      '--vscode-textBlockQuote-background': '#f2f2f2',
      '--vscode-textBlockQuote-border': '#0078d4',
      '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-testing-iconPassed': '#388a34',
      '--vscode-errorForeground': '#c72e0f',
      '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)',
    },
  },
} as const;

type ThemeName = keyof typeof themes;

const backends: RunView['backends'] = [
  { id: 'openai', label: 'OpenAI', kind: 'closed', model: 'gpt-4o-mini', pricingNote: 'genai-prices catalogue' },
  { id: 'chutes', label: 'Chutes', kind: 'decentralized', model: 'deepseek-ai/DeepSeek-V3-0324', pricingNote: "provider's /models price", trustNote: 'Bittensor subnet 64 miners' },
  { id: 'akash', label: 'Akash', kind: 'decentralized', model: 'meta-llama/Llama-3.3-70B-Instruct', pricingNote: '$1.60/GPU-hour (H100)' },
  { id: 'ollama', label: 'Local Ollama', kind: 'local', model: 'qwen2.5-coder:7b', pricingNote: 'own hardware' },
];

const codeAnswer = `Here is a debounced version using a generic helper:

\`\`\`ts
export function debounce<T extends (...args: never[]) => void>(fn: T, waitMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: Parameters<T>): void => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), waitMs); // trailing edge
  };
}
\`\`\`

**Why it works**

- Each call resets the timer, so \`fn\` runs once after the calls stop.
- \`Parameters<T>\` keeps the argument types.

See [MDN on setTimeout](https://developer.mozilla.org/docs/Web/API/setTimeout) for details.`;

const tableAnswer = `A minimal implementation:

\`\`\`python
def debounce(wait_ms):
    """Delay calls until \`wait_ms\` passes without a new call."""
    def wrap(fn):
        timer = None
        ...
    return wrap
\`\`\`

| Option | Trailing | Leading |
|:-------|:--------:|--------:|
| default | yes | no |
| \`leading=True\` | yes | yes |`;

function final(partial: { status?: TrialFinal['status']; ttftMs: number | null; totalMs: number | null; wallMs?: number | null; retries?: number; out: number | null; inTokens?: number; costUsd: number | null; costSource: TrialFinal['cost']['costSource']; detail: string; asOf?: string; estimated?: boolean; error?: TrialFinal['error'] }): TrialFinal {
  const out = partial.out;
  const gen = partial.ttftMs === null || partial.totalMs === null ? null : partial.totalMs - partial.ttftMs;
  return {
    status: partial.status ?? 'ok',
    error: partial.error ?? null,
    finishReason: partial.status === 'ok' || partial.status === undefined ? 'stop' : null,
    metrics: {
      ttftMs: partial.ttftMs,
      totalMs: partial.totalMs,
      tpotMs: out && gen ? gen / Math.max(1, out - 1) : null,
      tokensPerSecond: out && gen && out > 1 ? out / (gen / 1_000) : null,
      inputTokens: partial.inTokens ?? (out === null ? null : 182),
      outputTokens: out,
      cachedInputTokens: null,
      reasoningTokens: null,
      tokenSource: partial.out === null ? null : partial.estimated ? 'estimated' : 'reported',
    },
    cost: { costUsd: partial.costUsd, costSource: partial.costSource, detail: partial.detail, ...(partial.asOf ? { asOf: partial.asOf } : {}) },
    retries: partial.retries ?? 0,
    retryWaitMs: partial.retries ? 4_000 : 0,
    retryAfterMs: partial.retries ? 2_000 : null,
    wallMs: partial.wallMs !== undefined ? partial.wallMs : partial.totalMs === null ? null : partial.totalMs + (partial.retries ? 4_000 : 0),
    usageReported: !partial.estimated,
    keyRedacted: false,
    tlsUnverified: false,
  };
}

const finals: Record<string, (trial: number) => { text: string; final: TrialFinal }> = {
  openai: (t) => ({
    text: codeAnswer,
    final: final({ ttftMs: 412 + t * 37, totalMs: 3_180 + t * 120, out: 214, costUsd: 0.000156, costSource: 'catalog', detail: '182 in × $0.15/M + 214 out × $0.60/M (genai-prices: openai gpt-4o-mini)', asOf: '2025-06-01' }),
  }),
  chutes: (t) => ({
    text: tableAnswer,
    final: final({ ttftMs: 980 + t * 211, totalMs: 5_420 + t * 390, retries: t === 2 ? 2 : 0, out: 236, costUsd: 0.0000947, costSource: 'modelsEndpoint', detail: '182 in × $0.25/M + 236 out × $0.21/M (chutes /models)', asOf: '2025-06-12' }),
  }),
  akash: () => ({
    text: '',
    final: final({
      status: 'http_error',
      ttftMs: null,
      totalMs: null,
      wallMs: 1_312,
      out: null,
      costUsd: null,
      costSource: 'unknown',
      detail: 'no tokens to price',
      error: { type: 'http_error', httpStatus: 500, message: 'HTTP 500 Internal Server Error: upstream worker crashed', hint: 'The provider failed; retry, or pick another model or endpoint.' },
    }),
  }),
  ollama: () => ({
    text: hostileAnswers.map((h) => h.text).slice(0, 14).join('\n\n') + '\n\n' + hostileAnswers.find((h) => h.name === 'remote image')!.text,
    final: final({ ttftMs: 95, totalMs: 2_240, out: 301, estimated: true, costUsd: 0, costSource: 'free', detail: 'own hardware: $0' }),
  }),
};

async function post(page: Page, message: HostToWebviewMessage): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export async function applyTheme(page: Page, theme: ThemeName): Promise<void> {
  await page.evaluate(
    ({ bodyClass, vars }) => {
      document.body.classList.remove('vscode-dark', 'vscode-light');
      document.body.classList.add(bodyClass);
      for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
    },
    { bodyClass: themes[theme].bodyClass, vars: themes[theme].vars as Record<string, string> },
  );
}

interface Scenario {
  name: string;
  theme: ThemeName;
  columns: number;
  trials: number;
  width: number;
  /** Stop halfway through streaming. */
  streaming?: boolean;
  /** Element focused from the keyboard before the screenshot. */
  focus?: string;
  height?: number;
  presenter?: boolean;
}

async function playScenario(page: Page, s: Scenario): Promise<void> {
  const chosen = backends.slice(0, s.columns);
  const run: RunView = {
    runId: `preview-${s.name}`,
    title: 'Selection from src/util/debounce.ts (14 lines)',
    promptPreview: 'Rewrite this function so that it is debounced and keeps its argument types. Explain briefly why it works.\n\nfunction onResize(event: UIEvent) {\n  layout(event.target);\n}',
    backends: chosen,
    trials: s.trials,
    perBackendConcurrency: 1,
    targetLabel: 'debounce.ts:3–16',
  };
  await post(page, { type: 'runStarted', run, target: null, baselineId: null });
  for (let trial = 1; trial <= s.trials; trial++) {
    for (const b of chosen) await post(page, { type: 'trialStarted', backendId: b.id, trial });
    for (const b of chosen) {
      const f = finals[b.id](trial).final;
      if (f.metrics.ttftMs !== null) await post(page, { type: 'firstTokenReceived', backendId: b.id, trial, ttftMs: f.metrics.ttftMs });
    }
    // Stream each answer in small pieces, interleaved across columns.
    const texts = chosen.map((b) => finals[b.id](trial).text);
    const step = 24;
    const longest = Math.max(...texts.map((t) => t.length));
    const stopAt = s.streaming ? Math.floor(longest * 0.45) : longest;
    for (let at = 0; at < stopAt; at += step * 4) {
      const chunks = [];
      for (let i = 0; i < chosen.length; i++) {
        if (chosen[i].id === 'akash') continue;
        const piece = texts[i].slice(at, at + step * 4);
        if (piece) chunks.push({ backendId: chosen[i].id, trial, content: piece, reasoning: '' });
      }
      await post(page, { type: 'deltasAppended', chunks });
    }
    if (s.streaming) return;
    for (const b of chosen) {
      const { text, final: f } = finals[b.id](trial);
      const snapshot: TrialSnapshot = { backendId: b.id, trial, text, reasoning: '', final: f };
      await post(page, { type: 'trialFinished', trial: snapshot });
    }
  }
  await post(page, { type: 'runFinished', runStatus: 'finished', errorMessage: null });
}

/** Sanity checks of the DOM contract on a finished 4-column run; returns problems found. */
async function checkContract(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  const col = (id: string) => `[data-testid="column"][data-backend-id="${id}"]`;
  const akash = page.locator(`${col('akash')} [data-testid="state"]`);
  expect((await akash.getAttribute('data-status')) === 'http_error', 'akash state is http_error');
  expect(/HTTP 500.*What to do:/.test((await akash.textContent()) ?? ''), 'akash state names the error and what to do');
  const raw = await page.locator(`${col('ollama')} [data-testid="column-raw"]`).evaluate((e) => e.textContent);
  expect(raw === finals.ollama(1).text, 'raw text equals the final text exactly');
  expect((await page.locator(`${col('openai')} [data-testid="column-label"]`).textContent())?.includes('closed') === true, 'label has the kind');
  const ttft = page.locator(`${col('openai')} [data-testid="metric-ttft"]`);
  expect((await ttft.getAttribute('data-source')) === 'measured' && Number(await ttft.getAttribute('data-value')) > 0, 'ttft value and source');
  expect((await page.locator(`${col('ollama')} [data-testid="metric-cost"]`).getAttribute('data-source')) === 'free', 'free cost source');
  expect((await page.locator(`${col('akash')} [data-testid="metric-cost"]`).getAttribute('data-value')) === '', 'unknown cost has empty value');
  expect((await page.locator('[data-testid="ratio-latency"][data-backend-id="chutes"]').textContent()) === '1.76×', 'latency ratio');
  expect((await page.locator('[data-testid="summary"] [data-testid="chart"] .chart-group').count()) === 3, 'chart has three groups');
  expect((await page.locator('[data-testid="chart-row-costUsd"][data-backend-id="akash"] .chart-track.hatched').count()) === 1, 'an unknown cost is hatched');
  expect((await page.locator('[data-testid="race-row"]').count()) === 4, 'the overview has a row per backend');
  const posted = async () => page.evaluate(() => (window as unknown as { __posted: Array<Record<string, unknown>> }).__posted.slice(-1)[0]);
  await page.locator(`${col('openai')} .md-link`).first().click();
  expect(JSON.stringify(await posted()) === JSON.stringify({ type: 'openLink', url: 'https://developer.mozilla.org/docs/Web/API/setTimeout' }), 'link click posts openLink');
  await page.locator(`${col('chutes')} [data-testid="action-copy"]`).click();
  expect(JSON.stringify(await posted()) === JSON.stringify({ type: 'copy', backendId: 'chutes', trial: 1 }), 'copy posts its column');
  await page.locator(`${col('openai')} [data-testid="action-diff-column"]`).click();
  await page.locator(`${col('openai')} [data-testid="diff-target"][data-backend-id="ollama"]`).click();
  const diff = (await posted()) as { type?: string; right?: { backendId?: string } };
  expect(diff.type === 'diffColumns' && diff.right?.backendId === 'ollama', 'diff with another column');
  await page.locator(`${col('openai')} [data-testid="action-raw"]`).click();
  expect(await page.locator(`${col('openai')} [data-testid="column-raw"]`).isVisible(), 'raw toggle shows the raw text');
  expect(await page.locator('[data-testid="action-cancel"]').isDisabled(), 'cancel disabled after the run');
  for (const action of ['copy', 'insert', 'replace', 'diff-selection', 'diff-column']) {
    expect(await page.locator(`${col('akash')} [data-testid="action-${action}"]`).isDisabled(), `${action} disabled for a failed column without an answer`);
    expect(await page.locator(`${col('chutes')} [data-testid="action-${action}"]`).isEnabled(), `${action} enabled for a column with an answer`);
  }
  const cost = page.locator(`${col('openai')} [data-testid="metric-cost"]`);
  expect((await cost.locator('.badge').textContent()) === 'reported', 'reported tokens and a catalogue price: cost badge reported');
  expect((await cost.getAttribute('data-source')) === 'catalog', 'cost data-source is the price source');
  expect((await cost.getAttribute('tabindex')) !== null, 'metric cells are focusable (roving)');
  expect(/^Cost: \$0\.000156 \(reported\)\. Cost = .*Price source: genai-prices catalogue, prices as of 2025-06-01/.test((await cost.getAttribute('aria-label')) ?? ''), 'cost aria-label has value, badge, formula and price source');
  expect((await page.locator(`${col('ollama')} [data-testid="metric-cost"] .badge`).textContent()) === 'free', 'own hardware: cost badge free');
  expect((await page.locator(`${col('akash')} [data-testid="metric-cost"] .badge`).textContent()) === 'unknown', 'no price: cost badge unknown');
  return problems;
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? path.join(tmpdir(), 'bakeoff-preview'));
  await mkdir(outDir, { recursive: true });
  const siteDir = await mkdtemp(path.join(tmpdir(), 'bakeoff-preview-site-'));
  await buildBundle(siteDir);
  const { server, origin } = await serve(siteDir);
  await writeFile(path.join(siteDir, 'index.html'), pageHtml(origin));

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];
  const scenarios: Scenario[] = [
    { name: 'dark-2col', theme: 'dark', columns: 2, trials: 1, width: 1000 },
    { name: 'dark-4col', theme: 'dark', columns: 4, trials: 1, width: 1400 },
    { name: 'light-2col', theme: 'light', columns: 2, trials: 1, width: 1000 },
    { name: 'light-4col', theme: 'light', columns: 4, trials: 1, width: 1400 },
    { name: 'dark-4col-streaming', theme: 'dark', columns: 4, trials: 1, width: 1400, streaming: true },
    { name: 'dark-3trials', theme: 'dark', columns: 2, trials: 3, width: 1000 },
    { name: 'light-narrow-4col', theme: 'light', columns: 4, trials: 1, width: 800, focus: '[data-backend-id="chutes"] [data-testid="metric-cost"]' },
    { name: 'dark-presenter-1280x720', theme: 'dark', columns: 4, trials: 1, width: 1280, height: 720, presenter: true },
    { name: 'dark-narrow-streaming-900', theme: 'dark', columns: 4, trials: 1, width: 900, streaming: true },
  ];
  try {
    for (const scenario of scenarios) {
      const page = await browser.newPage({ viewport: { width: scenario.width, height: scenario.height ?? 900 }, deviceScaleFactor: 1 });
      page.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`${scenario.name}: console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${scenario.name}: page error: ${e.message}`));
      await page.goto(`${origin}/index.html`);
      await applyTheme(page, scenario.theme);
      await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
      await playScenario(page, scenario);
      if (scenario.presenter) await page.locator('[data-testid="action-presenter"]').click();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await page.evaluate(() => document.fonts.ready);
      // No pointer was used on this page, so the focus ring shows as for keyboard users.
      if (scenario.focus) await page.locator(scenario.focus).focus();
      const wrapped = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('.metric-value'))
          .filter((e) => e.textContent && e.getClientRects().length > 1)
          .map((e) => e.textContent),
      );
      if (wrapped.length) problems.push(`${scenario.name}: metric values wrapped: ${wrapped.join(', ')}`);
      const file = path.join(outDir, `${scenario.name}.png`);
      await page.screenshot({ path: file, fullPage: !scenario.height });
      console.log(file);
      const inert = await page.evaluate(() => ({
        images: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        hrefs: Array.from(document.querySelectorAll('[href]')).filter((e) => e.tagName !== 'LINK').length,
      }));
      if (inert.images || inert.scripts > 2 || inert.hrefs) problems.push(`${scenario.name}: answer markup escaped its sandbox: ${JSON.stringify(inert)}`);
      if (scenario.name === 'dark-4col') problems.push(...(await checkContract(page)).map((p) => `${scenario.name}: contract: ${p}`));
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
