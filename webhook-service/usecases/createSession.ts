// Creating a session for an appointment, as a story: the service names the session and its room
// (never reused, never the caller's choice, so nothing of one session can reach another's
// people). When the clinic gives its appointment id, the id is claimed first by a unique insert:
// a repeat of the same request (a retry after a lost answer, 20 at once) finds the claim and
// answers the one session; the same id with other details is a conflict. A claim whose session
// was never written (a crash in between) is finished by the next repeat, under the claimed id.
// A scheduled session gets its no-show timer before it exists: a timer for a session that then
// failed to be created finds nothing and does nothing; reconciliation re-arms a lost one.
// The appointment's people are checked by the plugin's own rule (checkAppointment) before
// anything is written, so the rules never see an appointment they cannot run.
import { checkAppointment, roomNameFor, type AppointmentParticipant, type GroupStart, type LifecycleRules } from '../../plugin';
import { ServiceError } from '../errors';
import { newSessionId } from '../ids';
import type { Clock } from './ports/Clock';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { SessionFolds } from './ports/SessionFolds';
import type { SessionRecord, SessionStore } from './ports/SessionStore';
import { appointmentOf, foldEvents, loadSession, withDecisions } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export interface CreateSessionInput {
  /** The clinic whose key asks: the session is its own, and its appointment ids are its own. */
  clinicId: string;
  studentIdentity: string;
  counselorIdentity: string;
  /** Everyone else on the appointment (the pair may be listed too, to set `required`); none: the pair alone. */
  participants?: readonly AppointmentParticipant[];
  /** A group session's start rule; none: every required participant. */
  group?: GroupStart | null;
  /** Whether the others are told that an observer is present. @defaultValue true */
  observersDisclosed?: boolean;
  scheduledStart: Date | null;
  /** The clinic's appointment id: creating again with it is safe. */
  externalId: string | null;
  /** The id to create it under, minted by the service ahead (an Idempotency-Key's: every attempt creates the same session); null: a new one. */
  sessionId?: string | null;
}

export interface CreateSessionDeps {
  store: SessionStore;
  folds: SessionFolds;
  jobs: LifecycleJobs;
  clock: Clock;
  rules: LifecycleRules;
}

export interface CreatedSession {
  /** false: the appointment's session existed already (a repeated create). */
  created: boolean;
  session: SessionView;
}

/** The request with its people and group rule written out. */
type WithPeople = CreateSessionInput & { participants: readonly AppointmentParticipant[]; group: GroupStart | null; observersDisclosed: boolean };

/**
 * The details a repeat must match, in one canonical form (a pair alone keeps the form it always
 * had, and so does every session that discloses its observers, the default).
 */
function fingerprintOf(input: WithPeople): string {
  const pair = [input.studentIdentity, input.counselorIdentity, input.scheduledStart?.toISOString() ?? null];
  if (input.participants.length === 0 && input.group === null && input.observersDisclosed) return JSON.stringify(pair);
  const people = input.participants.map((entry) => [entry.identity, entry.role, entry.required ?? null, ...(entry.label === undefined ? [] : [entry.label])]);
  return JSON.stringify([...pair, people, input.group ? [input.group.startAt, input.group.quorum] : null, ...(input.observersDisclosed ? [] : [{ observersDisclosed: false }])]);
}

/** The group's rule with its defaults written out, so every store gives back the same record. */
const groupOf = (group: GroupStart | null | undefined): GroupStart | null => (group ? { startAt: group.startAt ?? 'quorum', quorum: group.quorum ?? 1 } : null);

export async function createSession(deps: CreateSessionDeps, given: CreateSessionInput): Promise<CreatedSession> {
  const input: WithPeople = { ...given, participants: given.participants ?? [], group: groupOf(given.group), observersDisclosed: given.observersDisclosed ?? true };
  if (input.studentIdentity === input.counselorIdentity) {
    throw new ServiceError('invalid_request', 'the student and the counselor must be different identities');
  }
  const { participants, group } = input;
  const checked = checkAppointment({ studentIdentity: input.studentIdentity, counselorIdentity: input.counselorIdentity, participants, ...(group ? { group } : {}) });
  if (!checked.ok) throw new ServiceError('invalid_request', `participants: ${checked.reason} (${checked.code})`);
  if (group?.startAt === 'scheduled' && input.scheduledStart === null) {
    throw new ServiceError('invalid_request', 'group.startAt "scheduled" needs a scheduledStart');
  }
  let id = input.sessionId ?? newSessionId();
  let createdAt = new Date(deps.clock.now());
  if (input.externalId !== null) {
    const fingerprint = fingerprintOf(input);
    const { claimed, claim } = await deps.store.claimExternalId({ clinicId: input.clinicId, externalId: input.externalId, sessionId: id, fingerprint, createdAt });
    if (claim.fingerprint !== fingerprint) {
      throw new ServiceError('external_id_conflict', 'this externalId already names a session created with other details (identities, participants, group, observersDisclosed or scheduledStart)');
    }
    if (!claimed) {
      ({ sessionId: id, createdAt } = claim);
      if (await deps.store.findSession(id)) return { created: false, session: sessionView(await loadSession(deps, id, deps.rules)) };
    }
  }
  if (input.scheduledStart && group?.startAt === 'scheduled') {
    await deps.jobs.scheduleStartCheck({ sessionId: id, dueAt: input.scheduledStart.getTime() });
  }
  if (input.scheduledStart && deps.rules.noShowAfterMs !== null) {
    await deps.jobs.scheduleNoShowCheck({ sessionId: id, dueAt: input.scheduledStart.getTime() + deps.rules.noShowAfterMs });
  }
  const { sessionId: _minted, participants: _people, group: _group, ...pair } = input;
  const record: SessionRecord = {
    id,
    roomName: roomNameFor(id),
    ...pair,
    ...(participants.length > 0 ? { participants: participants.map(({ identity, role, required, label }) => ({ identity, role, ...(required === undefined ? {} : { required }), ...(label === undefined ? {} : { label }) })) } : {}),
    ...(group ? { group } : {}),
    createdAt,
  };
  const { created, session } = await deps.store.createSession(record);
  if (!created) return { created: false, session: sessionView(await loadSession(deps, id, deps.rules)) };
  const records = { session, events: [], activation: null, closure: null };
  return { created: true, session: sessionView({ ...records, appointment: appointmentOf(session), state: withDecisions(foldEvents(records, deps.rules), records) }) };
}
