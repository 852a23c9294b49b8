/**
 * `bakeoff run SUITE` — runs a suite (promptfoo config, Bakeoff suite, AI Toolkit or OpenAI Evals
 * JSONL) against backends, appends each finished cell to a results JSONL, and writes the reports.
 *
 *   bakeoff run SUITE [--config backends.yaml] [--backends a,b] [--trials N] [--seed S]
 *                     [--concurrency N] [--dry-run] [--max-cost USD] [--output FILE]… [--json]
 *                     [--resume FILE] [--shard i/N] [--baseline ID] [--fail-under passRate=0.85]
 *                     [--allow-js] [--grader ID]
 *
 * Exit codes (README → Suites): 0 every test passed on every backend (or the --fail-under gate
 * held), 100 some did not, 2 usage/config/suite error, 130 interrupted, 143 terminated.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Backend, ConfigError, describeIssues, RequestParams, Timeouts, type ConfigFile } from '../core/config';
import { loadConfigFile } from '../core/configFile';
import { suiteConcurrencyLimits, trialsLimits } from '../core/limits';
import { formatUsd, unknownMark } from '../core/format';
import { describePricing } from '../core/pricing';
import { fetchModelsPrice, ModelsPriceCache } from '../core/runner';
import { BudgetError, countPromptTokens, runSuite, type RunBackend } from '../core/suite/execute';
import { loadSuite, SuiteError } from '../core/suite/load';
import { estimatePlan, parseShard, planCells, planCostTotal, shardTests } from '../core/suite/plan';
import { suiteOutputFormatOf } from '../core/suite/outputs';
import { buildSuiteReport, toJsonSummary, toSuiteText, type SuiteReport } from '../core/suite/report';
import { readResults, ResultsFileError, ResultsWriter } from '../core/suite/store';
import type { PlanBackend, ResultsHeader, Suite, TestInfo } from '../core/suite/types';
import { bakeoffVersion } from '../core/version';
import { interruptedCode, preflight, proxySettings, resolveKeys, UsageError, wholeNumberIn, type CliIo } from './common';
import { suiteCommandDescriptions } from './exit';
import { ProgressLine } from './progress';
import { rawStream } from './terminalText';

/** Exit codes of `bakeoff run` and `bakeoff merge`. */
export const runExitCodes = {
  /** Every test passed on every backend, or the --fail-under gate held. */
  ok: 0,
  /** Some cell did not pass (as promptfoo), or the --fail-under gate failed. */
  failed: 100,
  usage: 2,
  /** Interrupted (SIGINT, Ctrl-C); the partial report is written. */
  interrupted: 130,
  /** Terminated (SIGTERM); the partial report is written. */
  terminated: 143,
} as const;

export function checkOutputs(outputs: readonly string[]): void {
  for (const o of outputs) {
    const ext = extname(o).toLowerCase();
    if (!suiteOutputFormatOf(o)) throw new UsageError(`--output ${o}: unknown format "${ext || '(none)'}"; use .json, .jsonl, .md, .html, .csv or .xml`);
  }
}

/** Writes every --output file (the live results file is already complete). */
export async function writeOutputs(outputs: readonly string[], report: SuiteReport, header: ResultsHeader, liveResults: string | null, io: CliIo): Promise<void> {
  for (const o of outputs) {
    if (liveResults && resolve(o) === resolve(liveResults)) continue;
    const text = suiteOutputFormatOf(o)!.write(report, header);
    try {
      await writeFile(o, text);
    } catch (err) {
      throw new UsageError(`cannot write ${o} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    io.stderr.write(`Wrote ${o}\n`);
  }
}

/** `--fail-under passRate=0.85,accuracy=80%`. */
export type Gate = { metric: 'passRate' | 'accuracy' | 'deliveredRate'; min: number };

export function parseGates(text: string): Gate[] {
  return text.split(',').map((part) => {
    const m = /^\s*(passRate|accuracy|deliveredRate)\s*=\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError('takes metric=value, e.g. passRate=0.85 (metrics: passRate, accuracy, deliveredRate)');
    const min = Number(m[2]) / (m[3] ? 100 : 1);
    if (!(min >= 0 && min <= 1)) throw new InvalidArgumentError('the value must be between 0 and 1 (or 0% and 100%)');
    return { metric: m[1] as Gate['metric'], min };
  });
}

/** Whether the report passes: the gates when given, else every planned cell passed. */
export function exitCodeFor(report: SuiteReport, gates: readonly Gate[] | null, io: CliIo): number {
  if (gates && gates.length) {
    let ok = true;
    for (const b of report.summary.backends) {
      for (const g of gates) {
        const figure = b[g.metric];
        const value = figure ? figure.value : null;
        const pass = value !== null && value >= g.min;
        if (!pass) {
          ok = false;
          io.stderr.write(`✖ ${b.id}: ${g.metric} ${value === null ? unknownMark : value.toFixed(3)} < ${g.min}\n`);
        }
      }
    }
    return ok ? runExitCodes.ok : runExitCodes.failed;
  }
  const all = report.summary.backends.every((b) => b.passed === b.cells);
  return all ? runExitCodes.ok : runExitCodes.failed;
}


const backendLabel = (b: Backend) => b.label ?? b.id;

/** The backends a suite runs on: its providers (defined in it, or ids of --config backends), else the --config backends. */
function resolveBackends(suite: Suite, config: ConfigFile | null, only: string | undefined): Array<{ backend: Backend; concurrency: number; params: Partial<RequestParams> }> {
  let list: Array<{ backend: Backend; concurrency: number; params: Partial<RequestParams> }>;
  if (suite.providers.length) {
    list = suite.providers.map((p) => {
      if (p.ref) {
        if (!config) throw new SuiteError(`"${p.ref}" refers to a backend of a config file: give --config`, p.source.file, p.source.line, 'providers');
        const found = config.backends.find((b) => b.id === p.ref);
        if (!found) {
          throw new SuiteError(`no backend "${p.ref}" in the config file (it has: ${config.backends.map((b) => b.id).join(', ')})`, p.source.file, p.source.line, 'providers');
        }
        return { backend: found, concurrency: p.concurrency ?? 1, params: p.params };
      }
      const parsed = Backend.safeParse(p.backend);
      if (!parsed.success) {
        const issue = describeIssues(parsed.error, { backends: [p.backend] })[0] ?? 'invalid provider';
        throw new SuiteError(issue, p.source.file, p.source.line, 'providers');
      }
      return { backend: parsed.data, concurrency: p.concurrency ?? 1, params: p.params };
    });
  } else {
    if (!config) throw new UsageError('The suite names no providers: give --config with the backends to run it on.');
    list = config.backends.map((backend) => ({ backend, concurrency: 1, params: {} }));
  }
  if (only) {
    const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((id) => !list.some((b) => b.backend.id === id));
    if (unknown.length) throw new UsageError(`Unknown backend${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. This suite runs on: ${list.map((b) => b.backend.id).join(', ')}`);
    list = wanted.map((id) => list.find((b) => b.backend.id === id)!);
  }
  const ids = new Set<string>();
  for (const b of list) {
    if (ids.has(b.backend.id)) throw new UsageError(`Backend "${b.backend.id}" is listed twice`);
    ids.add(b.backend.id);
  }
  if (list.length === 0) throw new UsageError('No backend to run the suite on');
  return list;
}

function testInfo(t: Suite['tests'][number]): TestInfo {
  return { id: t.id, index: t.index, description: t.description, promptLabel: t.promptLabel, metadata: t.metadata };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function defaultResultsPath(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let path = `bakeoff-results-${stamp}.jsonl`;
  for (let i = 2; existsSync(path); i++) path = `bakeoff-results-${stamp}-${i}.jsonl`;
  return path;
}

interface RunFlags {
  config?: string;
  backends?: string;
  trials?: number;
  seed?: number;
  concurrency?: number;
  dryRun?: boolean;
  maxCost?: number;
  output?: string[];
  json?: boolean;
  resume?: string;
  shard?: string;
  baseline?: string;
  failUnder?: Gate[];
  allowJs?: boolean;
  allowExec?: boolean;
  grader?: string;
  proxy?: string;
}

async function run(suitePath: string, flags: RunFlags, io: CliIo): Promise<number> {
  const outputs = flags.output ?? [];
  checkOutputs(outputs);
  const suite = loadSuite(suitePath, { env: io.env });
  for (const w of suite.warnings) io.stderr.write(`warning: ${w}\n`);
  const config = flags.config ? await loadConfigFile(flags.config) : null;
  const timeouts: Timeouts = config?.timeouts ?? Timeouts.parse({});
  const baseParams: RequestParams = config?.request ?? RequestParams.parse({});
  const chosen = resolveBackends(suite, config, flags.backends);

  const resumed = flags.resume ? await readResults(flags.resume) : null;
  const h0 = resumed?.header;
  if (h0) {
    if (h0.suite.hash !== suite.hash) throw new UsageError(`--resume ${flags.resume}: it holds results of a different suite (or the suite changed since)`);
    if (flags.seed !== undefined && flags.seed !== h0.seed) throw new UsageError(`--resume ${flags.resume}: it was run with --seed ${h0.seed}`);
    if (flags.trials !== undefined && flags.trials !== h0.trials) throw new UsageError(`--resume ${flags.resume}: it was run with --trials ${h0.trials}`);
    const shard = flags.shard ? parseShard(flags.shard) : null;
    if (JSON.stringify(shard) !== JSON.stringify(h0.shard) && flags.shard !== undefined) throw new UsageError(`--resume ${flags.resume}: it is shard ${h0.shard ? `${h0.shard.index}/${h0.shard.count}` : 'none'}`);
    const ids = chosen.map((b) => b.backend.id).join(',');
    if (ids !== h0.backends.map((b) => b.id).join(',')) throw new UsageError(`--resume ${flags.resume}: it ran on backends ${h0.backends.map((b) => b.id).join(', ')}, not ${chosen.map((b) => b.backend.id).join(', ')}`);
  }

  const trials = h0?.trials ?? flags.trials ?? suite.repeat ?? 1;
  const seed = h0?.seed ?? flags.seed ?? randomInt(0, 2 ** 31 - 1);
  const shard = h0 ? h0.shard : flags.shard ? parseShard(flags.shard) : null;
  const tests = shardTests(suite.tests, shard);
  if (tests.length === 0) throw new UsageError(`Shard ${shard!.index}/${shard!.count} has no tests (the suite has ${suite.tests.length})`);

  const planBackends: RunBackend[] = chosen.map(({ backend, concurrency, params }) => {
    const merged = RequestParams.parse({ ...baseParams, ...params, ...(suite.request ?? {}) });
    const plan: PlanBackend = {
      id: backend.id,
      label: backendLabel(backend),
      kind: backend.kind,
      model: backend.model,
      baseUrl: backend.baseUrl,
      pricing: backend.pricing.type,
      concurrency,
      params: merged,
    };
    return { backend, plan };
  });
  const baselineId = flags.baseline ?? h0?.baselineId ?? null;
  if (baselineId !== null && !planBackends.some((b) => b.plan.id === baselineId)) {
    throw new UsageError(`--baseline ${baselineId} is not one of the backends: ${planBackends.map((b) => b.plan.id).join(', ')}`);
  }
  let graderBackend: Backend | null = null;
  if (flags.grader) {
    graderBackend = config?.backends.find((b) => b.id === flags.grader) ?? chosen.find((b) => b.backend.id === flags.grader)?.backend ?? null;
    if (!graderBackend) throw new UsageError(`--grader ${flags.grader}: no such backend in the config file or the suite`);
  }
  const concurrency = flags.concurrency ?? suite.maxConcurrency ?? planBackends.reduce((n, b) => n + b.plan.concurrency, 0);

  const plan = planCells(tests, planBackends.map((b) => b.plan.id), trials, seed);
  if (flags.dryRun) return dryRun(suite, tests, planBackends, plan, { trials, seed, shard, concurrency, json: flags.json ?? false }, io);

  const keys = resolveKeys([...planBackends.map((b) => b.backend), ...(graderBackend ? [graderBackend] : [])], io.env);
  const proxy = proxySettings(flags.proxy, config?.proxy, io.env);
  const transport = { proxy };
  if (!flags.dryRun) await preflight([...planBackends.map((b) => b.backend), ...(graderBackend ? [graderBackend] : [])], proxy, io);
  const header: ResultsHeader = h0 ?? {
    type: 'header',
    format: 'bakeoff-suite-results',
    version: 1,
    runId: randomUUID(),
    startedAt: new Date().toISOString(),
    bakeoffVersion,
    suite: { file: suite.file, description: suite.description, hash: suite.hash, tests: suite.tests.length, format: suite.format },
    seed,
    trials,
    shard,
    backends: planBackends.map((b) => b.plan),
    tests: tests.map(testInfo),
    baselineId,
  };
  const resultsPath = flags.resume ?? outputs.find((o) => extname(o).toLowerCase() === '.jsonl') ?? defaultResultsPath();
  let writer: ResultsWriter;
  try {
    writer = resumed ? await ResultsWriter.append(resultsPath, resumed.completeBytes) : await ResultsWriter.create(resultsPath, header);
  } catch (err) {
    if (err instanceof ResultsFileError) throw err;
    throw new UsageError(`cannot write the results file ${resultsPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (resumed) {
    const finished = resumed.cells.filter((c) => c.status !== 'not_sent' && c.status !== 'cancelled').length;
    io.stderr.write(`Resuming ${resultsPath}: ${finished} of ${plan.length} cells already finished${resumed.truncatedTail ? ' (a half-written last line was dropped)' : ''}.\n`);
  } else {
    io.stderr.write(`Results: ${resultsPath} (continue an interrupted run with --resume ${resultsPath})\n`);
  }

  const progress = new ProgressLine(io.stderr);
  const priceCache = new ModelsPriceCache();
  let result: Awaited<ReturnType<typeof runSuite>>;
  try {
    result = await runSuite({
      tests,
      backends: planBackends,
      trials,
      seed,
      concurrency,
      timeouts,
      resolveKey: (b) => keys.get(b.id),
      done: resumed?.cells ?? [],
      writer,
      maxCostUsd: flags.maxCost ?? null,
      allowJs: flags.allowJs ?? false,
      allowExec: flags.allowExec ?? false,
      suiteDir: dirname(resolve(suitePath)),
      grader: graderBackend ? { backend: graderBackend, params: RequestParams.parse({ maxTokens: 1024, temperature: 0 }) } : null,
      ...(io.signal ? { signal: io.signal } : {}),
      ...(io.fetch ? { fetch: io.fetch as never } : {}),
      transport,
      priceCache,
      modelsPrice: (b) => fetchModelsPrice(b, keys.get(b.id), io.fetch as never, { timeouts, transport, ...(io.signal ? { signal: io.signal } : {}) }),
      onProgress: (p) => progress.update(p),
    });
  } catch (err) {
    progress.finish();
    await writer.close().catch(() => undefined);
    if (err instanceof BudgetError) {
      // Refused before anything was sent: a new results file holds only its header.
      if (!resumed) await rm(resultsPath, { force: true }).catch(() => undefined);
      throw new UsageError(err.message);
    }
    throw err;
  }
  progress.finish();
  await writer.close();

  const notes: string[] = [];
  if (result.outcome === 'budget') notes.push(`Stopped sending at the --max-cost budget of ${formatUsd(flags.maxCost ?? null)}: ${result.notSent} cell${result.notSent === 1 ? ' was' : 's were'} not sent.`);
  if (result.graderSpendUsd > 0) notes.push(`The grader (${graderBackend!.id}) cost ${formatUsd(result.graderSpendUsd)}, not counted in any backend's spend.`);
  for (const w of suite.warnings) notes.push(`Suite: ${w}`);
  const report = buildSuiteReport({ header, cells: result.cells, outcome: result.outcome, notes, baselineId });
  await writeOutputs(outputs, report, header, resultsPath, io);
  if (flags.json) rawStream(io.stdout).write(`${JSON.stringify(toJsonSummary(report), null, 2)}\n`);
  else io.stdout.write(toSuiteText(report));
  if (result.outcome === 'interrupted') return interruptedCode(io.signal);
  return exitCodeFor(report, flags.failUnder ?? null, io);
}

async function dryRun(
  suite: Suite,
  tests: Suite['tests'],
  backends: RunBackend[],
  plan: ReturnType<typeof planCells>,
  opts: { trials: number; seed: number; shard: { index: number; count: number } | null; concurrency: number; json: boolean },
  io: CliIo,
): Promise<number> {
  const counts = await countPromptTokens(tests, backends.map((b) => b.plan.model));
  const estimates = estimatePlan(plan, backends.map((b) => ({ plan: b.plan, backend: b.backend, modelsEndpointPrice: null })), counts);
  const rows = estimates.map((e) => {
    const b = backends.find((x) => x.plan.id === e.backend)!;
    const listing = b.backend.pricing.type === 'modelsEndpoint';
    return {
      backend: e.backend,
      kind: b.plan.kind,
      model: b.plan.model,
      cells: e.cells,
      inputTokens: e.inputTokens,
      outputTokensMax: e.outputTokensMax,
      costUsdMax: listing ? null : e.costUsdMax,
      price: listing ? "unknown until the run: read from the provider's /models listing when it starts" : e.costUsdMax === null ? e.costDetail : describePricing(b.backend),
      concurrency: b.plan.concurrency,
      params: b.plan.params,
    };
  });
  const shardText = opts.shard ? ` · shard ${opts.shard.index}/${opts.shard.count}` : '';
  if (opts.json) {
    rawStream(io.stdout).write(
      `${JSON.stringify({ dryRun: true, suite: { file: suite.file, description: suite.description, hash: suite.hash, tests: suite.tests.length }, plan: { tests: tests.length, trials: opts.trials, seed: opts.seed, shard: opts.shard, concurrency: opts.concurrency, cells: plan.length }, backends: rows }, null, 2)}\n`,
    );
    return runExitCodes.ok;
  }
  const out: string[] = [];
  out.push(
    `Plan: ${tests.length} tests × ${backends.length} backends × ${opts.trials} trial${opts.trials > 1 ? 's' : ''} = ${plan.length} cells · seed ${opts.seed}${shardText} · concurrency ${opts.concurrency}`,
    '',
  );
  const header = ['Backend', 'Kind', 'Model', 'Cells', 'Input tokens', 'Output tokens ≤', 'Cost ≤', 'In flight'];
  const table = rows.map((r) => [
    r.backend,
    r.kind,
    r.model,
    String(r.cells),
    r.inputTokens === null ? unknownMark : r.inputTokens.toLocaleString('en-US'),
    r.outputTokensMax.toLocaleString('en-US'),
    r.costUsdMax === null ? 'unknown' : formatUsd(r.costUsdMax),
    String(r.concurrency),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  out.push([header, ...table].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd()).join('\n'), '');
  for (const r of rows) out.push(`· ${r.backend}: ${r.price}; max_tokens ${r.params.maxTokens}, temperature ${r.params.temperature}${r.params.seed !== undefined ? `, seed ${r.params.seed}` : ''}`);
  const total = planCostTotal(rows);
  out.push(
    `· Output tokens and costs are upper bounds (every answer as long as max_tokens); input tokens are counted with the reference tokenizer.`,
    `· Estimated cost ≤ ${formatUsd(total.costUsdMax)}${total.unknown.length ? ' for the backends with a known price; the others are unknown' : ''}.`,
    '· Dry run: nothing was sent.',
  );
  io.stdout.write(`${out.join('\n')}\n`);
  return runExitCodes.ok;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0');
  return n;
}

function seedNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new InvalidArgumentError('must be a whole number from 0 to 4294967295');
  return n;
}

const trialsNumber = wholeNumberIn(trialsLimits);
const concurrencyNumber = wholeNumberIn(suiteConcurrencyLimits);

/** Errors of suites, results files and budgets are usage errors (exit 2). */
export function asUsageError(err: unknown): never {
  if (err instanceof SuiteError || err instanceof ResultsFileError || err instanceof BudgetError || err instanceof ConfigError) throw new UsageError(err.message);
  if (err instanceof Error && /^--shard/.test(err.message)) throw new UsageError(err.message);
  throw err;
}

/** Registers `bakeoff run` on the program. */
export function registerRun(program: Command, io: CliIo, setAction: (action: Promise<number>) => void): void {
  program
    .command('run')
    .description(suiteCommandDescriptions.run)
    .argument('<suite>', 'suite file: .yaml/.yml/.json (promptfoo or Bakeoff suite) or .jsonl (AI Toolkit, OpenAI Evals)')
    .option('-c, --config <file>', 'config file with "backends" (and "request", "timeouts")')
    .option('-b, --backends <ids>', 'comma-separated backend ids (default: the suite providers, else every backend of the config)')
    .option('-n, --trials <n>', 'trials per test and backend (default: evaluateOptions.repeat, else 1)', trialsNumber)
    .option('--seed <n>', 'seed of the run order and of the bootstrap (default: random, recorded)', seedNumber)
    .option('--concurrency <n>', 'requests in flight at once, all backends together (default: the sum of per-backend concurrency)', concurrencyNumber)
    .option('--dry-run', 'print the plan (cells, tokens, estimated cost) and send nothing')
    .option('--max-cost <usd>', 'stop sending before the estimated spend would pass this many US dollars', nonNegativeNumber)
    .option('-o, --output <file>', 'write a report: .json, .jsonl, .md, .html, .csv or .xml (JUnit); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the summary as JSON on stdout')
    .option('--resume <file>', 'continue a run from its results JSONL without sending finished cells again')
    .option('--shard <i/N>', 'run shard i of N (all backends and trials of a test stay in one shard)')
    .option('--baseline <id>', 'backend the others are compared with (default: the first that delivered)')
    .addOption(new Option('--fail-under <gate>', 'exit 100 unless every backend reaches it, e.g. passRate=0.85 (instead of "every test passed")').argParser(parseGates))
    .option('--allow-exec', 'run the suite’s command assertions (a shell command on each answer’s code, in a scratch copy; off by default)')
    .option('--allow-js', 'run the suite’s javascript assertions and transforms (off by default: a cloned suite must not run code)')
    .option('--proxy <url>', 'proxy for every backend (overrides HTTPS_PROXY/HTTP_PROXY; NO_PROXY still applies), or "direct"')
    .option('--grader <id>', 'backend that grades model-graded assertions (llm-rubric, factuality, model-graded-closedqa)')
    .action((suitePath: string, opts: RunFlags) => {
      setAction(run(suitePath, opts, io).catch(asUsageError));
    });
}

