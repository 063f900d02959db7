import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rdpToDelta, rdpToEpsilon } from './rdp-to-dp.js';
import { RDP_ORDER_PRESETS } from './rdp-orders.js';
import { composeRdp } from './rdp-subsampled-gaussian.js';

const orders = RDP_ORDER_PRESETS['dp-accounting'];
const delta = fc.double({ min: 1e-12, max: 0.1, noNaN: true });
const mechanism = fc.record({
  samplingRate: fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
  noiseMultiplier: fc.double({ min: 0.6, max: 5, noNaN: true }),
  steps: fc.integer({ min: 1, max: 5000 }),
});

describe('rdpToEpsilon', () => {
  it('classic: min over orders of RDP(α) − log(δ)/(α−1)', () => {
    const result = rdpToEpsilon([2, 4, 8], [0.5, 1, 3], 1e-5, 'classic');
    const candidates = [0.5 - Math.log(1e-5), 1 - Math.log(1e-5) / 3, 3 - Math.log(1e-5) / 7];
    expect(result.epsilon).toBeCloseTo(Math.min(...candidates), 14);
    expect(result.order).toBe(8);
  });

  it('improved: RDP(α) + log1p(−1/α) − (log δ + log α)/(α−1)', () => {
    const [a, r, d] = [4, 1, 1e-5];
    const expected = r + Math.log1p(-1 / a) - (Math.log(d) + Math.log(a)) / (a - 1);
    expect(rdpToEpsilon([a], [r], d, 'improved')).toEqual({ epsilon: expected, order: a });
  });

  it('improved is never worse than classic', () => {
    fc.assert(
      fc.property(mechanism, delta, (m, d) => {
        const rdp = composeRdp([m], orders);
        expect(rdpToEpsilon(orders, rdp, d, 'improved').epsilon).toBeLessThanOrEqual(rdpToEpsilon(orders, rdp, d, 'classic').epsilon);
      }),
      { numRuns: 30 },
    );
  });

  it('is 0 for zero privacy loss with the improved conversion, and infinite for infinite loss', () => {
    expect(rdpToEpsilon([2, 3], [0, 0], 1e-5).epsilon).toBe(0);
    expect(rdpToEpsilon([2, 3], [Infinity, Infinity], 1e-5).epsilon).toBe(Infinity);
    expect(rdpToEpsilon([2, 3], [Infinity, Infinity], 1e-5, 'classic').epsilon).toBe(Infinity);
  });

  it('rejects malformed input', () => {
    expect(() => rdpToEpsilon([2, 3], [1], 1e-5)).toThrow(new RangeError('expected one RDP value per order, got 1 values for 2 orders'));
    expect(() => rdpToEpsilon([2], [1], 0)).toThrow(new RangeError('expected delta in (0, 1), got 0'));
    expect(() => rdpToEpsilon([2], [1], 1)).toThrow(RangeError);
    expect(() => rdpToEpsilon([2], [-1], 1e-5)).toThrow(new RangeError('expected rdp[0] >= 0, got -1'));
    expect(() => rdpToEpsilon([1], [1], 1e-5)).toThrow(RangeError);
    expect(() => rdpToEpsilon([], [], 1e-5)).toThrow(RangeError);
    expect(() => rdpToEpsilon([2], [1], 1e-5, 'tight' as 'classic')).toThrow(
      new RangeError('expected conversion "improved" or "classic", got "tight"'),
    );
  });
});

describe('rdpToDelta', () => {
  it('inverts rdpToEpsilon for both conversions', () => {
    fc.assert(
      fc.property(mechanism, delta, fc.constantFrom('improved' as const, 'classic' as const), (m, d, conversion) => {
        const rdp = composeRdp([m], orders);
        const { epsilon } = rdpToEpsilon(orders, rdp, d, conversion);
        fc.pre(epsilon > 0);
        const back = rdpToDelta(orders, rdp, epsilon, conversion);
        // δ(ε(δ)) ≤ δ, with equality at the optimal order up to rounding.
        expect(back.delta).toBeLessThanOrEqual(d * (1 + 1e-9));
        expect(back.delta).toBeGreaterThanOrEqual(d * (1 - 1e-6));
      }),
      { numRuns: 30 },
    );
  });

  it('classic: min over orders of exp((α−1)(RDP(α) − ε))', () => {
    expect(rdpToDelta([2, 4], [0.5, 1], 3, 'classic').delta).toBeCloseTo(Math.min(Math.exp(-2.5), Math.exp(3 * -2)), 15);
    expect(rdpToDelta([2], [Infinity], 3).delta).toBe(1);
    expect(rdpToDelta([2], [0], 0).delta).toBe(0);
    expect(() => rdpToDelta([2], [1], -1)).toThrow(new RangeError('expected epsilon to be finite and >= 0, got -1'));
  });
});
