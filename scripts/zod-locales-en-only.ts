/**
 * What zod's `locales` namespace resolves to inside the browser bundle: the
 * English messages only. zod re-exports all of its ~50 locales from its main
 * entry, which would be a quarter of the bundle; FedRec configures none of
 * them (zod itself applies `en` by default, from its own import).
 */
export { default as en } from 'zod/v4/locales/en.js';
