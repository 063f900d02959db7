/**
 * Runs one SecAgg+ round entirely in memory: a server and its clients wired
 * directly, with optional dropouts and interposed traffic. Test support (not
 * exported by the package, not in dist/); a real deployment puts a transport (socket.io) between the same
 * `SecAggClient` and `SecAggServer` calls, in the same order.
 */
import type { RandomSource } from '@fedrec/core/random';
import { SecAggClient, type ClientShareRejection } from '../secagg-client.js';
import { SecAggError, type SecAggErrorCode } from '../secagg-error.js';
import { SecAggStage, type SecAggClientMessage, type SecAggServerMessage, type SecAggStageCode, type UnmaskingMessage } from '../secagg-messages.js';
import type { SecAggRejectReasonName } from '../secagg-reject-reason.js';
import { SecAggServer, type SecAggResult } from '../secagg-server.js';
import type { SecAggRoundConfig } from '../round-config.js';
import type { SecAggCrypto } from '../secagg-crypto.js';

export interface InMemoryRoundOptions {
  readonly config: SecAggRoundConfig;
  /** Each taking part client's input as uint32 residues (see `toModular`), by index; others never join. */
  readonly inputs: ReadonlyMap<number, Uint32Array>;
  /** Randomness per client (cryptographic when omitted). */
  readonly randomFor?: (index: number) => RandomSource;
  /** Clients that go silent from a stage on: 1 = advertised keys only, 2 = also shared, 3 = also sent a masked input. */
  readonly dropFrom?: ReadonlyMap<number, SecAggStageCode>;
  /** Interposes on client → server traffic: the messages to deliver instead (none drops it, two replay it). */
  readonly onClientMessage?: (message: SecAggClientMessage) => readonly unknown[];
  /** Interposes on server → client traffic: the message to deliver instead. */
  readonly onServerMessage?: (message: SecAggServerMessage) => unknown;
  /** X25519 and the mask PRG for the server and every client (default: the platform's fastest). */
  readonly primitives?: SecAggCrypto;
}

export interface RefusedMessage {
  readonly stage: SecAggStageCode;
  readonly reasonName: SecAggRejectReasonName;
  readonly detail: string;
}

export interface InMemoryRoundReport {
  readonly result: SecAggResult;
  /** Messages the server refused, in delivery order. */
  readonly refused: readonly RefusedMessage[];
  /** Clients that stopped because a step threw (e.g. a conflicting or malformed server message). */
  readonly clientFailures: ReadonlyMap<number, SecAggErrorCode>;
  /** Share pairs each client could not decrypt. */
  readonly rejectedShares: ReadonlyMap<number, readonly ClientShareRejection[]>;
  /** Every unmasking reply the clients produced (what the server can learn in stage 3). */
  readonly unmaskingMessages: readonly UnmaskingMessage[];
}

/** Runs the four stages; throws the server's SecAggError if the round aborts. */
export async function runInMemoryRound(options: InMemoryRoundOptions): Promise<InMemoryRoundReport> {
  const { config, inputs, dropFrom = new Map<number, SecAggStageCode>() } = options;
  const server = new SecAggServer(config, options.primitives === undefined ? {} : { primitives: options.primitives });
  const clients = new Map<number, SecAggClient>();
  for (const index of [...inputs.keys()].sort((a, b) => a - b)) {
    const random = options.randomFor?.(index);
    clients.set(index, new SecAggClient({ config, index, ...(random === undefined ? {} : { random }), ...(options.primitives === undefined ? {} : { primitives: options.primitives }) }));
  }
  const refused: RefusedMessage[] = [];
  const clientFailures = new Map<number, SecAggErrorCode>();
  const unmaskingMessages: UnmaskingMessage[] = [];

  const deliver = (message: SecAggClientMessage): void => {
    for (const delivered of options.onClientMessage?.(message) ?? [message]) {
      const outcome = server.receive(delivered);
      if (!outcome.accepted) refused.push({ stage: message.stage, reasonName: outcome.reasonName, detail: outcome.detail });
    }
  };
  const active = (index: number, stage: SecAggStageCode): SecAggClient | undefined => {
    const drop = dropFrom.get(index);
    if (clientFailures.has(index) || (drop !== undefined && drop <= stage)) return undefined;
    return clients.get(index);
  };
  const step = async (index: number, stage: SecAggStageCode, run: (client: SecAggClient) => SecAggClientMessage | Promise<SecAggClientMessage>): Promise<void> => {
    const client = active(index, stage);
    if (client === undefined) return;
    try {
      deliver(await run(client));
    } catch (error) {
      if (!(error instanceof SecAggError)) throw error;
      clientFailures.set(index, error.code);
    }
  };
  const toClient = (message: SecAggServerMessage): unknown => options.onServerMessage?.(message) ?? message;

  // Clients run one after another, as the server would see them arrive.
  for (const index of clients.keys()) await step(index, SecAggStage.advertiseKeys, (c) => c.advertiseKeys());
  let closed = await server.closeStage();
  if (closed.closedStage !== SecAggStage.advertiseKeys) throw new Error('unreachable: stages close in order');
  for (const m of closed.messages) await step(m.recipient, SecAggStage.shareKeys, (c) => c.shareKeys(toClient(m)));
  closed = await server.closeStage();
  if (closed.closedStage !== SecAggStage.shareKeys) throw new Error('unreachable: stages close in order');
  for (const m of closed.messages) await step(m.recipient, SecAggStage.maskedInput, (c) => c.maskedInput(toClient(m), inputs.get(m.recipient)!));
  closed = await server.closeStage();
  if (closed.closedStage !== SecAggStage.maskedInput) throw new Error('unreachable: stages close in order');
  for (const m of closed.messages) {
    await step(m.recipient, SecAggStage.unmasking, (c) => {
      const reply = c.unmask(toClient(m));
      unmaskingMessages.push(reply);
      return reply;
    });
  }
  closed = await server.closeStage();
  if (closed.closedStage !== SecAggStage.unmasking) throw new Error('unreachable: stages close in order');
  const rejectedShares = new Map([...clients].map(([index, client]) => [index, client.rejectedShares] as const));
  return { result: closed.result, refused, clientFailures, rejectedShares, unmaskingMessages };
}
