/**
 * Node-only pieces: the file store and the tfjs backend choice.
 *
 * @module @fedrec/client/node
 */
// Node-only entry point of @fedrec/client (`@fedrec/client/node`).
export { selectNodeBackend, tfjsNodeCandidate, NODE_BACKEND_CANDIDATES, BACKEND_ENV } from './select-node-backend.js';
export type { NodeBackendOptions } from './select-node-backend.js';
export { createFileStore } from './file-store.js';
