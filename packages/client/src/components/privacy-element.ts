import { CONSENT_LEVELS } from '../consent/consent-level.js';
import type { ShopperClientEvents } from '../shopper/shopper-client-events.js';
import type { TransparencyReport } from '../shopper/transparency-report.js';
import { COMPONENT_CSS, PRIVACY_CSS } from './component-styles.js';
import { FedRecElement, el, reasonOf } from './element-base.js';
import { noticeDetails } from './notice-summary.js';
import type { FedRecStrings } from './strings.js';

/** The parts of the dashboard that change, built once per locale. */
interface DashboardParts {
  readonly title: HTMLHeadingElement;
  readonly renew: HTMLParagraphElement;
  readonly radios: readonly HTMLInputElement[];
  readonly stored: HTMLDListElement;
  readonly training: HTMLParagraphElement;
  readonly updates: HTMLTableSectionElement;
  readonly epsilonText: HTMLParagraphElement;
  readonly meter: HTMLMeterElement;
  readonly noticeVersion: HTMLParagraphElement;
  readonly notice: ReturnType<typeof noticeDetails>;
  readonly forget: HTMLButtonElement;
  readonly confirm: HTMLSpanElement;
  readonly yes: HTMLButtonElement;
  readonly status: HTMLParagraphElement;
}

/**
 * `<fedrec-privacy>`: the privacy dashboard — the consent in force (and a
 * way to change it), what is stored on the device, every update sent with
 * its ε, ε spent against the personal budget, the privacy notice (and the
 * version consented under), and “Delete my data”, which asks once more and
 * then calls `client.forget()`. It reads `client.transparency()`, which
 * comes from the device's storage, so every tab of the shop shows the same
 * figures; a deletion dispatches `fedrec-forgotten` (bubbles, crosses
 * shadow roots) after focus returns to the delete button.
 *
 * @example
 * defineFedRecComponents();
 * document.querySelector('fedrec-privacy')!.client = client; // <fedrec-privacy lang="ar"></fedrec-privacy>
 */
export class FedRecPrivacyElement extends FedRecElement {
  protected readonly clientEvents: readonly (keyof ShopperClientEvents)[] = [
    'consentChanged',
    'consentNeeded',
    'noticeChanged',
    'forgotten',
    'historyChanged',
    'privacyChanged',
    'updateSent',
    'roundDeclined',
    'participationChanged',
  ];
  #parts: DashboardParts | null = null;
  /** The newest report request wins: one read before a choice was saved must not undo it on screen. */
  #latest = 0;

  override focus(options?: FocusOptions): void {
    this.#parts?.title.focus(options);
  }

  protected build(strings: FedRecStrings): void {
    const t = strings.privacy;
    const title = el('h2', { id: 'title', tabindex: '-1' }, t.title);
    const renew = el('p', { class: 'alert', role: 'alert', hidden: true }, t.renew);
    const radios = CONSENT_LEVELS.map((level) => {
      const input = el('input', { type: 'radio', name: 'consent', value: level });
      input.addEventListener('change', () => {
        if (input.checked) this.#setConsent(level);
      });
      return input;
    });
    const fieldset = el('fieldset', {}, el('legend', {}, t.choice), ...radios.map((input, i) => el('label', {}, input, ` ${t.levels[CONSENT_LEVELS[i]!]}`)));
    const stored = el('dl', { id: 'stored' });
    const training = el('p', { id: 'training-status', class: 'muted' });
    const c = t.columns;
    const updates = el('tbody');
    const table = el(
      'table',
      { id: 'updates' },
      el('caption', {}, t.updatesCaption),
      el('thead', {}, el('tr', {}, ...[c.round, c.time, c.size, c.clip, c.noise, c.epsilon].map((name) => el('th', { scope: 'col' }, name)))),
      updates,
    );
    const epsilonText = el('p', { id: 'epsilon-text' });
    const meter = el('meter', { id: 'epsilon-meter', min: '0', max: '10', value: '0', 'aria-labelledby': 'epsilon-text' });
    const noticeVersion = el('p', { id: 'notice-version', class: 'muted' });
    const notice = noticeDetails();
    const forget = el('button', { type: 'button', id: 'forget', class: 'danger', 'aria-describedby': 'forget-statement' }, t.deleteButton);
    const yes = el('button', { type: 'button', id: 'forget-yes', class: 'danger' }, t.deleteConfirm);
    const no = el('button', { type: 'button', id: 'forget-no' }, t.deleteCancel);
    const confirm = el('span', { id: 'forget-confirm', class: 'forget', hidden: true }, yes, no);
    const status = el('p', { id: 'privacy-status', role: 'status' });
    const close = (): void => {
      confirm.hidden = true;
      forget.hidden = false;
    };
    forget.addEventListener('click', () => {
      forget.hidden = true;
      confirm.hidden = false;
      yes.focus();
    });
    no.addEventListener('click', () => {
      close();
      forget.focus();
    });
    yes.addEventListener('click', () => {
      const client = this.client;
      if (client === null) return;
      const words = this.strings.privacy;
      client.forget().then(
        () => {
          close();
          forget.focus();
          status.textContent = words.deleted;
          this.dispatchEvent(new CustomEvent('fedrec-forgotten', { bubbles: true, composed: true }));
        },
        (error: unknown) => {
          status.textContent = words.failed(reasonOf(error));
        },
      );
    });
    const panel = el(
      'section',
      { class: 'panel', part: 'panel', 'aria-labelledby': 'title' },
      title,
      renew,
      fieldset,
      el('h3', {}, t.storedTitle),
      stored,
      el('h3', {}, t.updatesTitle),
      training,
      table,
      el('h3', {}, t.spentTitle),
      epsilonText,
      meter,
      el('h3', {}, t.noticeTitle),
      noticeVersion,
      notice.details,
      el('h3', {}, t.deleteTitle),
      el('p', { id: 'forget-statement' }, t.deleteStatement),
      el('div', { class: 'forget' }, forget, confirm),
      status,
    );
    this.adoptStyles(COMPONENT_CSS + PRIVACY_CSS);
    this.shadow.replaceChildren(panel);
    this.#parts = { title, renew, radios, stored, training, updates, epsilonText, meter, noticeVersion, notice, forget, confirm, yes, status };
  }

  protected update(strings: FedRecStrings): void {
    const parts = this.#parts;
    const client = this.client;
    if (parts === null) return;
    // The choice shows at once (in the same task as the banner hides); the stored figures follow.
    for (const radio of parts.radios) radio.checked = client !== null && client.consentChosen && radio.value === client.consent;
    parts.renew.hidden = !(client !== null && client.consentChosen && client.consentNeeded);
    parts.notice.show(client?.privacyNotice ?? null, strings, this.locale, this.noticeFailed);
    if (client === null) return;
    this.askForNoticeOnce(client);
    const request = ++this.#latest;
    client.transparency().then(
      (report) => {
        if (request === this.#latest && this.#parts === parts) this.#show(report, strings);
      },
      (error: unknown) => {
        if (request === this.#latest) parts.status.textContent = strings.privacy.failed(reasonOf(error));
      },
    );
  }

  #setConsent(level: (typeof CONSENT_LEVELS)[number]): void {
    const client = this.client;
    if (client === null) return;
    const strings = this.strings;
    client.setConsent(level).then(
      () => {
        if (this.#parts !== null) this.#parts.status.textContent = strings.consent.saved[level];
      },
      (error: unknown) => {
        if (this.#parts !== null) this.#parts.status.textContent = strings.consent.failed(reasonOf(error));
        this.refresh();
      },
    );
  }

  #show(report: TransparencyReport, strings: FedRecStrings): void {
    const parts = this.#parts;
    const client = this.client;
    if (parts === null || client === null) return;
    const t = strings.privacy;
    const locale = this.locale;
    const dateTime = (ms: number): string => new Date(ms).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const clock = (ms: number): string => new Date(ms).toLocaleTimeString(locale, { timeStyle: 'medium' });
    const epsilon = (value: number): string => (Number.isFinite(value) ? new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value) : '∞');
    const number = (value: number): string => new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(value);
    const bytes = (n: number): string => (n < 1024 ? `${number(n)} B` : `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n / 1024)} KiB`);

    const { stored } = report;
    const facts: [string, string, string][] = [
      ['consent', t.facts.consent, report.consentChosen ? t.consentWords[report.consent] : t.notChosen],
      ['activity', t.facts.activity, t.activity(stored.events, stored.byType.view, stored.byType.cart, stored.byType.purchase)],
      ['oldest', t.facts.oldest, stored.oldest === null ? '—' : dateTime(stored.oldest)],
      ['newest', t.facts.newest, stored.newest === null ? '—' : dateTime(stored.newest)],
      ['taste profile', t.facts.profile, stored.userVector ? t.profileStored : t.none],
      ['kept for', t.facts.keptFor, t.keptFor(stored.retention.maxEvents, stored.retention.maxAgeDays)],
    ];
    parts.stored.replaceChildren(...facts.flatMap(([key, term, value]) => [el('dt', {}, term), el('dd', { 'data-fact': key }, value)]));

    parts.training.textContent =
      report.consent !== 'contribute' ? t.training.off : client.consentNeeded ? t.training.paused : client.participating ? t.training.participating : client.waitingForTurn ? t.training.waiting : t.training.connecting;

    parts.updates.replaceChildren(
      ...(report.updates.length === 0
        ? [el('tr', {}, el('td', { colspan: '6', class: 'empty' }, t.noneSent))]
        : report.updates.map((u) =>
            el(
              'tr',
              {},
              // Charged before it left; if the connection dropped first it was never sent (the ε stays counted).
              el('td', {}, u.sent ? String(u.roundId) : t.notSent(String(u.roundId))),
              el('td', { title: dateTime(u.time) }, clock(u.time)),
              el('td', {}, bytes(u.bytes)),
              el('td', {}, number(u.clipNorm)),
              el('td', {}, number(u.clientNoiseMultiplier)),
              el('td', {}, epsilon(u.epsilon)),
            ),
          )),
    );

    const { privacy } = report;
    parts.epsilonText.textContent =
      privacy.rounds === 0 ? t.spentNone(number(privacy.budget)) : t.spent(epsilon(privacy.epsilon), number(privacy.budget), String(privacy.delta ?? '—'), privacy.rounds);
    parts.meter.max = privacy.budget;
    parts.meter.value = Math.min(privacy.epsilon, privacy.budget);

    const consented = report.notice.consentedUnder;
    parts.noticeVersion.textContent = consented === null ? '' : strings.notice.consentedUnder(consented);
    parts.noticeVersion.hidden = consented === null;
  }
}
