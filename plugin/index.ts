// The plugin's public API: the session rules, the LiveKit event decoder, roles, and the
// protocol shared with the widget. Anything not listed here is internal.

export { decodeWebhookEvent } from './events';
export type {
  DecodeResult,
  EventParticipant,
  ObservationKind,
  ParticipantEventKind,
  RoomEventKind,
  SessionEvent,
  WebhookEventLike,
} from './events';

export { ROLE_ATTRIBUTE, roleOf } from './roles';
export type { Appointment, Role, RolePolicy } from './roles';

export { DEFAULT_LIFECYCLE, decide, newSession, pendingTimers, replay, withRecordedDecisions } from './session';
export type {
  ClinicCommand,
  ClosedStatus,
  Decision,
  Effect,
  LifecycleRules,
  NewSessionOptions,
  PendingTimer,
  RecordedDecisions,
  Refusal,
  SessionInput,
  SessionState,
  TimerFired,
} from './session';
export type { Presence, PresenceInterval } from './presence';
export { observationsOf } from './reconciliation';
export type { ListedParticipant, Observation, RoomListing } from './reconciliation';
export { attendance } from './attendance';
export { decodeState, encodeState } from './stateCodec';
export type { Attendance } from './attendance';

export {
  CLOSED_STATUSES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  SESSION_ATTRIBUTE,
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
