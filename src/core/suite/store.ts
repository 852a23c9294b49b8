/**
 * The results file: JSONL, a header line then one line per finished cell, appended as each cell
 * ends. Writes go through a queue (in order, several lines per write when they pile up) on the
 * libuv thread pool, so writing never blocks the event loop that timestamps streams. A cell
 * counts as saved once its line is written; a run killed at any moment loses at most the cells
 * in flight and the lines still queued. Nothing secret is ever written: a cell holds the answer
 * (keys echoed in it were already redacted), metrics and the grade; the header holds backend
 * ids, models and base URLs, never keys or headers.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { ResultsHeader, SuiteCell } from './types';

/** A results file that cannot be used. */
export class ResultsFileError extends Error {
  override readonly name = 'ResultsFileError';
}

/** States a resumed run sends again: the request never completed. */
const unfinished = new Set(['not_sent', 'cancelled']);

/** Whether a stored cell is final (a resumed run does not send it again). */
export function isFinalCell(cell: Pick<SuiteCell, 'status'>): boolean {
  return !unfinished.has(cell.status);
}

/** The key of a cell within a run. */
export const cellKey = (c: Pick<SuiteCell, 'test' | 'backend' | 'trial'>): string => `${c.test}\u0000${c.backend}\u0000${c.trial}`;

export interface ReadResults {
  header: ResultsHeader;
  /** Cells in file order; for a cell written twice (resumed after a cancel), the last line wins. */
  cells: SuiteCell[];
  /** Byte length of the complete lines (a half-written last line is cut off on resume). */
  completeBytes: number;
  /** A half-written last line was found. */
  truncatedTail: boolean;
}

/** Reads a results file. Throws {@link ResultsFileError} when it is not one. */
export async function readResults(path: string): Promise<ReadResults> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ResultsFileError(code === 'ENOENT' ? `results file not found: ${path}` : `cannot read ${path} (${code ?? String(err)})`);
  }
  const lastNewline = buf.lastIndexOf(0x0a);
  const completeBytes = lastNewline + 1;
  const text = buf.subarray(0, completeBytes).toString('utf8');
  const lines = text.split('\n');
  let header: ResultsHeader | null = null;
  const byKey = new Map<string, SuiteCell>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let value: { type?: unknown };
    try {
      value = JSON.parse(line) as { type?: unknown };
    } catch {
      throw new ResultsFileError(`${path}:${i + 1}: not a JSON line`);
    }
    if (i === 0) {
      const h = value as ResultsHeader;
      if (h.type !== 'header' || h.format !== 'bakeoff-suite-results') throw new ResultsFileError(`${path} is not a Bakeoff results file (no header line)`);
      if (h.version !== 1) throw new ResultsFileError(`${path}: results format version ${String(h.version)} is not supported`);
      header = h;
      return;
    }
    if (value.type !== 'cell') throw new ResultsFileError(`${path}:${i + 1}: unexpected line type ${JSON.stringify(value.type)}`);
    const cell = value as SuiteCell;
    const key = cellKey(cell);
    byKey.delete(key);
    byKey.set(key, cell);
  });
  if (!header) throw new ResultsFileError(`${path} is empty or not a Bakeoff results file`);
  return { header, cells: [...byKey.values()], completeBytes, truncatedTail: completeBytes < buf.length };
}

/** Appends lines to a results file, in order, off the event loop. */
export class ResultsWriter {
  private queue: string[] = [];
  /** Settles when every line queued so far is written (rejects once a write failed). */
  private tail: Promise<void> = Promise.resolve();
  /** A flush is scheduled and has not started: new lines join it. */
  private scheduled = false;
  private closed = false;
  /** Where the next write goes, for a file opened to append; null: the file position. */
  private position: number | null = null;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Starts a new results file with its header (an existing file is replaced). */
  static async create(path: string, header: ResultsHeader): Promise<ResultsWriter> {
    const handle = await open(path, 'w');
    const writer = new ResultsWriter(handle, path);
    await handle.write(`${JSON.stringify(header)}\n`);
    return writer;
  }

  /** Opens an existing results file to append to, cutting off a half-written last line. */
  static async append(path: string, completeBytes: number): Promise<ResultsWriter> {
    const handle = await open(path, 'r+');
    await handle.truncate(completeBytes);
    const writer = new ResultsWriter(handle, path);
    writer.position = completeBytes;
    return writer;
  }

  /** Queues one cell; resolves when its line is written. */
  write(cell: SuiteCell): Promise<void> {
    if (this.closed) return Promise.reject(new ResultsFileError('the results file is closed'));
    this.queue.push(`${JSON.stringify(cell)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      this.tail = this.tail.then(() => this.flush());
    }
    return this.tail;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const chunk = this.queue.join('');
    this.queue = [];
    if (!chunk) return;
    try {
      if (this.position === null) await this.handle.write(chunk);
      else {
        const { bytesWritten } = await this.handle.write(chunk, this.position);
        this.position += bytesWritten;
      }
    } catch (err) {
      throw new ResultsFileError(`cannot write ${this.path}: ${(err as Error).message}`);
    }
  }

  /** Waits for queued lines, then closes the file. Rejects when some line could not be written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.tail;
    } finally {
      await this.handle.close();
    }
  }
}
