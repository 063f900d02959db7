import type { Catalogue as FedRecCatalogue } from '@fedrec/core/catalogue';
import { buildCatalogue } from '@fedrec/core/catalogue';
import type { Catalogue } from '../catalogue.js';

/**
 * The shop's products as FedRec's public catalogue, which the aggregation
 * server serves at `GET /catalogue`: item i is product i (the model's row
 * i), its attributes its category and brand, its price a numeric attribute.
 * Public facts only: the on-device recommender matches the shopper's own
 * history against them, at no privacy cost.
 */
export function fedrecCatalogue(catalogue: Catalogue): FedRecCatalogue {
  return buildCatalogue(
    catalogue.products.map((product) => ({
      id: product.sku,
      attributes: [`category:${catalogue.categories[product.category]!}`, `brand:${product.brand}`],
      numeric: { price: product.price / 100 },
    })),
  );
}
