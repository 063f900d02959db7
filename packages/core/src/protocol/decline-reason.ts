/**
 * Why a cohort member sat a round out, as it tells the server (`decline`
 * messages), so that an operator can see why rounds go without updates.
 * Names, not numbers: the set is small and read by people in `/status`.
 */
export const DECLINE_REASONS = [
  /** The shopper's consent does not (or no longer) allow taking part. */
  'consent',
  /** The round announced no DP parameters, so the device could not tell what taking part would cost. */
  'no-privacy',
  /** Taking part would take the device's ε above its personal budget. */
  'budget',
  /** Anything else the device's own policy decided (battery, a metered network, a failing hook). */
  'other',
] as const;

export type DeclineReasonName = (typeof DECLINE_REASONS)[number];

export function isDeclineReason(value: unknown): value is DeclineReasonName {
  return typeof value === 'string' && (DECLINE_REASONS as readonly string[]).includes(value);
}
