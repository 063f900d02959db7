import type { EventWeights, LocalTrainingConfig, ModelUpdate, ParameterShape, RandomSource, SharedModel, ShoppingEvent } from '@fedrec/core';
import { HEADER_BYTES, parameterCount, positiveItems, trainLocally } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';

export interface LocalDeltaInput {
  readonly model: SharedModel;
  readonly events: readonly ShoppingEvent[];
  readonly userVector?: Float32Array;
  readonly random: RandomSource;
  /** Rows never sampled as negatives (retired products). */
  readonly notNegatives?: ArrayLike<number>;
  readonly training?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
}

export interface LocalDelta {
  /** The raw change to the shared parameters: the round participant clips and noises it as the round says before it leaves. */
  readonly delta: ModelUpdate;
  readonly exampleCount: number;
}

/** The retired products among a model's `rows`, by the catalogue held (none without one): never sampled as training negatives. */
export function retiredRows(catalogue: Catalogue | null, rows: number): number[] {
  const retired: number[] = [];
  if (catalogue === null) return retired;
  const described = Math.min(rows, catalogue.itemIds.length);
  for (let row = 0; row < described; row++) if (catalogue.retired[row] === 1) retired.push(row);
  return retired;
}

/** Events that name an item of this model's catalogue (a catalogue can shrink between versions). */
export function eventsInCatalogue(events: readonly ShoppingEvent[], numItems: number): ShoppingEvent[] {
  return events.filter((event) => event.item < numItems);
}

/** Size of an update file on the wire: the tensor header and one float32 per shared parameter (dense, whatever was touched). */
export function updateBytes(shape: ParameterShape): number {
  return HEADER_BYTES + parameterCount(shape) * Float32Array.BYTES_PER_ELEMENT;
}

/**
 * One round's training: BPR on the shopper's own history against the
 * round's model. A shopper with no usable history still answers with a zero
 * delta (noised by the round participant like any other): silence would tell the
 * server something.
 */
export function computeLocalDelta(input: LocalDeltaInput): LocalDelta {
  const { model } = input;
  const positives = positiveItems(eventsInCatalogue(input.events, model.shape.numItems), input.eventWeights);
  const trained = trainLocally({
    model,
    positives,
    ...(input.userVector !== undefined && input.userVector.length === model.shape.dim ? { userVector: input.userVector } : {}),
    random: input.random,
    ...(input.notNegatives !== undefined ? { notNegatives: input.notNegatives } : {}),
    ...(input.training !== undefined ? { config: input.training } : {}),
  });
  return { delta: trained.delta, exampleCount: Math.max(1, positives.items.length) };
}
