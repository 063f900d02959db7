import { buildCatalogue } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { SyntheticPopulation } from '../population/synthetic-population.js';

/**
 * The catalogue of a synthetic population: each item's category
 * (`category:3`) and its style within it (`style:3.1`), the product facts a
 * shop would publish. Ids are the item indices as strings, as for the
 * population's own items. Popularity is not in it: that is learned from
 * shoppers, privately.
 */
export function syntheticCatalogue(population: SyntheticPopulation): Catalogue {
  return buildCatalogue(
    Array.from({ length: population.numItems }, (_, item) => {
      const category = population.itemCategories[item]!;
      return { id: String(item), attributes: [`category:${category}`, `style:${category}.${population.itemStyles[item]!}`] };
    }),
  );
}
