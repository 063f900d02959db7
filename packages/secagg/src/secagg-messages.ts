/**
 * The messages of SecAgg+ as plain objects with `Uint8Array` fields, and
 * their runtime schemas (one source of truth: the types are inferred). Every
 * message carries the round id, the stage and the sender (0 is the server;
 * clients are 1…n), so a transport can route and log them without looking
 * inside. Clients' messages are strict (unknown keys refused): the server
 * relays parts of them to other clients and must not relay smuggled data.
 *
 * Stage s: the server's message for s (none for stage 0) → each client's
 * reply for s. Stage codes are explicit and never renumbered.
 */
import * as z from './zod.js';
import { sealedLength } from './authenticated-encryption.js';
import { X25519_KEY_BYTES } from './key-agreement.js';
import { shamirShareLength } from './shamir.js';
import { SECAGG_MAX_CLIENTS } from './round-config.js';

export const SecAggStage = {
  /** Round 0: each client advertises two X25519 public keys. */
  advertiseKeys: 0,
  /** Round 1: each client sends encrypted Shamir shares of its self-mask seed and mask key to its neighbours. */
  shareKeys: 1,
  /** Round 2: each client sends its masked input. */
  maskedInput: 2,
  /** Round 3: survivors reveal, per neighbour, a self-mask share (survived) or a mask-key share (dropped). */
  unmasking: 3,
} as const;
export type SecAggStageName = keyof typeof SecAggStage;
export type SecAggStageCode = (typeof SecAggStage)[SecAggStageName];

/** The `sender` of every server message. */
export const SECAGG_SERVER_SENDER = 0;

/** Secrets shared in round 1 (self-mask seed, mask secret key) are 32 bytes. */
export const SECAGG_SECRET_BYTES = 32;
/** Bytes of one Shamir share of a 32-byte secret. */
export const SECAGG_SHARE_BYTES = shamirShareLength(SECAGG_SECRET_BYTES);
/** Plaintext of one encrypted share pair: self-mask share ‖ mask-key share. */
export const SECAGG_SHARE_PLAINTEXT_BYTES = 2 * SECAGG_SHARE_BYTES;
/** Bytes of one encrypted share pair on the wire. */
export const SECAGG_SHARE_CIPHERTEXT_BYTES = sealedLength(SECAGG_SHARE_PLAINTEXT_BYTES);

// z.custom rather than z.instanceof: the inferred type is then plain `Uint8Array`
// (any buffer), which is what a Node Buffer or a browser view is.
const anyBytes = () => z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'expected a Uint8Array' });
const bytes = (length: number) => anyBytes().check(z.refine((b) => b.length === length, { message: `expected ${length} bytes` }));
const roundIdSchema = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const clientIndexSchema = z.number().check(z.int(), z.gte(1), z.lte(SECAGG_MAX_CLIENTS));
const serverSenderSchema = z.literal(SECAGG_SERVER_SENDER);

// ── client → server ──────────────────────────────────────────────────────────

export const advertiseKeysMessageSchema = z.strictObject({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.advertiseKeys),
  sender: clientIndexSchema,
  /** For agreeing the keys that encrypt shares. */
  encryptionPublicKey: bytes(X25519_KEY_BYTES),
  /** For agreeing pairwise mask seeds; its secret key is what gets shared. */
  maskPublicKey: bytes(X25519_KEY_BYTES),
});

export const shareKeysMessageSchema = z.strictObject({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.shareKeys),
  sender: clientIndexSchema,
  /** One sealed share pair per neighbour that advertised keys. */
  shares: z.array(z.strictObject({ receiver: clientIndexSchema, ciphertext: bytes(SECAGG_SHARE_CIPHERTEXT_BYTES) })).check(z.maxLength(SECAGG_MAX_CLIENTS)),
});

export const maskedInputMessageSchema = z.strictObject({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.maskedInput),
  sender: clientIndexSchema,
  /** The masked vector: `vectorLength` uint32 words, little-endian. */
  maskedInput: anyBytes(),
});

const revealedShareSchema = z.strictObject({ owner: clientIndexSchema, share: bytes(SECAGG_SHARE_BYTES) });

export const unmaskingMessageSchema = z.strictObject({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.unmasking),
  sender: clientIndexSchema,
  /** Shares of the self-mask seeds of owners that survived (the sender's own included). */
  selfMaskShares: z.array(revealedShareSchema).check(z.maxLength(SECAGG_MAX_CLIENTS)),
  /** Shares of the mask secret keys of owners that dropped after sharing. */
  maskKeyShares: z.array(revealedShareSchema).check(z.maxLength(SECAGG_MAX_CLIENTS)),
});

// ── server → client ──────────────────────────────────────────────────────────

export const keysBroadcastMessageSchema = z.object({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.shareKeys),
  sender: serverSenderSchema,
  recipient: clientIndexSchema,
  /** The public keys of the recipient's neighbours that advertised. */
  neighbours: z
    .array(z.object({ index: clientIndexSchema, encryptionPublicKey: bytes(X25519_KEY_BYTES), maskPublicKey: bytes(X25519_KEY_BYTES) }))
    .check(z.maxLength(SECAGG_MAX_CLIENTS)),
});

export const sharesRoutedMessageSchema = z.object({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.maskedInput),
  sender: serverSenderSchema,
  recipient: clientIndexSchema,
  /** The share pairs neighbours sealed for the recipient; their senders are the neighbours to mask with. */
  shares: z.array(z.object({ from: clientIndexSchema, ciphertext: bytes(SECAGG_SHARE_CIPHERTEXT_BYTES) })).check(z.maxLength(SECAGG_MAX_CLIENTS)),
});

export const unmaskRequestMessageSchema = z.object({
  roundId: roundIdSchema,
  stage: z.literal(SecAggStage.unmasking),
  sender: serverSenderSchema,
  recipient: clientIndexSchema,
  /** The recipient's masking neighbours whose masked input arrived; the others dropped. */
  survivors: z.array(clientIndexSchema).check(z.maxLength(SECAGG_MAX_CLIENTS)),
});

export type AdvertiseKeysMessage = z.infer<typeof advertiseKeysMessageSchema>;
export type ShareKeysMessage = z.infer<typeof shareKeysMessageSchema>;
export type MaskedInputMessage = z.infer<typeof maskedInputMessageSchema>;
export type UnmaskingMessage = z.infer<typeof unmaskingMessageSchema>;
export type KeysBroadcastMessage = z.infer<typeof keysBroadcastMessageSchema>;
export type SharesRoutedMessage = z.infer<typeof sharesRoutedMessageSchema>;
export type UnmaskRequestMessage = z.infer<typeof unmaskRequestMessageSchema>;

export type SecAggClientMessage = AdvertiseKeysMessage | ShareKeysMessage | MaskedInputMessage | UnmaskingMessage;
export type SecAggServerMessage = KeysBroadcastMessage | SharesRoutedMessage | UnmaskRequestMessage;

/** Client messages by stage, for the server's dispatch. */
export const CLIENT_MESSAGE_SCHEMAS = {
  [SecAggStage.advertiseKeys]: advertiseKeysMessageSchema,
  [SecAggStage.shareKeys]: shareKeysMessageSchema,
  [SecAggStage.maskedInput]: maskedInputMessageSchema,
  [SecAggStage.unmasking]: unmaskingMessageSchema,
} as const;

/**
 * Names the first failing field and the rule it broke, never its value: the
 * input is untrusted and ends up in logs.
 */
export function describeIssues(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid message';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path}: ${issue.code}${more}`.slice(0, 200);
}
