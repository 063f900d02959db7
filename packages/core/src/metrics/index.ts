export { catalogueCoverage } from './catalogue-coverage.js';
export {
  evaluateLeaveOneOut,
  type LeaveOneOutOptions,
  type LeaveOneOutReport,
  type LeaveOneOutUser,
} from './evaluate-leave-one-out.js';
export { intraListDiversity, type ItemFeatures } from './intra-list-diversity.js';
export { itemMask, type ItemMask } from './item-mask.js';
export { rankAmongCandidates, rankInCatalogue, rankOfScore } from './rank-of-held-out.js';
export { hitRate, ndcg } from './rank-metrics.js';
export { sampleNegatives, type SampleNegativesOptions } from './sample-negatives.js';
export { outranks, topK } from './top-k.js';
