/**
 * `fedrec catalogue KIND:PATH --out FILE [--retired FILE]`: turns a shop's
 * catalogue file (S3-Rec item2attributes.json, MovieLens u.item, or a CSV)
 * into the JSON that `fedrec server --catalogue` serves at GET /catalogue,
 * with the products listed in `--retired` marked retired (kept as rows,
 * never recommended). It loads only the
 * catalogue loaders (`@fedrec/sim/catalogue`), never the simulator or TensorFlow.js.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { catalogueToJson, retireProducts } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { DatasetError, loadCatalogue, parseCatalogueSpec } from '@fedrec/sim/catalogue';
import { RunError } from '../run-error.js';
import { UsageError } from '../usage-error.js';

export interface CatalogueCommandOptions {
  readonly out: string;
  /** A file of product ids to mark retired, one per line (blank lines and `#` comments ignored). */
  readonly retired?: string;
}

/** The ids `--retired` lists; an id the catalogue lacks is a usage error naming its file and line. */
async function retire(catalogue: Catalogue, file: string): Promise<Catalogue> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    throw new UsageError(`catalogue: cannot read --retired ${file} (${code})`);
  }
  const known = new Set(catalogue.itemIds);
  const ids: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const id = raw.replace(/#.*/, '').trim();
    if (id === '') continue;
    if (!known.has(id)) throw new UsageError(`catalogue: ${file}:${index + 1}: no product ${JSON.stringify(id)} in the catalogue to retire`);
    ids.push(id);
  }
  return retireProducts(catalogue, ids);
}

/** Loads the catalogue, writes its JSON to `out` (whole or not at all) and returns the line to print. */
export async function runCatalogueCommand(spec: string, options: CatalogueCommandOptions): Promise<string> {
  let catalogue: Catalogue;
  try {
    catalogue = await loadCatalogue(parseCatalogueSpec(spec));
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`catalogue: ${error.message}`);
    throw error;
  }
  if (options.retired !== undefined) catalogue = await retire(catalogue, options.retired);
  // Written beside the target and renamed over it: a server never reads half a catalogue.
  const partial = `${options.out}.partial`;
  try {
    await writeFile(partial, `${JSON.stringify(catalogueToJson(catalogue))}\n`);
    await rename(partial, options.out);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    throw new RunError(`cannot write ${options.out} (${code})`);
  }
  const numeric = Object.keys(catalogue.numeric);
  const retired = catalogue.retired.reduce((count, flag) => count + flag, 0);
  return `wrote ${options.out}: ${catalogue.itemIds.length} items${retired > 0 ? ` (${retired} retired)` : ''}, ${catalogue.attributes.length} attributes${numeric.length > 0 ? `, numeric: ${numeric.join(', ')}` : ''}, version ${catalogue.version}`;
}

export function registerCatalogueCommand(program: Command): void {
  program
    .command('catalogue')
    .description("convert a shop's catalogue file into the JSON that `fedrec server --catalogue` serves at GET /catalogue")
    .argument('<spec>', 'attributes-json:PATH (S3-Rec item2attributes.json) | movielens:PATH (u.item) | csv:PATH (item,attribute[,attribute…], header optional, name=number for numeric attributes)')
    .requiredOption('--out <file>', 'where to write the catalogue JSON')
    .option('--retired <file>', 'product ids to mark retired, one per line: they keep their model rows and are never recommended (products leave a catalogue this way; dropping one makes the server refuse it)')
    .action(async (spec: string, options: CatalogueCommandOptions) => {
      process.stderr.write(`${await runCatalogueCommand(spec, options)}\n`);
    });
}
