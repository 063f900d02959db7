import { CONSENT_LEVELS, type ConsentLevel } from '../consent/consent-level.js';
import type { ShopperClientEvents } from '../shopper/shopper-client-events.js';
import { COMPONENT_CSS, CONSENT_CSS } from './component-styles.js';
import { FedRecElement, el, reasonOf } from './element-base.js';
import { noticeDetails } from './notice-summary.js';
import type { FedRecStrings } from './strings.js';

/** What `<fedrec-consent>` dispatches once the shopper has chosen (bubbles, crosses shadow roots). */
export interface FedRecConsentEventDetail {
  readonly level: ConsentLevel;
}

/**
 * `<fedrec-consent>`: the consent banner. Shown while the client needs the
 * shopper's choice (`client.consentNeeded`: nothing chosen yet, or the
 * server's privacy notice changed since), hidden otherwise. One native
 * button per consent level, each described; the privacy notice the choice
 * is given under, in a disclosure. After a choice it dispatches
 * `fedrec-consent` (cancelable) and, unless that is cancelled, moves focus
 * to the element whose id is in its `focus-after` attribute (else the
 * page's `<main>`): the button pressed is gone, and focus must not fall to
 * `<body>`. `element.focus()` focuses its heading.
 *
 * @example
 * defineFedRecComponents();
 * const banner = document.querySelector('fedrec-consent')!; // <fedrec-consent focus-after="recs-title"></fedrec-consent>
 * banner.client = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore() });
 */
export class FedRecConsentElement extends FedRecElement {
  protected readonly clientEvents: readonly (keyof ShopperClientEvents)[] = ['consentChanged', 'consentNeeded', 'noticeChanged', 'forgotten'];
  #title: HTMLHeadingElement | null = null;
  #renew: HTMLParagraphElement | null = null;
  #status: HTMLParagraphElement | null = null;
  #notice: ReturnType<typeof noticeDetails> | null = null;
  /** The client the notice was asked for, and whether that failed. */

  override focus(options?: FocusOptions): void {
    this.#title?.focus(options);
  }

  protected build(strings: FedRecStrings): void {
    const t = strings.consent;
    this.#title = el('h2', { id: 'title', tabindex: '-1' }, t.title);
    this.#renew = el('p', { class: 'alert', id: 'renew', hidden: true }, t.renew);
    this.#status = el('p', { role: 'status', class: 'muted' });
    this.#notice = noticeDetails();
    const choices = el(
      'ul',
      { class: 'choices' },
      ...CONSENT_LEVELS.map((level) => {
        const button = el('button', { type: 'button', 'data-consent': level, 'aria-describedby': `about-${level}`, class: level === 'local' ? 'primary' : undefined }, t.levels[level].label);
        button.addEventListener('click', () => this.#choose(level));
        return el('li', {}, button, el('p', { id: `about-${level}` }, t.levels[level].description));
      }),
    );
    const banner = el('section', { class: 'banner', part: 'banner', 'aria-labelledby': 'title' }, this.#title, el('p', {}, t.intro), this.#renew, choices, this.#notice.details, this.#status);
    this.adoptStyles(COMPONENT_CSS + CONSENT_CSS);
    this.shadow.replaceChildren(banner);
  }

  protected update(strings: FedRecStrings): void {
    const client = this.client;
    this.hidden = client === null || !client.consentNeeded;
    if (this.#renew !== null) this.#renew.hidden = !(client !== null && client.consentChosen && client.consentNeeded);
    if (client !== null) this.askForNoticeOnce(client);
    this.#notice?.show(client?.privacyNotice ?? null, strings, this.locale, this.noticeFailed);
  }

  #choose(level: ConsentLevel): void {
    const client = this.client;
    if (client === null) return;
    const strings = this.strings;
    // In force at once (the banner hides now); storing it follows.
    const saving = client.setConsent(level);
    this.refresh();
    const proceed = this.dispatchEvent(new CustomEvent<FedRecConsentEventDetail>('fedrec-consent', { detail: { level }, bubbles: true, composed: true, cancelable: true }));
    if (proceed) this.#moveFocus();
    saving.then(
      () => {
        if (this.#status !== null) this.#status.textContent = strings.consent.saved[level];
      },
      (error: unknown) => {
        // The client asks again on a refused write (another tab deleted everything): the banner shows, saying why.
        if (this.#status !== null) this.#status.textContent = strings.consent.failed(reasonOf(error));
        this.refresh();
      },
    );
  }

  /** The banner's button is gone: focus goes where the page said, or to its main content, never to <body>. */
  #moveFocus(): void {
    const id = this.getAttribute('focus-after');
    const target = (id !== null ? document.getElementById(id) : null) ?? document.querySelector<HTMLElement>('main, [role=main], h1');
    if (target === null) return;
    if (target.tabIndex < 0 && !target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus();
  }
}
