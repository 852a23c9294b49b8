/**
 * `bakeoff merge FILE…` — merges the results JSONL of the shards of one run and writes the
 * reports, every statistic recomputed from the raw cells. Refuses shards of a different suite,
 * seed, number of shards, trials or backends.
 *
 *   bakeoff merge shard-*.jsonl --output report.html [--output report.json] [--json]
 *                 [--baseline ID] [--fail-under passRate=0.85]
 */
import { Command, Option } from 'commander';
import { mergeResults, MergeError } from '../core/suite/merge';
import { buildSuiteReport, toJsonSummary, toSuiteText } from '../core/suite/report';
import { readResults } from '../core/suite/store';
import { UsageError, type CliIo } from './common';
import { suiteCommandDescriptions } from './exit';
import { asUsageError, checkOutputs, exitCodeFor, parseGates, writeOutputs, type Gate } from './run';
import { rawStream } from './terminalText';

interface MergeFlags {
  output?: string[];
  json?: boolean;
  baseline?: string;
  failUnder?: Gate[];
}

async function merge(files: string[], flags: MergeFlags, io: CliIo): Promise<number> {
  const outputs = flags.output ?? [];
  checkOutputs(outputs);
  const read = [];
  for (const f of files) read.push({ ...(await readResults(f)), name: f });
  let merged;
  try {
    merged = mergeResults(read);
  } catch (err) {
    if (err instanceof MergeError) throw new UsageError(err.message);
    throw err;
  }
  const baselineId = flags.baseline ?? merged.header.baselineId;
  if (baselineId !== null && !merged.header.backends.some((b) => b.id === baselineId)) {
    throw new UsageError(`--baseline ${baselineId} is not one of the backends: ${merged.header.backends.map((b) => b.id).join(', ')}`);
  }
  for (const n of merged.notes) io.stderr.write(`warning: ${n}\n`);
  const report = buildSuiteReport({
    header: merged.header,
    cells: merged.cells,
    tests: merged.tests,
    outcome: 'finished',
    shardsMerged: merged.shardsMerged,
    notes: merged.notes,
    baselineId,
  });
  await writeOutputs(outputs, report, merged.header, null, io);
  if (flags.json) rawStream(io.stdout).write(`${JSON.stringify(toJsonSummary(report), null, 2)}\n`);
  else io.stdout.write(toSuiteText(report));
  return exitCodeFor(report, flags.failUnder ?? null, io);
}

/** Registers `bakeoff merge` on the program. */
export function registerMerge(program: Command, io: CliIo, setAction: (action: Promise<number>) => void): void {
  program
    .command('merge')
    .description(suiteCommandDescriptions.merge)
    .argument('<files...>', 'results files of the shards (e.g. shard-*.jsonl)')
    .option('-o, --output <file>', 'write a report: .json, .jsonl, .md, .html, .csv or .xml (JUnit); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the summary as JSON on stdout')
    .option('--baseline <id>', 'backend the others are compared with (default: the one the run used)')
    .addOption(new Option('--fail-under <gate>', 'exit 100 unless every backend reaches it, e.g. passRate=0.85').argParser(parseGates))
    .action((files: string[], opts: MergeFlags) => {
      setAction(merge(files, opts, io).catch(asUsageError));
    });
}
