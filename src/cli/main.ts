/**
 * `bakeoff` — the headless command over the same core as the extension.
 *
 *   bakeoff compare --config FILE (--prompt TEXT | --prompt-file FILE) [--backends a,b]
 *                   [--trials N] [--concurrency N] [--proxy URL|direct] [--json | --markdown]
 *   bakeoff backends check --config FILE [--backends a,b] [--proxy URL|direct] [--json]
 *   bakeoff run SUITE …          (src/cli/run.ts)
 *   bakeoff merge FILE… …        (src/cli/merge.ts)
 *   bakeoff gen longctx|completion …   (src/cli/gen.ts)
 *   bakeoff reproduce --config FILE …  (src/cli/reproduce.ts)
 *
 * API keys come only from the environment variables a backend's `apiKeyEnv` names, never argv.
 * Exit codes are listed in `exitCodes` and in README → "CLI". This module only parses the
 * command line of `compare` and `backends check` and prints the help: what a command does, and
 * the command lines of the suite commands, are in cliActions.ts (dist/cliActions.js), loaded
 * when a command runs — `bakeoff --help` loads nothing else.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { concurrencyLimits, trialsLimits } from '../core/limits';
import { CliInterrupt, exitCodes, suiteCommandDescriptions, wholeNumberIn, type CliIo } from './exit';
import { terminalIo } from './terminalText';

export { CliInterrupt, exitCodes, type CliIo } from './exit';

/** The work of the commands, loaded on first use. */
function actions(): typeof import('./cliActions') {
  // Not a literal `require`: esbuild must leave cliActions.ts (and the runner, SDK, schemas) out of this bundle.
  return createRequire(__filename)('./cliActions') as typeof import('./cliActions');
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws.
 * Everything written to `io.stdout` and `io.stderr` is made safe for a terminal (terminalText.ts)
 * but for the output that must stay as it is (JSON, Markdown, generated suites).
 */
export async function runCli(argv: string[], cliIo: CliIo): Promise<number> {
  const io = terminalIo(cliIo);
  // A suite command (or `help` for one) is parsed by cliActions.ts, which defines its options.
  const first = argv.findIndex((a) => !a.startsWith('-'));
  const command = argv[first] === 'help' ? argv[first + 1] : argv[first];
  if (command !== undefined && Object.hasOwn(suiteCommandDescriptions, command)) {
    try {
      return await actions().runSuiteCli(argv, io);
    } catch (err) {
      io.stderr.write(`bakeoff: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
      return exitCodes.someFailed;
    }
  }
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
    .option('-n, --trials <n>', `trials per backend (${trialsLimits.min}–${trialsLimits.max})`, wholeNumberIn(trialsLimits), trialsLimits.default)
    .option(
      '--concurrency <n>',
      `maximum simultaneous requests (${concurrencyLimits.min}–${concurrencyLimits.max}, default ${concurrencyLimits.default})`,
      wholeNumberIn(concurrencyLimits),
    )
    .option('--proxy <url>', 'proxy for every backend (overrides HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies), or "direct"')
    .option(
      '--parallel-trials <n>',
      `trials of one backend that may run at once (${concurrencyLimits.min}–${concurrencyLimits.max}, default 1: they never overlap)`,
      wholeNumberIn(concurrencyLimits),
    )
    .option('--baseline <id>', 'backend the ratios compare against (default: the first that delivered)')
    .addOption(new Option('--json', 'print one JSON object').conflicts('markdown'))
    .option('--markdown', 'print a Markdown report')
    .action((opts) => {
      action = actions().runAction('compare', opts, io);
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
      action = actions().runAction('check', opts, io);
    });

  // Listed here for the help; run by cliActions.ts with their own command line (see above).
  for (const [name, description] of Object.entries(suiteCommandDescriptions)) program.command(name).description(description);

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
    // Aborting first lets the progress of trials already finished go out before this line.
    controller.abort(new CliInterrupt(name));
    process.stderr.write(name === 'SIGTERM' ? 'Terminating… (the report follows)\n' : 'Cancelling… (press Ctrl-C again to quit at once)\n');
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
