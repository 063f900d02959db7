/**
 * Consent and transparency as reusable UI: `<fedrec-consent>` (the consent
 * banner) and `<fedrec-privacy>` (the privacy dashboard), plain custom
 * elements that work in any framework or none. A separate entry point, so a
 * shop that does not use them loads none of their code.
 *
 * @example
 * import { createClient } from '@fedrec/client';
 * import { createIndexedDbStore } from '@fedrec/client/browser';
 * import { defineFedRecComponents } from '@fedrec/client/components';
 *
 * defineFedRecComponents();
 * const client = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore() });
 * document.querySelector('fedrec-consent')!.client = client;
 * document.querySelector('fedrec-privacy')!.client = client;
 *
 * @module @fedrec/client/components
 */
// Public API of @fedrec/client/components: named exports only.
import { FedRecConsentElement } from './consent-element.js';
import { FedRecPrivacyElement } from './privacy-element.js';

export { FedRecConsentElement } from './consent-element.js';
export type { FedRecConsentEventDetail } from './consent-element.js';
export { FedRecPrivacyElement } from './privacy-element.js';
export { addFedRecLocale, fedRecStrings } from './strings.js';
export type { FedRecStrings } from './strings.js';
export { noticeItems } from './notice-summary.js';

/** The tag names the components are defined under. */
export const FEDREC_TAGS = { consent: 'fedrec-consent', privacy: 'fedrec-privacy' } as const;

/**
 * Defines `<fedrec-consent>` and `<fedrec-privacy>` (once: a second call,
 * or another copy of the package having defined them, changes nothing).
 * Explicit rather than on import, so importing this module has no side
 * effect and works where there is no DOM.
 */
export function defineFedRecComponents(registry: CustomElementRegistry = customElements): void {
  if (registry.get(FEDREC_TAGS.consent) === undefined) registry.define(FEDREC_TAGS.consent, FedRecConsentElement);
  if (registry.get(FEDREC_TAGS.privacy) === undefined) registry.define(FEDREC_TAGS.privacy, FedRecPrivacyElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'fedrec-consent': FedRecConsentElement;
    'fedrec-privacy': FedRecPrivacyElement;
  }
}
