import { calibrateNoiseMultiplier } from '@fedrec/core/privacy';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../server-error.js';
import { parseServerConfig, resolveServerConfig } from './server-config.js';

describe('server config', () => {
  it('fills in defaults', () => {
    const result = parseServerConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(8080);
    expect(result.config.rounds).toMatchObject({ minClients: 2, minUpdates: 1, weighting: 'uniform', sampling: { kind: 'fixed', size: 10 } });
    expect(result.config.optimiser).toEqual({ kind: 'fedavg', learningRate: 1 });
    expect(result.config.limits.maxStrikes).toBe(5);
    expect(result.config.auth.enrolment).toBe('open');
  });

  it('fills in an optimiser’s own defaults', () => {
    const result = parseServerConfig({ optimiser: { kind: 'fedadam' } });
    expect(result.ok && result.config.optimiser).toEqual({ kind: 'fedadam', learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
  });

  it('accepts fedavg with denoise when privacy is configured, filling in the threshold', () => {
    const privacy = { targetEpsilon: 4, delta: 1e-6, clipNorm: 1, noiseMultiplier: 1.1 };
    const result = parseServerConfig({ modelDir: 'model', rounds: { sampling: { kind: 'poisson', rate: 0.1 } }, privacy, optimiser: { kind: 'fedavg', learningRate: 5, denoise: {} } });
    expect(result.ok && result.config.optimiser).toEqual({ kind: 'fedavg', learningRate: 5, denoise: { threshold: 1 } });
  });

  it('rejects denoise without privacy, a bad threshold, an unknown field, and denoise on other optimisers, each on its own path', () => {
    const without = parseServerConfig({ optimiser: { kind: 'fedavg', denoise: { threshold: 1 } } });
    expect(without.ok).toBe(false);
    if (without.ok) return;
    expect(without.issues).toEqual([{ path: 'optimiser.denoise', message: expect.stringMatching(/^needs privacy/) }]);
    const privacy = { targetEpsilon: 4, delta: 1e-6, clipNorm: 1, noiseMultiplier: 1.1 };
    const bad = parseServerConfig({ modelDir: 'model', rounds: { sampling: { kind: 'poisson', rate: 0.1 } }, privacy, optimiser: { kind: 'fedavg', denoise: { threshold: -1, thresold: 2 } } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((issue) => issue.path).sort()).toEqual(['optimiser.denoise.threshold', 'optimiser.denoise.thresold']);
    const momentum = parseServerConfig({ optimiser: { kind: 'fedavgm', denoise: { threshold: 1 } } });
    expect(!momentum.ok && momentum.issues).toEqual([{ path: 'optimiser.denoise', message: 'unknown field' }]);
  });

  it('refuses a masking graph of one neighbour per client (it pairs clients off), and takes two', () => {
    const one = parseServerConfig({ secureAggregation: { enabled: true, neighbours: 1 } });
    expect(!one.ok && one.issues.map((issue) => issue.path)).toEqual(['secureAggregation.neighbours']);
    expect(parseServerConfig({ secureAggregation: { enabled: true, neighbours: 2 } }).ok).toBe(true);
  });

  it('reports one issue per bad field, with its path', () => {
    const result = parseServerConfig({
      port: 70_000,
      rounds: { minClients: 0, sampling: { kind: 'poisson', rate: 0 } },
      optimiser: { kind: 'fedavgm', momentum: 1 },
      limits: { maxStrikes: 'many' },
      optimizer: {},
      model: { numItems: 10 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(
      ['limits.maxStrikes', 'model.dim', 'optimiser.momentum', 'optimizer', 'port', 'rounds.minClients', 'rounds.sampling.rate'].sort(),
    );
    expect(result.issues.find((issue) => issue.path === 'optimizer')!.message).toBe('unknown field');
    expect(result.issues.find((issue) => issue.path === 'model.dim')!.message).toMatch(/^required/);
  });

  it('checks fields against each other', () => {
    const result = parseServerConfig({
      rounds: { minUpdates: 5, targetUpdates: 3, sampling: { kind: 'fixed', size: 4 } },
      auth: { enrolment: 'key' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(['auth.enrolmentKey', 'rounds.sampling.size', 'rounds.targetUpdates']);
  });

  describe('privacy', () => {
    const poisson = { sampling: { kind: 'poisson' as const, rate: 0.1 } };
    const privacy = { targetEpsilon: 3, delta: 1e-6, clipNorm: 0.5, noiseMultiplier: 1.2 };

    it('is off by default, and fills in local placement without simulation mode', () => {
      const off = parseServerConfig({});
      expect(off.ok && off.config.privacy).toBeUndefined();
      const on = parseServerConfig({ modelDir: 'model', rounds: poisson, privacy });
      expect(on.ok && on.config.privacy).toEqual({ ...privacy, placement: 'local', simulationMode: false });
    });

    it('calibrates "calibrate" to the least z that affords plannedRounds, and the result parses again unchanged', () => {
      const result = parseServerConfig({ modelDir: 'model', rounds: poisson, privacy: { ...privacy, noiseMultiplier: 'calibrate', plannedRounds: 50 } });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const z = result.config.privacy!.noiseMultiplier;
      expect(z).toBe(calibrateNoiseMultiplier({ targetEpsilon: 3, delta: 1e-6, samplingRate: 0.1, steps: 50 }).noiseMultiplier);
      // The CLI resolves the file, then createServer resolves the result again: it must be a fixed point.
      const again = parseServerConfig(result.config);
      expect(again.ok && again.config).toEqual(result.config);
    });

    it('privacy.accountant: absent (rdp) or rdp | pld; calibrate uses it', () => {
      const rounds = { sampling: { kind: 'poisson', rate: 0.1 } } as const;
      const calibrated = (accountant?: 'rdp' | 'pld') => {
        const result = parseServerConfig({ modelDir: 'model', rounds, privacy: { ...privacy, noiseMultiplier: 'calibrate', plannedRounds: 20, ...(accountant ? { accountant } : {}) } });
        expect(result.ok).toBe(true);
        return result.ok ? result.config.privacy! : undefined;
      };
      expect(calibrated()?.accountant).toBeUndefined();
      expect(calibrated('pld')!.noiseMultiplier).toBeLessThan(calibrated('rdp')!.noiseMultiplier);
      const bad = parseServerConfig({ modelDir: 'model', rounds, privacy: { ...privacy, accountant: 'moments' } });
      expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['privacy.accountant']);
    }, 120_000);

    it('refuses what the accountant does not cover, one issue per field', () => {
      const result = parseServerConfig({
        modelDir: 'model',
        rounds: { weighting: 'examples' },
        privacy: { ...privacy, noiseMultiplier: 'calibrate', delta: 1, adaptiveClipping: { countNoiseStd: 0.1 } },
      });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues.map((i) => i.path).sort()).toEqual([
        'privacy.adaptiveClipping',
        'privacy.delta',
        'privacy.plannedRounds',
        'rounds.sampling',
        'rounds.weighting',
      ]);
      expect(result.issues.find((i) => i.path === 'rounds.sampling')!.message).toMatch(/poisson/);
    });

    it('refuses distributed placement without secure aggregation unless in simulation mode', () => {
      const refused = parseServerConfig({ modelDir: 'model', rounds: poisson, privacy: { ...privacy, placement: 'distributed' } });
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.issues).toEqual([{ path: 'privacy.placement', message: expect.stringMatching(/secure aggregation.*simulationMode/) }]);
      const simulated = parseServerConfig({ modelDir: 'model', rounds: poisson, privacy: { ...privacy, placement: 'distributed', simulationMode: true } });
      expect(simulated.ok).toBe(true);
    });

    it('refuses privacy without a modelDir (a restart would forget the ε spent), unless in simulation mode', () => {
      const refused = parseServerConfig({ rounds: poisson, privacy });
      expect(!refused.ok && refused.issues).toEqual([{ path: 'modelDir', message: expect.stringMatching(/required with privacy.*restart would forget the ε spent.*simulationMode/) }]);
      expect(parseServerConfig({ rounds: poisson, privacy: { ...privacy, simulationMode: true } }).ok).toBe(true);
    });

    it('keeps the unclipped count from taking the whole budget, also after calibration', () => {
      const adaptive = (countNoiseStd: number, noise: number | 'calibrate') =>
        parseServerConfig({
          rounds: poisson,
          privacy: { ...privacy, noiseMultiplier: noise, plannedRounds: 10, simulationMode: true, adaptiveClipping: { countNoiseStd } },
        });
      const tooSmall = adaptive(0.6, 1.2);
      expect(!tooSmall.ok && tooSmall.issues.map((i) => i.path)).toEqual(['privacy.adaptiveClipping.countNoiseStd']);
      const fine = adaptive(0.61, 1.2);
      expect(fine.ok && fine.config.privacy!.adaptiveClipping).toEqual({ targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 0.61 });
      const calibrated = adaptive(0.01, 'calibrate');
      expect(!calibrated.ok && calibrated.issues.map((i) => i.path)).toEqual(['privacy.adaptiveClipping.countNoiseStd']);
    });
  });

  it('resolveServerConfig throws a coded error listing the issues', () => {
    try {
      resolveServerConfig({ port: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).code).toBe('INVALID_CONFIG');
      expect((error as ServerError).issues).toHaveLength(1);
    }
  });
});
