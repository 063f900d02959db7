/**
 * The running (weighted) sum of a round's accepted updates, in float64.
 *
 * Updates are added as they arrive and then dropped, so a round costs O(model)
 * memory whatever the cohort size; float64 keeps the sum of many float32
 * deltas exact enough that the order of arrival does not matter in practice.
 * One accumulator is reused round after round.
 */
export class UpdateAccumulator {
  private readonly sum: Float64Array;
  private weightTotal = 0;
  private updates = 0;

  constructor(readonly length: number) {
    this.sum = new Float64Array(length);
  }

  get count(): number {
    return this.updates;
  }

  get totalWeight(): number {
    return this.weightTotal;
  }

  /** Adds `weight × values`. The caller has checked length and finiteness at the boundary. */
  add(values: Float32Array, weight = 1): void {
    if (values.length !== this.length) throw new RangeError(`expected an update of length ${this.length}, got ${values.length}`);
    if (!Number.isFinite(weight) || weight <= 0) throw new RangeError(`expected a weight > 0 and finite, got ${weight}`);
    const sum = this.sum;
    if (weight === 1) {
      for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
    } else {
      for (let i = 0; i < values.length; i++) sum[i]! += weight * values[i]!;
    }
    this.weightTotal += weight;
    this.updates++;
  }

  /**
   * Adds an already-summed aggregate of `count` unit-weight updates (what
   * secure aggregation reveals: the sum, never its terms).
   */
  addSum(sum: ArrayLike<number>, count: number): void {
    if (sum.length !== this.length) throw new RangeError(`expected a sum of length ${this.length}, got ${sum.length}`);
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`expected count to be a positive integer, got ${count}`);
    const total = this.sum;
    for (let i = 0; i < total.length; i++) total[i]! += sum[i]!;
    this.weightTotal += count;
    this.updates += count;
  }

  /**
   * Adds another accumulator's sum: `count` updates of total weight
   * `totalWeight` (a cluster node's partial sum).
   */
  addPartial(sum: ArrayLike<number>, count: number, totalWeight: number): void {
    if (sum.length !== this.length) throw new RangeError(`expected a sum of length ${this.length}, got ${sum.length}`);
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`expected count to be an integer >= 0, got ${count}`);
    if (!Number.isFinite(totalWeight) || totalWeight < 0) throw new RangeError(`expected a total weight >= 0 and finite, got ${totalWeight}`);
    const total = this.sum;
    for (let i = 0; i < total.length; i++) total[i]! += sum[i]!;
    this.weightTotal += totalWeight;
    this.updates += count;
  }

  /** The running sum itself (no copy): read it before the next `add` or `reset`. */
  get sumView(): Float64Array {
    return this.sum;
  }

  /**
   * The weighted mean, computed in place over the running sum (so no second
   * model-sized buffer): call `reset()` before adding again.
   */
  takeMean(): Float64Array {
    if (this.updates === 0) throw new RangeError('no updates to average');
    const inverse = 1 / this.weightTotal;
    const sum = this.sum;
    for (let i = 0; i < sum.length; i++) sum[i]! *= inverse;
    return sum;
  }

  reset(): void {
    this.sum.fill(0);
    this.weightTotal = 0;
    this.updates = 0;
  }
}
