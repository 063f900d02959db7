import { describe, it, expect } from 'vitest';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';

// Published figures, reproduced to the digits their sources print.
describe('epsilonForMechanisms: published figures', () => {
  it('DP-SGD on MNIST (q = 256/60000, σ = 1.1, 60 epochs = 14,040 steps, δ = 1e-5): ε ≈ 3.01', () => {
    // Abadi et al. 2016 setting; TF-Privacy / Opacus report ε = 3.01 with the classic conversion.
    const result = epsilonForMechanisms({
      mechanisms: [{ samplingRate: 256 / 60_000, noiseMultiplier: 1.1, steps: 14_040 }],
      delta: 1e-5,
      orders: 'opacus',
      conversion: 'classic',
    });
    expect(result.epsilon).toBeCloseTo(3.01, 2);
    expect(result.order).toBe(8.8);
  });

  it('q = 0.04, σ = 1.5, 2,250 steps, δ = 1e-5, improved conversion: ε = 7.32911', () => {
    const result = epsilonForMechanisms({
      mechanisms: [{ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2_250 }],
      delta: 1e-5,
      orders: 'opacus',
      conversion: 'improved',
    });
    expect(result.epsilon).toBeCloseTo(7.32911, 5);
    expect(result.order).toBe(3.9);
  });

  it('defaults to the dp-accounting orders and the improved conversion', () => {
    const mechanisms = [{ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2_250 }];
    const byDefault = epsilonForMechanisms({ mechanisms, delta: 1e-5 });
    const explicit = epsilonForMechanisms({ mechanisms, delta: 1e-5, orders: 'dp-accounting', conversion: 'improved' });
    expect(byDefault).toEqual(explicit);
  });

  it('composes mechanisms with different settings', () => {
    const first = { samplingRate: 0.01, noiseMultiplier: 1.0, steps: 500 };
    const second = { samplingRate: 0.02, noiseMultiplier: 2.0, steps: 300 };
    const both = epsilonForMechanisms({ mechanisms: [first, second], delta: 1e-5 }).epsilon;
    expect(both).toBeGreaterThan(epsilonForMechanisms({ mechanisms: [first], delta: 1e-5 }).epsilon);
    expect(both).toBeGreaterThan(epsilonForMechanisms({ mechanisms: [second], delta: 1e-5 }).epsilon);
  });
});
