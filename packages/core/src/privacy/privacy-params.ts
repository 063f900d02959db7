/**
 * Checks shared by every entry point of the accountant, so a bad value is
 * reported where it came in (with its name) rather than as a NaN epsilon
 * several calls later.
 */

/** One run of the Poisson-subsampled Gaussian mechanism, possibly repeated. */
export interface SubsampledGaussianMechanism {
  /** q: probability that any one record takes part in a step, in [0, 1]. */
  readonly samplingRate: number;
  /** σ: noise standard deviation divided by the L2 sensitivity; ≥ 0, may be Infinity. */
  readonly noiseMultiplier: number;
  /** Number of identical compositions of the mechanism; a non-negative integer. */
  readonly steps: number;
}

function assertNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`expected ${name} to be a number, got ${value === null ? 'null' : typeof value}`);
  }
  if (Number.isNaN(value)) throw new RangeError(`expected ${name} to be a number, got NaN`);
}

export function assertSamplingRate(value: unknown, name = 'samplingRate'): asserts value is number {
  assertNumber(name, value);
  if (!(value >= 0 && value <= 1)) throw new RangeError(`expected ${name} in [0, 1], got ${value}`);
}

export function assertNoiseMultiplier(value: unknown, name = 'noiseMultiplier'): asserts value is number {
  assertNumber(name, value);
  if (!(value >= 0)) throw new RangeError(`expected ${name} >= 0, got ${value}`);
}

export function assertSteps(value: unknown, name = 'steps'): asserts value is number {
  assertNumber(name, value);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`expected ${name} to be a non-negative integer, got ${value}`);
  }
}

export function assertDelta(value: unknown, name = 'delta'): asserts value is number {
  assertNumber(name, value);
  if (!(value > 0 && value < 1)) throw new RangeError(`expected ${name} in (0, 1), got ${value}`);
}

/** A privacy-loss level ε: finite and ≥ 0. */
export function assertEpsilon(value: unknown, name = 'epsilon'): asserts value is number {
  assertNumber(name, value);
  if (!(value >= 0 && Number.isFinite(value))) {
    throw new RangeError(`expected ${name} to be finite and >= 0, got ${value}`);
  }
}

/** A target ε for calibration: finite and > 0 (no mechanism that adds finite noise reaches 0). */
export function assertTargetEpsilon(value: unknown, name = 'targetEpsilon'): asserts value is number {
  assertNumber(name, value);
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`expected ${name} to be finite and > 0, got ${value}`);
  }
}

export function assertMechanism(value: unknown, name = 'mechanism'): asserts value is SubsampledGaussianMechanism {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`expected ${name} to be an object, got ${value === null ? 'null' : typeof value}`);
  }
  const m = value as Record<string, unknown>;
  assertSamplingRate(m['samplingRate'], `${name}.samplingRate`);
  assertNoiseMultiplier(m['noiseMultiplier'], `${name}.noiseMultiplier`);
  assertSteps(m['steps'], `${name}.steps`);
}
