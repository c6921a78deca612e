// What the worker does for a session whose pair is complete: record the activation (a unique
// insert that also races a cancellation or a no-show: one wins), grant publishing to the student
// and counselor in the room (their tokens could not publish before the start), then write the
// snapshot into the room's metadata (durable: late joiners and reloads get it on connect) and
// broadcast session_started; then the clinic's outbox is written (after the room, not before it).
// At-least-once: every step is safe to repeat, and every run announces under the session's one
// message id (messageIdFor).
import { TOPIC, holdersConnected, messageIdFor, publishersOf, type Appointment, type LifecycleRules } from '../../plugin';
import type { Logger } from '../logger';
import type { Clock } from './ports/Clock';
import type { ClinicEvents } from './ports/ClinicEvents';
import type { ActivateJob, LifecycleJobs, NotifyJob } from './ports/LifecycleJobs';
import type { RoomCallResult, RoomGateway } from './ports/RoomGateway';
import type { SessionFolds } from './ports/SessionFolds';
import type { ActivationRecord, SessionRecord, SessionStore } from './ports/SessionStore';
import type { CallSettingsOf } from './grantPublishing';
import { startAnnouncement } from './roomSnapshot';
import { appointmentOf, loadHead, loadSession, type LoadedSession } from './sessionState';

export interface ActivateSessionDeps {
  store: SessionStore;
  folds: SessionFolds;
  rooms: RoomGateway;
  jobs: LifecycleJobs;
  events: ClinicEvents;
  clock: Clock;
  rules: LifecycleRules;
  logger: Logger;
  callSettings: CallSettingsOf;
  /** Called once per session, by the job whose insert recorded the activation. */
  onActivationRecorded(): void;
  /** Called when session_started went out, with seconds since the completing webhook arrived. */
  onStartedSent(latencySeconds: number): void;
}

export type ActivationResult = 'sent' | 'room_gone' | 'not_active_yet' | 'not_complete' | 'closed';

/**
 * Grants publishing to these people of the appointment (never an observer: LiveKit's permission
 * update would also make them visible), at once and without asking LiveKit who is there first:
 * on the start's path (the activation, a rejoin) they are known to be connected, and LiveKit
 * answers someone not there with a quick not_found (their next token may publish). One
 * updateParticipant each, in parallel.
 */
async function grantPublishingTo(deps: Pick<ActivateSessionDeps, 'rooms' | 'callSettings'>, session: SessionRecord, appointment: Appointment, identities: readonly string[] | 'everyone'): Promise<void> {
  const publishers = publishersOf(appointment, { callSettings: deps.callSettings(session.clinicId), observersDisclosed: session.observersDisclosed ?? true });
  const granted = identities === 'everyone' ? publishers : publishers.filter(({ identity }) => identities.includes(identity));
  // The grant carries the observer notice too (the publisher's attributes).
  await Promise.all(granted.map(({ identity, grant, attributes }) => deps.rooms.setPermission(session.roomName, identity, grant, attributes)));
}

/**
 * Tells the room the session started, once its activation is recorded: first the grants (a
 * widget that publishes on the start must find itself allowed to), then the snapshot and
 * session_started together (the start reaches the room a LiveKit round trip sooner; the widget
 * accepts a session_started only once the snapshot confirms it, and waits for the snapshot if
 * the data message comes first).
 */
async function announceStart(deps: Pick<ActivateSessionDeps, 'rooms' | 'callSettings'>, records: LoadedSession, activation: ActivationRecord): Promise<[RoomCallResult, RoomCallResult]> {
  await grantPublishingTo(deps, records.session, records.appointment, 'everyone');
  const { snapshot, message } = startAnnouncement({ ...records, activation });
  return Promise.all([deps.rooms.updateRoomMetadata(records.session.roomName, snapshot), deps.rooms.sendData(records.session.roomName, message, { topic: TOPIC })]);
}

export async function activateSession(deps: ActivateSessionDeps, job: ActivateJob): Promise<ActivationResult> {
  // A group that starts at its scheduled time starts from it once the clock has reached it.
  const records = await loadSession(deps, job.sessionId, deps.rules, { asOf: deps.clock.now() });
  if (records.closure) return 'closed';
  const { state } = records;
  const log = deps.logger.child({ sessionId: job.sessionId });
  if (state.actualStart === null) {
    // Only a lost or reordered record can get here; the next event or the reconciliation asks again.
    log.warn({ eventId: job.eventId }, 'activation asked for, but the recorded events do not complete the pair');
    return 'not_complete';
  }
  const { created, winner } = await deps.store.recordDecision({
    kind: 'activation',
    sessionId: job.sessionId,
    startedAt: new Date(state.actualStart),
    messageId: messageIdFor('session_started', job.sessionId),
    createdAt: new Date(deps.clock.now()),
  });
  if (winner.kind !== 'activation') return 'closed';
  if (created) deps.onActivationRecorded();
  const [metadata, data] = await announceStart(deps, records, winner);
  const announcedAt = deps.clock.now();
  // The clinic is told after the room, not before it: its outbox write (a MongoDB insert) is off
  // the start's path and does not compete with it (on a busy database, running it beside the
  // LiveKit calls slowed them). Told by every run, not only the one that recorded it: a run that
  // failed after the insert or before this write, or a Redis failover that lost the outbox's entry,
  // is repaired by the next run (the job's retry, or the one reconciliation queues), which tells
  // the room again under the same message id. The outbox keeps one delivery per event id.
  await deps.events.publish([
    {
      id: `started_${job.sessionId}`,
      type: 'session.started',
      sessionId: job.sessionId,
      clinicId: records.session.clinicId,
      occurredAt: winner.startedAt,
      data: { roomName: records.session.roomName, startedAt: winner.startedAt.toISOString() },
    },
  ]);
  // Started with nobody holding it left in the room (they met and all left before this ran).
  if (holdersConnected(state) === 0 && state.lastPairLeftAt !== null) {
    await deps.jobs.scheduleGraceCheck({ sessionId: job.sessionId, dueAt: state.lastPairLeftAt + deps.rules.rejoinGraceMs });
  }
  if (metadata === 'room_not_found' || data === 'room_not_found') {
    log.info({ messageId: winner.messageId }, 'room closed before the activation reached it; the next token carries the snapshot');
    return 'room_gone';
  }
  deps.onStartedSent(Math.max(0, (announcedAt - job.receivedAt) / 1000));
  log.info({ created, messageId: winner.messageId }, 'session_started sent');
  return 'sent';
}

/**
 * Tells one participant who (re)joined an active session, with the activation's
 * message id, and puts the snapshot back in the room's metadata (a room re-created by that
 * join starts empty). First grants publishing: a token minted before the start cannot publish.
 */
export async function notifyParticipant(deps: Pick<ActivateSessionDeps, 'store' | 'rooms' | 'logger' | 'callSettings'>, job: NotifyJob): Promise<ActivationResult> {
  const records = await loadHead(deps.store, job.sessionId);
  if (records.closure) return 'closed';
  const activation: ActivationRecord | null = records.activation;
  if (!activation) return 'not_active_yet';
  const room = records.session.roomName;
  await grantPublishingTo(deps, records.session, appointmentOf(records.session), [job.identity]);
  const { snapshot, message } = startAnnouncement({ ...records, activation });
  const [metadata, data] = await Promise.all([
    deps.rooms.updateRoomMetadata(room, snapshot),
    deps.rooms.sendData(room, message, { topic: TOPIC, destinationIdentities: [job.identity] }),
  ]);
  const result = metadata === 'room_not_found' || data === 'room_not_found' ? 'room_gone' : 'sent';
  deps.logger.info({ sessionId: job.sessionId, eventId: job.eventId, result }, 'session_started sent to a rejoining participant');
  return result;
}
