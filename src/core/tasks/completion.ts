/**
 * Completion task generator (`bakeoff gen completion`): short tasks with exactly one checkable
 * answer, from templates filled in from a seed — so a backend's *completion* rate (delivered and
 * correct) can be told apart from its delivery rate.
 *
 * Families: `number-words` (English number words → digits), `arithmetic` (multi-step word
 * problems), `units` (unit conversions, some from several units), `dates` (date arithmetic and
 * days of the week), `code` (what a small JavaScript function returns).
 *
 * Scoring: a numeric or date answer must be the *last* number (or date) of the answer, so a model
 * may show its working but cannot list candidates (`regex`, with promptfoo's semantics); a day of
 * the week is an `exclusive-choice` among the seven. The expected answer never appears in the
 * prompt, so echoing the prompt cannot score.
 */
import { referenceTokenizer, TokenMeter } from './haystack';
import { Rng } from './random';
import type { ExclusiveChoiceAssertion } from './scoring';
import type { PromptfooAssertion, TaskSuite, TaskTest } from './suite';
import { people } from './words';

export const completionFamilies = ['number-words', 'arithmetic', 'units', 'dates', 'code'] as const;
export type CompletionFamily = (typeof completionFamilies)[number];

/** Default answer bound of completion suites, in tokens. */
export const defaultCompletionMaxTokens = 128;

export function parseCompletionFamilies(text: string): CompletionFamily[] {
  const wanted = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((f) => !(completionFamilies as readonly string[]).includes(f));
  if (unknown.length) throw new RangeError(`unknown task famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; choose from ${completionFamilies.join(', ')}`);
  if (wanted.length === 0) throw new RangeError(`no task family given; choose from ${completionFamilies.join(', ')}`);
  return completionFamilies.filter((f) => wanted.includes(f));
}

interface CompletionItem {
  variant: string;
  prompt: string;
  /** The answer, as the scoring expects it. */
  answer: string;
  assert: (PromptfooAssertion | ExclusiveChoiceAssertion)[];
}

// ---------- number words ----------

const ones = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function underThousand(n: number): string {
  const parts: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h) parts.push(`${ones[h]} hundred`);
  if (rest) {
    const words = rest < 20 ? ones[rest]! : tens[Math.floor(rest / 10)]! + (rest % 10 ? `-${ones[rest % 10]}` : '');
    parts.push(h ? `and ${words}` : words);
  }
  return parts.join(' ');
}

/** British English number words: 407231 → "four hundred and seven thousand, two hundred and thirty-one". */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e12) throw new RangeError(`cannot write ${n} in words`);
  if (n === 0) return 'zero';
  const groups: [number, string][] = [
    [1e9, 'billion'],
    [1e6, 'million'],
    [1e3, 'thousand'],
    [1, ''],
  ];
  const parts: string[] = [];
  let rest = n;
  for (const [size, name] of groups) {
    const g = Math.floor(rest / size);
    rest %= size;
    if (!g) continue;
    const words = underThousand(g);
    // "one thousand and five": a last group under 100 after larger ones takes "and".
    if (size === 1 && parts.length && g < 100) parts.push(`and ${words}`);
    else parts.push(name ? `${words} ${name}` : words);
  }
  return parts.join(', ').replace(/, and /g, ' and ');
}

function numberWords(rng: Rng): CompletionItem {
  const digits = rng.pick([2, 3, 4, 5, 6, 7, 9]);
  const n = rng.int(10 ** (digits - 1), 10 ** digits - 1);
  return {
    variant: `${digits}-digit`,
    prompt: `Write this number in digits: ${numberToWords(n)}. Reply with the number in digits only.`,
    answer: String(n),
    assert: [finalNumber(n)],
  };
}

// ---------- arithmetic word problems ----------

const goods = ['rolls', 'marbles', 'stamps', 'pencils', 'buttons', 'cards', 'shells', 'candles'];
const containers = ['boxes', 'bags', 'crates', 'packs'];

function arithmetic(rng: Rng): CompletionItem {
  for (;;) {
    const name = rng.pick(people);
    const item = rng.pick(goods);
    const container = rng.pick(containers);
    const lines: string[] = [];
    let value: number;
    if (rng.chance(0.5)) {
      value = rng.int(20, 120);
      lines.push(`${name} starts with ${value} ${item}.`);
    } else {
      const a = rng.int(2, 9);
      const b = rng.int(4, 15);
      value = a * b;
      lines.push(`${name} starts with ${a} ${container} of ${b} ${item}.`);
    }
    const steps = rng.int(3, 5);
    let ok = true;
    for (let s = 0; s < steps && ok; s++) {
      const kind = rng.pick(['add', 'addGroups', 'remove', 'remove', 'scale', 'share'] as const);
      if (kind === 'add') {
        const n = rng.int(2, 40);
        value += n;
        lines.push(`${name} ${rng.pick(['buys', 'gets', 'receives', 'finds'])} ${n} more ${item}.`);
      } else if (kind === 'addGroups') {
        const a = rng.int(2, 6);
        const b = rng.int(3, 12);
        value += a * b;
        lines.push(`${name} ${rng.pick(['buys', 'gets', 'receives'])} ${a} more ${container} of ${b} ${item}.`);
      } else if (kind === 'remove') {
        if (value < 4) {
          ok = false;
          break;
        }
        const n = rng.int(1, Math.floor(value * 0.6));
        value -= n;
        lines.push(`${name} ${rng.pick(['sells', 'gives away', 'loses', 'uses'])} ${n} ${item}.`);
      } else if (kind === 'scale') {
        if (value > 400) continue;
        const triple = rng.chance(0.3);
        value *= triple ? 3 : 2;
        lines.push(`${name} ${triple ? 'triples' : 'doubles'} the number of ${item}.`);
      } else {
        const k = [2, 3, 4, 5].filter((d) => value % d === 0 && value / d >= 2);
        if (k.length === 0) continue;
        const d = rng.pick(k);
        value /= d;
        lines.push(`${name} shares the ${item} equally among ${d} friends and keeps one share.`);
      }
    }
    if (!ok || value < 1) continue;
    const prompt =
      `Problem: ${lines.join(' ')}\nQuestion: How many ${item} does ${name} have now? Reply with the number only.`;
    if (numbersIn(prompt).has(String(value))) continue;
    return { variant: `${steps}-step`, prompt, answer: String(value), assert: [finalNumber(value)] };
  }
}

// ---------- unit conversions ----------

type Dimension = 'length' | 'mass' | 'volume' | 'time' | 'imperial';
const units: Record<string, { dim: Dimension; factor: number }> = {
  kilometres: { dim: 'length', factor: 1000 },
  metres: { dim: 'length', factor: 1 },
  centimetres: { dim: 'length', factor: 0.01 },
  millimetres: { dim: 'length', factor: 0.001 },
  kilograms: { dim: 'mass', factor: 1000 },
  grams: { dim: 'mass', factor: 1 },
  milligrams: { dim: 'mass', factor: 0.001 },
  litres: { dim: 'volume', factor: 1000 },
  millilitres: { dim: 'volume', factor: 1 },
  weeks: { dim: 'time', factor: 604800 },
  days: { dim: 'time', factor: 86400 },
  hours: { dim: 'time', factor: 3600 },
  minutes: { dim: 'time', factor: 60 },
  seconds: { dim: 'time', factor: 1 },
  yards: { dim: 'imperial', factor: 36 },
  feet: { dim: 'imperial', factor: 12 },
  inches: { dim: 'imperial', factor: 1 },
};

/** Rounds away binary noise (0.1 + 0.2) without hiding real decimals. */
const clean = (x: number) => Math.round(x * 1e6) / 1e6;

function conversions(rng: Rng): CompletionItem {
  for (;;) {
    const compound = rng.chance(0.4);
    if (compound) {
      // "2 days, 3 hours and 15 minutes to minutes"
      const dim = rng.pick(['time', 'imperial'] as const);
      const names = Object.keys(units).filter((u) => units[u]!.dim === dim);
      const start = rng.int(0, names.length - 3);
      const parts = names.slice(start, start + rng.int(2, Math.min(3, names.length - start - 1)));
      const target = rng.pick(names.slice(names.indexOf(parts[parts.length - 1]!)));
      const amounts = parts.map((_, i) => (i === 0 ? rng.int(1, 9) : rng.int(1, 11)));
      const total = clean(parts.reduce((sum, u, i) => sum + amounts[i]! * units[u]!.factor, 0) / units[target]!.factor);
      if (!Number.isInteger(total)) continue;
      const text = joinAnd(parts.map((u, i) => `${amounts[i]} ${u}`));
      const prompt = `Convert ${text} to ${target}. Reply with the number only.`;
      if (numbersIn(prompt).has(String(total))) continue;
      return { variant: `${dim}-compound`, prompt, answer: String(total), assert: [finalNumber(total)] };
    }
    const from = rng.pick(Object.keys(units));
    const to = rng.pick(Object.keys(units).filter((u) => u !== from && units[u]!.dim === units[from]!.dim));
    const ratio = units[from]!.factor / units[to]!.factor;
    // An amount whose result has at most two decimals.
    const amount = ratio >= 1 ? rng.int(2, 40) + (rng.chance(0.3) ? 0.5 : 0) : rng.int(2, 90) * Math.round(1 / ratio) / rng.pick([1, 2, 4]);
    const result = clean(amount * ratio);
    if (!Number.isFinite(result) || Math.round(result * 100) !== result * 100 || result >= 1e9) continue;
    const prompt = `Convert ${clean(amount)} ${from} to ${to}. Reply with the number only.`;
    if (numbersIn(prompt).has(String(result))) continue;
    return { variant: units[from]!.dim, prompt, answer: String(result), assert: [finalNumber(result)] };
  }
}

const joinAnd = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

// ---------- dates ----------

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const weekdayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const dayMs = 86_400_000;
const longDate = (d: Date) => `${d.getUTCDate()} ${monthNames[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

function dates(rng: Rng): CompletionItem {
  const base = new Date(Date.UTC(rng.int(1995, 2035), rng.int(0, 11), 1) + rng.int(0, 27) * dayMs);
  const kind = rng.pick(['shift', 'between', 'weekday'] as const);
  if (kind === 'shift') {
    const days = rng.int(3, 400);
    const after = rng.chance(0.6);
    const result = new Date(base.getTime() + (after ? 1 : -1) * days * dayMs);
    const answer = isoDate(result);
    return {
      variant: 'shift',
      prompt: `What is the date ${days} days ${after ? 'after' : 'before'} ${longDate(base)}? Reply in the form YYYY-MM-DD only.`,
      answer,
      assert: [finalDate(answer)],
    };
  }
  if (kind === 'between') {
    for (;;) {
      const days = rng.int(5, 800);
      const end = new Date(base.getTime() + days * dayMs);
      const prompt = `How many days are there from ${longDate(base)} to ${longDate(end)}? Reply with the number only.`;
      if (numbersIn(prompt).has(String(days))) continue;
      return { variant: 'between', prompt, answer: String(days), assert: [finalNumber(days)] };
    }
  }
  const answer = weekdayNames[base.getUTCDay()]!;
  return {
    variant: 'weekday',
    prompt: `What day of the week is ${longDate(base)}? Reply with the day's name only.`,
    answer,
    assert: [{ type: 'exclusive-choice', value: answer, options: [...weekdayNames] }],
  };
}

// ---------- code reading ----------

interface CodeTemplate {
  name: string;
  make(rng: Rng): { source: string; call: string; value: number };
}

const codeTemplates: CodeTemplate[] = [
  {
    name: 'loop-modulo',
    make(rng) {
      const m = rng.int(2, 5);
      const k = rng.int(2, 4);
      const d = rng.int(1, 3);
      const n = rng.int(6, 15);
      let total = 0;
      for (let i = 1; i <= n; i++) total += i % m === 0 ? i * k : -d;
      return {
        source: [
          'function f(n) {',
          '  let total = 0;',
          '  for (let i = 1; i <= n; i++) {',
          `    if (i % ${m} === 0) {`,
          `      total += i * ${k};`,
          '    } else {',
          `      total -= ${d};`,
          '    }',
          '  }',
          '  return total;',
          '}',
        ].join('\n'),
        call: `f(${n})`,
        value: total,
      };
    },
  },
  {
    name: 'while-steps',
    make(rng) {
      const n = rng.int(6, 40);
      let x = n;
      let steps = 0;
      while (x !== 1) {
        x = x % 2 === 0 ? x / 2 : 3 * x + 1;
        steps++;
      }
      return {
        source: [
          'function f(n) {',
          '  let steps = 0;',
          '  while (n !== 1) {',
          '    n = n % 2 === 0 ? n / 2 : 3 * n + 1;',
          '    steps++;',
          '  }',
          '  return steps;',
          '}',
        ].join('\n'),
        call: `f(${n})`,
        value: steps,
      };
    },
  },
  {
    name: 'filter-sum',
    make(rng) {
      const xs = Array.from({ length: rng.int(5, 8) }, () => rng.int(1, 60));
      const k = rng.int(2, 4);
      const r = rng.int(0, k - 1);
      const value = xs.filter((x) => x % k === r).reduce((s, x) => s + x, 0);
      return {
        source: ['function f(xs) {', `  return xs.filter((x) => x % ${k} === ${r}).reduce((sum, x) => sum + x, 0);`, '}'].join('\n'),
        call: `f([${xs.join(', ')}])`,
        value,
      };
    },
  },
  {
    name: 'recursion',
    make(rng) {
      const c = rng.int(1, 4);
      const n = rng.int(4, 10);
      const memo = new Map<number, number>();
      const f = (x: number): number => {
        if (x <= 1) return x + c;
        if (!memo.has(x)) memo.set(x, f(x - 1) + f(x - 2));
        return memo.get(x)!;
      };
      return {
        source: ['function f(n) {', `  if (n <= 1) return n + ${c};`, '  return f(n - 1) + f(n - 2);', '}'].join('\n'),
        call: `f(${n})`,
        value: f(n),
      };
    },
  },
  {
    name: 'string-count',
    make(rng) {
      const letters = 'abcdefghijklmnopqrstuvwxyz';
      const word = Array.from({ length: rng.int(8, 14) }, () => letters[rng.int(0, 25)]).join('');
      const m = rng.int(2, 5);
      const a = rng.int(1, 9);
      let count = 0;
      for (const ch of word) if ('aeiou'.includes(ch)) count++;
      return {
        source: [
          'function f(s) {',
          '  let count = 0;',
          '  for (const ch of s) {',
          "    if ('aeiou'.includes(ch)) count++;",
          '  }',
          `  return count * ${m} + ${a};`,
          '}',
        ].join('\n'),
        call: `f('${word}')`,
        value: count * m + a,
      };
    },
  },
];

function codeReading(rng: Rng): CompletionItem {
  for (;;) {
    const template = rng.pick(codeTemplates);
    const { source, call, value } = template.make(rng);
    const prompt = `Here is a JavaScript function:\n\n\`\`\`js\n${source}\n\`\`\`\n\nWhat does ${call} return? Reply with the value only.`;
    if (numbersIn(prompt).has(String(Math.abs(value)))) continue;
    return { variant: template.name, prompt, answer: String(value), assert: [finalNumber(value)] };
  }
}

// ---------- scoring patterns ----------

/** Whole numbers in a text, as written (without sign). */
function numbersIn(text: string): Set<string> {
  return new Set(text.match(/\d+(?:\.\d+)?/g) ?? []);
}

/**
 * A promptfoo `regex` assertion that passes when the *last* number in the answer is `value`:
 * thousands commas allowed ("4,207"), trailing zeros after a decimal point allowed ("4207.0"),
 * nothing numeric after it.
 */
export function finalNumber(value: number): PromptfooAssertion {
  if (!Number.isFinite(value)) throw new RangeError(`not a number: ${value}`);
  const negative = value < 0;
  const [int, frac] = String(Math.abs(value)).split('.') as [string, string | undefined];
  let grouped = '';
  for (let i = 0; i < int.length; i++) {
    if (i > 0 && (int.length - i) % 3 === 0) grouped += ',?';
    grouped += int[i];
  }
  const fraction = frac ? `\\.${frac}0*` : '(?:\\.0+)?';
  const sign = negative ? '[-\u2212]' : '(?<![-\u2212])';
  return { type: 'regex', value: `(?<![\\d.,])${sign}${grouped}${fraction}(?![\\s\\S]*\\d)` };
}

/** A promptfoo `regex` assertion: the last date-like text of the answer is `iso` (YYYY-MM-DD). */
export function finalDate(iso: string): PromptfooAssertion {
  return { type: 'regex', value: `(?<![\\d-])${iso}(?![\\s\\S]*\\d)` };
}

const generators: Record<CompletionFamily, (rng: Rng) => CompletionItem> = {
  'number-words': numberWords,
  arithmetic,
  units: conversions,
  dates,
  code: codeReading,
};

/** One item: the same (seed, family, index) always give the same item. */
export function generateCompletionItem(
  family: CompletionFamily,
  seed: number,
  index: number,
  meter: TokenMeter = new TokenMeter(),
): TaskTest & { answer: string } {
  const item = generators[family](Rng.derive(seed, 'completion', family, index));
  return {
    description: `${family}/${item.variant} · #${index + 1}`,
    vars: { prompt: item.prompt },
    assert: item.assert,
    metadata: { family, variant: item.variant, promptTokens: meter.count(item.prompt), tokenizer: referenceTokenizer, seed, index },
    answer: item.answer,
  };
}

export interface CompletionOptions {
  seed: number;
  /** Items per family. */
  n: number;
  families?: readonly CompletionFamily[];
  maxTokens?: number;
}

/** The completion suite: `n` items of each family. */
export function generateCompletionSuite(opts: CompletionOptions): TaskSuite {
  const families = opts.families?.length ? opts.families : completionFamilies;
  const meter = new TokenMeter();
  const tests: TaskTest[] = [];
  for (const family of families) {
    for (let i = 0; i < opts.n; i++) {
      const { answer: _answer, ...test } = generateCompletionItem(family, opts.seed, i, meter);
      tests.push(test);
    }
  }
  return {
    description: `Bakeoff completion tasks (${families.join(', ')}); ${opts.n} per task; seed ${opts.seed}; one checkable answer each`,
    prompts: ['{{prompt}}'],
    request: { maxTokens: opts.maxTokens ?? defaultCompletionMaxTokens, temperature: 0, seed: opts.seed },
    tests,
  };
}
