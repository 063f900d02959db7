import { describe, expect, it } from 'vitest';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';
import { PrivacyLedger } from './privacy-ledger.js';
import { releasePrivatePopularity } from './private-popularity.js';

const options = (seed: string) => ({ numItems: 20_000, maxItemsPerShopper: 4, noiseMultiplier: 3, noise: createSeededRandomSource(seed) });

describe('releasePrivatePopularity', () => {
  it('adds noise of the std the ledger accounts for: z·√k per item (statistical, fixed seed)', () => {
    const release = releasePrivatePopularity([], options('popularity-std'));
    expect(release.noiseStd).toBe(3 * 2);
    let sum = 0;
    let squares = 0;
    for (const x of release.counts) {
      sum += x;
      squares += x * x;
    }
    const n = release.counts.length;
    const std = Math.sqrt(squares / n - (sum / n) ** 2);
    // The sample std of 20,000 draws is within 3% of σ with probability > 0.9999.
    expect(std).toBeGreaterThan(release.noiseStd * 0.97);
    expect(std).toBeLessThan(release.noiseStd * 1.03);
    // What goes into the ledger: one step of the Gaussian mechanism on everyone, σ = z relative to the sensitivity √k.
    expect(release.mechanism).toEqual({ samplingRate: 1, noiseMultiplier: 3, steps: 1 });
    const ledger = new PrivacyLedger();
    ledger.record(release.mechanism);
    expect(ledger.epsilon(1e-5).epsilon).toBe(epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: 3, steps: 1 }], delta: 1e-5 }).epsilon);
  });

  it('bounds one shopper’s effect to L2 √k: distinct items, the first k only', () => {
    const others = [[1, 2, 3], [2, 5]];
    const without = releasePrivatePopularity(others, options('same-noise'));
    const greedy = [7, 7, 7, 8, 9, 10, 11, 12, 13];
    const withShopper = releasePrivatePopularity([...others, greedy], options('same-noise'));
    const difference = Array.from(withShopper.counts, (x, i) => Math.round(x - without.counts[i]!));
    expect(difference.flatMap((d, item) => (d === 0 ? [] : [[item, d]]))).toEqual([[7, 1], [8, 1], [9, 1], [10, 1]]);
    expect(withShopper.truncated).toBe(1);
  });

  it('refuses bad parameters and item indices out of range', () => {
    expect(() => releasePrivatePopularity([[20_000]], options('x'))).toThrow(/\[0, 20000\)/);
    expect(() => releasePrivatePopularity([], { ...options('x'), noiseMultiplier: 0 })).toThrow(/noiseMultiplier > 0/);
    expect(() => releasePrivatePopularity([], { ...options('x'), maxItemsPerShopper: 0 })).toThrow(/maxItemsPerShopper >= 1/);
  });
});
