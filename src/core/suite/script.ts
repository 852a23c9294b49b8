/**
 * Runs a suite's `javascript` assertions and `transform`s — only when the user passed
 * `--allow-js`. Each runs in a fresh `node:vm` context that has the JavaScript built-ins and
 * nothing else (no `require`, `process`, timers or network), with the data copied in as JSON and
 * a time limit on the code and its microtasks. A vm context is not a security boundary against
 * hostile code; the opt-in flag is.
 */
import vm from 'node:vm';

/** Default time limit of one script, ms. */
export const scriptTimeoutMs = 1_000;

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

/**
 * The function body for promptfoo's inline JavaScript: multi-line code is used as it is (it
 * must `return`); a single line is an expression, except that leading declarations
 * (`const s = …; s > 1`) get `return` before the last statement.
 */
export function functionBody(code: string): string {
  const trimmed = code.trim();
  if (trimmed.includes('\n')) return trimmed;
  const single = trimmed.replace(/;+\s*$/, '');
  if (/^(const|let|var)\s/.test(single)) {
    const cut = lastTopLevelSemicolon(single);
    if (cut >= 0 && single.slice(cut + 1).trim()) return `${single.slice(0, cut + 1)} return ${single.slice(cut + 1).trim()}`;
    return single;
  }
  return `return ${single}`;
}

/** Index of the last `;` outside strings, template literals and brackets; -1 when none. */
function lastTopLevelSemicolon(code: string): number {
  let depth = 0;
  let quote: string | null = null;
  let last = -1;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ';' && depth === 0) last = i;
  }
  return last;
}

/**
 * Runs `body` as `function (output, context) { body }` in a fresh context. `output` (the answer
 * text, or what a transform returned) and `context` are copied in as JSON. Resolves with the
 * returned value (awaited when it is a promise), as plain data copied back out (`undefined` as
 * `null`); rejects with a {@link ScriptError} on a throw, a timeout, or a result that is not
 * plain data.
 */
export async function runScript(body: string, output: unknown, context: unknown, timeoutMs = scriptTimeoutMs): Promise<unknown> {
  const sandbox = vm.createContext(Object.create(null) as object, {
    codeGeneration: { strings: false, wasm: false },
    // Promise jobs run inside the evaluation, under the same time limit.
    microtaskMode: 'afterEvaluate',
  });
  const data = JSON.stringify({ output, context: context ?? {} });
  // The context has no timers or I/O, so once its microtasks ran a promise that is still pending
  // can never settle: the holder is read synchronously after the evaluation.
  const source =
    `(() => { const __d = JSON.parse(${JSON.stringify(data)}); const __h = {};\n` +
    `const __r = (function (output, context) {\n${body}\n}).call(undefined, __d.output, __d.context);\n` +
    `const __keep = (v) => { __h.v = JSON.stringify(v === undefined ? null : v); };\n` +
    `if (__r && typeof __r.then === 'function') __r.then(__keep, (e) => { __h.e = String(e && e.message || e); }); else __keep(__r);\n` +
    `return __h; })()`;
  let holder: { v?: unknown; e?: unknown };
  try {
    holder = new vm.Script(source, { filename: 'assertion.js' }).runInContext(sandbox, { timeout: timeoutMs }) as typeof holder;
  } catch (err) {
    throw new ScriptError(scriptMessage(err));
  }
  if (typeof holder?.e === 'string') throw new ScriptError(`threw ${holder.e}`.slice(0, 500));
  if (typeof holder?.v !== 'string') throw new ScriptError('returned a promise that never settled');
  try {
    return JSON.parse(holder.v) as unknown;
  } catch {
    throw new ScriptError('returned a value that cannot be read');
  }
}

function scriptMessage(err: unknown): string {
  const e = err as { code?: string; message?: string; name?: string } | null;
  if (e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'did not finish within the time limit';
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `threw ${name}${e?.message ?? String(err)}`.slice(0, 500);
}
