import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '@fedrec/core/catalogue';
import { parseStoredCatalogue, toStoredCatalogue } from './stored-catalogue.js';

const catalogue = buildCatalogue([
  { id: 'sku-1', attributes: ['brand:Acme', 'category:lips'], numeric: { price: 12.5 } },
  { id: 'sku-2', attributes: [] },
]);

describe('the stored catalogue', () => {
  it('round-trips a catalogue through JSON, and reads a missing record as none', () => {
    expect(parseStoredCatalogue(JSON.parse(JSON.stringify(toStoredCatalogue(catalogue))))).toEqual({ ok: true, catalogue });
    expect(parseStoredCatalogue(undefined)).toEqual({ ok: true, catalogue: null });
  });

  it('refuses what an edited or truncated store may hold, naming the first bad field', () => {
    const stored = toStoredCatalogue(catalogue);
    const cases: [unknown, string][] = [
      [{ ...stored, items: [{ ...stored.items[0], attributes: [3] }, stored.items[1]] }, 'items.0.attributes.0'],
      // Still well-formed, but not what the version says: a truncated or edited copy.
      [{ ...stored, items: stored.items.slice(1) }, 'version'],
      [{ ...stored, items: [stored.items[0], stored.items[0]] }, 'items'],
      [{ ...stored, format: 'other' }, 'format'],
      [42, ''],
    ];
    for (const [value, path] of cases) expect(parseStoredCatalogue(value)).toMatchObject({ ok: false, path });
  });
});
