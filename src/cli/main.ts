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
 * Exit codes are listed in `exitCodes` and in README → "CLI".
 */
import { Command, CommanderError, Option } from 'commander';
import { Concurrency, ConfigError, Trials } from '../core/config';
import { loadConfigFile } from '../core/configFile';
import { formatMs, trialStateLine } from '../core/format';
import { concurrencyLimits, maxPromptBytes, trialsLimits } from '../core/limits';
import { decodeText, InputAborted, InputError, readBounded } from '../core/textInput';
import { summarizeComparison, summaryHeader, summaryNotes, summaryRows, toJsonReport, toMarkdownReport } from '../core/report';
import { checkBackend, fetchModelsPrice, ModelsPriceCache, runComparison } from '../core/runner';
import { UsageSupportMemory } from '../core/stream';
import type { ComparisonResult } from '../core/types';
import {
  CliInterrupt,
  interruptedCode,
  preflight,
  proxySettings,
  resolveKeys,
  selectBackends,
  UsageError,
  wholeNumber,
  type CliIo,
} from './common';
import { registerGenCommands } from './gen';
import { registerMerge } from './merge';
import { registerReproduce } from './reproduce';
import { registerRun } from './run';

export { CliInterrupt, type CliIo } from './common';

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

/** Reads the prompt file: bounded, interruptible, UTF-8 or UTF-16 with a BOM; never binary. */
async function readPromptFile(file: string, io: CliIo): Promise<string> {
  const onFifo = () => io.stderr.write(`Reading the prompt from ${file} (a pipe; waiting for its writer — Ctrl-C to stop)\n`);
  try {
    return decodeText(await readBounded(file, 'prompt file', maxPromptBytes, io.signal, onFifo), `Prompt file ${file}`);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function humanReport(result: ComparisonResult, baselineId: string | undefined): string {
  const out: string[] = [];
  const firstText = new Map<string, string>();
  for (const r of result.results) {
    const tls = r.tlsUnverified ? ' · ⚠ unverified TLS' : '';
    out.push(`── ${r.backendLabel} (${r.kind}, ${r.model}) · trial ${r.trial} · ${r.status}${tls} ──`);
    // Repeated trials usually answer the same (temperature 0, seed): say so instead of repeating it.
    if (r.trial > 1 && r.text && r.text === firstText.get(r.backendId)) out.push('(same text as trial 1)');
    else if (r.text) out.push(r.text);
    if (r.trial === 1) firstText.set(r.backendId, r.text);
    if (r.keyRedacted) out.push('(this answer contained your API key; it was redacted)');
    if (r.status !== 'ok') out.push(`✖ ${trialStateLine(r)}${r.error ? `\n  What to do: ${r.error.hint}` : ''}`);
    else if (r.retries) out.push(trialStateLine(r));
    out.push('');
  }
  const summary = summarizeComparison(result, baselineId);
  const rows = summaryRows(summary);
  const header = [...summaryHeader];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  out.push([header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd()).join('\n'));
  out.push('', ...summaryNotes(result, summary).map((n) => `· ${n}`));
  return out.join('\n') + '\n';
}

async function compare(opts: Record<string, unknown>, io: CliIo): Promise<number> {
  const config = await loadConfigFile(String(opts.config), io.signal);
  const backends = selectBackends(config, opts.backends as string | undefined);
  if (opts.prompt == null && opts.promptFile == null) throw new UsageError('Give the prompt with --prompt TEXT or --prompt-file FILE');
  let prompt: string;
  if (opts.promptFile != null) prompt = await readPromptFile(String(opts.promptFile), io);
  else prompt = String(opts.prompt);
  if (Buffer.byteLength(prompt) > maxPromptBytes) throw new UsageError(`The prompt is larger than ${maxPromptBytes / 1e6} MB`);
  if (prompt.includes('\0')) throw new UsageError(`The prompt contains a NUL character at offset ${prompt.indexOf('\0')}`);
  if (!prompt.trim()) throw new UsageError('The prompt is empty');
  const keys = resolveKeys(backends, io.env);
  const baselineId = opts.baseline as string | undefined;
  if (baselineId !== undefined && !backends.some((b) => b.id === baselineId)) {
    throw new UsageError(`--baseline ${baselineId} is not one of the backends compared: ${backends.map((b) => b.id).join(', ')}`);
  }
  const proxy = proxySettings(opts.proxy as string | undefined, config.proxy, io.env);
  await preflight(backends, proxy, io);
  const transport = { proxy };

  const result = await runComparison({
    backends,
    messages: [{ role: 'user', content: prompt }],
    params: config.request,
    timeouts: config.timeouts,
    trials: (opts.trials as number | undefined) ?? trialsLimits.default,
    concurrency: (opts.concurrency as number | undefined) ?? concurrencyLimits.default,
    perBackendConcurrency: opts.parallelTrials as number | undefined,
    signal: io.signal,
    fetch: io.fetch,
    transport,
    resolveKey: (b) => keys.get(b.id),
    usageMemory: new UsageSupportMemory(),
    priceCache: new ModelsPriceCache(),
    modelsPrice: (b) => fetchModelsPrice(b, keys.get(b.id), io.fetch, { timeouts: config.timeouts, signal: io.signal, transport }),
    onEvent: (event) => {
      if (event.type !== 'finished') return;
      const r = event.result;
      // Progress goes to stderr so stdout stays machine-readable.
      io.stderr.write(`${r.status === 'ok' ? '✔' : '✖'} ${r.backendLabel} trial ${r.trial}: ${trialStateLine(r)}\n`);
    },
  });
  const text = opts.json
    ? JSON.stringify(toJsonReport(result, baselineId), null, 2) + '\n'
    : opts.markdown
      ? toMarkdownReport(result, baselineId)
      : humanReport(result, baselineId);
  // Results are already redacted where a key could appear (errors, request record); the report
  // itself is not scrubbed as text, since a short placeholder key ("ollama") would mangle it.
  io.stdout.write(text);
  if (io.signal?.aborted) return interruptedCode(io.signal);
  return result.results.every((r) => r.status === 'ok') ? exitCodes.ok : exitCodes.someFailed;
}

async function check(opts: Record<string, unknown>, io: CliIo): Promise<number> {
  const config = await loadConfigFile(String(opts.config), io.signal);
  const backends = selectBackends(config, opts.backends as string | undefined);
  const keys = resolveKeys(backends, io.env);
  const proxy = proxySettings(opts.proxy as string | undefined, config.proxy, io.env);
  await preflight(backends, proxy, io);
  const checks = await Promise.all(
    backends.map((b) =>
      checkBackend(b, keys.get(b.id), { timeouts: config.timeouts, fetch: io.fetch, transport: { proxy }, ...(io.signal ? { signal: io.signal } : {}) }),
    ),
  );
  if (opts.json) {
    io.stdout.write(JSON.stringify({ checks }, null, 2) + '\n');
  } else {
    const lines = checks.map((c) => {
      const b = backends.find((x) => x.id === c.backendId)!;
      const parts = [
        `${c.reachable ? '✔' : '✖'} ${b.id} (${b.kind}) ${b.baseUrl}${b.tls?.insecure ? ' ⚠ unverified TLS' : ''}`,
        `  reachable: ${c.reachable ? `yes (${formatMs(c.latencyMs)})` : 'no'}`,
        `  model listing: ${c.modelsListed == null ? 'unknown' : c.modelsListed ? 'yes' : 'no'}` +
          (c.modelFound == null ? '' : `; "${b.model}" ${c.modelFound ? 'listed' : 'NOT listed'}`),
        `  streamed usage: ${c.streamUsage}`,
      ];
      if (c.error) parts.push(`  error: ${c.error.message}\n  what to do: ${c.error.hint}`);
      return parts.join('\n');
    });
    io.stdout.write(lines.join('\n') + '\n');
  }
  return checks.every((c) => c.reachable) ? exitCodes.ok : exitCodes.someFailed;
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
    .option('-n, --trials <n>', `trials per backend (${trialsLimits.min}–${trialsLimits.max})`, wholeNumber(Trials, trialsLimits), trialsLimits.default)
    .option(
      '--concurrency <n>',
      `maximum simultaneous requests (${concurrencyLimits.min}–${concurrencyLimits.max}, default ${concurrencyLimits.default})`,
      wholeNumber(Concurrency, concurrencyLimits),
    )
    .option('--proxy <url>', 'proxy for every backend (overrides HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies), or "direct"')
    .option(
      '--parallel-trials <n>',
      `trials of one backend that may run at once (${concurrencyLimits.min}–${concurrencyLimits.max}, default 1: they never overlap)`,
      wholeNumber(Concurrency, concurrencyLimits),
    )
    .option('--baseline <id>', 'backend the ratios compare against (default: the first that delivered)')
    .addOption(new Option('--json', 'print one JSON object').conflicts('markdown'))
    .option('--markdown', 'print a Markdown report')
    .action((opts) => {
      action = compare(opts, io);
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
      action = check(opts, io);
    });

  registerRun(program, io, (a) => (action = a));
  registerMerge(program, io, (a) => (action = a));
  registerGenCommands(program, io, (a) => (action = a));
  registerReproduce(program, io, (a) => (action = a));

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
    if (err instanceof InputAborted) {
      io.stderr.write(`bakeoff: ${err.message}\n`);
      return interruptedCode(io.signal);
    }
    if (err instanceof ConfigError || err instanceof UsageError) {
      io.stderr.write(`bakeoff: ${err.message}\n`);
      return exitCodes.usage;
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
