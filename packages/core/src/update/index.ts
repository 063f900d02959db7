// Public API of clipping and noising a client's update (`@fedrec/core/update`): named exports only.
export { l2Norm, clipToNorm, clipScale } from './clip.js';
export { buildPrivateUpdate } from './build-update.js';
export type { UpdatePrivacy, BuiltUpdate } from './build-update.js';
