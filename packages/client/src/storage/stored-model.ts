import type { SharedModel } from '@fedrec/core';
import { parameterCount } from '@fedrec/core';
import * as z from '../zod.js';

/**
 * The last shared model this device received, kept so that a returning
 * shopper still gets recommendations when the server cannot be reached. It
 * is the shop's public model, nothing about the shopper; it is stored only
 * where consent allows storing, like everything else, and `forget()` deletes
 * it with the rest. Plain JSON numbers (no typed arrays) so that every store
 * persists it the same way: a float32 value survives the trip through a
 * double and JSON text exactly.
 */
export interface StoredModel {
  readonly version: number;
  readonly shape: { readonly numItems: number; readonly dim: number };
  /** The flat parameters, `parameterCount(shape)` of them (item embeddings, then item biases). */
  readonly values: readonly number[];
}

// Bounded like the tensor header's u32 fields, so a stored model is one the wire format could carry.
const U32_MAX = 0xffff_ffff;
const countSchema = z.number().check(z.int(), z.gte(1), z.lte(U32_MAX));

const storedModelSchema = z
  .object({
    version: z.number().check(z.int(), z.gte(0), z.lte(U32_MAX)),
    shape: z.object({ numItems: countSchema, dim: countSchema }),
    // z.number() refuses NaN and ±Infinity: a model with them would recommend nothing sensible.
    values: z.array(z.number()),
  })
  .check(
    z.superRefine((model, ctx) => {
      const expected = parameterCount(model.shape);
      if (model.values.length !== expected) {
        ctx.addIssue({ code: 'custom', path: ['values'], message: `expected ${expected} values for shape ${model.shape.numItems}×${model.shape.dim}, got ${model.values.length}` });
      }
    }),
  ) satisfies z.ZodMiniType<StoredModel, unknown>;

export type StoredModelParse =
  | { readonly ok: true; readonly model: SharedModel | null }
  /** `path`: the dotted path of the first bad field under the record (`values.3`), empty for the record itself; `problem` never quotes the stored value. */
  | { readonly ok: false; readonly path: string; readonly problem: string };

/** The stored model as a `SharedModel`: null when none is stored, `{ok: false}` with the first bad field when one is stored but unusable. */
export function parseStoredModel(value: unknown): StoredModelParse {
  if (value === undefined || value === null) return { ok: true, model: null };
  const parsed = storedModelSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, path: first === undefined ? '' : first.path.map(String).join('.'), problem: first?.message ?? 'invalid' };
  }
  const { version, shape, values } = parsed.data;
  return { ok: true, model: { version, shape: { numItems: shape.numItems, dim: shape.dim }, values: Float32Array.from(values) } };
}

export function toStoredModel(model: SharedModel): StoredModel {
  return { version: model.version, shape: { numItems: model.shape.numItems, dim: model.shape.dim }, values: Array.from(model.values) };
}
