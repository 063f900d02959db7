import type { Catalogue, Product } from '../../catalogue.js';
import { el } from './dom.js';
import { formatPrice } from './format.js';

export type ShopperAction = 'view' | 'cart' | 'purchase';

const ACTIONS: readonly { readonly type: ShopperAction; readonly label: string; readonly name: (p: Product) => string }[] = [
  // The accessible names contain the visible labels (WCAG 2.5.3) and say which product.
  { type: 'view', label: 'View', name: (p) => `View ${p.name}` },
  { type: 'cart', label: 'Cart', name: (p) => `Add ${p.name} to cart` },
  { type: 'purchase', label: 'Buy', name: (p) => `Buy ${p.name}` },
];

/** One product as a list item: a heading and three buttons whose accessible names say which product they act on. */
export function productCard(product: Product, catalogue: Catalogue, where: 'grid' | 'recs', onAction: (product: Product, type: ShopperAction, button: HTMLButtonElement) => void): HTMLLIElement {
  const headingId = `${where}-p${product.index}`;
  const category = catalogue.categories[product.category] ?? '';
  const actions = el(
    'div',
    { class: 'actions' },
    ...ACTIONS.map(({ type, label, name }) => {
      const button = el('button', { type: 'button', 'aria-label': name(product), 'data-action': type, 'data-sku': product.sku }, label);
      button.addEventListener('click', () => onAction(product, type, button));
      return button;
    }),
  );
  return el(
    'li',
    {},
    el(
      'article',
      { class: 'card', 'aria-labelledby': headingId },
      el('div', { class: `thumb cat-${product.category}`, 'aria-hidden': 'true' }, category.slice(0, 1)),
      el('h3', { id: headingId }, product.name),
      el('p', { class: 'meta' }, `${category} · ${product.brand} · ${formatPrice(product.price)}`),
      actions,
    ),
  );
}
