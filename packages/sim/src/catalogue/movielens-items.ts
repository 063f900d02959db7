import { buildCatalogue } from '@fedrec/core/catalogue';
import type { Catalogue, CatalogueEntry } from '@fedrec/core/catalogue';
import { DatasetError, parseError } from '../dataset/dataset-error.js';
import { readLines } from '../dataset/read-lines.js';

/** MovieLens 100K's genres, in the order of `u.item`'s 19 flag columns (`u.genre`). */
export const MOVIELENS_GENRES: readonly string[] = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

const FIELDS = 5 + MOVIELENS_GENRES.length;
const RELEASE_DATE = /^\d{1,2}-[A-Z][a-z]{2}-(\d{4})$/;

/**
 * MovieLens 100K's `u.item`: `id|title|release date|video release date|IMDb URL|` then
 * one 0/1 flag per genre. Each movie gets `genre:NAME` for each flag set and,
 * from its release date, `decade:1990s` and the numeric attribute `year`.
 * The ids are `u.data`'s item ids. (The titles are Latin-1 and are not used.)
 *
 * @example
 * const catalogue = await loadMovieLensItems('ml-100k/u.item');
 */
export async function loadMovieLensItems(path: string): Promise<Catalogue> {
  const entries: CatalogueEntry[] = [];
  const seen = new Set<string>();
  let line = 0;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === '') continue;
    const fields = text.split('|');
    if (fields.length !== FIELDS) throw parseError(path, line, `${FIELDS} '|'-separated fields (id|title|release date|video release date|URL|19 genre flags)`, `${fields.length} fields`);
    const id = fields[0]!.trim();
    if (!/^[1-9]\d*$/.test(id)) throw parseError(path, line, 'a movie id (a positive integer)', id);
    if (seen.has(id)) throw parseError(path, line, 'each movie once', `a second line for movie ${id}`);
    seen.add(id);
    const attributes: string[] = [];
    const numeric: Record<string, number> = {};
    const date = fields[2]!.trim();
    if (date !== '') {
      const year = RELEASE_DATE.exec(date);
      if (year === null) throw parseError(path, line, 'a release date like 01-Jan-1995, or nothing', date);
      numeric['year'] = Number(year[1]);
      attributes.push(`decade:${Math.floor(Number(year[1]) / 10) * 10}s`);
    }
    MOVIELENS_GENRES.forEach((genre, g) => {
      const flag = fields[5 + g]!.trim();
      if (flag !== '0' && flag !== '1') throw parseError(path, line, `a 0/1 flag for genre ${genre} (field ${6 + g})`, flag);
      if (flag === '1') attributes.push(`genre:${genre}`);
    });
    entries.push({ id, attributes, numeric });
  }
  if (entries.length === 0) throw new DatasetError('EMPTY', 'no movies in the file', path);
  return buildCatalogue(entries);
}
