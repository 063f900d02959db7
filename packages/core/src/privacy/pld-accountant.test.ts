import { describe, expect, it } from 'vitest';
import { erfc } from './log-math.js';
import { composedPld, pldDelta, pldEpsilon } from './pld-accountant.js';
import { subsampledGaussianPld } from './pld-subsampled-gaussian.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';
import { composePld, pldDeltaForEpsilon, pldEpsilonForDelta, selfComposePld } from './privacy-loss-distribution.js';

const normalCdf = (x: number): number => erfc(-x / Math.SQRT2) / 2;

/**
 * The exact δ(ε) of the Gaussian mechanism with sensitivity 1 and noise σ
 * (Balle & Wang 2018, "Improving the Gaussian mechanism", Thm. 8):
 * Φ(1/(2σ) − εσ) − e^ε·Φ(−1/(2σ) − εσ).
 */
function analyticGaussianDelta(sigma: number, epsilon: number): number {
  return normalCdf(1 / (2 * sigma) - epsilon * sigma) - Math.exp(epsilon) * normalCdf(-1 / (2 * sigma) - epsilon * sigma);
}

/** The exact ε at δ of the Gaussian mechanism, by bisection on the decreasing δ(ε). */
function analyticGaussianEpsilon(sigma: number, delta: number): number {
  let lo = 0;
  let hi = 500;
  if (analyticGaussianDelta(sigma, 0) <= delta) return 0;
  for (let n = 0; n < 200; n++) {
    const mid = (lo + hi) / 2;
    if (analyticGaussianDelta(sigma, mid) > delta) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** mulberry32: a fixed-seed grid, the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rdpEpsilon = (samplingRate: number, noiseMultiplier: number, steps: number, delta: number): number =>
  epsilonForMechanisms({ mechanisms: [{ samplingRate, noiseMultiplier, steps }], delta }).epsilon;

describe('PLD accountant: published values of dp_accounting', () => {
  // google/differential-privacy, python/dp_accounting/pld/pld_privacy_accountant_test.py
  // (commit 1ac116b34d790aff4d3ab7deb1d839285fb7ed3b), test_gaussian_basic:
  // GaussianDpEvent(√3) composed 3 times: δ(ε = 1) = 0.126936, checked to ±1e-3.
  it('Gaussian σ = √3, 3 compositions: δ(1) = 0.126936 and ε(0.126936) = 1', () => {
    const mechanisms = [{ samplingRate: 1, noiseMultiplier: Math.sqrt(3), steps: 3 }];
    expect(pldDelta(mechanisms, 1)).toBeCloseTo(0.126936, 3);
    expect(pldDelta(mechanisms, 1)).toBeGreaterThanOrEqual(0.126936 - 1e-6);
    expect(pldEpsilon(mechanisms, 0.126936)).toBeCloseTo(1, 3);
  });

  // Same file, test_poisson_subsampled_gaussian and test_self_composed_subsampled_gaussian:
  // PoissonSampledDpEvent(0.2, GaussianDpEvent(0.5)) composed 3 times: δ(ε = 1) = 0.15594 (±1e-3).
  it('Poisson-subsampled Gaussian q = 0.2, σ = 0.5, 3 compositions: δ(1) = 0.15594', () => {
    const mechanisms = [{ samplingRate: 0.2, noiseMultiplier: 0.5, steps: 3 }];
    expect(Math.abs(pldDelta(mechanisms, 1) - 0.15594)).toBeLessThan(1e-3);
    expect(Math.abs(pldEpsilon(mechanisms, 0.15594) - 1)).toBeLessThan(1e-3);
    // Heterogeneous composition of the same runs gives the same answer: 1 + 2 steps.
    const split = [
      { samplingRate: 0.2, noiseMultiplier: 0.5, steps: 1 },
      { samplingRate: 0.2, noiseMultiplier: 0.5, steps: 2 },
    ];
    expect(pldDelta(split, 1)).toBeCloseTo(pldDelta(mechanisms, 1), 9);
  });

  // Same file, test_additive_noise_mechanisms_with_zero_noise_multiplier and
  // test_poisson_subsampling_with_zero_probability. dp_accounting reports
  // δ = 1 for any unnoised event; the exact δ(ε) of Poisson(q) sampling
  // without noise is q (the sampled record is revealed), which we report.
  it('no noise: ε = ∞ and δ(1) = q (1 without sampling); q = 0: δ(0) = 0 and ε = 0', () => {
    expect(pldDelta([{ samplingRate: 0.1, noiseMultiplier: 0, steps: 1 }], 1)).toBeCloseTo(0.1, 12);
    expect(pldDelta([{ samplingRate: 1, noiseMultiplier: 0, steps: 1 }], 1)).toBe(1);
    expect(pldEpsilon([{ samplingRate: 0.1, noiseMultiplier: 0, steps: 1 }], 0.01)).toBe(Infinity);
    expect(pldDelta([{ samplingRate: 0, noiseMultiplier: 1, steps: 1 }], 0)).toBe(0);
    expect(pldEpsilon([{ samplingRate: 0, noiseMultiplier: 1, steps: 1 }], 1e-5)).toBe(0);
  });
});

describe('PLD accountant: the exact Gaussian mechanism (q = 1)', () => {
  // T-fold composition of the Gaussian mechanism with σ is the Gaussian
  // mechanism with σ/√T, whose ε is known exactly (Balle & Wang 2018).
  const cases: readonly (readonly [sigma: number, steps: number, delta: number])[] = [
    [1, 1, 1e-5],
    [2, 1, 1e-5],
    [0.8, 1, 1e-3],
    [5, 10, 1e-5],
    [10, 100, 1e-6],
    [4, 16, 1e-5],
  ];
  it.each(cases)('σ = %f, %i steps, δ = %f: never below the exact ε, and within 1e-4 of it', (sigma, steps, delta) => {
    const exact = analyticGaussianEpsilon(sigma / Math.sqrt(steps), delta);
    const pld = pldEpsilon([{ samplingRate: 1, noiseMultiplier: sigma, steps }], delta);
    expect(pld).toBeGreaterThanOrEqual(exact - 1e-9);
    expect(pld - exact).toBeLessThanOrEqual(1e-4);
  });

  it('δ(ε) is never below the exact δ', () => {
    for (const epsilon of [0, 0.5, 1, 2, 4]) {
      const exact = analyticGaussianDelta(1.5, epsilon);
      const pld = pldDelta([{ samplingRate: 1, noiseMultiplier: 1.5, steps: 1 }], epsilon);
      expect(pld).toBeGreaterThanOrEqual(exact - 1e-15);
      expect(pld - exact).toBeLessThan(1e-4);
    }
  });
});

describe('PLD accountant: the discrete PLD', () => {
  it('each direction keeps all its mass (cells plus +∞)', () => {
    for (const direction of ['remove', 'add'] as const) {
      for (const [q, sigma] of [[0.01, 1.1], [0.3, 0.7], [1, 2]] as const) {
        const pld = subsampledGaussianPld(q, sigma, direction, { interval: 1e-3, tailMass: 1e-15 });
        const total = pld.masses.reduce((s, p) => s + p, 0) + pld.infinityMass;
        expect(total).toBeCloseTo(1, 12);
      }
    }
  });

  it('composition by repeated squaring agrees with step-by-step composition', () => {
    const pld = subsampledGaussianPld(0.1, 1, 'remove', { interval: 1e-3, tailMass: 1e-15 });
    let stepwise = pld;
    for (let n = 1; n < 5; n++) stepwise = composePld(stepwise, pld, 1e-15);
    const squared = selfComposePld(pld, 5, 1e-15);
    expect(pldDeltaForEpsilon(squared, 1)).toBeCloseTo(pldDeltaForEpsilon(stepwise, 1), 12);
  });

  it('ε(δ) and δ(ε) are inverse to each other', () => {
    const pld = composedPld([{ samplingRate: 0.05, noiseMultiplier: 0.9, steps: 200 }], 'remove');
    for (const delta of [1e-3, 1e-5, 1e-7]) {
      const epsilon = pldEpsilonForDelta(pld, delta);
      expect(pldDeltaForEpsilon(pld, epsilon)).toBeLessThanOrEqual(delta * (1 + 1e-9));
      expect(pldDeltaForEpsilon(pld, epsilon - 1e-4)).toBeGreaterThan(delta);
    }
  });

  it('ε grows with steps and with q, and falls with σ', () => {
    const at = (q: number, sigma: number, steps: number): number => pldEpsilon([{ samplingRate: q, noiseMultiplier: sigma, steps }], 1e-5);
    expect(at(0.05, 1, 20)).toBeLessThan(at(0.05, 1, 40));
    expect(at(0.05, 1, 20)).toBeLessThan(at(0.1, 1, 20));
    expect(at(0.05, 1.2, 20)).toBeLessThan(at(0.05, 1, 20));
  });
});

describe('PLD accountant: never above RDP', () => {
  // A fixed-seed grid of 60 (q, σ, T, δ) points over the ranges federated
  // training uses; ε_PLD alone (not the min the accountant reports) must be
  // below ε_RDP, and is usually well below. The default grid Δ = 1e-3 (a
  // coarser grid's chords lie above a finer one's, so it is the harder test),
  // spelled out so the test does not move with the default.
  const coarse = { interval: 1e-3 };
  const random = seeded(20260515);
  const grid = Array.from({ length: 60 }, () => {
    const q = [0.005, 0.01, 0.03, 0.1, 0.3, 1][Math.floor(random() * 6)] as number;
    const sigma = 0.7 + random() * 2.3;
    const steps = q === 1 ? 1 + Math.floor(random() * 20) : 1 + Math.floor(random() * 200);
    const delta = 10 ** -(3 + Math.floor(random() * 5));
    return [q, sigma, steps, delta] as const;
  });

  it('ε_PLD ≤ ε_RDP on every grid point', () => {
    for (const [q, sigma, steps, delta] of grid) {
      const pld = pldEpsilon([{ samplingRate: q, noiseMultiplier: sigma, steps }], delta, coarse);
      const rdp = rdpEpsilon(q, sigma, steps, delta);
      expect(pld, `q=${q} σ=${sigma} T=${steps} δ=${delta}`).toBeLessThanOrEqual(rdp);
      if (q === 1) {
        const exact = analyticGaussianEpsilon(sigma / Math.sqrt(steps), delta);
        expect(pld, `q=1 σ=${sigma} T=${steps} δ=${delta}`).toBeGreaterThanOrEqual(exact - 1e-9);
      }
    }
  }, 120_000);

  it('heterogeneous runs (a one-off q = 1 release among subsampled rounds) stay below RDP', () => {
    const mechanisms = [
      { samplingRate: 0.05, noiseMultiplier: 1.1, steps: 30 },
      { samplingRate: 1, noiseMultiplier: 8, steps: 1 },
      { samplingRate: 0.05, noiseMultiplier: 0.9, steps: 20 },
    ];
    const pld = pldEpsilon(mechanisms, 1e-5, coarse);
    const rdp = epsilonForMechanisms({ mechanisms, delta: 1e-5 }).epsilon;
    expect(pld).toBeLessThan(rdp);
    // More mechanisms never cost less.
    expect(pld).toBeGreaterThan(pldEpsilon([mechanisms[0] as (typeof mechanisms)[number]], 1e-5, coarse));
  });
});
