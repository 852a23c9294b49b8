/**
 * Exit codes of the `bakeoff` command and what both of its bundles share: main.ts, which parses
 * the command line, and cliActions.ts, loaded to do a command's work. It imports only commander,
 * so `bakeoff --help` stays light; it is bundled into both, so nothing here may be told apart by
 * `instanceof` across them.
 */
import { InvalidArgumentError } from 'commander';

/** Process exit codes. */
export const exitCodes = {
  /** Every trial of every backend ended `ok` (for `check`: no backend is "not working"). */
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
 * Exit code of a command interrupted through `signal`: 143 for SIGTERM, 130 otherwise (README →
 * CLI). Read by shape, not `instanceof`: the reason may come from the other bundle's copy of
 * {@link CliInterrupt}.
 */
export function interruptedCode(signal: AbortSignal | undefined): 130 | 143 {
  const reason = signal?.reason as { signalName?: unknown } | undefined;
  return reason?.signalName === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted;
}

/** Where the CLI reads and writes; injectable so tests run it in-process. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  /** `isTTY` (as on process.stderr) turns the progress line of `bakeoff run` on. */
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Aborts the running command (wired to SIGINT and SIGTERM by the binary; the reason is a {@link CliInterrupt}). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** What the commands of cliActions.ts are, for the help that main.ts prints without loading them. */
export const suiteCommandDescriptions = {
  run: 'Run a suite (promptfoo config, Bakeoff suite, AI Toolkit or OpenAI Evals JSONL) against backends and report pass rates, latency and cost with confidence intervals',
  merge: 'Merge the results JSONL of the shards of one run and write the reports (every statistic recomputed from the raw cells)',
  gen: 'Generate suites of tasks with known answers, from a seed',
  reproduce: 'Check the claims (latency, cost, completion, long-context accuracy gap) on your closed and decentralized backends',
} as const;

/** An option parser for a whole number within `limits` (limits.ts). */
export function wholeNumberIn(limits: { min: number; max: number }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < limits.min || n > limits.max) {
      throw new InvalidArgumentError(`must be a whole number from ${limits.min} to ${limits.max}`);
    }
    return n;
  };
}
