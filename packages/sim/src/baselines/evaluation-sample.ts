import { createSeededRandomSource, deriveSeed, nextInt } from '@fedrec/core/random';

/**
 * The shoppers `runFederatedSimulation` evaluates on for a run seed and a
 * sample size (its `evalShoppers` count): pass the result as a baseline's
 * `evalShoppers`, with the same seed, and the baseline is scored on the same
 * shoppers, the same held-out items and the same sampled negatives as the
 * federated model. Sorted ascending.
 *
 * It repeats the runner's draw (a seeded stream labelled `eval-sample`,
 * distinct indices until `count`); a test locks the two together.
 *
 * @example
 * const evalShoppers = evaluationSample(population.numShoppers, 500, 7);
 * const federated = runFederatedSimulation({ ...config, evalShoppers: 500, seed: 7 });
 * const popularity = popularityBaseline(population, { evalShoppers, seed: 7 });
 */
export function evaluationSample(numShoppers: number, count: number, seed: string | number): number[] {
  if (!Number.isSafeInteger(numShoppers) || numShoppers < 0) throw new RangeError(`expected numShoppers >= 0, got ${numShoppers}`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`expected count >= 0, got ${count}`);
  if (count >= numShoppers) return Array.from({ length: numShoppers }, (_, i) => i);
  const random = createSeededRandomSource(deriveSeed(seed, 'eval-sample'));
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(nextInt(random, numShoppers));
  return [...chosen].sort((a, b) => a - b);
}
