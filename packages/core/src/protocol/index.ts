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
  updateMessageSchema,
  updateAcceptedMessageSchema,
  rejectedMessageSchema,
  roundClosedMessageSchema,
  handshakeAuthSchema,
  enrolResponseSchema,
  type ReadyMessage,
  type WelcomeMessage,
  type RoundStartMessage,
  type UpdateMessage,
  type UpdateAcceptedMessage,
  type RejectedMessage,
  type RoundClosedMessage,
  type HandshakeAuth,
  type EnrolResponse,
  type ProtocolMessages,
} from './messages.js';
export { parseMessage, parseHandshakeAuth, type ParseResult, type ParseFailureReason } from './parse-message.js';
export { toBytes } from './binary-payload.js';
