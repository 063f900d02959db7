import type {
  DeclineReasonName,
  ParameterShape,
  PrivacySpend,
  RandomSource,
  RejectedMessage,
  RejectReasonName,
  RoundPrivacy,
  RoundSecureAggregation,
  SecAggClientEnvelope,
  SharedModel,
  UpdateMessage,
  UpdatePrivacy,
} from '@fedrec/core';
import type { SecAggClientMessage } from '@fedrec/secagg';
import {
  FormatError,
  createCryptoRandomSource,
  isDeclineReason,
  MessageKind,
  PROTOCOL_VERSION,
  ProtocolEvent,
  RoundOutcome,
  decodeModel,
  encodeUpdate,
  parameterCount,
  parseMessage,
  rejectReasonName,
  rejectedMessageSchema,
  sameShape,
  toBytes,
  packBinaryFields,
  unpackBinaryFields,
  withUint8Arrays,
} from '@fedrec/core';
import type { Socket } from 'socket.io-client';
import { loadSocketIo, type SocketIoModule } from './load-socket-io.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { RoundParticipantError, type RoundRejection } from './round-participant-error.js';
import { loadSecAgg } from './load-secagg.js';
import { createLocalTrainer, type LocalTrainerOptions } from './local-trainer.js';
import { privatiseUpdate, type UpdatePrivacyInfo } from './privatise-update.js';
import { SecureRoundParticipant, secureInput } from './secure-aggregation.js';
import type { TrainingCallback } from './training-callback.js';
import { TypedEmitter } from '../events/typed-emitter.js';

/** An invitation to a round, as the `beforeRound` hook sees it. */
export interface RoundInvitation {
  readonly roundId: number;
  readonly modelVersion: number;
  /** How long the server will wait for the update. */
  readonly timeoutMs: number;
  readonly wantsExampleCount: boolean;
  /** The round's DP parameters (clip bound, noise, accounted z and q, δ); null when the server runs without DP. */
  readonly privacy: RoundPrivacy | null;
  /** True when the server sees only the sum of the cohort's (masked, quantised) updates (SecAgg+); absent otherwise. */
  readonly secureAggregation?: boolean;
}

/**
 * Decides whether this device takes part in a round (consent, a personal ε
 * budget, battery…). Only `true` takes part; anything else declines, and the
 * client sends no update for the round. A decline reason (`'budget'`, …)
 * declines and tells the server why (`false` tells it `other`), where the
 * server takes declines (its welcome says so): the operator then sees why
 * rounds go without updates. The reason is all that is sent.
 */
export type BeforeRoundHook = (round: RoundInvitation) => boolean | DeclineReasonName | Promise<boolean | DeclineReasonName>;

export interface RoundParticipantEvents {
  /** The server accepted the connection and said hello. */
  connected: { readonly clientId: string; readonly modelVersion: number };
  /** This client was invited to a round, agreed (`beforeRound`), and is training. */
  roundStarted: { readonly roundId: number; readonly modelVersion: number; readonly privacy: RoundPrivacy | null };
  /** This client was invited to a round and `beforeRound` declined it: nothing is sent for it. */
  roundDeclined: { readonly roundId: number; readonly modelVersion: number; readonly privacy: RoundPrivacy | null };
  /**
   * The update left the device: its size in bytes (the binary update), and
   * how it was clipped and noised, with the round's accounted z and q (null
   * when the training callback sent a ready-made update).
   */
  updateSent: { readonly roundId: number; readonly bytes: number; readonly privacy: UpdatePrivacyInfo | null };
  updateAccepted: { readonly roundId: number };
  /** A SecAgg+ stage reply left the device (stage 0 keys … 3 unmasking), with its size in bytes (binary fields). */
  secAggSent: { readonly roundId: number; readonly stage: number; readonly bytes: number };
  /** The server refused the connection or a message. */
  rejected: RoundRejection;
  /** A round ended (whether or not this client was in it), with the server's privacy budget after it (null without DP). */
  roundClosed: {
    readonly roundId: number;
    readonly outcome: 'applied' | 'abandoned';
    readonly modelVersion: number;
    readonly accepted: number;
    readonly privacy: PrivacySpend | null;
  };
  /** The server's privacy budget is spent: it opens no more rounds and its model is frozen. Emitted once. */
  budgetExhausted: PrivacySpend & { readonly modelVersion: number | null };
  disconnected: { readonly reason: string; readonly willReconnect: boolean };
  /** An attempt to connect failed before the server could answer (no network, the server down); socket.io retries with backoff. */
  connectFailed: { readonly message: string };
  error: RoundParticipantError;
  /** `stop()` was called, or the server refused us in a way retrying cannot fix. */
  stopped: { readonly reason: string };
}

interface RoundParticipantOptionsBase {
  /** The server's base URL, e.g. `https://shop.example`. */
  readonly url: string;
  /** A token, or a function returning one; a function is called before every connection attempt, so it can re-enrol. */
  readonly token: string | (() => string | Promise<string>);
  /** socket.io path. Default `/socket.io`. */
  readonly path?: string;
  /** Default `['websocket']`; add `'polling'` for networks that block WebSockets. */
  readonly transports?: readonly ('websocket' | 'polling')[];
  /** Backoff between reconnection attempts (transport drops and server refusals alike). */
  readonly reconnect?: BackoffOptions;
  /** Whether to tell the server we can train as soon as we connect. Default true. */
  readonly eligible?: boolean;
  /** Asked before every round this client is invited to; may decline it (see `BeforeRoundHook`). Default: take part in every round. */
  readonly beforeRound?: BeforeRoundHook;
  /**
   * Clip and noise for rounds whose server sets no DP parameters (required
   * with the default trainer). Rounds that carry parameters are clipped and
   * noised exactly as they say.
   */
  readonly privacy?: UpdatePrivacy;
  /** Noise stream for the update. Default: `privacy.noiseSource`, else the platform CSPRNG (`createCryptoRandomSource`). Seed it only in simulations. */
  readonly noiseSource?: RandomSource;
}

/** Either a custom training callback, or the default one (local BPR + clip + noise) over the caller's events. */
export type RoundParticipantOptions = RoundParticipantOptionsBase & ({ readonly train: TrainingCallback } | (LocalTrainerOptions & { readonly train?: undefined }));

/**
 * A device's connection to the aggregation server through which it takes
 * part in training rounds. Shops use `createClient` (`ShopperClient`), which
 * runs one of these only with consent `contribute`; use this directly only to
 * drive rounds yourself (simulations, load tests, custom devices).
 */
export interface RoundParticipant {
  /** Connects (and keeps reconnecting) until `stop()`. */
  start(): void;
  /** Disconnects for good. */
  stop(): void;
  /** Tells the server whether this device can train now (e.g. charging, on Wi-Fi). */
  setEligible(eligible: boolean): void;
  readonly clientId: string | null;
  readonly modelVersion: number | null;
  readonly connected: boolean;
  /** The server's privacy budget as last announced (welcome or round close); null before one or without DP. */
  readonly privacyBudget: PrivacySpend | null;
  on<K extends keyof RoundParticipantEvents>(event: K, listener: (payload: RoundParticipantEvents[K]) => void): RoundParticipant;
  once<K extends keyof RoundParticipantEvents>(event: K, listener: (payload: RoundParticipantEvents[K]) => void): RoundParticipant;
  off<K extends keyof RoundParticipantEvents>(event: K, listener: (payload: RoundParticipantEvents[K]) => void): RoundParticipant;
}

/** Refusals that retrying cannot fix. */
const PERMANENT_REFUSALS: ReadonlySet<string> = new Set(['UNSUPPORTED_VERSION']);

class SocketIoRoundParticipant extends TypedEmitter<RoundParticipantEvents> implements RoundParticipant {
  private socket: Socket | null = null;
  private readonly train: TrainingCallback;
  private readonly backoff: Backoff;
  private readonly noiseSource: RandomSource;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  /** Counts start() calls, so that a connection whose socket.io-client finished loading after a stop() is not made. */
  private starts = 0;
  private eligible: boolean;
  private shape: ParameterShape | null = null;
  private id: string | null = null;
  private version: number | null = null;
  /** The round being trained for, so a re-sent invitation is not trained twice. */
  private activeRound: number | null = null;
  /** Highest round id announced closed: updates for it or earlier are not sent. */
  private lastClosedRound = -1;
  /** The last round `beforeRound` declined, so a re-sent invitation is not asked about twice. */
  private declinedRound: number | null = null;
  private budget: PrivacySpend | null = null;
  /** Whether the server of this connection takes `decline` messages (its welcome says so). */
  private acceptsDeclines = false;
  /** The securely aggregated round this client is taking part in, if any. */
  private secure: SecureRoundParticipant | null = null;

  constructor(private readonly options: RoundParticipantOptions) {
    super();
    if (options.train !== undefined) {
      this.train = options.train;
    } else {
      if (options.events === undefined || options.privacy === undefined) {
        throw new TypeError('expected either a train callback, or events and privacy for the default trainer');
      }
      this.train = createLocalTrainer(options);
    }
    this.backoff = new Backoff(options.reconnect);
    this.eligible = options.eligible ?? true;
    this.noiseSource = options.noiseSource ?? options.privacy?.noiseSource ?? createCryptoRandomSource();
  }

  get clientId(): string | null {
    return this.id;
  }

  get modelVersion(): number | null {
    return this.version;
  }

  get connected(): boolean {
    return this.socket?.connected === true && this.id !== null;
  }

  get privacyBudget(): PrivacySpend | null {
    return this.budget;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const start = ++this.starts;
    loadSocketIo().then(
      (socketIo) => {
        // stop() (and perhaps start() again) while socket.io-client was loading: this start has been superseded.
        if (!this.stopped && start === this.starts) this.connect(socketIo);
      },
      (error: unknown) => {
        if (this.stopped || start !== this.starts) return;
        // As for a failed connection attempt (a flaky network in a browser): say so and try again after a backoff.
        this.emit('connectFailed', { message: `could not load socket.io-client: ${error instanceof Error ? error.message : String(error)}` });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.stopped && start === this.starts) {
            this.stopped = true;
            this.start();
          }
        }, this.backoff.next());
      },
    );
  }

  private connect({ io }: SocketIoModule): void {
    const { url, path, transports } = this.options;
    const backoff = this.backoff;
    const socket = io(url, {
      path: path ?? '/socket.io',
      transports: [...(transports ?? ['websocket'])],
      // One Manager per client: several clients in one process (tests, simulations) must not share a connection.
      forceNew: true,
      reconnection: true,
      reconnectionDelay: backoff.initialDelayMs,
      reconnectionDelayMax: backoff.maxDelayMs,
      randomizationFactor: backoff.jitter,
      // Called before every attempt, so a token provider can refresh an expired token.
      auth: (cb) => {
        this.resolveToken().then(
          (token) => cb({ token, protocolVersion: PROTOCOL_VERSION }),
          () => cb({ token: '', protocolVersion: PROTOCOL_VERSION }),
        );
      },
    });
    this.socket = socket;
    socket.on(ProtocolEvent.welcome, (meta: unknown) => this.guard(() => this.onWelcome(meta)));
    socket.on(ProtocolEvent.roundStart, (meta: unknown, model: unknown) => this.guard(() => this.onRoundStart(meta, model)));
    socket.on(ProtocolEvent.updateAccepted, (meta: unknown) => this.guard(() => this.onUpdateAccepted(meta)));
    socket.on(ProtocolEvent.rejected, (meta: unknown) => this.guard(() => this.onRejected(meta)));
    socket.on(ProtocolEvent.roundClosed, (meta: unknown) => this.guard(() => this.onRoundClosed(meta)));
    socket.on(ProtocolEvent.secAggServer, (meta: unknown, blob: unknown) => this.guard(() => this.onSecAgg(meta, blob)));
    socket.on('connect_error', (error: Error & { data?: unknown }) => this.guard(() => this.onConnectError(error)));
    socket.on('disconnect', (reason) => this.guard(() => this.onDisconnect(reason)));
  }

  stop(): void {
    if (this.stopped) return;
    this.halt('stopped by the caller');
  }

  setEligible(eligible: boolean): void {
    this.eligible = eligible;
    if (this.connected) this.sendReady();
  }

  private halt(reason: string): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.id = null;
    this.emit('stopped', { reason });
  }

  private async resolveToken(): Promise<string> {
    const { token } = this.options;
    try {
      const value = typeof token === 'function' ? await token() : token;
      if (typeof value !== 'string' || value.length === 0) throw new TypeError('empty token');
      return value;
    } catch (error) {
      this.emit('error', new RoundParticipantError('TOKEN_UNAVAILABLE', `could not get a token: ${error instanceof Error ? error.message : 'unknown error'}`));
      throw error;
    }
  }

  private sendReady(): void {
    this.socket?.emit(ProtocolEvent.ready, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: this.eligible });
  }

  private onWelcome(meta: unknown): void {
    const parsed = parseMessage('welcome', meta);
    if (!parsed.ok) return this.badServerMessage(`welcome: ${parsed.message}`);
    const { clientId, modelVersion, shape, privacy } = parsed.value;
    this.acceptsDeclines = parsed.value.acceptsDeclines === true;
    this.id = clientId;
    this.version = modelVersion;
    this.shape = shape;
    // A new connection may be to a restarted server, whose round ids start over from its checkpoint.
    // (`activeRound` is kept: training already under way answers a re-sent invitation.)
    this.lastClosedRound = -1;
    this.backoff.reset();
    this.emit('connected', { clientId, modelVersion });
    this.noteBudget(privacy, modelVersion);
    this.sendReady();
  }

  /** Records the server's budget, and tells the app once when it runs out. */
  private noteBudget(spend: PrivacySpend | undefined, modelVersion: number): void {
    if (spend === undefined) return;
    const wasExhausted = this.budget?.budgetExhausted === true;
    this.budget = spend;
    if (spend.budgetExhausted && !wasExhausted) this.emit('budgetExhausted', { ...spend, modelVersion });
  }

  private onRoundStart(meta: unknown, binary: unknown): void {
    const parsed = parseMessage('roundStart', withUint8Arrays(meta));
    if (!parsed.ok) return this.badServerMessage(`round start: ${parsed.message}`);
    const { roundId, modelVersion, wantsExampleCount, timeoutMs } = parsed.value;
    // A re-sent invitation (after a reconnect) for a round under way, finished or declined.
    if (roundId === this.activeRound || roundId === this.declinedRound || roundId <= this.lastClosedRound) return;
    const bytes = toBytes(binary);
    if (bytes === undefined) return this.badServerMessage('round start: the model is not binary');
    let model: SharedModel;
    try {
      model = decodeModel(bytes, { requireFinite: true, ...(this.shape !== null ? { expectedShape: this.shape } : {}) });
    } catch (error) {
      if (error instanceof FormatError) return this.badServerMessage(`round start: model file ${error.code}`);
      throw error;
    }
    if (model.version !== modelVersion) return this.badServerMessage('round start: model version disagrees with the metadata');
    this.activeRound = roundId;
    this.version = modelVersion;
    const secure = parsed.value.secureAggregation ?? null;
    const invitation: RoundInvitation = {
      roundId,
      modelVersion,
      timeoutMs,
      wantsExampleCount,
      privacy: parsed.value.privacy ?? null,
      ...(secure !== null ? { secureAggregation: true } : {}),
    };
    void this.takePart(invitation, model, parsed.value.wantsUnclippedBit === true, secure);
  }

  /** Asks `beforeRound`: null takes part, else why not. A hook that throws declines the round (and is reported), never sends. */
  private async declineReason(invitation: RoundInvitation): Promise<DeclineReasonName | null> {
    const hook = this.options.beforeRound;
    if (hook === undefined) return null;
    try {
      const answer = await hook(invitation);
      if (answer === true) return null;
      return isDeclineReason(answer) ? answer : 'other';
    } catch (error) {
      this.emit('error', new RoundParticipantError('BEFORE_ROUND_FAILED', `beforeRound failed, round declined: ${error instanceof Error ? error.message : 'unknown error'}`));
      return 'other';
    }
  }

  /** Tells the server why this member sits the round out, where it takes declines; otherwise sending nothing says it. */
  private sendDecline(roundId: number, reason: DeclineReasonName): void {
    if (!this.acceptsDeclines || this.socket?.connected !== true) return;
    this.socket.emit(ProtocolEvent.decline, { v: PROTOCOL_VERSION, kind: MessageKind.decline, roundId, reason });
  }

  private async takePart(invitation: RoundInvitation, model: SharedModel, wantsUnclippedBit: boolean, secure: RoundSecureAggregation | null): Promise<void> {
    const { roundId, modelVersion, wantsExampleCount, timeoutMs, privacy } = invitation;
    try {
      const declined = await this.declineReason(invitation);
      if (declined !== null) {
        this.declinedRound = roundId;
        this.sendDecline(roundId, declined);
        this.emit('roundDeclined', { roundId, modelVersion, privacy });
        return;
      }
      if (this.stopped || roundId <= this.lastClosedRound) return;
      this.emit('roundStarted', { roundId, modelVersion, privacy });
      const result = await this.train({ roundId, model, wantsExampleCount, timeoutMs, privacy });
      if (result === null || this.stopped || roundId <= this.lastClosedRound) return;
      const candidate = result.delta ?? result.update;
      if (!sameShape(candidate.shape, model.shape) || candidate.values.length !== parameterCount(model.shape) || candidate.baseVersion !== model.version) {
        this.emit('error', new RoundParticipantError('TRAINING_FAILED', 'the training callback returned an update that does not fit the round’s model'));
        return;
      }
      if (secure !== null) {
        await this.startSecureRound(roundId, secure, privacy, result);
        return;
      }
      // Clipped and noised here, as the round says: the callback never decides what the accountant assumed.
      const out = privatiseUpdate(result, { round: privacy, wantsUnclippedBit, fallback: this.options.privacy, noiseSource: this.noiseSource });
      if (!out.ok) {
        this.emit('error', new RoundParticipantError('TRAINING_FAILED', out.message));
        return;
      }
      // Exactly the protocol's fields: the round id, and the example count and unclipped bit only when the server asked for them.
      const meta: UpdateMessage = {
        v: PROTOCOL_VERSION,
        kind: MessageKind.update,
        roundId,
        ...(wantsExampleCount ? { exampleCount: Math.max(1, Math.round(result.exampleCount ?? 1)) } : {}),
        ...(out.unclipped !== undefined ? { unclipped: out.unclipped } : {}),
      };
      // Never let socket.io buffer an update while disconnected: after a
      // reconnect (perhaps to a restarted server) it could land in another
      // round. The server re-invites a cohort member that reconnects.
      if (this.socket?.connected !== true) return;
      const bytes = encodeUpdate(out.update);
      this.socket.emit(ProtocolEvent.update, meta, bytes);
      this.emit('updateSent', { roundId, bytes: bytes.byteLength, privacy: out.privacy });
    } catch (error) {
      this.emit('error', new RoundParticipantError('TRAINING_FAILED', `training failed: ${error instanceof Error ? error.message : 'unknown error'}`));
    } finally {
      if (this.activeRound === roundId) this.activeRound = null;
    }
  }

  /** Quantises (and noises) the update as the round says, then advertises keys: SecAgg+ stage 0. */
  private async startSecureRound(roundId: number, secure: RoundSecureAggregation, privacy: RoundPrivacy | null, result: Parameters<typeof secureInput>[0]): Promise<void> {
    // Loads @fedrec/secagg on the first secure round: shops that never run one never load it.
    const out = await secureInput(result, { secure, round: privacy, noiseSource: this.noiseSource });
    if (this.stopped || roundId <= this.lastClosedRound) return; // the round ended while the module loaded
    if (!out.ok) {
      this.emit('error', new RoundParticipantError('TRAINING_FAILED', out.message));
      return;
    }
    // Never buffered across a reconnect: the server counts a reconnected member as dropped.
    if (this.socket?.connected !== true) return;
    const participant = await SecureRoundParticipant.create(roundId, secure, out.input);
    this.secure = participant;
    const keys = await participant.advertiseKeys();
    // Superseded while the keys were made (a newer round, a reconnect): say nothing.
    if (this.secure !== participant || this.socket?.connected !== true) return;
    this.sendSecAgg(keys);
    this.emit('updateSent', { roundId, bytes: out.input.byteLength, privacy: out.privacy });
  }

  private async onSecAgg(meta: unknown, blob: unknown): Promise<void> {
    const parsed = parseMessage('secAggServer', meta);
    if (!parsed.ok) return this.badServerMessage(`secure aggregation: ${parsed.message}`);
    const participant = this.secure;
    if (participant === null || participant.roundId !== parsed.value.roundId) return; // a round this client is not (or no longer) in
    const bytes = toBytes(blob);
    if (bytes === undefined) return this.badServerMessage('secure aggregation: the attachment is not binary');
    let reply: SecAggClientMessage;
    try {
      const message = unpackBinaryFields(parsed.value.message, bytes);
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return this.badServerMessage('secure aggregation: expected a message object');
      reply = await participant.step(message as Record<string, unknown>);
    } catch (error) {
      if (error instanceof RangeError) return this.badServerMessage(`secure aggregation: ${error.message}`);
      // Loaded already: this client holds a participant, which only exists once @fedrec/secagg has loaded.
      if (!(error instanceof (await loadSecAgg()).SecAggError)) throw error;
      // The server asked for something the protocol forbids: stop taking part, reveal nothing more.
      this.secure = null;
      return this.badServerMessage(`secure aggregation: ${error.code}`);
    }
    if (this.secure !== participant) return; // withdrawn while the step ran
    if (participant.done) this.secure = null;
    this.sendSecAgg(reply);
  }

  private sendSecAgg(message: SecAggClientMessage): void {
    // Keys, ciphertexts and the masked input ride in one attachment (socket.io refuses packets with more than 10).
    const { json, blob } = packBinaryFields(message);
    const envelope: SecAggClientEnvelope = { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: message.roundId, message: json as Record<string, unknown> };
    this.socket?.emit(ProtocolEvent.secAggClient, envelope, blob);
    this.emit('secAggSent', { roundId: message.roundId, stage: message.stage, bytes: blob.byteLength });
  }

  private onUpdateAccepted(meta: unknown): void {
    const parsed = parseMessage('updateAccepted', meta);
    if (!parsed.ok) return this.badServerMessage(`update accepted: ${parsed.message}`);
    this.emit('updateAccepted', { roundId: parsed.value.roundId });
  }

  private onRejected(meta: unknown): void {
    const parsed = parseMessage('rejected', meta);
    if (!parsed.ok) return this.badServerMessage(`rejected: ${parsed.message}`);
    this.emit('rejected', toRejection(parsed.value, 'message'));
  }

  private onRoundClosed(meta: unknown): void {
    const parsed = parseMessage('roundClosed', meta);
    if (!parsed.ok) return this.badServerMessage(`round closed: ${parsed.message}`);
    const { roundId, outcome, modelVersion, accepted, privacy } = parsed.value;
    this.lastClosedRound = Math.max(this.lastClosedRound, roundId);
    if (this.secure !== null && this.secure.roundId <= roundId) this.secure = null;
    this.version = modelVersion;
    this.emit('roundClosed', { roundId, outcome: outcome === RoundOutcome.applied ? 'applied' : 'abandoned', modelVersion, accepted, privacy: privacy ?? null });
    this.noteBudget(privacy, modelVersion);
  }

  /**
   * A refusal by the server's middleware carries `data` (a rejected message);
   * socket.io does not retry those, so we do, with backoff — unless retrying
   * cannot help. Transport failures have no `data` and socket.io retries them.
   */
  private onConnectError(error: Error & { data?: unknown }): void {
    const parsed = rejectedMessageSchema.safeParse(error.data);
    if (!parsed.success) {
      // Transport-level: socket.io-client's own reconnection handles it; the app may want to know.
      this.emit('connectFailed', { message: error.message });
      return;
    }
    const rejection = toRejection(parsed.data, 'connection');
    this.emit('rejected', rejection);
    const retryable = !PERMANENT_REFUSALS.has(rejection.reason) && !(rejection.reason === 'BAD_TOKEN' && typeof this.options.token === 'string');
    if (!retryable) {
      this.emit('error', new RoundParticipantError('CONNECTION_REFUSED', `the server refused the connection: ${rejection.message}`, rejection.reason));
      this.halt(`connection refused (${rejection.reason})`);
      return;
    }
    this.scheduleRetry();
  }

  private onDisconnect(reason: string): void {
    this.id = null;
    // The server counts a disconnected member as dropped: its SecAgg state is of no further use.
    this.secure = null;
    // socket.io reconnects by itself except when the server disconnected us on purpose.
    const serverKicked = reason === 'io server disconnect';
    this.emit('disconnected', { reason, willReconnect: !this.stopped });
    if (serverKicked && !this.stopped) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.socket?.connect();
    }, this.backoff.next());
  }

  private badServerMessage(message: string): void {
    this.emit('error', new RoundParticipantError('BAD_SERVER_MESSAGE', message));
  }

  /** Runs a handler; a failure, thrown or (for asynchronous handlers) rejected, is reported rather than escaping: socket handlers must never throw into socket.io. */
  private guard(fn: () => void | Promise<void>): void {
    const report = (error: unknown): void =>
      this.badServerMessage(`unexpected failure handling a server message: ${error instanceof Error ? error.message : 'unknown error'}`);
    try {
      const pending = fn();
      if (pending instanceof Promise) pending.catch(report);
    } catch (error) {
      report(error);
    }
  }
}

function toRejection(message: RejectedMessage, stage: 'connection' | 'message'): RoundRejection {
  const reason: RejectReasonName | 'UNKNOWN' = rejectReasonName(message.reason) ?? 'UNKNOWN';
  return {
    reason,
    code: message.reason,
    roundId: message.roundId,
    message: message.message,
    stage,
    ...(message.secAggReason !== undefined ? { secAggReason: message.secAggReason } : {}),
  };
}

/**
 * Takes part in training rounds over socket.io: connects with a token, trains on each
 * round's model when invited (and `beforeRound` agrees), clips and noises the
 * update exactly as the round's DP parameters say, sends it, and reconnects
 * with backoff. It sends nothing but the update and protocol metadata. Runs
 * in browsers and Node.
 *
 * @example
 * const client = createRoundParticipant({
 *   url: 'https://shop.example',
 *   token: async () => (await enrol('https://shop.example')).token,
 *   events: shopperEvents,
 *   privacy: { clipNorm: 1, noiseMultiplier: 1.1 },
 *   // Take part only in DP rounds that a personal budget can still afford.
 *   beforeRound: ({ privacy }) => privacy !== null && !personalBudget.wouldExceed(privacy),
 * });
 * client.on('rejected', (r) => console.warn(r.reason, r.message));
 * client.on('updateSent', ({ roundId, bytes, privacy }) => log(roundId, bytes, privacy?.accountedNoiseMultiplier, privacy?.samplingRate));
 * client.on('budgetExhausted', ({ epsilonSpent }) => console.info(`training finished at ε = ${epsilonSpent}`));
 * client.start();
 */
export function createRoundParticipant(options: RoundParticipantOptions): RoundParticipant {
  return new SocketIoRoundParticipant(options);
}
