// Public API of @fedrec/secagg, secure aggregation (SecAgg+): named exports only.
// The noise it sums (the discrete Gaussian samplers and their accounting) is in
// @fedrec/core/privacy; test support (runInMemoryRound) is not exported.
export { SecAggError } from './secagg-error.js';
export type { SecAggErrorCode } from './secagg-error.js';
export { splitSecret, combineShares, shamirShareLength, SHAMIR_CHUNK_BYTES, SHAMIR_FIELD_BYTES, SHAMIR_MAX_X } from './shamir.js';
export type { ShamirShare } from './shamir.js';
export { generateKeyPair, publicKeyFor, sharedSecret, sharedSecrets, isValidPublicKey, deriveKey, shareEncryptionKey, pairwiseMaskSeed, pairwiseMaskSeedFromSecret, KeyPurpose, X25519_KEY_BYTES, DERIVED_KEY_BYTES } from './key-agreement.js';
export { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
export { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';
export { nobleSecAggCrypto } from './noble-secagg-crypto.js';
export { nodeSecAggCrypto } from './node-secagg-crypto.js';
export type { SecAggCrypto } from './secagg-crypto.js';
export type { X25519KeyPair, KeyPurposeName } from './key-agreement.js';
export { sealBox, openBox, sealedLength, shareAssociatedData, AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from './authenticated-encryption.js';
export { expandMask, MASK_SEED_BYTES } from './mask-prg.js';
export { quantise, coordinateBound, assertNoWrapAround, addIntegerNoise, toModular, decodeSum, DEFAULT_MODULUS } from './quantise.js';
export type { CoordinateBoundOptions, DecodedSum } from './quantise.js';
export { createNeighbourGraph, defaultNeighbourCount, defaultThreshold, GRAPH_SEED_BYTES } from './neighbour-graph.js';
export type { NeighbourGraph } from './neighbour-graph.js';
export { createRoundConfig, SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH } from './round-config.js';
export type { SecAggRoundConfig, SecAggRoundConfigInput } from './round-config.js';
export {
  SecAggStage,
  SECAGG_SERVER_SENDER,
  SECAGG_SECRET_BYTES,
  SECAGG_SHARE_BYTES,
  SECAGG_SHARE_PLAINTEXT_BYTES,
  SECAGG_SHARE_CIPHERTEXT_BYTES,
  advertiseKeysMessageSchema,
  shareKeysMessageSchema,
  maskedInputMessageSchema,
  unmaskingMessageSchema,
  keysBroadcastMessageSchema,
  sharesRoutedMessageSchema,
  unmaskRequestMessageSchema,
} from './secagg-messages.js';
export type {
  SecAggStageName,
  SecAggStageCode,
  AdvertiseKeysMessage,
  ShareKeysMessage,
  MaskedInputMessage,
  UnmaskingMessage,
  KeysBroadcastMessage,
  SharesRoutedMessage,
  UnmaskRequestMessage,
  SecAggClientMessage,
  SecAggServerMessage,
} from './secagg-messages.js';
export { SecAggRejectReason } from './secagg-reject-reason.js';
export type { SecAggRejectReasonName, SecAggRejectReasonCode } from './secagg-reject-reason.js';
export { wordsToBytes, bytesToWords } from './secagg-plus.js';
export { SecAggClient } from './secagg-client.js';
export type { SecAggClientOptions, ClientShareRejection } from './secagg-client.js';
export { SecAggServer } from './secagg-server.js';
export type { SecAggReceiveResult, SecAggResult, SecAggStageClosed } from './secagg-server.js';
