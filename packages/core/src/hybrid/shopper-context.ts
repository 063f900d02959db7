import { DEFAULT_EVENT_WEIGHTS } from '../model/shopping-event.js';
import type { EventWeights, ShoppingEvent } from '../model/shopping-event.js';

/** A shopper's history as the hybrid model reads it: distinct items in the order first touched, each with its strongest event's weight. */
export interface ShopperSequence {
  readonly items: Int32Array;
  readonly weights: Float32Array;
}

/** How the hybrid model pools a history into the shopper's vector. */
export interface ContextOptions {
  /** A history item's weight halves every `halfLife` newer items. Default 5, as the on-device scorer. */
  readonly halfLife?: number;
  /** Only the newest this many items count (cost per step). Default 20. */
  readonly maxContext?: number;
}

export function shopperSequence(events: readonly ShoppingEvent[], eventWeights: EventWeights = DEFAULT_EVENT_WEIGHTS): ShopperSequence {
  const position = new Map<number, number>();
  const items: number[] = [];
  const weights: number[] = [];
  for (const event of events) {
    const w = eventWeights[event.type];
    if (!(w > 0)) continue;
    const at = position.get(event.item);
    if (at === undefined) {
      position.set(event.item, items.length);
      items.push(event.item);
      weights.push(w);
    } else if (w > weights[at]!) weights[at] = w;
  }
  return { items: Int32Array.from(items), weights: Float32Array.from(weights) };
}

/**
 * Weights of the context items before position `end` (exclusive), newest
 * last, summing to 1: event weight × 0.5^(age / halfLife). Returns the first
 * position used; `out` receives the weights for positions [first, end).
 */
export function contextWeights(sequence: ShopperSequence, end: number, options: ContextOptions, out: Float32Array): number {
  const halfLife = options.halfLife ?? 5;
  const maxContext = options.maxContext ?? 20;
  const first = Math.max(0, end - maxContext);
  let total = 0;
  for (let h = first; h < end; h++) {
    const w = sequence.weights[h]! * Math.pow(0.5, (end - 1 - h) / halfLife);
    out[h - first] = w;
    total += w;
  }
  if (total > 0) for (let h = first; h < end; h++) out[h - first]! /= total;
  return first;
}
