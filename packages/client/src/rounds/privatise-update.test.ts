import type { ModelUpdate, RoundPrivacy } from '@fedrec/core';
import { buildPrivateUpdate, createSeededRandomSource, l2Norm } from '@fedrec/core';
import { describe, expect, it } from 'vitest';
import { privatiseUpdate } from './privatise-update.js';

const shape = { numItems: 50, dim: 3 };

function delta(norm: number): ModelUpdate {
  const random = createSeededRandomSource(`privatise/${norm}`);
  const values = Float32Array.from({ length: 200 }, () => random.nextFloat() - 0.5);
  const scale = norm / l2Norm(values);
  return { shape, baseVersion: 7, values: values.map((v) => v * scale) };
}

const round: RoundPrivacy = { clipNorm: 0.5, placement: 'distributed', clientNoiseMultiplier: 0.3, accountedNoiseMultiplier: 1.5, samplingRate: 0.04, delta: 1e-6 };

describe('privatiseUpdate', () => {
  it('clips and noises a delta exactly as the round says (σ = zC, not the client’s own settings)', () => {
    const raw = delta(2);
    const out = privatiseUpdate(
      { delta: raw },
      { round, wantsUnclippedBit: false, fallback: { clipNorm: 9, noiseMultiplier: 9 }, noiseSource: createSeededRandomSource('noise') },
    );
    const expected = buildPrivateUpdate(raw, { clipNorm: 0.5, noiseMultiplier: 0.3, noiseSource: createSeededRandomSource('noise') });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(Array.from(out.update.values)).toEqual(Array.from(expected.update.values));
    expect(out.privacy).toEqual({
      source: 'round',
      placement: 'distributed',
      clipNorm: 0.5,
      noiseMultiplier: 0.3,
      sigma: 0.3 * 0.5,
      clipped: true,
      unclippedBitSent: false,
      accountedNoiseMultiplier: 1.5,
      samplingRate: 0.04,
      delta: 1e-6,
    });
    expect(out.unclipped).toBeUndefined();
    // The delta itself is untouched.
    expect(l2Norm(raw.values)).toBeCloseTo(2, 4);
  });

  it('never raises a norm: with no noise the update is the delta clipped to C', () => {
    for (const norm of [0.1, 0.5, 3]) {
      const out = privatiseUpdate({ delta: delta(norm) }, { round: { ...round, clientNoiseMultiplier: 0 }, wantsUnclippedBit: true, fallback: undefined, noiseSource: createSeededRandomSource('x') });
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(l2Norm(out.update.values)).toBeLessThanOrEqual(Math.min(norm, 0.5) * (1 + 1e-6));
      // The adaptive-clipping bit: within the bound before clipping.
      expect(out.unclipped).toBe(norm <= 0.5);
      expect(out.privacy?.unclippedBitSent).toBe(true);
    }
  });

  it('uses the client’s own settings when the round has none, and reports that the server accounts nothing', () => {
    const out = privatiseUpdate({ delta: delta(1) }, { round: null, wantsUnclippedBit: true, fallback: { clipNorm: 2, noiseMultiplier: 1.1 }, noiseSource: createSeededRandomSource('y') });
    expect(out.ok && out.privacy).toMatchObject({ source: 'client', placement: 'local', clipNorm: 2, noiseMultiplier: 1.1, accountedNoiseMultiplier: null, unclippedBitSent: false });
    expect(out.ok && out.unclipped).toBeUndefined();
  });

  it('refuses a raw delta with no parameters at all, and a ready-made update in a DP round', () => {
    const noSettings = privatiseUpdate({ delta: delta(1) }, { round: null, wantsUnclippedBit: false, fallback: undefined, noiseSource: createSeededRandomSource('z') });
    expect(noSettings).toEqual({ ok: false, message: expect.stringMatching(/raw delta/) });
    const readyMade = privatiseUpdate({ update: delta(1) }, { round, wantsUnclippedBit: false, fallback: undefined, noiseSource: createSeededRandomSource('z') });
    expect(readyMade).toEqual({ ok: false, message: expect.stringMatching(/delta/) });
    // Without DP parameters a ready-made update goes as it is.
    const ready = delta(1);
    expect(privatiseUpdate({ update: ready }, { round: null, wantsUnclippedBit: false, fallback: undefined, noiseSource: createSeededRandomSource('z') })).toEqual({
      ok: true,
      update: ready,
      privacy: null,
    });
  });
});
