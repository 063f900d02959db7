import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PrivacyLedger } from './privacy-ledger.js';
import { SavedStateError } from '../state/saved-state.js';
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

  it('refuses malformed JSON with a coded error naming the first bad field', () => {
    const good = JSON.parse(
      JSON.stringify(new PrivacyLedger({ orders: [2, 4] }).toJSON()),
    ) as Record<string, unknown>;
    const entry = { samplingRate: 0.1, noiseMultiplier: 1, steps: 3 };
    const bad: [unknown, string][] = [
      [null, ''],
      [42, ''],
      [[], ''],
      ['{not json', ''],
      [{ ...good, format: 'something-else' }, 'format'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, orders: 'tf' }, 'orders'],
      [{ ...good, orders: [] }, 'orders'],
      [{ ...good, orders: [2, 0.5] }, 'orders.1'],
      [{ ...good, orders: [2, Infinity] }, 'orders.1'],
      [{ ...good, entries: {} }, 'entries'],
      [{ ...good, entries: [null] }, 'entries.0'],
      [{ ...good, entries: [entry, { ...entry, samplingRate: 2 }] }, 'entries.1.samplingRate'],
      [{ ...good, entries: [{ ...entry, samplingRate: '0.1' }] }, 'entries.0.samplingRate'],
      [{ ...good, entries: [{ ...entry, noiseMultiplier: -1 }] }, 'entries.0.noiseMultiplier'],
      [{ ...good, entries: [{ ...entry, noiseMultiplier: null }] }, 'entries.0.noiseMultiplier'],
      [{ ...good, entries: [{ ...entry, noiseMultiplier: 'infinity' }] }, 'entries.0.noiseMultiplier'],
      [{ ...good, entries: [{ ...entry, steps: 1.5 }] }, 'entries.0.steps'],
      [{ ...good, entries: [{ samplingRate: 0.1, noiseMultiplier: 1 }] }, 'entries.0.steps'],
      // Two runs of one mechanism merge; together they would pass 2^53 - 1 steps.
      [{ ...good, entries: [{ ...entry, steps: Number.MAX_SAFE_INTEGER }, { ...entry, steps: 1 }] }, 'entries.1.steps'],
    ];
    for (const [value, path] of bad) {
      expect(() => PrivacyLedger.fromJSON(value), JSON.stringify(value)).toThrow(SavedStateError);
      expect(() => PrivacyLedger.fromJSON(value)).toThrow(expect.objectContaining({ code: 'CORRUPT_STATE', path }));
    }
    expect(() => PrivacyLedger.fromJSON({ ...good, entries: [{ ...entry, samplingRate: 2 }] })).toThrow(
      'privacy ledger field entries.0.samplingRate: Too big: expected number to be <=1',
    );
    expect(PrivacyLedger.fromJSON({ ...good, entries: [entry] }).totalSteps).toBe(3);
  });

  it('never echoes stored values into its errors', () => {
    const secret = 'shopper-42-bought-x';
    const good = new PrivacyLedger({ orders: [2] }).toJSON();
    for (const value of [`{"${secret}`, { ...good, format: secret }, { ...good, entries: [{ samplingRate: secret, noiseMultiplier: 1, steps: 1 }] }]) {
      let message = '';
      try {
        PrivacyLedger.fromJSON(value);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^privacy ledger/);
      expect(message).not.toContain(secret);
    }
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
