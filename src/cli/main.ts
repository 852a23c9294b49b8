/**
 * `bakeoff` — the headless command over the same core as the extension.
 *
 *   bakeoff compare --config FILE (--prompt TEXT | --prompt-file FILE) [--backends a,b]
 *                   [--trials N] [--concurrency N] [--proxy URL|direct] [--json | --markdown]
 *   bakeoff backends check --config FILE [--backends a,b] [--proxy URL|direct] [--json]
 *
 * API keys come only from the environment variables a backend's `apiKeyEnv` names, never argv.
 * Exit codes are listed in `exitCodes` and in README → "CLI". This module only parses the
 * command line: what a command does is in cliActions.ts, loaded when one runs (`--help` and option
 * errors load nothing else).
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { concurrencyLimits, trialsLimits } from '../core/limits';
import { CliInterrupt, exitCodes, type CliIo } from './exit';

export { CliInterrupt, exitCodes, type CliIo } from './exit';

/** An option parser for a whole number in `limits` (limits.ts, which the config schema reads too). */
function wholeNumber(limits: { min: number; max: number }): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < limits.min || n > limits.max) {
      throw new InvalidArgumentError(`must be a whole number from ${limits.min} to ${limits.max}`);
    }
    return n;
  };
}

/** The work of a command, loaded on first use. */
function runAction(name: 'compare' | 'check', opts: Record<string, unknown>, io: CliIo): Promise<number> {
  // Not a literal `require`: esbuild must leave cliActions.ts (and the runner, SDK, schemas) out of this bundle.
  const actions = createRequire(__filename)('./cliActions') as typeof import('./cliActions');
  return actions.runAction(name, opts, io);
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let action: Promise<number> | undefined;
  const program = new Command('bakeoff')
    .description('Compare the same prompt across OpenAI-compatible inference backends: output, latency and cost.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('compare')
    .description('Send one prompt to several backends at once and report text, timing and cost')
    .requiredOption('-c, --config <file>', 'config file (JSON or YAML) with "backends", "request", "timeouts"')
    .addOption(new Option('-p, --prompt <text>', 'the prompt text').conflicts('promptFile'))
    .option('-f, --prompt-file <file>', 'read the prompt from a file')
    .option('-b, --backends <ids>', 'comma-separated backend ids (default: all in the config)')
    .option('-n, --trials <n>', `trials per backend (${trialsLimits.min}–${trialsLimits.max})`, wholeNumber(trialsLimits), trialsLimits.default)
    .option(
      '--concurrency <n>',
      `maximum simultaneous requests (${concurrencyLimits.min}–${concurrencyLimits.max}, default ${concurrencyLimits.default})`,
      wholeNumber(concurrencyLimits),
    )
    .option('--proxy <url>', 'proxy for every backend (overrides HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies), or "direct"')
    .option(
      '--parallel-trials <n>',
      `trials of one backend that may run at once (${concurrencyLimits.min}–${concurrencyLimits.max}, default 1: they never overlap)`,
      wholeNumber(concurrencyLimits),
    )
    .option('--baseline <id>', 'backend the ratios compare against (default: the first that delivered)')
    .addOption(new Option('--json', 'print one JSON object').conflicts('markdown'))
    .option('--markdown', 'print a Markdown report')
    .action((opts) => {
      action = runAction('compare', opts, io);
    });

  program
    .command('backends')
    .description('Inspect configured backends')
    .command('check')
    .description('Check reachability, model listing and whether streamed usage is reported')
    .requiredOption('-c, --config <file>', 'config file (JSON or YAML)')
    .option('-b, --backends <ids>', 'comma-separated backend ids (default: all)')
    .option('--proxy <url>', 'proxy for every backend (overrides HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies), or "direct"')
    .option('--json', 'print one JSON object')
    .action((opts) => {
      action = runAction('check', opts, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!action) {
      program.outputHelp({ error: true });
      return exitCodes.usage;
    }
    return await action;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    io.stderr.write(`bakeoff: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return exitCodes.someFailed;
  }
}

// Entry point when run as the `bakeoff` binary (dist/cli.js), not when imported by tests.
if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  // SIGTERM (kill, CI timeouts, container stop) is handled like Ctrl-C: cancel, print the report
  // of what finished, exit 143. A second signal quits at once.
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    interrupts++;
    if (interrupts > 1) process.exit(name === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted);
    process.stderr.write(name === 'SIGTERM' ? 'Terminating… (the report follows)\n' : 'Cancelling… (press Ctrl-C again to quit at once)\n');
    controller.abort(new CliInterrupt(name));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
