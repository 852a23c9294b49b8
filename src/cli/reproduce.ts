/**
 * `bakeoff reproduce` — checks the claims on the configured closed and decentralized backends:
 * probes how long a prompt each accepts, runs generated completion tasks and long-context tasks
 * (up to the largest length every backend accepts) with the suite runner, and prints the claims
 * table with each measured figure, its 95 % interval per context length, and a verdict.
 *
 *   bakeoff reproduce --config backends.yaml [--budget USD|none] [--lengths 4k,…] [--n N]
 *                     [--completion-n N] [--seed S] [--output report.html]… [--dry-run]
 *
 * Everything it sends and receives is kept in a work directory (the generated suites, the probes,
 * the results JSONL of each suite), so nothing is lost and every figure can be recomputed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { toClaimsHtml } from '../core/claimsHtml';
import { buildClaimsReport, toClaimsMarkdown, toClaimsText, type ProbeSummary, type SuiteRunRecord } from '../core/claimsReport';
import { Backend, RequestParams, type ConfigFile } from '../core/config';
import { loadConfigFile } from '../core/configFile';
import { formatPercent, formatUsd } from '../core/format';
import { describePricing } from '../core/pricing';
import {
  classifyProbe,
  defaultPlanSmallModelCost,
  defaultReproduce,
  largestAcceptedLength,
  maxProbes,
  planSuites,
  planTokens,
  probePrompt,
  probeTokens,
  smallModelCost,
  smallModelReference,
  type PlanTokens,
  type ReproducePlanOptions,
} from '../core/reproduce';
import { fetchModelsPrice, ModelsPriceCache, runComparison } from '../core/runner';
import { minimalDetectableDifference, wilsonInterval } from '../core/stats';
import { UsageSupportMemory } from '../core/stream';
import { BudgetError, runSuite, type RunBackend } from '../core/suite/execute';
import { loadSuite } from '../core/suite/load';
import { estimateCellCostUsd } from '../core/suite/plan';
import { ResultsWriter } from '../core/suite/store';
import type { PlanBackend, ResultsHeader, Suite } from '../core/suite/types';
import { defaultLongContextMaxTokens, parseLengths, type LengthTarget } from '../core/tasks/longctx';
import { suiteToYaml, type TaskSuite } from '../core/tasks/suite';
import { bakeoffVersion } from '../core/version';
import { interruptedCode, resolveKeys, UsageError, type CliIo } from './common';
import { suiteCommandDescriptions } from './exit';
import { ProgressLine } from './progress';
import { asUsageError } from './run';

/** Exit codes of `reproduce`. */
export const reproduceExitCodes = {
  /** The plan ran (whatever the verdicts). */
  ok: 0,
  /** A backend could not be probed or could not run (unreachable, bad key…). */
  failed: 1,
  usage: 2,
  interrupted: 130,
  terminated: 143,
} as const;

interface ReproduceFlags {
  config: string;
  backends?: string;
  /** Dollars, or "none" (the option parser cannot hand over null: the option library turns it into ''). */
  budget: number | 'none';
  lengths: string;
  n: number;
  completionN: number;
  seed: number;
  output?: string[];
  dryRun?: boolean;
  workDir?: string;
  concurrency?: number;
  banner?: string;
}

const outputFormats = ['.html', '.htm', '.md', '.json'];

const backendLabel = (b: Backend) => b.label ?? b.id;

/** The closed and decentralized backends of the config (others cannot test the claims). */
function chooseBackends(config: ConfigFile, only: string | undefined): { backends: Backend[]; skipped: Backend[] } {
  let list = config.backends;
  if (only) {
    const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((id) => !list.some((b) => b.id === id));
    if (unknown.length) throw new UsageError(`Unknown backend${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Configured: ${list.map((b) => b.id).join(', ')}`);
    list = wanted.map((id) => list.find((b) => b.id === id)!);
  }
  const backends = list.filter((b) => b.kind === 'closed' || b.kind === 'decentralized');
  const skipped = list.filter((b) => !backends.includes(b));
  if (!backends.some((b) => b.kind === 'closed') || !backends.some((b) => b.kind === 'decentralized')) {
    throw new UsageError(
      `reproduce compares closed with decentralized backends: the config needs at least one of each (it has ${list.map((b) => `${b.id} (${b.kind})`).join(', ')}). ` +
        'Set "kind" of each backend.',
    );
  }
  return { backends, skipped };
}

function planBackend(backend: Backend, params: RequestParams): PlanBackend {
  return {
    id: backend.id,
    label: backendLabel(backend),
    kind: backend.kind,
    model: backend.model,
    baseUrl: backend.baseUrl,
    pricing: backend.pricing.type,
    concurrency: 1,
    params,
  };
}

/** Upper-bound cost of a set of prompts for one backend; null when its price is unknown before the run. */
function estimateCost(backend: Backend, suites: readonly TaskSuite[]): number | null {
  if (backend.pricing.type === 'modelsEndpoint') return null;
  let total = 0;
  for (const suite of suites) {
    for (const t of suite.tests) {
      const cost = estimateCellCostUsd(backend, t.metadata.promptTokens + 7, suite.request.maxTokens, null);
      if (cost === null) return null;
      total += cost;
    }
  }
  return total;
}

function probeCostBound(backend: Backend, tokens: PlanTokens): number | null {
  if (backend.pricing.type === 'modelsEndpoint') return null;
  return estimateCellCostUsd(backend, tokens.inputTokens, tokens.maxOutputTokens, null);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Tasks per length needed for the smallest detectable gap to reach `gap` (p = ½, the worst case). */
function tasksForGap(gap: number): number {
  let n = 1;
  while ((minimalDetectableDifference(n, 0.5) ?? 1) > gap && n < 100_000) n++;
  return n;
}

/** What the plan can tell: detectable differences at its n. */
export function detectableLines(opts: ReproducePlanOptions, families: number, completionFamilies: number): string[] {
  const completionTasks = opts.completionN * completionFamilies;
  const ci = wilsonInterval(Math.round(0.87 * completionTasks), completionTasks);
  const perLength = opts.n * families;
  const allLong = perLength * opts.lengths.length;
  const mdeLength = minimalDetectableDifference(perLength, 0.5);
  const mdeAll = minimalDetectableDifference(allLong, 0.5);
  const needed = tasksForGap(0.09);
  const pts = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} points`);
  return [
    `Completion (87 % claim): ${completionTasks} tasks pin a completion rate near 87 % to ${ci ? `${formatPercent(ci[0])}–${formatPercent(ci[1])}` : '—'} (95 % Wilson interval).`,
    `Accuracy gap (9–14 point claim): with ${perLength} tasks per length the smallest gap this plan can detect is ${pts(mdeLength)} per length and ${pts(mdeAll)} over all ${allLong} long-context tasks ` +
      `(two-sided α = 0.05, 80 % power, worst case p = ½). Telling a 9-point gap from none needs about ${needed.toLocaleString('en-US')} tasks per length (--n ${Math.ceil(needed / families)}).`,
    'Latency and cost ratios: intervals come from the run (cluster bootstrap over tasks); each scope needs 3 or more tasks delivered by both backends.',
  ];
}

async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new UsageError(`cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function defaultWorkDir(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `bakeoff-reproduce-${stamp}`;
}

async function reproduce(flags: ReproduceFlags, io: CliIo): Promise<number> {
  const budgetUsd = flags.budget === 'none' ? null : flags.budget;
  const outputs = flags.output ?? [];
  for (const o of outputs) {
    if (!outputFormats.includes(extname(o).toLowerCase())) throw new UsageError(`--output ${o}: unknown format; use .html, .md or .json`);
  }
  let lengths: LengthTarget[];
  try {
    lengths = parseLengths(flags.lengths);
  } catch (err) {
    throw new UsageError(`--lengths: ${(err as Error).message}`);
  }
  const config = await loadConfigFile(flags.config);
  const { backends, skipped } = chooseBackends(config, flags.backends);
  const reference = backends.find((b) => b.kind === 'closed')!.id;
  const options: ReproducePlanOptions = { seed: flags.seed, lengths, n: flags.n, completionN: flags.completionN };
  const maxTokens = defaultLongContextMaxTokens;

  io.stderr.write(`Generating the tasks (seed ${flags.seed})…\n`);
  const planned = planSuites(options);
  const tokens = planTokens([planned.completion, planned.longContext]);
  const probeBound = probeTokens(lengths, maxTokens);
  const estimates = backends.map((b) => {
    const runCost = estimateCost(b, [planned.completion, planned.longContext]);
    const probeCost = probeCostBound(b, probeBound);
    return { backend: b, runCost, probeCost, total: runCost === null || probeCost === null ? null : runCost + probeCost };
  });

  if (flags.dryRun) {
    const out: string[] = [];
    out.push(
      `Plan: ${planned.completion.tests.length} completion tasks and ${planned.longContext.tests.length} long-context tasks ` +
        `(${lengths.map((l) => l.label).join(', ')}; ${flags.n} per family per length) on ${backends.length} backends; seed ${flags.seed}; max_tokens ${maxTokens}.`,
      `Before the run each backend is probed with at most ${maxProbes(lengths.length)} requests (prompts as long as the tasks, answer "OK") for the largest length it accepts; longer lengths are dropped for every backend.`,
      '',
    );
    const header = ['Backend', 'Kind', 'Model', 'Requests', 'Input tokens', 'Output tokens ≤', 'Probes ≤ (tokens)', 'Cost ≤'];
    const rows = estimates.map((e) => [
      e.backend.id,
      e.backend.kind,
      e.backend.model,
      String(tokens.requests),
      tokens.inputTokens.toLocaleString('en-US'),
      tokens.maxOutputTokens.toLocaleString('en-US'),
      `${probeBound.requests} (${probeBound.inputTokens.toLocaleString('en-US')})`,
      e.total === null ? 'unknown' : formatUsd(e.total),
    ]);
    out.push(textTable(header, rows), '');
    for (const e of estimates) {
      out.push(`· ${e.backend.id}: ${e.backend.pricing.type === 'modelsEndpoint' ? "price read from the provider's /models listing when the run starts" : describePricing(e.backend)}`);
    }
    const known = estimates.filter((e) => e.total !== null);
    const total = known.reduce((s, e) => s + e.total!, 0);
    out.push(
      `· Estimated cost ≤ ${formatUsd(total)}${known.length < estimates.length ? ' for the backends with a known price; the others are unknown' : ''}` +
        `${budgetUsd !== null ? ` (budget ${formatUsd(budgetUsd)}${known.length === estimates.length && total > budgetUsd ? ': over it, the run would refuse to start' : ''})` : ''}.`,
    );
    const small = smallModelCost({ requests: tokens.requests + probeBound.requests, inputTokens: tokens.inputTokens + probeBound.inputTokens, maxOutputTokens: tokens.maxOutputTokens + probeBound.maxOutputTokens });
    const defaultCost = defaultPlanSmallModelCost();
    if (small.costUsd !== null && defaultCost !== null) {
      out.push(
        `· At the catalogue price of a small model (${smallModelReference.providerId} ${smallModelReference.model}) this plan costs ≤ ${formatUsd(small.costUsd)} per backend, ` +
          `≤ ${formatUsd(small.costUsd * backends.length)} for these ${backends.length} backends. The default plan (lengths ${defaultReproduce.lengths}, --n ${defaultReproduce.n}, ` +
          `--completion-n ${defaultReproduce.completionN}) costs ≤ ${formatUsd(defaultCost)} per backend at that price: ≤ ${formatUsd(2 * defaultCost)} for one closed and one decentralized backend` +
          `${2 * defaultCost < 1 ? ', under $1' : ''}.`,
      );
    }
    out.push('· Input tokens are counted with the reference tokenizer (cl100k_base); output tokens and costs are upper bounds (every answer max_tokens long).');
    out.push('', 'What this plan can tell:', ...detectableLines(options, new Set(planned.longContext.tests.map((t) => t.metadata.family)).size, new Set(planned.completion.tests.map((t) => t.metadata.family)).size).map((l) => `· ${l}`));
    if (skipped.length) out.push(`· Not used (neither closed nor decentralized): ${skipped.map((b) => `${b.id} (${b.kind})`).join(', ')}.`);
    out.push('· Dry run: nothing was sent.');
    io.stdout.write(`${out.join('\n')}\n`);
    return reproduceExitCodes.ok;
  }

  // The budget: every price must be known (or come from /models), and the plan's upper bound must fit.
  if (budgetUsd !== null) {
    const unknown = backends.filter((b) => b.pricing.type === 'unknown');
    if (unknown.length) {
      throw new UsageError(
        `The price of ${unknown.map((b) => b.id).join(', ')} is unknown, so a budget of ${formatUsd(budgetUsd)} cannot be held. ` +
          'Set its "pricing" in the config, or run with --budget none to run without a limit.',
      );
    }
    const total = estimates.reduce((s, e) => s + (e.total ?? 0), 0);
    if (total > budgetUsd) {
      throw new UsageError(
        `The plan may cost up to ${formatUsd(total)} (an upper bound: every answer max_tokens long), more than --budget ${formatUsd(budgetUsd)}. ` +
          'Lower --n, --completion-n or --lengths, or raise --budget. See the plan with --dry-run.',
      );
    }
  }
  const keys = resolveKeys(backends, io.env);
  const workDir = flags.workDir ?? defaultWorkDir();
  try {
    await mkdir(workDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create the work directory ${workDir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  io.stderr.write(`Work directory: ${workDir} (suites, probes and raw results are kept there)\n`);
  const params = RequestParams.parse({ ...config.request, maxTokens, temperature: 0, seed: flags.seed });
  const priceCache = new ModelsPriceCache();
  const usageMemory = new UsageSupportMemory();
  const modelsPrice = (b: Backend) => fetchModelsPrice(b, keys.get(b.id), io.fetch as never, { timeouts: config.timeouts, ...(io.signal ? { signal: io.signal } : {}) });

  // 1. Probe each backend's window (backends in parallel, one probe at a time each).
  const probes: ProbeSummary[] = await Promise.all(
    backends.map(async (backend): Promise<ProbeSummary> => {
      const records: ProbeSummary['probes'] = [];
      const result = await largestAcceptedLength(lengths, async (length) => {
        const probe = probePrompt(length, maxTokens);
        const r = await runComparison({
          backends: [backend],
          messages: [{ role: 'user', content: probe.prompt }],
          params,
          timeouts: config.timeouts,
          resolveKey: (b) => keys.get(b.id),
          usageMemory,
          priceCache,
          modelsPrice,
          ...(io.signal ? { signal: io.signal } : {}),
          ...(io.fetch ? { fetch: io.fetch as never } : {}),
        });
        const trial = r.results[0]!;
        const outcome = trial.status === 'cancelled' || trial.status === 'not_sent' ? { fits: null, message: trial.error?.message ?? trial.status } as const : classifyProbe(trial, probe.tokens + 7);
        records.push({ length: length.label, targetTokens: length.tokens, outcome, costUsd: trial.cost.costUsd });
        io.stderr.write(`  probe ${backend.id} at ${length.label}: ${outcome.fits === true ? 'fits' : outcome.fits === false ? 'too long' : `failed (${outcome.message})`}\n`);
        return outcome;
      });
      return { backend: backend.id, largest: result.largest?.label ?? null, probes: records, failure: result.failure };
    }),
  );
  await writeText(join(workDir, 'probes.json'), `${JSON.stringify(probes, null, 2)}\n`);
  if (io.signal?.aborted) {
    io.stderr.write('Interrupted while probing; nothing else was sent.\n');
    return interruptedCode(io.signal);
  }
  const failed = probes.filter((p) => p.failure !== null);
  if (failed.length) {
    io.stderr.write(
      `bakeoff: could not probe ${failed.map((p) => `${p.backend} (${p.failure})`).join('; ')}. ` +
        'Check the backend with `bakeoff backends check`, then run again. Nothing else was sent.\n',
    );
    return reproduceExitCodes.failed;
  }
  const common = Math.min(...probes.map((p) => lengths.find((l) => l.label === p.largest)?.tokens ?? 0));
  const lengthsRun = lengths.filter((l) => l.tokens <= common);
  const notes: string[] = [];
  if (skipped.length) notes.push(`Not used (neither closed nor decentralized): ${skipped.map((b) => `${b.id} (${b.kind})`).join(', ')}.`);
  if (lengthsRun.length < lengths.length) {
    const limiting = probes.filter((p) => (lengths.find((l) => l.label === p.largest)?.tokens ?? 0) === common).map((p) => p.backend);
    notes.push(
      lengthsRun.length
        ? `Long-context tasks ran up to ${lengthsRun[lengthsRun.length - 1]!.label}, the largest length every backend accepts (limited by ${limiting.join(', ')}).`
        : `No long-context length fits every backend (${limiting.join(', ')} refused even ${lengths[0]!.label}): the accuracy gap is not measured.`,
    );
  }

  // 2. The suites, written down and read back with the suite loader.
  const suites = planSuites(options, lengthsRun);
  const completionPath = join(workDir, 'completion.yaml');
  const longPath = join(workDir, 'longctx.yaml');
  await writeText(completionPath, suiteToYaml(suites.completion, `Generated by: bakeoff reproduce --seed ${flags.seed} --completion-n ${flags.completionN}`));
  if (lengthsRun.length) {
    await writeText(longPath, suiteToYaml(suites.longContext, `Generated by: bakeoff reproduce --seed ${flags.seed} --lengths ${lengthsRun.map((l) => l.label).join(',')} --n ${flags.n}`));
  }
  const probeSpend = probes.flatMap((p) => p.probes.map((r) => r.costUsd ?? 0)).reduce((s, v) => s + v, 0);
  let remaining = budgetUsd === null ? null : Math.max(0, budgetUsd - probeSpend);

  const runOne = async (suitePath: string, name: string): Promise<SuiteRunRecord | null> => {
    let suite: Suite;
    try {
      suite = loadSuite(suitePath, { env: io.env });
    } catch (err) {
      return asUsageError(err);
    }
    const planBackends: RunBackend[] = backends.map((backend) => ({ backend, plan: planBackend(backend, RequestParams.parse({ ...params, ...(suite.request ?? {}) })) }));
    const header: ResultsHeader = {
      type: 'header',
      format: 'bakeoff-suite-results',
      version: 1,
      runId: randomUUID(),
      startedAt: new Date().toISOString(),
      bakeoffVersion,
      suite: { file: suite.file, description: suite.description, hash: suite.hash, tests: suite.tests.length, format: suite.format },
      seed: flags.seed,
      trials: 1,
      shard: null,
      backends: planBackends.map((b) => b.plan),
      tests: suite.tests.map((t) => ({ id: t.id, index: t.index, description: t.description, promptLabel: t.promptLabel, metadata: t.metadata })),
      baselineId: reference,
    };
    const resultsPath = join(workDir, `${name}.jsonl`);
    const writer = await ResultsWriter.create(resultsPath, header).catch((err: unknown) => {
      throw new UsageError(`cannot write ${resultsPath} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    });
    io.stderr.write(`Running ${suite.tests.length} ${name} tasks on ${backends.length} backends…\n`);
    const progress = new ProgressLine(io.stderr);
    try {
      const result = await runSuite({
        tests: suite.tests,
        backends: planBackends,
        trials: 1,
        seed: flags.seed,
        concurrency: flags.concurrency ?? planBackends.length,
        timeouts: config.timeouts,
        resolveKey: (b) => keys.get(b.id),
        writer,
        maxCostUsd: remaining,
        ...(io.signal ? { signal: io.signal } : {}),
        ...(io.fetch ? { fetch: io.fetch as never } : {}),
        priceCache,
        modelsPrice,
        onProgress: (p) => progress.update(p),
      });
      if (remaining !== null) remaining = Math.max(0, remaining - result.spendUsd);
      const runNotes = result.outcome === 'budget' ? [`${name}: stopped sending at the budget; ${result.notSent} cells were not sent.`] : [];
      notes.push(...runNotes);
      return { header, cells: result.cells, outcome: result.outcome, notes: runNotes };
    } catch (err) {
      if (err instanceof BudgetError) throw new UsageError(err.message);
      throw err;
    } finally {
      progress.finish();
      await writer.close().catch(() => undefined);
    }
  };

  const completion = await runOne(completionPath, 'completion');
  const longContext = lengthsRun.length && !io.signal?.aborted && completion?.outcome !== 'budget' ? await runOne(longPath, 'longctx') : null;

  const prices = Object.fromEntries(backends.map((b) => [b.id, describePricing(b)]));
  const report = buildClaimsReport({
    plan: {
      seed: flags.seed,
      lengthsRequested: lengths.map((l) => l.label),
      lengthsRun: lengthsRun.map((l) => l.label),
      n: flags.n,
      completionN: flags.completionN,
      budgetUsd,
    },
    backends: backends.map((b) => planBackend(b, params)),
    reference,
    prices,
    probes,
    completion,
    longContext,
    notes,
  });
  for (const o of outputs) {
    const ext = extname(o).toLowerCase();
    const text = ext === '.md' ? toClaimsMarkdown(report) : ext === '.json' ? `${JSON.stringify(report, null, 2)}\n` : toClaimsHtml(report, flags.banner ? { banner: flags.banner } : {});
    await writeText(o, text);
    io.stderr.write(`Wrote ${o}\n`);
  }
  await writeText(join(workDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  io.stdout.write(toClaimsText(report));
  if (report.outcome === 'interrupted') return interruptedCode(io.signal);
  return reproduceExitCodes.ok;
}

function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function budget(value: string): number | 'none' {
  if (value.trim().toLowerCase() === 'none') return 'none';
  const n = Number(value.replace(/^\$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be an amount in US dollars (e.g. 1 or 0.50), or "none"');
  return n;
}

/** Registers `bakeoff reproduce` on the program. */
export function registerReproduce(program: Command, io: CliIo, setAction: (action: Promise<number>) => void): void {
  program
    .command('reproduce')
    .description(suiteCommandDescriptions.reproduce)
    .requiredOption('-c, --config <file>', 'config file with the backends (at least one closed and one decentralized)')
    .option('-b, --backends <ids>', 'comma-separated backend ids (default: every closed and decentralized backend)')
    .option('--budget <usd>', 'most US dollars to spend, or "none"', budget, defaultReproduce.budgetUsd)
    .option('--lengths <list>', 'long-context lengths to try, k = 1,024 tokens (those a backend refuses are dropped)', defaultReproduce.lengths)
    .option('-n, --n <n>', 'long-context tasks per family per length', wholeNumber('--n', 1, 1000), defaultReproduce.n)
    .option('--completion-n <n>', 'completion tasks per family', wholeNumber('--completion-n', 1, 10_000), defaultReproduce.completionN)
    .option('--seed <n>', 'seed of the tasks and of the run order', wholeNumber('--seed', 0, 2 ** 31 - 1), defaultReproduce.seed)
    .option('-o, --output <file>', 'write the report: .html, .md or .json; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--work-dir <dir>', 'where the suites, probes and raw results go (default: bakeoff-reproduce-<time>)')
    .option('--concurrency <n>', 'requests in flight at once, all backends together (default: one per backend)', wholeNumber('--concurrency', 1, 1000))
    .option('--banner <text>', 'a line shown at the top of the HTML report (e.g. what the backends stand for)')
    .option('--dry-run', 'print the plan, its token count and cost per backend, and what it can detect; send nothing')
    .action((opts: ReproduceFlags) => {
      setAction(reproduce(opts, io).catch(asUsageError));
    });
}
