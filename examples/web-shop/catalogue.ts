/**
 * The demo shop's catalogue, shared by the server (which sizes the model by
 * it, serves it as `/catalogue.json` for the page, and as FedRec's public
 * catalogue at `/catalogue` for the client's on-device recommender) and the
 * page. A product's `index` is its row in the shared model; `sku` is what a
 * real shop would call it.
 */
export interface Product {
  readonly index: number;
  readonly sku: string;
  readonly name: string;
  readonly category: number;
  /** The maker: shared across categories, so a shopper's favourite brand is a taste of its own. */
  readonly brand: string;
  /** Price in cents. */
  readonly price: number;
}

export interface Catalogue {
  readonly categories: readonly string[];
  readonly products: readonly Product[];
}

const CATEGORIES: readonly { readonly name: string; readonly products: readonly string[] }[] = [
  { name: 'Books', products: ['Field guide to mosses', 'Cooking with seasons', 'A history of maps', 'Short stories, vol. 2', 'The patient gardener', 'Night sky atlas'] },
  { name: 'Kitchen', products: ['Cast-iron skillet', 'Chef’s knife', 'Pour-over kettle', 'Oak chopping board', 'Spice grinder', 'Linen apron'] },
  { name: 'Garden', products: ['Pruning shears', 'Seed starter kit', 'Watering can', 'Kneeling pad', 'Compost bin', 'Bird feeder'] },
  { name: 'Outdoors', products: ['Trail backpack', 'Insulated bottle', 'Camp stove', 'Rain shell', 'Head torch', 'Sleeping mat'] },
  { name: 'Audio', products: ['Wireless earbuds', 'Bookshelf speakers', 'Turntable', 'Studio headphones', 'Radio alarm clock', 'Portable speaker'] },
  { name: 'Games', products: ['Cooperative board game', 'Jigsaw, 1000 pieces', 'Chess set', 'Card game classics', 'Puzzle cube', 'Strategy game'] },
];

const BRANDS: readonly string[] = ['Alder & Co', 'Northwind', 'Fieldcraft', 'Lumen'];

export const CATALOGUE: Catalogue = {
  categories: CATEGORIES.map((c) => c.name),
  products: CATEGORIES.flatMap((category, c) =>
    category.products.map((name, i) => {
      const index = c * category.products.length + i;
      return { index, sku: `WS-${String(1000 + index)}`, name, category: c, brand: BRANDS[(index * 7 + c) % BRANDS.length]!, price: 900 + ((index * 737) % 9000) };
    }),
  ),
};
