import { randomBytes } from 'node:crypto';
import type { PrivacySpend, RejectReasonName, RoundOutcomeName, RoundStartMessage, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION } from '@fedrec/core/protocol';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core/random';
import type { SecAggServerMessage } from '@fedrec/secagg';
import { decodeSum } from '@fedrec/secagg';
import { l2Norm } from '@fedrec/core/update';
import { securelyAccountedNoiseMultiplier } from '@fedrec/core/privacy';
import type { Logger } from 'pino';
import type { RoundsConfig, SecureAggregationConfig } from '../config/server-config.js';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { PlannedRoundPrivacy, RoundPrivacyPolicy } from '../privacy/server-privacy.js';
import type { ServerStats } from '../status/server-stats.js';
import { sampleCohort } from './cohort-sampler.js';
import { checkUpdateBytes, decodeClientUpdate } from './decode-client-update.js';
import { UpdateAccumulator } from './update-accumulator.js';
import { planSecureRound, type SecureRoundPlan } from './secure-round-plan.js';
import { SecureAggregationSession, type SecureAggregationOutcome } from './secure-aggregation-session.js';
import { stepOrRollBack } from './step-or-roll-back.js';
import { maxUpdateNorm } from './update-norm-bound.js';

export type CloseCause =
  /** `targetUpdates` were accepted. */
  | 'target'
  /** Every cohort member has submitted or left. */
  | 'cohort-done'
  /** `timeoutMs` passed. */
  | 'deadline'
  /** The server is closing. */
  | 'shutdown'
  /** The sampled cohort was smaller than `minUpdates`: nobody was invited. */
  | 'cohort-too-small'
  /** The secure round's accounted noise would take ε over the target: nobody was invited, and no round opens again. */
  | 'budget-exhausted'
  /** The secure aggregation finished (with the survivors' sum) or aborted (too few survivors). */
  | 'secure-aggregation'
  /** The aggregate, or the model after the step, was not finite: nothing was applied, the model is unchanged. */
  | 'non-finite';

export interface RoundOpenedInfo {
  readonly roundId: number;
  readonly modelVersion: number;
  readonly cohort: readonly string[];
  readonly message: RoundStartMessage;
  /** Present for a securely aggregated round: each member's own invitation (it carries the member's SecAgg index). */
  readonly invitationFor?: (clientId: string) => RoundStartMessage;
}

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

export interface RoundClosedInfo {
  readonly roundId: number;
  readonly outcome: RoundOutcomeName;
  readonly cause: CloseCause;
  /** Current after the round (bumped if applied). */
  readonly modelVersion: number;
  readonly accepted: number;
  readonly cohortSize: number;
  readonly durationMs: number;
  /** The privacy budget after the round; absent when the server runs without DP. */
  readonly privacy?: PrivacySpend;
}

export interface AppliedRound {
  readonly roundId: number;
  readonly modelVersion: number;
  readonly accepted: number;
  readonly cohortSize: number;
  /** Sum of the weights in the mean (= accepted when uniform). */
  readonly totalWeight: number;
  /** The round id the next round will get. */
  readonly nextRoundId: number;
}

export interface CoordinatorHooks {
  /** Invite `cohort` to the round, sending the model bytes (the same bytes for all). */
  roundOpened(info: RoundOpenedInfo, model: Uint8Array): void;
  /** Tell everyone how the round ended. Called after `commit` has resolved for an applied round. */
  roundClosed(info: RoundClosedInfo): void;
  /**
   * Make the just-applied round durable (model, optimiser and privacy ledger
   * in one checkpoint). May reject: the round is then not published, no
   * round opens, and the commit is retried until it succeeds (see
   * `RoundCoordinator`'s write-ahead rule).
   */
  commit(applied: AppliedRound): Promise<void>;
  /** Releases are halted because a commit failed (`error`), or resumed (`null`). */
  releasesHalted?(error: string | null): void;
  /** Send one SecAgg+ stage message to a cohort member (secure aggregation only). */
  sendSecAgg?(clientId: string, roundId: number, message: SecAggServerMessage): void;
  /** The secure aggregation of a round ended. */
  secureAggregationEnded?(info: SecureAggregationInfo): void;
}

export interface CoordinatorDeps {
  readonly rounds: RoundsConfig;
  readonly samplingSeed: string;
  readonly nextRoundId: number;
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly stats: ServerStats;
  readonly logger: Logger;
  readonly hooks: CoordinatorHooks;
  /** DP-FedAvg: each round's parameters, the budget check, the ledger. Absent: no DP. */
  readonly privacy?: RoundPrivacyPolicy | null;
  /** SecAgg+ for every round when enabled. */
  readonly secureAggregation?: SecureAggregationConfig | undefined;
  /** The L2 bound on one plain update in rounds without DP parameters (`limits.maxUpdateNorm`). */
  readonly maxUpdateNormWithoutPrivacy?: number;
  /** First wait before retrying a failed commit; doubles up to `maxCommitRetryMs`. */
  readonly commitRetryMs?: number;
  readonly maxCommitRetryMs?: number;
}

export type SubmitResult =
  | { readonly ok: true; readonly roundId: number }
  | {
      readonly ok: false;
      readonly reason: RejectReasonName;
      readonly roundId: number | null;
      readonly message: string;
      /** With SECAGG_REFUSED: the SecAggRejectReason code. */
      readonly secAggReason?: number;
      /**
       * Counts as a strike even though the reason alone would not: a
       * STALE_ROUND no honest client can earn (a round that never opened, or
       * the open round's id with another model version).
       */
      readonly strike?: boolean;
    };

interface SecureRound {
  readonly plan: SecureRoundPlan;
  readonly session: SecureAggregationSession;
}

/** What a reconnecting cohort member needs to resume an open round. */
export interface PendingInvitation {
  readonly message: RoundStartMessage;
  readonly model: Uint8Array;
}

interface OpenRound {
  readonly id: number;
  readonly modelVersion: number;
  readonly cohort: ReadonlySet<string>;
  readonly target: number;
  readonly submitted: Set<string>;
  /** Cohort members currently disconnected without having submitted. */
  readonly departed: Set<string>;
  readonly openedAt: number;
  readonly message: RoundStartMessage;
  readonly deadline: ReturnType<typeof setTimeout>;
  readonly privacy: PlannedRoundPrivacy | null;
  /** Accepted updates that reported `unclipped: true` (adaptive clipping). */
  unclipped: number;
  /** The largest L2 norm an honest member's update can have in this round (`maxUpdateNorm`). */
  readonly maxUpdateNorm: number;
  /** Null for plain aggregation. */
  secure: SecureRound | null;
}

type Phase = 'idle' | 'open' | 'committing';

const DEFAULT_COMMIT_RETRY_MS = 1_000;
const DEFAULT_MAX_COMMIT_RETRY_MS = 60_000;

/** The round's DP parameters as announced: under SecAgg with distributed noise, the share each member really adds and the z the ledger will record. */
function roundPrivacyMessage(privacy: PlannedRoundPrivacy, secure: SecureRoundPlan | null): PlannedRoundPrivacy['message'] {
  if (secure?.accountedNoiseMultiplier === undefined) return privacy.message;
  return {
    ...privacy.message,
    clientNoiseMultiplier: secure.clientNoiseMultiplier,
    accountedNoiseMultiplier: securelyAccountedNoiseMultiplier(secure.accountedNoiseMultiplier, privacy.message.accountedNoiseMultiplier),
  };
}

/**
 * The round state machine, independent of sockets: who is connected and
 * eligible, when a round opens, who is in its cohort, which updates count,
 * and when the round is applied or abandoned.
 *
 *   idle ──(≥ minClients eligible)──▶ open ──(target / all in / deadline / shutdown)──▶
 *     ├─ ≥ minUpdates: optimiser step, version bump, commit ──▶ committing ──▶ idle
 *     └─ otherwise: abandoned, model unchanged ──────────────────────────────▶ idle
 *
 * With DP configured, no round opens once the privacy policy says the next
 * one would exceed the budget: the model is frozen from then on.
 *
 * **Write-ahead rule.** An applied round is published (its model served, its
 * outcome announced, the next round opened on it) only after `commit` has
 * made it durable together with the privacy ledger entry that pays for it.
 * If the commit fails (a full disk), releases halt: the published model stays
 * at the last durable version, no round opens, and the commit is retried with
 * backoff until it succeeds. The server never releases a model whose ε a
 * crash could make it forget.
 *
 * Only one round is open at a time, so "current round" is unambiguous, and the
 * model never changes while a round is open.
 */
export class RoundCoordinator {
  /** Connected clients and whether each is eligible. */
  private readonly clients = new Map<string, boolean>();
  private readonly accumulator: UpdateAccumulator;
  private round: OpenRound | null = null;
  private phase: Phase = 'idle';
  private stopping = false;
  private nextId: number;
  /** Cancels the scheduled attempt to open a round, if one is scheduled. */
  private openTimer: (() => void) | null = null;
  private committing: Promise<void> = Promise.resolve();
  /** Cuts short the wait before the next commit attempt (set while one is pending). */
  private wakeCommitRetry: (() => void) | null = null;

  constructor(private readonly deps: CoordinatorDeps) {
    this.nextId = deps.nextRoundId;
    this.accumulator = new UpdateAccumulator(deps.model.floats);
  }

  get nextRoundId(): number {
    return this.nextId;
  }

  /** The open round's id, or null between rounds. */
  get currentRoundId(): number | null {
    return this.round?.id ?? null;
  }

  get phaseName(): Phase | 'stopped' {
    return this.stopping && this.phase === 'idle' ? 'stopped' : this.phase;
  }

  get connectedCount(): number {
    return this.clients.size;
  }

  get eligibleCount(): number {
    let n = 0;
    for (const eligible of this.clients.values()) if (eligible) n++;
    return n;
  }

  /** Registers a connection (not yet eligible). Returns the open round's invitation if this client is owed one. */
  clientConnected(clientId: string): PendingInvitation | null {
    this.clients.set(clientId, this.clients.get(clientId) ?? false);
    const round = this.round;
    if (round === null || !round.cohort.has(clientId) || round.submitted.has(clientId)) return null;
    // A SecAgg member's keys and shares lived in its old connection: it has dropped out of this round.
    if (round.secure !== null) return null;
    round.departed.delete(clientId);
    return { message: round.message, model: this.deps.model.bytes() };
  }

  clientReady(clientId: string, eligible: boolean): void {
    if (!this.clients.has(clientId)) return;
    this.clients.set(clientId, eligible);
    if (eligible) this.scheduleOpen(0);
  }

  clientDisconnected(clientId: string): void {
    this.clients.delete(clientId);
    const round = this.round;
    if (round === null || !round.cohort.has(clientId) || round.submitted.has(clientId)) return;
    if (round.secure !== null) {
      round.secure.session.clientDisconnected(clientId);
      return;
    }
    round.departed.add(clientId);
    if (round.submitted.size + round.departed.size >= round.cohort.size) this.finishSoon('cohort-done');
  }

  /**
   * Validates and, if everything checks out, counts one client's update.
   * Cheap checks (size, round, cohort, duplicate) run before the update is
   * decoded. Nothing changes unless the result is ok.
   */
  submitUpdate(clientId: string, meta: UpdateMessage, binary: unknown): SubmitResult {
    const { shape } = this.deps.model;
    const fail = (reason: RejectReasonName, message: string, strike = false): SubmitResult => ({ ok: false, reason, roundId: meta.roundId, message, ...(strike ? { strike } : {}) });
    const checked = checkUpdateBytes(binary, shape);
    if (!checked.ok) return fail(checked.reason, checked.message);
    const round = this.round;
    if (this.phase !== 'open' || round === null || meta.roundId !== round.id) {
      const current = round === null ? 'no round is open' : `round ${round.id} is open`;
      // A late update for a past round is honest; one for a round that never opened is not.
      return fail('STALE_ROUND', `round ${meta.roundId} is not open (${current})`, meta.roundId >= this.nextId);
    }
    if (!round.cohort.has(clientId)) return fail('NOT_IN_COHORT', `this client is not in round ${round.id}'s cohort`);
    if (round.secure !== null) return fail('WRONG_AGGREGATION', `round ${round.id} runs secure aggregation: send SecAgg messages, not a plain update`);
    if (round.submitted.has(clientId)) return fail('DUPLICATE', `this client already has an update in round ${round.id}`);
    const wantsBit = round.privacy?.wantsUnclippedBit === true;
    if (wantsBit && meta.unclipped === undefined) return fail('MALFORMED', 'unclipped: required by this round (adaptive clipping)');
    const decoded = decodeClientUpdate(checked.bytes, shape, round.modelVersion);
    // The open round's id with another base version: the model does not change during a round, so no honest client sends that.
    if (!decoded.ok) return fail(decoded.reason, decoded.message, decoded.reason === 'STALE_ROUND');
    const norm = l2Norm(decoded.update.values);
    if (!(norm <= round.maxUpdateNorm)) {
      return fail('NORM_TOO_LARGE', `update has L2 norm ${norm.toPrecision(4)}, more than the ${round.maxUpdateNorm.toPrecision(4)} round ${round.id} allows`);
    }
    let weight = 1;
    if (this.deps.rounds.weighting === 'examples') {
      if (meta.exampleCount === undefined) return fail('MALFORMED', 'exampleCount: required by this round');
      // Clamped so one client cannot claim the whole mean.
      weight = Math.min(meta.exampleCount, this.deps.rounds.maxExampleCount);
    }
    this.accumulator.add(decoded.update.values, weight);
    round.submitted.add(clientId);
    if (wantsBit && meta.unclipped === true) round.unclipped++;
    this.deps.stats.updatesAccepted++;
    if (round.submitted.size >= round.target) this.finishSoon('target');
    else if (round.submitted.size + round.departed.size >= round.cohort.size) this.finishSoon('cohort-done');
    return { ok: true, roundId: round.id };
  }

  /**
   * Hands a SecAgg+ stage message to the open round's secure aggregation.
   * Nothing changes unless the result is ok; a refusal carries the
   * SecAggRejectReason code.
   */
  submitSecAgg(clientId: string, envelope: SecAggClientEnvelope): SubmitResult {
    const round = this.round;
    if (this.phase !== 'open' || round === null || envelope.roundId !== round.id) {
      const current = round === null ? 'no round is open' : `round ${round.id} is open`;
      return { ok: false, reason: 'STALE_ROUND', roundId: envelope.roundId, message: `round ${envelope.roundId} is not open (${current})` };
    }
    if (!round.cohort.has(clientId)) return { ok: false, reason: 'NOT_IN_COHORT', roundId: round.id, message: `this client is not in round ${round.id}'s cohort` };
    if (round.secure === null) return { ok: false, reason: 'WRONG_AGGREGATION', roundId: round.id, message: `round ${round.id} does not run secure aggregation` };
    const outcome = round.secure.session.receive(clientId, envelope.message);
    if (!outcome.accepted) {
      return { ok: false, reason: 'SECAGG_REFUSED', roundId: round.id, message: `${outcome.reasonName}: ${outcome.detail}`, secAggReason: outcome.reason };
    }
    return { ok: true, roundId: round.id };
  }

  /** Starts opening rounds as soon as enough clients are eligible. */
  start(): void {
    this.scheduleOpen(0);
  }

  /**
   * Stops opening rounds; an open round is finished now — applied if it has
   * `minUpdates`, abandoned otherwise — and its checkpoint awaited.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.openTimer?.();
    this.openTimer = null;
    if (this.phase === 'open') this.finish('shutdown');
    this.wakeCommitRetry?.();
    await this.committing;
  }

  private scheduleOpen(delayMs: number): void {
    if (this.stopping || this.phase !== 'idle' || this.openTimer !== null) return;
    // Deferred, not a direct call: clients that become eligible in the same
    // tick are all considered, and no caller's stack runs a whole round start.
    // setImmediate for no delay, since setTimeout(0) waits at least 1 ms.
    const run = (): void => {
      this.openTimer = null;
      this.guard('open round', () => this.tryOpen());
    };
    if (delayMs === 0) {
      const handle = setImmediate(run);
      this.openTimer = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(run, delayMs);
      this.openTimer = () => clearTimeout(handle);
    }
  }

  private tryOpen(): void {
    if (this.stopping || this.phase !== 'idle') return;
    const eligible: string[] = [];
    for (const [clientId, isEligible] of this.clients) if (isEligible) eligible.push(clientId);
    const { rounds, model, stats, hooks } = this.deps;
    if (eligible.length < rounds.minClients) return;
    // Checked before a round id is spent: a frozen model keeps its last round id.
    const policy = this.deps.privacy ?? null;
    const privacy = policy?.planRound(eligible.length) ?? null;
    if (policy !== null && privacy === null) return;
    eligible.sort();
    const roundId = this.nextId++;
    const random = createSeededRandomSource(deriveSeed(this.deps.samplingSeed, 'cohort', roundId));
    const cohort = sampleCohort(eligible, rounds.sampling, random);
    if (cohort.length < rounds.minUpdates) {
      stats.roundClosed(false, 0);
      this.deps.logger.debug({ roundId, cohortSize: cohort.length }, 'cohort too small, round abandoned');
      this.notifyClosed({ roundId, outcome: 'abandoned', cause: 'cohort-too-small', modelVersion: model.version, accepted: 0, cohortSize: cohort.length, durationMs: 0 });
      this.scheduleOpen(rounds.retryDelayMs);
      return;
    }
    let securePlan: SecureRoundPlan | null = null;
    if (this.deps.secureAggregation?.enabled === true) {
      try {
        securePlan = planSecureRound({
          settings: this.deps.secureAggregation,
          roundId,
          cohort,
          vectorLength: model.floats,
          graphSeed: randomBytes(32),
          minUpdates: rounds.minUpdates,
          privacy,
          timeoutMs: rounds.timeoutMs,
        });
      } catch (error) {
        // E.g. a cohort below the threshold, or a granularity that could wrap around: nobody is invited.
        stats.roundClosed(false, 0);
        this.deps.logger.warn({ roundId, cohortSize: cohort.length, err: error }, 'secure aggregation cannot run with this cohort, round abandoned');
        this.notifyClosed({ roundId, outcome: 'abandoned', cause: 'cohort-too-small', modelVersion: model.version, accepted: 0, cohortSize: cohort.length, durationMs: 0 });
        this.scheduleOpen(rounds.retryDelayMs);
        return;
      }
      // The accounted z depends on this cohort's plan: only now is it known whether the round fits the budget.
      const accounted = securePlan.accountedNoiseMultiplier;
      if (accounted !== undefined && policy?.admitSecureRound({ accountedNoiseMultiplier: accounted, clientNoiseMultiplier: securePlan.clientNoiseMultiplier }) === false) {
        stats.roundClosed(false, 0);
        this.deps.logger.warn({ roundId, accountedNoiseMultiplier: accounted }, 'secure round would exceed the privacy budget, not opened');
        this.notifyClosed({ roundId, outcome: 'abandoned', cause: 'budget-exhausted', modelVersion: model.version, accepted: 0, cohortSize: cohort.length, durationMs: 0 });
        return;
      }
    }
    const roundPrivacy = privacy === null ? null : roundPrivacyMessage(privacy, securePlan);
    const message: RoundStartMessage = {
      v: PROTOCOL_VERSION,
      kind: MessageKind.roundStart,
      roundId,
      modelVersion: model.version,
      timeoutMs: rounds.timeoutMs,
      wantsExampleCount: rounds.weighting === 'examples',
      ...(roundPrivacy !== null ? { privacy: roundPrivacy } : {}),
      ...(privacy?.wantsUnclippedBit === true ? { wantsUnclippedBit: true } : {}),
    };
    this.accumulator.reset();
    this.phase = 'open';
    const secure = securePlan === null ? null : this.startSecureAggregation(roundId, securePlan);
    // Under SecAgg the stage deadlines drive the round; this one is only a backstop.
    const deadlineMs = securePlan === null ? rounds.timeoutMs : rounds.timeoutMs + 4 * securePlan.stageTimeoutMs;
    this.round = {
      id: roundId,
      modelVersion: model.version,
      cohort: new Set(cohort),
      target: Math.min(rounds.targetUpdates ?? cohort.length, cohort.length),
      submitted: new Set(),
      departed: new Set(),
      openedAt: performance.now(),
      message,
      deadline: setTimeout(() => this.guard('round deadline', () => this.finish('deadline')), deadlineMs),
      privacy,
      unclipped: 0,
      maxUpdateNorm: maxUpdateNorm(roundPrivacy, model.floats, this.deps.maxUpdateNormWithoutPrivacy ?? Number.POSITIVE_INFINITY),
      secure,
    };
    this.deps.logger.info({ roundId, modelVersion: model.version, cohortSize: cohort.length, eligible: eligible.length, secure: secure !== null }, 'round opened');
    const invitationFor =
      securePlan === null
        ? undefined
        : (clientId: string): RoundStartMessage => ({ ...message, secureAggregation: securePlan.invitationFor(clientId) });
    hooks.roundOpened({ roundId, modelVersion: model.version, cohort, message, ...(invitationFor !== undefined ? { invitationFor } : {}) }, model.bytes());
  }

  private startSecureAggregation(roundId: number, plan: SecureRoundPlan): SecureRound {
    const session = new SecureAggregationSession({
      config: plan.config,
      indices: plan.indices,
      firstStageTimeoutMs: this.deps.rounds.timeoutMs,
      stageTimeoutMs: plan.stageTimeoutMs,
      send: (clientId, message) => this.guard('send SecAgg message', () => this.deps.hooks.sendSecAgg?.(clientId, roundId, message)),
      finished: (outcome) => this.guard('finish secure aggregation', () => this.secureAggregationFinished(roundId, plan, outcome)),
    });
    return { plan, session };
  }

  /** Adds the decoded sum of the survivors (never an individual update) and closes the round. */
  private secureAggregationFinished(roundId: number, plan: SecureRoundPlan, outcome: SecureAggregationOutcome): void {
    const round = this.round;
    if (round === null || round.id !== roundId) return;
    const ids = (indices: readonly number[]): string[] => indices.map((index) => plan.clientIds[index - 1]!);
    if (outcome.ok) {
      const { result } = outcome;
      const decoded = decodeSum(result.sum, plan.granularity, plan.modulus);
      const count = result.contributors.length;
      this.accumulator.addSum(decoded.values, count);
      this.deps.stats.updatesAccepted += count;
      for (const id of ids(result.contributors)) round.submitted.add(id);
      this.deps.hooks.secureAggregationEnded?.({
        roundId,
        outcome: 'completed',
        contributors: ids(result.contributors),
        droppedAfterSharing: ids(result.droppedAfterSharing),
        integerSum: decoded.integers,
        granularity: plan.granularity,
      });
    } else {
      this.deps.logger.info({ roundId, code: outcome.code, reason: outcome.message }, 'secure aggregation aborted');
      this.deps.hooks.secureAggregationEnded?.({ roundId, outcome: 'aborted', contributors: [], droppedAfterSharing: [], reason: outcome.code, granularity: plan.granularity });
    }
    this.finish('secure-aggregation');
  }

  /** Closes the round after the current handler has replied to its client. */
  private finishSoon(cause: CloseCause): void {
    const id = this.round?.id;
    queueMicrotask(() => {
      if (this.round !== null && this.round.id === id) this.guard('close round', () => this.finish(cause));
    });
  }

  private finish(cause: CloseCause): void {
    const round = this.round;
    if (this.phase !== 'open' || round === null) return;
    clearTimeout(round.deadline);
    round.secure?.session.abort();
    this.round = null;
    const { rounds, model, optimiser, stats, logger } = this.deps;
    const accepted = this.accumulator.count;
    const durationMs = performance.now() - round.openedAt;
    const closed = { roundId: round.id, cause, accepted, cohortSize: round.cohort.size, durationMs };
    const abandon = (why: CloseCause, detail: Record<string, unknown>): void => {
      this.accumulator.reset();
      this.phase = 'idle';
      stats.roundClosed(false, durationMs);
      logger.info({ ...closed, cause: why, ...detail }, 'round abandoned');
      this.notifyClosed({ ...closed, cause: why, outcome: 'abandoned', modelVersion: model.version });
      this.scheduleOpen(rounds.cooldownMs);
    };
    if (accepted < rounds.minUpdates) {
      abandon(cause, { minUpdates: rounds.minUpdates });
      return;
    }
    const started = performance.now();
    const totalWeight = this.accumulator.totalWeight;
    const mean = this.accumulator.takeMean();
    // Bounded updates cannot make it so, but a SecAgg sum or a float overflow could: never step on a non-finite mean.
    if (!allFinite(mean)) {
      logger.error({ roundId: round.id }, 'the aggregate is not finite: round not applied, model unchanged');
      abandon('non-finite', {});
      return;
    }
    // Noise top-up, ledger and clip bound, before the step: the checkpoint below holds the ledger with this round in it.
    const securePlan = round.secure?.plan;
    const secureNoise = securePlan?.accountedNoiseMultiplier;
    let meanNoiseStd = 0;
    const policy = this.deps.privacy ?? null;
    if (round.privacy !== null && policy !== null) {
      const secure = securePlan === undefined || secureNoise === undefined ? undefined : { accountedNoiseMultiplier: secureNoise, clientNoiseMultiplier: securePlan.clientNoiseMultiplier };
      meanNoiseStd = policy.applyRound(round.privacy, mean, accepted, round.unclipped, secure);
    }
    // The ledger keeps the round even if the step is rolled back: the noised mean was computed, so charging it errs on the safe side.
    if (!stepOrRollBack(optimiser, model.values, mean, meanNoiseStd)) {
      logger.error({ roundId: round.id }, 'the model would not be finite after this round: step rolled back, model unchanged');
      abandon('non-finite', {});
      return;
    }
    this.accumulator.reset();
    const modelVersion = model.bumpVersion();
    stats.lastAggregationMs = performance.now() - started;
    this.phase = 'committing';
    const applied: AppliedRound = { roundId: round.id, modelVersion, accepted, cohortSize: round.cohort.size, totalWeight, nextRoundId: this.nextId };
    this.committing = this.commitDurably(applied).then((durable) => {
      if (!durable) return; // Shutting down with the commit still failing: the round was never published.
      model.publish();
      this.phase = 'idle';
      stats.roundClosed(true, durationMs);
      logger.info({ ...closed, modelVersion }, 'round applied');
      this.notifyClosed({ ...closed, outcome: 'applied', modelVersion });
      this.scheduleOpen(rounds.cooldownMs);
    });
  }

  /**
   * Commits an applied round, retrying with backoff until it is durable.
   * While it fails, releases are halted (reported through the hook, logged
   * at error once). Resolves false only if the server stops first.
   */
  private async commitDurably(applied: AppliedRound): Promise<boolean> {
    const { hooks, logger } = this.deps;
    let waitMs = this.deps.commitRetryMs ?? DEFAULT_COMMIT_RETRY_MS;
    let halted = false;
    for (;;) {
      try {
        await hooks.commit(applied);
        if (halted) {
          logger.warn({ roundId: applied.roundId, modelVersion: applied.modelVersion }, 'checkpoint written: releases resume');
          this.guard('report releases resumed', () => hooks.releasesHalted?.(null));
        }
        return true;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!halted) {
          halted = true;
          logger.error(
            { err: error, roundId: applied.roundId, modelVersion: applied.modelVersion },
            'checkpoint failed: releases halted (the round and its privacy ledger entry are not durable, so its model is not published and no round opens); retrying',
          );
        }
        this.guard('report releases halted', () => hooks.releasesHalted?.(message));
        if (this.stopping) {
          logger.error({ roundId: applied.roundId }, 'stopping with the checkpoint still failing: the round was never published');
          return false;
        }
        await this.sleepUnlessStopping(waitMs);
        waitMs = Math.min(2 * waitMs, this.deps.maxCommitRetryMs ?? DEFAULT_MAX_COMMIT_RETRY_MS);
      }
    }
  }

  /** Waits `ms`, or less if `stop()` is called meanwhile (it then gets one last commit attempt). */
  private sleepUnlessStopping(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeCommitRetry = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeCommitRetry = wake;
    });
  }

  private notifyClosed(info: RoundClosedInfo): void {
    const privacy = this.deps.privacy?.spend();
    this.guard('announce round', () => this.deps.hooks.roundClosed(privacy === undefined ? info : { ...info, privacy }));
  }

  /** Timer callbacks must never throw: log and carry on. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.deps.logger.error({ err: error }, `${what} failed`);
    }
  }
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
