// What the worker does once a session closed: write the final snapshot into the room's metadata
// and send session_ended with the reason, so everyone connected sees why; then delete the room
// through LiveKit's API so nobody stays in the call of a closed session. Then the session owes
// nothing more and leaves the open list. Safe to repeat; reconciliation asks again for a close
// that did not finish (a failed job, a Redis that lost it).
import { TOPIC } from '../../plugin';
import type { Logger } from '../logger';
import type { CloseJob } from './ports/LifecycleJobs';
import type { RoomGateway } from './ports/RoomGateway';
import type { SessionStore } from './ports/SessionStore';
import { endedMessage, snapshotOf } from './roomSnapshot';
import { loadHead } from './sessionState';

export interface AnnounceClosureDeps {
  store: SessionStore;
  rooms: RoomGateway;
  logger: Logger;
  /** How long the room stays after the announcement, so the message lands before the disconnect (ms). */
  deleteAfterMs: number;
  /** Waits (a port so tests need not). */
  wait(ms: number): Promise<void>;
}

export async function announceClosure(deps: AnnounceClosureDeps, job: CloseJob): Promise<'announced' | 'room_gone' | 'not_closed'> {
  const head = await loadHead(deps.store, job.sessionId);
  const { closure, session } = head;
  if (!closure) return 'not_closed';
  // The snapshot first: a room that is gone needs no message (LiveKit answers a message to a
  // missing room with a retryable 503), and the session is done at once.
  const metadata = await deps.rooms.updateRoomMetadata(session.roomName, snapshotOf(head));
  const data = metadata === 'room_not_found' ? metadata : await deps.rooms.sendData(session.roomName, endedMessage(closure), { topic: TOPIC });
  if (metadata === 'room_not_found' || data === 'room_not_found') {
    await deps.store.finishSession(session.id);
    deps.logger.info({ sessionId: session.id, reason: closure.reason }, 'session closed with its room already gone');
    return 'room_gone';
  }
  await deps.wait(deps.deleteAfterMs);
  await deps.rooms.deleteRoom(session.roomName);
  await deps.store.finishSession(session.id);
  deps.logger.info({ sessionId: session.id, reason: closure.reason, messageId: closure.messageId }, 'session_ended sent and room deleted');
  return 'announced';
}
