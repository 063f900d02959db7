import { describe, expect, it } from 'vitest';
import { RDP_ORDER_PRESETS } from '@fedrec/core/privacy';
import { SecAggError } from '@fedrec/secagg';
import { parseServerConfig } from '../config/server-config.js';
import type { PlannedRoundPrivacy } from '../privacy/server-privacy.js';
import { planSecureRound, type SecureRoundPlanInput } from './secure-round-plan.js';

const settings = { enabled: true, stageTimeoutMs: 1000, modulusBits: 32, clipNorm: 1 };
const cohort = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);
const input = (n: number, overrides: Partial<SecureRoundPlanInput> = {}): SecureRoundPlanInput => ({
  settings,
  roundId: 1,
  cohort: cohort(n),
  vectorLength: 1000,
  graphSeed: new Uint8Array(32),
  minUpdates: 1,
  privacy: null,
  timeoutMs: 1000,
  ...overrides,
});
const distributed = (z: number, clipNorm: number, ledgerOrders: readonly number[] = RDP_ORDER_PRESETS['dp-accounting']): PlannedRoundPrivacy => ({
  message: { clipNorm, placement: 'distributed', clientNoiseMultiplier: z, accountedNoiseMultiplier: z, samplingRate: 0.5, delta: 1e-5 },
  wantsUnclippedBit: false,
  expectedCohort: 10,
  updateNoiseMultiplier: z,
  ledgerOrders,
});

describe('planSecureRound', () => {
  it('chooses γ so that n clients at the bound cannot wrap around, with and without noise', () => {
    for (const n of [2, 10, 100, 1000]) {
      for (const privacy of [null, distributed(1.3, 0.5)]) {
        const plan = planSecureRound(input(n, { privacy }));
        expect(n * plan.coordinateBound).toBeLessThan(2 ** 31);
        // Not wastefully coarse either: at least a quarter of the half-range is used.
        expect(n * plan.coordinateBound).toBeGreaterThan(2 ** 29);
      }
    }
  });

  it('refuses an explicit granularity that could wrap around', () => {
    expect(() => planSecureRound(input(100, { settings: { ...settings, granularity: 1e-9 } }))).toThrow(SecAggError);
    expect(planSecureRound(input(100, { settings: { ...settings, granularity: 1e-6 } })).granularity).toBe(1e-6);
  });

  it('calibrates each share for the fewest survivors an applied round can have, and accounts conservatively', () => {
    const z = 1.3;
    const C = 0.5;
    const plan = planSecureRound(input(20, { privacy: distributed(z, C), minUpdates: 15 }));
    const minSurvivors = Math.max(plan.config.threshold, 15);
    const sigma = (z * C) / (plan.granularity * Math.sqrt(minSurvivors)); // σ in integer units, ≠ 1
    expect(plan.localNoiseVariance).toBeCloseTo(sigma * sigma, 0);
    expect(plan.clientNoiseMultiplier).toBeCloseTo(z / Math.sqrt(minSurvivors), 12);
    // q = 0.5 with the ledger's default orders (fractional ones included) costs a lot (see effectiveNoiseMultiplier) …
    expect(plan.accountedNoiseMultiplier).toBeLessThan(z);
    expect(plan.accountedNoiseMultiplier).toBeGreaterThan(0.5 * z);
    // … at q = 1 the discrete bound is within a hair of the Gaussian one (C/γ ≫ √d).
    const full = distributed(z, C);
    const unsampled = planSecureRound(input(20, { privacy: { ...full, message: { ...full.message, samplingRate: 1 } }, minUpdates: 15 }));
    expect(unsampled.accountedNoiseMultiplier).toBeLessThanOrEqual(z);
    expect(unsampled.accountedNoiseMultiplier).toBeGreaterThan(0.99 * z);
    expect(plan.invitationFor('c3')).toMatchObject({ clientIndex: 4, clientCount: 20, localNoiseVariance: plan.localNoiseVariance });
    // An integer-order ledger (what the server keeps under SecAgg with distributed noise) is charged much less.
    const integer = planSecureRound(input(20, { privacy: distributed(z, C, RDP_ORDER_PRESETS.integer), minUpdates: 15 }));
    expect(integer.accountedNoiseMultiplier).toBeGreaterThan(1.05 * plan.accountedNoiseMultiplier!);
    expect(integer.accountedNoiseMultiplier).toBeLessThan(z);
  });

  it('refuses a cohort smaller than the threshold', () => {
    expect(() => planSecureRound(input(5, { settings: { ...settings, threshold: 6 } }))).not.toThrow(); // t capped at k + 1 = n
    expect(() => planSecureRound(input(1))).toThrow(RangeError);
  });
});

describe('secureAggregation config', () => {
  const rounds = { sampling: { kind: 'poisson', rate: 0.5 } };
  const privacy = { targetEpsilon: 4, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1, placement: 'distributed' };

  it('lets distributed placement run without simulationMode behind secure aggregation', () => {
    expect(parseServerConfig({ modelDir: 'model', rounds, privacy, secureAggregation: { enabled: true } }).ok).toBe(true);
    expect(parseServerConfig({ modelDir: 'model', rounds, privacy, secureAggregation: { enabled: false } }).ok).toBe(false);
  });

  it('refuses adaptive clipping and example weighting with secure aggregation, on their fields', () => {
    const adaptive = parseServerConfig({ modelDir: 'model', rounds, privacy: { ...privacy, adaptiveClipping: { countNoiseStd: 1 } }, secureAggregation: { enabled: true } });
    expect(adaptive.ok === false && adaptive.issues.map((i) => i.path)).toContain('privacy.adaptiveClipping');
    const weighted = parseServerConfig({ rounds: { weighting: 'examples' }, secureAggregation: { enabled: true } });
    expect(weighted.ok === false && weighted.issues.map((i) => i.path)).toEqual(['rounds.weighting']);
  });
});
