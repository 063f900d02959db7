import { PrivacyLedger, RDP_ORDER_PRESETS, calibrateNoiseMultiplier, epsilonForMechanisms, maxSteps, updateNoiseMultiplier } from '@fedrec/core/privacy';
import type { PrivacySpend } from '@fedrec/core/protocol';
import { createSeededRandomSource } from '@fedrec/core/random';
import { describe, expect, it } from 'vitest';
import type { PrivacyConfig, ServerConfig } from '../config/server-config.js';
import { resolveServerConfig } from '../config/server-config.js';
import { ServerError } from '../server-error.js';
import { ServerPrivacy } from './server-privacy.js';

const DELTA = 1e-5;

function privacyConfig(privacy: NonNullable<ServerConfig['privacy']>, rate = 0.5): PrivacyConfig {
  return resolveServerConfig({ modelDir: 'model', rounds: { sampling: { kind: 'poisson', rate } }, privacy }).privacy!;
}

function seeded(label: string) {
  return { noiseSource: createSeededRandomSource(`server-privacy/${label}`) };
}

function sampleStd(values: Float64Array): number {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return Math.sqrt(squares / values.length - mean * mean);
}

describe('ServerPrivacy', () => {
  it('asks local clients for the whole noise and reports the per-update guarantee', () => {
    const config = privacyConfig({ targetEpsilon: 4, delta: DELTA, clipNorm: 0.7, noiseMultiplier: 1.3 });
    const privacy = new ServerPrivacy(config, 0.5, seeded('local'));
    const plan = privacy.planRound(40)!;
    expect(plan.message).toEqual({ clipNorm: 0.7, placement: 'local', clientNoiseMultiplier: 1.3, accountedNoiseMultiplier: 1.3, samplingRate: 0.5, delta: DELTA });
    expect(plan.wantsUnclippedBit).toBe(false);
    const perUpdate = epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: 1.3, steps: 1 }], delta: DELTA }).epsilon;
    expect(privacy.status()).toMatchObject({ epsilonSpent: 0, perUpdateEpsilon: perUpdate, roundsAccounted: 0, budgetExhausted: false, clientNoiseMultiplier: 1.3 });
  });

  it('charges one subsampled-Gaussian step (q, z) per applied round, exactly as a ledger of its own would', () => {
    const config = privacyConfig({ targetEpsilon: 8, delta: DELTA, clipNorm: 1, noiseMultiplier: 0.9 }, 0.2);
    const privacy = new ServerPrivacy(config, 0.2, seeded('ledger'));
    const reference = new PrivacyLedger();
    const budget = maxSteps({ targetEpsilon: 8, delta: DELTA, samplingRate: 0.2, noiseMultiplier: 0.9 });
    expect(privacy.status().roundsRemaining).toBe(budget);
    for (let round = 1; round <= 5; round++) {
      // Local placement: each of the 3 updates carries N(0, (zC)²), so the mean carries √3·zC / 3.
      expect(privacy.applyRound(privacy.planRound(10)!, new Float64Array(4), 3, 0)).toBeCloseTo((Math.sqrt(3) * 0.9) / 3, 12);
      reference.record({ samplingRate: 0.2, noiseMultiplier: 0.9 });
      const status = privacy.status();
      expect(status.epsilonSpent).toBe(reference.epsilon(DELTA).epsilon);
      expect(status.roundsAccounted).toBe(round);
      expect(status.roundsRemaining).toBe(budget - round);
    }
    // ε only grows.
    expect(privacy.spend().epsilonSpent).toBeGreaterThan(0);
  });

  it('stops at the budget: the last round affordable is applied, then no plan, and one exhaustion notice', () => {
    const target = 1.5;
    const z = calibrateNoiseMultiplier({ targetEpsilon: target, delta: DELTA, samplingRate: 1, steps: 3 }).noiseMultiplier;
    const notices: PrivacySpend[] = [];
    const privacy = new ServerPrivacy(privacyConfig({ targetEpsilon: target, delta: DELTA, clipNorm: 1, noiseMultiplier: z }, 1), 1, {
      ...seeded('budget'),
      onExhausted: (spend) => notices.push(spend),
    });
    let applied = 0;
    for (let plan = privacy.planRound(2); plan !== null; plan = privacy.planRound(2)) {
      privacy.applyRound(plan, new Float64Array(2), 2, 0);
      applied++;
      expect(applied).toBeLessThanOrEqual(3);
    }
    expect(applied).toBe(3);
    const spend = privacy.spend();
    expect(spend.budgetExhausted).toBe(true);
    expect(spend.epsilonSpent).toBeLessThanOrEqual(target);
    expect(notices).toEqual([spend]);
    const ledger = PrivacyLedger.fromJSON(privacy.ledgerJson());
    expect(ledger.wouldExceed({ samplingRate: 1, noiseMultiplier: z }, target, DELTA)).toBe(true);
    expect(privacy.status().roundsRemaining).toBe(0);
  });

  it('distributed: shares of z/√m, and the server tops a short cohort up to N(0, (zC)²) on the sum', () => {
    const C = 2;
    const z = 1.5;
    const config = privacyConfig({ targetEpsilon: 10, delta: DELTA, clipNorm: C, noiseMultiplier: z, placement: 'distributed', simulationMode: true }, 0.1);
    const privacy = new ServerPrivacy(config, 0.1, seeded('distributed'));
    const plan = privacy.planRound(250)!; // m = 25
    expect(plan.expectedCohort).toBe(25);
    expect(plan.message.clientNoiseMultiplier).toBeCloseTo(z / 5, 12);
    expect(plan.message.accountedNoiseMultiplier).toBe(z);
    expect(privacy.status().perUpdateEpsilon).toBeNull();

    // 16 of 25 answered: their shares carry 16/25 of the variance; the top-up brings the sum to (zC)².
    const accepted = 16;
    const mean = new Float64Array(40_000);
    // The returned σ of the mean: the shares plus the top-up make (zC)² on the sum.
    expect(privacy.applyRound(plan, mean, accepted, 0)).toBeCloseTo((z * C) / accepted, 12);
    const expected = Math.sqrt((z * C) ** 2 * (1 - accepted / 25)) / accepted;
    expect(sampleStd(mean)).toBeGreaterThan(expected * 0.98);
    expect(sampleStd(mean)).toBeLessThan(expected * 1.02);

    // A full (or larger) cohort already carries the noise: nothing is added.
    const full = new Float64Array(1_000);
    // 36 shares of (zC/5)² each: more than (zC)² on the sum.
    expect(privacy.applyRound(privacy.planRound(250)!, full, 36, 0)).toBeCloseTo((6 * (z * C)) / 5 / 36, 12);
    expect(full.every((v) => v === 0)).toBe(true);
  });

  it('adaptive clipping: charges z, gives the update z_Δ, and moves C toward the target quantile', () => {
    const z = 1;
    const countNoiseStd = 1;
    const adaptive = { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd };
    const config = privacyConfig({ targetEpsilon: 50, delta: DELTA, clipNorm: 3, noiseMultiplier: z, adaptiveClipping: adaptive, simulationMode: true }, 0.5);
    const shrinking = new ServerPrivacy(config, 0.5, seeded('shrink'));
    const plan = shrinking.planRound(40)!; // m = 20
    expect(plan.wantsUnclippedBit).toBe(true);
    expect(plan.message.clientNoiseMultiplier).toBeCloseTo(updateNoiseMultiplier(z, countNoiseStd), 12);
    expect(plan.message.accountedNoiseMultiplier).toBe(z);
    // Every update was within C: the bound falls.
    shrinking.applyRound(plan, new Float64Array(2), 20, 20);
    expect(shrinking.clipNorm).toBeLessThan(3);
    expect(shrinking.planRound(40)!.message.clipNorm).toBe(shrinking.clipNorm);

    // Every update was clipped: the bound grows.
    const growing = new ServerPrivacy(config, 0.5, seeded('grow'));
    growing.applyRound(growing.planRound(40)!, new Float64Array(2), 20, 0);
    expect(growing.clipNorm).toBeGreaterThan(3);
    expect(growing.status().clipNorm).toBe(growing.clipNorm);
  });

  it('restores ledger and clip bound from its checkpoint state bit for bit, and hands back the external part', () => {
    const adaptive = { targetQuantile: 0.5, learningRate: 0.3, countNoiseStd: 2 };
    const config = privacyConfig({ targetEpsilon: 20, delta: DELTA, clipNorm: 1, noiseMultiplier: 1.1, adaptiveClipping: adaptive, simulationMode: true }, 0.3);
    const first = new ServerPrivacy(config, 0.3, seeded('restore-1'));
    for (let round = 0; round < 4; round++) first.applyRound(first.planRound(30)!, new Float64Array(2), 5, round % 2 === 0 ? 5 : 0);
    const state = JSON.parse(JSON.stringify(first.toJSON({ mine: 'external' }))) as unknown;

    const second = new ServerPrivacy(config, 0.3, seeded('restore-2'));
    expect(second.restore(state)).toEqual({ mine: 'external' });
    // Everything but the last round's per-client noise, which the next round sets afresh.
    expect({ ...second.status(), clientNoiseMultiplier: 0 }).toEqual({ ...first.status(), clientNoiseMultiplier: 0 });
    expect(second.spend().epsilonSpent).toBe(first.spend().epsilonSpent);
  });

  it('after a restart, budget checks charge a secure round’s recorded z, not the configured one', () => {
    const config = privacyConfig({ targetEpsilon: 20, delta: DELTA, clipNorm: 1, noiseMultiplier: 1, placement: 'distributed', simulationMode: true }, 0.1);
    const first = new ServerPrivacy(config, 0.1, { ...seeded('secure-1'), ledgerOrders: 'integer' });
    const plan = first.planRound(200)!;
    expect(plan.ledgerOrders).toEqual(RDP_ORDER_PRESETS.integer);
    // The mean of 20 secure shares of σ = 0.3·C each carries √20·0.3 / 20; the server adds nothing.
    expect(first.applyRound(plan, new Float64Array(2), 20, 0, { accountedNoiseMultiplier: 0.8, clientNoiseMultiplier: 0.3 })).toBeCloseTo((Math.sqrt(20) * 0.3) / 20, 12);
    const state = JSON.parse(JSON.stringify(first.toJSON())) as Record<string, unknown>;
    expect(state['securelyAccounted']).toBe(0.8);
    const second = new ServerPrivacy(config, 0.1, seeded('secure-2'));
    second.restore(state);
    // Everything but the last round's per-client noise, which the next round sets afresh.
    expect({ ...second.status(), clientNoiseMultiplier: 0 }).toEqual({ ...first.status(), clientNoiseMultiplier: 0 });
    expect(second.planRound(200)!.ledgerOrders).toEqual(RDP_ORDER_PRESETS.integer); // the restored ledger's orders
    // Without the recorded z a restart would fall back to z = 1 and find more rounds left than there are.
    const forgetful = new ServerPrivacy(config, 0.1, seeded('secure-3'));
    forgetful.restore({ ...state, securelyAccounted: undefined });
    expect(forgetful.status().roundsRemaining).toBeGreaterThan(first.status().roundsRemaining);
    expect(() => second.restore({ ...state, securelyAccounted: -1 })).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_CONFLICT', issues: [{ path: 'securelyAccounted', message: expect.any(String) }] }));
  });

  it('admits a secure round only if its accounted z fits the target (exhausted from then on if not), and reports its share', () => {
    const config = privacyConfig({ targetEpsilon: 1, delta: DELTA, clipNorm: 1, noiseMultiplier: 2, placement: 'distributed', simulationMode: true }, 0.1);
    const exhausted: PrivacySpend[] = [];
    const privacy = new ServerPrivacy(config, 0.1, { ...seeded('afford'), ledgerOrders: 'integer', onExhausted: (spend) => exhausted.push(spend) });
    privacy.planRound(100);
    expect(privacy.admitSecureRound({ accountedNoiseMultiplier: 2, clientNoiseMultiplier: 0.3 })).toBe(true);
    expect(privacy.status().clientNoiseMultiplier).toBe(0.3); // the share the secure plan asked for, not z/√m
    expect(privacy.admitSecureRound({ accountedNoiseMultiplier: 5, clientNoiseMultiplier: 0.3 })).toBe(true); // never charged more than the configured z
    // One round at z = 0.2 with q = 0.1 costs far more than ε = 1.
    expect(privacy.admitSecureRound({ accountedNoiseMultiplier: 0.2, clientNoiseMultiplier: 0.3 })).toBe(false);
    expect(privacy.budgetExhausted).toBe(true);
    expect(exhausted).toHaveLength(1);
    expect(privacy.planRound(100)).toBeNull();
    expect(privacy.status().roundsAccounted).toBe(0);
  });

  it('refuses a malformed state rather than resume with a wrong budget, naming the first bad field', () => {
    const privacy = new ServerPrivacy(privacyConfig({ targetEpsilon: 20, delta: DELTA, clipNorm: 1, noiseMultiplier: 1 }), 0.5, seeded('bad'));
    privacy.applyRound(privacy.planRound(10)!, new Float64Array(2), 5, 0);
    const good = JSON.parse(JSON.stringify(privacy.toJSON())) as Record<string, unknown>;
    const before = privacy.status();
    const ledger = good['ledger'] as Record<string, unknown>;
    const bad: [unknown, string][] = [
      [null, ''],
      [{ format: 'something-else' }, 'format'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, clipNorm: -1 }, 'clipNorm'],
      [{ ...good, clipNorm: null }, 'clipNorm'],
      [{ ...good, securelyAccounted: -1 }, 'securelyAccounted'],
      [{ ...good, securelyAccounted: null }, 'securelyAccounted'],
      [{ ...good, ledger: undefined }, 'ledger'],
      [{ ...good, ledger: { ...ledger, version: 3 } }, 'ledger.version'],
      [{ ...good, ledger: { ...ledger, entries: [{ samplingRate: 2, noiseMultiplier: 1, steps: 1 }] } }, 'ledger.entries.0.samplingRate'],
    ];
    for (const [state, path] of bad) {
      expect(() => privacy.restore(state), JSON.stringify(state)).toThrow(ServerError);
      expect(() => privacy.restore(state)).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_CONFLICT', issues: [expect.objectContaining({ path })] }));
    }
    expect(() => privacy.restore({ ...good, ledger: { ...ledger, entries: [{ samplingRate: 2, noiseMultiplier: 1, steps: 1 }] } })).toThrow(
      'server privacy state field ledger.entries.0.samplingRate: Too big: expected number to be <=1',
    );
    // Nothing was taken over from any of them.
    expect(privacy.status()).toEqual(before);
  });

  it('privacy.accountant: pld reports a smaller ε, its checkpoint names it, and the other accountant refuses to resume it', () => {
    const base = { targetEpsilon: 10, delta: DELTA, clipNorm: 1, noiseMultiplier: 1.2, simulationMode: true } as const;
    const rdp = new ServerPrivacy(privacyConfig(base, 0.1), 0.1, seeded('accountant-rdp'));
    const pld = new ServerPrivacy(privacyConfig({ ...base, accountant: 'pld' }, 0.1), 0.1, seeded('accountant-pld'));
    for (let round = 0; round < 5; round++) {
      rdp.applyRound(rdp.planRound(100)!, new Float64Array(2), 10, 0);
      pld.applyRound(pld.planRound(100)!, new Float64Array(2), 10, 0);
    }
    expect(pld.status().accountant).toBe('pld');
    expect(rdp.status().accountant).toBe('rdp');
    expect(pld.status().epsilonSpent).toBeLessThan(rdp.status().epsilonSpent);
    const pldState = JSON.parse(JSON.stringify(pld.toJSON())) as { ledger: { accountant?: string } };
    expect(pldState.ledger.accountant).toBe('pld');

    // An old checkpoint (no accountant field) is an RDP one: it resumes under rdp and is refused under pld.
    const rdpState = JSON.parse(JSON.stringify(rdp.toJSON())) as unknown;
    new ServerPrivacy(privacyConfig(base, 0.1), 0.1, seeded('resume-rdp')).restore(rdpState);
    const mismatched = new ServerPrivacy(privacyConfig({ ...base, accountant: 'pld' }, 0.1), 0.1, seeded('resume-pld'));
    expect(() => mismatched.restore(rdpState)).toThrow(expect.objectContaining({ code: 'PRIVACY_LEDGER_CONFLICT', issues: [expect.objectContaining({ path: 'ledger.accountant' })] }));
    expect(() => new ServerPrivacy(privacyConfig(base, 0.1), 0.1, seeded('resume-rdp-2')).restore(pldState)).toThrow(ServerError);
    const resumed = new ServerPrivacy(privacyConfig({ ...base, accountant: 'pld' }, 0.1), 0.1, seeded('resume-pld-2'));
    resumed.restore(pldState);
    expect(resumed.status().epsilonSpent).toBe(pld.status().epsilonSpent);
  }, 120_000);
});
