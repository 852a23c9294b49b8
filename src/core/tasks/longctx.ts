/**
 * Long-context task generator (`bakeoff gen longctx`): the task families of published
 * long-context benchmarks (RULER, BABILong), written from scratch and generated from a seed.
 *
 * - `needle`: special magic numbers (key → 7-digit value) hidden in filler among many other keys,
 *   some sharing a word with the key asked about; asked for one key (multikey), one key with
 *   several values (multivalue) or several keys (multiquery).
 * - `variables`: chains of assignments (`VAR QPXRT = 51273.`, `VAR MZKLW = VAR QPXRT.`) scattered
 *   in filler next to other chains; name every variable holding a value.
 * - `common-words`: the 10 most common words of a long numbered list of made-up words. The common
 *   words are spread over the whole list; the rare ones repeat close together, so a reader of only
 *   part of the list ranks the wrong words first.
 * - `coded-words`: the 3 most frequent coded words of a long coded text whose counts follow a Zipf
 *   law (count ∝ 1/rank^1.3); the top three are spread out, the others come in bursts.
 * - `rooms`: people move between rooms and pick up and put down objects, narrated among filler;
 *   "where is the apple?" needs two facts (who holds it, where they went) or three (who took it,
 *   where they went, that they put it down there).
 *
 * Every item's prompt is sized with the reference tokenizer to fit its length's window together
 * with the answer's `maxTokens` (see haystack.ts). Scoring: `item-recall` with every other
 * candidate of the prompt as a distractor, or `exclusive-choice` among all rooms, so an answer that
 * echoes the prompt or lists every candidate scores 0.
 */
import {
  buildFillerPrompt,
  LengthTooSmallError,
  promptBudget,
  referenceTokenizer,
  TokenMeter,
} from './haystack';
import { Rng } from './random';
import type { ExclusiveChoiceAssertion, ItemRecallAssertion } from './scoring';
import type { TaskSuite, TaskTest } from './suite';
import {
  people as allPeople,
  codedWords,
  fillerAdjectives,
  fillerNouns,
  fillerWords,
  madeUpWords,
  objects as allObjects,
  rooms as allRooms,
  variableNames,
  wordsOf,
} from './words';

export const longContextFamilies = ['needle', 'variables', 'common-words', 'coded-words', 'rooms'] as const;
export type LongContextFamily = (typeof longContextFamilies)[number];

/** Default answer bound of long-context suites, in tokens. */
export const defaultLongContextMaxTokens = 128;

/** A context length to generate for: `label` as written (`32k`), `tokens` the window it stands for. */
export interface LengthTarget {
  label: string;
  tokens: number;
}

/** Smallest and largest lengths accepted. */
export const minLengthTokens = 1024;
export const maxLengthTokens = 1024 * 1024;

/** The label of a length: `32k` for multiples of 1,024, else the number. */
export function lengthLabel(tokens: number): string {
  return tokens % 1024 === 0 ? `${tokens / 1024}k` : String(tokens);
}

/**
 * Parses `4k,8k,16k` (k = 1,024 tokens, as RULER counts) or plain token counts; sorted, without
 * duplicates. Throws a RangeError naming the bad entry.
 */
export function parseLengths(text: string): LengthTarget[] {
  const out = new Map<number, LengthTarget>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^(\d+(?:\.\d+)?)\s*([kK])?$/.exec(entry);
    if (!m) throw new RangeError(`"${entry}" is not a length: write e.g. 4k, 32k or 6000`);
    const tokens = m[2] ? Number(m[1]) * 1024 : Number(m[1]);
    if (!Number.isInteger(tokens)) throw new RangeError(`"${entry}" is not a whole number of tokens`);
    if (tokens < minLengthTokens || tokens > maxLengthTokens) {
      throw new RangeError(`"${entry}" is outside ${lengthLabel(minLengthTokens)}–${lengthLabel(maxLengthTokens)}`);
    }
    out.set(tokens, { label: lengthLabel(tokens), tokens });
  }
  if (out.size === 0) throw new RangeError('no length given: write e.g. 4k,8k,16k');
  return [...out.values()].sort((a, b) => a.tokens - b.tokens);
}

/** Parses `needle,rooms`; throws a RangeError naming unknown families. */
export function parseFamilies(text: string): LongContextFamily[] {
  const wanted = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((f) => !(longContextFamilies as readonly string[]).includes(f));
  if (unknown.length) throw new RangeError(`unknown task famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; choose from ${longContextFamilies.join(', ')}`);
  if (wanted.length === 0) throw new RangeError(`no task family given; choose from ${longContextFamilies.join(', ')}`);
  return longContextFamilies.filter((f) => wanted.includes(f));
}

export interface LongContextOptions {
  seed: number;
  lengths: readonly LengthTarget[];
  /** Items per family per length. */
  n: number;
  families?: readonly LongContextFamily[];
  maxTokens?: number;
}

interface ItemContext {
  rng: Rng;
  meter: TokenMeter;
  budget: number;
  /** Filler before the first hidden fact: twice the answer bound, so an echo never holds one. */
  leadTokens: number;
  /** log2(length / 4K), at least 0: how much harder than the shortest usual length. */
  level: number;
  label: string;
  targetTokens: number;
  seed: number;
  index: number;
}

interface FamilyItem {
  variant: string;
  prompt: string;
  tokens: number;
  assert: (ItemRecallAssertion | ExclusiveChoiceAssertion)[];
  depths?: number[];
}

// Texts of the prompts. Example names and numbers in them are never used as answers.
const needleHead =
  'A long text follows. Hidden in it are special magic numbers, each written as a sentence like ' +
  '"The special magic number for example-key is: 1234567." A key can have more than one special magic number. ' +
  'Memorize them: a question about them comes at the end.\n\n';
const variablesHead =
  'A long text follows. Hidden in it are assignments to variables, written like "VAR ABCDE = 12345." ' +
  '(ABCDE now holds 12345) or "VAR FGHIJ = VAR ABCDE." (FGHIJ now holds the value that ABCDE holds). ' +
  'Track them: a question about them comes at the end.\n\n';
const roomsHead =
  'A long text follows. Hidden in it is a story: people move between rooms and pick up, carry and put down objects. ' +
  'An object someone carries is wherever that person is; an object put down stays in the room where it was put down. ' +
  'A question about the story comes at the end.\n\n';
const commonHead = 'Below is a numbered list of words. Some words appear in it many more times than others.\n\n';
const codedHead =
  'Below is a coded text: a long sequence of made-up coded words separated by spaces. ' +
  'Some coded words occur much more often than others.\n\n';
const exampleNumbers = new Set([1234567, 12345]);

/** Words no made-up word or variable name may spell. */
const reserved: ReadonlySet<string> = new Set([
  ...fillerWords(),
  ...wordsOf(needleHead, variablesHead, roomsHead, commonHead, codedHead),
  ...wordsOf('question what which where are is the all most common frequent words coded text list numbered above answer with only separated by commas every such variable name hold value at end of story room numbers special magic mentioned in for and'),
  ...wordsOf(allPeople.join(' '), allRooms.join(' '), allObjects.join(' ')),
]);

const joinNames = (names: readonly string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

function distinctNumbers(rng: Rng, count: number, min: number, max: number): number[] {
  const out = new Set<number>();
  while (out.size < count) {
    const v = rng.int(min, max);
    if (!exampleNumbers.has(v)) out.add(v);
  }
  return [...out];
}

function needle(ctx: ItemContext): FamilyItem {
  const { rng } = ctx;
  const variant = (['multikey', 'multivalue', 'multiquery'] as const)[ctx.index % 3]!;
  const asked = variant === 'multiquery' ? rng.int(2, 4) : 1;
  const valuesPerAsked = variant === 'multivalue' ? rng.int(2, 4) : 1;
  const otherKeys = 6 + 2 * Math.round(ctx.level);

  const used = new Set<string>();
  const keyOf = (adj: string, noun: string) => `${adj}-${noun}`;
  const freshKey = (adj?: string, noun?: string): string => {
    for (;;) {
      const key = keyOf(adj ?? rng.pick(fillerAdjectives), noun ?? rng.pick(fillerNouns)[0]);
      if (!used.has(key)) {
        used.add(key);
        return key;
      }
      adj = undefined;
    }
  };
  const askedKeys = Array.from({ length: asked }, () => freshKey());
  const others: string[] = [];
  // Near misses: other keys that share a word with a key asked about.
  for (const key of askedKeys) {
    const [adj, noun] = key.split('-') as [string, string];
    others.push(rng.chance(0.5) ? freshKey(adj, undefined) : freshKey(undefined, noun));
  }
  while (others.length < otherKeys) others.push(freshKey());

  const otherValueCounts = others.map(() => (rng.chance(0.3) ? 2 : 1));
  const values = distinctNumbers(rng, asked * valuesPerAsked + otherValueCounts.reduce((a, b) => a + b, 0), 1_000_000, 9_999_999);
  const facts: { key: string; value: number; asked: boolean }[] = [];
  let v = 0;
  for (const key of askedKeys) for (let i = 0; i < valuesPerAsked; i++) facts.push({ key, value: values[v++]!, asked: true });
  others.forEach((key, k) => {
    for (let i = 0; i < otherValueCounts[k]!; i++) facts.push({ key, value: values[v++]!, asked: false });
  });
  const order = rng.shuffle(facts);
  const tail =
    `Question: What are all the special magic numbers for ${joinNames(askedKeys)} mentioned in the text above? ` +
    'Answer with the numbers only, separated by commas.';
  const built = buildFillerPrompt({
    rng,
    meter: ctx.meter,
    budgetTokens: ctx.budget,
    leadTokens: ctx.leadTokens,
    head: needleHead,
    tail,
    inserts: order.map((f) => `The special magic number for ${f.key} is: ${f.value}.`),
  });
  return {
    variant,
    prompt: built.prompt,
    tokens: built.tokens,
    depths: order.flatMap((f, i) => (f.asked ? [round3(built.depths[i]!)] : [])),
    assert: [
      {
        type: 'item-recall',
        value: order.filter((f) => f.asked).map((f) => String(f.value)),
        distractors: order.filter((f) => !f.asked).map((f) => String(f.value)),
      },
    ],
  };
}

function variables(ctx: ItemContext): FamilyItem {
  const { rng } = ctx;
  const chains = 3 + Math.min(2, Math.floor(ctx.level / 2));
  const lengths = Array.from({ length: chains }, (_, i) => (i === 0 ? rng.int(3, 6) : rng.int(3, 5)));
  const names = variableNames(rng, lengths.reduce((a, b) => a + b, 0), new Set([...reserved, 'abcde', 'fghij']));
  const values = distinctNumbers(rng, chains, 10_000, 99_999);
  let k = 0;
  const chainNames = lengths.map((len) => names.slice(k, (k += len)));
  const statements = chainNames.map((chain, c) =>
    chain.map((name, i) => (i === 0 ? `VAR ${name} = ${values[c]}.` : `VAR ${name} = VAR ${chain[rng.int(0, i - 1)]}.`)),
  );
  // Interleave the chains at random, each in its own order.
  const cursor = statements.map(() => 0);
  const inserts: { text: string; target: boolean }[] = [];
  for (;;) {
    const open = statements.map((s, c) => (cursor[c]! < s.length ? c : -1)).filter((c) => c >= 0);
    if (open.length === 0) break;
    const c = rng.pick(open);
    inserts.push({ text: statements[c]![cursor[c]!++]!, target: c === 0 });
  }
  const tail =
    `Question: Which variables hold the value ${values[0]} at the end of the text above? ` +
    'List every such variable name, separated by commas.';
  const built = buildFillerPrompt({ rng, meter: ctx.meter, budgetTokens: ctx.budget,
    leadTokens: ctx.leadTokens, head: variablesHead, tail, inserts: inserts.map((s) => s.text) });
  return {
    variant: `chain-${lengths[0]}`,
    prompt: built.prompt,
    tokens: built.tokens,
    depths: inserts.flatMap((s, i) => (s.target ? [round3(built.depths[i]!)] : [])),
    assert: [{ type: 'item-recall', value: chainNames[0]!, distractors: chainNames.slice(1).flat() }],
  };
}

const moveVerbs = ['went to', 'moved to', 'travelled to', 'journeyed to', 'walked into'];
const pickVerbs = ['picked up', 'grabbed', 'took'];
const dropVerbs = ['dropped', 'put down', 'left behind'];

type StoryEvent =
  | { type: 'move'; person: string; room: string }
  | { type: 'pick'; person: string; object: string }
  | { type: 'drop'; person: string; object: string };

interface StoryOutcome {
  room: string;
  /** Carried now, or put down. */
  how: 'carried' | 'dropped';
  /** Whether the object moved since it was picked up (so its first room is not the answer). */
  travelled: boolean;
}

/** Where each object is at the end of a story, for objects someone picked up. */
function storyOutcomes(events: readonly StoryEvent[]): Map<string, StoryOutcome> {
  const at = new Map<string, string>();
  const holder = new Map<string, string>();
  const place = new Map<string, string>();
  const pickedIn = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'move') at.set(e.person, e.room);
    else if (e.type === 'pick') {
      holder.set(e.object, e.person);
      pickedIn.set(e.object, at.get(e.person)!);
      place.delete(e.object);
    } else {
      holder.delete(e.object);
      place.set(e.object, at.get(e.person)!);
    }
  }
  const out = new Map<string, StoryOutcome>();
  for (const [object, first] of pickedIn) {
    const who = holder.get(object);
    const room = who !== undefined ? at.get(who)! : place.get(object)!;
    out.set(object, { room, how: who !== undefined ? 'carried' : 'dropped', travelled: room !== first });
  }
  return out;
}

function story(rng: Rng, level: number): StoryEvent[] {
  const people = rng.sample(allPeople, rng.int(3, 4 + Math.min(2, Math.floor(level / 2))));
  const things = rng.sample(allObjects, rng.int(2, 4));
  const count = 10 + 2 * Math.round(level);
  const at = new Map<string, string>();
  const holder = new Map<string, string>();
  const place = new Map<string, string>();
  const events: StoryEvent[] = [];
  let guard = 0;
  while (events.length < count && guard++ < count * 50) {
    const person = rng.pick(people);
    const here = at.get(person);
    const roll = rng.float();
    if (here === undefined || roll < 0.5) {
      const room = rng.pick(allRooms.filter((r) => r !== here));
      at.set(person, room);
      events.push({ type: 'move', person, room });
    } else if (roll < 0.78) {
      const free = things.filter((o) => !holder.has(o) && (!place.has(o) || place.get(o) === here));
      if (free.length === 0) continue;
      const object = rng.pick(free);
      holder.set(object, person);
      place.delete(object);
      events.push({ type: 'pick', person, object });
    } else {
      const held = things.filter((o) => holder.get(o) === person);
      if (held.length === 0) continue;
      const object = rng.pick(held);
      holder.delete(object);
      place.set(object, here);
      events.push({ type: 'drop', person, object });
    }
  }
  return events;
}

function narrate(rng: Rng, e: StoryEvent): string {
  if (e.type === 'move') return `${e.person} ${rng.pick(moveVerbs)} the ${e.room}.`;
  if (e.type === 'pick') return `${e.person} ${rng.pick(pickVerbs)} the ${e.object}.`;
  return `${e.person} ${rng.pick(dropVerbs)} the ${e.object}.`;
}

function rooms(ctx: ItemContext): FamilyItem {
  const { rng } = ctx;
  const variant = ctx.index % 2 === 0 ? 'carried' : 'dropped';
  for (let attempt = 0; attempt < 500; attempt++) {
    const events = story(rng, ctx.level);
    const outcomes = storyOutcomes(events);
    const fit = [...outcomes].filter(([, o]) => o.how === variant && o.travelled);
    if (fit.length === 0) continue;
    const [object, outcome] = rng.pick(fit);
    const tail = `Question: Where is the ${object} at the end of the story? Answer with the name of the room only.`;
    const built = buildFillerPrompt({
      rng,
      meter: ctx.meter,
      budgetTokens: ctx.budget,
    leadTokens: ctx.leadTokens,
      head: roomsHead,
      tail,
      inserts: events.map((e) => narrate(rng, e)),
    });
    return {
      variant,
      prompt: built.prompt,
      tokens: built.tokens,
      assert: [{ type: 'exclusive-choice', value: outcome.room, options: [...allRooms] }],
    };
  }
  throw new Error('could not make a room story (this is a bug)');
}

/** A stream of distinct made-up words. */
function wordSource(rng: Rng): () => string {
  const taken = new Set<string>(reserved);
  return () => {
    const [word] = madeUpWords(rng, 1, taken);
    taken.add(word!);
    return word!;
  };
}

/** Inserts `items` into `base` at uniformly random positions from `from` on, in random order. */
function spread<T>(rng: Rng, base: readonly T[], items: readonly T[], from = 0): T[] {
  const positions = items.map(() => rng.int(Math.min(from, base.length), base.length)).sort((a, b) => a - b);
  const order = rng.shuffle(items);
  const out: T[] = [];
  let k = 0;
  for (let i = 0; i <= base.length; i++) {
    while (k < positions.length && positions[k] === i) out.push(order[k++]!);
    if (i < base.length) out.push(base[i]!);
  }
  return out;
}

/** `groups` of occurrences shuffled within each group, the groups in random order: bursts. */
function bursts<T>(rng: Rng, groups: readonly T[][]): T[] {
  return rng.shuffle(groups).flatMap((g) => rng.shuffle(g));
}

function commonWords(ctx: ItemContext): FamilyItem {
  const { rng, meter } = ctx;
  const commonCount = 10;
  const commonFreq = Math.max(4, Math.min(30, Math.floor(ctx.budget / 120)));
  const rareFreq = commonFreq >= 8 ? 3 : 2;
  const tail = `\n\nQuestion: What are the ${commonCount} most common words in the numbered list above? Answer with the ${commonCount} words only, separated by commas.`;
  const next = wordSource(rng);
  const common = Array.from({ length: commonCount }, next);
  const numberPiece = (i: number) => (i === 1 ? '1.' : ` ${i}.`);
  let entries = 0;
  let tokens = meter.count(commonHead) + meter.count(tail);
  const addEntries = (word: string, times: number) => {
    for (let t = 0; t < times; t++) tokens += meter.count(numberPiece(++entries)) + meter.count(` ${word}`);
  };
  for (const w of common) addEntries(w, commonFreq);
  if (tokens > ctx.budget) throw new LengthTooSmallError(`the common words alone need ${tokens} tokens; the budget is ${ctx.budget}`);
  const rare: string[] = [];
  for (;;) {
    const word = next();
    let extra = 0;
    for (let t = 1; t <= rareFreq; t++) extra += meter.count(numberPiece(entries + t)) + meter.count(` ${word}`);
    if (tokens + extra > ctx.budget) break;
    rare.push(word);
    addEntries(word, rareFreq);
  }
  const rareGroups: string[][] = [];
  for (let i = 0; i < rare.length; i += 4) rareGroups.push(rare.slice(i, i + 4).flatMap((w) => Array<string>(rareFreq).fill(w)));
  const rareList = bursts(rng, rareGroups);
  // Like the facts of the other families, no answer in the first entries (an echo's reach).
  let lead = 0;
  for (let t = 0; lead < rareList.length && t < ctx.leadTokens; lead++) t += meter.count(numberPiece(lead + 1)) + meter.count(` ${rareList[lead]}`);
  const list = spread(rng, rareList, common.flatMap((w) => Array<string>(commonFreq).fill(w)), lead);
  const prompt = commonHead + list.map((w, i) => `${numberPiece(i + 1)} ${w}`).join('') + tail;
  return {
    variant: `x${commonFreq}-vs-x${rareFreq}`,
    prompt,
    tokens,
    assert: [{ type: 'item-recall', value: common, distractors: rare }],
  };
}

const zipfExponent = 1.3;
const codedVocabulary = 40;

function codedWordsTask(ctx: ItemContext): FamilyItem {
  const { rng, meter } = ctx;
  const words = codedWords(rng, codedVocabulary, reserved);
  const tail = '\n\nQuestion: What are the 3 most frequent coded words in the coded text above? Answer with the 3 coded words only, separated by commas.';
  const fixed = meter.count(codedHead) + meter.count(tail) + 1;
  const wordTokens = words.map((w) => meter.count(` ${w}`));
  const countsFor = (scale: number) => words.map((_, r) => Math.max(1, Math.round(scale / (r + 1) ** zipfExponent)));
  const cost = (counts: number[]) => counts.reduce((n, c, r) => n + c * wordTokens[r]!, fixed);
  let low = 4;
  let high = Math.max(4, ctx.budget);
  if (cost(countsFor(low)) > ctx.budget) throw new LengthTooSmallError(`the coded text needs more than ${ctx.budget} tokens`);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cost(countsFor(mid)) <= ctx.budget) low = mid;
    else high = mid - 1;
  }
  for (let scale = low; scale >= 4; scale--) {
    const counts = countsFor(scale);
    if (!(counts[2]! > counts[3]!)) break;
    const top = words.slice(0, 3);
    const restGroups: string[][] = [];
    for (let r = 3; r < words.length; r += 3) {
      restGroups.push(words.slice(r, r + 3).flatMap((w, i) => Array<string>(counts[r + i]!).fill(w)));
    }
    const text = spread(rng, bursts(rng, restGroups), top.flatMap((w, i) => Array<string>(counts[i]!).fill(w)));
    const pieces = [codedHead, ...text.map((w, i) => (i === 0 ? w : ` ${w}`)), tail];
    const tokens = meter.countAll(pieces);
    // The first word has no space before it, so the estimate can be off by a token: check.
    if (tokens > ctx.budget) continue;
    return {
      variant: `zipf-${zipfExponent}`,
      prompt: pieces.join(''),
      tokens,
      assert: [{ type: 'item-recall', value: top, distractors: words.slice(3) }],
    };
  }
  throw new LengthTooSmallError('the length is too small to separate the top three coded words');
}

const generators: Record<LongContextFamily, (ctx: ItemContext) => FamilyItem> = {
  needle,
  variables,
  'common-words': commonWords,
  'coded-words': codedWordsTask,
  rooms,
};

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** One item: the same (seed, family, length, index) always give the same item. */
export function generateLongContextItem(
  family: LongContextFamily,
  seed: number,
  length: LengthTarget,
  index: number,
  maxTokens: number = defaultLongContextMaxTokens,
  meter: TokenMeter = new TokenMeter(),
): TaskTest {
  const budget = promptBudget(length.tokens, maxTokens);
  const ctx: ItemContext = {
    rng: Rng.derive(seed, 'longctx', family, length.tokens, index),
    meter,
    budget,
    leadTokens: 2 * maxTokens,
    level: Math.max(0, Math.log2(length.tokens / 4096)),
    label: length.label,
    targetTokens: length.tokens,
    seed,
    index,
  };
  if (budget < 256) throw new LengthTooSmallError(`${length.label} leaves ${budget} tokens for the prompt after maxTokens ${maxTokens}`);
  const item = generators[family](ctx);
  return {
    description: `${family}/${item.variant} · ${length.label} · #${index + 1}`,
    vars: { prompt: item.prompt },
    assert: item.assert,
    metadata: {
      family,
      variant: item.variant,
      lengthLabel: length.label,
      targetTokens: length.tokens,
      promptTokens: item.tokens,
      tokenizer: referenceTokenizer,
      seed,
      index,
      ...(item.depths ? { depths: item.depths } : {}),
    },
  };
}

/** The items of a suite in order (for each length, each family, `n` items), one at a time. */
export function* longContextItems(opts: LongContextOptions): Generator<TaskTest> {
  const families = opts.families?.length ? opts.families : longContextFamilies;
  const meter = new TokenMeter();
  for (const length of opts.lengths) {
    for (const family of families) {
      for (let i = 0; i < opts.n; i++) yield generateLongContextItem(family, opts.seed, length, i, opts.maxTokens ?? defaultLongContextMaxTokens, meter);
    }
  }
}

/** The suite around generated items. */
export function longContextSuite(opts: LongContextOptions, tests: TaskTest[]): TaskSuite {
  const families = opts.families?.length ? opts.families : longContextFamilies;
  return {
    description:
      `Bakeoff long-context tasks (${families.join(', ')}) at ${opts.lengths.map((l) => l.label).join(', ')}; ` +
      `${opts.n} per task per length; seed ${opts.seed}; prompts sized with ${referenceTokenizer}`,
    prompts: ['{{prompt}}'],
    request: { maxTokens: opts.maxTokens ?? defaultLongContextMaxTokens, temperature: 0, seed: opts.seed },
    tests,
  };
}

/** The whole long-context suite: for each length, each family, `n` items. */
export function generateLongContextSuite(opts: LongContextOptions): TaskSuite {
  return longContextSuite(opts, [...longContextItems(opts)]);
}

/** Prompt tokens a suite will hold, about (each prompt fills its budget to within a few per cent). */
export function estimateLongContextTokens(opts: LongContextOptions): number {
  const families = opts.families?.length ? opts.families : longContextFamilies;
  const maxTokens = opts.maxTokens ?? defaultLongContextMaxTokens;
  return opts.lengths.reduce((sum, l) => sum + Math.max(0, promptBudget(l.tokens, maxTokens)), 0) * families.length * opts.n;
}
