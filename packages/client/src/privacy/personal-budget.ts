import type { RecordedMechanism, RoundPrivacy } from '@fedrec/core';
import { PrivacyLedger } from '@fedrec/core';
import type { StoredPrivacy } from '../storage/shopper-store.js';

/** What one participation cost: the rise of the device's cumulative ε, at `delta`. */
export interface Charge {
  readonly epsilon: number;
  readonly delta: number;
}

/**
 * The shopper's own privacy accounting, kept on the device: every round the
 * device contributed to, composed with RDP, against a personal ε budget.
 *
 * **Why q = 1.** The server's accountant may use privacy amplification by
 * subsampling (each shopper joins a round with probability q). That
 * amplification protects a shopper only against someone who does not know
 * whether they were in the cohort — but the server chose the cohort and saw
 * the update arrive, and the device knows it took part. So the device charges
 * each participation as the plain Gaussian mechanism (q = 1) with the round's
 * accounted noise multiplier: a conservative figure that holds even against
 * the server.
 *
 * ε is reported at one δ: the smallest δ of any round taken part in (a
 * smaller δ gives a larger ε, so this errs on the safe side). A round is
 * checked against the budget at the smaller of that and its own δ.
 */
export class PersonalBudget {
  readonly #ledger: PrivacyLedger;
  #delta: number | null;

  constructor(
    /** The most ε this device will spend, in total. */
    readonly epsilonBudget: number,
    stored: Pick<StoredPrivacy, 'ledger' | 'delta'> | null = null,
  ) {
    if (typeof epsilonBudget !== 'number' || !(epsilonBudget > 0) || !Number.isFinite(epsilonBudget)) {
      throw new RangeError(`expected personalBudget.epsilon to be finite and > 0, got ${String(epsilonBudget)}`);
    }
    this.#ledger = stored === null ? new PrivacyLedger() : PrivacyLedger.fromJSON(stored.ledger);
    this.#delta = stored?.delta ?? null;
  }

  /** The mechanism one participation in a round is charged as (see the class comment). */
  static mechanismFor(privacy: Pick<RoundPrivacy, 'accountedNoiseMultiplier'>): RecordedMechanism {
    return { samplingRate: 1, noiseMultiplier: privacy.accountedNoiseMultiplier };
  }

  /** Rounds taken part in so far. */
  get rounds(): number {
    return this.#ledger.totalSteps;
  }

  /** δ at which ε is reported; null before the first participation. */
  get delta(): number | null {
    return this.#delta;
  }

  /** Cumulative ε at `delta` (0 before the first participation). */
  get epsilon(): number {
    return this.#delta === null ? 0 : this.#ledger.epsilon(this.#delta).epsilon;
  }

  /** Whether taking part in a round with these parameters would take ε above the budget. */
  wouldExceed(privacy: Pick<RoundPrivacy, 'accountedNoiseMultiplier' | 'delta'>): boolean {
    return this.#ledger.wouldExceed(PersonalBudget.mechanismFor(privacy), this.epsilonBudget, this.#reportingDelta(privacy.delta));
  }

  /** Records one participation and returns what it cost. */
  charge(privacy: Pick<RoundPrivacy, 'accountedNoiseMultiplier' | 'delta'>): Charge {
    const delta = this.#reportingDelta(privacy.delta);
    const before = this.#ledger.totalSteps === 0 ? 0 : this.#ledger.epsilon(delta).epsilon;
    this.#ledger.record(PersonalBudget.mechanismFor(privacy));
    this.#delta = delta;
    return { epsilon: this.#ledger.epsilon(delta).epsilon - before, delta };
  }

  toStored(): Pick<StoredPrivacy, 'ledger' | 'delta'> {
    return { ledger: this.#ledger.toJSON(), delta: this.#delta };
  }

  #reportingDelta(roundDelta: number): number {
    return this.#delta === null ? roundDelta : Math.min(this.#delta, roundDelta);
  }
}
