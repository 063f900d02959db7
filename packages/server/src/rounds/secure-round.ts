import { randomBytes } from 'node:crypto';
import type { RoundPrivacy, RoundStartMessage, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import { securelyAccountedNoiseMultiplier } from '@fedrec/core/privacy';
import type { SecAggServerMessage } from '@fedrec/secagg';
import { decodeSum } from '@fedrec/secagg';
import type { SecureAggregationConfig } from '../config/server-config.js';
import type { PlannedRoundPrivacy, SecureRoundNoise } from '../privacy/server-privacy.js';
import type { AggregationRound, RoundHost, RoundKind, RoundOpening } from './round-kind.js';
import { SecureAggregationSession, type SecureAggregationOutcome } from './secure-aggregation-session.js';
import { planSecureRound, type SecureRoundPlan } from './secure-round-plan.js';
import { rejected, type SubmitResult } from './submit-result.js';

/** How the secure aggregation of a round ended (server-side only). */
export interface SecureAggregationInfo {
  readonly roundId: number;
  readonly outcome: 'completed' | 'aborted';
  /** Members whose update is in the sum. */
  readonly contributors: readonly string[];
  /** Members that shared keys but sent no masked input (their masks were removed). */
  readonly droppedAfterSharing: readonly string[];
  /** Why it aborted (a SecAggError code), for `aborted`. */
  readonly reason?: string;
  /** The decoded integer sum Σ round(x/γ) (+ noise) of the contributors: the only thing the server learns. */
  readonly integerSum?: Float64Array;
  /** γ: float value of one integer step. */
  readonly granularity: number;
}

/** Where a secure round's messages and its report go (the coordinator's hooks). */
export interface SecureRoundHooks {
  /** Send one SecAgg+ stage message to a cohort member. */
  sendSecAgg?(clientId: string, roundId: number, message: SecAggServerMessage): void;
  /** The secure aggregation of a round ended. */
  secureAggregationEnded?(info: SecureAggregationInfo): void;
}

/**
 * The SecAgg+ stages run in a round: advertise keys (its deadline is the
 * round's `timeoutMs`, which covers local training), then share keys, masked
 * input and unmasking (`stageTimeoutMs` each).
 */
const LATER_STAGES = 3;

/**
 * A round whose members' updates are summed under SecAgg+: the server only
 * ever sees the survivors' sum. The session's stage deadlines drive the
 * round; a member that disconnects has dropped out (its keys and shares
 * lived in its connection), and its masks are removed when the sum is
 * unmasked. The round is complete when the session finishes, with the sum
 * or aborted.
 */
export class SecureRound implements AggregationRound {
  readonly kind = 'secure';
  readonly announcedPrivacy: RoundPrivacy | null;
  readonly deadlineMs: number;
  readonly unclipped = 0;
  readonly ledgerNoise: SecureRoundNoise | undefined;
  readonly #roundId: number;
  readonly #plan: SecureRoundPlan;
  readonly #host: RoundHost;
  readonly #hooks: SecureRoundHooks;
  readonly #session: SecureAggregationSession;
  #disposed = false;

  constructor(opening: RoundOpening, host: RoundHost, plan: SecureRoundPlan, hooks: SecureRoundHooks) {
    const { roundId, privacy } = opening;
    this.#roundId = roundId;
    this.#plan = plan;
    this.#host = host;
    this.#hooks = hooks;
    const accounted = plan.accountedNoiseMultiplier;
    this.ledgerNoise = accounted === undefined ? undefined : { accountedNoiseMultiplier: accounted, clientNoiseMultiplier: plan.clientNoiseMultiplier };
    this.announcedPrivacy = privacy === null ? null : announcedPrivacy(privacy, plan);
    // The session's stage deadlines close the round: every stage closes at its
    // deadline at the latest, and the last one finishes the session. This
    // deadline is a backstop for a session that never finishes, which nothing
    // else would catch: while a stage is closing (the last one awaits the
    // crypto of unmasking) no stage timer is armed, so a close that never
    // settled would leave the round open and no round would ever open again.
    // It allows one stage more than the stages take, so that the time spent
    // closing stages (unmasking a large vector takes a while) never makes it
    // cut short a session that is merely slow.
    this.deadlineMs = host.rounds.timeoutMs + (LATER_STAGES + 1) * plan.stageTimeoutMs;
    this.#session = new SecureAggregationSession({
      config: plan.config,
      indices: plan.indices,
      firstStageTimeoutMs: host.rounds.timeoutMs,
      stageTimeoutMs: plan.stageTimeoutMs,
      send: (clientId, message) => host.guard('send SecAgg message', () => hooks.sendSecAgg?.(clientId, roundId, message)),
      finished: (outcome) => host.guard('finish secure aggregation', () => this.#finished(outcome)),
    });
  }

  invitationFor(message: RoundStartMessage, clientId: string): RoundStartMessage {
    return { ...message, secureAggregation: this.#plan.invitationFor(clientId) };
  }

  rejoin(): boolean {
    // A SecAgg member's keys and shares lived in its old connection: it has dropped out of this round.
    return false;
  }

  leave(clientId: string): void {
    this.#session.clientDisconnected(clientId);
  }

  submitUpdate(_clientId: string, meta: UpdateMessage): SubmitResult {
    return rejected('WRONG_AGGREGATION', meta.roundId, `round ${this.#roundId} runs secure aggregation: send SecAgg messages, not a plain update`);
  }

  submitSecAgg(clientId: string, envelope: SecAggClientEnvelope): SubmitResult {
    const outcome = this.#session.receive(clientId, envelope.message);
    if (!outcome.accepted) {
      return { ok: false, reason: 'SECAGG_REFUSED', roundId: this.#roundId, message: `${outcome.reasonName}: ${outcome.detail}`, secAggReason: outcome.reason };
    }
    return { ok: true, roundId: this.#roundId };
  }

  dispose(): void {
    this.#disposed = true;
    this.#session.abort();
  }

  /** Adds the decoded sum of the survivors (never an individual update) and closes the round. */
  #finished(outcome: SecureAggregationOutcome): void {
    if (this.#disposed) return;
    const plan = this.#plan;
    const roundId = this.#roundId;
    const ids = (indices: readonly number[]): string[] => indices.map((index) => plan.clientIds[index - 1]!);
    if (outcome.ok) {
      const { result } = outcome;
      const decoded = decodeSum(result.sum, plan.granularity, plan.modulus);
      const count = result.contributors.length;
      this.#host.accumulator.addSum(decoded.values, count);
      this.#host.stats.updatesAccepted += count;
      this.#hooks.secureAggregationEnded?.({
        roundId,
        outcome: 'completed',
        contributors: ids(result.contributors),
        droppedAfterSharing: ids(result.droppedAfterSharing),
        integerSum: decoded.integers,
        granularity: plan.granularity,
      });
    } else {
      this.#host.logger.info({ roundId, code: outcome.code, reason: outcome.message }, 'secure aggregation aborted');
      this.#hooks.secureAggregationEnded?.({ roundId, outcome: 'aborted', contributors: [], droppedAfterSharing: [], reason: outcome.code, granularity: plan.granularity });
    }
    this.#host.closeNow('secure-aggregation');
  }
}

/**
 * Opens secure rounds: plans SecAgg+ for the cohort, and refuses (nobody is
 * invited) when it cannot run with this cohort or when the round's accounted
 * noise, known only now, would take ε over the target.
 */
export function secureRounds(settings: SecureAggregationConfig, hooks: SecureRoundHooks): RoundKind {
  return (opening, host) => {
    const { roundId, cohort, privacy } = opening;
    let plan: SecureRoundPlan;
    try {
      plan = planSecureRound({
        settings,
        roundId,
        cohort,
        vectorLength: host.floats,
        graphSeed: randomBytes(32),
        minUpdates: host.rounds.minUpdates,
        privacy,
        timeoutMs: host.rounds.timeoutMs,
      });
    } catch (error) {
      // E.g. a cohort below the threshold, or a granularity that could wrap around.
      return { ok: false, refusal: { cause: 'cohort-too-small', retry: true, log: { message: 'secure aggregation cannot run with this cohort, round abandoned', detail: { err: error } } } };
    }
    const accounted = plan.accountedNoiseMultiplier;
    if (accounted !== undefined && host.privacyPolicy?.admitSecureRound({ accountedNoiseMultiplier: accounted, clientNoiseMultiplier: plan.clientNoiseMultiplier }) === false) {
      return {
        ok: false,
        refusal: { cause: 'budget-exhausted', retry: false, log: { message: 'secure round would exceed the privacy budget, not opened', detail: { accountedNoiseMultiplier: accounted } } },
      };
    }
    return { ok: true, round: new SecureRound(opening, host, plan, hooks) };
  };
}

/** The round's DP parameters as announced: under distributed noise, the share each member really adds and the z the ledger will record. */
function announcedPrivacy(privacy: PlannedRoundPrivacy, plan: SecureRoundPlan): RoundPrivacy {
  if (plan.accountedNoiseMultiplier === undefined) return privacy.message;
  return {
    ...privacy.message,
    clientNoiseMultiplier: plan.clientNoiseMultiplier,
    accountedNoiseMultiplier: securelyAccountedNoiseMultiplier(plan.accountedNoiseMultiplier, privacy.message.accountedNoiseMultiplier),
  };
}
