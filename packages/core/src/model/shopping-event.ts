/**
 * What a shopper did with an item. The numeric values are the wire/storage
 * codes: they are explicit and new kinds are only ever appended.
 */
export const EventType = { view: 0, cart: 1, purchase: 2 } as const;
export type EventTypeName = keyof typeof EventType;
export const EVENT_TYPE_NAMES: readonly EventTypeName[] = ['view', 'cart', 'purchase'];

export interface ShoppingEvent {
  /** Catalogue index of the item, in [0, numItems). */
  readonly item: number;
  readonly type: EventTypeName;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** How much each kind of event says about a shopper's taste. */
export type EventWeights = Readonly<Record<EventTypeName, number>>;

export const DEFAULT_EVENT_WEIGHTS: EventWeights = { view: 1, cart: 2, purchase: 4 };

export function assertValidEventWeights(weights: EventWeights): void {
  for (const name of EVENT_TYPE_NAMES) {
    const w = weights[name];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`expected event weight for '${name}' >= 0 and finite, got ${w}`);
  }
}

/**
 * The implicit-feedback positives of one shopper: every item they touched,
 * weighted by the strongest thing they did with it (a purchase outweighs the
 * views that led to it).
 */
export function positiveItems(
  events: Iterable<ShoppingEvent>,
  weights: EventWeights = DEFAULT_EVENT_WEIGHTS,
): { items: Int32Array; weights: Float32Array } {
  const best = new Map<number, number>();
  for (const e of events) {
    const w = weights[e.type];
    if (w <= 0) continue;
    const prev = best.get(e.item);
    if (prev === undefined || w > prev) best.set(e.item, w);
  }
  const items = Int32Array.from(best.keys()).sort();
  return { items, weights: Float32Array.from(items, (i) => best.get(i)!) };
}
