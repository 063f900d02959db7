import type * as SecAgg from '@fedrec/secagg';

/** The @fedrec/secagg module, as `import()` resolves it. */
export type SecAggModule = typeof SecAgg;

let loading: Promise<SecAggModule> | undefined;

/**
 * Loads @fedrec/secagg the first time a round asks for secure aggregation,
 * never before: a shop that never enables it does not fetch or parse the
 * SecAgg+ code and its crypto libraries (test/server/secagg-lazy-load.test.ts).
 * Only type imports of @fedrec/secagg may be static in the client.
 */
export function loadSecAgg(): Promise<SecAggModule> {
  loading ??= import('@fedrec/secagg').catch((error: unknown) => {
    // A failed load (a flaky network in a browser) is retried by the next secure round.
    loading = undefined;
    throw error;
  });
  return loading;
}
