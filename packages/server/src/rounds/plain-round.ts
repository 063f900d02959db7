import type { RoundPrivacy, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import { l2Norm } from '@fedrec/core/update';
import { decodeClientUpdate } from './decode-client-update.js';
import type { AggregationRound, RoundHost, RoundKind, RoundOpening } from './round-kind.js';
import { rejected, type SubmitResult } from './submit-result.js';
import { maxUpdateNorm } from './update-norm-bound.js';

/**
 * A round in which each member sends its update in the clear: every update
 * is decoded, checked (base version, norm bound, the unclipped bit, the
 * example count) and added to the sum on arrival, then dropped.
 *
 * The round is complete at `targetUpdates`, or once every member has
 * submitted or left. A member that reconnects before submitting is invited
 * again (its update is computed locally, so nothing was lost with the
 * connection).
 */
export class PlainRound implements AggregationRound {
  readonly kind = 'plain';
  readonly announcedPrivacy: RoundPrivacy | null;
  readonly deadlineMs: number;
  readonly ledgerNoise = undefined;
  #unclipped = 0;
  readonly #opening: RoundOpening;
  readonly #host: RoundHost;
  readonly #cohortSize: number;
  readonly #target: number;
  readonly #submitted = new Set<string>();
  /** Cohort members currently disconnected without having submitted. */
  readonly #departed = new Set<string>();
  /** The largest L2 norm an honest member's update can have in this round. */
  readonly #maxUpdateNorm: number;

  /** @param maxUpdateNormWithoutPrivacy the bound on one update when the round has no DP parameters (`limits.maxUpdateNorm`). */
  constructor(opening: RoundOpening, host: RoundHost, maxUpdateNormWithoutPrivacy: number) {
    this.#opening = opening;
    this.#host = host;
    this.#cohortSize = opening.cohort.length;
    this.#target = Math.min(host.rounds.targetUpdates ?? this.#cohortSize, this.#cohortSize);
    this.announcedPrivacy = opening.privacy?.message ?? null;
    this.deadlineMs = host.rounds.timeoutMs;
    this.#maxUpdateNorm = maxUpdateNorm(this.announcedPrivacy, host.floats, maxUpdateNormWithoutPrivacy);
  }

  get unclipped(): number {
    return this.#unclipped;
  }

  rejoin(clientId: string): boolean {
    if (this.#submitted.has(clientId)) return false;
    this.#departed.delete(clientId);
    return true;
  }

  leave(clientId: string): void {
    if (this.#submitted.has(clientId)) return;
    this.#departed.add(clientId);
    if (this.#submitted.size + this.#departed.size >= this.#cohortSize) this.#host.closeSoon('cohort-done');
  }

  submitUpdate(clientId: string, meta: UpdateMessage, bytes: Uint8Array): SubmitResult {
    const { roundId, modelVersion, privacy } = this.#opening;
    const { rounds, shape, accumulator, stats } = this.#host;
    if (this.#submitted.has(clientId)) return rejected('DUPLICATE', meta.roundId, `this client already has an update in round ${roundId}`);
    const wantsBit = privacy?.wantsUnclippedBit === true;
    if (wantsBit && meta.unclipped === undefined) return rejected('MALFORMED', meta.roundId, 'unclipped: required by this round (adaptive clipping)');
    const decoded = decodeClientUpdate(bytes, shape, modelVersion);
    // The open round's id with another base version: the model does not change during a round, so no honest client sends that.
    if (!decoded.ok) return rejected(decoded.reason, meta.roundId, decoded.message, decoded.reason === 'STALE_ROUND');
    const norm = l2Norm(decoded.update.values);
    if (!(norm <= this.#maxUpdateNorm)) {
      return rejected('NORM_TOO_LARGE', meta.roundId, `update has L2 norm ${norm.toPrecision(4)}, more than the ${this.#maxUpdateNorm.toPrecision(4)} round ${roundId} allows`);
    }
    let weight = 1;
    if (rounds.weighting === 'examples') {
      if (meta.exampleCount === undefined) return rejected('MALFORMED', meta.roundId, 'exampleCount: required by this round');
      // Clamped so one client cannot claim the whole mean.
      weight = Math.min(meta.exampleCount, rounds.maxExampleCount);
    }
    accumulator.add(decoded.update.values, weight);
    this.#submitted.add(clientId);
    if (wantsBit && meta.unclipped === true) this.#unclipped++;
    stats.updatesAccepted++;
    if (this.#submitted.size >= this.#target) this.#host.closeSoon('target');
    else if (this.#submitted.size + this.#departed.size >= this.#cohortSize) this.#host.closeSoon('cohort-done');
    return { ok: true, roundId };
  }

  submitSecAgg(_clientId: string, envelope: SecAggClientEnvelope): SubmitResult {
    return rejected('WRONG_AGGREGATION', envelope.roundId, `round ${this.#opening.roundId} does not run secure aggregation`);
  }

  dispose(): void {
    // Nothing runs on its own: the updates are already in the accumulator.
  }
}

/** Opens plain rounds; they open for any cohort. */
export function plainRounds(maxUpdateNormWithoutPrivacy: number): RoundKind {
  return (opening, host) => ({ ok: true, round: new PlainRound(opening, host, maxUpdateNormWithoutPrivacy) });
}
