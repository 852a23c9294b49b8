/**
 * Merges the results files of the shards of one run. The shards must come from the same suite
 * (content hash), seed, number of shards, trials and backends; each shard at most once. Every
 * statistic is then recomputed from the raw cells (summarizeSuite), so a merged report equals the
 * report of the same run unsharded.
 */
import type { ReadResults } from './store';
import type { ResultsHeader, SuiteCell, TestInfo } from './types';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

export interface Merged {
  header: ResultsHeader;
  cells: SuiteCell[];
  tests: TestInfo[];
  shardsMerged: number[];
  notes: string[];
}

/** Merges results files (named by `names` in messages). Throws {@link MergeError} on any mismatch. */
export function mergeResults(files: ReadonlyArray<ReadResults & { name: string }>): Merged {
  if (files.length === 0) throw new MergeError('nothing to merge');
  const first = files[0]!;
  const h0 = first.header;
  const backendIds = (h: ResultsHeader) => h.backends.map((b) => b.id).join(',');
  const seenShards = new Map<number, string>();
  for (const f of files) {
    const h = f.header;
    const differs = (what: string, a: unknown, b: unknown) =>
      new MergeError(`${f.name} is from a different ${what} than ${first.name} (${String(b)} vs ${String(a)}): refusing to merge`);
    if (h.suite.hash !== h0.suite.hash) throw differs('suite', h0.suite.hash.slice(0, 12), h.suite.hash.slice(0, 12));
    if (h.seed !== h0.seed) throw differs('seed', h0.seed, h.seed);
    if ((h.shard?.count ?? 1) !== (h0.shard?.count ?? 1)) throw differs('number of shards', h0.shard?.count ?? 1, h.shard?.count ?? 1);
    if (h.trials !== h0.trials) throw differs('number of trials', h0.trials, h.trials);
    if (backendIds(h) !== backendIds(h0)) throw differs('set of backends', backendIds(h0), backendIds(h));
    const index = h.shard?.index ?? 1;
    const before = seenShards.get(index);
    if (before) throw new MergeError(`${f.name} and ${before} are the same shard (${index}/${h.shard?.count ?? 1}): refusing to merge`);
    seenShards.set(index, f.name);
  }
  const count = h0.shard?.count ?? 1;
  const shardsMerged = [...seenShards.keys()].sort((a, b) => a - b);
  const notes: string[] = [];
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seenShards.has(i));
  if (missing.length) notes.push(`Shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} ${missing.length > 1 ? 'are' : 'is'} missing: the report covers ${shardsMerged.length} of ${count}.`);
  const tests = new Map<string, TestInfo>();
  for (const f of files) for (const t of f.header.tests) tests.set(t.id, t);
  const cells = new Map<string, SuiteCell>();
  for (const f of files) for (const c of f.cells) cells.set(`${c.test}\u0000${c.backend}\u0000${c.trial}`, c);
  const startedAt = files.map((f) => f.header.startedAt).sort()[0]!;
  const header: ResultsHeader = {
    ...h0,
    startedAt,
    shard: null,
    suite: { ...h0.suite },
    tests: [...tests.values()].sort((a, b) => a.index - b.index),
  };
  return { header, cells: [...cells.values()], tests: header.tests, shardsMerged, notes };
}
