import { z } from 'zod';

/**
 * What a cluster worker needs to compute a job's chunks, checked at the
 * boundary: the population spec (a worker rebuilds the population from it,
 * as a worker thread does) and the settings every client update shares.
 * Strict: an unknown field is a
 * runner of another version, not something to ignore.
 */
const count = z.number().int().positive();

const syntheticConfigSchema = z.strictObject({
  shoppers: count,
  items: count,
  categories: count.optional(),
  stylesPerCategory: count.optional(),
  zipfExponent: z.number().optional(),
  meanSessions: z.number().positive().optional(),
  seed: z.union([z.string(), z.number()]),
});

const datasetSpecSchema = z.strictObject({
  kind: z.enum(['ml-100k', 'tsv', 'seq']),
  path: z.string().min(1),
  timestampsPath: z.string().min(1).optional(),
});

const populationSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('synthetic'), config: syntheticConfigSchema }),
  z.strictObject({ kind: z.literal('dataset'), dataset: datasetSpecSchema }),
]);

const localTrainingSchema = z
  .strictObject({
    learningRate: z.number(),
    userLearningRate: z.number(),
    l2: z.number(),
    userEpochs: z.number().int().nonnegative(),
    epochs: z.number().int().nonnegative(),
    negativesPerPositive: z.number().int().nonnegative(),
    batchSize: count,
  })
  .partial();

const eventWeight = z.number().nonnegative();

export const clusterJobBodySchema = z.strictObject({
  population: populationSpecSchema,
  settings: z.strictObject({
    seed: z.union([z.string(), z.number()]),
    localTraining: localTrainingSchema.optional(),
    eventWeights: z.strictObject({ view: eventWeight, cart: eventWeight, purchase: eventWeight }).optional(),
  }),
});

export type ClusterJobBody = z.infer<typeof clusterJobBodySchema>;
