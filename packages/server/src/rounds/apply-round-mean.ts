import type { Logger } from 'pino';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { PlannedRoundPrivacy, RoundPrivacyPolicy, SecureRoundNoise } from '../privacy/server-privacy.js';
import { stepOrRollBack } from './step-or-roll-back.js';

export interface RoundMean {
  readonly roundId: number;
  /** The weighted mean of the round's accepted updates (the privacy policy may add noise to it in place). */
  readonly mean: Float64Array;
  readonly accepted: number;
  /** Accepted updates that reported `unclipped: true`. */
  readonly unclipped: number;
  /** The round's DP parameters, null without DP. */
  readonly privacy: PlannedRoundPrivacy | null;
  /** The noise split of a round whose members added noise in pieces under SecAgg; undefined otherwise. */
  readonly ledgerNoise: SecureRoundNoise | undefined;
}

export interface ApplyDeps {
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly policy: RoundPrivacyPolicy | null;
  readonly logger: Logger;
}

/**
 * Turns a closed round's mean into the next working model: checks it is
 * finite, lets the privacy policy top up the noise and record the round in
 * the ledger, steps the optimiser (or rolls it back), and bumps the working
 * version. The one implementation of "apply a round", used by the single
 * server's coordinator and by a cluster's, so that both step alike.
 * Returns the new working version, or null when nothing changed.
 */
export function applyRoundMean(round: RoundMean, { model, optimiser, policy, logger }: ApplyDeps): number | null {
  const { roundId, mean, accepted } = round;
  // Bounded updates cannot make it so, but a SecAgg sum or a float overflow could: never step on a non-finite mean.
  if (!allFinite(mean)) {
    logger.error({ roundId }, 'the aggregate is not finite: round not applied, model unchanged');
    return null;
  }
  // Noise top-up, ledger and clip bound, before the step: the checkpoint that follows holds the ledger with this round in it.
  let meanNoiseStd = 0;
  if (round.privacy !== null && policy !== null) meanNoiseStd = policy.applyRound(round.privacy, mean, accepted, round.unclipped, round.ledgerNoise);
  // The ledger keeps the round even if the step is rolled back: the noised mean was computed, so charging it errs on the safe side.
  if (!stepOrRollBack(optimiser, model.values, mean, meanNoiseStd)) {
    logger.error({ roundId }, 'the model would not be finite after this round: step rolled back, model unchanged');
    return null;
  }
  return model.bumpVersion();
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
