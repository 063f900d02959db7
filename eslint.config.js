import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dependencies point one way: core <- secagg <- client, server <- sim <- cli.
const forbid = (names, why) => ({
  'no-restricted-imports': ['error', { patterns: names.map((group) => ({ group: [group, `${group}/*`], message: why })) }],
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '.scratch/**', 'examples/**/vendor/**', 'docs/api/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: forbid(['@fedrec/secagg', '@fedrec/client', '@fedrec/server', '@fedrec/sim', '@fedrec/cli', 'socket.io', 'socket.io-client', 'node:*', 'fs', 'path'], 'core is pure: no I/O, no sockets, no other FedRec package (secagg depends on core, never the reverse)'),
  },
  {
    // node:crypto is looked up at run time (node-secagg-crypto.ts), never imported, so browser bundles stay clean.
    files: ['packages/secagg/src/**/*.ts'],
    rules: forbid(['@fedrec/client', '@fedrec/server', '@fedrec/sim', '@fedrec/cli', 'socket.io', 'socket.io-client', 'node:*', 'fs', 'path'], 'secagg is pure maths on top of core: no I/O, no sockets, no FedRec package but core'),
  },
  {
    files: ['packages/client/src/**/*.ts'],
    ignores: ['packages/client/src/node/**'],
    rules: forbid(['@fedrec/server', '@fedrec/sim', '@fedrec/cli', 'socket.io', 'node:*'], 'client never imports the server; Node-only code lives in src/node'),
  },
  {
    // Shops that never enable secure aggregation never load it: only `import type` is static,
    // the module itself comes through `await import('@fedrec/secagg')` (transport/load-secagg.ts).
    files: ['packages/client/src/**/*.ts'],
    ignores: ['packages/client/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: '@fedrec/secagg', allowTypeImports: true, message: 'load it lazily with loadSecAgg() (transport/load-secagg.ts): shops without secure aggregation must not load it' }] }],
    },
  },
  {
    files: ['packages/client/src/node/**/*.ts'],
    rules: forbid(['@fedrec/server', '@fedrec/sim', '@fedrec/cli', 'socket.io'], 'client never imports the server'),
  },
  {
    files: ['packages/server/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...['@fedrec/client', '@fedrec/sim', '@fedrec/cli', 'socket.io-client'].map((group) => ({ group: [group, `${group}/*`], message: 'server never imports the client' })),
            // The server never trains: TensorFlow.js must stay out of its process (test/server/no-tfjs.test.ts).
            { group: ['@fedrec/core/training', '@tensorflow/*'], message: 'the server never trains: no TensorFlow.js in its process' },
          ],
          paths: [{ name: '@fedrec/core', message: 'import a tfjs-free subpath (@fedrec/core/model, /protocol, /format, …): the barrel loads TensorFlow.js' }],
        },
      ],
    },
  },
  {
    files: ['packages/sim/src/**/*.ts'],
    rules: forbid(['@fedrec/cli'], 'sim does not depend on the CLI'),
  },
);
