// Browser-only entry point of @fedrec/client (`@fedrec/client/browser`).
export { createIndexedDbStore, DEFAULT_INDEXEDDB_NAME } from './indexeddb-store.js';
export type { IndexedDbStoreOptions } from './indexeddb-store.js';
export { selectBrowserBackend, webglCandidate, wasmCandidateAt } from './select-browser-backend.js';
export type { BrowserBackendOptions } from './select-browser-backend.js';
