/**
 * Arithmetic in log space for the RDP accountant.
 *
 * The moments of the sampled Gaussian mechanism overflow a double long before
 * the privacy numbers they produce become interesting (e^(α²/2σ²) at α = 512,
 * σ = 0.5), so every sum is carried as a logarithm; `-Infinity` stands for
 * log(0).
 */

/** log(e^x + e^y), without overflow. */
export function logAdd(x: number, y: number): number {
  const lo = Math.min(x, y);
  const hi = Math.max(x, y);
  if (lo === -Infinity) return hi;
  // Both infinite would give Infinity − Infinity = NaN below.
  if (hi === Infinity) return Infinity;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/**
 * log(e^x − e^y) for x ≥ y. A negative difference has no logarithm, so it is
 * an error rather than a NaN that would poison every later sum.
 */
export function logSub(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    throw new RangeError(`expected logSub arguments to be numbers, got x = ${x}, y = ${y}`);
  }
  if (x < y) {
    throw new RangeError(`expected logSub(x, y) with x >= y, got x = ${x}, y = ${y}`);
  }
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  if (x === Infinity) return Infinity;
  // e^x − e^y = e^x (1 − e^(y−x)); expm1 keeps the digits when y is close to x.
  return x + Math.log(-Math.expm1(y - x));
}

/** log Σ e^(vᵢ), shifting by the maximum so no term overflows. */
export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/**
 * log |C(n, k)| for real n and a non-negative integer k, with C(n, k) =
 * n (n−1) … (n−k+1) / k!. Accumulated as a sum of logarithms because the
 * coefficients themselves overflow (C(1024, 512) ≈ 10^306). Returns
 * -Infinity when the coefficient is zero (integer n, k > n).
 */
export function logAbsBinomial(n: number, k: number): number {
  if (!Number.isFinite(n)) throw new RangeError(`expected n to be finite, got ${n}`);
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
  }
  // Symmetry keeps the loop (and its rounding) short for integer n.
  const kk = Number.isInteger(n) && n >= 0 && k <= n ? Math.min(k, n - k) : k;
  let sum = 0;
  for (let j = 1; j <= kk; j++) {
    const factor = (n - j + 1) / j;
    if (factor === 0) return -Infinity;
    sum += Math.log(Math.abs(factor));
  }
  return sum;
}

/** Sign (+1, −1 or 0) of C(n, k) for real n and a non-negative integer k. */
export function binomialSign(n: number, k: number): -1 | 0 | 1 {
  if (!Number.isFinite(n)) throw new RangeError(`expected n to be finite, got ${n}`);
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
  }
  let sign: -1 | 1 = 1;
  for (let j = 1; j <= k; j++) {
    const factor = n - j + 1;
    if (factor === 0) return 0;
    if (factor < 0) sign = sign === 1 ? -1 : 1;
  }
  return sign;
}

// W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969), as in Netlib SPECFUN CALERF: about 1e-16 relative
// error in each interval. Written out here because JavaScript has no erfc;
// each coefficient is the double nearest to Cody's 18-digit published value.
// A/B: erf on |x| ≤ 0.46875.
const CODY_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const CODY_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// C/D: e^(x²)·erfc(x) on 0.46875 < x ≤ 4.
const CODY_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const CODY_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
// P/Q: x·e^(x²)·erfc(x) on x > 4, a rational function of 1/x².
const CODY_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
];
const CODY_Q = [2.568520192289822, 1.8729528499234673, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];

const ONE_OVER_SQRT_PI = 0.5641895835477563;
const HALF_LOG_PI = 0.5 * Math.log(Math.PI);
const CODY_SMALL = 0.46875;
// Above this erfc(x) underflows a double (Cody's XBIG); the asymptotic series
// below is accurate to ~1e-13 in absolute log terms from here on.
const ASYMPTOTIC_FROM = 26.543;

/** erf(x) for |x| ≤ 0.46875. */
function erfSmall(x: number): number {
  const z = x * x;
  let num = (CODY_A[4] as number) * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + (CODY_A[i] as number)) * z;
    den = (den + (CODY_B[i] as number)) * z;
  }
  return (x * (num + (CODY_A[3] as number))) / (den + (CODY_B[3] as number));
}

/** e^(y²)·erfc(y) for y > 0.46875, which neither overflows nor underflows. */
function scaledErfc(y: number): number {
  if (y <= 4) {
    let num = (CODY_C[8] as number) * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + (CODY_C[i] as number)) * y;
      den = (den + (CODY_D[i] as number)) * y;
    }
    return (num + (CODY_C[7] as number)) / (den + (CODY_D[7] as number));
  }
  const z = 1 / (y * y);
  let num = (CODY_P[5] as number) * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + (CODY_P[i] as number)) * z;
    den = (den + (CODY_Q[i] as number)) * z;
  }
  const r = (z * (num + (CODY_P[4] as number))) / (den + (CODY_Q[4] as number));
  return (ONE_OVER_SQRT_PI - r) / y;
}

/** erfc(x) = 1 − erf(x); underflows to 0 beyond x ≈ 26.5 (use logErfc there). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= CODY_SMALL) return 1 - erfSmall(x);
  const tail = y === Infinity ? 0 : Math.exp(-y * y) * scaledErfc(y);
  return x > 0 ? tail : 2 - tail;
}

/**
 * log(erfc(x)), accurate to about 1e-15 relative for every real x, including
 * x large enough that erfc(x) itself underflows (the fractional-order RDP
 * series needs erfc at arguments of several hundred).
 */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x < -CODY_SMALL) return Math.log(erfc(x));
  if (x <= CODY_SMALL) return Math.log1p(-erfSmall(x));
  if (x < ASYMPTOTIC_FROM) return -x * x + Math.log(scaledErfc(x));
  // Laurent series of log(erfc(x)) + x² + log(x√π) in t = 1/x²:
  // −t/2 + 5t²/8 − 37t³/24 + 353t⁴/64 − …; the next term is below 1e-13 here.
  const t = 1 / (x * x);
  const series = t * (-0.5 + t * (0.625 + t * (-37 / 24 + t * (353 / 64))));
  return -x * x - Math.log(x) - HALF_LOG_PI + series;
}
