import { DatasetError, quote } from './dataset-error.js';

/** The formats `loadDataset` reads. */
export type DatasetKind = 'ml-100k' | 'tsv' | 'seq';

export const DATASET_KINDS: readonly DatasetKind[] = ['ml-100k', 'tsv', 'seq'];

/**
 * Which file to load and how:
 * - `ml-100k`: MovieLens 100K `u.data` (`user item rating timestamp`, tabs);
 * - `tsv`: a generic event log, `user item timestamp [event]`, TSV or CSV;
 * - `seq`: one shopper a line, `user item item …`, with an optional parallel
 *   `timestampsPath` (`user t1 t2 …`).
 */
export interface DatasetSpec {
  readonly kind: DatasetKind;
  readonly path: string;
  /** Only for `seq`. */
  readonly timestampsPath?: string;
}

const SPEC_FORMS = 'ml-100k:PATH, tsv:PATH, csv:PATH or seq:PATH[,TIMESTAMPS]';

/**
 * The CLI form of a dataset: `ml-100k:PATH`, `tsv:PATH` (`csv:PATH` is the
 * same loader: the delimiter is detected) or `seq:PATH[,TIMESTAMPS]`.
 * The kind ends at the first colon, so paths may hold colons; in the `seq`
 * form the first comma separates the two paths, so a sequence file whose
 * path holds a comma must be given as an object to `loadDataset`.
 *
 * @example
 * parseDatasetSpec('seq:data/Beauty.txt,data/Beauty_time.txt');
 * // { kind: 'seq', path: 'data/Beauty.txt', timestampsPath: 'data/Beauty_time.txt' }
 */
export function parseDatasetSpec(text: string): DatasetSpec {
  const colon = text.indexOf(':');
  if (colon < 0) throw new DatasetError('BAD_SPEC', `expected ${SPEC_FORMS}, got ${quote(text)}`);
  const kind = text.slice(0, colon).trim().toLowerCase();
  const rest = text.slice(colon + 1);
  if (rest.trim() === '') throw new DatasetError('BAD_SPEC', `expected a path after '${kind}:', got ${quote(text)}`);
  switch (kind) {
    case 'ml-100k':
      return { kind: 'ml-100k', path: rest };
    case 'tsv':
    case 'csv':
      return { kind: 'tsv', path: rest };
    case 'seq': {
      const comma = rest.indexOf(',');
      if (comma < 0) return { kind: 'seq', path: rest };
      const path = rest.slice(0, comma);
      const timestampsPath = rest.slice(comma + 1);
      if (path === '' || timestampsPath === '') throw new DatasetError('BAD_SPEC', `expected seq:PATH,TIMESTAMPS with both paths, got ${quote(text)}`);
      return { kind: 'seq', path, timestampsPath };
    }
    default:
      throw new DatasetError('BAD_SPEC', `expected a kind of ${[...DATASET_KINDS, 'csv'].join(', ')}, got ${quote(kind)} (forms: ${SPEC_FORMS})`);
  }
}
