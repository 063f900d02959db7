import type { Socket } from 'socket.io-client';
import type { RoundSecureAggregation } from '@fedrec/core';
import type { SecAggClientMessage } from '@fedrec/secagg';
import {
  MessageKind,
  PROTOCOL_VERSION,
  ProtocolEvent,
  packBinaryFields,
  parseMessage,
  toBytes,
  unpackBinaryFields,
  withUint8Arrays,
} from '@fedrec/core';
import {
  SecAggClient,
  SecAggStage,
  createRoundConfig,
  toModular,
} from '@fedrec/secagg';
import type { FedRecServer } from '@fedrec/server';
import { nextSocketEvent, rawAuth, rawSocket } from '../server/raw-socket.js';

/**
 * A cohort member played by hand over a bare socket: it runs `SecAggClient`
 * itself with an integer input the test chooses, so the test knows exactly
 * what the sum must be, and it can go silent (disconnect) at any stage, or
 * misbehave through `interpose`.
 */
export interface ScriptedClient {
  readonly socket: Socket;
  readonly clientId: string;
  /** The integer input this member masked, once it has been invited. */
  readonly input: () => Int32Array | null;
  /** Every `rejected` message the server sent. */
  readonly rejections: Record<string, unknown>[];
  /** Resolves once at least `count` rejections have arrived. */
  rejected(count: number): Promise<void>;
}

export interface ScriptedClientOptions {
  /** Disconnect instead of replying for this stage (0 = never advertise keys). */
  readonly dropAt?: number;
  /** Input for a round, from the invitation (must satisfy |v| ≤ coordinateBound). */
  readonly inputFor: (secure: RoundSecureAggregation, roundId: number) => Int32Array;
  /** Called with each reply before it is sent; returns the envelopes to send instead (raw: anything). */
  readonly interpose?: (reply: SecAggClientMessage, send: (message: unknown) => void) => void;
}

export function envelope(roundId: number, message: unknown): unknown {
  return { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId, message };
}

/** Emits a SecAgg message the way the real client does: JSON with placeholders plus one binary attachment. */
export function emitSecAgg(socket: Socket, roundId: number, message: unknown): void {
  const { json, blob } = packBinaryFields(message);
  socket.emit(ProtocolEvent.secAggClient, envelope(roundId, json), blob);
}

export async function startScriptedClient(server: FedRecServer, clientId: string, options: ScriptedClientOptions): Promise<ScriptedClient> {
  const { token } = server.issueToken({ clientId });
  const socket = rawSocket(server.address!.url, rawAuth(token));
  let input: Int32Array | null = null;
  let secagg: SecAggClient | null = null;
  let roundId = -1;
  const rejections: Record<string, unknown>[] = [];
  socket.on(ProtocolEvent.rejected, (meta: Record<string, unknown>) => rejections.push(meta));
  const send = (message: unknown): void => emitSecAgg(socket, roundId, message);
  const reply = (message: SecAggClientMessage | Promise<SecAggClientMessage>): void => {
    void Promise.resolve(message).then(replyNow);
  };
  const replyNow = (message: SecAggClientMessage): void => {
    if (options.dropAt === message.stage) {
      socket.disconnect();
      return;
    }
    if (options.interpose !== undefined) options.interpose(message, send);
    else send(message);
  };
  socket.on(ProtocolEvent.roundStart, (meta: unknown) => {
    const parsed = parseMessage('roundStart', withUint8Arrays(meta));
    if (!parsed.ok || parsed.value.secureAggregation === undefined || secagg !== null) return;
    const secure = parsed.value.secureAggregation;
    roundId = parsed.value.roundId;
    input = options.inputFor(secure, roundId);
    const config = createRoundConfig({ ...secure, roundId, graphSeed: secure.graphSeed });
    secagg = new SecAggClient({ config, index: secure.clientIndex });
    reply(secagg.advertiseKeys());
  });
  socket.on(ProtocolEvent.secAggServer, (meta: unknown, blob: unknown) => {
    const parsed = parseMessage('secAggServer', meta);
    if (!parsed.ok || secagg === null || parsed.value.roundId !== roundId) return;
    const message = unpackBinaryFields(parsed.value.message, toBytes(blob)!) as Record<string, unknown>;
    const bound = 2 ** 31 - 1;
    if (message['stage'] === SecAggStage.shareKeys) reply(secagg.shareKeys(message));
    else if (message['stage'] === SecAggStage.maskedInput) reply(secagg.maskedInput(message, toModular(input!, bound)));
    else reply(secagg.unmask(message));
  });
  const welcome = nextSocketEvent(socket, ProtocolEvent.welcome);
  await welcome;
  socket.emit(ProtocolEvent.ready, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true });
  const rejected = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (rejections.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out: ${rejections.length} of ${count} rejections`)), 20_000);
      // Registered after the collecting listener, so it sees the list already updated.
      const check = (): void => {
        if (rejections.length < count) return;
        clearTimeout(timer);
        socket.off(ProtocolEvent.rejected, check);
        resolve();
      };
      socket.on(ProtocolEvent.rejected, check);
    });
  return { socket, clientId, input: () => input, rejections, rejected };
}

/** Small deterministic integers for member `label`, within ±`magnitude`. */
export function integerInput(length: number, label: number, roundId: number, magnitude = 1000): Int32Array {
  const out = new Int32Array(length);
  let state = (label * 7919 + roundId * 104_729) >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = (state % (2 * magnitude + 1)) - magnitude;
  }
  return out;
}

/** Σ inputs, as float64 (the exact integer sum for these magnitudes). */
export function plainSum(inputs: readonly Int32Array[], length: number): Float64Array {
  const sum = new Float64Array(length);
  for (const input of inputs) for (let i = 0; i < length; i++) sum[i]! += input[i]!;
  return sum;
}
