import type { ShoppingEvent } from '@fedrec/core';

export interface LeaveOneOutSplit {
  /** Every event except those on the held-out item. */
  readonly train: readonly ShoppingEvent[];
  /** The item the shopper engaged with last (by first interaction time). */
  readonly heldOut: number;
}

/**
 * Hold out the shopper's latest item. All events on that item leave the
 * training history — otherwise the view that preceded a held-out purchase
 * would give the answer away. Undefined for shoppers with fewer than two
 * distinct items (nothing would be left to learn from).
 */
export function leaveOneOut(events: readonly ShoppingEvent[]): LeaveOneOutSplit | undefined {
  const firstSeen = new Map<number, number>();
  events.forEach((e, order) => {
    if (!firstSeen.has(e.item)) firstSeen.set(e.item, order);
  });
  if (firstSeen.size < 2) return undefined;
  let heldOut = -1;
  let latest = -Infinity;
  let latestOrder = -1;
  for (const [item, order] of firstSeen) {
    const time = events[order]!.time;
    // Ties in time fall back to the order events were recorded in.
    if (time > latest || (time === latest && order > latestOrder)) {
      latest = time;
      latestOrder = order;
      heldOut = item;
    }
  }
  return { train: events.filter((e) => e.item !== heldOut), heldOut };
}
