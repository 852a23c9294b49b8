/**
 * Runs inside code-server's extension host (loaded as `extensionTestsPath` by test/bench/editor.ts):
 * activates a reference extension (an empty `activate`) and then Bakeoff, one after the other,
 * each through `vscode.extensions.getExtension(id).activate()` — module loading included — and
 * records for each the wall time of that call, the heap it left behind (after a full garbage
 * collection, 500 ms later) and the files of the extension that were loaded. It first waits for
 * the editor's start-up work to settle (a quiet second on the extension host's event loop). Writes them to
 * $BAKEOFF_BENCH_OUT, then stays alive (so the editor stays up for the timing-parity run that
 * the benchmark drives from outside) until `$BAKEOFF_BENCH_OUT.done` appears.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as vscode from 'vscode';

export interface ActivationSample {
  id: string;
  /** Wall time of `extension.activate()`, ms (loading the main module and running `activate`). */
  activateMs: number;
  /** Heap used after activation − before, after a full GC, MiB. */
  heapRetainedMiB: number;
  /** Heap used right after activation − before (no GC), MiB. */
  heapAllocatedMiB: number;
  /** Files of the extension's folder loaded during activation, with their sizes in bytes. */
  loadedFiles: Array<{ file: string; bytes: number }>;
  /** Set when the extension was already active (the measurement is then void). */
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const out = process.env.BAKEOFF_BENCH_OUT;
  if (!out) throw new Error('BAKEOFF_BENCH_OUT is not set');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const collect = () => {
    gc();
    gc();
  };
  // Let the editor's own start-up work settle first: wait (at most 30 s) for a second in which the
  // extension host's event loop never ran more than 5 ms late.
  await sleep(2000);
  for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
    let worstLateMs = 0;
    for (let t = 0; t < 1000; t += 20) {
      const before = performance.now();
      await sleep(20);
      worstLateMs = Math.max(worstLateMs, performance.now() - before - 20);
    }
    if (worstLateMs < 5) break;
  }

  const measure = async (id: string): Promise<ActivationSample> => {
    const ext = vscode.extensions.getExtension(id);
    if (!ext) throw new Error(`extension ${id} is not installed`);
    if (ext.isActive) return { id, activateMs: NaN, heapRetainedMiB: NaN, heapAllocatedMiB: NaN, loadedFiles: [], error: 'already active' };
    const before = new Set(Object.keys(require.cache));
    collect();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    await ext.activate();
    const activateMs = performance.now() - t0;
    const heapAllocatedMiB = (process.memoryUsage().heapUsed - heap0) / 1048576;
    await sleep(500);
    collect();
    const heapRetainedMiB = (process.memoryUsage().heapUsed - heap0) / 1048576;
    const loadedFiles = Object.keys(require.cache)
      .filter((f) => !before.has(f) && f.startsWith(ext.extensionPath))
      .map((file) => ({ file: file.slice(ext.extensionPath.length + 1), bytes: fs.statSync(file).size }));
    return { id, activateMs, heapRetainedMiB, heapAllocatedMiB, loadedFiles };
  };

  try {
    const samples = [await measure('bakeoff-bench.anchor'), await measure('bakeoff.bakeoff')];
    fs.writeFileSync(out, JSON.stringify({ samples, vscodeVersion: vscode.version, node: process.version }));
  } catch (err) {
    fs.writeFileSync(out, JSON.stringify({ error: String((err as Error)?.stack ?? err) }));
    throw err;
  }
  while (!fs.existsSync(`${out}.done`)) await sleep(200);
}
