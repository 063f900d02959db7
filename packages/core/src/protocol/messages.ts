import * as z from '../zod.js';
import { DECLINE_REASONS } from './decline-reason.js';
import { MessageKind, RoundOutcome } from './message-kind.js';
import { PROTOCOL_VERSION } from './protocol-version.js';
import { GRAPH_SEED_BYTES, SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH } from './secagg-limits.js';

/**
 * Runtime schemas for every protocol message's metadata, and the types
 * inferred from them: one source of truth for server and client. Tensors never
 * appear here: they travel beside the metadata as a binary attachment (the
 * bytes of core's tensor format), never as JSON number arrays.
 *
 * Messages a server accepts from clients are strict (unknown keys refused),
 * so a client cannot smuggle extra data alongside its update; messages a
 * client accepts from the server tolerate extra keys, so a server can add an
 * optional field without breaking older clients.
 */

const U32_MAX = 0xffff_ffff;

/** Model versions live in the tensor header's u32 field. */
const modelVersionSchema = z.number().check(z.int(), z.gte(0), z.lte(U32_MAX));
const roundIdSchema = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const countSchema = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));

/** Client ids are chosen by the server (or an issuer) and embedded in tokens; keep them boring. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const clientIdSchema = z.string().check(z.regex(CLIENT_ID_PATTERN));

export const parameterShapeSchema = z.object({
  numItems: z.number().check(z.int(), z.gte(1), z.lte(U32_MAX)),
  dim: z.number().check(z.int(), z.gte(1), z.lte(U32_MAX)),
});

/** Largest example count a client may report; the server clamps further to its own limit. */
export const MAX_EXAMPLE_COUNT = 1_000_000_000;

export const readyMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.ready),
  /** False withdraws the client from future cohorts (e.g. on battery or a metered network). */
  eligible: z.boolean(),
});

/**
 * Where the server's privacy budget stands, sent with every round's closing
 * announcement and in the welcome, so that devices (and shoppers) can see the
 * ε spent on the model they help train. Absent when the server runs without DP.
 */
export const privacySpendSchema = z.object({
  /** ε spent so far at `delta` over all applied rounds (RDP accountant). */
  epsilonSpent: z.number().check(z.gte(0)),
  targetEpsilon: z.number().check(z.gt(0)),
  delta: z.number().check(z.gt(0), z.lt(1)),
  /** True once the next round would exceed `targetEpsilon`: no more rounds open and the model is frozen. */
  budgetExhausted: z.boolean(),
});

export const welcomeMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.welcome),
  clientId: clientIdSchema,
  modelVersion: modelVersionSchema,
  shape: parameterShapeSchema,
  /** Largest update file, in bytes, the server will look at. */
  maxUpdateBytes: z.number().check(z.int(), z.gte(1)),
  /** The privacy budget so far (a client that connects after it ran out learns it here). */
  privacy: z.optional(privacySpendSchema),
  /**
   * True when the server takes `decline` messages. A server without it
   * would refuse one as an unknown event, so clients send them only when
   * this says so.
   */
  acceptsDeclines: z.optional(z.boolean()),
});

export const roundPrivacySchema = z.strictObject({
  /** L2 bound C every update must be clipped to. */
  clipNorm: z.number().check(z.positive()),
  /** Where the Gaussian noise is added: by each client (`local`) or as shares of the sum's noise (`distributed`). */
  placement: z.enum(['local', 'distributed']),
  /** z the client adds itself, as a multiple of C (its share, for `distributed`). */
  clientNoiseMultiplier: z.number().check(z.gte(0)),
  /** z the server's accountant charges for this round (the noise the aggregate carries). */
  accountedNoiseMultiplier: z.number().check(z.gte(0)),
  /** Poisson sampling rate q of the cohort. */
  samplingRate: z.number().check(z.gte(0), z.lte(1)),
  delta: z.number().check(z.gt(0), z.lt(1)),
});

/**
 * The public parameters of a securely aggregated round (SecAgg+), as the
 * invitation carries them to each cohort member: its own index, the graph, the
 * threshold, and how to quantise. Sent per member (the index differs).
 */
export const roundSecureAggregationSchema = z.object({
  /** This member's index 1…n: its identity in SecAgg messages and its Shamir x-coordinate. */
  clientIndex: z.number().check(z.int(), z.gte(1), z.lte(SECAGG_MAX_CLIENTS)),
  /** n: cohort size. */
  clientCount: z.number().check(z.int(), z.gte(2), z.lte(SECAGG_MAX_CLIENTS)),
  /** m: words of the input vector (the model's parameter count). */
  vectorLength: z.number().check(z.int(), z.gte(1), z.lte(SECAGG_MAX_VECTOR_LENGTH)),
  /** k: neighbours per member. */
  neighbourCount: z.number().check(z.int(), z.gte(1), z.lte(SECAGG_MAX_CLIENTS)),
  /** t: survivors needed; fewer abandon the round. */
  threshold: z.number().check(z.int(), z.gte(1), z.lte(SECAGG_MAX_CLIENTS)),
  /** Public seed of the neighbour graph. */
  graphSeed: z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length === GRAPH_SEED_BYTES, { message: `expected ${GRAPH_SEED_BYTES} bytes` }),
  /** L2 bound C the float update is clipped to before quantising. */
  clipNorm: z.number().check(z.positive()),
  /** γ: the float value of one integer step (x becomes round(x/γ)). */
  granularity: z.number().check(z.positive()),
  /** B: every quantised (and noised) coordinate must satisfy |v| ≤ B; n·B < modulus/2, so the sum cannot wrap around. */
  coordinateBound: z.number().check(z.int(), z.gte(1), z.lte(2 ** 31 - 1)),
  /** log2 of the modulus the sum is decoded with (masks are always mod 2^32). */
  modulusBits: z.number().check(z.int(), z.gte(2), z.lte(32)),
  /** σ² of each member's discrete Gaussian noise, in integer units (0: none; distributed DP). */
  localNoiseVariance: z.number().check(z.gte(0)),
  /** Milliseconds the server waits for each stage after the first. */
  stageTimeoutMs: z.number().check(z.int(), z.gte(1)),
});

export const roundStartMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.roundStart),
  roundId: roundIdSchema,
  modelVersion: modelVersionSchema,
  /** Milliseconds the server will wait for updates (relative, so clocks need not agree). */
  timeoutMs: z.number().check(z.int(), z.gte(1)),
  /** True when the server weights the mean by example count and wants `exampleCount` in the update. */
  wantsExampleCount: z.boolean(),
  /**
   * The round's differential-privacy parameters, so that a device can clip
   * and noise as the server's accounting assumes and keep its own ledger.
   * Absent when the server runs without DP.
   */
  privacy: z.optional(roundPrivacySchema),
  /**
   * True under adaptive clipping (Andrew et al. 2021): the update must say
   * whether its norm was within `privacy.clipNorm` before clipping (`unclipped`).
   */
  wantsUnclippedBit: z.optional(z.boolean()),
  /** Present when the round runs secure aggregation: no `update` is sent, the member runs the SecAgg+ stages instead. */
  secureAggregation: z.optional(roundSecureAggregationSchema),
});

export const updateMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.update),
  roundId: roundIdSchema,
  /** Only when the round asked for it: the number of training examples behind the update. */
  exampleCount: z.optional(z.number().check(z.int(), z.gte(1), z.lte(MAX_EXAMPLE_COUNT))),
  /**
   * Only when the round asked for it (`wantsUnclippedBit`, adaptive clipping):
   * whether the update's L2 norm was at most the clip bound before clipping.
   * The server sums these bits with noise to move the bound.
   */
  unclipped: z.optional(z.boolean()),
});

/**
 * A cohort member sits the round out. It carries only the reason, one of
 * a few names: what a device's own policy decided, so that the operator can
 * see why a round went without updates (`/status`) — never anything about
 * the shopper's history. Sent only to servers that said `acceptsDeclines`.
 */
export const declineMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.decline),
  roundId: roundIdSchema,
  reason: z.enum(DECLINE_REASONS),
});

export const updateAcceptedMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.updateAccepted),
  roundId: roundIdSchema,
});

export const rejectedMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.rejected),
  /** A RejectReason code. Any positive integer parses, so a client survives codes added after it was built. */
  reason: z.number().check(z.int(), z.gte(1)),
  /** The round the refused message named, when it named one this server could read. */
  roundId: z.nullable(roundIdSchema),
  /** Human-readable, built from field names and numbers only: never echoes the refused payload. */
  message: z.string().check(z.maxLength(500)),
  /** With reason SECAGG_REFUSED: the SecAggRejectReason code. */
  secAggReason: z.optional(z.number().check(z.int(), z.gte(1))),
});

export const roundClosedMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.roundClosed),
  roundId: roundIdSchema,
  outcome: z.union([z.literal(RoundOutcome.applied), z.literal(RoundOutcome.abandoned)]),
  /** The version current after the round (unchanged if abandoned). */
  modelVersion: modelVersionSchema,
  /** Updates accepted in the round. */
  accepted: countSchema,
  /** The privacy budget after the round (absent without DP). */
  privacy: z.optional(privacySpendSchema),
});

/**
 * A SecAgg+ stage message in either direction. The envelope is checked here;
 * `message` is checked by the SecAgg state machines themselves against their
 * strict per-stage schemas (`@fedrec/secagg`, `secagg-messages.ts`: one source of truth),
 * which refuse anything else with a reason code.
 */
export const secAggServerMessageSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.secAggServer),
  roundId: roundIdSchema,
  message: z.record(z.string(), z.unknown()),
});

export const secAggClientMessageSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  kind: z.literal(MessageKind.secAggClient),
  roundId: roundIdSchema,
  message: z.record(z.string(), z.unknown()),
});

/** What a client puts in socket.io's handshake `auth`. */
export const handshakeAuthSchema = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(2048)),
  protocolVersion: z.number().check(z.int()),
});

/** Body of the server's `POST /enrol` response. */
export const enrolResponseSchema = z.object({
  clientId: clientIdSchema,
  token: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** Milliseconds since the epoch. */
  expiresAt: z.number().check(z.int(), z.gte(0)),
});

export type ReadyMessage = z.infer<typeof readyMessageSchema>;
export type WelcomeMessage = z.infer<typeof welcomeMessageSchema>;
export type RoundStartMessage = z.infer<typeof roundStartMessageSchema>;
export type RoundPrivacy = z.infer<typeof roundPrivacySchema>;
export type PrivacySpend = z.infer<typeof privacySpendSchema>;
export type UpdateMessage = z.infer<typeof updateMessageSchema>;
export type UpdateAcceptedMessage = z.infer<typeof updateAcceptedMessageSchema>;
export type DeclineMessage = z.infer<typeof declineMessageSchema>;
export type RejectedMessage = z.infer<typeof rejectedMessageSchema>;
export type RoundClosedMessage = z.infer<typeof roundClosedMessageSchema>;
export type RoundSecureAggregation = z.infer<typeof roundSecureAggregationSchema>;
export type SecAggServerEnvelope = z.infer<typeof secAggServerMessageSchema>;
export type SecAggClientEnvelope = z.infer<typeof secAggClientMessageSchema>;
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

/** Metadata type of each message kind. */
export interface ProtocolMessages {
  ready: ReadyMessage;
  welcome: WelcomeMessage;
  roundStart: RoundStartMessage;
  update: UpdateMessage;
  updateAccepted: UpdateAcceptedMessage;
  rejected: RejectedMessage;
  roundClosed: RoundClosedMessage;
  secAggServer: SecAggServerEnvelope;
  secAggClient: SecAggClientEnvelope;
  decline: DeclineMessage;
}

export const MESSAGE_SCHEMAS = {
  ready: readyMessageSchema,
  welcome: welcomeMessageSchema,
  roundStart: roundStartMessageSchema,
  update: updateMessageSchema,
  updateAccepted: updateAcceptedMessageSchema,
  rejected: rejectedMessageSchema,
  roundClosed: roundClosedMessageSchema,
  secAggServer: secAggServerMessageSchema,
  secAggClient: secAggClientMessageSchema,
  decline: declineMessageSchema,
} as const satisfies { [K in keyof ProtocolMessages]: z.ZodMiniType<ProtocolMessages[K]> };
