// The observer notice on the people already in the call. A join token carries the notice
// (autostart.observed) from the moment it is minted, but an observer added or removed during the
// session changes what the people connected by then must be told: their attributes are set
// through LiveKit's API, which every client in the room sees at once. Best effort: a person this
// misses (LiveKit away) is told by their next token; nothing here names anyone in the logs.
import { OBSERVED_ATTRIBUTE, observedAttributes } from '../../plugin';
import type { Logger } from '../logger';
import type { RoomGateway } from './ports/RoomGateway';
import type { SessionRecord } from './ports/SessionStore';
import { namedRoleIn } from './sessionState';

export interface ObserverNoticeDeps {
  rooms: RoomGateway;
  logger: Logger;
}

/** Brings every connected visible participant's notice in line with the session's people now. */
export async function followObserverNotice(deps: ObserverNoticeDeps, session: SessionRecord): Promise<void> {
  // Nothing was ever told in a session that does not disclose, so nothing is to change.
  if (!(session.observersDisclosed ?? true)) return;
  try {
    const listed = await deps.rooms.listParticipants(session.roomName);
    if (listed === 'room_not_found') return;
    let updated = 0;
    for (const participant of listed) {
      const role = namedRoleIn(session, participant.identity);
      // Someone off the appointment is being disconnected; an observer is never told.
      if (role === null || role === 'observer') continue;
      const wanted = observedAttributes(session.participants ?? [], true, role)[OBSERVED_ATTRIBUTE] ?? '';
      if ((participant.attributes[OBSERVED_ATTRIBUTE] ?? '') === wanted) continue;
      // An empty value removes the attribute (LiveKit's rule for updateParticipant).
      if ((await deps.rooms.setAttributes(session.roomName, participant.identity, { [OBSERVED_ATTRIBUTE]: wanted })) === 'done') updated += 1;
    }
    if (updated > 0) deps.logger.info({ sessionId: session.id, updated }, 'observer notice updated on connected participants');
  } catch (error) {
    deps.logger.warn({ sessionId: session.id, err: error }, 'could not update the observer notice on connected participants');
  }
}
