import type { EventTypeName } from '@fedrec/core';

/** What an event-name column may say, normalised (lower case, letters and digits only). */
const SYNONYMS: ReadonlyMap<string, EventTypeName | 'ignore'> = new Map<string, EventTypeName | 'ignore'>([
  ...['view', 'views', 'viewed', 'click', 'clicks', 'clicked', 'pv', 'pageview', 'productview', 'detail'].map((n) => [n, 'view'] as const),
  // A favourite or wish-list entry (Taobao's `fav`) says more than a view and
  // less than a purchase: the cart is the closest rung of the funnel.
  ...['cart', 'carted', 'addtocart', 'addtobasket', 'basket', 'fav', 'favorite', 'favourite', 'wishlist'].map((n) => [n, 'cart'] as const),
  ...['purchase', 'purchased', 'buy', 'bought', 'order', 'transaction', 'checkout', 'sale'].map((n) => [n, 'purchase'] as const),
  // Taking an item out of the cart is not a sign of interest: such lines are skipped, not counted as views.
  ...['removefromcart', 'remove', 'removed'].map((n) => [n, 'ignore'] as const),
]);

/** The accepted names, for error messages. */
export const EVENT_NAME_HINT = 'an event (view|cart|purchase, or a synonym such as click, add_to_cart, buy, transaction)';

/**
 * The event type an event column names, `'ignore'` for events that are not a
 * sign of interest (removal from the cart), undefined when unknown. An empty
 * field means a view: files without funnel data record only that the shopper
 * touched the item.
 */
export function parseEventName(text: string): EventTypeName | 'ignore' | undefined {
  const key = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (key === '') return 'view';
  return SYNONYMS.get(key);
}
