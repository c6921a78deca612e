// Creating a session for an appointment: the room is held by a unique slot, so a second session
// for a room whose session has not closed fails as `session_conflict`, however many instances
// race. A scheduled session gets its no-show timer first: a timer for a session that then failed
// to be created finds nothing and does nothing, while a session without its timer would never
// become a no-show.
import type { LifecycleRules } from '../../plugin';
import { ServiceError } from '../errors';
import { newSessionId } from '../ids';
import type { Clock } from './ports/Clock';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { SessionStore } from './ports/SessionStore';
import { foldEvents, withDecisions } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export interface CreateSessionInput {
  roomName: string;
  studentIdentity: string;
  counselorIdentity: string;
  scheduledStart: Date | null;
}

export interface CreateSessionDeps {
  store: SessionStore;
  jobs: LifecycleJobs;
  clock: Clock;
  rules: LifecycleRules;
}

export async function createSession(deps: CreateSessionDeps, input: CreateSessionInput): Promise<SessionView> {
  if (input.studentIdentity === input.counselorIdentity) {
    throw new ServiceError('invalid_request', 'the student and the counselor must be different identities');
  }
  const id = newSessionId();
  if (input.scheduledStart && deps.rules.noShowAfterMs !== null) {
    await deps.jobs.scheduleNoShowCheck({ sessionId: id, dueAt: input.scheduledStart.getTime() + deps.rules.noShowAfterMs });
  }
  const session = await deps.store.createSession({ id, ...input, createdAt: new Date(deps.clock.now()) });
  const records = { session, events: [], activation: null, closure: null };
  return sessionView({ ...records, state: withDecisions(foldEvents(records, deps.rules), records) });
}
