import { defineConfig } from 'vitest/config';

// One project per package, plus cross-package scenarios in test/.
// The `source` export condition lets tests import sibling packages from
// their TypeScript sources, so `npm test` does not depend on a prior build.
const packages = ['core', 'secagg', 'client', 'server', 'sim', 'cli'] as const;

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: { name, include: [`packages/${name}/src/**/*.test.ts`] },
      })),
      { extends: true as const, test: { name: 'system', include: ['test/**/*.test.ts'] } },
    ],
  },
});
