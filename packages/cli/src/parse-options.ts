import { UsageError } from './usage-error.js';

/**
 * Strict parsers for command-line values: a value that is not exactly a
 * number in range is a usage error (exit code 2) naming the option, never a
 * silent NaN.
 */
export function parseNumber(option: string, raw: string, range: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean } = {}): number {
  // Decimal notation only: Number() would also take '0x10', '  ', 'Infinity'.
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${option}: expected a number, got '${raw}'`);
  if (range.integer && !Number.isInteger(value)) throw new UsageError(`${option}: expected an integer, got '${raw}'`);
  if (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min)) {
    throw new UsageError(`${option}: expected a value ${range.minExclusive ? '>' : '>='} ${range.min}, got ${raw}`);
  }
  if (range.max !== undefined && value > range.max) throw new UsageError(`${option}: expected a value <= ${range.max}, got ${raw}`);
  return value;
}

export function parseChoice<T extends string>(option: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`${option}: expected one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}
