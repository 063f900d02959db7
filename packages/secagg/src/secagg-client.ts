/**
 * The client side of SecAgg+ (Bell et al. CCS 2020, §4, on Bonawitz et al.
 * CCS 2017, §4 "Practical Secure Aggregation"), transport-agnostic: each step
 * takes the server's message for the stage (untrusted: validated here) and
 * returns the client's reply; sending them is the caller's business.
 *
 *   const client = new SecAggClient({ config, index });
 *   send(await client.advertiseKeys());                  // stage 0
 *   send(await client.shareKeys(keysBroadcast));         // stage 1
 *   send(await client.maskedInput(sharesRouted, input)); // stage 2
 *   send(client.unmask(unmaskRequest));                  // stage 3
 *
 * The first three steps are asynchronous because their key agreements and
 * mask expansions run on the platform's native crypto (secagg-crypto.ts).
 * A step called out of order, or while another is still running, throws
 * SecAggError OUT_OF_ORDER; a server
 * message that breaks the protocol throws PROTOCOL_VIOLATION (or
 * TOO_FEW_SURVIVORS), and in both cases the client's state is unchanged. A
 * neighbour's share that fails to decrypt is not fatal: it is recorded in
 * `rejectedShares` and left out of the unmasking reply (the other holders'
 * shares suffice), while the pairwise mask with that neighbour is still added,
 * since the server counts it as masked.
 *
 * Security model: the semi-honest server of Bell et al.'s first construction
 * (and of Bonawitz et al. without the consistency-check round). Whatever the
 * server asks, this client never reveals both the self-mask share and the
 * mask-key share of the same neighbour.
 */
import type { RandomSource } from '@fedrec/core/random';
import { createCryptoRandomSource } from '@fedrec/core/random';
import { openBox, sealBox, shareAssociatedData } from './authenticated-encryption.js';
import { deriveKey, generateKeyPair, isValidPublicKey, pairwiseMaskSeedFromSecret, sharedSecrets, type X25519KeyPair } from './key-agreement.js';
import { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
import { type SecAggCrypto } from './secagg-crypto.js';
import { createNeighbourGraph, type NeighbourGraph } from './neighbour-graph.js';
import type { SecAggRoundConfig } from './round-config.js';
import { splitSecret } from './shamir.js';
import { SecAggError, type SecAggErrorCode } from './secagg-error.js';
import {
  describeIssues,
  keysBroadcastMessageSchema,
  SECAGG_SECRET_BYTES,
  SecAggStage,
  sharesRoutedMessageSchema,
  unmaskRequestMessageSchema,
  type AdvertiseKeysMessage,
  type MaskedInputMessage,
  type SecAggStageCode,
  type ShareKeysMessage,
  type UnmaskingMessage,
} from './secagg-messages.js';
import { addExpandedMasks, decodeSharePair, encodeSharePair, maskSign, wordsToBytes, type SharePair } from './secagg-plus.js';
import { randomBytes } from '@fedrec/core/random';
import type * as z from './zod.js';

export interface SecAggClientOptions {
  readonly config: SecAggRoundConfig;
  /** This client's index in the cohort, 1…n. */
  readonly index: number;
  /** Keys, seeds, share polynomials and nonces. Cryptographic by default; a seeded source only in simulation. */
  readonly random?: RandomSource;
  /** X25519 and the mask PRG. Default: the platform's fastest (`resolveSecAggCrypto`). */
  readonly primitives?: SecAggCrypto;
}

/** A neighbour's sealed share pair that this client could not use. */
export interface ClientShareRejection {
  readonly from: number;
  readonly code: SecAggErrorCode;
}

interface NeighbourKeys {
  readonly encryptionPublicKey: Uint8Array;
  readonly maskPublicKey: Uint8Array;
}

type Revealed = 'selfMask' | 'maskKey';

export class SecAggClient {
  readonly config: SecAggRoundConfig;
  readonly index: number;
  readonly #random: RandomSource;
  readonly #graph: NeighbourGraph;
  readonly #primitives: Promise<SecAggCrypto>;
  /** A step is awaiting its crypto: any other call is out of order until it settles. */
  #busy = false;
  #next: SecAggStageCode | 'done' = SecAggStage.advertiseKeys;
  #encryptionKeys: X25519KeyPair | undefined;
  #maskKeys: X25519KeyPair | undefined;
  #neighbourKeys = new Map<number, NeighbourKeys>();
  /** X25519 secrets agreed with each neighbour's encryption key: both directions' keys derive from one. */
  #encryptionSecrets = new Map<number, Uint8Array>();
  /** This client's own share of its self-mask seed (its mask-key share is never revealed, so not kept). */
  #ownSelfMaskShare: Uint8Array | undefined;
  #selfMaskSeed: Uint8Array | undefined;
  #maskingNeighbours: readonly number[] = [];
  #heldShares = new Map<number, SharePair>();
  #revealed = new Map<number, Revealed>();
  #rejectedShares: ClientShareRejection[] = [];

  constructor(options: SecAggClientOptions) {
    const { config, index } = options;
    if (!Number.isSafeInteger(index) || index < 1 || index > config.clientCount) {
      throw new RangeError(`expected index in [1, ${config.clientCount}], got ${index}`);
    }
    this.config = config;
    this.index = index;
    this.#random = options.random ?? createCryptoRandomSource();
    this.#graph = createNeighbourGraph(config.clientCount, config.neighbourCount, config.graphSeed);
    this.#primitives = options.primitives !== undefined ? Promise.resolve(options.primitives) : resolveSecAggCrypto();
  }

  /** The stage whose step is to be called next, or 'done' after unmasking. */
  get stage(): SecAggStageCode | 'done' {
    return this.#next;
  }

  /** Neighbours' share pairs that failed to decrypt or decode (e.g. tampered in transit). */
  get rejectedShares(): readonly ClientShareRejection[] {
    return this.#rejectedShares;
  }

  /** This client's neighbours in the round's graph (fixed by the public seed). */
  get neighbours(): readonly number[] {
    return this.#graph.neighbours(this.index);
  }

  /** Stage 0: fresh key pairs for share encryption and for pairwise masks. */
  advertiseKeys(): Promise<AdvertiseKeysMessage> {
    return this.#run(SecAggStage.advertiseKeys, async () => {
      const primitives = await this.#primitives;
      const [encryptionKeys, maskKeys] = await Promise.all([generateKeyPair(this.#random, primitives), generateKeyPair(this.#random, primitives)]);
      this.#encryptionKeys = encryptionKeys;
      this.#maskKeys = maskKeys;
      this.#next = SecAggStage.shareKeys;
      return {
        roundId: this.config.roundId,
        stage: SecAggStage.advertiseKeys,
        sender: this.index,
        encryptionPublicKey: encryptionKeys.publicKey,
        maskPublicKey: maskKeys.publicKey,
      };
    });
  }

  /**
   * Stage 1: t-of-(k+1) Shamir shares of a fresh self-mask seed b_u and of the
   * mask secret key, one pair per neighbour that advertised (plus one kept for
   * itself), each sealed for its holder.
   */
  shareKeys(raw: unknown): Promise<ShareKeysMessage> {
    return this.#run(SecAggStage.shareKeys, async () => {
      const message = this.#parse(keysBroadcastMessageSchema, raw, SecAggStage.shareKeys);
      const keys = new Map<number, NeighbourKeys>();
      for (const { index, encryptionPublicKey, maskPublicKey } of message.neighbours) {
        if (!this.#graph.areNeighbours(this.index, index)) throw this.#violation(`keys of client ${index}, which is not a neighbour`);
        if (keys.has(index)) throw this.#violation(`keys of client ${index} twice`);
        // A bad key refuses the whole message before any state changes (and names the neighbour).
        if (!isValidPublicKey(encryptionPublicKey) || !isValidPublicKey(maskPublicKey)) throw this.#violation(`an invalid public key for client ${index}`);
        keys.set(index, { encryptionPublicKey: Uint8Array.from(encryptionPublicKey), maskPublicKey: Uint8Array.from(maskPublicKey) });
      }
      this.#assertEnoughHolders(keys.size, 'advertised keys');
      const holders = [...keys.keys()].sort((a, b) => a - b);
      const agreed = await sharedSecrets(
        this.#encryptionKeys!,
        holders.map((v) => keys.get(v)!.encryptionPublicKey),
        await this.#primitives,
      );
      const secrets = new Map(holders.map((v, i) => [v, agreed[i]!] as const));
      const selfMaskSeed = randomBytes(this.#random, SECAGG_SECRET_BYTES);
      const xs = [this.index, ...holders];
      const selfMaskShares = splitSecret(selfMaskSeed, this.config.threshold, xs, this.#random);
      const maskKeyShares = splitSecret(this.#maskKeys!.secretKey, this.config.threshold, xs, this.#random);
      const shares = holders.map((receiver, i) => ({
        receiver,
        ciphertext: sealBox(
          deriveKey(secrets.get(receiver)!, 'shareEncryption', this.config.roundId, this.index, receiver),
          encodeSharePair({ selfMaskShare: selfMaskShares[i + 1]!.y, maskKeyShare: maskKeyShares[i + 1]!.y }),
          shareAssociatedData(this.config.roundId, this.index, receiver),
          this.#random,
        ),
      }));
      this.#neighbourKeys = keys;
      this.#encryptionSecrets = secrets;
      this.#selfMaskSeed = selfMaskSeed;
      this.#ownSelfMaskShare = selfMaskShares[0]!.y;
      this.#next = SecAggStage.maskedInput;
      return { roundId: this.config.roundId, stage: SecAggStage.shareKeys, sender: this.index, shares };
    });
  }

  /**
   * Stage 2: y = x + PRG(b_u) + Σ_v sign(u, v)·PRG(s_{u,v}) mod 2^32 over the
   * neighbours whose shares the server relayed (those that completed stage 1).
   * `input` is the quantised update as uint32 residues (see `toModular`).
   */
  maskedInput(raw: unknown, input: Uint32Array): Promise<MaskedInputMessage> {
    if (!(input instanceof Uint32Array) || input.length !== this.config.vectorLength) {
      return Promise.reject(new RangeError(`expected input to be a Uint32Array of ${this.config.vectorLength} words`));
    }
    return this.#run(SecAggStage.maskedInput, async () => {
      const message = this.#parse(sharesRoutedMessageSchema, raw, SecAggStage.maskedInput);
      const senders = new Set<number>();
      for (const { from } of message.shares) {
        if (!this.#neighbourKeys.has(from)) throw this.#violation(`shares from client ${from}, which did not advertise keys to this client`);
        if (senders.has(from)) throw this.#violation(`shares from client ${from} twice`);
        senders.add(from);
      }
      this.#assertEnoughHolders(senders.size, 'shares');
      const maskingNeighbours = [...senders].sort((a, b) => a - b);
      const primitives = await this.#primitives;
      const agreed = await sharedSecrets(
        this.#maskKeys!,
        maskingNeighbours.map((v) => this.#neighbourKeys.get(v)!.maskPublicKey),
        primitives,
      );
      const maskSeeds = maskingNeighbours.map((v, i) => ({ v, seed: pairwiseMaskSeedFromSecret(agreed[i]!, this.config.roundId, this.index, v) }));
      const held = new Map<number, SharePair>();
      const rejected: ClientShareRejection[] = [];
      for (const { from, ciphertext } of message.shares) {
        try {
          const key = deriveKey(this.#encryptionSecrets.get(from)!, 'shareEncryption', this.config.roundId, from, this.index);
          held.set(from, decodeSharePair(openBox(key, ciphertext, shareAssociatedData(this.config.roundId, from, this.index))));
        } catch (error) {
          if (!(error instanceof SecAggError)) throw error;
          rejected.push({ from, code: error.code });
        }
      }
      const masked = Uint32Array.from(input);
      await addExpandedMasks(
        masked,
        [{ seed: this.#selfMaskSeed!, sign: 1 }, ...maskSeeds.map(({ v, seed }) => ({ seed, sign: maskSign(this.index, v) }))],
        primitives,
      );
      this.#heldShares = held;
      this.#rejectedShares = rejected;
      this.#maskingNeighbours = maskingNeighbours;
      this.#next = SecAggStage.unmasking;
      // Unmasking needs only the held shares. Overwrite the rest (best effort: a
      // garbage-collected runtime may have copied them, but no reference stays here).
      for (const secret of [this.#selfMaskSeed!, this.#maskKeys!.secretKey, this.#encryptionKeys!.secretKey, ...this.#encryptionSecrets.values(), ...agreed, ...maskSeeds.map(({ seed }) => seed)]) {
        secret.fill(0);
      }
      this.#selfMaskSeed = undefined;
      this.#encryptionSecrets = new Map();
      return { roundId: this.config.roundId, stage: SecAggStage.maskedInput, sender: this.index, maskedInput: wordsToBytes(masked) };
    });
  }
  /**
   * Stage 3: for each masking neighbour, its self-mask share if the server says
   * it survived, else its mask-key share; plus this client's own self-mask
   * share. May be called again (a retransmission) with a consistent request;
   * a request that would reveal the other kind of share for any neighbour
   * throws CONFLICTING_UNMASK_REQUEST and reveals nothing.
   */
  unmask(raw: unknown): UnmaskingMessage {
    if (this.#busy) throw new SecAggError('OUT_OF_ORDER', 'expected the previous step to have finished');
    if (this.#next !== SecAggStage.unmasking && this.#next !== 'done') this.#expectStage(SecAggStage.unmasking);
    const message = this.#parse(unmaskRequestMessageSchema, raw, SecAggStage.unmasking);
    const masking = new Set(this.#maskingNeighbours);
    const survivors = new Set<number>();
    for (const v of message.survivors) {
      if (!masking.has(v)) throw this.#violation(`client ${v} listed as a survivor, but this client did not mask with it`);
      if (survivors.has(v)) throw this.#violation(`client ${v} listed twice as a survivor`);
      survivors.add(v);
    }
    this.#assertEnoughHolders(survivors.size, 'surviving neighbours');
    const decisions = this.#maskingNeighbours.map((v) => ({ v, kind: (survivors.has(v) ? 'selfMask' : 'maskKey') as Revealed }));
    for (const { v, kind } of decisions) {
      const before = this.#revealed.get(v);
      if (before !== undefined && before !== kind) {
        throw new SecAggError('CONFLICTING_UNMASK_REQUEST', `expected client ${v} to be unmasked as before, but it was asked for the other share`);
      }
    }
    const selfMaskShares = [{ owner: this.index, share: this.#ownSelfMaskShare! }];
    const maskKeyShares: { owner: number; share: Uint8Array }[] = [];
    for (const { v, kind } of decisions) {
      this.#revealed.set(v, kind);
      const pair = this.#heldShares.get(v);
      if (pair === undefined) continue; // Its share failed to decrypt: the other holders' shares must do.
      if (kind === 'selfMask') selfMaskShares.push({ owner: v, share: pair.selfMaskShare });
      else maskKeyShares.push({ owner: v, share: pair.maskKeyShare });
    }
    this.#next = 'done';
    return { roundId: this.config.roundId, stage: SecAggStage.unmasking, sender: this.index, selfMaskShares, maskKeyShares };
  }

  /**
   * Runs an asynchronous step: checks the stage, refuses overlapping calls,
   * and releases the guard however the step ends. A step assigns its state
   * only after its last await, so a failure leaves the client as it was.
   */
  async #run<T>(stage: SecAggStageCode, step: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new SecAggError('OUT_OF_ORDER', `expected the previous step to have finished before stage ${stage}`);
    this.#expectStage(stage);
    this.#busy = true;
    try {
      return await step();
    } finally {
      this.#busy = false;
    }
  }

  #expectStage(stage: SecAggStageCode): void {
    if (this.#next !== stage) throw new SecAggError('OUT_OF_ORDER', `expected stage ${String(this.#next)} to come next, got a call for stage ${stage}`);
  }

  #parse<T extends { roundId: number; recipient: number }>(schema: z.ZodMiniType<T>, raw: unknown, stage: SecAggStageCode): T {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw this.#violation(`a malformed message for stage ${stage} (${describeIssues(parsed.error)})`);
    if (parsed.data.roundId !== this.config.roundId) throw this.#violation(`a message for round ${parsed.data.roundId}`);
    if (parsed.data.recipient !== this.index) throw this.#violation(`a message for client ${parsed.data.recipient}`);
    return parsed.data;
  }

  /** Holders of this client's shares are its listed neighbours and itself: fewer than t cannot reconstruct. */
  #assertEnoughHolders(neighbours: number, what: string): void {
    if (neighbours + 1 < this.config.threshold) {
      throw new SecAggError('TOO_FEW_SURVIVORS', `expected at least ${this.config.threshold - 1} neighbours with ${what}, got ${neighbours}`);
    }
  }

  #violation(what: string): SecAggError {
    return new SecAggError('PROTOCOL_VIOLATION', `expected a valid server message for round ${this.config.roundId}, got ${what}`);
  }
}
