import type { EventEmitter } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { PrivacySpend, RejectReasonName, RejectedMessage, RoundClosedMessage, SecAggServerEnvelope, UpdateAcceptedMessage, WelcomeMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, RejectReason, RoundOutcome, packBinaryFields, parseHandshakeAuth, parseMessage, toBytes, unpackBinaryFields } from '@fedrec/core/protocol';
import type { SecAggServerMessage } from '@fedrec/secagg';
import { SecAggRejectReason } from '@fedrec/secagg';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { verifyToken } from '../auth/token.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import type { ModelState } from '../model/model-state.js';
import { updateByteLength } from '../rounds/decode-client-update.js';
import type { RoundClosedInfo, RoundCoordinator, RoundOpenedInfo } from '../rounds/round-coordinator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import type { StrikeBook } from './strike-book.js';
import { settlesWithin } from '../deadline.js';
import { OpenConnections } from '../http/open-connections.js';
import type { AllowRequest } from './handshake-limit.js';
import { cutOff, defaultMaxBufferedBytes, queuedBytes } from './outgoing-buffer-limit.js';

/**
 * Refusals that count towards disconnecting a client. STALE_ROUND does not:
 * an honest client on a slow link can miss a deadline.
 */
const STRIKE_REASONS: ReadonlySet<RejectReasonName> = new Set([
  'MALFORMED',
  'WRONG_SHAPE',
  'NON_FINITE',
  'TOO_LARGE',
  'DUPLICATE',
  'NOT_IN_COHORT',
  'UNSUPPORTED_VERSION',
  // A refused SecAgg message (tampered, replayed, spoofed) counts too, except for the timing
  // refusals below: an honest client on a slow link can miss a stage.
  'SECAGG_REFUSED',
  'NORM_TOO_LARGE',
]);

/** SecAgg refusals an honest but late client can earn: no strike, as for STALE_ROUND. */
const LATE_SECAGG_REASONS: ReadonlySet<number> = new Set([
  SecAggRejectReason.WRONG_ROUND,
  SecAggRejectReason.WRONG_STAGE,
  SecAggRejectReason.DROPPED_EARLIER,
  SecAggRejectReason.ROUND_ENDED,
]);

const CLIENT_EVENTS: ReadonlySet<string> = new Set([ProtocolEvent.ready, ProtocolEvent.update, ProtocolEvent.secAggClient, ProtocolEvent.decline]);

export interface GatewayDeps {
  readonly httpServer: HttpServer;
  readonly config: ResolvedServerConfig;
  readonly coordinator: RoundCoordinator;
  readonly model: ModelState;
  readonly tokenSecret: string;
  readonly stats: ServerStats;
  readonly logger: Logger;
  readonly events: EventEmitter<FedRecServerEvents>;
  /** The privacy budget for the welcome; absent or null without DP. */
  readonly privacySpend?: () => PrivacySpend | null;
  /** Refused messages per client id, and bans: they outlive sockets. */
  readonly strikes: StrikeBook;
  /** engine.io's check on each new session (the per-source handshake limit); absent: every handshake proceeds. */
  readonly allowRequest?: AllowRequest | undefined;
}

interface Connection {
  readonly clientId: string;
  readonly socket: Socket;
}

type RefusalError = Error & { data?: RejectedMessage };

/** socket.io's handshake data we keep on each socket. */
interface SocketData {
  clientId?: string;
}

/**
 * The socket.io edge of the server: authenticates connections, validates
 * every incoming message at the boundary and hands valid ones to the round
 * coordinator; sends invitations, acknowledgements and refusals.
 *
 * Every handler runs inside try/catch: no message, however malformed, can
 * throw out of a socket handler and take the process down.
 */
export class SocketGateway {
  readonly io: Server;
  /** The current socket of each connected client id. */
  private readonly connections = new Map<string, Connection>();
  readonly maxUpdateBytes: number;
  /** Bytes queued for one client beyond which it is dropped as a slow consumer (`limits.maxBufferedBytes`). */
  readonly maxBufferedBytes: number;
  private readonly openConnections: OpenConnections;

  constructor(private readonly deps: GatewayDeps) {
    const { config } = deps;
    this.maxUpdateBytes = updateByteLength(deps.model.shape);
    // An update has the model's layout, so this is (within a header) the size of one invitation's attachment.
    this.maxBufferedBytes = config.limits.maxBufferedBytes ?? defaultMaxBufferedBytes(this.maxUpdateBytes);
    this.openConnections = new OpenConnections(deps.httpServer);
    this.io = new Server(deps.httpServer, {
      serveClient: false,
      // The largest legitimate message is one update; long-polling carries
      // binary as base64 (4/3 larger). Anything beyond this is dropped by
      // engine.io before it is buffered; between this and the exact update
      // size it reaches us and is refused as TOO_LARGE.
      maxHttpBufferSize: Math.ceil((this.maxUpdateBytes * 4) / 3) + config.limits.headroomBytes,
      transports: ['websocket', 'polling'],
      perMessageDeflate: false, // noised float32 does not compress, and deflate costs CPU per message
      ...(config.corsOrigins.length > 0 ? { cors: { origin: config.corsOrigins } } : {}),
      ...(deps.allowRequest !== undefined ? { allowRequest: deps.allowRequest } : {}),
    });
    this.io.use((socket, next) => this.authenticate(socket, next));
    this.io.on('connection', (socket) => this.guard(null, () => this.onConnection(socket)));
  }

  broadcastRoundStart(info: RoundOpenedInfo, model: Uint8Array): void {
    const { invitationFor } = info;
    if (invitationFor !== undefined) {
      // SecAgg: each member's invitation carries its own index, so each is sent on its own.
      for (const clientId of info.cohort) {
        const connection = this.connections.get(clientId);
        if (connection !== undefined && !this.fellBehind(connection)) connection.socket.emit(ProtocolEvent.roundStart, invitationFor(clientId), model);
      }
      return;
    }
    const socketIds: string[] = [];
    for (const clientId of info.cohort) {
      const connection = this.connections.get(clientId);
      if (connection !== undefined && !this.fellBehind(connection)) socketIds.push(connection.socket.id);
    }
    // One broadcast to the cohort's own rooms: socket.io encodes the packet
    // (and so the model bytes) once, not once per member.
    if (socketIds.length > 0) this.io.to(socketIds).emit(ProtocolEvent.roundStart, info.message, model);
  }

  broadcastRoundClosed(info: RoundClosedInfo): void {
    const message: RoundClosedMessage = {
      v: PROTOCOL_VERSION,
      kind: MessageKind.roundClosed,
      roundId: info.roundId,
      outcome: RoundOutcome[info.outcome],
      modelVersion: info.modelVersion,
      accepted: info.accepted,
      ...(info.privacy !== undefined ? { privacy: info.privacy } : {}),
    };
    // Clients outside the cohort get only these small announcements, but one that never reads still piles them up.
    for (const connection of this.connections.values()) this.fellBehind(connection);
    this.io.emit(ProtocolEvent.roundClosed, message);
  }

  /** Sends one SecAgg+ stage message to a cohort member; a member that is gone has dropped out and gets nothing. */
  sendSecAgg(clientId: string, roundId: number, message: SecAggServerMessage): void {
    const connection = this.connections.get(clientId);
    if (connection === undefined || this.fellBehind(connection)) return;
    // Keys and ciphertexts ride in one attachment (socket.io refuses packets with more than 10).
    const { json, blob } = packBinaryFields(message);
    const envelope: SecAggServerEnvelope = { v: PROTOCOL_VERSION, kind: MessageKind.secAggServer, roundId, message: json as Record<string, unknown> };
    connection.socket.emit(ProtocolEvent.secAggServer, envelope, blob);
  }

  /**
   * Disconnects every client and closes socket.io and the HTTP server. Peers
   * have until `deadline` (a `performance.now()` time) to close their side;
   * whatever is still open then is destroyed.
   */
  async close(deadline = Number.POSITIVE_INFINITY): Promise<void> {
    const { httpServer } = this.deps;
    const closed = httpServer.listening ? new Promise<void>((resolve) => httpServer.once('close', () => resolve())) : Promise.resolve();
    // Not awaited before closeAllConnections(): socket.io's close() waits for the HTTP server's, which waits for
    // every connection, and Node stops timing out half-sent requests once close() is called.
    const everythingClosed = Promise.all([this.io.close(), closed]);
    // Idle keep-alive connections (a client that fetched /model) and half-sent requests: nothing more is answered on them.
    httpServer.closeAllConnections();
    if (await settlesWithin(everythingClosed, deadline - performance.now())) return;
    // Peers that neither read nor close (a WebSocket client waiting out its closing handshake).
    const destroyed = this.openConnections.destroyAll();
    this.deps.logger.warn({ destroyed }, 'shutdown deadline reached: destroyed the connections still open');
    await everythingClosed;
  }

  private authenticate(socket: Socket, next: (error?: Error) => void): void {
    const refuse = (reason: RejectReasonName, message: string): void => {
      this.deps.stats.reject(reason);
      this.deps.events.emit('rejected', { clientId: null, roundId: null, reason, stage: 'connection' });
      const error: RefusalError = new Error(message);
      error.data = { v: PROTOCOL_VERSION, kind: MessageKind.rejected, reason: RejectReason[reason], roundId: null, message };
      next(error);
    };
    try {
      const auth = parseHandshakeAuth(socket.handshake.auth);
      if (!auth.ok) {
        refuse(auth.reason === 'UNSUPPORTED_VERSION' ? 'UNSUPPORTED_VERSION' : 'BAD_TOKEN', auth.message);
        return;
      }
      const verified = verifyToken(this.deps.tokenSecret, auth.value.token);
      if (!verified.ok) {
        refuse('BAD_TOKEN', verified.failure === 'EXPIRED' ? 'token expired: enrol again' : 'invalid token');
        return;
      }
      if (this.deps.strikes.bannedUntil(verified.clientId) !== null) {
        refuse('TOO_MANY_STRIKES', 'too many refused messages: try again later');
        return;
      }
      (socket.data as SocketData).clientId = verified.clientId;
      next();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'authentication failed');
      refuse('INTERNAL', 'server error during authentication');
    }
  }

  private onConnection(socket: Socket): void {
    const clientId = (socket.data as SocketData).clientId;
    if (clientId === undefined) {
      socket.disconnect(true);
      return;
    }
    const connection: Connection = { clientId, socket };
    const previous = this.connections.get(clientId);
    // Register the new socket before dropping the old one, so the old one's
    // disconnect does not look like the client leaving its round.
    this.connections.set(clientId, connection);
    previous?.socket.disconnect(true);

    socket.on('disconnect', (reason) =>
      this.guard(connection, () => {
        if (this.connections.get(clientId) !== connection) return;
        this.connections.delete(clientId);
        this.deps.coordinator.clientDisconnected(clientId);
        this.deps.events.emit('clientDisconnected', { clientId, reason });
      }),
    );
    socket.on('error', (error) => this.deps.logger.warn({ err: error, clientId }, 'socket error'));
    socket.onAny((event: unknown) =>
      this.guard(connection, () => {
        if (typeof event !== 'string' || !CLIENT_EVENTS.has(event)) this.reject(connection, 'MALFORMED', null, 'unknown event');
      }),
    );
    socket.on(ProtocolEvent.ready, (...args: unknown[]) => this.guard(connection, () => this.onReady(connection, args)));
    socket.on(ProtocolEvent.update, (...args: unknown[]) => this.guard(connection, () => this.onUpdate(connection, args)));
    socket.on(ProtocolEvent.secAggClient, (...args: unknown[]) => this.guard(connection, () => this.onSecAgg(connection, args)));
    socket.on(ProtocolEvent.decline, (...args: unknown[]) => this.guard(connection, () => this.onDecline(connection, args)));

    const { model } = this.deps;
    const privacy = this.deps.privacySpend?.() ?? null;
    const welcome: WelcomeMessage = {
      v: PROTOCOL_VERSION,
      kind: MessageKind.welcome,
      clientId,
      modelVersion: model.version,
      shape: { numItems: model.shape.numItems, dim: model.shape.dim },
      maxUpdateBytes: this.maxUpdateBytes,
      ...(privacy !== null ? { privacy } : {}),
      acceptsDeclines: true,
    };
    socket.emit(ProtocolEvent.welcome, welcome);
    this.deps.events.emit('clientConnected', { clientId });
    const invitation = this.deps.coordinator.clientConnected(clientId);
    if (invitation !== null) socket.emit(ProtocolEvent.roundStart, invitation.message, invitation.model);
  }

  private onReady(connection: Connection, args: unknown[]): void {
    const payload = withoutAck(args);
    const parsed = parseMessage('ready', payload.length === 1 ? payload[0] : undefined);
    if (!parsed.ok) {
      this.reject(connection, parsed.reason, null, parsed.message);
      return;
    }
    this.deps.coordinator.clientReady(connection.clientId, parsed.value.eligible);
  }

  /** A cohort member sits the round out: counted by reason for `/status` and the round's log line. */
  private onDecline(connection: Connection, args: unknown[]): void {
    const payload = withoutAck(args);
    const parsed = parseMessage('decline', payload.length === 1 ? payload[0] : undefined);
    if (!parsed.ok) {
      this.reject(connection, parsed.reason, null, parsed.message);
      return;
    }
    this.deps.coordinator.clientDeclined(connection.clientId, parsed.value.roundId, parsed.value.reason);
  }

  private onUpdate(connection: Connection, args: unknown[]): void {
    const payload = withoutAck(args);
    if (payload.length !== 2) {
      this.reject(connection, 'MALFORMED', null, `expected metadata and one binary attachment, got ${payload.length} arguments`);
      return;
    }
    const parsed = parseMessage('update', payload[0]);
    if (!parsed.ok) {
      this.reject(connection, parsed.reason, null, parsed.message);
      return;
    }
    const result = this.deps.coordinator.submitUpdate(connection.clientId, parsed.value, payload[1]);
    if (!result.ok) {
      this.reject(connection, result.reason, result.roundId, result.message, undefined, result.strike);
      return;
    }
    const accepted: UpdateAcceptedMessage = { v: PROTOCOL_VERSION, kind: MessageKind.updateAccepted, roundId: result.roundId };
    connection.socket.emit(ProtocolEvent.updateAccepted, accepted);
    this.deps.events.emit('updateAccepted', { clientId: connection.clientId, roundId: result.roundId });
  }

  private onSecAgg(connection: Connection, args: unknown[]): void {
    const payload = withoutAck(args);
    if (payload.length !== 2) {
      this.reject(connection, 'MALFORMED', null, `expected metadata and one binary attachment, got ${payload.length} arguments`);
      return;
    }
    const parsed = parseMessage('secAggClient', payload[0]);
    if (!parsed.ok) {
      this.reject(connection, parsed.reason, null, parsed.message);
      return;
    }
    const blob = toBytes(payload[1]);
    if (blob === undefined) {
      this.reject(connection, 'MALFORMED', parsed.value.roundId, 'the attachment is not binary');
      return;
    }
    let message: unknown;
    try {
      message = unpackBinaryFields(parsed.value.message, blob);
    } catch (error) {
      this.reject(connection, 'MALFORMED', parsed.value.roundId, error instanceof RangeError ? error.message : 'bad binary placeholders');
      return;
    }
    const result = this.deps.coordinator.submitSecAgg(connection.clientId, { ...parsed.value, message: message as Record<string, unknown> });
    if (!result.ok) this.reject(connection, result.reason, result.roundId, result.message, result.secAggReason);
  }

  /** Counts the refusal, tells the client why, and disconnects (and bans) a client that keeps misbehaving, across reconnects. */
  private reject(connection: Connection, reason: RejectReasonName, roundId: number | null, message: string, secAggReason?: number, strike?: boolean): void {
    const { stats, events, logger } = this.deps;
    stats.reject(reason);
    events.emit('rejected', { clientId: connection.clientId, roundId, reason, stage: 'message' });
    logger.debug({ clientId: connection.clientId, roundId, reason }, 'message refused');
    this.send(connection, reason, roundId, message, secAggReason);
    const earnsStrike = strike === true || (STRIKE_REASONS.has(reason) && !(secAggReason !== undefined && LATE_SECAGG_REASONS.has(secAggReason)));
    if (!earnsStrike) return;
    const { strikes, struckOut } = this.deps.strikes.strike(connection.clientId);
    if (!struckOut) return;
    stats.reject('TOO_MANY_STRIKES');
    events.emit('rejected', { clientId: connection.clientId, roundId: null, reason: 'TOO_MANY_STRIKES', stage: 'message' });
    logger.warn({ clientId: connection.clientId, strikes }, 'client disconnected after too many refused messages');
    this.send(connection, 'TOO_MANY_STRIKES', null, `${strikes} refused messages: disconnecting`);
    // Queued packets (the refusals above) are flushed before the transport closes.
    connection.socket.disconnect(true);
  }

  /**
   * Whether more than `maxBufferedBytes` is queued for this client, unread; if
   * so it is counted, logged and cut off, and must be skipped in what is
   * being sent. The cut is deferred to a microtask: its disconnect then
   * reaches the coordinator after the round it is opening, not in the middle.
   */
  private fellBehind(connection: Connection): boolean {
    const queued = queuedBytes(connection.socket);
    if (queued <= this.maxBufferedBytes) return false;
    const { stats, events, logger } = this.deps;
    stats.reject('SLOW_CONSUMER');
    events.emit('rejected', { clientId: connection.clientId, roundId: null, reason: 'SLOW_CONSUMER', stage: 'delivery' });
    logger.warn({ clientId: connection.clientId, queuedBytes: queued, maxBufferedBytes: this.maxBufferedBytes }, 'client disconnected: it is not reading what the server sends');
    // Forgotten now, so that nothing more is sent to it before the cut; its departure is reported below, once.
    this.connections.delete(connection.clientId);
    queueMicrotask(() =>
      this.guard(connection, () => {
        this.deps.coordinator.clientDisconnected(connection.clientId);
        this.deps.events.emit('clientDisconnected', { clientId: connection.clientId, reason: 'slow consumer' });
        cutOff(connection.socket);
      }),
    );
    return true;
  }

  private send(connection: Connection, reason: RejectReasonName, roundId: number | null, message: string, secAggReason?: number): void {
    const rejected: RejectedMessage = {
      v: PROTOCOL_VERSION,
      kind: MessageKind.rejected,
      reason: RejectReason[reason],
      roundId,
      message,
      ...(secAggReason !== undefined ? { secAggReason } : {}),
    };
    connection.socket.emit(ProtocolEvent.rejected, rejected);
  }

  private guard(connection: Connection | null, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.deps.logger.error({ err: error, clientId: connection?.clientId }, 'socket handler failed');
      if (connection === null) return;
      try {
        this.deps.stats.reject('INTERNAL');
        this.send(connection, 'INTERNAL', null, 'server error while handling the message; nothing was changed');
      } catch {
        // The socket itself is broken; its disconnect handler cleans up.
      }
    }
  }
}

/** A client may pass an acknowledgement callback; the protocol replies with events instead, so it is ignored. */
function withoutAck(args: unknown[]): unknown[] {
  return args.filter((arg) => typeof arg !== 'function');
}
