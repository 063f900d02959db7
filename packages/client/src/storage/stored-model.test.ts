import { describe, expect, it } from 'vitest';
import { parseStoredModel, toStoredModel } from './stored-model.js';

const model = { version: 4, shape: { numItems: 2, dim: 2 }, values: Float32Array.of(0.1, -0.2, 0.3, 1e-8, 5, -6) };

describe('the stored model', () => {
  it('round-trips a model exactly through JSON, and reads a missing record as none', () => {
    const parsed = parseStoredModel(JSON.parse(JSON.stringify(toStoredModel(model))));
    expect(parsed).toEqual({ ok: true, model });
    expect(parseStoredModel(undefined)).toEqual({ ok: true, model: null });
  });

  it('refuses what an edited or truncated store may hold, naming the first bad field', () => {
    const stored = toStoredModel(model);
    const cases: [unknown, string][] = [
      [{ ...stored, values: stored.values.slice(1) }, 'values'],
      [{ ...stored, values: [...stored.values.slice(0, 3), null, 5, -6] }, 'values.3'],
      [{ ...stored, shape: { numItems: 0, dim: 2 } }, 'shape.numItems'],
      [{ ...stored, version: -1 }, 'version'],
      [{ shape: stored.shape, values: stored.values }, 'version'],
      ['a model', ''],
    ];
    for (const [value, path] of cases) expect(parseStoredModel(value)).toMatchObject({ ok: false, path });
    expect(parseStoredModel({ ...stored, values: stored.values.slice(1) })).toMatchObject({ problem: 'expected 6 values for shape 2×2, got 5' });
  });
});
