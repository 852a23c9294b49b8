/**
 * Vocabularies of the task generators, written for this project. The filler vocabulary is kept
 * apart from everything a task asks about (people, rooms, objects, made-up words, variable names),
 * so filler can never contain an answer or a distractor; a test checks the lists are disjoint.
 */
import type { Rng } from './random';

/** Nouns of the filler prose, with their plurals. */
export const fillerNouns: ReadonlyArray<readonly [string, string]> = [
  ['harbour', 'harbours'], ['river', 'rivers'], ['hill', 'hills'], ['cloud', 'clouds'], ['bridge', 'bridges'],
  ['meadow', 'meadows'], ['valley', 'valleys'], ['tower', 'towers'], ['market', 'markets'], ['road', 'roads'],
  ['forest', 'forests'], ['field', 'fields'], ['shore', 'shores'], ['island', 'islands'], ['village', 'villages'],
  ['mountain', 'mountains'], ['lake', 'lakes'], ['stream', 'streams'], ['window', 'windows'], ['candle', 'candles'],
  ['song', 'songs'], ['story', 'stories'], ['season', 'seasons'], ['storm', 'storms'], ['wind', 'winds'],
  ['morning', 'mornings'], ['evening', 'evenings'], ['shadow', 'shadows'], ['mirror', 'mirrors'], ['clock', 'clocks'],
  ['fence', 'fences'], ['path', 'paths'], ['stone', 'stones'], ['wall', 'walls'], ['roof', 'roofs'],
  ['ship', 'ships'], ['boat', 'boats'], ['cart', 'carts'], ['wheel', 'wheels'], ['bell', 'bells'],
  ['flag', 'flags'], ['rope', 'ropes'], ['ladder', 'ladders'], ['painting', 'paintings'], ['carpet', 'carpets'],
  ['blanket', 'blankets'], ['basket', 'baskets'], ['feather', 'feathers'], ['leaf', 'leaves'], ['branch', 'branches'],
  ['root', 'roots'], ['seed', 'seeds'], ['flower', 'flowers'], ['berry', 'berries'], ['sparrow', 'sparrows'],
  ['heron', 'herons'], ['fox', 'foxes'], ['horse', 'horses'], ['goat', 'goats'], ['sheep', 'sheep'],
  ['dog', 'dogs'], ['cat', 'cats'], ['owl', 'owls'], ['moth', 'moths'], ['beetle', 'beetles'],
  ['fisherman', 'fishermen'], ['baker', 'bakers'], ['farmer', 'farmers'], ['painter', 'painters'], ['sailor', 'sailors'],
  ['traveller', 'travellers'], ['teacher', 'teachers'], ['poet', 'poets'], ['merchant', 'merchants'], ['carpenter', 'carpenters'],
  ['weaver', 'weavers'], ['shepherd', 'shepherds'], ['crowd', 'crowds'], ['choir', 'choirs'], ['festival', 'festivals'],
  ['rumour', 'rumours'], ['promise', 'promises'], ['lighthouse', 'lighthouses'], ['orchard', 'orchards'], ['well', 'wells'],
  ['chimney', 'chimneys'], ['fountain', 'fountains'], ['cottage', 'cottages'], ['mill', 'mills'], ['pond', 'ponds'],
];

export const fillerAdjectives: readonly string[] = [
  'quiet', 'bright', 'old', 'narrow', 'distant', 'golden', 'pale', 'heavy', 'gentle', 'silver', 'crooked',
  'hollow', 'ancient', 'tired', 'curious', 'restless', 'patient', 'sleepy', 'tall', 'small', 'wide', 'green',
  'grey', 'amber', 'faint', 'warm', 'cold', 'damp', 'dusty', 'painted', 'wooden', 'broken', 'hidden',
  'familiar', 'strange', 'lonely', 'busy', 'careful', 'sudden', 'slow', 'soft', 'loud', 'proud', 'humble',
  'rusty', 'winding', 'steep', 'shallow', 'deep', 'clear', 'cloudy', 'cheerful', 'solemn', 'modest', 'velvet',
];

/** Intransitive verbs, past tense (followed by a preposition phrase). */
export const fillerVerbs: readonly string[] = [
  'drifted', 'wandered', 'leaned', 'glowed', 'rested', 'lingered', 'rolled', 'hummed', 'floated', 'waited',
  'shimmered', 'paused', 'swayed', 'hovered', 'circled', 'stretched', 'gathered', 'stood', 'sat', 'slept',
  'sang', 'whispered', 'flickered', 'dozed', 'murmured', 'sparkled', 'trembled', 'wavered',
];

/** Transitive verbs, past tense. */
export const fillerTransitiveVerbs: readonly string[] = [
  'admired', 'followed', 'painted', 'described', 'watched', 'remembered', 'praised', 'ignored', 'studied',
  'mended', 'polished', 'greeted', 'crossed', 'visited', 'sketched', 'mentioned', 'imagined', 'envied',
];

export const fillerAdverbs: readonly string[] = [
  'slowly', 'quietly', 'gently', 'suddenly', 'carefully', 'softly', 'patiently', 'lazily', 'eagerly',
  'briefly', 'gradually', 'steadily', 'warmly', 'faintly', 'happily', 'calmly', 'politely', 'stubbornly',
];

export const fillerPrepositions: readonly string[] = [
  'over', 'under', 'beside', 'across', 'along', 'behind', 'near', 'toward', 'past', 'around', 'through',
  'above', 'beyond',
];

export const fillerTimePhrases: readonly string[] = [
  'Later that day', 'Long before the harvest', 'By the next season', 'In the early hours', 'Some time afterwards',
  'Before the rain returned', 'When the wind changed', 'At the turn of the year', 'Every autumn', 'For a while',
  'On quiet evenings', 'Once in a long while', 'After the festival', 'During the long winter',
];

/** People of the room stories. */
export const people: readonly string[] = [
  'Mary', 'John', 'Sandra', 'Daniel', 'Emma', 'Oliver', 'Priya', 'Tomas', 'Lena', 'Kofi', 'Yuki', 'Mateo',
  'Amara', 'Jonas', 'Ines', 'Ravi',
];

/** Rooms of the room stories; two have spaces, so answers are matched as phrases. */
export const rooms: readonly string[] = [
  'kitchen', 'garden', 'hallway', 'bathroom', 'bedroom', 'office', 'cellar', 'attic', 'garage', 'library',
  'pantry', 'balcony', 'living room', 'dining room',
];

/** Objects of the room stories. */
export const objects: readonly string[] = [
  'apple', 'football', 'milk', 'key', 'book', 'umbrella', 'lantern', 'hat', 'wallet', 'scarf', 'notebook', 'kettle',
];

/** Every word the filler generator can write, lower-cased. */
export function fillerWords(): Set<string> {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w) words.add(w);
  };
  for (const [s, p] of fillerNouns) add(`${s} ${p}`);
  for (const list of [fillerAdjectives, fillerVerbs, fillerTransitiveVerbs, fillerAdverbs, fillerPrepositions, fillerTimePhrases]) {
    for (const w of list) add(w);
  }
  for (const template of fillerGlue) add(template);
  return words;
}

/** The fixed words of the filler sentence templates (see filler.ts). */
export const fillerGlue: readonly string[] = [
  'the a an and of so some every it was said that nobody knew why had been there while all but even then',
  'as if no one could tell whether or not people still talk about how in its own way together',
];

const onsets = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'fl', 'gr', 'pl', 'st', 'tr', 'sk', 'th', 'ch'];
const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea'];
const codas = ['', '', '', 'n', 'r', 'l', 's', 'm', 'k'];

/**
 * `count` distinct made-up words (two or three syllables, at least five letters) that are neither
 * in `reserved` nor English words of the generators' own texts.
 */
export function madeUpWords(rng: Rng, count: number, reserved: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  let attempts = 0;
  while (out.size < count) {
    if (++attempts > count * 50 + 1000) throw new Error(`could not make ${count} distinct words`);
    const syllables = rng.chance(0.55) ? 2 : 3;
    let word = '';
    for (let i = 0; i < syllables; i++) word += rng.pick(onsets) + rng.pick(vowels) + (i === syllables - 1 ? rng.pick(codas) : '');
    if (word.length < 5 || reserved.has(word) || out.has(word)) continue;
    out.add(word);
  }
  return [...out];
}

const codedLetters = 'bcdfghjklmnpqrstvwxz';
const codedVowels = 'aeiouy';

/** `count` distinct "coded" words: five letters, mostly consonants, never in `reserved`. */
export function codedWords(rng: Rng, count: number, reserved: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  let attempts = 0;
  while (out.size < count) {
    if (++attempts > count * 50 + 1000) throw new Error(`could not make ${count} distinct coded words`);
    let word = '';
    for (let i = 0; i < 5; i++) word += i === 2 ? codedVowels[rng.int(0, codedVowels.length - 1)] : codedLetters[rng.int(0, codedLetters.length - 1)];
    if (reserved.has(word) || out.has(word)) continue;
    out.add(word);
  }
  return [...out];
}

/** `count` distinct upper-case variable names of five letters, never spelling a reserved word. */
export function variableNames(rng: Rng, count: number, reserved: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  let attempts = 0;
  while (out.size < count) {
    if (++attempts > count * 50 + 1000) throw new Error(`could not make ${count} distinct names`);
    let name = '';
    for (let i = 0; i < 5; i++) name += String.fromCharCode(65 + rng.int(0, 25));
    if (reserved.has(name.toLowerCase()) || out.has(name)) continue;
    out.add(name);
  }
  return [...out];
}

/** Lower-cased words of texts, for `reserved` sets. */
export function wordsOf(...texts: string[]): Set<string> {
  const words = new Set<string>();
  for (const text of texts) for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w) words.add(w);
  return words;
}
