import type { Catalogue, CatalogueJson } from '@fedrec/core/catalogue';
import { catalogueToJson, parseCatalogueJson } from '@fedrec/core/catalogue';
import { SavedStateError } from '@fedrec/core';

/**
 * The shop's public catalogue as this device last received it (`GET
 * /catalogue`), kept so that the on-device recommender works offline and a
 * later visit can ask the server only whether it changed (If-None-Match).
 * It is the catalogue's own JSON format, whose `version` is a content hash
 * checked on load: an edited or truncated copy is refused rather than
 * silently giving items other attributes. Public, nothing about the
 * shopper, yet stored only where consent allows storing and deleted by
 * `forget()`, like everything else the client keeps.
 */
export type StoredCatalogue = CatalogueJson;

export type StoredCatalogueParse =
  | { readonly ok: true; readonly catalogue: Catalogue | null }
  /** `path`: the dotted path of the first bad field under the record (`items.3.attributes.0`), empty for the record itself; `problem` never quotes the stored value. */
  | { readonly ok: false; readonly path: string; readonly problem: string };

/** The stored catalogue: null when none is stored, `{ok: false}` with the first bad field when one is stored but unusable. */
export function parseStoredCatalogue(value: unknown): StoredCatalogueParse {
  if (value === undefined || value === null) return { ok: true, catalogue: null };
  try {
    return { ok: true, catalogue: parseCatalogueJson(value) };
  } catch (error) {
    if (error instanceof SavedStateError) return { ok: false, path: error.path, problem: error.problem };
    throw error;
  }
}

export function toStoredCatalogue(catalogue: Catalogue): StoredCatalogue {
  return catalogueToJson(catalogue);
}
