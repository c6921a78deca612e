// Reconciliation, as a story: LiveKit is the source of presence, and webhooks get lost (retries
// give up within ~30 s, 4xx are never retried, old or queued-out events are dropped), jobs fail,
// LiveKit's API goes away for longer than a job's retries. So, every interval, the open sessions
// are compared with what LiveKit itself says, and whatever must be true is made true:
// - LiveKit has someone connected our records do not: their join is recorded (with LiveKit's
//   joinedAt, marked reconciled) and decided like any join, so a complete pair activates;
// - our records have someone connected LiveKit does not: their interval is closed now;
// - the pair was together but no activation is recorded (a job failed or was lost): it is
//   queued again;
// - an active session's room lacks its snapshot (LiveKit was away when the worker ran): the
//   snapshot is written and session_started sent again (receivers drop repeats by message id).
// Cost: one listRooms call and one page of open sessions (room_slots holds open ones only) per
// batch, each compared in memory; a session that is fine costs no other call and no write.
import type { SessionEvent } from '../../plugin';
import { TOPIC, parseSnapshot, type LifecycleRules } from '../../plugin';
import { isServiceError } from '../errors';
import type { Logger } from '../logger';
import { takeEvent, type TakeEventDeps } from './ingestWebhook';
import type { ParticipantSummary, RoomGateway, RoomSummary } from './ports/RoomGateway';
import { snapshotOf, startedMessage } from './roomSnapshot';
import { loadSession, type LoadedSession } from './sessionState';

export interface ReconcileDeps extends TakeEventDeps {
  rooms: RoomGateway;
  rules: LifecycleRules;
  logger: Logger;
}

export interface ReconcileReport {
  sessions: number;
  repaired: number;
  joinsRecorded: number;
  leavesRecorded: number;
  activationsQueued: number;
  snapshotsRewritten: number;
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

/** The sids our records have connected now. */
const connectedSids = (loaded: LoadedSession): Set<string> =>
  new Set(Object.values(loaded.state.presences).filter((presence) => presence.outcome === 'connected').map((presence) => presence.sid));

function snapshotCurrent(room: RoomSummary | undefined, loaded: LoadedSession): boolean {
  if (loaded.state.status !== 'active' || !room) return true;
  const parsed = parseSnapshot(room.metadata);
  return parsed.ok && parsed.value.status === 'active' && parsed.value.messageId === loaded.activation?.messageId;
}

/** Checks one open session against LiveKit; returns what it repaired. */
async function reconcileOne(deps: ReconcileDeps, loaded: LoadedSession, room: RoomSummary | undefined, report: ReconcileReport): Promise<void> {
  const ours = connectedSids(loaded);
  const unstarted = loaded.state.actualStart !== null && loaded.activation === null;
  const fine = ours.size === (room?.numParticipants ?? 0) && !unstarted && snapshotCurrent(room, loaded);
  if (fine) return;
  report.repaired += 1;
  const { session } = loaded;
  const now = deps.clock.now();
  const listed = room ? await deps.rooms.listParticipants(session.roomName) : 'room_not_found';
  const live: ParticipantSummary[] = listed === 'room_not_found' ? [] : listed.filter((participant) => participant.active);
  const liveSids = new Set(live.map((participant) => participant.sid));

  for (const participant of live) {
    if (ours.has(participant.sid) || loaded.state.presences[participant.sid]?.outcome === 'aborted') continue;
    const event: SessionEvent = {
      kind: 'participant_joined',
      id: `RC_joined_${participant.sid}`,
      at: participant.joinedAt,
      room: session.roomName,
      participant: { sid: participant.sid, identity: participant.identity, attributes: participant.attributes },
    };
    await takeEvent(deps, session, event, now, true);
    report.joinsRecorded += 1;
  }
  for (const sid of ours) {
    if (liveSids.has(sid)) continue;
    const presence = loaded.state.presences[sid];
    if (!presence) continue;
    const event: SessionEvent = {
      kind: 'participant_left',
      id: `RC_left_${sid}`,
      at: now,
      room: session.roomName,
      participant: { sid, identity: presence.identity, attributes: {} },
    };
    await takeEvent(deps, session, event, now, true);
    report.leavesRecorded += 1;
  }
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
}

/** One reconciliation pass over every open session, `batchSize` at a time. */
export async function reconcileSessions(deps: ReconcileDeps, batchSize = 200): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    sessions: 0,
    repaired: 0,
    joinsRecorded: 0,
    leavesRecorded: 0,
    activationsQueued: 0,
    snapshotsRewritten: 0,
    open: { waiting: 0, active: 0 },
    oldest: { waiting: null, active: null },
  };
  const rooms = new Map((await deps.rooms.listRooms()).map((room) => [room.name, room]));
  for (let after: string | null = null; ; ) {
    const page = await deps.store.listOpenSessions(after, batchSize);
    for (const { roomName, sessionId } of page) {
      report.sessions += 1;
      const loaded = await loadSession(deps.store, sessionId, deps.rules).catch((error: unknown) => {
        // A slot whose session was never written (a crash between the two inserts): nothing to reconcile.
        if (isServiceError(error) && error.code === 'session_not_found') return null;
        throw error;
      });
      if (loaded && !loaded.closure) {
        tally(report, loaded);
        await reconcileOne(deps, loaded, rooms.get(roomName), report);
      }
    }
    if (page.length < batchSize) return report;
    after = page.at(-1)?.roomName ?? null;
  }
}
