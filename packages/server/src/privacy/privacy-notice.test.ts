import { privacyNoticeSchema } from '@fedrec/core/protocol';
import { describe, expect, it } from 'vitest';
import { withDefaultPrivacy } from '../config/default-privacy.js';
import { resolveServerConfig, type ServerConfig } from '../config/server-config.js';
import { privacyNoticeFor } from './privacy-notice.js';

const base = { modelDir: '/tmp/unused-model-dir', model: { numItems: 4, dim: 2 } } satisfies ServerConfig;
const noticeOf = (config: ServerConfig): ReturnType<typeof privacyNoticeFor> => privacyNoticeFor(resolveServerConfig(config));

describe('privacyNoticeFor', () => {
  it('states the default budget: no raw events, (ε, δ) with its accountant, Poisson sampling, local noise, no secure aggregation, the checkpoints kept', () => {
    const notice = noticeOf(withDefaultPrivacy(base));
    expect(privacyNoticeSchema.parse(notice)).toEqual(notice);
    expect(notice).toMatchObject({
      format: 'fedrec-privacy-notice',
      formatVersion: 1,
      collected: { rawEvents: false, sent: 'clipped-noised-updates' },
      differentialPrivacy: { epsilon: 3, delta: 1e-5, accountant: 'rdp', clipNorm: 0.5, noisePlacement: 'local' },
      cohortSampling: { kind: 'poisson', rate: 0.05 },
      secureAggregation: false,
      retention: { updates: 'round-memory', checkpoints: 3 },
      operator: null,
    });
    // The calibrated z, not the word "calibrate".
    expect(notice.differentialPrivacy?.noiseMultiplier).toBeGreaterThan(1);
    expect(notice.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is a pure function of the configuration: the same config gives the same version, whatever the order of its fields', () => {
    const a = noticeOf(withDefaultPrivacy(base));
    const b = noticeOf(withDefaultPrivacy({ model: { dim: 2, numItems: 4 }, modelDir: '/tmp/unused-model-dir' }));
    expect(b).toEqual(a);
    // What the notice does not state (the model's shape, the port) does not change its version.
    expect(noticeOf(withDefaultPrivacy({ ...base, port: 9999, model: { numItems: 8, dim: 3 } })).version).toBe(a.version);
  });

  it('gives a new version for every changed promise: ε, accountant, sampling, secure aggregation, retention, contact', () => {
    const privacy = { targetEpsilon: 3, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 1.2 };
    const sampling = { kind: 'poisson', rate: 0.05 } as const;
    const reference = noticeOf({ ...base, privacy, rounds: { sampling } });
    const variants: ServerConfig[] = [
      { ...base, privacy: { ...privacy, targetEpsilon: 4 }, rounds: { sampling } },
      { ...base, privacy: { ...privacy, accountant: 'pld' }, rounds: { sampling } },
      { ...base, privacy, rounds: { sampling: { kind: 'poisson', rate: 0.1 } } },
      { ...base, privacy: { ...privacy, placement: 'distributed' }, rounds: { sampling }, secureAggregation: { enabled: true } },
      { ...base, privacy, rounds: { sampling }, checkpoints: { keep: 5 } },
      { ...base, privacy, rounds: { sampling }, privacyNotice: { contact: 'privacy@shop.example' } },
    ];
    const versions = new Set([reference.version, ...variants.map((config) => noticeOf(config).version)]);
    expect(versions.size).toBe(variants.length + 1);
    expect(noticeOf(variants[3]!)).toMatchObject({ secureAggregation: true, differentialPrivacy: { noisePlacement: 'distributed' } });
    expect(noticeOf(variants[5]!).operator).toEqual({ contact: 'privacy@shop.example' });
  });

  it('says that nothing is sent by a server without DP parameters (clients decline its rounds), and that no checkpoint is kept without a model directory', () => {
    const notice = noticeOf({ model: { numItems: 4, dim: 2 }, privacyNotice: { operator: 'Moss & Kettle Ltd', contact: 'https://shop.example/privacy' } });
    expect(notice).toMatchObject({
      collected: { rawEvents: false, sent: 'nothing' },
      differentialPrivacy: null,
      cohortSampling: { kind: 'fixed', size: 10 },
      retention: { updates: 'round-memory', checkpoints: 0 },
      operator: { name: 'Moss & Kettle Ltd', contact: 'https://shop.example/privacy' },
    });
    expect(privacyNoticeSchema.parse(notice)).toEqual(notice);
  });
});
