/**
 * Exact non-negative rationals as pairs of bigints, for the discrete Gaussian
 * sampler (Canonne, Kamath, Steinke 2020, §5): its exactness argument needs
 * every probability to be a ratio of integers, never a rounded double.
 */

/** numerator / denominator with denominator > 0, numerator ≥ 0, in lowest terms. */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function toBigInt(value: bigint | number, name: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value !== 'number') throw new TypeError(`expected ${name} to be a bigint or a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected ${name} to be a safe integer, got ${value}`);
  return BigInt(value);
}

/** The rational numerator / denominator, reduced. */
export function rational(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
  const num = toBigInt(numerator, 'numerator');
  const den = toBigInt(denominator, 'denominator');
  if (den <= 0n) throw new RangeError(`expected denominator > 0, got ${den}`);
  if (num < 0n) throw new RangeError(`expected numerator >= 0, got ${num}`);
  const g = num === 0n ? den : gcd(num, den);
  return { numerator: num / g, denominator: den / g };
}

/**
 * The exact value of a finite double x ≥ 0 as a rational. Every double is
 * m·2^e with integer m, so this loses nothing: σ² = 2.3 becomes the dyadic
 * rational that the double 2.3 actually holds, not 23/10.
 */
export function rationalFromNumber(x: number): Rational {
  if (typeof x !== 'number') throw new TypeError(`expected a number, got ${typeof x}`);
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`expected a finite number >= 0, got ${x}`);
  if (x === 0) return { numerator: 0n, denominator: 1n };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormals have no implicit leading 1 and the exponent of the smallest normal.
  const mantissa = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  if (exponent >= 0) return { numerator: mantissa << BigInt(exponent), denominator: 1n };
  return rational(mantissa, 1n << BigInt(-exponent));
}

/** ⌊√n⌋ for n ≥ 0 (Newton's method on integers, which never overshoots once below). */
export function floorSqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`expected n >= 0, got ${n}`);
  if (n < 2n) return n;
  // Start above the root: 2^⌈bits/2⌉ ≥ √n.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/** ⌊√r⌋: ⌊√⌊r⌋⌋ equals ⌊√r⌋ for every real r ≥ 0, so integer square roots suffice. */
export function floorSqrtRational(r: Rational): bigint {
  return floorSqrt(r.numerator / r.denominator);
}

/** r as a double, correct to about one ulp (for reporting and tolerances, never for sampling). */
export function rationalToNumber(r: Rational): number {
  if (r.numerator === 0n) return 0;
  // Scale so the integer quotient has ~64 bits, then undo the scale in two
  // halves so that neither power of two under- or overflows on its own.
  const shift = 64 - (r.numerator.toString(2).length - r.denominator.toString(2).length);
  const quotient = shift >= 0 ? (r.numerator << BigInt(shift)) / r.denominator : r.numerator / (r.denominator << BigInt(-shift));
  const half = Math.trunc(shift / 2);
  return Number(quotient) * 2 ** -half * 2 ** -(shift - half);
}
