/**
 * How much the shopper lets FedRec do with their history. The values are
 * stored, so they are strings that never change meaning; new levels are only
 * ever added.
 *
 * - `off`: nothing new is stored and recommendations are popular items only.
 * - `local`: history is stored on the device and personalises
 *   recommendations there; nothing is ever sent, no training rounds.
 * - `contribute`: as `local`, and the device also takes part in federated
 *   training rounds (clipped, noised updates) within its personal ε budget.
 */
export const CONSENT_LEVELS = ['off', 'local', 'contribute'] as const;
export type ConsentLevel = (typeof CONSENT_LEVELS)[number];

export function isConsentLevel(value: unknown): value is ConsentLevel {
  return typeof value === 'string' && (CONSENT_LEVELS as readonly string[]).includes(value);
}

export function assertConsentLevel(value: unknown, name = 'consent'): asserts value is ConsentLevel {
  if (typeof value !== 'string') throw new TypeError(`expected ${name} to be a string, got ${value === null ? 'null' : typeof value}`);
  if (!isConsentLevel(value)) throw new RangeError(`expected ${name} to be one of ${CONSENT_LEVELS.join(', ')}, got '${value}'`);
}

/** Whether the level allows keeping the shopper's history on the device. */
export function allowsStoring(level: ConsentLevel): boolean {
  return level !== 'off';
}

/** Whether the level allows sending (noised) updates to training rounds. */
export function allowsContributing(level: ConsentLevel): boolean {
  return level === 'contribute';
}
