/**
 * The shop's catalogue: public facts about each product (brand, categories,
 * tags, price), known to everyone who can open the shop's pages. Signal drawn
 * from it costs no privacy, unlike anything learned from shoppers' histories.
 *
 * Items are dense indices 0..items−1, the model's rows; `itemIds` names each
 * one as the shop does. Categorical attributes are strings from one vocabulary
 * (`attributes`), by convention `kind:value` (`brand:Acme`, `genre:Comedy`),
 * stored per item in compressed sparse rows so a catalogue of millions of
 * products stays a few typed arrays. Numeric attributes (price, year) are one
 * column each, NaN where an item has no value.
 *
 * **Rows are append-only.** A product's index is its row in the model for
 * good: a catalogue grows by appending products, and a product leaves by
 * being marked `retired` (its row stays, so models trained before keep their
 * meaning, but it is never recommended again). A server refuses a catalogue
 * that drops or reorders ids (see `checkCatalogueGrowth`).
 */
export interface Catalogue {
  /**
   * Content hash of everything below, hex: two catalogues with the same
   * items, attributes and values have the same version, so a client can tell
   * whether the one it stored is current without comparing contents.
   */
  readonly version: string;
  /** The shop's id of each item, by index; unique. */
  readonly itemIds: readonly string[];
  /** The attribute vocabulary, by attribute index, in order of first appearance. */
  readonly attributes: readonly string[];
  /** Item i's attributes are `attributeIndices[attributeOffsets[i] .. attributeOffsets[i+1]−1]`, ascending; length items + 1. */
  readonly attributeOffsets: Uint32Array;
  readonly attributeIndices: Uint32Array;
  /** One column per numeric attribute, by name, length items; NaN where absent. */
  readonly numeric: Readonly<Record<string, Float64Array>>;
  /** 1 for a product the shop no longer sells (never recommended), 0 otherwise; length items. */
  readonly retired: Uint8Array;
}

/** One item as a loader reads it: its id, its categorical attributes, and any numeric ones. */
export interface CatalogueEntry {
  readonly id: string;
  readonly attributes: readonly string[];
  readonly numeric?: Readonly<Record<string, number>>;
  /** The shop no longer sells it: it keeps its row but is never recommended. */
  readonly retired?: boolean;
}

/** The attribute indices of `item`, ascending (a view: do not modify). */
export function itemAttributes(catalogue: Catalogue, item: number): Uint32Array {
  if (!Number.isInteger(item) || item < 0 || item >= catalogue.itemIds.length) {
    throw new RangeError(`expected an item index in [0, ${catalogue.itemIds.length}), got ${item}`);
  }
  return catalogue.attributeIndices.subarray(catalogue.attributeOffsets[item]!, catalogue.attributeOffsets[item + 1]!);
}

/**
 * A catalogue from entries, in their order. An attribute repeated on one item
 * counts once; a numeric value must be finite. Ids must be unique: two entries
 * for one product would give it two rows of the model.
 *
 * @example
 * const catalogue = buildCatalogue([
 *   { id: 'sku-1', attributes: ['brand:Acme', 'category:lips'], numeric: { price: 12.5 } },
 *   { id: 'sku-2', attributes: [] },
 * ]);
 */
export function buildCatalogue(entries: Iterable<CatalogueEntry>): Catalogue {
  const itemIds: string[] = [];
  const seenIds = new Set<string>();
  const attributes: string[] = [];
  const attributeIndex = new Map<string, number>();
  const offsets: number[] = [0];
  const indices: number[] = [];
  const numericValues = new Map<string, Map<number, number>>();
  const retiredItems: number[] = [];
  for (const entry of entries) {
    if (typeof entry.id !== 'string' || entry.id === '') throw new TypeError(`expected a non-empty item id, got ${JSON.stringify(entry.id)}`);
    if (seenIds.has(entry.id)) throw new RangeError(`item id ${JSON.stringify(entry.id)} appears twice`);
    seenIds.add(entry.id);
    const item = itemIds.length;
    itemIds.push(entry.id);
    if (entry.retired !== undefined && typeof entry.retired !== 'boolean') throw new TypeError(`item ${JSON.stringify(entry.id)}: expected retired to be a boolean, got ${typeof entry.retired}`);
    if (entry.retired === true) retiredItems.push(item);
    const own = new Set<number>();
    for (const name of entry.attributes) {
      if (typeof name !== 'string' || name === '') throw new TypeError(`item ${JSON.stringify(entry.id)}: expected non-empty attribute names, got ${JSON.stringify(name)}`);
      let index = attributeIndex.get(name);
      if (index === undefined) {
        index = attributes.length;
        attributeIndex.set(name, index);
        attributes.push(name);
      }
      own.add(index);
    }
    indices.push(...[...own].sort((a, b) => a - b));
    offsets.push(indices.length);
    for (const [name, value] of Object.entries(entry.numeric ?? {})) {
      if (!Number.isFinite(value)) throw new RangeError(`item ${JSON.stringify(entry.id)}: expected a finite ${name}, got ${value}`);
      let column = numericValues.get(name);
      if (column === undefined) numericValues.set(name, (column = new Map()));
      column.set(item, value);
    }
  }
  const numeric: Record<string, Float64Array> = {};
  for (const name of [...numericValues.keys()].sort()) {
    const column = new Float64Array(itemIds.length).fill(Number.NaN);
    for (const [item, value] of numericValues.get(name)!) column[item] = value;
    numeric[name] = column;
  }
  const attributeOffsets = Uint32Array.from(offsets);
  const attributeIndices = Uint32Array.from(indices);
  const retired = new Uint8Array(itemIds.length);
  for (const item of retiredItems) retired[item] = 1;
  const version = catalogueVersion(itemIds, attributes, attributeOffsets, attributeIndices, numeric, retiredItems);
  return { version, itemIds, attributes, attributeOffsets, attributeIndices, numeric, retired };
}

/**
 * The catalogue with the products `ids` marked retired as well (those
 * already retired stay so): how a shop takes products off sale without
 * moving any row. An id the catalogue does not hold is an error naming it,
 * since a misspelt SKU would otherwise stay on sale unnoticed.
 *
 * @example
 * const next = retireProducts(catalogue, ['sku-7']); // next.version differs; rows are unchanged
 */
export function retireProducts(catalogue: Catalogue, ids: Iterable<string>): Catalogue {
  const index = new Map(catalogue.itemIds.map((id, item) => [id, item]));
  const retired = Uint8Array.from(catalogue.retired);
  for (const id of ids) {
    const item = index.get(id);
    if (item === undefined) throw new RangeError(`cannot retire product ${JSON.stringify(id)}: the catalogue has no such product`);
    retired[item] = 1;
  }
  const retiredItems: number[] = [];
  for (let item = 0; item < retired.length; item++) if (retired[item] === 1) retiredItems.push(item);
  const { itemIds, attributes, attributeOffsets, attributeIndices, numeric } = catalogue;
  const version = catalogueVersion(itemIds, attributes, attributeOffsets, attributeIndices, numeric, retiredItems);
  return { version, itemIds, attributes, attributeOffsets, attributeIndices, numeric, retired };
}

/** Whether `item` is retired: it keeps its row but is never recommended. */
export function isRetired(catalogue: Catalogue, item: number): boolean {
  return catalogue.retired[item] === 1;
}

/**
 * FNV-1a (64-bit, in two 32-bit halves) over a canonical serialisation. A
 * version label for caches, not a security boundary: the catalogue is public.
 */
function catalogueVersion(
  itemIds: readonly string[],
  attributes: readonly string[],
  offsets: Uint32Array,
  indices: Uint32Array,
  numeric: Readonly<Record<string, Float64Array>>,
  retiredItems: readonly number[],
): string {
  let hi = 0xcbf29ce4 >>> 0;
  let lo = 0x84222325 >>> 0;
  const byte = (b: number): void => {
    lo ^= b & 0xff;
    // Multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
    const loProduct = lo * 0x1b3;
    const carry = Math.floor(loProduct / 0x1_0000_0000);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loProduct >>> 0;
  };
  const text = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      byte(c);
      byte(c >>> 8);
    }
    byte(0);
  };
  const words = (array: Uint32Array | Float64Array): void => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (const b of bytes) byte(b);
    byte(0);
  };
  for (const id of itemIds) text(id);
  text('');
  for (const name of attributes) text(name);
  text('');
  words(offsets);
  words(indices);
  for (const [name, column] of Object.entries(numeric)) {
    text(name);
    words(column);
  }
  // Only when some item is retired, so catalogues without retirements keep the versions they had before the field existed.
  if (retiredItems.length > 0) {
    text('retired');
    words(Uint32Array.from(retiredItems));
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
