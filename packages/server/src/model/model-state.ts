import type { ParameterShape, SharedModel } from '@fedrec/core';
import { encodeModel, parameterCount } from '@fedrec/core';

/**
 * The server's one copy of the shared model, and its encoding cached per
 * version: a round's broadcast, `GET /model` and the checkpoint all reuse the
 * same bytes rather than re-encoding (and re-checksumming) the model.
 */
export class ModelState {
  private currentVersion: number;
  private cached: { version: number; bytes: Uint8Array } | null = null;

  constructor(
    readonly shape: ParameterShape,
    /** Updated in place by the optimiser. */
    readonly values: Float32Array,
    version: number,
  ) {
    if (values.length !== parameterCount(shape)) {
      throw new RangeError(`expected ${parameterCount(shape)} values for shape ${shape.numItems}×${shape.dim}, got ${values.length}`);
    }
    this.currentVersion = version;
  }

  static from(model: SharedModel): ModelState {
    return new ModelState(model.shape, model.values, model.version);
  }

  get version(): number {
    return this.currentVersion;
  }

  get floats(): number {
    return this.values.length;
  }

  /** Marks the values as changed by a round. */
  bumpVersion(): number {
    this.cached = null;
    return ++this.currentVersion;
  }

  /** The model file for the current version (cached; do not modify). */
  bytes(): Uint8Array {
    if (this.cached === null || this.cached.version !== this.currentVersion) {
      this.cached = { version: this.currentVersion, bytes: encodeModel(this.snapshot()) };
    }
    return this.cached.bytes;
  }

  /** A view of the model as core's SharedModel (values not copied). */
  snapshot(): SharedModel {
    return { shape: this.shape, version: this.currentVersion, values: this.values };
  }
}
