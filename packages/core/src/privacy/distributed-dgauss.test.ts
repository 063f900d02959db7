import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PrivacyLedger } from './privacy-ledger.js';
import { rdpToEpsilon } from './rdp-to-dp.js';
import { subsampledGaussianRdp } from './rdp-subsampled-gaussian.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { createDiscreteGaussianSampler } from './discrete-gaussian.js';
import {
  distributedDiscreteGaussianRdp,
  distributedDiscreteGaussianRdpVector,
  effectiveNoiseMultiplier,
  perClientSigma,
  perClientVariance,
  roundedL2Sensitivity,
  subsampledDistributedDiscreteGaussianRdp,
  sumOfDiscreteGaussiansTau,
  type DistributedDiscreteGaussianParams,
} from './distributed-dgauss.js';
import { rational, rationalFromNumber } from './rational.js';

const ORDERS = [1.5, 2, 3, 4, 8, 16, 32, 64] as const;

describe('calibration', () => {
  it('splits the total variance evenly: n clients at σ²/n sum to σ²', () => {
    expect(perClientSigma(6, 9)).toBe(2);
    expect(perClientVariance(36, 9)).toEqual(rational(4n));
    expect(perClientVariance(rational(10n, 3n), 4)).toEqual(rational(5n, 6n));
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (total, n) => {
        const share = perClientVariance(total, n);
        // n · (σ²/n) is σ² exactly: no rounding in the calibration.
        expect(rational(share.numerator * BigInt(n), share.denominator)).toEqual(rationalFromNumber(total));
      }),
    );
  });

  it('the sum of n clients’ discrete Gaussian noise has the target variance (fixed seed)', () => {
    const clients = 10;
    const totalVariance = 40; // σ_total ≈ 6.3, σ_client = 2
    const sampler = createDiscreteGaussianSampler(perClientVariance(totalVariance, clients));
    const random = createSeededRandomSource('ddg-sum');
    const trials = 20_000;
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < trials; t++) {
      let z = 0;
      for (let c = 0; c < clients; c++) z += Number(sampler.sample(random));
      sum += z;
      squares += z * z;
    }
    const mean = sum / trials;
    const variance = squares / trials - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(totalVariance / trials));
    expect(Math.abs(variance - totalVariance)).toBeLessThan(5 * Math.SQRT2 * (totalVariance / Math.sqrt(trials)));
  });

  it('inflates the L2 sensitivity by √d for rounding', () => {
    expect(roundedL2Sensitivity(1, 0.01, 100)).toBe(110);
  });
});

describe('privacy of the sum (Kairouz, Liu, Steinke 2021)', () => {
  const base: DistributedDiscreteGaussianParams = { clients: 10, localSigma: 5, l2Sensitivity: 20, dimension: 1000 };

  it('computes τ of Theorem 1', () => {
    expect(sumOfDiscreteGaussiansTau(1, 1)).toBe(0);
    expect(sumOfDiscreteGaussiansTau(1, 2)).toBeCloseTo(10 * Math.exp(-(Math.PI ** 2)), 15);
    expect(sumOfDiscreteGaussiansTau(1, 3)).toBeCloseTo(10 * (Math.exp(-(Math.PI ** 2)) + Math.exp((-4 * Math.PI ** 2) / 3)), 15);
  });

  it('with one client (τ = 0) is exactly the Gaussian RDP α·Δ²/(2σ²)', () => {
    const params = { clients: 1, localSigma: 3, l2Sensitivity: 2, dimension: 50 };
    for (const order of ORDERS) expect(distributedDiscreteGaussianRdp(params, order)).toBeCloseTo((order * 4) / 18, 12);
  });

  it('grows with the order and with Δ, shrinks with σ', () => {
    const rdp = ORDERS.map((order) => distributedDiscreteGaussianRdp(base, order));
    rdp.slice(1).forEach((value, i) => expect(value).toBeGreaterThanOrEqual(rdp[i]!));
    expect(distributedDiscreteGaussianRdp({ ...base, l2Sensitivity: 30 }, 4)).toBeGreaterThan(distributedDiscreteGaussianRdp(base, 4));
    expect(distributedDiscreteGaussianRdp({ ...base, localSigma: 6 }, 4)).toBeLessThan(distributedDiscreteGaussianRdp(base, 4));
  });

  it('subsampling never costs more than the unsampled mechanism, and vanishes with q', () => {
    for (const order of ORDERS) {
      const full = distributedDiscreteGaussianRdp(base, order);
      const sampled = subsampledDistributedDiscreteGaussianRdp(base, 0.01, order);
      expect(sampled).toBeLessThanOrEqual(full);
      expect(sampled).toBeGreaterThanOrEqual(0);
      expect(subsampledDistributedDiscreteGaussianRdp({ ...base, localSigma: 20 }, 1e-6, order)).toBeLessThan(1e-6);
      expect(subsampledDistributedDiscreteGaussianRdp(base, 1, order)).toBe(full);
    }
  });

  it('refuses σ < 1/2, where Theorem 1 does not apply', () => {
    expect(() => distributedDiscreteGaussianRdp({ ...base, localSigma: 0.4 }, 2)).toThrow(RangeError);
  });

  it('gives a ledger noise multiplier ≈ √n·σ/Δ when τ is negligible', () => {
    const z = effectiveNoiseMultiplier(base, { samplingRate: 1, orders: [...ORDERS] });
    expect(z).toBeLessThanOrEqual((Math.sqrt(10) * 5) / 20);
    expect(z / ((Math.sqrt(10) * 5) / 20)).toBeGreaterThan(1 - 1e-9);
  });

  it('interpolates between integer orders without exceeding either neighbour', () => {
    for (const q of [0.01, 1]) {
      const at = (order: number): number => subsampledDistributedDiscreteGaussianRdp(base, q, order);
      for (const order of [1.1, 1.5, 2.5, 3.7, 10.5]) {
        expect(at(order)).toBeLessThanOrEqual(at(Math.ceil(order)) * (1 + 1e-12));
      }
    }
  });

  it('recording the effective multiplier in a PrivacyLedger is conservative, for q = 1 and q < 1', () => {
    // σ = 0.6 makes τ large enough to matter.
    const cases: [DistributedDiscreteGaussianParams, number][] = [
      [base, 1],
      [{ clients: 50, localSigma: 0.6, l2Sensitivity: 3, dimension: 20 }, 1],
      [base, 0.05],
      [{ clients: 50, localSigma: 0.6, l2Sensitivity: 3, dimension: 20 }, 0.02],
    ];
    const integerOrders = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];
    for (const [params, samplingRate] of cases) {
      for (const orders of [integerOrders, [...ORDERS]]) {
        const z = effectiveNoiseMultiplier(params, { samplingRate, orders });
        const bound = distributedDiscreteGaussianRdpVector(params, samplingRate, orders);
        orders.forEach((order, k) => expect(subsampledGaussianRdp(samplingRate, z, order)).toBeGreaterThanOrEqual(bound[k]!));
        const ledger = new PrivacyLedger({ orders });
        ledger.record({ samplingRate, noiseMultiplier: z, steps: 100 });
        const direct = rdpToEpsilon(orders, bound.map((b) => 100 * b), 1e-5).epsilon;
        expect(ledger.epsilon(1e-5).epsilon).toBeGreaterThanOrEqual(direct);
        // …and, with integer orders, not wildly so: within 10 % of the bound it stands for.
        if (orders === integerOrders) expect(ledger.epsilon(1e-5).epsilon).toBeLessThan(1.1 * direct);
      }
    }
  });
});
