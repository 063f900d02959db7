import { describe, it, expect } from 'vitest';
import { Command } from 'commander';
import { parseConversion, parseDelta, parseMechanism, parseOrders, registerPrivacyCommand, runPrivacyCommand } from './privacy.js';
import { UsageError } from '../usage-error.js';

function json(argv: string[]): Record<string, unknown> {
  const { stdout } = runPrivacyCommand(argv);
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(stdout) as Record<string, unknown>;
}

function usageError(argv: string[]): UsageError {
  try {
    runPrivacyCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError from privacy ${argv.join(' ')}`);
}

describe('fedrec privacy epsilon', () => {
  it('reproduces the MNIST DP-SGD figure (ε ≈ 3.01, classic conversion)', () => {
    const out = json(['epsilon', '--delta', '1e-5', '--mechanism', `${256 / 60000},1.1,14040`, '--orders', 'opacus', '--conversion', 'classic', '--json']);
    expect(Object.keys(out).sort()).toEqual(['epsilon', 'order']);
    expect(out['epsilon']).toBeCloseTo(3.01, 2);
    expect(out['order']).toBe(8.8);
  });

  it('reproduces ε = 7.32911 (q = 0.04, σ = 1.5, 2,250 steps, improved conversion)', () => {
    const out = json(['epsilon', '--delta', '1e-5', '--mechanism', '0.04,1.5,2250', '--orders', 'opacus', '--json']);
    expect(out['epsilon']).toBeCloseTo(7.32911, 5);
    expect(out['order']).toBe(3.9);
  });

  it('composes repeated --mechanism flags and defaults to dp-accounting orders, improved conversion', () => {
    const both = json(['epsilon', '--delta', '1e-5', '--mechanism', '0.01,1.0,500', '--mechanism', '0.02,2,300', '--json']);
    const explicit = json([
      'epsilon', '--delta', '1e-5', '--mechanism', '0.02,2,300', '--mechanism', '0.01,1.0,500',
      '--orders', 'dp-accounting', '--conversion', 'improved', '--json',
    ]);
    expect(both['epsilon']).toBeCloseTo(explicit['epsilon'] as number, 12);
    const first = json(['epsilon', '--delta', '1e-5', '--mechanism', '0.01,1.0,500', '--json']);
    expect(both['epsilon'] as number).toBeGreaterThan(first['epsilon'] as number);
  });

  it('prints a readable line without --json', () => {
    const { stdout } = runPrivacyCommand(['epsilon', '--delta', '1e-5', '--mechanism', '0.04,1.5,2250', '--orders', 'opacus']);
    expect(stdout).toBe('epsilon = 7.32911 at delta = 0.00001 (order 3.9, improved conversion, opacus orders)\n');
  });
});

describe('fedrec privacy rdp', () => {
  it('prints orders and the composed RDP', () => {
    const out = json(['rdp', '--mechanism', '1,2,3', '--orders', '2,4.5,32', '--json']);
    expect(out).toEqual({ orders: [2, 4.5, 32], rdp: [(2 / 8) * 3, (4.5 / 8) * 3, (32 / 8) * 3] });
  });

  it('accepts a preset', () => {
    const out = json(['rdp', '--mechanism', '0.01,1.1,10', '--orders', 'tf', '--json']);
    expect((out['orders'] as number[]).slice(0, 2)).toEqual([1.25, 1.5]);
    expect((out['rdp'] as number[]).length).toBe((out['orders'] as number[]).length);
  });

  it('prints one line per order without --json', () => {
    const { stdout } = runPrivacyCommand(['rdp', '--mechanism', '1,2,1', '--orders', '2,4']);
    expect(stdout).toBe('order 2: RDP 0.25\norder 4: RDP 0.5\n');
  });
});

describe('fedrec privacy sigma', () => {
  it('finds σ ≈ 1.5 for the published ε = 7.32911', () => {
    const out = json(['sigma', '--epsilon', '7.32911', '--delta', '1e-5', '--q', '0.04', '--steps', '2250', '--orders', 'opacus', '--json']);
    expect(Object.keys(out).sort()).toEqual(['epsilon', 'sigma']);
    expect(out['sigma'] as number).toBeGreaterThan(1.5);
    expect(out['sigma'] as number).toBeLessThan(1.5 * 1.001);
    expect(out['epsilon'] as number).toBeLessThanOrEqual(7.32911);
  });

  it('matches the epsilon command at the σ it returns', () => {
    const { sigma, epsilon } = json(['sigma', '--epsilon', '2', '--delta', '1e-6', '--q', '0.01', '--steps', '1000', '--json']) as {
      sigma: number;
      epsilon: number;
    };
    const check = json(['epsilon', '--delta', '1e-6', '--mechanism', `0.01,${sigma},1000`, '--json']);
    expect(check['epsilon']).toBe(epsilon);
    expect(epsilon).toBeLessThanOrEqual(2);
  });

  it('prints a readable line without --json', () => {
    const { stdout } = runPrivacyCommand(['sigma', '--epsilon', '1', '--delta', '1e-5', '--q', '0.01', '--steps', '1000']);
    expect(stdout).toMatch(/^sigma = [0-9.]+ gives epsilon = [0-9.]+ at delta = 0.00001 \(q = 0.01, 1000 steps, improved conversion, dp-accounting orders\)\n$/);
  });
});

describe('bad input throws UsageError with a clear message', () => {
  const mech = ['--mechanism', '0.01,1,10'];
  const cases: [string[], string][] = [
    [['epsilon', '--delta', '1.5', ...mech], `--delta: expected delta in (0, 1), got 1.5`],
    [['epsilon', '--delta', '0', ...mech], `--delta: expected delta in (0, 1), got 0`],
    [['epsilon', '--delta', '-1', ...mech], `--delta: expected delta in (0, 1), got -1`],
    [['epsilon', '--delta', 'abc', ...mech], `--delta: expected a number, got 'abc'`],
    [['epsilon', ...mech], '--delta: expected a value in (0, 1), got nothing'],
    [['epsilon', '--delta', '1e-5'], `--mechanism: expected at least one Q,SIGMA,STEPS (e.g. 0.01,1.1,1000), got none`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '1.5,1,10'], `--mechanism '1.5,1,10': expected q in [0, 1], got 1.5`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '-0.1,1,10'], `--mechanism '-0.1,1,10': expected q in [0, 1], got -0.1`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,0,10'], `--mechanism '0.1,0,10': expected sigma > 0, got 0`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,-2,10'], `--mechanism '0.1,-2,10': expected sigma > 0, got -2`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,1,2.5'], `--mechanism '0.1,1,2.5': expected steps to be a non-negative integer, got 2.5`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,x,10'], `--mechanism '0.1,x,10': expected a number, got 'x'`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,1'], `--mechanism: expected Q,SIGMA,STEPS (e.g. 0.01,1.1,1000), got '0.1,1'`],
    [['epsilon', '--delta', '1e-5', '--mechanism', '0.1,1,10,4'], `--mechanism: expected Q,SIGMA,STEPS (e.g. 0.01,1.1,1000), got '0.1,1,10,4'`],
    [['epsilon', '--delta', '1e-5', ...mech, '--orders', 'moments'], `--orders: expected a preset (opacus, tf, dp-accounting, integer) or comma-separated orders > 1, got 'moments'`],
    [['epsilon', '--delta', '1e-5', ...mech, '--orders', '2,1,4'], `--orders: expected every order > 1, got 1`],
    [['epsilon', '--delta', '1e-5', ...mech, '--orders', '2,,4'], `--orders: expected a preset (opacus, tf, dp-accounting, integer) or comma-separated orders > 1, got '2,,4'`],
    [['epsilon', '--delta', '1e-5', ...mech, '--conversion', 'tight'], `--conversion: expected improved or classic, got 'tight'`],
    [['rdp', '--mechanism', '0.1,1,10', '--orders', 'nope'], `--orders: expected a preset (opacus, tf, dp-accounting, integer) or comma-separated orders > 1, got 'nope'`],
    [['sigma', '--delta', '1e-5', '--q', '0.1', '--steps', '10'], `--epsilon: expected a value > 0, got nothing`],
    [['sigma', '--epsilon', '0', '--delta', '1e-5', '--q', '0.1', '--steps', '10'], `--epsilon: expected epsilon > 0, got 0`],
    [['sigma', '--epsilon', '1', '--delta', '1e-5', '--q', '2', '--steps', '10'], `--q: expected q in [0, 1], got 2`],
    [['sigma', '--epsilon', '1', '--delta', '1e-5', '--steps', '10'], `--q: expected a sampling rate in [0, 1], got nothing`],
    [['sigma', '--epsilon', '1', '--delta', '1e-5', '--q', '0.1'], `--steps: expected a non-negative integer, got nothing`],
    [['sigma', '--epsilon', '1', '--delta', '1e-5', '--q', '0.1', '--steps', '1e400'], `--steps: expected a number, got '1e400'`],
    [['epsilon', '--delta', '0x10', ...mech], `--delta: expected a number, got '0x10'`],
    [['epsilon', '--delta', '', ...mech], `--delta: expected a number, got ''`],
  ];

  for (const [argv, message] of cases) {
    it(`privacy ${argv.join(' ')}`, () => {
      expect(usageError(argv).message).toBe(message);
    });
  }

  it('reports an unreachable calibration target as a usage error', () => {
    const error = usageError(['sigma', '--epsilon', '1', '--delta', '1e-5', '--q', '0.1', '--steps', '10', '--orders', '2,3', '--conversion', 'classic']);
    expect(error.message).toMatch(/^--epsilon: expected a reachable targetEpsilon, got 1/);
  });

  it('turns commander parse errors into usage errors', () => {
    expect(usageError(['epsilon', '--delta', '1e-5', '--bogus']).message).toMatch(/unknown option '--bogus'/);
    expect(usageError(['epsilon', '--delta']).message).toMatch(/option '--delta <D>' argument missing/);
    expect(usageError(['frobnicate']).message).toMatch(/unknown command 'frobnicate'/);
    expect(usageError([]).message).toBe('expected a subcommand: epsilon, rdp or sigma');
  });
});

describe('parsers', () => {
  it('parse the pieces of a command line', () => {
    expect(parseMechanism('0.01, 1.1, 1000')).toEqual({ samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000 });
    expect(parseOrders(undefined).name).toBe('dp-accounting');
    expect(parseOrders('1.5, 2,32')).toEqual({ name: 'custom', orders: [1.5, 2, 32] });
    expect(parseConversion(undefined)).toBe('improved');
    expect(parseDelta('1e-5')).toBe(1e-5);
    expect(() => parseDelta('1')).toThrow(UsageError);
  });
});

describe('help', () => {
  it('lists the subcommands and options', () => {
    expect(runPrivacyCommand(['--help']).stdout).toMatch(/epsilon[\s\S]*rdp[\s\S]*sigma/);
    expect(runPrivacyCommand(['sigma', '--help']).stdout).toMatch(/--epsilon <E>[\s\S]*--q <Q>[\s\S]*--steps <T>/);
  });
});

describe('registerPrivacyCommand', () => {
  it('adds privacy with exactly the epsilon, rdp and sigma subcommands', () => {
    const program = new Command('fedrec');
    registerPrivacyCommand(program, () => {});
    const privacy = program.commands.find((c) => c.name() === 'privacy');
    expect(privacy).toBeDefined();
    expect(privacy?.commands.map((c) => c.name())).toEqual(['epsilon', 'rdp', 'sigma']);
  });

  it('--accountant pld: a smaller ε than rdp, with the RDP figure alongside; sigma needs less noise', () => {
    const mechanism = ['--delta', '1e-5', '--mechanism', '0.1,1.2,20', '--json'];
    const rdp = json(['epsilon', ...mechanism]);
    const pld = json(['epsilon', ...mechanism, '--accountant', 'pld']);
    expect(Object.keys(rdp)).toEqual(['epsilon', 'order']);
    expect(pld['accountant']).toBe('pld');
    expect(pld['rdpEpsilon']).toBe(rdp['epsilon']);
    expect(pld['epsilon'] as number).toBeLessThan(0.95 * (rdp['epsilon'] as number));
    const sigma = ['sigma', '--epsilon', '2', '--delta', '1e-5', '--q', '0.1', '--steps', '20', '--json'];
    expect(json([...sigma, '--accountant', 'pld'])['sigma'] as number).toBeLessThan(json(sigma)['sigma'] as number);
    expect(usageError(['epsilon', ...mechanism, '--accountant', 'moments']).message).toMatch(/^--accountant: expected rdp or pld, got 'moments'/);
  }, 120_000);
});
