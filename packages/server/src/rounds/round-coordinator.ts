import type { DeclineReasonName, PrivacySpend, RoundOutcomeName, RoundStartMessage, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION } from '@fedrec/core/protocol';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core/random';
import type { SecAggServerMessage } from '@fedrec/secagg';
import type { Logger } from 'pino';
import type { RoundsConfig, SecureAggregationConfig } from '../config/server-config.js';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { PlannedRoundPrivacy, RoundPrivacyPolicy } from '../privacy/server-privacy.js';
import type { ServerStats } from '../status/server-stats.js';
import { chooseRoundKind } from './choose-round-kind.js';
import type { CloseCause } from './close-cause.js';
import { sampleCohort } from './cohort-sampler.js';
import { countDeclines, explainDeclines, noDeclines, type DeclineCounts } from './decline-counts.js';
import { checkUpdateBytes } from './decode-client-update.js';
import { applyRoundMean } from './apply-round-mean.js';
import type { AggregationRound, RoundHost, RoundKind, RoundRefusal } from './round-kind.js';
import type { SecureAggregationInfo } from './secure-round.js';
import { rejected, type SubmitResult } from './submit-result.js';
import { UpdateAccumulator } from './update-accumulator.js';

export type { CloseCause } from './close-cause.js';
export type { SecureAggregationInfo } from './secure-round.js';
export type { SubmitResult } from './submit-result.js';

export interface RoundOpenedInfo {
  readonly roundId: number;
  readonly modelVersion: number;
  readonly cohort: readonly string[];
  readonly message: RoundStartMessage;
  /** Present for a securely aggregated round: each member's own invitation (it carries the member's SecAgg index). */
  readonly invitationFor?: (clientId: string) => RoundStartMessage;
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
  /** Cohort members that declined the round, by the reason they gave (all 0 for a round that never opened). */
  readonly declined: DeclineCounts;
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
  /** SecAgg+ for every round when enabled (see `chooseRoundKind`). */
  readonly secureAggregation?: SecureAggregationConfig | undefined;
  /** The L2 bound on one plain update in rounds without DP parameters (`limits.maxUpdateNorm`). */
  readonly maxUpdateNormWithoutPrivacy?: number;
  /** First wait before retrying a failed commit; doubles up to `maxCommitRetryMs`. */
  readonly commitRetryMs?: number;
  readonly maxCommitRetryMs?: number;
  /**
   * Cluster node: rounds open when the cluster's coordinator announces them
   * (`openAnnounced`), this node samples and serves only its own shoppers,
   * and a closed round's sum goes to `partialClosed` instead of being applied
   * here; the outcome comes back through `announceClosed`.
   */
  readonly cluster?: ClusterRoundLink;
}

/** This node's part of a cluster round, closed: what it hands to the coordinator. */
export interface NodeRoundPart {
  readonly roundId: number;
  readonly modelVersion: number;
  /** The sum (a copy), not the mean: the coordinator combines the nodes' sums. */
  readonly sum: Float64Array;
  readonly count: number;
  readonly totalWeight: number;
  readonly unclipped: number;
  readonly cohortSize: number;
  readonly declined: DeclineCounts;
}

/** Where a cluster node's round parts go (the cluster node, which posts them to Redis). */
export interface ClusterRoundLink {
  partialClosed(part: NodeRoundPart): void;
  /** Under secure aggregation, the fewest sampled shoppers this node runs a group with (fewer: it sits the round out). */
  readonly minSecureGroup: number;
}

/** A round the cluster's coordinator opened, as this node takes it. */
export interface AnnouncedRound {
  readonly roundId: number;
  readonly modelVersion: number;
  readonly privacy: PlannedRoundPrivacy | null;
}

/** What a reconnecting cohort member needs to resume an open round. */
export interface PendingInvitation {
  readonly message: RoundStartMessage;
  readonly model: Uint8Array;
}

interface OpenRound {
  readonly id: number;
  readonly cohort: ReadonlySet<string>;
  readonly openedAt: number;
  readonly message: RoundStartMessage;
  readonly deadline: ReturnType<typeof setTimeout>;
  readonly privacy: PlannedRoundPrivacy | null;
  /** What differs between plain and secure rounds. */
  readonly kind: AggregationRound;
  /** Members that said they sit the round out, and why. */
  readonly declined: Map<string, DeclineReasonName>;
}

/** A round that closes without changing the model, or never opens. */
interface Abandonment {
  readonly roundId: number;
  readonly cause: CloseCause;
  readonly accepted: number;
  readonly cohortSize: number;
  readonly durationMs: number;
  readonly declined: DeclineCounts;
  /** When to try to open the next round; null: never (the privacy budget is spent). */
  readonly retryAfterMs: number | null;
  readonly log: { readonly level: 'debug' | 'info' | 'warn'; readonly message: string; readonly detail?: Readonly<Record<string, unknown>> };
}

type Phase = 'idle' | 'open' | 'committing';

const DEFAULT_COMMIT_RETRY_MS = 1_000;
const DEFAULT_MAX_COMMIT_RETRY_MS = 60_000;

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
 *
 * **Kinds of round.** What differs between a plain and a secure round (how
 * members' messages are taken, when the round is complete, its invitations
 * and deadline) lives in an `AggregationRound` (round-kind.ts), chosen from
 * the config by `chooseRoundKind`. Everything here is common to all kinds.
 */
export class RoundCoordinator {
  /** Connected clients and whether each is eligible. */
  private readonly clients = new Map<string, boolean>();
  private readonly accumulator: UpdateAccumulator;
  /** Opens a round of the kind the config asks for. */
  private readonly openKind: RoundKind;
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
    this.openKind = chooseRoundKind(deps, deps.hooks);
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
    if (round === null || !round.cohort.has(clientId) || !round.kind.rejoin(clientId)) return null;
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
    if (round === null || !round.cohort.has(clientId)) return;
    round.kind.leave(clientId);
  }

  /**
   * Validates and, if everything checks out, counts one client's update.
   * The cheap checks common to every kind of round (size, round, cohort) run
   * here; the round's kind does the rest (a plain round decodes the update
   * only after its own cheap checks). Nothing changes unless the result is ok.
   */
  submitUpdate(clientId: string, meta: UpdateMessage, binary: unknown): SubmitResult {
    const checked = checkUpdateBytes(binary, this.deps.model.shape);
    if (!checked.ok) return rejected(checked.reason, meta.roundId, checked.message);
    const round = this.round;
    if (this.phase !== 'open' || round === null || meta.roundId !== round.id) {
      const current = round === null ? 'no round is open' : `round ${round.id} is open`;
      // A late update for a past round is honest; one for a round that never opened is not.
      return rejected('STALE_ROUND', meta.roundId, `round ${meta.roundId} is not open (${current})`, meta.roundId >= this.nextId);
    }
    if (!round.cohort.has(clientId)) return rejected('NOT_IN_COHORT', meta.roundId, `this client is not in round ${round.id}'s cohort`);
    return round.kind.submitUpdate(clientId, meta, checked.bytes);
  }

  /**
   * A cohort member says it sits the round out, and why: counted (once per
   * member) for the round's log line and `/status`. The round is not closed
   * early on it: a server whose rounds every member declines would otherwise
   * open them as fast as the declines come back. A decline for another round
   * (a late one) or from outside the cohort changes nothing.
   */
  clientDeclined(clientId: string, roundId: number, reason: DeclineReasonName): void {
    const round = this.round;
    if (this.phase !== 'open' || round === null || round.id !== roundId || !round.cohort.has(clientId) || round.declined.has(clientId)) return;
    round.declined.set(clientId, reason);
    this.deps.stats.declined[reason]++;
  }

  /**
   * Hands a SecAgg+ stage message to the open round (only a secure round
   * takes it). Nothing changes unless the result is ok; a refusal by the
   * secure aggregation carries the SecAggRejectReason code.
   */
  submitSecAgg(clientId: string, envelope: SecAggClientEnvelope): SubmitResult {
    const round = this.round;
    if (this.phase !== 'open' || round === null || envelope.roundId !== round.id) {
      const current = round === null ? 'no round is open' : `round ${round.id} is open`;
      return rejected('STALE_ROUND', envelope.roundId, `round ${envelope.roundId} is not open (${current})`);
    }
    if (!round.cohort.has(clientId)) return rejected('NOT_IN_COHORT', round.id, `this client is not in round ${round.id}'s cohort`);
    return round.kind.submitSecAgg(clientId, envelope);
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
    // A cluster node opens rounds only when the coordinator announces them.
    if (this.deps.cluster !== undefined) return;
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
    const eligible = this.eligibleIds();
    const { rounds } = this.deps;
    if (eligible.length < rounds.minClients) return;
    // Checked before a round id is spent: a frozen model keeps its last round id.
    const policy = this.deps.privacy ?? null;
    const privacy = policy?.planRound(eligible.length) ?? null;
    if (policy !== null && privacy === null) return;
    const roundId = this.nextId++;
    const cohort = this.sample(eligible, roundId);
    const notOpened = { roundId, accepted: 0, cohortSize: cohort.length, durationMs: 0, declined: noDeclines() };
    if (cohort.length < rounds.minUpdates) {
      this.abandon({ ...notOpened, cause: 'cohort-too-small', retryAfterMs: rounds.retryDelayMs, log: { level: 'debug', message: 'cohort too small, round abandoned' } });
      return;
    }
    const refusal = this.open(roundId, cohort, privacy, eligible.length);
    if (refusal !== null) {
      const { cause, retry, log } = refusal;
      this.abandon({ ...notOpened, cause, retryAfterMs: retry ? rounds.retryDelayMs : null, log: { level: 'warn', ...log } });
    }
  }

  /**
   * Cluster node: takes part in a round the cluster's coordinator opened.
   * A round of this node still open (the coordinator moved on without it)
   * is dropped; its members hear of the new round. This node's own shoppers
   * are sampled with the round's rate; with none in the cohort (or a kind
   * that cannot run with so few), an empty part is handed on at once, so
   * that the coordinator need not wait for this node.
   */
  openAnnounced(announced: AnnouncedRound): void {
    const cluster = this.deps.cluster;
    if (cluster === undefined || this.stopping) return;
    const { roundId, modelVersion, privacy } = announced;
    if (this.round !== null) this.drop('superseded by round ' + roundId);
    this.nextId = Math.max(this.nextId, roundId + 1);
    const empty = (cohortSize: number): void => cluster.partialClosed({ roundId, modelVersion, sum: new Float64Array(this.deps.model.floats), count: 0, totalWeight: 0, unclipped: 0, cohortSize, declined: noDeclines() });
    if (this.deps.model.version !== modelVersion) {
      this.deps.logger.warn({ roundId, modelVersion, served: this.deps.model.version }, 'cluster round is on a model this node does not serve: sitting it out');
      empty(0);
      return;
    }
    const eligible = this.eligibleIds();
    const cohort = this.sample(eligible, roundId);
    if (cohort.length === 0) {
      empty(0);
      return;
    }
    if (this.deps.secureAggregation?.enabled === true && cohort.length < cluster.minSecureGroup) {
      // Its group sum would be the sum of one or two shoppers: nobody is invited, and their updates are not taken.
      this.deps.logger.info({ roundId, cohortSize: cohort.length, minSecureGroup: cluster.minSecureGroup }, 'node group too small for secure aggregation: sitting the round out');
      empty(cohort.length);
      return;
    }
    const refusal = this.open(roundId, cohort, privacy, eligible.length);
    if (refusal !== null) {
      this.deps.logger.warn({ roundId, cohortSize: cohort.length, ...refusal.log.detail }, `node group: ${refusal.log.message}`);
      empty(cohort.length);
    }
  }

  /**
   * Cluster node: the coordinator closed a round (applied: this node serves
   * its model already). Tells this node's clients and events, as a single
   * server does when it closes a round itself.
   */
  announceClosed(info: RoundClosedInfo): void {
    if (this.deps.cluster === undefined) return;
    if (this.round?.id === info.roundId) this.drop('closed by the coordinator');
    this.deps.stats.roundClosed(info.outcome === 'applied', info.durationMs);
    this.notifyClosed(info);
  }

  /** A cluster node's open round, discarded without a part (the coordinator has closed it or moved on). */
  private drop(why: string): void {
    const round = this.round;
    if (round === null) return;
    clearTimeout(round.deadline);
    round.kind.dispose();
    this.round = null;
    this.accumulator.reset();
    this.phase = 'idle';
    this.deps.logger.info({ roundId: round.id }, `node's round part dropped: ${why}`);
  }

  private eligibleIds(): string[] {
    const eligible: string[] = [];
    for (const [clientId, isEligible] of this.clients) if (isEligible) eligible.push(clientId);
    return eligible.sort();
  }

  private sample(eligible: readonly string[], roundId: number): string[] {
    const random = createSeededRandomSource(deriveSeed(this.deps.samplingSeed, 'cohort', roundId));
    return sampleCohort(eligible, this.deps.rounds.sampling, random);
  }

  /** Opens round `roundId` for `cohort` and invites it; the kind's refusal (nobody invited) otherwise. */
  private open(roundId: number, cohort: string[], privacy: PlannedRoundPrivacy | null, eligibleCount: number): RoundRefusal | null {
    const { rounds, model, hooks } = this.deps;
    const opened = this.openKind({ roundId, modelVersion: model.version, cohort, privacy }, this.hostFor(roundId));
    if (!opened.ok) return opened.refusal;
    const kind = opened.round;
    const cohortSize = cohort.length;
    const message: RoundStartMessage = {
      v: PROTOCOL_VERSION,
      kind: MessageKind.roundStart,
      roundId,
      modelVersion: model.version,
      timeoutMs: rounds.timeoutMs,
      wantsExampleCount: rounds.weighting === 'examples',
      ...(kind.announcedPrivacy !== null ? { privacy: kind.announcedPrivacy } : {}),
      ...(privacy?.wantsUnclippedBit === true ? { wantsUnclippedBit: true } : {}),
    };
    this.accumulator.reset();
    this.phase = 'open';
    this.round = {
      id: roundId,
      cohort: new Set(cohort),
      openedAt: performance.now(),
      message,
      deadline: setTimeout(() => this.guard('round deadline', () => this.finish('deadline')), kind.deadlineMs),
      privacy,
      kind,
      declined: new Map(),
    };
    this.deps.logger.info({ roundId, modelVersion: model.version, cohortSize, eligible: eligibleCount, kind: kind.kind }, 'round opened');
    const invitationFor = kind.invitationFor === undefined ? undefined : (clientId: string): RoundStartMessage => kind.invitationFor!(message, clientId);
    hooks.roundOpened({ roundId, modelVersion: model.version, cohort, message, ...(invitationFor !== undefined ? { invitationFor } : {}) }, model.bytes());
    return null;
  }

  /** What round `roundId` may use of the coordinator while it is open. */
  private hostFor(roundId: number): RoundHost {
    const { rounds, model, stats, logger } = this.deps;
    return {
      rounds,
      shape: model.shape,
      floats: model.floats,
      accumulator: this.accumulator,
      stats,
      logger,
      privacyPolicy: this.deps.privacy ?? null,
      closeSoon: (cause) => {
        if (this.round?.id === roundId) this.finishSoon(cause);
      },
      closeNow: (cause) => {
        if (this.round?.id === roundId) this.finish(cause);
      },
      guard: (what, fn) => this.guard(what, fn),
    };
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
    round.kind.dispose();
    this.round = null;
    const { rounds, model, optimiser, stats, logger } = this.deps;
    const accepted = this.accumulator.count;
    const durationMs = performance.now() - round.openedAt;
    const declined = countDeclines(round.declined);
    const closed = { roundId: round.id, cause, accepted, cohortSize: round.cohort.size, durationMs, declined };
    const cluster = this.deps.cluster;
    if (cluster !== undefined) {
      // The coordinator combines, checks minUpdates and applies; the outcome comes back through announceClosed.
      const part: NodeRoundPart = {
        roundId: round.id,
        modelVersion: round.message.modelVersion,
        sum: this.accumulator.sumView.slice(),
        count: accepted,
        totalWeight: this.accumulator.totalWeight,
        unclipped: round.kind.unclipped,
        cohortSize: round.cohort.size,
        declined,
      };
      this.accumulator.reset();
      this.phase = 'idle';
      this.deps.logger.info({ roundId: round.id, cause, accepted, cohortSize: round.cohort.size }, "node's round part closed");
      cluster.partialClosed(part);
      return;
    }
    const afterwards = { retryAfterMs: rounds.cooldownMs, log: { level: 'info', message: 'round abandoned' } } as const;
    if (accepted < rounds.minUpdates) {
      // Declines explain an abandoned round: said at warn, with what they mean and what to change.
      const why = explainDeclines(declined, round.cohort.size);
      const log = why === null ? afterwards.log : ({ level: 'warn', message: `round abandoned: ${why}` } as const);
      this.abandon({ ...closed, ...afterwards, log: { ...log, detail: { minUpdates: rounds.minUpdates } } });
      return;
    }
    const started = performance.now();
    const totalWeight = this.accumulator.totalWeight;
    const mean = this.accumulator.takeMean();
    const privacy = this.deps.privacy ?? null;
    const roundMean = { roundId: round.id, mean, accepted, unclipped: round.kind.unclipped, privacy: round.privacy, ledgerNoise: round.kind.ledgerNoise };
    const modelVersion = applyRoundMean(roundMean, { model, optimiser, policy: privacy, logger });
    if (modelVersion === null) {
      this.abandon({ ...closed, ...afterwards, cause: 'non-finite' });
      return;
    }
    this.accumulator.reset();
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
   * The one way a round ends without changing the model, whether it closed
   * with too few updates or a non-finite aggregate, or was never opened
   * (cohort too small, secure aggregation impossible, budget spent): the
   * accumulator is emptied, the outcome announced, and the next round
   * scheduled.
   */
  private abandon(round: Abandonment): void {
    const { roundId, cause, accepted, cohortSize, durationMs, declined, retryAfterMs, log } = round;
    this.accumulator.reset();
    this.phase = 'idle';
    this.deps.stats.roundClosed(false, durationMs);
    this.deps.logger[log.level]({ roundId, cause, accepted, cohortSize, durationMs, declined, ...log.detail }, log.message);
    this.notifyClosed({ roundId, outcome: 'abandoned', cause, modelVersion: this.deps.model.version, accepted, cohortSize, durationMs, declined });
    if (retryAfterMs !== null) this.scheduleOpen(retryAfterMs);
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

