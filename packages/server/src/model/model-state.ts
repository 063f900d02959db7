import { decodeModel, encodeModel } from '@fedrec/core/format';
import type { ParameterShape, SharedModel } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import type { ModelCatalogue } from '../checkpoint/checkpoint-file.js';

/**
 * The server's one copy of the shared model, in two states:
 *
 * - the **working** model: `values`, changed in place by the optimiser when a
 *   round is applied, and `workingVersion`; this is what a checkpoint holds;
 * - the **published** model: the encoded bytes and `version` that clients,
 *   `GET /model` and round invitations see.
 *
 * An applied round changes the working model at once but is published only
 * after its checkpoint (and with it the privacy ledger entry that pays for
 * it) is durable: nothing leaves the process that a crash could make the
 * server forget, and a version number is never served with two different
 * contents. The encoding is cached per published version, so a round's
 * broadcast, `GET /model` and reconnect invitations reuse the same bytes.
 */
export class ModelState {
  #workingVersion: number;
  /** Versions up to this were (or may have been) published before a restart: the next bump goes past it. */
  #reservedThrough: number;
  #published: { readonly version: number; readonly bytes: Uint8Array };

  constructor(
    readonly shape: ParameterShape,
    /** The working model, updated in place by the optimiser. */
    readonly values: Float32Array,
    version: number,
    /** The product of each row, where the server has a catalogue: kept in every checkpoint, its version served with the model. */
    readonly catalogue: ModelCatalogue | null = null,
  ) {
    if (catalogue !== null && catalogue.itemIds.length !== shape.numItems) {
      throw new RangeError(`expected one product id per row (${shape.numItems}), got ${catalogue.itemIds.length}`);
    }
    if (values.length !== parameterCount(shape)) {
      throw new RangeError(`expected ${parameterCount(shape)} values for shape ${shape.numItems}×${shape.dim}, got ${values.length}`);
    }
    this.#workingVersion = version;
    this.#reservedThrough = version;
    this.#published = { version, bytes: encodeModel(this.snapshot()) };
  }

  /** A model that is already durable (resumed from a checkpoint, or freshly checkpointed): published as it is. */
  static from(model: SharedModel, catalogue: ModelCatalogue | null = null): ModelState {
    return new ModelState(model.shape, model.values, model.version, catalogue);
  }

  /** The published version: what clients train on and `GET /model` serves. */
  get version(): number {
    return this.#published.version;
  }

  /** The working model's version: ahead of `version` while an applied round awaits its checkpoint. */
  get workingVersion(): number {
    return this.#workingVersion;
  }

  get floats(): number {
    return this.values.length;
  }

  /** Whether the working model has changes that are not published yet. */
  get unpublished(): boolean {
    return this.#workingVersion !== this.#published.version;
  }

  /**
   * Marks the working values as changed by a round and returns the new
   * working version: one past anything published or reserved before.
   */
  bumpVersion(): number {
    this.#workingVersion = Math.max(this.#workingVersion, this.#reservedThrough) + 1;
    this.#reservedThrough = this.#workingVersion;
    return this.#workingVersion;
  }

  /**
   * Never hands out versions up to `version` again: they may have been
   * published by an earlier run whose checkpoint for them is unreadable now.
   */
  reserveVersionsThrough(version: number): void {
    this.#reservedThrough = Math.max(this.#reservedThrough, version);
  }

  /** The highest version handed out or reserved so far. */
  get reservedThrough(): number {
    return Math.max(this.#reservedThrough, this.#workingVersion);
  }

  /** Publishes the working model. Call only once its checkpoint is durable. */
  publish(): void {
    if (!this.unpublished) return;
    this.#published = { version: this.#workingVersion, bytes: encodeModel(this.snapshot()) };
  }

  /**
   * Takes over a durable model written by another process (a cluster's
   * coordinator): working and published at once. Its version never goes
   * below one already handed out here.
   */
  adopt(model: SharedModel): void {
    if (model.values.length !== this.values.length) throw new RangeError(`expected ${this.values.length} values, got ${model.values.length}`);
    this.values.set(model.values);
    this.#workingVersion = model.version;
    this.#reservedThrough = Math.max(this.#reservedThrough, model.version);
    this.#published = { version: model.version, bytes: encodeModel(this.snapshot()) };
  }

  /** The published model file (cached; do not modify). */
  bytes(): Uint8Array {
    return this.#published.bytes;
  }

  /** A copy of the published model. */
  publishedModel(): SharedModel {
    return decodeModel(this.#published.bytes);
  }

  /** A view of the working model as core's SharedModel (values not copied): what a checkpoint holds. */
  snapshot(): SharedModel {
    return { shape: this.shape, version: this.#workingVersion, values: this.values };
  }
}
