import type { TransparencyReport } from '@fedrec/client';
import { byId, el } from './dom.js';
import { countOf, formatBytes, formatClock, formatEpsilon, formatTime } from './format.js';

const CONSENT_WORDS = {
  off: 'Nothing new is stored.',
  local: 'Stored here, used only here.',
  contribute: 'Stored here; this device also helps train the shared model.',
} as const;

/** Where this tab stands in training rounds: taking part, or waiting while another tab of the shop takes part for the device. */
export interface TrainingRole {
  readonly participating: boolean;
  readonly waitingForTurn: boolean;
}

/**
 * Checks the radio of the chosen level (none while nothing is chosen). Called as soon as a choice is saved, in the same
 * task that hides the banner, so the page never shows the banner gone and the old choice still checked.
 */
export function showConsentChoice(level: TransparencyReport['consent'] | null): void {
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="consent"]')) input.checked = input.value === level;
}

/** Fills the privacy panel from the client's transparency report (the same figures in every tab: they come from the browser's storage). */
export function renderDashboard(report: TransparencyReport, role: TrainingRole): void {
  showConsentChoice(report.consentChosen ? report.consent : null);

  const { stored } = report;
  const facts: [string, string][] = [
    ['Consent', report.consentChosen ? CONSENT_WORDS[report.consent] : 'Not chosen yet: nothing is stored.'],
    ['Activity', stored.events === 0 ? 'none' : `${countOf(stored.events, 'event')} (${countOf(stored.byType.view, 'view')}, ${countOf(stored.byType.cart, 'cart add')}, ${countOf(stored.byType.purchase, 'purchase')})`],
    ['Oldest', stored.oldest === null ? '—' : formatTime(stored.oldest)],
    ['Newest', stored.newest === null ? '—' : formatTime(stored.newest)],
    ['Taste profile', stored.userVector ? 'stored (a short list of numbers, never sent)' : 'none'],
    ['Kept for', `the last ${stored.retention.maxEvents} events, at most ${stored.retention.maxAgeDays} days`],
  ];
  byId('stored', HTMLElement).replaceChildren(...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', { 'data-fact': term.toLowerCase() }, value)]));

  const training =
    report.consent !== 'contribute'
      ? 'Not taking part in training.'
      : role.participating
        ? 'Connected: this device takes part in training rounds while it has budget left.'
        : role.waitingForTurn
          ? 'Another tab of this shop takes part for this device; this one takes over if it closes.'
          : 'Connecting to take part in training…';
  byId('training-status', HTMLElement).textContent = training;

  const body = byId('updates', HTMLTableElement).tBodies[0]!;
  body.replaceChildren(
    ...(report.updates.length === 0
      ? [el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'None sent.'))]
      : report.updates.map((u) =>
          el(
            'tr',
            {},
            // Charged before it left; if the connection dropped first it was never sent (the ε stays counted).
            el('td', {}, u.sent ? String(u.roundId) : `${u.roundId} (not sent)`),
            el('td', { title: formatTime(u.time) }, formatClock(u.time)),
            el('td', {}, formatBytes(u.bytes)),
            el('td', {}, String(u.clipNorm)),
            el('td', {}, String(u.clientNoiseMultiplier)),
            el('td', {}, formatEpsilon(u.epsilon)),
          ),
        )),
  );

  const { privacy } = report;
  byId('epsilon-text', HTMLElement).textContent =
    privacy.rounds === 0
      ? `ε = 0 of your limit of ${privacy.budget}: this device has sent nothing.`
      : `ε = ${formatEpsilon(privacy.epsilon)} of your limit of ${privacy.budget} (δ = ${privacy.delta}) over ${privacy.rounds} round${privacy.rounds === 1 ? '' : 's'}. Rounds that would go over the limit are declined.`;
  const meter = byId('epsilon-meter', HTMLMeterElement);
  meter.max = privacy.budget;
  meter.value = Math.min(privacy.epsilon, privacy.budget);
}
