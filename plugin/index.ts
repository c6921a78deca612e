// The plugin's public API: the session rules, the LiveKit event decoder, the appointment's people and roles, and the
// protocol shared with the widget. Anything not listed here is internal.

export { decodeWebhookEvent } from './events';
export { ROOM_PREFIX, SESSION_ID_PATTERN, roomNameFor, sessionIdOfRoom } from './rooms';
export type {
  DecodeResult,
  EventParticipant,
  ObservationKind,
  ParticipantEventKind,
  RoomEventKind,
  SessionEvent,
  WebhookEventLike,
} from './events';

export { ROLE_ATTRIBUTE, namedRole, publishersOf, roleOf } from './roles';
export type { Appointment, Publisher, PublishingGrant, PublishingTerms, Role, RolePolicy } from './roles';
export { MAX_GROUP_STUDENTS, MAX_PARTICIPANTS, PARTICIPANT_ROLES, checkAppointment, isRequired, requiredByDefault } from './participants';
export type { AppointmentCheck, AppointmentParticipant, AppointmentProblem, GroupStart, ParticipantRole } from './participants';
export { putParticipant, removeParticipant } from './appointmentChange';
export type { AppointmentChange, AppointmentChangeProblem } from './appointmentChange';
export { rosterOf, seatOf } from './roster';
export { OBSERVED_ATTRIBUTE, OBSERVED_DISCLOSED, observedAttributes } from './observers';
export { AWAITS_ATTRIBUTE, awaitedRoles, rolesOf, stillMissing } from './waitingFor';
export type { MissingPerson } from './waitingFor';
export { CHAT_ATTRIBUTE, DEFAULT_CALL_SETTINGS, SCREEN_SHARE_ATTRIBUTE, SCREEN_SHARE_POLICIES, callAttributes, mayShareScreen, narrowerPolicy, parseScreenSharePolicy, publishSourcesOf } from './callSettings';
export type { CallSettings, PublishSource, ScreenSharePolicy } from './callSettings';
export type { Requirement, Roster, RosterEntry } from './roster';

export { DEFAULT_LIFECYCLE, REFUSAL_OF_CLOSED, decide, holdersConnected, newSession, pendingTimers, replay, withRecordedDecisions } from './session';
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
export { decodeFold, decodeState, encodeFold, encodeState } from './stateCodec';
export type { KeptFold } from './stateCodec';
export type { Attendance } from './attendance';

export {
  CLOSED_STATUSES,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  SESSION_ATTRIBUTE,
  TOPIC,
  encodeMessage,
  encodeSnapshot,
  messageIdFor,
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
