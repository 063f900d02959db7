import * as z from '../zod.js';
import { parseSavedJson, parseSavedState, SavedStateError } from '../state/saved-state.js';
import { buildCatalogue, itemAttributes } from './catalogue.js';
import type { Catalogue } from './catalogue.js';

/**
 * The catalogue as JSON: what the server serves at `GET /catalogue` and a
 * client stores. Item by item, so a shop can write one by hand; `version` is
 * the content hash, checked on load, so a truncated or edited copy is refused
 * rather than silently giving items other attributes.
 *
 * Format version 2 adds `retired: true` on items the shop no longer sells.
 * It is written only when some item is retired, so a catalogue without
 * retirements stays version 1 and clients released before the field read it.
 */
export interface CatalogueJson {
  readonly format: 'fedrec-catalogue';
  readonly formatVersion: 1 | 2;
  readonly version: string;
  readonly items: readonly CatalogueJsonItem[];
}

/** One product in `CatalogueJson`. */
export interface CatalogueJsonItem {
  readonly id: string;
  readonly attributes: readonly string[];
  readonly numeric?: Readonly<Record<string, number>>;
  /** Format version 2: the shop no longer sells it; it keeps its row (and place in the list) but is never recommended. */
  readonly retired?: true;
}

/** The version that adds `retired`. */
const RETIRED_FORMAT_VERSION = 2;

const catalogueJsonSchema = z.object({
  format: z.literal('fedrec-catalogue'),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  version: z.string().check(z.regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits')),
  items: z.array(
    z.object({
      id: z.string().check(z.minLength(1)),
      attributes: z.array(z.string().check(z.minLength(1))),
      numeric: z.optional(z.record(z.string().check(z.minLength(1)), z.number())),
      retired: z.optional(z.literal(true)),
    }),
  ),
}) satisfies z.ZodMiniType<CatalogueJson>;

export function catalogueToJson(catalogue: Catalogue): CatalogueJson {
  const names = Object.keys(catalogue.numeric);
  const anyRetired = catalogue.retired.includes(1);
  return {
    format: 'fedrec-catalogue',
    formatVersion: anyRetired ? RETIRED_FORMAT_VERSION : 1,
    version: catalogue.version,
    items: catalogue.itemIds.map((id, item): CatalogueJsonItem => {
      const attributes = Array.from(itemAttributes(catalogue, item), (a) => catalogue.attributes[a]!);
      const numeric: Record<string, number> = {};
      for (const name of names) {
        const value = catalogue.numeric[name]![item]!;
        if (!Number.isNaN(value)) numeric[name] = value;
      }
      const retired = catalogue.retired[item] === 1 ? { retired: true as const } : {};
      return names.length === 0 || Object.keys(numeric).length === 0 ? { id, attributes, ...retired } : { id, attributes, numeric, ...retired };
    }),
  };
}

/**
 * A catalogue from its JSON text or parsed value, or a `SavedStateError`
 * naming the first bad field (`items.3.attributes.0`), duplicate ids and a
 * version that does not match the contents included.
 */
export function parseCatalogueJson(input: string | unknown): Catalogue {
  const value = typeof input === 'string' ? parseSavedJson(input, 'catalogue') : input;
  const json = parseSavedState(catalogueJsonSchema, value, 'catalogue');
  if (json.formatVersion === 1) {
    const retired = json.items.findIndex((item) => item.retired !== undefined);
    if (retired >= 0) throw new SavedStateError('CORRUPT_STATE', `items.${retired}.retired`, `needs formatVersion ${RETIRED_FORMAT_VERSION}`, 'catalogue');
  }
  let catalogue: Catalogue;
  try {
    catalogue = buildCatalogue(json.items);
  } catch (error) {
    throw new SavedStateError('CORRUPT_STATE', 'items', error instanceof Error ? error.message : 'invalid items', 'catalogue');
  }
  if (catalogue.version !== json.version) throw new SavedStateError('CORRUPT_STATE', 'version', 'does not match the contents (truncated or edited?)', 'catalogue');
  return catalogue;
}
