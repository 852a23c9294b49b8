/**
 * Scoring of answers whose correct content is a set of items (`item-recall`) or one choice among
 * named options (`exclusive-choice`). Pure and deterministic; no Node built-ins.
 *
 * Matching rules (both types):
 * - Case-insensitive (Unicode case folding) and whole-token: an item matches only where it is not
 *   glued to letters, digits or `_` on either side, and a number does not match inside a longer
 *   number: `31415` matches in "31415." "(31415)" and "27182,31415" (a list without spaces) but
 *   not in "314159", "31415.9" (a decimal point joins) or "31415,926" (a thousands group joins).
 * - Whitespace inside an item matches any run of whitespace (`living room` matches "living\n room").
 * - Longer items are matched first and hide what they cover, so an answer naming "dining room"
 *   does not also name "room" when both are items.
 *
 * Scores cannot be gamed by naming everything: every distractor named costs as much as one
 * expected item found, and an `exclusive-choice` answer scores only when the right option is the
 * only one named. An answer that echoes the prompt names every candidate and scores 0.
 *
 * The suite runner grades both assertion types with these functions (suite/assertions.ts), which
 * also validates them when a suite is loaded.
 */
/** `item-recall`: the answer should name every expected item and no distractor. */
export interface ItemRecallAssertion {
  type: 'item-recall';
  /** Expected items. */
  value: string[];
  /** Wrong items (e.g. every other candidate in the prompt): each one named is subtracted. */
  distractors?: string[];
  /** Pass when the score reaches this; default 1 (every item, no distractor). */
  threshold?: number;
}

/** `exclusive-choice`: the answer should name `value` and none of the other `options`. */
export interface ExclusiveChoiceAssertion {
  type: 'exclusive-choice';
  value: string;
  /** Every candidate, the right one included. */
  options: string[];
}

export interface ItemRecallScore {
  /** max(0, (expected found − distractors named) / expected), in [0, 1]. */
  score: number;
  pass: boolean;
  found: string[];
  missing: string[];
  distractorsNamed: string[];
}

export interface ExclusiveChoiceScore {
  /** 1 when the answer names the right option and no other, else 0. */
  score: 0 | 1;
  pass: boolean;
  /** Options the answer names, in the order given. */
  named: string[];
}

const tokenChar = /[\p{L}\p{N}\p{M}_]/u;
const digit = /\p{Nd}/u;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Key under which two items count as the same: trimmed, whitespace collapsed, case-folded. */
const itemKey = (s: string): string => s.trim().replace(/\s+/gu, ' ').toLowerCase();

/** Three digits at `i` and no fourth: the shape of a thousands group after a comma. */
function thousandsGroupAt(text: string, i: number): boolean {
  return i + 3 <= text.length && digit.test(text[i]!) && digit.test(text[i + 1]!) && digit.test(text[i + 2]!) && !(i + 3 < text.length && digit.test(text[i + 3]!));
}

function isBoundaryBefore(text: string, index: number): boolean {
  if (index === 0) return true;
  const prev = text[index - 1]!;
  if (tokenChar.test(prev)) return false;
  const digitBefore = index >= 2 && digit.test(text[index - 2]!);
  // "3.31415": a decimal point joins digits into one number; so does a thousands comma ("2,314").
  if (prev === '.' && digitBefore && digit.test(text[index]!)) return false;
  if (prev === ',' && digitBefore && thousandsGroupAt(text, index)) return false;
  return true;
}

function isBoundaryAfter(text: string, end: number): boolean {
  if (end >= text.length) return true;
  const next = text[end]!;
  if (tokenChar.test(next)) return false;
  const digitAtEnd = end >= 1 && digit.test(text[end - 1]!);
  if (next === '.' && digitAtEnd && end + 1 < text.length && digit.test(text[end + 1]!)) return false;
  if (next === ',' && digitAtEnd && thousandsGroupAt(text, end + 1)) return false;
  return true;
}

/** Word tokens of a text, case-folded, for a quick pre-check before the exact search. */
function tokensOf(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^\p{L}\p{N}\p{M}_]+/u).filter(Boolean));
}

/**
 * Which of `items` the text names (see the module rules). Returns one boolean per item. Items
 * that are the same after case-folding and whitespace collapsing share their result.
 */
export function namedItems(text: string, items: readonly string[]): boolean[] {
  const keys = items.map(itemKey);
  const unique = [...new Set(keys)].filter((k) => k !== '');
  // Longest first: a long item hides the shorter items inside it.
  unique.sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  let masked = text;
  const tokens = tokensOf(text);
  const found = new Set<string>();
  for (const key of unique) {
    const parts = key.split(/[^\p{L}\p{N}\p{M}_]+/u).filter(Boolean);
    if (!parts.every((p) => tokens.has(p))) continue;
    const pattern = new RegExp(key.split(' ').map(escapeRegExp).join('\\s+'), 'giu');
    let hit = false;
    for (let m = pattern.exec(masked); m !== null; m = pattern.exec(masked)) {
      const start = m.index;
      const end = start + m[0].length;
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (isBoundaryBefore(masked, start) && isBoundaryAfter(masked, end)) {
        hit = true;
        masked = masked.slice(0, start) + '\u0000'.repeat(end - start) + masked.slice(end);
        pattern.lastIndex = end;
      }
    }
    if (hit) found.add(key);
  }
  return keys.map((k) => found.has(k));
}

/** Whether `text` names `item` (the rules above). An empty item is never named. */
export function namesItem(text: string, item: string): boolean {
  return namedItems(text, [item])[0] === true;
}

/** Scores an `item-recall` assertion against an answer. */
export function scoreItemRecall(
  answer: string,
  assertion: Pick<ItemRecallAssertion, 'value' | 'distractors' | 'threshold'>,
): ItemRecallScore {
  const expected = dedupe(assertion.value);
  const expectedKeys = new Set(expected.map(itemKey));
  // A distractor that is also expected is not a distractor.
  const distractors = dedupe(assertion.distractors ?? []).filter((d) => !expectedKeys.has(itemKey(d)));
  const named = namedItems(answer, [...expected, ...distractors]);
  const found = expected.filter((_, i) => named[i]);
  const missing = expected.filter((_, i) => !named[i]);
  const distractorsNamed = distractors.filter((_, i) => named[expected.length + i]);
  const score = expected.length === 0 ? 0 : Math.max(0, (found.length - distractorsNamed.length) / expected.length);
  const threshold = assertion.threshold ?? 1;
  return { score, pass: score >= threshold - 1e-12, found, missing, distractorsNamed };
}

/** Scores an `exclusive-choice` assertion against an answer. */
export function scoreExclusiveChoice(answer: string, assertion: Pick<ExclusiveChoiceAssertion, 'value' | 'options'>): ExclusiveChoiceScore {
  const options = dedupe([assertion.value, ...assertion.options]);
  const flags = namedItems(answer, options);
  const named = options.filter((_, i) => flags[i]);
  const ok = flags[0] === true && named.length === 1;
  return { score: ok ? 1 : 0, pass: ok, named };
}

function dedupe(items: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of items) {
    const key = itemKey(raw);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(raw.trim());
  }
  return out;
}
