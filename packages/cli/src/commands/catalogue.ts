/**
 * `fedrec catalogue KIND:PATH --out FILE`: turns a shop's catalogue file
 * (S3-Rec item2attributes.json, MovieLens u.item, or a CSV) into the JSON
 * that `fedrec server --catalogue` serves at GET /catalogue. It loads only the
 * catalogue loaders (`@fedrec/sim/catalogue`), never the simulator or TensorFlow.js.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { catalogueToJson } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { DatasetError, loadCatalogue, parseCatalogueSpec } from '@fedrec/sim/catalogue';
import { RunError } from '../run-error.js';
import { UsageError } from '../usage-error.js';

export interface CatalogueCommandOptions {
  readonly out: string;
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
  return `wrote ${options.out}: ${catalogue.itemIds.length} items, ${catalogue.attributes.length} attributes${numeric.length > 0 ? `, numeric: ${numeric.join(', ')}` : ''}, version ${catalogue.version}`;
}

export function registerCatalogueCommand(program: Command): void {
  program
    .command('catalogue')
    .description("convert a shop's catalogue file into the JSON that `fedrec server --catalogue` serves at GET /catalogue")
    .argument('<spec>', 'attributes-json:PATH (S3-Rec item2attributes.json) | movielens:PATH (u.item) | csv:PATH (item,attribute[,attribute…], header optional, name=number for numeric attributes)')
    .requiredOption('--out <file>', 'where to write the catalogue JSON')
    .action(async (spec: string, options: CatalogueCommandOptions) => {
      process.stderr.write(`${await runCatalogueCommand(spec, options)}\n`);
    });
}
