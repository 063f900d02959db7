import { allowsContributing } from '../consent/consent-level.js';
import { loadPersonalBudget } from '../privacy/stored-ledger.js';
import type { RoundInvitation } from '../rounds/round-participant.js';
import type { DeclineReason } from './decline-reason.js';
import { noticeAllowsContributing } from './notice-consent.js';
import type { ShopperContext, ShopperState } from './shopper-context.js';

/** `consent` when the client may no longer take part (consent withdrawn, given under another privacy notice, or closed); null otherwise. */
export function consentDeclines(state: ShopperState): 'consent' | null {
  return !allowsContributing(state.consent) || !noticeAllowsContributing(state) || state.closed ? 'consent' : null;
}

/**
 * Whether to take part in a round: only with consent, known DP parameters
 * and budget to spare in the stored ledger, which every tab sharing the
 * store charges (so the budget holds for the device). Null takes part.
 * Consent is checked again after the ledger is read: it may have been
 * withdrawn meanwhile.
 */
export async function reasonToDecline(context: ShopperContext, round: RoundInvitation): Promise<DeclineReason | null> {
  let reason: DeclineReason | null = consentDeclines(context.state) ?? (round.privacy === null ? 'no-privacy' : null);
  if (reason === null && round.privacy !== null) {
    const { budget } = await loadPersonalBudget(context.store, context.budgetEpsilon);
    reason = consentDeclines(context.state) ?? (budget.wouldExceed(round.privacy) ? 'budget' : null);
  }
  return reason;
}
