/**
 * Deciding how an answer's code goes into the file it was asked about. Models often answer a
 * question about one function with the whole file: replacing only the selection with that
 * would define everything outside the selection twice (an `Item` interface and an
 * `applyDiscount` function declared twice → compile errors). {@link detectWholeFileAnswer} spots
 * such answers so the editor can offer *Replace whole file* instead. Pure: no Node built-ins.
 */

/** What {@link detectWholeFileAnswer} found. */
export interface WholeFileVerdict {
  /** The code redefines what lies outside the selection: replacing just the selection would duplicate it. */
  wholeFile: boolean;
  /** Names declared both in the code and in the file outside the selection, in the code's order. */
  redefined: string[];
  /** Share of the significant lines outside the selection that the code repeats (0–1). */
  outsideLinesRepeated: number;
}

// A declaration at the start of a line (any indentation), in the languages people usually
// compare: TS/JS, Python, Go, Rust, Java/C#/Kotlin, C/C++ structs, Ruby, PHP, Swift.
const declarationPatterns: readonly RegExp[] = [
  /^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|namespace|module)\s+([A-Za-z_$][\w$]*)/,
  /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*[:=]/,
  /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/,
  /^\s*class\s+([A-Za-z_]\w*)\s*[(:]/,
  /^\s*func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*\(/,
  /^\s*type\s+([A-Za-z_]\w*)\s+(?:struct|interface)\b/,
  /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|mod)\s+([A-Za-z_]\w*)/,
  /^\s*(?:public|private|protected|internal)?\s*(?:static\s+)?(?:final\s+)?(?:sealed\s+)?(?:data\s+)?(?:class|interface|record|enum|object)\s+([A-Za-z_]\w*)/,
  /^\s*(?:fun|func)\s+([A-Za-z_]\w*)\s*[(<]/,
  /^\s*(?:struct|union)\s+([A-Za-z_]\w*)\s*\{/,
];

/** Names declared in `code`, in order, each once. */
export function declaredNames(code: string): string[] {
  const names: string[] = [];
  for (const line of code.split(/\r\n|\r|\n/)) {
    for (const pattern of declarationPatterns) {
      const name = pattern.exec(line)?.[1];
      if (name) {
        if (!names.includes(name)) names.push(name);
        break;
      }
    }
  }
  return names;
}

/** Lines worth comparing: trimmed, at least 8 characters, not just brackets or punctuation. */
function significantLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && /[A-Za-z0-9]/.test(l));
}

/**
 * Whether `code`, meant to replace `fileText.slice(selectionStart, selectionEnd)`, is in fact an
 * answer for the whole file: it declares a name that is declared in the file outside the
 * selection, or it repeats most (≥ 60 %, at least 3) of the significant lines outside it.
 * A selection that covers the whole file (blank lines aside) is never "partial".
 */
export function detectWholeFileAnswer(fileText: string, selectionStart: number, selectionEnd: number, code: string): WholeFileVerdict {
  const start = Math.max(0, Math.min(selectionStart, fileText.length));
  const end = Math.max(start, Math.min(selectionEnd, fileText.length));
  const outside = `${fileText.slice(0, start)}\n${fileText.slice(end)}`;
  if (outside.trim() === '' || code.trim() === '') return { wholeFile: false, redefined: [], outsideLinesRepeated: 0 };
  const selected = new Set(declaredNames(fileText.slice(start, end)));
  const outsideNames = new Set(declaredNames(outside));
  // A name the selection itself declares too (an overload, a re-declared helper) is not evidence.
  const redefined = declaredNames(code).filter((name) => outsideNames.has(name) && !selected.has(name));
  const outsideLines = significantLines(outside);
  const codeLines = new Set(significantLines(code));
  const repeated = outsideLines.filter((l) => codeLines.has(l)).length;
  const outsideLinesRepeated = outsideLines.length ? repeated / outsideLines.length : 0;
  const wholeFile = redefined.length > 0 || (outsideLines.length >= 3 && outsideLinesRepeated >= 0.6);
  return { wholeFile, redefined, outsideLinesRepeated };
}
