import type { EventTypeName, ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES } from '@fedrec/core';
import { allowsStoring } from '../consent/consent-level.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import { guardFor, type ShopperContext } from './shopper-context.js';

/** What the shopper did: `time` defaults to now. */
export interface TrackedEvent {
  /**
   * The product: the shop's product id (a string the catalogue lists), or its
   * model row (a number, as before catalogues). Stored on the device as the
   * row, which never changes: rows are append-only.
   */
  readonly item: string | number;
  readonly type: EventTypeName;
  readonly time?: number;
}

/** An event whose product is resolved to its row. */
export interface RowEvent extends TrackedEvent {
  readonly item: number;
}

/**
 * Throws a `TypeError` or `RangeError` naming the bad field; `numItems` bounds
 * a row given as a number (the products the model and catalogue know of, when
 * either is loaded). A product id is checked against the catalogue later.
 */
export function assertTrackedEvent(event: TrackedEvent, numItems: number | null): void {
  if (typeof event !== 'object' || event === null) throw new TypeError(`expected an event object, got ${event === null ? 'null' : typeof event}`);
  const { item, type, time } = event;
  if (typeof item === 'string') {
    if (item === '') throw new RangeError('expected event item to be a product id or a row, got an empty string');
  } else {
    if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0) throw new RangeError(`expected event item to be a product id or a non-negative integer row, got ${String(item)}`);
    if (numItems !== null && item >= numItems) throw new RangeError(`expected event item in [0, ${numItems}), got ${item}`);
  }
  if (!(EVENT_TYPE_NAMES as readonly unknown[]).includes(type)) throw new RangeError(`expected event type to be one of ${EVENT_TYPE_NAMES.join(', ')}, got '${String(type)}'`);
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))) throw new RangeError(`expected event time to be a finite number, got ${String(time)}`);
}

/** Stores an event on the device if consent allows; resolves to whether it was stored. Call `assertTrackedEvent` first. */
export function trackEvent(context: ShopperContext, event: RowEvent): Promise<boolean> {
  const stored: ShoppingEvent = { item: event.item, type: event.type, time: event.time ?? context.now() };
  // Consent and epoch as they were when the shopper acted: a later forget()
  // here is queued after this write and deletes it; one in another tab
  // makes the store refuse it.
  const allowed = allowsStoring(context.state.consent);
  const epoch = context.state.epoch;
  return context.queue.run(async () => {
    if (!allowed) return false;
    try {
      await context.store.appendEvent(stored, guardFor(context, epoch, 'storing'));
    } catch (error) {
      if (!isGuardRefusal(error)) throw error;
      await context.catchUp();
      return false;
    }
    const events = (await context.store.readEvents()).length;
    context.emit('historyChanged', { events });
    context.post({ kind: 'history', generation: epoch.generation, events });
    return true;
  });
}
