import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PrivacyLedger } from './privacy-ledger.js';
import { composeRdp } from './rdp-subsampled-gaussian.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';

const mechanism = fc.record({
  samplingRate: fc.constantFrom(0, 0.001, 0.01, 0.05, 1),
  noiseMultiplier: fc.constantFrom(0.8, 1.1, 2, Infinity),
  steps: fc.integer({ min: 0, max: 500 }),
});

describe('PrivacyLedger', () => {
  it('reproduces the published figure when recorded round by round', () => {
    const ledger = new PrivacyLedger({ orders: 'opacus' });
    for (let round = 0; round < 2250; round++) ledger.record({ samplingRate: 0.04, noiseMultiplier: 1.5 });
    expect(ledger.totalSteps).toBe(2250);
    expect(ledger.entries()).toEqual([{ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2250 }]);
    expect(ledger.epsilon(1e-5).epsilon).toBeCloseTo(7.32911, 5);
  });

  it('keeps 10,000 alternating rounds cheap and matches composeRdp', () => {
    const ledger = new PrivacyLedger();
    const started = performance.now();
    for (let round = 0; round < 10_000; round++) ledger.record({ samplingRate: 0.01, noiseMultiplier: round % 2 === 0 ? 1.2 : 1.0 });
    expect(performance.now() - started).toBeLessThan(2000);
    const expected = composeRdp([
      { samplingRate: 0.01, noiseMultiplier: 1.2, steps: 5000 },
      { samplingRate: 0.01, noiseMultiplier: 1.0, steps: 5000 },
    ]);
    // 10,000 separate additions against two multiplications: rounding only.
    ledger.rdp().forEach((value, k) => expect(Math.abs(value / (expected[k] as number) - 1)).toBeLessThan(1e-11));
  });

  it('agrees with the batch accountant for any history', () => {
    fc.assert(
      fc.property(fc.array(mechanism, { maxLength: 8 }), (history) => {
        const ledger = new PrivacyLedger({ orders: [1.5, 2, 8, 32] });
        history.forEach((m) => ledger.record(m));
        const expected = composeRdp(history, [1.5, 2, 8, 32]);
        ledger.rdp().forEach((value, k) => {
          const e = expected[k] as number;
          if (e === Infinity || e === 0) expect(value).toBe(e);
          else expect(Math.abs(value - e) / e).toBeLessThan(1e-12);
        });
      }),
    );
  });

  it('wouldExceed looks ahead without recording', () => {
    const ledger = new PrivacyLedger({ orders: 'opacus' });
    ledger.record({ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2249 });
    const next = { samplingRate: 0.04, noiseMultiplier: 1.5 };
    expect(ledger.wouldExceed(next, 7.32911, 1e-5)).toBe(true);
    expect(ledger.wouldExceed(next, 7.3292, 1e-5)).toBe(false);
    expect(ledger.wouldExceed({ ...next, steps: 0 }, 7.32911, 1e-5)).toBe(false);
    expect(ledger.totalSteps).toBe(2249);
    const { epsilon } = epsilonForMechanisms({ mechanisms: [{ ...next, steps: 2249 }], delta: 1e-5, orders: 'opacus' });
    expect(ledger.epsilon(1e-5).epsilon).toBe(epsilon);
  });

  it('reports δ for a given ε', () => {
    const ledger = new PrivacyLedger({ orders: 'opacus' });
    ledger.record({ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2250 });
    const { epsilon } = ledger.epsilon(1e-5);
    expect(ledger.delta(epsilon).delta).toBeCloseTo(1e-5, 10);
  });

  it('round-trips through JSON exactly', () => {
    fc.assert(
      fc.property(fc.array(mechanism, { maxLength: 12 }), (history) => {
        const ledger = new PrivacyLedger({ orders: 'tf' });
        history.forEach((m) => ledger.record(m));
        const text = JSON.stringify(ledger);
        const restored = PrivacyLedger.fromJSON(JSON.parse(text));
        expect(restored.rdp()).toEqual(ledger.rdp());
        expect(restored.entries()).toEqual(ledger.entries());
        expect(restored.orders).toEqual(ledger.orders);
        expect(PrivacyLedger.fromJSON(text).rdp()).toEqual(ledger.rdp());
        expect(JSON.stringify(restored)).toBe(text);
      }),
    );
  });

  it('rejects malformed JSON', () => {
    const good = JSON.parse(
      JSON.stringify(new PrivacyLedger({ orders: [2, 4] }).toJSON()),
    ) as Record<string, unknown>;
    const entry = { samplingRate: 0.1, noiseMultiplier: 1, steps: 3 };
    const bad: [unknown, ErrorConstructor][] = [
      [null, TypeError],
      [42, TypeError],
      [[], TypeError],
      ['{not json', TypeError],
      [{ ...good, format: 'something-else' }, RangeError],
      [{ ...good, version: 2 }, RangeError],
      [{ ...good, orders: 'tf' }, TypeError],
      [{ ...good, orders: [] }, RangeError],
      [{ ...good, orders: [0.5] }, RangeError],
      [{ ...good, entries: {} }, TypeError],
      [{ ...good, entries: [null] }, TypeError],
      [{ ...good, entries: [{ ...entry, samplingRate: 2 }] }, RangeError],
      [{ ...good, entries: [{ ...entry, samplingRate: '0.1' }] }, TypeError],
      [{ ...good, entries: [{ ...entry, noiseMultiplier: -1 }] }, RangeError],
      [{ ...good, entries: [{ ...entry, noiseMultiplier: null }] }, TypeError],
      [{ ...good, entries: [{ ...entry, steps: 1.5 }] }, RangeError],
      [{ ...good, entries: [{ samplingRate: 0.1, noiseMultiplier: 1 }] }, TypeError],
    ];
    for (const [value, errorType] of bad) expect(() => PrivacyLedger.fromJSON(value)).toThrow(errorType);
    expect(() => PrivacyLedger.fromJSON({ ...good, entries: [{ ...entry, samplingRate: 2 }] })).toThrow(
      'expected entries[0].samplingRate in [0, 1], got 2',
    );
    expect(PrivacyLedger.fromJSON({ ...good, entries: [entry] }).totalSteps).toBe(3);
  });

  it('stores σ = ∞ in JSON', () => {
    const ledger = new PrivacyLedger({ orders: [2] });
    ledger.record({ samplingRate: 0.5, noiseMultiplier: Infinity, steps: 4 });
    const json = ledger.toJSON();
    expect(json.entries[0]?.noiseMultiplier).toBe('Infinity');
    expect(PrivacyLedger.fromJSON(JSON.parse(JSON.stringify(json))).entries()).toEqual([{ samplingRate: 0.5, noiseMultiplier: Infinity, steps: 4 }]);
  });

  it('validates recorded mechanisms', () => {
    const ledger = new PrivacyLedger();
    expect(() => ledger.record({ samplingRate: 1.5, noiseMultiplier: 1 })).toThrow(new RangeError('expected mechanism.samplingRate in [0, 1], got 1.5'));
    expect(() => ledger.record({ samplingRate: 0.1, noiseMultiplier: 1, steps: -2 })).toThrow(RangeError);
    expect(() => ledger.record(null as unknown as { samplingRate: number; noiseMultiplier: number })).toThrow(TypeError);
    expect(ledger.totalSteps).toBe(0);
    expect(ledger.epsilon(1e-5).epsilon).toBe(0);
  });
});
