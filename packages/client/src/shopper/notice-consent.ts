import { allowsContributing } from '../consent/consent-level.js';
import type { ShopperState } from './shopper-context.js';

/*
 * How a chosen consent relates to the server's privacy notice (issue #16,
 * point 8). The notice describes what the server receives, and only
 * `contribute` sends it anything, so only a chosen `contribute` is tied to a
 * notice version: when the server publishes another version, the device
 * stops contributing and the shopper is asked again. History and on-device
 * recommendations carry on under the level chosen (nothing of them reaches
 * the server). A level the shop set as its default (`options.consent`,
 * nothing chosen) is the shop's decision, not the shopper's consent, and is
 * not tied to a notice.
 */

/** Whether the chosen `contribute` was given under another notice than the server's current one: the shopper must be asked again. */
export function consentNeedsRenewal(state: ShopperState): boolean {
  return state.consentChosen && allowsContributing(state.consent) && state.notice !== null && state.consentNotice !== state.notice.version;
}

/**
 * Whether the notice allows contributing now: with a chosen consent, only
 * once the client holds the server's notice and it is the one consented
 * under (so not while it is still unknown, e.g. at start or offline).
 */
export function noticeAllowsContributing(state: ShopperState): boolean {
  return !state.consentChosen || (state.notice !== null && state.consentNotice === state.notice.version);
}
