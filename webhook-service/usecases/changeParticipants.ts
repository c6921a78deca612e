// Adding, changing or removing one of an appointment's people, before or during the session, as
// a story: the clinic reaches its own sessions only; under the session's lock (the one the
// webhook intake folds events under, so two instances never lose each other's change and no
// event is folded against the old people) the plugin's rule says whether the change may be
// made, the new people are written with the change's moment, and the session's state is folded
// again from its events under them. Then what the change asks for: a waiting session whose start
// rule now holds is activated through the same queued activation as a webhook's; timers the new
// state calls for are armed; a removed person still in the room is disconnected (and, being on
// the appointment no more, gets no token), and a person whose role changed is disconnected so
// their next token carries it. An observer added or removed changes what the people connected
// are told (observerNotice.ts). A repeat of the same change changes nothing and answers the same.
import { REFUSAL_OF_CLOSED, pendingTimers, putParticipant, removeParticipant, type AppointmentParticipant, type LifecycleRules } from '../../plugin';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import { carryOut } from './carryOut';
import { clinicSession } from './clinicSession';
import { followObserverNotice } from './observerNotice';
import type { Clock } from './ports/Clock';
import type { ClinicEvents } from './ports/ClinicEvents';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { RoomGateway } from './ports/RoomGateway';
import type { SessionFolds } from './ports/SessionFolds';
import type { SessionLocks } from './ports/SessionLocks';
import type { SessionStore } from './ports/SessionStore';
import { appointmentOf, foldEvents, loadHead, loadSession, namedRoleIn, withDecisions, type LoadedSession } from './sessionState';

export interface ChangeParticipantsDeps {
  store: SessionStore;
  folds: SessionFolds;
  locks: SessionLocks;
  jobs: LifecycleJobs;
  events: ClinicEvents;
  rooms: RoomGateway;
  clock: Clock;
  rules: LifecycleRules;
  logger: Logger;
}

export type ParticipantChange = { kind: 'put'; participant: AppointmentParticipant } | { kind: 'remove'; identity: string };

const identityOf = (change: ParticipantChange): string => (change.kind === 'put' ? change.participant.identity : change.identity);

/** Under the lock: the new people written and the state folded under them; null when nothing changed. */
async function writeChange(deps: ChangeParticipantsDeps, sessionId: string, change: ParticipantChange): Promise<LoadedSession | null> {
  const head = await loadHead(deps.store, sessionId);
  if (head.closure) throw new ServiceError(REFUSAL_OF_CLOSED[head.closure.status], `session ${sessionId} is ${head.closure.status.replace('_', '-')}: its people no longer change`);
  const before = appointmentOf(head.session);
  const result = change.kind === 'put' ? putParticipant(before, change.participant) : removeParticipant(before, change.identity);
  if (!result.ok) {
    throw new ServiceError(result.code === 'observer_required' ? 'invalid_request' : 'appointment_conflict', `participants: ${result.reason} (${result.code})`);
  }
  if (!result.changed) return null;
  // Strictly later than the last change, so a fold kept from before it is always told apart.
  const changedAt = Math.max(deps.clock.now(), (head.session.appointmentChangedAt?.getTime() ?? 0) + 1);
  const { studentIdentity, counselorIdentity, participants = [] } = result.appointment;
  const session = await deps.store.changeAppointment(sessionId, { studentIdentity, counselorIdentity, participants, appointmentChangedAt: new Date(changedAt) });
  if (!session) throw ServiceError.notFound(sessionId);
  const records = await deps.store.rebuildRecords(sessionId);
  if (!records) throw ServiceError.notFound(sessionId);
  const folded = foldEvents(records, deps.rules);
  await deps.folds.keep(sessionId, { state: folded, events: records.events.length });
  return { session: records.session, appointment: appointmentOf(records.session), activation: records.activation, closure: records.closure, state: withDecisions(folded, records) };
}

/** What the new state asks for: the activation when the start rule now holds, and its timers. */
async function carryOutChange(deps: ChangeParticipantsDeps, loaded: LoadedSession, now: number): Promise<void> {
  const { session, state } = loaded;
  const changedAt = session.appointmentChangedAt?.getTime() ?? now;
  if (state.status === 'waiting' && state.actualStart !== null) {
    await carryOut(deps, session, [{ type: 'activate', sessionId: session.id, startedAt: state.actualStart }], { id: `appointment_${changedAt}`, receivedAt: now });
  }
  for (const timer of pendingTimers(state)) {
    const job = { sessionId: session.id, dueAt: timer.dueAt };
    await (timer.kind === 'grace_expired' ? deps.jobs.scheduleGraceCheck(job) : timer.kind === 'start_due' ? deps.jobs.scheduleStartCheck(job) : deps.jobs.scheduleNoShowCheck(job));
  }
}

export async function changeParticipants(deps: ChangeParticipantsDeps, clinicId: string, sessionId: string, change: ParticipantChange): Promise<LoadedSession> {
  const before = await clinicSession(deps.store, clinicId, sessionId);
  const identity = identityOf(change);
  const roleBefore = namedRoleIn(before, identity);
  const changed = await deps.locks.withLock(sessionId, () => writeChange(deps, sessionId, change));
  const now = deps.clock.now();
  const loaded = changed ?? (await loadSession(deps, sessionId, deps.rules));
  if (changed) await carryOutChange(deps, changed, now);
  // Asked again on a repeat too: a disconnection LiveKit missed (it was away) is made by the retry.
  const roleNow = namedRoleIn(loaded.session, identity);
  const disconnect = (change.kind === 'remove' && roleNow === null) || (roleBefore !== null && roleNow !== roleBefore);
  if (disconnect && !loaded.closure) {
    const result = await deps.rooms.removeParticipant(loaded.session.roomName, identity);
    deps.logger.info({ sessionId, change: change.kind, result }, 'participant disconnected after an appointment change');
  }
  // Asked on a repeat too (a removal's repeat no longer knows the role it removed).
  const aboutObservers = change.kind === 'remove' || change.participant.role === 'observer' || roleBefore === 'observer';
  if (aboutObservers && !loaded.closure) await followObserverNotice(deps, loaded.session);
  if (changed) deps.logger.info({ sessionId, change: change.kind, status: loaded.state.status }, 'appointment people changed');
  return loaded;
}
