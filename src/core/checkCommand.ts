/**
 * Checks a candidate answer with the project's own command (`npx tsc --noEmit -p .`,
 * `npm test -- {file}`…): the candidate is written into a scratch copy of the workspace — never
 * into the user's working tree — and the command runs there with a time limit, its output
 * captured and capped. Used by the editor's *Check Candidates* and meant for the suite runner's
 * `command` assertion (behind `--allow-exec`). No `vscode` here.
 *
 * The two building blocks:
 *
 *   const scratch = await createScratchCopy({ sourceDir, files: { 'src/cart.ts': candidate } });
 *   try {
 *     const r = await runCheckCommand({ cwd: scratch.dir, command: 'npx tsc --noEmit -p .', file: 'src/cart.ts', timeoutMs: 60_000, signal });
 *     // r: { passed, exitCode, output, timedOut, durationMs, cancelled, signal, outputTruncated, spawnError }
 *   } finally {
 *     await scratch.dispose();
 *   }
 *
 * or both at once with {@link checkCandidate}.
 *
 * What the command sees:
 * - It runs through the system shell (`/bin/sh -c`, `cmd.exe /c` on Windows) in `cwd`, with no
 *   stdin, `NO_COLOR=1`/`FORCE_COLOR=0` and `BAKEOFF_FILE` set to the candidate's path.
 * - `{file}` in the command is replaced by that path (relative to `cwd`, forward slashes),
 *   quoted for the shell.
 * - The scratch copy has every file of the source folder except `.git` (and other version
 *   control folders); `node_modules` folders (at any depth) and Python virtual environments are
 *   linked, not copied, so `tsc -p .` or `pytest` find their dependencies.
 *
 * Passed = the command exited with code 0 before its time limit. At the limit, or when `signal`
 * aborts, the whole process group is sent SIGTERM and, 2 s later, SIGKILL.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Output kept per run by default: the first and the last half of this many bytes. */
export const defaultMaxOutputBytes = 64 * 1024;

/** Grace between SIGTERM and SIGKILL when a command is stopped. */
const killGraceMs = 2_000;

export interface CheckCommandOptions {
  /** Folder the command runs in (the scratch copy). */
  cwd: string;
  /** Shell command line; `{file}` is replaced by the quoted candidate path. */
  command: string;
  /** The candidate file, relative to `cwd` (or absolute); fills `{file}` and `BAKEOFF_FILE`. */
  file?: string;
  /** Time limit, ms. */
  timeoutMs: number;
  /** Stops the command (the result says `cancelled`). */
  signal?: AbortSignal;
  /** Output kept (head and tail), bytes. Default {@link defaultMaxOutputBytes}. */
  maxOutputBytes?: number;
  /** Extra environment variables (added to this process's environment). */
  env?: Record<string, string | undefined>;
}

export interface CheckCommandResult {
  /** Exit code 0 within the time limit, not cancelled. */
  passed: boolean;
  /** The exit code; null when the command was killed or could not start. */
  exitCode: number | null;
  /** The signal that ended the command (`SIGTERM` after a timeout), if any. */
  signal: string | null;
  /** stdout and stderr as they arrived, ANSI colours stripped, capped (head + tail). */
  output: string;
  /** Whether output was cut in the middle to stay under the cap. */
  outputTruncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  /** Wall time from spawn to exit, ms. */
  durationMs: number;
  /** Why the command could not be started (no shell, bad cwd…); null when it ran. */
  spawnError: string | null;
}

/** `value` quoted for the shell that runs the command. */
export function quoteForShell(value: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `"${value.replace(/"/g, '""')}"`;
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command line with every `{file}` replaced by the quoted path. */
export function expandCheckCommand(command: string, file: string | undefined, platform: NodeJS.Platform = process.platform): string {
  if (file === undefined) return command;
  return command.split('{file}').join(quoteForShell(file, platform));
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, hyperlinks).
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ansiPattern = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Text without terminal colour and cursor sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, '');
}

/** Keeps the first and the last `max / 2` bytes of what it is fed. */
class CappedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.max / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (!chunk.length) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const keep = this.max - half;
    while (this.tailBytes > keep) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - keep;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    const joined = this.dropped > 0 ? `${head}\n… ${this.dropped.toLocaleString('en-US')} bytes of output left out …\n${tail}` : head + tail;
    return stripAnsi(joined);
  }
}

/** Sends `signal` to the command's whole process group (its children too). */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    } else {
      process.kill(-pid, signal);
    }
  } catch {
    // already gone
  }
}

/**
 * Runs `command` in `cwd` with a time limit; never throws (a command that cannot start is a
 * failed check with `spawnError`).
 */
export function runCheckCommand(options: CheckCommandOptions): Promise<CheckCommandResult> {
  const started = performance.now();
  const max = Math.max(1_024, Math.floor(options.maxOutputBytes ?? defaultMaxOutputBytes));
  const output = new CappedOutput(max);
  const file = options.file === undefined ? undefined : options.file.split(path.sep).join('/');
  const commandLine = expandCheckCommand(options.command, file);
  const result = (partial: Partial<CheckCommandResult>): CheckCommandResult => ({
    passed: false,
    exitCode: null,
    signal: null,
    output: output.text(),
    outputTruncated: output.truncated,
    timedOut: false,
    cancelled: false,
    durationMs: performance.now() - started,
    spawnError: null,
    ...partial,
  });
  if (options.signal?.aborted) return Promise.resolve(result({ cancelled: true }));
  if (!options.command.trim()) return Promise.resolve(result({ spawnError: 'The check command is empty.' }));

  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(commandLine, {
      cwd: options.cwd,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a time limit stops the children a shell or npm started too.
      detached: process.platform !== 'win32',
      windowsHide: true,
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
        ...(file !== undefined ? { BAKEOFF_FILE: file } : {}),
        ...options.env,
      },
    });
    const stop = (): void => {
      killTree(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killTree(child.pid, 'SIGKILL'), killGraceMs);
    };
    const limit = setTimeout(() => {
      timedOut = true;
      stop();
    }, Math.max(1, options.timeoutMs));
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (partial: Partial<CheckCommandResult>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result({ timedOut, cancelled, ...partial }));
    };
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', (err) => finish({ spawnError: err.message }));
    // A background process the command left behind could hold the pipes open for ever.
    child.once('exit', () => {
      if (process.platform !== 'win32') setTimeout(() => killTree(child.pid, 'SIGKILL'), 1_000).unref();
    });
    // 'close' waits for the pipes: output written just before exit is kept. A grandchild that
    // keeps the pipes open after the shell exits is killed with the group at the time limit.
    child.once('close', (code, signal) => {
      const passed = code === 0 && !timedOut && !cancelled;
      finish({ passed, exitCode: code, signal });
      // Anything the command left running in its group goes too.
      if (process.platform !== 'win32') killTree(child.pid, 'SIGKILL');
    });
  });
}

/** Folders never copied into a scratch copy. */
const skippedDirs = new Set(['.git', '.hg', '.svn']);
/** Folders linked into a scratch copy instead of copied (dependencies, at any depth). */
const linkedDirs = new Set(['node_modules', '.venv', 'venv']);

/** Limits of a scratch copy, so a huge workspace fails clearly instead of filling the disk. */
export const scratchLimits = { maxFiles: 50_000, maxBytes: 512 * 1024 * 1024 };

export interface ScratchCopyOptions {
  /** The folder to copy (the workspace folder); null for an empty scratch folder. */
  sourceDir: string | null;
  /** Files to write into the copy, by path relative to it (forward or platform slashes). */
  files: Record<string, string>;
}

export interface ScratchCopy {
  /** The scratch folder (in the system temp folder). */
  dir: string;
  /** Removes the scratch folder. */
  dispose(): Promise<void>;
}

/** A path relative to a folder that stays inside it; throws otherwise. */
export function insideFolder(root: string, relative: string): string {
  const resolved = path.resolve(root, relative);
  const back = path.relative(root, resolved);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) throw new Error(`"${relative}" is not a file inside the folder`);
  return resolved;
}

async function copyTree(from: string, to: string, budget: { files: number; bytes: number }): Promise<void> {
  await fsp.mkdir(to, { recursive: true });
  for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      if (skippedDirs.has(entry.name)) continue;
      if (linkedDirs.has(entry.name)) {
        await fsp.symlink(source, target, process.platform === 'win32' ? 'junction' : 'dir');
        continue;
      }
      await copyTree(source, target, budget);
    } else if (entry.isSymbolicLink()) {
      await fsp.symlink(await fsp.readlink(source), target);
    } else if (entry.isFile()) {
      const { size } = await fsp.stat(source);
      budget.files += 1;
      budget.bytes += size;
      if (budget.files > scratchLimits.maxFiles || budget.bytes > scratchLimits.maxBytes) {
        throw new Error(
          `The workspace is too large for a scratch copy (over ${scratchLimits.maxFiles.toLocaleString('en-US')} files or ${scratchLimits.maxBytes / 1024 / 1024} MB outside node_modules).`,
        );
      }
      await fsp.copyFile(source, target);
    }
  }
}

/**
 * Copies `sourceDir` into a new folder under the system temp folder (see the module notes for
 * what is copied, linked and left out) and writes `files` over it. The source is only read.
 */
export async function createScratchCopy(options: ScratchCopyOptions): Promise<ScratchCopy> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bakeoff-check-'));
  const dispose = () => fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  try {
    if (options.sourceDir) await copyTree(options.sourceDir, dir, { files: 0, bytes: 0 });
    for (const [relative, content] of Object.entries(options.files)) {
      const target = insideFolder(dir, relative);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // A linked folder must not be written through: replace a link on the way by a real file.
      await fsp.rm(target, { force: true });
      await fsp.writeFile(target, content);
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { dir, dispose };
}

export interface CheckCandidateOptions {
  /** The workspace folder copied for the check; null: only the candidate file. */
  sourceDir: string | null;
  /** The candidate file's path relative to the copy, e.g. `src/cart.ts`. */
  relativeFile: string;
  /** The whole file as it would be with the candidate applied. */
  content: string;
  command: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

/**
 * Writes one candidate into a fresh scratch copy, runs the command there and removes the copy.
 * A copy that cannot be made is a failed check whose `spawnError` says why.
 */
export async function checkCandidate(options: CheckCandidateOptions): Promise<CheckCommandResult> {
  const started = performance.now();
  let scratch: ScratchCopy;
  try {
    scratch = await createScratchCopy({ sourceDir: options.sourceDir, files: { [options.relativeFile]: options.content } });
  } catch (err) {
    return {
      passed: false,
      exitCode: null,
      signal: null,
      output: '',
      outputTruncated: false,
      timedOut: false,
      cancelled: options.signal?.aborted ?? false,
      durationMs: performance.now() - started,
      spawnError: `Could not make a scratch copy: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  try {
    return await runCheckCommand({
      cwd: scratch.dir,
      command: options.command,
      file: options.relativeFile,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxOutputBytes !== undefined ? { maxOutputBytes: options.maxOutputBytes } : {}),
    });
  } finally {
    await scratch.dispose().catch(() => undefined);
  }
}
