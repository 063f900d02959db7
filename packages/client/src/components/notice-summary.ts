import type { PrivacyNotice } from '@fedrec/core/protocol';
import { el } from './element-base.js';
import type { FedRecStrings } from './strings.js';

/**
 * The privacy notice in the shopper's words: one line per promise the
 * server's configuration makes (see `PrivacyNotice`). Shared by the banner
 * and the dashboard, so both say the same thing.
 */
export function noticeItems(notice: PrivacyNotice, strings: FedRecStrings, locale: string): HTMLLIElement[] {
  const t = strings.notice;
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const dp = notice.differentialPrivacy;
  const lines = [
    t.rawEvents,
    notice.collected.sent === 'nothing' ? t.sentNothing : t.sentUpdates,
    dp === null ? t.noPromise : t.promise(number.format(dp.epsilon), String(dp.delta), dp.accountant === 'pld' ? 'PLD' : 'RDP'),
    notice.cohortSampling.kind === 'poisson' ? t.sampling('poisson', percent.format(notice.cohortSampling.rate)) : t.sampling('fixed', number.format(notice.cohortSampling.size)),
    dp === null ? null : t.noise(dp.noisePlacement),
    t.secureAggregation(notice.secureAggregation),
    t.retention(notice.retention.checkpoints),
    notice.operator === null ? null : t.contact([notice.operator.name, notice.operator.contact].filter((part) => part !== undefined).join(', ')),
  ];
  return lines.filter((line): line is string => line !== null).map((line) => el('li', {}, line));
}

/** A `<details>` whose summary names the notice's version and whose body lists its promises (or says it could not be loaded). */
export function noticeDetails(): { readonly details: HTMLDetailsElement; show(notice: PrivacyNotice | null, strings: FedRecStrings, locale: string, failed: boolean): void } {
  const summary = el('summary');
  const list = el('ul', { class: 'notice', part: 'notice' });
  const message = el('p', { class: 'muted' });
  const details = el('details', {}, summary, list, message);
  return {
    details,
    show(notice, strings, locale, failed) {
      summary.textContent = strings.notice.summary(notice?.version ?? '…');
      list.replaceChildren(...(notice === null ? [] : noticeItems(notice, strings, locale)));
      message.textContent = notice === null && failed ? strings.notice.unavailable : '';
      message.hidden = message.textContent === '';
    },
  };
}
