// Reconciliation, as a story: MongoDB is the durable truth and LiveKit the source of presence;
// webhooks get lost (retries give up within ~30 s, 4xx are never retried, old or queued-out
// events are dropped), jobs fail, and Redis (queues, timers, copies) can lose everything. So,
// every interval, each session the service still owes work is re-derived from its durable record
// and compared with what LiveKit itself says, and whatever must be true is made true:
// - presence: the session's room is listed AFTER its state was read, and the plugin's rule
//   (plugin/reconciliation.ts) says what may be inferred: a join LiveKit's webhook never
//   brought, a sid gone from a listing newer than its last observation, a sid seen again after
//   such an inference (which reopens it). Each is recorded as reconciled with its evidence and
//   audited; no listing older than a join can close it;
// - the pair was together but no activation is recorded (a job failed or was lost): it is
//   queued again; an active session's room lacks its snapshot: written again; in a session that
//   needed such a repair, a student or counselor without the right to publish (a grant that
//   raced their join) is granted it;
// - timers: the rejoin grace and the no-show window are derived from the state
//   (pendingTimers); one that is due runs now, one that is not is armed again (a no-op while its
//   job exists);
// - a closed session whose close did not finish (room told and deleted) is asked to close again;
//   an entry whose session was never written is dropped once old.
// Cost: one listRooms call (a filter: it decides nothing) and one page of open sessions per
// batch, each compared in memory; a session that agrees with it costs no other LiveKit call.
import { TOPIC, observationsOf, parseSnapshot, pendingTimers, type LifecycleRules, type Observation, type SessionEvent } from '../../plugin';
import { isServiceError } from '../errors';
import { newAuditId } from '../ids';
import type { Logger } from '../logger';
import { closeSession, type CloseSessionDeps } from './closeSession';
import { grantPublishingIn, type CallSettingsOf } from './grantPublishing';
import { takeEvent, type TakeEventDeps } from './ingestWebhook';
import type { AuditTrail } from './ports/AuditTrail';
import type { RoomGateway, RoomSummary } from './ports/RoomGateway';
import type { OpenSession, ReconcileEvidence } from './ports/SessionStore';
import { snapshotOf, startedMessage } from './roomSnapshot';
import { loadSession, type LoadedSession } from './sessionState';

export interface ReconcileDeps extends TakeEventDeps, CloseSessionDeps {
  rooms: RoomGateway;
  rules: LifecycleRules;
  logger: Logger;
  audit: AuditTrail;
  callSettings: CallSettingsOf;
}

export interface ReconcileReport {
  sessions: number;
  repaired: number;
  joinsRecorded: number;
  leavesRecorded: number;
  presencesReopened: number;
  activationsQueued: number;
  snapshotsRewritten: number;
  timersRun: number;
  timersArmed: number;
  closesRequested: number;
  grantsRepaired: number;
  /** Sessions left for the next pass: busy (their lock held), or a dependency away for them. */
  skipped: number;
  /** Open sessions seen, by status (for the operator's gauges). */
  open: { waiting: number; active: number };
  /** The oldest open session's reference time by status, epoch ms: waiting since its scheduled start (else its creation), active since its start. */
  oldest: { waiting: number | null; active: number | null };
}

/** Counts an open session in the report's gauges. */
function tally(report: ReconcileReport, loaded: LoadedSession): void {
  const status = loaded.state.status;
  if (status !== 'waiting' && status !== 'active') return;
  const since =
    status === 'active'
      ? (loaded.activation?.startedAt.getTime() ?? loaded.state.actualStart ?? loaded.session.createdAt.getTime())
      : (loaded.session.scheduledStart ?? loaded.session.createdAt).getTime();
  report.open[status] += 1;
  report.oldest[status] = Math.min(report.oldest[status] ?? since, since);
}

const RETRY_NEXT_PASS: readonly string[] = ['store_unavailable', 'livekit_unavailable', 'queue_unavailable'];

/** An open entry whose session document is still missing after this long was left by a crash between the two inserts. */
const ORPHAN_AFTER_MS = 60_000;

const emptyReport = (): ReconcileReport => ({
  sessions: 0,
  repaired: 0,
  joinsRecorded: 0,
  leavesRecorded: 0,
  presencesReopened: 0,
  activationsQueued: 0,
  snapshotsRewritten: 0,
  timersRun: 0,
  timersArmed: 0,
  closesRequested: 0,
  grantsRepaired: 0,
  skipped: 0,
  open: { waiting: 0, active: 0 },
  oldest: { waiting: null, active: null },
});

const connectedCount = (loaded: LoadedSession): number => Object.values(loaded.state.presences).filter((presence) => presence.outcome === 'connected').length;

function snapshotCurrent(room: RoomSummary | undefined, loaded: LoadedSession): boolean {
  if (loaded.state.status !== 'active' || !room) return true;
  const parsed = parseSnapshot(room.metadata);
  return parsed.ok && parsed.value.status === 'active' && parsed.value.messageId === loaded.activation?.messageId;
}

function eventOf(observation: Observation, roomName: string): SessionEvent {
  if (observation.kind === 'participant_gone') {
    const { sid, identity } = observation.presence;
    return { kind: 'participant_gone', id: `RC_gone_${sid}_${observation.at}`, at: observation.at, room: roomName, participant: { sid, identity, attributes: {} } };
  }
  const { sid, identity, attributes } = observation.participant;
  const id = observation.kind === 'participant_joined' ? `RC_joined_${sid}` : `RC_seen_${sid}_${observation.at}`;
  return { kind: observation.kind, id, at: observation.at, room: roomName, participant: { sid, identity, attributes } };
}

const COUNTER = { participant_joined: 'joinsRecorded', participant_gone: 'leavesRecorded', participant_seen: 'presencesReopened' } as const;

/** Lists the room now (after the state was read at `readAt`) and records what the rule infers. */
async function repairPresence(deps: ReconcileDeps, loaded: LoadedSession, readAt: number, report: ReconcileReport): Promise<void> {
  const { session } = loaded;
  const requestedAt = deps.clock.now();
  const listed = await deps.rooms.listParticipants(session.roomName);
  const takenAt = deps.clock.now();
  const participants = listed === 'room_not_found' ? [] : listed.filter((participant) => participant.active);
  const observations = observationsOf(loaded.state.presences, readAt, { requestedAt, takenAt, participants });
  if (observations.length === 0) return;
  const evidence: ReconcileEvidence = { source: listed === 'room_not_found' ? 'room_not_found' : 'list_participants', requestedAt, takenAt, listed: participants.length };
  for (const observation of observations) {
    await takeEvent(deps, session, eventOf(observation, session.roomName), takenAt, { evidence });
    report[COUNTER[observation.kind]] += 1;
  }
  await deps.audit.record({
    id: newAuditId(),
    keyName: 'reconciliation',
    action: 'presence.reconciled',
    sessionId: session.id,
    identity: null,
    at: new Date(takenAt),
    outcome: { status: 200, code: null },
    detail: JSON.stringify({ recorded: observations.map((observation) => ({ kind: observation.kind, sid: 'participant' in observation ? observation.participant.sid : observation.presence.sid, at: new Date(observation.at).toISOString() })), evidence }),
  });
}

/** Presence, activation and snapshot of one open session against LiveKit. */
async function reconcileOne(deps: ReconcileDeps, loaded: LoadedSession, readAt: number, room: RoomSummary | undefined, report: ReconcileReport): Promise<boolean> {
  const { session } = loaded;
  const unstarted = loaded.state.actualStart !== null && loaded.activation === null;
  // The listing taken before the pass is only a filter: a session it agrees with costs nothing
  // more; any other is listed again, now, before anything is inferred.
  const agrees = connectedCount(loaded) === (room?.numParticipants ?? 0);
  if (agrees && !unstarted && snapshotCurrent(room, loaded)) return false;
  report.repaired += 1;
  if (!agrees) await repairPresence(deps, loaded, readAt, report);
  const now = deps.clock.now();
  if (unstarted) {
    await deps.jobs.requestActivation({ sessionId: session.id, eventId: `reconcile_${now}`, receivedAt: now });
    report.activationsQueued += 1;
  }
  if (!snapshotCurrent(room, loaded) && loaded.activation && room) {
    await Promise.all([
      deps.rooms.updateRoomMetadata(session.roomName, snapshotOf(loaded)),
      deps.rooms.sendData(session.roomName, startedMessage(loaded.activation), { topic: TOPIC }),
    ]);
    report.snapshotsRewritten += 1;
  }
  deps.logger.info({ sessionId: session.id, report }, 'session reconciled with LiveKit');
  return true;
}

/** Runs the timers the durable record says are due, and arms the others again. */
async function keepTimers(deps: ReconcileDeps, loaded: LoadedSession, report: ReconcileReport): Promise<void> {
  const sessionId = loaded.session.id;
  const now = deps.clock.now();
  for (const timer of pendingTimers(loaded.state)) {
    if (timer.dueAt <= now) {
      const closed = await closeSession(deps, sessionId, { kind: timer.kind, at: now });
      report.timersRun += 1;
      deps.logger.info({ sessionId, timer: timer.kind, dueAt: timer.dueAt, lateMs: now - timer.dueAt, outcome: closed.closure?.status ?? 'still_open' }, 'timer run by reconciliation');
    } else {
      const job = { sessionId, dueAt: timer.dueAt };
      await (timer.kind === 'grace_expired' ? deps.jobs.scheduleGraceCheck(job) : timer.kind === 'start_due' ? deps.jobs.scheduleStartCheck(job) : deps.jobs.scheduleNoShowCheck(job));
      report.timersArmed += 1;
    }
  }
}

async function reconcileEntry(deps: ReconcileDeps, entry: OpenSession, rooms: Map<string, RoomSummary>, report: ReconcileReport): Promise<void> {
  const readAt = deps.clock.now();
  const loaded = await loadSession(deps, entry.sessionId, deps.rules).catch((error: unknown) => {
    if (isServiceError(error) && error.code === 'session_not_found') return null;
    throw error;
  });
  if (!loaded) {
    if (readAt - entry.createdAt.getTime() > ORPHAN_AFTER_MS) await deps.store.finishSession(entry.sessionId);
    return;
  }
  if (loaded.closure) {
    await deps.jobs.requestClose({ sessionId: entry.sessionId });
    report.closesRequested += 1;
    return;
  }
  tally(report, loaded);
  const room = rooms.get(entry.roomName);
  const repaired = await reconcileOne(deps, loaded, readAt, room, report);
  // A session that needed repairs is listed anyway: its grants are checked too (one more listing).
  if (repaired && loaded.activation && (room?.numParticipants ?? 0) > 0) report.grantsRepaired += (await grantPublishingIn(deps, loaded)).granted.length;
  await keepTimers(deps, repaired ? await loadSession(deps, entry.sessionId, deps.rules) : loaded, report);
}

/**
 * Sessions of a page checked at once. Each one waits mostly on round trips (its copy, its lock,
 * LiveKit, and after a Redis failover its history from MongoDB); one at a time, a pass over a
 * busy clinic's open sessions took seconds for what a few at once do in a fraction of it. Each
 * session takes its own lock, so they never meet.
 */
export const SESSIONS_AT_ONCE = 8;

/** Runs `work` over `items` with at most `atOnce` running; the first failure fails the whole, after the running ones settle. */
async function eachAtMost<T>(items: readonly T[], atOnce: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(atOnce, items.length) }, lane));
  const failed = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
  if (failed) throw failed.reason;
}

/** One reconciliation pass over every session the service still owes work, `batchSize` at a time, `atOnce` of them at once. */
export async function reconcileSessions(deps: ReconcileDeps, batchSize = 200, atOnce = SESSIONS_AT_ONCE): Promise<ReconcileReport> {
  const report = emptyReport();
  const rooms = new Map((await deps.rooms.listRooms()).map((room) => [room.name, room]));
  for (let after: string | null = null; ; ) {
    const page = await deps.store.listOpenSessions(after, batchSize);
    report.sessions += page.length;
    // One session that cannot be checked now (its lock held by a burst of webhooks, a dependency
    // away for a moment) waits for the next pass; it never stops the pass for all the others.
    await eachAtMost(page, atOnce, (entry) =>
      reconcileEntry(deps, entry, rooms, report).catch((error: unknown) => {
        if (!isServiceError(error) || !RETRY_NEXT_PASS.includes(error.code)) throw error;
        report.skipped += 1;
        deps.logger.warn({ sessionId: entry.sessionId, code: error.code }, 'session left for the next reconciliation pass');
      }),
    );
    if (page.length < batchSize) return report;
    after = page.at(-1)?.sessionId ?? null;
  }
}
