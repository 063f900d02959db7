import { allowsContributing } from '../consent/consent-level.js';
import { chargeStoredLedger, markUpdateSent } from '../privacy/stored-ledger.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import { createRoundParticipant, type RoundInvitation, type RoundParticipant } from '../rounds/round-participant.js';
import type { TrainingResult, TrainingRound } from '../rounds/training-callback.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import type { CurrentCatalogue } from './current-catalogue.js';
import type { CurrentModel } from './current-model.js';
import type { CurrentNotice } from './current-notice.js';
import type { DeclineReason } from './decline-reason.js';
import { EnrolmentToken } from './enrolment-token.js';
import { computeLocalDelta, retiredRows, updateBytes } from './local-update.js';
import { noticeAllowsContributing } from './notice-consent.js';
import { ParticipantSlot } from './participant-slot.js';
import { consentDeclines, reasonToDecline } from './round-decision.js';
import { guardFor, type ShopperContext } from './shopper-context.js';
import { ShopperClientError, toShopperClientError } from './shopper-client-error.js';
import type { UserVectorCache } from './user-vector-cache.js';

/**
 * The shopper client's part in training rounds: it holds the device's place
 * in rounds while consent is `contribute` (one tab per device, see
 * `ParticipantSlot`), runs a `RoundParticipant` while the place is ours,
 * decides each invitation (`reasonToDecline`), trains on the stored history,
 * and charges each round to the stored ε ledger before its update leaves.
 */
export class RoundParticipation {
  readonly #context: ShopperContext;
  readonly #model: CurrentModel;
  readonly #catalogue: CurrentCatalogue;
  readonly #vector: UserVectorCache;
  readonly #notice: CurrentNotice;
  /** Whether the privacy notice was revalidated since the participant last connected: a restarted server may publish another. */
  #noticeVerified = false;
  readonly #slot: ParticipantSlot;
  readonly #token: EnrolmentToken;
  /** Entries this client charged whose update the participant has not reported sent yet, by round. */
  readonly #charged = new Map<number, UpdateLogEntry>();

  constructor(
    context: ShopperContext,
    parts: { readonly model: CurrentModel; readonly vector: UserVectorCache; readonly catalogue: CurrentCatalogue; readonly notice: CurrentNotice },
  ) {
    this.#context = context;
    this.#model = parts.model;
    this.#catalogue = parts.catalogue;
    this.#vector = parts.vector;
    this.#notice = parts.notice;
    const { options } = context;
    this.#token = new EnrolmentToken({
      now: context.now,
      ...(options.enrolmentKey !== undefined ? { enrolmentKey: options.enrolmentKey } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
    this.#slot = new ParticipantSlot(context.store.participantLock, {
      onError: (error) => context.emit('error', toShopperClientError(error)),
      onWait: () => context.emit('participationChanged', { participating: false, waitingForTurn: true }),
    });
  }

  /** Whether the participant is connected to the server and available for rounds. */
  get participating(): boolean {
    return this.#slot.participant?.connected === true;
  }

  /** Whether this client would take part but another tab sharing its store does so for the device. */
  get waitingForTurn(): boolean {
    return this.#slot.waiting;
  }

  /** Settles once this client's claim on the place is in the lock's queue (at once when it makes none). */
  get placed(): Promise<void> {
    return this.#slot.placed;
  }

  /**
   * Claims or gives up the device's place in rounds to match consent; the
   * participant runs only while the place is ours. Giving it up stops the
   * participant at once; pass `handOver`, the write recording why (a deletion,
   * a withdrawal), to keep the place from another tab until that is durable.
   */
  sync(handOver?: Promise<unknown>): void {
    const serverUrl = this.#context.options.serverUrl;
    const { state } = this.#context;
    // A chosen `contribute` also needs the privacy notice it was given under to be the server's current one.
    const want = allowsContributing(state.consent) && noticeAllowsContributing(state) && serverUrl !== undefined && !state.closed;
    if (want) {
      this.#slot.take(
        () => {
          const participant = this.#start(serverUrl);
          participant.start();
          return participant;
        },
        () => this.#admit(),
      );
    } else if (this.#slot.claimed) {
      // Joining again enrols afresh, so the server cannot link the two sessions by client id.
      this.#token.forget();
      this.#slot.leave(handOver);
    }
  }

  /**
   * Runs when the place has just become ours, before the participant starts.
   * Between tabs, the lock is granted independently of the messages they
   * exchange: the tab that held the place may have left because of a
   * deletion or a withdrawal that this one has not heard of yet. That tab
   * hands the place on only once the change is durable, so reading the
   * store now sees it, and catching up gives the place back up. Queued, so
   * the consent this client chose is stored before it connects.
   */
  #admit(): Promise<void> {
    return this.#context.queue.run(() => this.#context.catchUp());
  }

  #start(serverUrl: string): RoundParticipant {
    const { options, emit } = this.#context;
    const transport = options.transport;
    const participant = createRoundParticipant({
      url: serverUrl,
      token: () => this.#token.fresh(serverUrl),
      train: (round) => this.#train(round),
      beforeRound: (round) => this.#decide(round),
      ...(transport?.path !== undefined ? { path: transport.path } : {}),
      ...(transport?.transports !== undefined ? { transports: transport.transports } : {}),
      ...(transport?.reconnect !== undefined ? { reconnect: transport.reconnect } : {}),
      ...(options.noiseSource !== undefined ? { noiseSource: options.noiseSource } : {}),
    });
    participant.on('rejected', (rejection) => {
      if (rejection.reason === 'BAD_TOKEN') this.#token.forget();
    });
    participant.on('error', (error) => {
      // No token, no rounds: the server (or its enrolment) cannot be reached from here.
      if (error.code === 'TOKEN_UNAVAILABLE') this.#context.reachability.failed(error.message, error);
      emit('error', error);
    });
    participant.on('connectFailed', ({ message }) => this.#context.reachability.failed(`connecting for rounds failed: ${message}`, null));
    participant.on('connected', ({ modelVersion }) => {
      this.#context.reachability.answered(modelVersion);
      // Perhaps a restarted server, with another configuration: see whether its notice is still the one consented under.
      void this.#notice.refreshOrReport().then((notice) => {
        if (notice !== null) this.#noticeVerified = true;
      });
      emit('participationChanged', { participating: true, waitingForTurn: false });
    });
    participant.on('disconnected', () => {
      this.#noticeVerified = false;
      emit('participationChanged', { participating: false, waitingForTurn: false });
    });
    participant.on('stopped', () => emit('participationChanged', { participating: false, waitingForTurn: false }));
    participant.on('updateSent', ({ roundId, bytes }) => void this.#confirmSent(roundId, bytes));
    participant.on('roundClosed', ({ roundId, outcome, modelVersion }) => {
      // A charged update not sent by now never will be (the participant drops late ones).
      for (const charged of this.#charged.keys()) if (charged <= roundId) this.#charged.delete(charged);
      emit('roundClosed', { roundId, outcome, modelVersion });
      const inUse = this.#model.model;
      if (outcome === 'applied' && (inUse === null || modelVersion > inUse.version)) {
        this.#model.refresh().catch((error: unknown) => emit('error', toShopperClientError(error)));
      }
    });
    return participant;
  }

  /** The participant's `beforeRound` hook: see `reasonToDecline`. A reason declines, and the participant tells the server it. */
  async #decide(round: RoundInvitation): Promise<true | DeclineReason> {
    // An invitation may come before the notice asked for on connecting has arrived: nothing is sent under an unverified notice.
    if (!this.#noticeVerified && this.#context.state.consentChosen) this.#noticeVerified = (await this.#notice.refreshOrReport()) !== null;
    const reason = this.#noticeVerified || !this.#context.state.consentChosen ? await reasonToDecline(this.#context, round) : 'consent';
    if (reason !== null) {
      this.#context.emit('roundDeclined', { roundId: round.roundId, reason });
      return reason;
    }
    this.#context.emit('roundJoined', { roundId: round.roundId });
    return true;
  }

  /**
   * The training callback: trains on the stored history and hands the raw
   * delta to the participant, which clips and noises it exactly as the round
   * says. Before the delta is handed over, the round is charged to the
   * stored ledger in one transaction that checks the budget, the consent
   * and the deletion epoch (`chargeStoredLedger`); if the charge is not
   * durable, nothing is sent. Should the update then not leave after all,
   * the device has over-counted, never under-counted.
   */
  #train(round: TrainingRound): Promise<TrainingResult | null> {
    const context = this.#context;
    const { state, options, store } = context;
    const epoch = state.epoch;
    return context.queue.run(async () => {
      const { privacy } = round;
      if (consentDeclines(state) !== null || privacy === null || epoch !== state.epoch) return null;
      this.#model.use(round.model);
      const events = await store.readEvents();
      const vector = this.#vector.valuesFor(round.model.shape.dim);
      const retired = retiredRows(this.#catalogue.catalogue, round.model.shape.numItems);
      const local = computeLocalDelta({
        model: round.model,
        events,
        random: context.random,
        ...(retired.length > 0 ? { notNegatives: retired } : {}),
        ...(vector !== undefined ? { userVector: vector } : {}),
        ...(options.training !== undefined ? { training: options.training } : {}),
        ...(options.eventWeights !== undefined ? { eventWeights: options.eventWeights } : {}),
      });
      // Consent may have changed, or everything been deleted, while training: nothing is charged or sent then.
      if (consentDeclines(state) !== null || epoch !== state.epoch) return null;
      let entry: UpdateLogEntry;
      try {
        entry = await chargeStoredLedger(store, {
          budgetEpsilon: context.budgetEpsilon,
          privacy,
          guard: guardFor(context, epoch, 'contributing'),
          entry: (charge) => ({
            roundId: round.roundId,
            time: context.now(),
            bytes: updateBytes(round.model.shape),
            clipNorm: privacy.clipNorm,
            clientNoiseMultiplier: privacy.clientNoiseMultiplier,
            accountedNoiseMultiplier: privacy.accountedNoiseMultiplier,
            placement: privacy.placement,
            epsilon: charge.epsilon,
            delta: charge.delta,
            sent: false,
          }),
        });
      } catch (error) {
        if (error instanceof ShopperClientError && error.code === 'BUDGET_EXCEEDED') {
          context.emit('roundDeclined', { roundId: round.roundId, reason: 'budget' });
        } else if (isGuardRefusal(error)) {
          await context.catchUp();
        } else {
          // Unrecorded spending must not leave the device.
          context.emit('error', toShopperClientError(error));
        }
        return null;
      }
      this.#charged.set(round.roundId, entry);
      context.emit('privacyChanged', {});
      context.post({ kind: 'privacy', generation: epoch.generation });
      return { delta: local.delta, exampleCount: local.exampleCount };
    });
  }

  /** Marks the round's log entry as sent, with the size the participant reports. */
  #confirmSent(roundId: number, bytes: number): Promise<void> {
    const context = this.#context;
    const epoch = context.state.epoch;
    const charged = this.#charged.get(roundId);
    this.#charged.delete(roundId);
    return context.queue.run(async () => {
      let entry = charged === undefined ? null : { ...charged, bytes, sent: true };
      if (!context.state.closed) {
        try {
          const stored = await markUpdateSent(context.store, roundId, bytes, guardFor(context, epoch));
          if (stored !== null) {
            entry = stored;
            context.emit('privacyChanged', {});
            context.post({ kind: 'privacy', generation: epoch.generation });
          }
        } catch (error) {
          if (isGuardRefusal(error)) await context.catchUp().catch((e: unknown) => context.emit('error', toShopperClientError(e)));
          else context.emit('error', toShopperClientError(error));
        }
      }
      if (entry !== null) context.emit('updateSent', { roundId, entry });
    });
  }
}
