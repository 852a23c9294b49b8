/**
 * Runs the extension in a real VS Code: code-server (VS Code web + a Node extension host) opened
 * in headless Chromium, driven by playwright-core. Used by the UI scenarios and by the in-host
 * integration runner. Nothing here reaches beyond 127.0.0.1.
 *
 * Env: BAKEOFF_CODE_SERVER (code-server binary), BAKEOFF_E2E_CACHE (where install.sh put it),
 * CHROMIUM (browser binary), BAKEOFF_E2E_KEEP=1 (keep the run folder).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type FrameLocator, type Page } from 'playwright-core';

/** Version installed by test/e2e/install.sh. */
export const codeServerVersion = '4.100.3';

/** Repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Where screenshots and failure logs are kept. */
export const testResultsDir = process.env.BAKEOFF_TEST_RESULTS_DIR ?? path.join(repoRoot, 'test-results');

/** The code-server binary: $BAKEOFF_CODE_SERVER, else the cached install from install.sh. */
export function codeServerPath(): string {
  if (process.env.BAKEOFF_CODE_SERVER) return process.env.BAKEOFF_CODE_SERVER;
  const cache = process.env.BAKEOFF_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'bakeoff-e2e');
  return path.join(cache, `code-server-${codeServerVersion}`, 'node_modules', '.bin', 'code-server');
}

/** The Chromium binary: $CHROMIUM, else the first of the usual system paths. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0]!;
}

/** Fails fast with a hint when the tools from install.sh are missing. */
export function assertToolsInstalled(): void {
  const missing = [codeServerPath(), chromiumPath()].filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`bash test/e2e/install.sh\` first`);
}

/** Options of {@link poll}. */
export interface PollOptions {
  /** What is awaited, for the timeout message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns something other than undefined/false/null, or throws after the
 * deadline with the last value or error seen.
 */
export async function poll<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: PollOptions): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as T;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message.split('\n')[0] : err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 15_000} ms waiting for ${opts.what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** Folders of one editor session. */
export interface SessionDirs {
  root: string;
  userData: string;
  extensions: string;
  workspace: string;
  profile: string;
  config: string;
}

/** Options of {@link EditorSession.start}. */
export interface SessionOptions {
  /** Short name used for the run folder and artefacts. */
  name: string;
  /** Extra user settings merged over the quiet defaults. */
  userSettings?: Record<string, unknown>;
  /** Files to create in the workspace folder (relative path → content). */
  workspaceFiles?: Record<string, string>;
  /** A .vsix to install with `--install-extension` before starting. */
  vsix?: string;
  /** Extension folder loaded as extensionDevelopmentPath (through the workbench URL). */
  developmentPath?: string;
  /** Compiled mocha entry loaded as extensionTestsPath (needs developmentPath). */
  testsPath?: string;
  /** Extra environment for code-server and its extension host. */
  env?: NodeJS.ProcessEnv;
}

/** Settings that keep the workbench quiet and free of modal prompts. */
const quietSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.confirmBeforeClose': 'never',
  // Save/open dialogs as the quick-input file dialog, which the scenarios can type a path into.
  'files.simpleDialog.enable': true,
};

/** One code-server + Chromium pair. */
export class EditorSession {
  /** The browser page showing the workbench. */
  page!: Page;
  /** e.g. http://127.0.0.1:PORT */
  origin = '';
  /** Lines written by code-server and the page console. */
  readonly logLines: string[] = [];
  /** Requests the page (and its webviews) made. */
  readonly pageRequests: string[] = [];
  /** Dialogs (alert/confirm/prompt) any frame opened. */
  readonly dialogs: string[] = [];
  /** Set when the extension test runner calls codeAutomationExit. */
  automationExit: Promise<{ code: number }>;

  private server: ChildProcess | undefined;
  private context: BrowserContext | undefined;
  private resolveExit!: (v: { code: number }) => void;

  private constructor(
    readonly options: SessionOptions,
    readonly dirs: SessionDirs,
  ) {
    this.automationExit = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  /** Creates the folders, installs the vsix, starts code-server and opens the workbench. */
  static async start(options: SessionOptions): Promise<EditorSession> {
    assertToolsInstalled();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `bakeoff-e2e-${options.name}-`));
    const dirs: SessionDirs = {
      root,
      userData: path.join(root, 'user-data'),
      extensions: path.join(root, 'extensions'),
      workspace: path.join(root, 'workspace'),
      profile: path.join(root, 'chromium-profile'),
      config: path.join(root, 'config.yaml'),
    };
    for (const d of [dirs.userData, dirs.extensions, dirs.workspace, dirs.profile]) fs.mkdirSync(d, { recursive: true });
    // Keeps code-server away from the user's ~/.config/code-server/config.yaml.
    fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
    for (const [rel, content] of Object.entries(options.workspaceFiles ?? {})) {
      const file = path.join(dirs.workspace, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    const session = new EditorSession(options, dirs);
    session.writeUserSettings(options.userSettings ?? {});
    try {
      if (options.vsix) session.installVsix(options.vsix);
      await session.startServer();
      await session.openBrowser();
    } catch (err) {
      await session.close(true);
      throw err;
    }
    return session;
  }

  /** Path of the user settings.json. */
  get userSettingsFile(): string {
    return path.join(this.dirs.userData, 'User', 'settings.json');
  }

  /** Replaces the user settings (quiet defaults + `extra`); the workbench picks changes up live. */
  writeUserSettings(extra: Record<string, unknown>): void {
    fs.mkdirSync(path.dirname(this.userSettingsFile), { recursive: true });
    fs.writeFileSync(this.userSettingsFile, JSON.stringify({ ...quietSettings, ...extra }, null, 2));
  }

  private baseArgs(): string[] {
    const d = this.dirs;
    return [
      '--config', d.config,
      '--auth', 'none',
      '--user-data-dir', d.userData,
      '--extensions-dir', d.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ];
  }

  private installVsix(vsix: string): void {
    const out = execFileSync(codeServerPath(), [...this.baseArgs(), '--install-extension', vsix], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.logLines.push(`[install-extension] ${out.trim()}`);
    if (!/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed:\n${out}`);
  }

  private async startServer(): Promise<void> {
    const args = [...this.baseArgs(), '--bind-addr', '127.0.0.1:0', '--ignore-last-opened', this.dirs.workspace];
    const child = spawn(codeServerPath(), args, {
      env: { ...process.env, ...this.options.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = child;
    this.origin = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${buffered}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString();
        buffered += text;
        for (const line of text.split('\n')) if (line.trim()) this.logLines.push(`[code-server] ${line}`);
        const m = /HTTP server listening on (http:\/\/[^\s/]+)\//.exec(buffered);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited early (code ${code}, signal ${signal}):\n${buffered}`));
      });
    });
  }

  /** The workbench URL, with the extension development/test paths when given. */
  workbenchUrl(): string {
    const authority = this.origin.replace(/^http:\/\//, '');
    const payload: Array<[string, string]> = [];
    if (this.options.developmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${authority}${this.options.developmentPath}`]);
    if (this.options.testsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${this.options.testsPath}`]);
    let url = `${this.origin}/?folder=${encodeURIComponent(this.dirs.workspace)}`;
    if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
  }

  private async openBrowser(): Promise<void> {
    this.context = await chromium.launchPersistentContext(this.dirs.profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1920, height: 1080 },
    });
    this.context.on('request', (req) => this.pageRequests.push(req.url()));
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.on('console', (m) => this.logLines.push(`[console.${m.type()}] ${m.text()}`));
    this.page.on('pageerror', (e) => this.logLines.push(`[pageerror] ${e.message}`));
    this.page.on('dialog', (d) => {
      this.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => undefined);
    });
    // VS Code web calls this when the extension test runner finishes.
    await this.page.exposeFunction('codeAutomationExit', (code: number) => {
      this.resolveExit({ code });
    });
    await this.page.goto(this.workbenchUrl(), { waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /**
   * Reloads the window through "Developer: Reload Window", which flushes the workbench state
   * (editors, webview state) before reloading; a bare page reload may lose the last seconds of it.
   */
  async reloadWindow(): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await loaded;
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /**
   * Runs a command from the palette by its title (e.g. "Bakeoff: Cancel"). Extension commands
   * appear only once the extension host has scanned extensions, so the palette is reopened until
   * the command is listed.
   */
  async runCommand(title: string, timeoutMs = 45_000): Promise<void> {
    const page = this.page;
    const widget = page.locator('.quick-input-widget');
    const input = widget.locator('input.input');
    await poll(
      async () => {
        if (!(await input.isVisible())) {
          await page.keyboard.press('Escape');
          await page.keyboard.press('F1');
          await input.waitFor({ state: 'visible', timeout: 3000 });
        }
        await input.fill(`>${title}`);
        const row = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: title }) });
        try {
          await row.first().waitFor({ state: 'visible', timeout: 2000 });
        } catch {
          await page.keyboard.press('Escape');
          return false;
        }
        // Pick the row whose label is exactly the title (not a longer one that contains it). Matched
        // on the row itself: a row may hold more than one label (recently used, "other commands").
        const exact = widget
          .locator('.monaco-list-row')
          .filter({ has: page.locator('.label-name').getByText(title, { exact: true }) })
          .first();
        if ((await exact.count()) === 0) {
          await page.keyboard.press('Escape');
          return false;
        }
        await exact.click();
        return true;
      },
      { what: `command "${title}" in the palette`, timeoutMs, intervalMs: 500 },
    );
  }

  /** Picks the quick-pick row whose label contains `label` in the open quick input. */
  async pickQuickItem(label: string | RegExp, timeoutMs = 15_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const row = widget.locator('.monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /**
   * Picks the row whose label is exactly `label` in the open quick input, typing `filter` first
   * when given (long lists render only the rows in view). Rows whose description or detail merely
   * mention the label are not picked.
   */
  async pickQuickLabel(label: string, filter?: string, timeoutMs = 15_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    if (filter !== undefined) await input.fill(filter);
    const row = widget.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name').getByText(label, { exact: true }) }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
  }

  /** Types into the open input box (e.g. a password prompt) and presses Enter. */
  async answerInputBox(text: string, timeoutMs = 15_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs });
    await input.fill(text);
    await input.press('Enter');
  }

  /** Opens a workspace file in an editor through Quick Open and waits for it to be active. */
  async openFile(relativePath: string): Promise<void> {
    const page = this.page;
    const name = path.basename(relativePath);
    await poll(
      async () => {
        await page.keyboard.press('Escape');
        // Open it in the first editor group, not in the group that holds a webview panel.
        await page.keyboard.press('Control+1');
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ state: 'visible', timeout: 3000 });
        await input.fill(relativePath);
        const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
        await row.waitFor({ state: 'visible', timeout: 3000 });
        await row.click();
        await page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor({ timeout: 3000 });
        return true;
      },
      { what: `editor for ${relativePath}`, timeoutMs: 30_000, intervalMs: 500 },
    );
  }

  /** Selects the whole text of the active editor. */
  async selectAllInEditor(): Promise<void> {
    const editor = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await editor.click();
    await this.page.keyboard.press('Control+A');
  }

  /** The panel's webview content (outer webview host frame → active frame). */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview').last().contentFrame().locator('iframe#active-frame').contentFrame();
  }

  /** The panel's webview content as a Frame (for evaluate()). */
  async webviewFrame(): Promise<Frame> {
    return poll(
      async () => {
        const outer = await this.page.locator('iframe.webview').last().elementHandle({ timeout: 1000 });
        const outerFrame = await outer?.contentFrame();
        const inner = await outerFrame?.locator('iframe#active-frame').elementHandle({ timeout: 1000 });
        return (await inner?.contentFrame()) ?? undefined;
      },
      { what: 'the webview frame', timeoutMs: 20_000 },
    );
  }

  /** Saves a screenshot of the whole window as test-results/<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(testResultsDir, { recursive: true });
    const file = path.join(testResultsDir, `${name}.png`);
    // Park the pointer on empty editor space so no hover tooltip covers the picture.
    await this.page.mouse.move(300, 700);
    // A hover opened earlier (e.g. by focus landing on a toolbar) can outlive the pointer move.
    const hovers = this.page.locator('.workbench-hover-container:visible, .monaco-hover:visible');
    if ((await hovers.count()) > 0) {
      await this.page.keyboard.press('Escape');
      await poll(async () => (await hovers.count()) === 0, { what: 'hover tooltips to close', timeoutMs: 3000 }).catch(() => undefined);
    }
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Copies code-server's logs and the captured console into test-results/<name>-logs/. */
  saveLogs(name: string): string {
    const dir = path.join(testResultsDir, `${name}-logs`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'session.log'), this.logLines.join('\n'));
    try {
      fs.cpSync(path.join(this.dirs.userData, 'logs'), path.join(dir, 'code-server'), { recursive: true });
    } catch {
      /* no logs written yet */
    }
    return dir;
  }

  /** Closes the browser, stops code-server and its children, removes the run folder. */
  async close(keep = false): Promise<void> {
    try {
      await this.context?.close();
    } catch {
      /* already closed */
    }
    const child = this.server;
    if (child && child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
    }
    // The extension host, file watcher and pty host live in the same process group.
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* all gone */
      }
    }
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    if (!keep && process.env.BAKEOFF_E2E_KEEP !== '1') fs.rmSync(this.dirs.root, { recursive: true, force: true });
  }
}

/** Outcome of one test or scenario, written for test/run-all.mjs. */
export interface TestOutcome {
  name: string;
  ok: boolean;
  error?: string;
  durationMs: number;
}

/** Writes `{passed, failed, tests}` to $BAKEOFF_RESULTS_FILE when set. */
function writeResults(outcomes: TestOutcome[]): void {
  const file = process.env.BAKEOFF_RESULTS_FILE;
  if (!file) return;
  const passed = outcomes.filter((o) => o.ok).length;
  fs.writeFileSync(file, JSON.stringify({ passed, failed: outcomes.length - passed, tests: outcomes }, null, 2));
}

/** Records the outcomes and prints the closing `N passed, N failed` line. */
export function reportOutcomes(outcomes: TestOutcome[]): void {
  writeResults(outcomes);
  const passed = outcomes.filter((o) => o.ok).length;
  console.log(`${passed} passed, ${outcomes.length - passed} failed`);
}

/**
 * Runs a runner's `main` as the process entry point: its result is the exit code, and a crash
 * before any test reported counts as one failure named `setupName`.
 */
export function runAsEntry(main: () => Promise<number>, setupName: string): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      reportOutcomes([{ name: setupName, ok: false, error: String(err), durationMs: 0 }]);
      process.exitCode = 1;
    },
  );
}
