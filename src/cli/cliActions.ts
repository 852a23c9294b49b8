/**
 * What the `bakeoff` commands do once the command line is parsed (bundled apart as
 * dist/cliActions.js and loaded by main.ts only then, so `bakeoff --help` loads none of the
 * runner, the SDK, the suites or the schemas): `compare` and `backends check` here, and the suite
 * commands (`run`, `merge`, `gen`, `reproduce`) with their own command line. Errors become exit
 * codes here: {@link runAction} and {@link runSuiteCli} never throw.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/config';
import { loadConfigFile } from '../core/configFile';
import { formatMs, trialStateLine } from '../core/format';
import { concurrencyLimits, maxPromptBytes, trialsLimits } from '../core/limits';
import { decodeText, InputAborted, InputError, readBounded } from '../core/textInput';
import { streamFlagLines, summarizeComparison, summaryHeader, summaryNotes, summaryRows, timingLine, toJsonReport, toMarkdownReport } from '../core/report';
import { checkVerdict } from '../core/checkVerdict';
import { checkBackend, fetchModelsPrice, ModelsPriceCache, runComparison } from '../core/runner';
import { UsageSupportMemory } from '../core/stream';
import type { ComparisonResult } from '../core/types';
import { interruptedCode, preflight, proxySettings, resolveKeys, selectBackends, UsageError } from './common';
import { exitCodes, type CliIo } from './exit';
import { registerGenCommands } from './gen';
import { registerMerge } from './merge';
import { BatchedLines } from './progress';
import { registerReproduce } from './reproduce';
import { registerRun } from './run';
import { rawStream } from './terminalText';

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
    const timing = timingLine(r);
    if (timing) out.push(timing);
    for (const flag of streamFlagLines(r.streamFlags)) out.push(`⚠ ${flag}`);
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

  // Progress goes to stderr so stdout stays machine-readable.
  const progress = new BatchedLines(io.stderr);
  io.signal?.addEventListener('abort', () => progress.unbatch(), { once: true });
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
      progress.push(`${r.status === 'ok' ? '✔' : '✖'} ${r.backendLabel} trial ${r.trial}: ${trialStateLine(r)}\n`);
    },
  }).finally(() => progress.flush());
  const text = opts.json
    ? JSON.stringify(toJsonReport(result, baselineId), null, 2) + '\n'
    : opts.markdown
      ? toMarkdownReport(result, baselineId)
      : humanReport(result, baselineId);
  // Results are already redacted where a key could appear (errors, request record); the report
  // itself is not scrubbed as text, since a short placeholder key ("ollama") would mangle it.
  // JSON and Markdown go out as they are; the human report is made safe for a terminal.
  (opts.json || opts.markdown ? rawStream(io.stdout) : io.stdout).write(text);
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
  const verdicts = checks.map((c) => {
    const b = backends.find((x) => x.id === c.backendId)!;
    return checkVerdict(c, { model: b.model, tlsInsecure: b.tls?.insecure === true });
  });
  if (opts.json) {
    rawStream(io.stdout).write(JSON.stringify({ checks: checks.map((c, i) => ({ ...c, verdict: verdicts[i] })) }, null, 2) + '\n');
  } else {
    const lines = checks.map((c, i) => {
      const b = backends.find((x) => x.id === c.backendId)!;
      const v = verdicts[i]!;
      const parts = [
        `${v.level === 'failing' ? '✖' : v.level === 'caveats' ? '⚠' : '✔'} ${b.id} (${b.kind}) ${b.baseUrl}${b.tls?.insecure ? ' ⚠ unverified TLS' : ''}`,
        `  verdict: ${v.headline} — ${v.reasons.join(' ')}`,
        ...(v.otherModels.length ? [`  models it lists: ${v.otherModels.join(', ')}`] : []),
        `  chat request: ${c.chat.status === 'ok' ? `ok (first token ${formatMs(c.chat.ttftMs)})` : (c.error?.message ?? c.chat.status)}`,
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
  return verdicts.every((v) => v.level !== 'failing') ? exitCodes.ok : exitCodes.someFailed;
}

/** The exit code of a failure thrown by a command (a usage or config error, an interrupt, a bug). */
function failureCode(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
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

/**
 * Runs `compare` or `backends check` with their parsed options; returns the exit code, never
 * throws. `io` is the one runCli made safe for a terminal (terminalText.ts): the human output is
 * written to it as is, JSON and Markdown through `rawStream`.
 */
export async function runAction(name: 'compare' | 'check', opts: Record<string, unknown>, io: CliIo): Promise<number> {
  try {
    return await (name === 'compare' ? compare(opts, io) : check(opts, io));
  } catch (err) {
    return failureCode(err, io);
  }
}

/**
 * Runs a suite command (`run`, `merge`, `gen`, `reproduce`, or `help` for one of them) from its
 * command line (without node and script); returns the exit code, never throws. `io` is the one
 * runCli made safe for a terminal (terminalText.ts): JSON and generated suites go out through
 * `rawStream`.
 */
export async function runSuiteCli(argv: string[], io: CliIo): Promise<number> {
  let action: Promise<number> | undefined;
  const program = new Command('bakeoff')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');
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
    return failureCode(err, io);
  }
}
