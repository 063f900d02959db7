import { EVENT_TYPE_NAMES } from '@fedrec/core';
import type { ShoppingEvent } from '@fedrec/core';
import type { Population, VirtualShopper } from '../population/population.js';
import type { DatasetSpec } from './dataset-spec.js';
import type { PopulationSpec } from '../population/population-spec.js';

/** The columns of a loaded event log, grouped by shopper (see `RecordedPopulation`). */
export interface EventColumns {
  /** Shopper s's events are rows offsets[s] .. offsets[s+1]−1; length numShoppers + 1. */
  readonly offsets: Int32Array;
  /** Dense item index of each event. */
  readonly items: Int32Array;
  /** `EventType` code of each event (0 view, 1 cart, 2 purchase). */
  readonly types: Uint8Array;
  /** Milliseconds since the epoch (or a file-order ordinal where the source has no times). */
  readonly times: Float64Array;
}

/**
 * A population loaded from a recorded dataset. Events are held column-wise
 * in typed arrays, grouped by shopper and sorted by time within each
 * (about 13 bytes an event); `ShoppingEvent` objects are made only when a
 * shopper is asked for, so a dataset of millions of events costs tens of
 * megabytes, not the gigabyte an array of objects would.
 *
 * Indices are dense (shoppers 0..numShoppers−1, items 0..numItems−1) in
 * order of first appearance in the file; `shopperId`/`itemId` give back the
 * raw ids of the source and `itemIndex` goes the other way.
 *
 * @example
 * const movies = await loadDataset({ kind: 'ml-100k', path: 'ml-100k/u.data' });
 * const first = movies.shopper(0).events[0]!;
 * console.log(`user ${movies.shopperId(0)} rated movie ${movies.itemId(first.item)}`);
 */
export class RecordedPopulation implements Population {
  readonly name: string;
  readonly numShoppers: number;
  readonly numItems: number;
  /** Events in the whole dataset. */
  readonly numEvents: number;
  /** The file(s) it was loaded from, so that another thread can load the same population (`loadDataset(source)`). */
  readonly source?: DatasetSpec;
  /** How worker threads rebuild it: they load the same file. */
  readonly spec?: PopulationSpec;
  private readonly columns: EventColumns;
  private readonly shopperIds: readonly string[];
  /** The source's id of each item, by index. */
  readonly itemIds: readonly string[];
  private itemIndexOf: Map<string, number> | undefined;

  constructor(args: { name: string; shopperIds: readonly string[]; itemIds: readonly string[]; columns: EventColumns; source?: DatasetSpec }) {
    const { columns } = args;
    if (columns.offsets.length !== args.shopperIds.length + 1) throw new RangeError(`expected ${args.shopperIds.length + 1} offsets, got ${columns.offsets.length}`);
    const n = columns.items.length;
    if (columns.types.length !== n || columns.times.length !== n || columns.offsets[args.shopperIds.length] !== n) throw new RangeError('expected event columns of equal length');
    this.name = args.name;
    this.source = args.source;
    this.spec = args.source ? { kind: 'dataset', dataset: args.source } : undefined;
    this.shopperIds = args.shopperIds;
    this.itemIds = args.itemIds;
    this.columns = columns;
    this.numShoppers = args.shopperIds.length;
    this.numItems = args.itemIds.length;
    this.numEvents = n;
  }

  shopper(index: number): VirtualShopper {
    this.checkShopper(index);
    const { offsets, items, types, times } = this.columns;
    const start = offsets[index]!;
    const end = offsets[index + 1]!;
    const events: ShoppingEvent[] = new Array<ShoppingEvent>(end - start);
    for (let k = start; k < end; k++) events[k - start] = { item: items[k]!, type: EVENT_TYPE_NAMES[types[k]!]!, time: times[k]! };
    return { index, events };
  }

  /** Number of events of one shopper, without building them. */
  eventCount(index: number): number {
    this.checkShopper(index);
    return this.columns.offsets[index + 1]! - this.columns.offsets[index]!;
  }

  /** The shopper's id in the source file. */
  shopperId(index: number): string {
    this.checkShopper(index);
    return this.shopperIds[index]!;
  }

  /** The item's id in the source file. */
  itemId(index: number): string {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.numItems) throw new RangeError(`expected item index in [0, ${this.numItems}), got ${index}`);
    return this.itemIds[index]!;
  }

  /** The dense index of a source item id, or undefined if it is not in the dataset. */
  itemIndex(id: string): number | undefined {
    // Built on first use: most runs never look items up by id.
    this.itemIndexOf ??= new Map(this.itemIds.map((itemId, i) => [itemId, i]));
    return this.itemIndexOf.get(id);
  }

  private checkShopper(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.numShoppers) throw new RangeError(`expected shopper index in [0, ${this.numShoppers}), got ${index}`);
  }
}
