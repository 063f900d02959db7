// Public API of FedRec's randomness (`@fedrec/core/random`): named exports only.
export type { RandomSource } from './random-source.js';
export { nextInt } from './random-source.js';
export { shuffleInPlace } from './shuffle.js';
export { createCryptoRandomSource } from './crypto-random-source.js';
export { createSeededRandomSource, deriveSeed } from './seeded-random-source.js';
export { addGaussianNoise, gaussianVector } from './gaussian.js';
export { randomBytes, uniformBelow, uniformBelowNumber } from './uniform-integer.js';
