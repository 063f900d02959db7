import { DEFAULT_EVENT_WEIGHTS } from '../model/shopping-event.js';
import type { EventWeights, ShoppingEvent } from '../model/shopping-event.js';
import type { Catalogue } from './catalogue.js';

/** How the on-device scorer weighs a shopper's history against the catalogue. */
export interface HistoryScoringOptions {
  /** Weight of each event type (a purchase says more than a view). Default `DEFAULT_EVENT_WEIGHTS`. */
  readonly eventWeights?: EventWeights;
  /**
   * Recency: an event's weight halves every `halfLife` later distinct items, so
   * what the shopper looked at last counts most (tastes drift, sessions have
   * a topic). Default 5.
   */
  readonly halfLife?: number;
  /** A popularity prior per item (e.g. privately released counts), added as `popularityWeight · log(1 + count)`. */
  readonly popularity?: Float32Array;
  /**
   * Against a profile of unit total weight. Default 0.5, chosen on Amazon Beauty (3,000 shoppers,
   * leave-one-out, exact counts): HR@10 0.41 at 0.05, 0.47 at 0.5–1, 0.44 at 1.5, against 0.29 for popularity alone.
   */
  readonly popularityWeight?: number;
}

/** Inverse document frequency of each attribute: a brand held by 20 items says more about a taste than a category held by half the catalogue. */
export function attributeIdf(catalogue: Catalogue): Float32Array {
  const items = catalogue.itemIds.length;
  const df = new Float64Array(catalogue.attributes.length);
  for (const a of catalogue.attributeIndices) df[a]!++;
  return Float32Array.from(df, (n) => (n === 0 ? 0 : Math.log((1 + items) / (1 + n))));
}

/**
 * A shopper's taste over the catalogue's attributes, from their history:
 * each event adds its event-type weight × recency decay to the
 * idf-weighted attributes of its item, shared equally among them; the
 * profile has unit total weight (so the prior weighs the same against a
 * history of 3 events or 300). `profileScore` reads it per item.
 */
export function historyProfile(events: readonly ShoppingEvent[], catalogue: Catalogue, idf: Float32Array, options: Pick<HistoryScoringOptions, 'eventWeights' | 'halfLife'> = {}): Float64Array {
  const weights = options.eventWeights ?? DEFAULT_EVENT_WEIGHTS;
  const halfLife = options.halfLife ?? 5;
  if (!(halfLife > 0)) throw new RangeError(`expected halfLife > 0, got ${halfLife}`);
  const items = catalogue.itemIds.length;
  const { attributeOffsets: offsets, attributeIndices: indices } = catalogue;

  // Recency by position among distinct items, newest first: times may be coarse (days) or absent.
  const lastSeen = new Map<number, number>();
  events.forEach((event, order) => lastSeen.set(event.item, order));
  const newestFirst = [...lastSeen.entries()].sort((a, b) => b[1] - a[1]).map(([item]) => item);
  const recency = new Map(newestFirst.map((item, rank) => [item, Math.pow(0.5, rank / halfLife)]));

  const profile = new Float64Array(catalogue.attributes.length);
  let total = 0;
  for (const event of events) {
    if (event.item < 0 || event.item >= items) continue;
    const weight = weights[event.type] * recency.get(event.item)!;
    if (weight === 0) continue;
    total += weight;
    const start = offsets[event.item]!;
    const end = offsets[event.item + 1]!;
    if (end === start) continue;
    const share = weight / Math.sqrt(end - start);
    for (let k = start; k < end; k++) profile[indices[k]!]! += share * idf[indices[k]!]!;
  }
  if (total > 0) for (let a = 0; a < profile.length; a++) profile[a]! /= total;
  return profile;
}

/** The profile's mass on an item's attributes, normalised by √(their number) so long attribute lists do not win by length alone; 0 without attributes. */
export function profileScore(profile: Float64Array, catalogue: Catalogue, idf: Float32Array, item: number): number {
  const start = catalogue.attributeOffsets[item]!;
  const end = catalogue.attributeOffsets[item + 1]!;
  if (end === start) return 0;
  let sum = 0;
  for (let k = start; k < end; k++) sum += profile[catalogue.attributeIndices[k]!]! * idf[catalogue.attributeIndices[k]!]!;
  return sum / Math.sqrt(end - start);
}

/**
 * Scores every item for one shopper from their own history and the public
 * catalogue alone: no model, no round, nothing sent, so at zero privacy cost
 * (plus the popularity prior's one-off, accounted release where one is used).
 *
 * An item's score is its `profileScore` against the shopper's
 * `historyProfile`, plus `popularityWeight · log(1 + count)`. Items without
 * attributes score by the prior only.
 *
 * @example
 * const idf = attributeIdf(catalogue);
 * const scores = historyScores(events, catalogue, idf, { popularity: releasedCounts });
 */
export function historyScores(events: readonly ShoppingEvent[], catalogue: Catalogue, idf: Float32Array, options: HistoryScoringOptions = {}): Float32Array {
  const items = catalogue.itemIds.length;
  const profile = historyProfile(events, catalogue, idf, options);
  const scores = new Float32Array(items);
  const popularity = options.popularity;
  const popularityWeight = options.popularityWeight ?? 0.5;
  if (popularity !== undefined && popularity.length !== items) throw new RangeError(`expected ${items} popularity values, got ${popularity.length}`);
  for (let item = 0; item < items; item++) {
    const prior = popularity === undefined ? 0 : popularityWeight * Math.log1p(Math.max(0, popularity[item]!));
    scores[item] = profileScore(profile, catalogue, idf, item) + prior;
  }
  return scores;
}
