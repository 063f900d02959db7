export { PROTOCOL_VERSION } from './protocol-version.js';
export {
  MessageKind,
  ProtocolEvent,
  RoundOutcome,
  type MessageKindCode,
  type MessageKindName,
  type ProtocolEventName,
  type RoundOutcomeCode,
  type RoundOutcomeName,
} from './message-kind.js';
export {
  RejectReason,
  REJECT_REASON_NAMES,
  rejectReasonName,
  isRejectReasonCode,
  rejectReasonForFormatError,
  type RejectReasonCode,
  type RejectReasonName,
} from './reject-reason.js';
export {
  CLIENT_ID_PATTERN,
  MAX_EXAMPLE_COUNT,
  MESSAGE_SCHEMAS,
  clientIdSchema,
  parameterShapeSchema,
  readyMessageSchema,
  welcomeMessageSchema,
  roundStartMessageSchema,
  roundPrivacySchema,
  updateMessageSchema,
  updateAcceptedMessageSchema,
  declineMessageSchema,
  rejectedMessageSchema,
  roundClosedMessageSchema,
  roundSecureAggregationSchema,
  secAggServerMessageSchema,
  secAggClientMessageSchema,
  handshakeAuthSchema,
  enrolResponseSchema,
  privacySpendSchema,
  type ReadyMessage,
  type WelcomeMessage,
  type RoundStartMessage,
  type RoundPrivacy,
  type UpdateMessage,
  type UpdateAcceptedMessage,
  type DeclineMessage,
  type RejectedMessage,
  type RoundClosedMessage,
  type RoundSecureAggregation,
  type SecAggServerEnvelope,
  type SecAggClientEnvelope,
  type HandshakeAuth,
  type EnrolResponse,
  type ProtocolMessages,
  type PrivacySpend,
} from './messages.js';
export { DECLINE_REASONS, isDeclineReason, type DeclineReasonName } from './decline-reason.js';
export { parseMessage, parseHandshakeAuth, type ParseResult, type ParseFailureReason } from './parse-message.js';
export { toBytes, withUint8Arrays } from './binary-payload.js';
export { GRAPH_SEED_BYTES, SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH } from './secagg-limits.js';
export { packBinaryFields, unpackBinaryFields, type PackedBinary } from './binary-fields.js';
export { privacyNoticeSchema, type PrivacyNotice, type PrivacyNoticeFacts } from './privacy-notice.js';
