/**
 * zod for the client's stored records: `zod/mini`, whose functions a bundler can drop
 * when unused, where the classic `zod` entry brings every method and all of
 * zod's ~50 locales into a browser bundle (about 90 KB gzipped, more than
 * half the client's budget; issue #16). zod/mini applies no locale, so the
 * English one is configured here: messages read as they did with `zod`
 * ("Too small: expected number to be >=0"). `config` is global to zod, so
 * this is the same setting the classic entry applies on import.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

// A star re-export, imported as a namespace (`import * as z`), lets a bundler
// keep only the functions used; exporting the namespace object would keep them
// all. package.json lists this module under `sideEffects`, so `config` stays.
export * from 'zod/mini';
