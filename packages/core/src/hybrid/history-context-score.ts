import { historyProfile, profileScore } from '../catalogue/history-scores.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { DEFAULT_EVENT_WEIGHTS } from '../model/shopping-event.js';
import type { EventWeights, ShoppingEvent } from '../model/shopping-event.js';

/**
 * weight × the on-device history scorer, as it stood before each target of
 * local training: `score(end, item)` scores `item` against the events that
 * came before the `end`-th distinct item of the history (the position
 * `shopperSequence` gives it). Added to the training logits, it makes the
 * rounds learn what the zero-ε scorer gets wrong — the final score adds the
 * two, so training should fit their sum.
 */
export function historyContextScore(
  events: readonly ShoppingEvent[],
  catalogue: Catalogue,
  idf: Float32Array,
  weight: number,
  eventWeights: EventWeights = DEFAULT_EVENT_WEIGHTS,
): (end: number, item: number) => number {
  // Index of the event that first touched each distinct item, as shopperSequence orders them.
  const firstEvent: number[] = [];
  const seen = new Set<number>();
  events.forEach((event, index) => {
    if (!(eventWeights[event.type] > 0) || seen.has(event.item)) return;
    seen.add(event.item);
    firstEvent.push(index);
  });
  const profiles = new Map<number, Float64Array>();
  return (end, item) => {
    if (weight === 0) return 0;
    let profile = profiles.get(end);
    if (profile === undefined) {
      profile = historyProfile(events.slice(0, firstEvent[end] ?? events.length), catalogue, idf, { eventWeights });
      profiles.set(end, profile);
    }
    return weight * profileScore(profile, catalogue, idf, item);
  };
}
