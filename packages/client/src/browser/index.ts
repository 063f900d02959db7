/**
 * Browser-only pieces: the IndexedDB store, cross-tab coordination and the tfjs backend choice.
 *
 * @module @fedrec/client/browser
 */
// Browser-only entry point of @fedrec/client (`@fedrec/client/browser`).
export { createIndexedDbStore, DEFAULT_INDEXEDDB_NAME } from './indexeddb-store.js';
export type { IndexedDbStoreOptions } from './indexeddb-store.js';
export { webLocksParticipantLock } from './web-locks-participant-lock.js';
export { broadcastChangeChannel } from './broadcast-change-channel.js';
export { selectBrowserBackend, browserCandidates, webglCandidate, wasmCandidateAt, WEBGL_MIN_PARAMETERS } from './select-browser-backend.js';
export type { BrowserBackendOptions } from './select-browser-backend.js';
