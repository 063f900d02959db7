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
