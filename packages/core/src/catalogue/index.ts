/**
 * The shop's public product facts, for the on-device recommender.
 *
 * @module @fedrec/core/catalogue
 */
// Public API of @fedrec/core/catalogue: the shop's public product facts. Named exports only.
export { buildCatalogue, isRetired, itemAttributes, retireProducts } from './catalogue.js';
export type { Catalogue, CatalogueEntry } from './catalogue.js';
export { alignCatalogue } from './align-catalogue.js';
export type { AlignedCatalogue } from './align-catalogue.js';
export { catalogueToJson, parseCatalogueJson } from './catalogue-json.js';
export type { CatalogueJson, CatalogueJsonItem } from './catalogue-json.js';
export { checkCatalogueGrowth } from './catalogue-growth.js';
export { growModel } from './grow-model.js';
export { attributeIdf, historyScores, historyProfile, profileScore } from './history-scores.js';
export type { HistoryScoringOptions } from './history-scores.js';
