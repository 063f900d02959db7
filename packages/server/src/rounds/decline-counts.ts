import type { DeclineReasonName } from '@fedrec/core/protocol';
import { DECLINE_REASONS } from '@fedrec/core/protocol';

/** How many cohort members declined a round (or all rounds), by the reason they gave. */
export type DeclineCounts = Readonly<Record<DeclineReasonName, number>>;

export function noDeclines(): Record<DeclineReasonName, number> {
  return Object.fromEntries(DECLINE_REASONS.map((reason) => [reason, 0])) as Record<DeclineReasonName, number>;
}

/** Counts one round's declines (one reason per member). */
export function countDeclines(byMember: ReadonlyMap<string, DeclineReasonName>): DeclineCounts {
  const counts = noDeclines();
  for (const reason of byMember.values()) counts[reason]++;
  return counts;
}

export function totalDeclines(counts: DeclineCounts): number {
  let total = 0;
  for (const reason of DECLINE_REASONS) total += counts[reason];
  return total;
}

/** What an operator should know about each reason: what it means and what to change. */
const MEANING: Readonly<Record<DeclineReasonName, string>> = {
  'no-privacy':
    'the round announced no DP parameters, and shoppers\' clients (createClient) take part only in rounds that say what they cost: configure `privacy` (`fedrec server` applies a default budget unless --no-privacy)',
  budget: 'taking part would take those devices above their personal ε budget',
  consent: 'those shoppers withdrew their consent to contribute',
  other: "the devices' own policy (battery, network, an app's beforeRound hook)",
};

/**
 * One line saying why members declined, for the log: `2 of 2 cohort members
 * declined (no-privacy: 2): the round announced…`. Null when none did.
 */
export function explainDeclines(counts: DeclineCounts, cohortSize: number): string | null {
  const total = totalDeclines(counts);
  if (total === 0) return null;
  const given = DECLINE_REASONS.filter((reason) => counts[reason] > 0);
  const tally = given.map((reason) => `${reason}: ${counts[reason]}`).join(', ');
  return `${total} of ${cohortSize} cohort members declined (${tally}): ${given.map((reason) => MEANING[reason]).join('; ')}`;
}
