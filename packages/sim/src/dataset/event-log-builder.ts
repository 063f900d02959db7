import type { EventTypeName } from '@fedrec/core';
import { EventType } from '@fedrec/core';
import { IdMap } from './id-map.js';
import { RecordedPopulation } from './recorded-population.js';
import type { DatasetSpec } from './dataset-spec.js';

const INITIAL_CAPACITY = 1 << 12;

/**
 * Collects events as a loader reads them (in file order, any shopper order)
 * and builds a `RecordedPopulation`: raw ids interned to dense indices in
 * order of first appearance, events grouped by shopper (a counting sort:
 * two passes, no per-event objects) and sorted by time within each shopper,
 * stably, so events with equal times keep their file order.
 */
export class EventLogBuilder {
  readonly shoppers = new IdMap();
  readonly items = new IdMap();
  private shopperOf = new Int32Array(INITIAL_CAPACITY);
  private itemOf = new Int32Array(INITIAL_CAPACITY);
  private typeOf = new Uint8Array(INITIAL_CAPACITY);
  private timeOf = new Float64Array(INITIAL_CAPACITY);
  private length = 0;

  get size(): number {
    return this.length;
  }

  add(shopperId: string, itemId: string, type: EventTypeName, time: number): void {
    if (this.length === this.shopperOf.length) this.grow();
    const k = this.length++;
    this.shopperOf[k] = this.shoppers.intern(shopperId);
    this.itemOf[k] = this.items.intern(itemId);
    this.typeOf[k] = EventType[type];
    this.timeOf[k] = time;
  }

  /** The population; `source` records the file(s) read, where there are files. */
  build(name: string, source?: DatasetSpec): RecordedPopulation {
    const n = this.length;
    const numShoppers = this.shoppers.size;
    if (n > 2 ** 31 - 1) throw new RangeError(`expected at most 2^31 − 1 events, got ${n}`);
    const offsets = new Int32Array(numShoppers + 1);
    for (let k = 0; k < n; k++) offsets[this.shopperOf[k]! + 1]!++;
    for (let s = 0; s < numShoppers; s++) offsets[s + 1]! += offsets[s]!;
    const cursor = offsets.slice(0, numShoppers);
    const items = new Int32Array(n);
    const types = new Uint8Array(n);
    const times = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const at = cursor[this.shopperOf[k]!]!++;
      items[at] = this.itemOf[k]!;
      types[at] = this.typeOf[k]!;
      times[at] = this.timeOf[k]!;
    }
    for (let s = 0; s < numShoppers; s++) sortByTime(offsets[s]!, offsets[s + 1]!, items, types, times);
    return new RecordedPopulation({ name, shopperIds: this.shoppers.ids, itemIds: this.items.ids, columns: { offsets, items, types, times }, source });
  }

  private grow(): void {
    const capacity = this.shopperOf.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.shopperOf = grown(this.shopperOf, (c) => new Int32Array(c));
    this.itemOf = grown(this.itemOf, (c) => new Int32Array(c));
    this.typeOf = grown(this.typeOf, (c) => new Uint8Array(c));
    this.timeOf = grown(this.timeOf, (c) => new Float64Array(c));
  }
}

/** Stable sort of rows start..end−1 by time; most logs are already in order, which costs one pass. */
function sortByTime(start: number, end: number, items: Int32Array, types: Uint8Array, times: Float64Array): void {
  let sorted = true;
  for (let k = start + 1; k < end && sorted; k++) sorted = times[k - 1]! <= times[k]!;
  if (sorted) return;
  const order = Array.from({ length: end - start }, (_, i) => start + i);
  // Ties fall back to the row, i.e. file order: Array.prototype.sort is stable, but say so explicitly.
  order.sort((a, b) => times[a]! - times[b]! || a - b);
  const sortedItems = Int32Array.from(order, (k) => items[k]!);
  const sortedTypes = Uint8Array.from(order, (k) => types[k]!);
  const sortedTimes = Float64Array.from(order, (k) => times[k]!);
  items.set(sortedItems, start);
  types.set(sortedTypes, start);
  times.set(sortedTimes, start);
}
