// The plugin's public API: the session rules, the LiveKit event decoder, roles, and the
// protocol shared with the widget. Anything not listed here is internal.

export { decodeWebhookEvent } from './events';
export type {
  DecodeResult,
  EventParticipant,
  ParticipantEventKind,
  RoomEventKind,
  SessionEvent,
  WebhookEventLike,
} from './events';

export { ROLE_ATTRIBUTE, roleOf } from './roles';
export type { Appointment, Role, RolePolicy } from './roles';

export { attendance, connectedRoles, decide, newSession, replay } from './session';
export type { Attendance, Effect, Presence, PresenceInterval, SessionState } from './session';

export {
  CLOSED_STATUSES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  TOPIC,
  encodeMessage,
  encodeSnapshot,
  parseMessage,
  parseSnapshot,
} from './protocol';
export type {
  EndReason,
  ParseResult,
  ProtocolMessage,
  SessionEndedMessage,
  SessionSnapshot,
  SessionStartedMessage,
  SessionStatus,
} from './protocol';
