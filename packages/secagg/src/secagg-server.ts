/**
 * The server side of SecAgg+ (Bell et al. CCS 2020, §4, on Bonawitz et al.
 * CCS 2017, §4), transport-agnostic: `receive` takes any decoded client
 * message and accepts it or refuses it with a reason code; `closeStage` ends
 * the open stage (the transport decides when: all replies in, or a deadline)
 * and returns the messages to send to each surviving client, or, after the
 * last stage, the sum.
 *
 *   const server = new SecAggServer(config);
 *   on(message => reply(server.receive(message)));
 *   const { messages } = await server.closeStage();  // stages 0, 1, 2: send each to its recipient
 *   const { result } = await server.closeStage();    // stage 3: result.sum
 *
 * Closing stages 0–2 finishes synchronously (the promise is already settled
 * when `closeStage` returns); closing the last stage awaits the native crypto
 * that removes the masks, and meanwhile the server is `finishing` and
 * refuses messages (ROUND_ENDED).
 *
 * The participant sets shrink stage by stage (U₁ ⊇ U₂ ⊇ U₃ ⊇ U₄ in the
 * paper's notation); a client that misses a stage has dropped out. The round
 * aborts with SecAggError TOO_FEW_SURVIVORS when fewer than t clients complete
 * a stage or some client's secrets have fewer than t holders left, and with
 * RECONSTRUCTION_FAILED when shares do not reconstruct a consistent secret.
 *
 * `receive` never throws and never changes state for a refused message, so a
 * malformed, replayed or out-of-order message cannot break the round for the
 * honest clients.
 */
import { isValidPublicKey, pairwiseMaskSeedFromSecret, publicKeyFor, sharedSecrets } from './key-agreement.js';
import { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
import { type SecAggCrypto } from './secagg-crypto.js';
import { createNeighbourGraph, type NeighbourGraph } from './neighbour-graph.js';
import type { SecAggRoundConfig } from './round-config.js';
import { combineShares } from './shamir.js';
import { SecAggError } from './secagg-error.js';
import {
  CLIENT_MESSAGE_SCHEMAS,
  describeIssues,
  SECAGG_SECRET_BYTES,
  SECAGG_SERVER_SENDER,
  SecAggStage,
  type AdvertiseKeysMessage,
  type KeysBroadcastMessage,
  type MaskedInputMessage,
  type SecAggStageCode,
  type ShareKeysMessage,
  type SharesRoutedMessage,
  type UnmaskingMessage,
  type UnmaskRequestMessage,
} from './secagg-messages.js';
import { addExpandedMasks, addMod32, bytesToWords, maskSign } from './secagg-plus.js';
import { SecAggRejectReason, type SecAggRejectReasonCode, type SecAggRejectReasonName } from './secagg-reject-reason.js';

export type SecAggReceiveResult =
  | { readonly accepted: true }
  | {
      readonly accepted: false;
      readonly reason: SecAggRejectReasonCode;
      readonly reasonName: SecAggRejectReasonName;
      /** What was wrong, naming fields and indices only (safe to log and to send back). */
      readonly detail: string;
    };

export interface SecAggResult {
  /** Σ x_u mod 2^32 over `contributors`: exactly the sum of their inputs. */
  readonly sum: Uint32Array;
  /** U₃: the clients whose inputs are in the sum, ascending. */
  readonly contributors: readonly number[];
  /** U₂ \ U₃: clients that shared keys but sent no masked input (their pairwise masks were removed). */
  readonly droppedAfterSharing: readonly number[];
}

export type SecAggStageClosed =
  | { readonly closedStage: typeof SecAggStage.advertiseKeys; readonly messages: readonly KeysBroadcastMessage[] }
  | { readonly closedStage: typeof SecAggStage.shareKeys; readonly messages: readonly SharesRoutedMessage[] }
  | { readonly closedStage: typeof SecAggStage.maskedInput; readonly messages: readonly UnmaskRequestMessage[] }
  | { readonly closedStage: typeof SecAggStage.unmasking; readonly result: SecAggResult };

interface Unmasking {
  readonly selfMask: ReadonlyMap<number, Uint8Array>;
  readonly maskKey: ReadonlyMap<number, Uint8Array>;
}

class Rejection extends Error {
  constructor(
    readonly reasonName: SecAggRejectReasonName,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const ascending = (a: number, b: number): number => a - b;
// Copies of untrusted bytes are taken with Uint8Array.from: a Node Buffer's
// slice() is a view, so a caller reusing its buffer could change stored keys.
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export class SecAggServer {
  readonly config: SecAggRoundConfig;
  readonly #graph: NeighbourGraph;
  readonly #primitives: SecAggCrypto | undefined;
  #stage: SecAggStageCode | 'finishing' | 'finished' | 'aborted' = SecAggStage.advertiseKeys;
  /** U₁: advertised keys. */
  readonly #keys = new Map<number, AdvertiseKeysMessage>();
  readonly #advertisedKeys = new Set<string>();
  /** U₂: shares, by sender, then receiver. */
  readonly #shares = new Map<number, ReadonlyMap<number, Uint8Array>>();
  /** U₃: masked inputs are added into `#sum` on arrival; only the senders are kept. */
  readonly #maskedSenders = new Set<number>();
  readonly #sum: Uint32Array;
  /** U₄: revealed shares, by sender. */
  readonly #unmasking = new Map<number, Unmasking>();

  /** `primitives`: X25519 and the mask PRG; default the platform's fastest (`resolveSecAggCrypto`). */
  constructor(config: SecAggRoundConfig, options: { readonly primitives?: SecAggCrypto } = {}) {
    this.config = config;
    this.#primitives = options.primitives;
    this.#graph = createNeighbourGraph(config.clientCount, config.neighbourCount, config.graphSeed);
    this.#sum = new Uint32Array(config.vectorLength);
  }

  /** The open stage, `finishing` while the last one closes, or how the round ended. */
  get stage(): SecAggStageCode | 'finishing' | 'finished' | 'aborted' {
    return this.#stage;
  }

  /** The clients that completed `stage` so far (U₁…U₄), ascending. */
  participants(stage: SecAggStageCode): number[] {
    const set = [this.#keys, this.#shares, this.#maskedSenders, this.#unmasking][stage];
    return set === undefined ? [] : [...set.keys()].sort(ascending);
  }

  /** Accepts a client message for the open stage, or refuses it with a reason; never throws. */
  receive(raw: unknown): SecAggReceiveResult {
    try {
      this.#accept(raw);
      return { accepted: true };
    } catch (error) {
      if (error instanceof Rejection) {
        return { accepted: false, reason: SecAggRejectReason[error.reasonName], reasonName: error.reasonName, detail: error.detail };
      }
      return { accepted: false, reason: SecAggRejectReason.INTERNAL, reasonName: 'INTERNAL', detail: 'the server failed while handling the message' };
    }
  }

  /**
   * Ends the open stage. Returns the server's messages for the next stage (one
   * per surviving client) or, after unmasking, the result. Throws SecAggError
   * (TOO_FEW_SURVIVORS, RECONSTRUCTION_FAILED) when the round must abort, and
   * OUT_OF_ORDER once it has ended.
   */
  async closeStage(): Promise<SecAggStageClosed> {
    const stage = this.#stage;
    if (stage === 'finishing' || stage === 'finished' || stage === 'aborted') throw new SecAggError('OUT_OF_ORDER', `expected an open stage, but the round is ${stage}`);
    try {
      switch (stage) {
        case SecAggStage.advertiseKeys:
          return this.#closeAdvertiseKeys();
        case SecAggStage.shareKeys:
          return this.#closeShareKeys();
        case SecAggStage.maskedInput:
          return this.#closeMaskedInput();
        case SecAggStage.unmasking:
          this.#stage = 'finishing';
          return await this.#closeUnmasking();
      }
    } catch (error) {
      this.#stage = 'aborted';
      throw error;
    }
  }

  #accept(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Rejection('MALFORMED', 'expected an object');
    if (this.#stage === 'finishing' || this.#stage === 'finished' || this.#stage === 'aborted') throw new Rejection('ROUND_ENDED', `the round is ${this.#stage}`);
    const envelope = raw as Record<string, unknown>;
    if (envelope['roundId'] !== this.config.roundId) throw new Rejection('WRONG_ROUND', `expected roundId ${this.config.roundId}`);
    const stage = envelope['stage'];
    if (stage !== 0 && stage !== 1 && stage !== 2 && stage !== 3) throw new Rejection('MALFORMED', 'stage: expected 0, 1, 2 or 3');
    if (stage !== this.#stage) throw new Rejection('WRONG_STAGE', `expected a message for stage ${this.#stage}, got stage ${stage}`);
    const parsed = CLIENT_MESSAGE_SCHEMAS[stage].safeParse(raw);
    if (!parsed.success) throw new Rejection('MALFORMED', describeIssues(parsed.error));
    const message = parsed.data;
    if (message.sender > this.config.clientCount) throw new Rejection('NOT_IN_COHORT', `sender ${message.sender} is not in the cohort 1…${this.config.clientCount}`);
    switch (message.stage) {
      case SecAggStage.advertiseKeys:
        return this.#acceptKeys(message);
      case SecAggStage.shareKeys:
        return this.#acceptShares(message);
      case SecAggStage.maskedInput:
        return this.#acceptMaskedInput(message);
      case SecAggStage.unmasking:
        return this.#acceptUnmasking(message);
    }
  }

  #expectNew(set: ReadonlyMap<number, unknown> | ReadonlySet<number>, sender: number): void {
    if (set.has(sender)) throw new Rejection('DUPLICATE', `sender ${sender} already delivered stage ${this.#stage}`);
  }

  #expectIn(set: ReadonlyMap<number, unknown> | ReadonlySet<number>, sender: number, stage: SecAggStageCode): void {
    if (!set.has(sender)) throw new Rejection('DROPPED_EARLIER', `sender ${sender} did not complete stage ${stage}`);
  }

  #acceptKeys(message: AdvertiseKeysMessage): void {
    const { sender, encryptionPublicKey, maskPublicKey } = message;
    this.#expectNew(this.#keys, sender);
    for (const [name, key] of [['encryptionPublicKey', encryptionPublicKey], ['maskPublicKey', maskPublicKey]] as const) {
      if (!isValidPublicKey(key)) throw new Rejection('BAD_KEY', `${name} is not an X25519 public key of large order`);
    }
    const keyIds = [hex(encryptionPublicKey), hex(maskPublicKey)];
    // Copied keys would let a client stand in for another's pairwise masks; distinct keys are part of the protocol.
    if (keyIds[0] === keyIds[1] || keyIds.some((id) => this.#advertisedKeys.has(id))) {
      throw new Rejection('BAD_KEY', 'public keys must be distinct from each other and from every key already advertised');
    }
    this.#keys.set(sender, { ...message, encryptionPublicKey: Uint8Array.from(encryptionPublicKey), maskPublicKey: Uint8Array.from(maskPublicKey) });
    keyIds.forEach((id) => this.#advertisedKeys.add(id));
  }

  #acceptShares(message: ShareKeysMessage): void {
    const { sender, shares } = message;
    this.#expectIn(this.#keys, sender, SecAggStage.advertiseKeys);
    this.#expectNew(this.#shares, sender);
    const expected = this.#advertisedNeighbours(sender);
    const byReceiver = new Map<number, Uint8Array>();
    for (const { receiver, ciphertext } of shares) {
      if (!expected.includes(receiver)) throw new Rejection('BAD_RECIPIENTS', `receiver ${receiver} is not a neighbour of ${sender} that advertised keys`);
      if (byReceiver.has(receiver)) throw new Rejection('BAD_RECIPIENTS', `receiver ${receiver} appears twice`);
      byReceiver.set(receiver, Uint8Array.from(ciphertext));
    }
    if (byReceiver.size !== expected.length) throw new Rejection('BAD_RECIPIENTS', `expected shares for ${expected.length} neighbours, got ${byReceiver.size}`);
    this.#shares.set(sender, byReceiver);
  }

  #acceptMaskedInput(message: MaskedInputMessage): void {
    const { sender, maskedInput } = message;
    this.#expectIn(this.#shares, sender, SecAggStage.shareKeys);
    this.#expectNew(this.#maskedSenders, sender);
    if (maskedInput.length !== 4 * this.config.vectorLength) {
      throw new Rejection('WRONG_LENGTH', `expected ${this.config.vectorLength} words (${4 * this.config.vectorLength} bytes), got ${maskedInput.length} bytes`);
    }
    addMod32(this.#sum, bytesToWords(maskedInput), 1);
    this.#maskedSenders.add(sender);
  }

  #acceptUnmasking(message: UnmaskingMessage): void {
    const { sender, selfMaskShares, maskKeyShares } = message;
    this.#expectIn(this.#maskedSenders, sender, SecAggStage.maskedInput);
    this.#expectNew(this.#unmasking, sender);
    // The sender holds shares of itself and of its neighbours that shared keys.
    const holds = (owner: number): boolean => owner === sender || (this.#shares.has(owner) && this.#graph.areNeighbours(sender, owner));
    const collect = (list: readonly { owner: number; share: Uint8Array }[], survived: boolean, kind: string): Map<number, Uint8Array> => {
      const out = new Map<number, Uint8Array>();
      for (const { owner, share } of list) {
        if (!holds(owner)) throw new Rejection('BAD_UNMASKING', `sender ${sender} holds no share of client ${owner}`);
        // The kind must match the owner's fate: this is the server half of "never both".
        if (this.#maskedSenders.has(owner) !== survived) throw new Rejection('BAD_UNMASKING', `a ${kind} share of client ${owner}, which ${survived ? 'dropped' : 'survived'}`);
        if (owner === sender && !survived) throw new Rejection('BAD_UNMASKING', `sender ${sender} revealed its own mask key`);
        if (out.has(owner)) throw new Rejection('BAD_UNMASKING', `two ${kind} shares of client ${owner}`);
        out.set(owner, Uint8Array.from(share));
      }
      return out;
    };
    const selfMask = collect(selfMaskShares, true, 'self-mask');
    const maskKey = collect(maskKeyShares, false, 'mask-key');
    this.#unmasking.set(sender, { selfMask, maskKey });
  }

  /** Neighbours of `client` that advertised keys (U₁ ∩ N(client)), ascending. */
  #advertisedNeighbours(client: number): number[] {
    return this.#graph.neighbours(client).filter((v) => this.#keys.has(v));
  }

  #assertEnough(count: number, what: string): void {
    if (count < this.config.threshold) {
      throw new SecAggError('TOO_FEW_SURVIVORS', `expected at least ${this.config.threshold} ${what}, got ${count}: the round is aborted`);
    }
  }

  #closeAdvertiseKeys(): SecAggStageClosed {
    this.#assertEnough(this.#keys.size, 'clients to advertise keys');
    const messages = [...this.#keys.keys()].sort(ascending).map((recipient): KeysBroadcastMessage => ({
      roundId: this.config.roundId,
      stage: SecAggStage.shareKeys,
      sender: SECAGG_SERVER_SENDER,
      recipient,
      neighbours: this.#advertisedNeighbours(recipient).map((index) => {
        const { encryptionPublicKey, maskPublicKey } = this.#keys.get(index)!;
        return { index, encryptionPublicKey, maskPublicKey };
      }),
    }));
    this.#stage = SecAggStage.shareKeys;
    return { closedStage: SecAggStage.advertiseKeys, messages };
  }

  #closeShareKeys(): SecAggStageClosed {
    this.#assertEnough(this.#shares.size, 'clients to share keys');
    const messages = [...this.#shares.keys()].sort(ascending).map((recipient): SharesRoutedMessage => ({
      roundId: this.config.roundId,
      stage: SecAggStage.maskedInput,
      sender: SECAGG_SERVER_SENDER,
      recipient,
      // Only from clients that completed stage 1: these are exactly the neighbours the recipient masks with.
      shares: this.#graph
        .neighbours(recipient)
        .filter((from) => this.#shares.has(from))
        .map((from) => ({ from, ciphertext: this.#shares.get(from)!.get(recipient)! })),
    }));
    this.#stage = SecAggStage.maskedInput;
    return { closedStage: SecAggStage.shareKeys, messages };
  }

  #closeMaskedInput(): SecAggStageClosed {
    this.#assertEnough(this.#maskedSenders.size, 'masked inputs');
    // Abort now rather than after unmasking if some secret can no longer have t holders answer.
    for (const owner of this.#shares.keys()) this.#assertEnough(this.#survivingHolders(owner), `surviving holders of client ${owner}'s shares`);
    const messages = [...this.#maskedSenders].sort(ascending).map((recipient): UnmaskRequestMessage => ({
      roundId: this.config.roundId,
      stage: SecAggStage.unmasking,
      sender: SECAGG_SERVER_SENDER,
      recipient,
      survivors: this.#graph.neighbours(recipient).filter((v) => this.#maskedSenders.has(v)),
    }));
    this.#stage = SecAggStage.unmasking;
    return { closedStage: SecAggStage.maskedInput, messages };
  }

  /** Holders of `owner`'s shares that sent a masked input: its neighbours in U₃, and itself if in U₃. */
  #survivingHolders(owner: number): number {
    const neighbours = this.#graph.neighbours(owner).filter((v) => this.#maskedSenders.has(v)).length;
    return neighbours + (this.#maskedSenders.has(owner) ? 1 : 0);
  }

  #reconstruct(owner: number, kind: 'selfMask' | 'maskKey'): Uint8Array {
    const shares: { x: number; y: Uint8Array }[] = [];
    for (const [holder, revealed] of this.#unmasking) {
      const share = revealed[kind].get(owner);
      if (share !== undefined) shares.push({ x: holder, y: share });
    }
    const what = kind === 'selfMask' ? 'self-mask' : 'mask-key';
    this.#assertEnough(shares.length, `${what} shares of client ${owner}`);
    try {
      return combineShares(shares, this.config.threshold, SECAGG_SECRET_BYTES);
    } catch (error) {
      if (error instanceof SecAggError) throw new SecAggError('RECONSTRUCTION_FAILED', `expected the ${what} shares of client ${owner} to reconstruct (${error.code})`);
      throw error;
    }
  }

  async #closeUnmasking(): Promise<SecAggStageClosed> {
    this.#assertEnough(this.#unmasking.size, 'unmasking replies');
    const primitives = this.#primitives ?? (await resolveSecAggCrypto());
    const contributors = [...this.#maskedSenders].sort(ascending);
    const dropped = [...this.#shares.keys()].filter((u) => !this.#maskedSenders.has(u)).sort(ascending);
    // Reconstruct every secret before touching the sum, so an abort leaves nothing half-done.
    const selfMaskSeeds = contributors.map((u) => this.#reconstruct(u, 'selfMask'));
    const maskKeys = dropped.map((u) => this.#reconstruct(u, 'maskKey'));
    const publicKeys = await Promise.all(maskKeys.map((secretKey) => publicKeyFor(secretKey, primitives)));
    dropped.forEach((u, i) => {
      if (hex(publicKeys[i]!) !== hex(this.#keys.get(u)!.maskPublicKey)) {
        throw new SecAggError('RECONSTRUCTION_FAILED', `expected the mask key of client ${u} to match its advertised public key`);
      }
    });
    // Each surviving neighbour v of a dropped u added sign(v, u)·PRG(s_{v,u}); take it back out.
    const pairwise = await Promise.all(
      dropped.map(async (u, i) => {
        const survivors = this.#graph.neighbours(u).filter((v) => this.#maskedSenders.has(v));
        const secrets = await sharedSecrets({ secretKey: maskKeys[i]!, publicKey: publicKeys[i]! }, survivors.map((v) => this.#keys.get(v)!.maskPublicKey), primitives);
        return survivors.map((v, j) => ({ seed: pairwiseMaskSeedFromSecret(secrets[j]!, this.config.roundId, u, v), sign: maskSign(v, u) === 1 ? (-1 as const) : (1 as const) }));
      }),
    );
    const sum = this.#sum.slice();
    await addExpandedMasks(sum, [...selfMaskSeeds.map((seed) => ({ seed, sign: -1 as const })), ...pairwise.flat()], primitives);
    this.#stage = 'finished';
    return { closedStage: SecAggStage.unmasking, result: { sum, contributors, droppedAfterSharing: dropped } };
  }
}
