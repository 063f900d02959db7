// The catalogue loaders of @fedrec/sim. Named exports only.
export { DatasetError } from '../dataset/dataset-error.js';
export { parseCatalogueSpec, CATALOGUE_KINDS } from './catalogue-spec.js';
export type { CatalogueKind, CatalogueSpec } from './catalogue-spec.js';
export { loadCatalogue, loadCatalogueFor } from './load-catalogue.js';
export { loadItemAttributesJson } from './item-attributes-json.js';
export { loadMovieLensItems, MOVIELENS_GENRES } from './movielens-items.js';
export { loadAttributeCsv } from './attribute-csv.js';
export { syntheticCatalogue } from './synthetic-catalogue.js';
