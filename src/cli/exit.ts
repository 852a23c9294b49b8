/**
 * Exit codes of the `bakeoff` command and what both its halves (main.ts, which parses options,
 * and cliActions.ts, loaded to do the work) share. No imports: it is bundled into both.
 */

/** Process exit codes. */
export const exitCodes = {
  /** Every trial of every backend ended `ok` (for `check`: every backend reachable). */
  ok: 0,
  /** The run completed but at least one trial did not end `ok` (or a backend check failed). */
  someFailed: 1,
  /** Bad command line, unreadable or invalid config, missing key variable, unreadable prompt file. */
  usage: 2,
  /** Interrupted (Ctrl-C, SIGINT): the report of what finished is still printed. */
  interrupted: 130,
  /** Terminated (SIGTERM, e.g. `kill` or a CI timeout): handled like Ctrl-C, report printed. */
  terminated: 143,
} as const;

/** The abort reason the binary gives its signal, so the exit code can name the signal. */
export class CliInterrupt extends Error {
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(`Interrupted by ${signalName}`);
  }
}

/**
 * Exit code of a run interrupted through `signal`: 143 for SIGTERM, 130 otherwise. Read by shape,
 * not `instanceof`: the reason may come from the other bundle's copy of {@link CliInterrupt}.
 */
export function interruptedCode(signal: AbortSignal | undefined): number {
  const reason = signal?.reason as { signalName?: unknown } | undefined;
  return reason?.signalName === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted;
}

/** Where the CLI reads and writes; injectable so tests run it in-process. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
  /** Aborts the running comparison (wired to SIGINT and SIGTERM by the binary). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}
