/**
 * Seeded filler prose: grammatical, varied, meaningless sentences from the vocabulary in
 * words.ts. It never contains digits, people, rooms, objects or any word a task asks about.
 */
import type { Rng } from './random';
import {
  fillerAdjectives as adjectives,
  fillerAdverbs as adverbs,
  fillerNouns as nouns,
  fillerPrepositions as prepositions,
  fillerTimePhrases as times,
  fillerTransitiveVerbs as transitive,
  fillerVerbs as verbs,
} from './words';

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** One filler sentence, ending with a full stop. */
export function fillerSentence(rng: Rng): string {
  const noun = () => rng.pick(nouns)[0];
  const plural = () => rng.pick(nouns)[1];
  const adj = () => rng.pick(adjectives);
  const np = () => (rng.chance(0.5) ? `the ${adj()} ${noun()}` : `the ${noun()}`);
  const indefinite = () => {
    const a = adj();
    return `${article(a)} ${a} ${noun()}`;
  };
  switch (rng.int(0, 11)) {
    case 0:
      return `${capitalize(np())} ${rng.pick(verbs)} ${rng.pick(prepositions)} ${np()}.`;
    case 1:
      return `${capitalize(rng.pick(adverbs))}, ${indefinite()} ${rng.pick(verbs)} ${rng.pick(prepositions)} ${np()}.`;
    case 2:
      return `Nobody knew why ${np()} had ${rng.pick(verbs)} so ${rng.pick(adverbs)}.`;
    case 3:
      return `${rng.pick(times)}, ${np()} and ${np()} ${rng.pick(verbs)} together.`;
    case 4:
      return `It was said that every ${noun()} ${rng.pick(transitive)} some ${adj()} ${plural()}.`;
    case 5:
      return `${capitalize(np())} ${rng.pick(transitive)} ${np()}, and ${np()} ${rng.pick(verbs)} ${rng.pick(adverbs)}.`;
    case 6:
      return `${capitalize(indefinite())} ${rng.pick(transitive)} ${np()} while ${np()} ${rng.pick(verbs)} ${rng.pick(prepositions)} ${np()}.`;
    case 7:
      return `People still talk about how ${np()} ${rng.pick(transitive)} ${np()}.`;
    case 8:
      return `No one could tell whether ${np()} was ${adj()} or ${adj()}.`;
    case 9:
      return `${capitalize(plural())} ${rng.pick(verbs)} ${rng.pick(prepositions)} ${np()} as if ${np()} had ${rng.pick(verbs)} there all ${rng.pick(['morning', 'evening', 'season'])}.`;
    case 10:
      return `${rng.pick(times)}, even ${np()} ${rng.pick(transitive)} ${np()} in its own way.`;
    default:
      return `${capitalize(np())} was ${adj()}, but ${np()} was ${adj()} and ${adj()}.`;
  }
}
