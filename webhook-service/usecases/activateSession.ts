// What the worker does for a session that turned active: record the activation once (a unique
// insert; a racing or repeated job reads the winner and reuses its message id), then write the
// snapshot into the room metadata (durable: late joiners and reloads get it on connect) and
// broadcast session_started. At-least-once: every step is safe to repeat.
import { encodeMessage, encodeSnapshot, TOPIC, type SessionSnapshot } from '../../plugin';
import type { Clock } from './ports/Clock';
import { ServiceError } from '../errors';
import { newMessageId } from '../ids';
import type { RoomGateway } from './ports/RoomGateway';
import type { Logger } from '../logger';
import type { ActivateJob, NotifyJob } from './ports/ActivationJobs';
import type { ActivationRecord, SessionStore } from './ports/SessionStore';
import { replayEvents } from './sessionState';

export interface ActivateSessionDeps {
  store: SessionStore;
  rooms: RoomGateway;
  clock: Clock;
  logger: Logger;
  /** Called once per session, by the job whose insert recorded the activation. */
  onActivationRecorded(): void;
  /** Called when session_started went out, with seconds since the completing webhook arrived. */
  onStartedSent(latencySeconds: number): void;
}

export type ActivationResult = 'sent' | 'room_gone' | 'not_active_yet';

const startedMessage = (activation: ActivationRecord) =>
  encodeMessage({
    v: 1,
    type: 'session_started',
    messageId: activation.messageId,
    sessionId: activation.sessionId,
    startedAt: activation.startedAt.toISOString(),
  });

export async function activateSession(deps: ActivateSessionDeps, job: ActivateJob): Promise<ActivationResult> {
  const session = await deps.store.findSession(job.sessionId);
  if (!session) throw ServiceError.notFound(job.sessionId);
  const state = replayEvents(session, await deps.store.listEvents(session.id));
  if (state.actualStart === null) {
    // The intake stores the completing event before queueing this job, so this cannot be retried into success.
    throw new ServiceError('internal', `session ${session.id} was queued for activation but its log never completes the pair`);
  }
  const { created, activation } = await deps.store.recordActivation({
    sessionId: session.id,
    startedAt: new Date(state.actualStart),
    messageId: newMessageId(),
    createdAt: new Date(deps.clock.now()),
  });
  if (created) deps.onActivationRecorded();

  const snapshot: SessionSnapshot = {
    v: 1,
    type: 'session_snapshot',
    sessionId: session.id,
    status: state.actualEnd !== null ? 'ended' : 'active',
    startedAt: activation.startedAt.toISOString(),
    endedAt: state.actualEnd !== null ? new Date(state.actualEnd).toISOString() : null,
    reason: state.actualEnd !== null ? 'ended' : null,
    messageId: activation.messageId,
  };
  const log = deps.logger.child({ sessionId: session.id, messageId: activation.messageId });
  // Both at once: the start reaches the room a LiveKit round trip sooner. The widget accepts a
  // session_started only once the snapshot confirms it, and waits for the snapshot if the data
  // message comes first.
  const [metadata, data] = await Promise.all([
    deps.rooms.updateRoomMetadata(session.roomName, encodeSnapshot(snapshot)),
    deps.rooms.sendData(session.roomName, startedMessage(activation), { topic: TOPIC }),
  ]);
  if (metadata === 'room_not_found' || data === 'room_not_found') {
    log.info('room closed before the activation reached it; nobody to tell');
    return 'room_gone';
  }
  deps.onStartedSent(Math.max(0, (deps.clock.now() - job.receivedAt) / 1000));
  log.info({ created }, 'session_started sent');
  return 'sent';
}

/** Tells one student or counselor who (re)joined an active session; same message id as the broadcast. */
export async function notifyParticipant(deps: Pick<ActivateSessionDeps, 'store' | 'rooms' | 'logger'>, job: NotifyJob): Promise<ActivationResult> {
  const activation = await deps.store.findActivation(job.sessionId);
  if (!activation) return 'not_active_yet';
  const session = await deps.store.findSession(job.sessionId);
  if (!session) throw ServiceError.notFound(job.sessionId);
  const result = await deps.rooms.sendData(session.roomName, startedMessage(activation), {
    topic: TOPIC,
    destinationIdentities: [job.identity],
  });
  deps.logger.info({ sessionId: session.id, eventId: job.eventId, result }, 'session_started sent to a rejoining participant');
  return result === 'room_not_found' ? 'room_gone' : 'sent';
}
