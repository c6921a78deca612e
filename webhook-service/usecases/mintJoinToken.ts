// A join token for someone the session's appointment names, and nobody else: the role comes from
// the session's record (never from the caller) and travels in the token as a participant
// attribute, which is what the widget and webhooks see. An observer's token is hidden from the
// others and can only subscribe, before and after the start. Everyone else's token says, when
// the appointment names an observer and the clinic discloses observers, that someone observes.
// A closed session mints nothing (the error code says how it closed). For an active session the
// room is opened with the snapshot in its metadata before the token goes out: a room LiveKit
// closed while everyone was away comes back empty, and the widget decides from the metadata it
// finds on connect, so the returning person skips the waiting room. Only a token for an active
// session may publish: before the start, LiveKit itself keeps the waiting room private.
import { awaitedRoles, namedRole, observedAttributes, publishSourcesOf, REFUSAL_OF_CLOSED, rosterOf, type LifecycleRules, type ParticipantRole } from '../../plugin';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import type { JoinTokenMinter } from './ports/JoinTokenMinter';
import type { RoomGateway } from './ports/RoomGateway';
import type { SessionStore } from './ports/SessionStore';
import type { CallSettingsOf } from './grantPublishing';
import { snapshotOf } from './roomSnapshot';
import { appointmentOf, loadHead } from './sessionState';

export interface MintJoinTokenDeps {
  store: SessionStore;
  tokens: JoinTokenMinter;
  rooms: RoomGateway;
  rules: LifecycleRules;
  logger: Logger;
  callSettings: CallSettingsOf;
}

export interface MintedJoinToken {
  token: string;
  url: string;
  /** Who they are in this appointment, from the session's record. */
  role: ParticipantRole;
}

export async function mintJoinToken(deps: MintJoinTokenDeps, sessionId: string, identity: string): Promise<MintedJoinToken> {
  const head = await loadHead(deps.store, sessionId);
  const { session, closure, activation } = head;
  const role = namedRole(appointmentOf(session), identity);
  if (role === null) throw new ServiceError('identity_not_in_session', "the identity is not on this session's appointment");
  if (closure) throw new ServiceError(REFUSAL_OF_CLOSED[closure.status], `session ${sessionId} is ${closure.status.replace('_', '-')}`);
  if (activation) {
    // Best effort: without LiveKit the token still works, and the rejoin's notification writes the snapshot.
    await deps.rooms.openRoom(session.roomName, snapshotOf(head)).catch((error: unknown) => {
      deps.logger.warn({ sessionId, err: error }, 'could not put the snapshot in the room before the token');
    });
  }
  const observer = role === 'observer';
  const callSettings = deps.callSettings(session.clinicId);
  const awaits = awaitedRoles(rosterOf(appointmentOf(session)));
  const disclosure = observedAttributes(session.participants ?? [], session.observersDisclosed ?? true, role);
  const minted = await deps.tokens.mint({
    identity,
    sessionId,
    room: session.roomName,
    role,
    canPublish: activation !== null && !observer,
    publishSources: publishSourcesOf(role, callSettings),
    callSettings,
    awaits,
    ...(Object.keys(disclosure).length > 0 ? { disclosure } : {}),
    ...(observer ? { hidden: true } : {}),
  });
  return { ...minted, role };
}
