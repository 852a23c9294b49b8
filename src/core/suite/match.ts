/**
 * Pure answer-matching rules shared by the assertions: promptfoo's comma-separated lists, and
 * finding JSON objects inside free text. (Whole-token item matching, for `item-recall` and
 * `exclusive-choice`, is in tasks/scoring.ts.)
 */

/**
 * Splits a promptfoo comma-separated list (`a, b, "c, d"`): fields are trimmed, double quotes
 * protect commas (`""` or `\"` is a quote inside), empty fields are skipped. Throws on an
 * unterminated quote.
 */
export function parseCommaSeparated(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    while (i < n && (value[i] === ',' || /\s/.test(value[i]!))) i++;
    if (i >= n) break;
    if (value[i] === '"') {
      let field = '';
      let closed = false;
      i++;
      while (i < n) {
        const ch = value[i]!;
        if (ch === '\\' && (value[i + 1] === '"' || value[i + 1] === '\\')) {
          field += value[i + 1];
          i += 2;
        } else if (ch === '"' && value[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (ch === '"') {
          i++;
          closed = true;
          break;
        } else {
          field += ch;
          i++;
        }
      }
      if (!closed) throw new Error('unterminated quoted field');
      while (i < n && /\s/.test(value[i]!)) i++;
      if (i < n && value[i] !== ',') throw new Error('expected a comma after a quoted field');
      out.push(field);
    } else {
      let j = i;
      while (j < n && value[j] !== ',') j++;
      const field = value.slice(i, j).trim();
      if (field) out.push(field);
      i = j;
    }
  }
  return out;
}

/**
 * JSON objects found in free text, in order: every `{` starts a candidate that runs to its
 * balanced `}` (braces inside strings ignored) and is kept when it parses as a JSON object, as
 * promptfoo's `contains-json` does. Text of an object already found is not searched again.
 */
export function extractJsonObjects(text: string, maxCandidateChars = 1_000_000): unknown[] {
  const found: unknown[] = [];
  let start = text.indexOf('{');
  while (start >= 0) {
    let depth = 0;
    let inString = false;
    let end = -1;
    const limit = Math.min(text.length, start + maxCandidateChars);
    for (let i = start; i < limit; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) {
          end = i;
          break;
        }
      }
    }
    if (end >= 0) {
      try {
        const value: unknown = JSON.parse(text.slice(start, end + 1));
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          found.push(value);
          start = text.indexOf('{', end + 1);
          continue;
        }
      } catch {
        // not JSON: try the next brace
      }
    }
    start = text.indexOf('{', start + 1);
  }
  return found;
}
