// Creating a session for an appointment: the room is held by a unique slot, so a second session
// for a room whose session has not ended fails as `session_conflict`, however many instances race.
import type { Clock } from './ports/Clock';
import { ServiceError } from '../errors';
import { newSessionId } from '../ids';
import type { SessionStore } from './ports/SessionStore';
import { replayEvents } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export interface CreateSessionInput {
  roomName: string;
  studentIdentity: string;
  counselorIdentity: string;
  scheduledStart: Date | null;
}

export async function createSession(deps: { store: SessionStore; clock: Clock }, input: CreateSessionInput): Promise<SessionView> {
  if (input.studentIdentity === input.counselorIdentity) {
    throw new ServiceError('invalid_request', 'the student and the counselor must be different identities');
  }
  const session = await deps.store.createSession({ id: newSessionId(), ...input, createdAt: new Date(deps.clock.now()) });
  return sessionView({ session, state: replayEvents(session, []), activation: null, status: 'waiting' });
}
