import { describe, expect, it } from 'vitest';
import { catalogueCoverage } from './catalogue-coverage.js';

describe('catalogueCoverage', () => {
  it('is the fraction of distinct items recommended to anyone', () => {
    expect(catalogueCoverage([[0, 1], [1, 2], [2, 0]], 10)).toBeCloseTo(0.3, 15);
    expect(catalogueCoverage([new Int32Array([0, 1, 2, 3])], 4)).toBe(1);
    expect(catalogueCoverage([], 4)).toBe(0);
  });

  it('rejects items outside the catalogue', () => {
    expect(() => catalogueCoverage([[4]], 4)).toThrow(RangeError);
  });
});
