/**
 * The shared half of FedRec's model: an item embedding table and item biases.
 *
 * Everything that crosses the network (the model going out, the deltas coming
 * back) has this one flat layout, so clipping, noising, aggregation and
 * serialisation each work on a single Float32Array:
 *
 *   values = [ itemEmbeddings (numItems × dim, row-major) | itemBiases (numItems) ]
 *
 * The shopper's own vector is *not* part of it: it never leaves the device.
 */
export interface ParameterShape {
  readonly numItems: number;
  readonly dim: number;
}

/** The shared model as the server holds and broadcasts it. */
export interface SharedModel {
  readonly shape: ParameterShape;
  /** Bumped by the server after every applied round. */
  readonly version: number;
  readonly values: Float32Array;
}

/** A client's delta (after − before) of the shared parameters, dense over the whole catalogue. */
export interface ModelUpdate {
  readonly shape: ParameterShape;
  /** The model version the delta was computed against. */
  readonly baseVersion: number;
  readonly values: Float32Array;
}

/** Number of floats in the flat layout. */
export function parameterCount(shape: ParameterShape): number {
  return shape.numItems * (shape.dim + 1);
}

export function assertValidShape(shape: ParameterShape): void {
  const { numItems, dim } = shape;
  if (!Number.isSafeInteger(numItems) || numItems < 1) {
    throw new RangeError(`expected numItems to be a positive integer, got ${numItems}`);
  }
  if (!Number.isSafeInteger(dim) || dim < 1) {
    throw new RangeError(`expected dim to be a positive integer, got ${dim}`);
  }
}

export function sameShape(a: ParameterShape, b: ParameterShape): boolean {
  return a.numItems === b.numItems && a.dim === b.dim;
}

/** View (no copy) of the item embedding table inside a flat parameter array. */
export function embeddingsView(shape: ParameterShape, values: Float32Array): Float32Array {
  return values.subarray(0, shape.numItems * shape.dim);
}

/** View (no copy) of the item biases inside a flat parameter array. */
export function biasesView(shape: ParameterShape, values: Float32Array): Float32Array {
  const start = shape.numItems * shape.dim;
  return values.subarray(start, start + shape.numItems);
}
