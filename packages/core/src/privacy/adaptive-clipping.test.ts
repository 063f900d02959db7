import { describe, it, expect } from 'vitest';
import { AdaptiveClipping, updateNoiseMultiplier } from './adaptive-clipping.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { gaussianVector } from '../random/gaussian.js';
import type { RandomSource } from '../random/random-source.js';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

type Sampler = (random: RandomSource) => number;
const distributions: Record<string, Sampler> = {
  lognormal: (r) => Math.exp(0.5 + 0.8 * gaussianVector(1, 1, r)[0]!),
  uniform: (r) => 2 + 8 * r.nextFloat(),
  halfNormal: (r) => Math.abs(3 * gaussianVector(1, 1, r)[0]!),
};

describe('AdaptiveClipping', () => {
  for (const [name, sample] of Object.entries(distributions)) {
    for (const targetQuantile of [0.3, 0.5, 0.8]) {
      it(`converges to the ${targetQuantile} quantile of ${name} norms, with noise on the count`, () => {
        const data = createSeededRandomSource(`norms/${name}/${targetQuantile}`);
        const noise = createSeededRandomSource(`count-noise/${name}/${targetQuantile}`);
        const population = Array.from({ length: 20_000 }, () => sample(data));
        const truth = quantile(population, targetQuantile);
        const clipping = new AdaptiveClipping({ initialClipNorm: 0.1, targetQuantile, learningRate: 0.2, countNoiseStd: 5 });
        const cohort = 200;
        const tail: number[] = [];
        for (let round = 0; round < 600; round++) {
          let unclipped = 0;
          for (let i = 0; i < cohort; i++) unclipped += AdaptiveClipping.unclippedBit(population[Math.floor(data.nextFloat() * population.length)]!, clipping.clipNorm);
          clipping.update(unclipped, cohort, noise);
          if (round >= 400) tail.push(clipping.clipNorm);
        }
        const settled = tail.reduce((a, b) => a + b, 0) / tail.length;
        // The fraction of the population under the settled bound is near γ.
        const covered = population.filter((x) => x <= settled).length / population.length;
        expect(Math.abs(covered - targetQuantile)).toBeLessThan(0.04);
        expect(settled / truth).toBeGreaterThan(0.8);
        expect(settled / truth).toBeLessThan(1.25);
      });
    }
  }

  it('round-trips through JSON and validates its configuration', () => {
    const a = new AdaptiveClipping({ initialClipNorm: 1, targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 1 });
    a.update(10, 100, createSeededRandomSource(1));
    const b = AdaptiveClipping.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.clipNorm).toBe(a.clipNorm);
    expect(() => new AdaptiveClipping({ initialClipNorm: 1, targetQuantile: 1.5, learningRate: 0.2, countNoiseStd: 1 })).toThrow(RangeError);
  });
});

describe('updateNoiseMultiplier', () => {
  it('splits the budget so that z⁻² = z_Δ⁻² + (2σ_b)⁻²', () => {
    const z = 1.1;
    const sigmaB = 10;
    const zDelta = updateNoiseMultiplier(z, sigmaB);
    expect(zDelta).toBeGreaterThan(z);
    expect(zDelta ** -2 + (2 * sigmaB) ** -2).toBeCloseTo(z ** -2, 12);
  });

  it('refuses a count that would take the whole budget, or a noiseless count', () => {
    expect(() => updateNoiseMultiplier(1, 0.5)).toThrow(RangeError);
    expect(() => updateNoiseMultiplier(1, 0)).toThrow(RangeError);
  });
});
