/**
 * The files a suite run can be written as, by extension — the same for `bakeoff run --output`,
 * `bakeoff merge` and the editor's exports, so a report saved from either is the same file.
 */
import { toSuiteHtml } from './html';
import { toCellsCsv, toJunitXml, toResultsJsonl, toSuiteMarkdown, type SuiteReport } from './report';
import type { ResultsHeader } from './types';

/** A report format: what it is called and how it is written. */
export interface SuiteOutputFormat {
  /** Lower-case extension with its dot. */
  extension: string;
  label: string;
  write: (report: SuiteReport, header: ResultsHeader) => string;
}

/** Every output format, by extension. */
export const suiteOutputFormats: Readonly<Record<string, SuiteOutputFormat>> = {
  '.html': { extension: '.html', label: 'HTML report (self-contained, with charts)', write: (r) => toSuiteHtml(r) },
  '.htm': { extension: '.htm', label: 'HTML report', write: (r) => toSuiteHtml(r) },
  '.md': { extension: '.md', label: 'Markdown report', write: (r) => toSuiteMarkdown(r) },
  '.markdown': { extension: '.markdown', label: 'Markdown report', write: (r) => toSuiteMarkdown(r) },
  '.json': { extension: '.json', label: 'JSON report (the report object)', write: (r) => `${JSON.stringify(r, null, 2)}\n` },
  '.jsonl': { extension: '.jsonl', label: 'Results JSONL (header and one line per cell; bakeoff merge and --resume read it)', write: (r, header) => toResultsJsonl(header, r.cells) },
  '.csv': { extension: '.csv', label: 'CSV (one row per cell)', write: (r) => toCellsCsv(r) },
  '.xml': { extension: '.xml', label: 'JUnit XML', write: (r) => toJunitXml(r) },
};

/** The format of a file name, by its extension (case-insensitive); undefined when unknown. */
export function suiteOutputFormatOf(fileName: string): SuiteOutputFormat | undefined {
  const match = /\.[^./\\]+$/.exec(fileName);
  return match ? suiteOutputFormats[match[0].toLowerCase()] : undefined;
}
