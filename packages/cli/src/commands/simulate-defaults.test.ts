import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultServerLearningRate } from '@fedrec/sim';
import { epsilonForMechanisms } from '@fedrec/core';
import { main } from '../program.js';

// The data-derived defaults of `fedrec simulate`: schedule and privacy budget, server learning rate, its cap under noise, denoising.
async function settingsOf(args: string[], schedule: string[] = ['--rounds', '4', '--q', '0.25']): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'fedrec-defaults-'));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['simulate', '--population', 'synthetic:400', '--items', '80', ...schedule, '--dim', '8', '--eval-shoppers', '40', '--backend', 'cpu', '--threads', '1', '--out', dir, ...args]);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')).settings;
  } finally {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true });
  }
}

describe('fedrec simulate defaults', () => {
  afterEach(() => vi.restoreAllMocks());

  it('without noise, uses the catalogue-derived server learning rate as is (nothing to cap)', async () => {
    const settings = await settingsOf(['--noise', '0']);
    const history = settings.meanItemsPerShopper as number;
    expect(history).toBeGreaterThan(1);
    const eta = defaultServerLearningRate({ items: 80, meanItemsPerShopper: history, rounds: 4, expectedCohort: 100 });
    expect(settings.noiseFreeServerLearningRate).toBeCloseTo(eta, 9);
    expect(settings.serverLearningRate).toBeCloseTo(eta, 9);
    expect(settings.maxModelNoiseStd).toBe(1);
  });

  it('with noise, caps the step at n / (z·C·√rounds) and denoises at threshold 1', async () => {
    // 16 rounds and C = 1: the cap 100 / (1 · 1 · 4) = 25 is below the noise-free step (≈ 150 / √m).
    const settings = await settingsOf(['--rounds', '16', '--clip', '1']);
    expect(settings.noiseMultiplier).toBe(1);
    expect(settings.denoiseThreshold).toBe(1);
    const cap = 100 / (1 * 1 * Math.sqrt(16));
    expect(settings.serverLearningRate).toBeCloseTo(Math.min(cap, settings.noiseFreeServerLearningRate as number), 9);
    expect(settings.serverLearningRate).toBeLessThan(settings.noiseFreeServerLearningRate as number);
  });

  // 400 shoppers: the noise-free schedule is q = 100/400 for 40 rounds.
  it('with no privacy or schedule flags, spends the ε of z = 1 on the noise-free schedule, on 4× the cohort in ¼ of the rounds', async () => {
    const settings = await settingsOf([], []);
    const budget = epsilonForMechanisms({ mechanisms: [{ samplingRate: 0.25, noiseMultiplier: 1, steps: 40 }], delta: 1e-5 }).epsilon;
    expect(settings).toMatchObject({ defaultPrivacy: true, noiseFreeSchedule: { samplingRate: 0.25, rounds: 40 }, samplingRate: 1, rounds: 10 });
    expect(settings.targetEpsilon).toBeCloseTo(budget, 9);
    // The same budget over fewer, larger rounds affords more noise per round.
    expect(settings.noiseMultiplier).toBeGreaterThan(1);
    const spent = epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: settings.noiseMultiplier as number, steps: 10 }], delta: 1e-5 }).epsilon;
    expect(spent).toBeLessThanOrEqual(budget * (1 + 1e-6));
    expect(spent).toBeGreaterThan(budget * 0.99);
  });

  it('keeps the noise-free schedule without noise, and z = 1 when a schedule flag is given', async () => {
    expect(await settingsOf(['--noise', '0'], [])).toMatchObject({ defaultPrivacy: false, samplingRate: 0.25, rounds: 40, noiseMultiplier: 0 });
    expect(await settingsOf([], ['--rounds', '3'])).toMatchObject({ defaultPrivacy: false, samplingRate: 1, rounds: 3, noiseMultiplier: 1, targetEpsilon: null });
    expect(await settingsOf(['--noise', '2'], [])).toMatchObject({ defaultPrivacy: false, samplingRate: 1, rounds: 10, noiseMultiplier: 2 });
  });

  it('takes an explicit --server-lr as is, uncapped, and --denoise 0 turns denoising off', async () => {
    const settings = await settingsOf(['--server-lr', '500', '--denoise', '0']);
    expect(settings.serverLearningRate).toBe(500);
    expect(settings.maxModelNoiseStd).toBeNull();
    expect(settings.meanItemsPerShopper).toBeNull();
    expect(settings.denoiseThreshold).toBe(0);
  });

  it.each([
    [['--server-lr', 'fast'], /--server-lr: expected a number, got 'fast'/],
    [['--denoise', '-1'], /--denoise/],
  ])('exits with code 2 and a clear message for %j', async (args, message) => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const code = await main(['simulate', ...args]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
  });
});
