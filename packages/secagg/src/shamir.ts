/**
 * t-of-n Shamir secret sharing (Shamir, "How to Share a Secret", CACM 1979)
 * of byte strings over GF(p), p = 2^255 − 19.
 *
 * Why written here: no package in the workspace shares over a prime field
 * with caller-chosen x-coordinates (SecAgg needs x = the holder's client
 * index, Bonawitz et al. CCS 2017 §4), and the popular GF(2^8) libraries fix
 * x themselves. The risky part of field arithmetic, reduction and inversion
 * mod p, is delegated to @noble/curves' audited `Field`; only polynomial
 * evaluation and Lagrange interpolation live in this file (in plain integers,
 * reduced by `Field`: the x's are small, so that is exact and faster).
 *
 * Encoding: the secret is cut into 31-byte chunks (2^248 < p, so every chunk
 * is a field element), each shared with its own random polynomial of degree
 * t − 1 at the same x's. A share's `y` is the concatenation of one 32-byte
 * little-endian field element per chunk; a 32-byte secret (a seed or an
 * X25519 key) therefore has 64-byte shares. The secret's length is public
 * and is passed back to `combineShares`.
 *
 * Any t shares determine the polynomials, hence the secret; any t − 1 shares
 * are consistent with every possible secret, each with the same number of
 * polynomials, so they reveal nothing about it (perfect secrecy).
 */
import { Field } from '@noble/curves/abstract/modular.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import type { RandomSource } from '@fedrec/core/random';
import { SecAggError } from './secagg-error.js';

const P = 2n ** 255n - 19n;
const Fp = Field(P);

/** Bytes of one encoded field element in a share. */
export const SHAMIR_FIELD_BYTES = 32;
/** Bytes of secret per field element: the largest whole number of bytes below p. */
export const SHAMIR_CHUNK_BYTES = 31;
/** x-coordinates are client indices: integers in [1, 2^32 − 1] (0 is where the secret sits). */
export const SHAMIR_MAX_X = 0xffff_ffff;

export interface ShamirShare {
  /** The holder's x-coordinate (its client index), ≥ 1. */
  readonly x: number;
  /** One 32-byte little-endian field element per 31-byte chunk of the secret. */
  readonly y: Uint8Array;
}

function chunkCount(secretLength: number): number {
  return Math.ceil(secretLength / SHAMIR_CHUNK_BYTES);
}

function assertSecretLength(secretLength: number): void {
  if (!Number.isSafeInteger(secretLength) || secretLength < 1) throw new RangeError(`expected secretLength to be a positive integer, got ${secretLength}`);
}

function assertThreshold(threshold: number): void {
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new RangeError(`expected threshold to be a positive integer, got ${threshold}`);
}

/** Bytes of each share's `y` for a secret of `secretLength` bytes. */
export function shamirShareLength(secretLength: number): number {
  assertSecretLength(secretLength);
  return chunkCount(secretLength) * SHAMIR_FIELD_BYTES;
}

function assertXs(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isSafeInteger(x) || x < 1 || x > SHAMIR_MAX_X) {
      throw new SecAggError('INVALID_SHARE_X', `expected share x-coordinates to be integers in [1, ${SHAMIR_MAX_X}], got ${x}`);
    }
    if (seen.has(x)) throw new SecAggError('DUPLICATE_SHARE_X', `expected distinct share x-coordinates, got ${x} twice`);
    seen.add(x);
  }
}

/**
 * `count` uniform elements of GF(p): 255 random bits each, drawn in one batch
 * of words, an element rejected (and redrawn) if ≥ p, probability 19/2^255.
 */
function randomFieldElements(random: RandomSource, count: number): bigint[] {
  const words = new Uint32Array(8 * count);
  random.fillUint32(words);
  const out: bigint[] = [];
  for (let e = 0; e < count; e++) {
    let value = 0n;
    // Little-endian words, the top bit of the last cleared: 255 bits.
    for (let w = 7; w >= 0; w--) value = (value << 32n) | BigInt(w === 7 ? words[8 * e + w]! & 0x7fff_ffff : words[8 * e + w]!);
    out.push(value < P ? value : randomFieldElements(random, 1)[0]!);
  }
  return out;
}

function secretChunks(secret: Uint8Array): bigint[] {
  const chunks: bigint[] = [];
  for (let start = 0; start < secret.length; start += SHAMIR_CHUNK_BYTES) {
    chunks.push(bytesToNumberLE(secret.subarray(start, start + SHAMIR_CHUNK_BYTES)));
  }
  return chunks;
}

function encodeY(values: readonly bigint[]): Uint8Array {
  const y = new Uint8Array(values.length * SHAMIR_FIELD_BYTES);
  values.forEach((value, c) => y.set(numberToBytesLE(value, SHAMIR_FIELD_BYTES), c * SHAMIR_FIELD_BYTES));
  return y;
}

function decodeY(share: ShamirShare, chunks: number): bigint[] {
  if (!(share.y instanceof Uint8Array) || share.y.length !== chunks * SHAMIR_FIELD_BYTES) {
    throw new SecAggError('MALFORMED_SHARE', `expected the share at x = ${share.x} to hold ${chunks * SHAMIR_FIELD_BYTES} bytes`);
  }
  const values: bigint[] = [];
  for (let c = 0; c < chunks; c++) {
    const value = bytesToNumberLE(share.y.subarray(c * SHAMIR_FIELD_BYTES, (c + 1) * SHAMIR_FIELD_BYTES));
    // A non-canonical element would make two byte strings mean the same share.
    if (value >= P) throw new SecAggError('MALFORMED_SHARE', `expected field elements below p in the share at x = ${share.x}`);
    values.push(value);
  }
  return values;
}

/**
 * Splits `secret` so that any `threshold` of the returned shares (one per
 * x in `xs`, in that order) recover it and fewer reveal nothing.
 *
 * @example
 * const shares = splitSecret(seed, 3, [1, 2, 5, 7], createCryptoRandomSource());
 * combineShares([shares[0], shares[2], shares[3]], 3, seed.length); // → seed
 */
export function splitSecret(secret: Uint8Array, threshold: number, xs: readonly number[], random: RandomSource): ShamirShare[] {
  if (!(secret instanceof Uint8Array)) throw new TypeError(`expected secret to be a Uint8Array, got ${typeof secret}`);
  assertSecretLength(secret.length);
  assertThreshold(threshold);
  assertXs(xs);
  if (xs.length < threshold) throw new RangeError(`expected at least threshold (${threshold}) x-coordinates, got ${xs.length}`);
  // coefficients[c][j]: the x^j coefficient of chunk c's polynomial; the constant term is the chunk.
  const coefficients = secretChunks(secret).map((chunk) => [chunk, ...randomFieldElements(random, threshold - 1)]);
  return xs.map((x) => {
    const at = BigInt(x);
    const values = coefficients.map((poly) => {
      // Horner in plain integers, reduced once at the end: x < 2^32, so the
      // accumulator grows by at most 33 bits a step (~1 kbit at t = 21), and
      // one reduction of that costs less than t − 1 reductions of 2^287.
      let acc = 0n;
      for (let j = poly.length - 1; j >= 0; j--) acc = acc * at + poly[j]!;
      return Fp.create(acc);
    });
    return { x, y: encodeY(values) };
  });
}

/**
 * f(a) at each point a of `at` for the polynomials of degree < t through the t
 * `points`, by Lagrange: f(a) = Σ_i y_i · N_i(a) / D_i with
 * N_i(a) = Π_{j≠i} (a − x_j) and D_i = Π_{j≠i} (x_i − x_j).
 * The x's and points are client indices (below 2^32), so N_i(a) and D_i are
 * computed exactly as integers (t·33 bits at most) and reduced once; only the
 * t denominators are inverted (one batch inversion, Montgomery's trick), and
 * each sum Σ_i N_i(a)·(y_i/D_i) is reduced once at the end. No point of `at`
 * may be one of the x's (the formula would divide by zero).
 */
function interpolateAt(points: readonly { readonly x: bigint; readonly values: readonly bigint[] }[], at: readonly bigint[], chunks: number): bigint[][] {
  const xs = points.map((p) => p.x);
  const denominators = xs.map((xi, i) => {
    let den = 1n;
    xs.forEach((xj, j) => {
      if (j !== i) den *= xi - xj;
    });
    return Fp.create(den); // The x's are distinct: nonzero.
  });
  const inverses = Fp.invertBatch(denominators);
  // y_i / D_i, per chunk.
  const scaled = points.map((p, i) => p.values.map((value) => Fp.mul(value, inverses[i]!)));
  return at.map((a) => {
    let whole = 1n;
    for (const xj of xs) whole *= a - xj;
    // N_i(a) = whole / (a − x_i): an exact integer division.
    const numerators = xs.map((xi) => whole / (a - xi));
    const out: bigint[] = [];
    for (let c = 0; c < chunks; c++) {
      let acc = 0n;
      numerators.forEach((numerator, i) => {
        acc += numerator * scaled[i]![c]!;
      });
      out.push(Fp.create(acc));
    }
    return out;
  });
}

function decodeShares(shares: readonly ShamirShare[], secretLength: number): { x: bigint; values: bigint[] }[] {
  if (!Array.isArray(shares)) throw new TypeError(`expected shares to be an array, got ${typeof shares}`);
  assertXs(shares.map((s) => s.x));
  const chunks = chunkCount(secretLength);
  return [...shares].sort((a, b) => a.x - b.x).map((share) => ({ x: BigInt(share.x), values: decodeY(share, chunks) }));
}

/**
 * Recovers a `secretLength`-byte secret from at least `threshold` shares
 * (Lagrange interpolation at 0). Shares beyond the threshold are not
 * ignored: each must lie on the polynomial the first `threshold` define, so a
 * corrupted share is reported (INCONSISTENT_SHARES) instead of silently
 * yielding a wrong secret whenever there is redundancy to detect it.
 */
export function combineShares(shares: readonly ShamirShare[], threshold: number, secretLength: number): Uint8Array {
  assertThreshold(threshold);
  assertSecretLength(secretLength);
  const points = decodeShares(shares, secretLength);
  if (points.length < threshold) throw new SecAggError('TOO_FEW_SHARES', `expected at least ${threshold} shares, got ${points.length}`);
  const chunks = chunkCount(secretLength);
  const base = points.slice(0, threshold);
  const extras = points.slice(threshold);
  // The secret (at 0) and every extra share's predicted value, with one inversion.
  const [values, ...predicted] = interpolateAt(base, [0n, ...extras.map((p) => p.x)], chunks) as [bigint[], ...bigint[][]];
  extras.forEach((extra, e) => {
    if (predicted[e]!.some((value, c) => value !== extra.values[c])) {
      throw new SecAggError('INCONSISTENT_SHARES', `expected the share at x = ${extra.x} to agree with the first ${threshold} shares`);
    }
  });
  const secret = new Uint8Array(secretLength);
  values.forEach((value, c) => {
    const bytes = Math.min(SHAMIR_CHUNK_BYTES, secretLength - c * SHAMIR_CHUNK_BYTES);
    // A chunk too large for its bytes means these shares were not made for a secret of this length.
    if (value >= 1n << BigInt(8 * bytes)) throw new SecAggError('INCONSISTENT_SHARES', `expected shares of a ${secretLength}-byte secret`);
    secret.set(numberToBytesLE(value, bytes), c * SHAMIR_CHUNK_BYTES);
  });
  return secret;
}

/**
 * @internal For tests of perfect secrecy: the unique share at `x` which,
 * together with the given threshold − 1 shares, encodes `secret`. That it
 * exists for every secret is exactly why t − 1 shares reveal nothing.
 */
export function shareCompletingTo(shares: readonly ShamirShare[], secret: Uint8Array, x: number): ShamirShare {
  assertSecretLength(secret.length);
  assertXs([...shares.map((s) => s.x), x]);
  const points = [{ x: 0n, values: secretChunks(secret) }, ...decodeShares(shares, secret.length)];
  return { x, y: encodeY(interpolateAt(points, [BigInt(x)], chunkCount(secret.length))[0]!) };
}
