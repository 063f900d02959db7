// Public API for reading saved state back: named exports only.
export { SavedStateError, parseSavedState, parseSavedJson } from './saved-state.js';
export type { SavedStateErrorCode } from './saved-state.js';
