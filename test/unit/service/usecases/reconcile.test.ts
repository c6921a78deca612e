// Reconciliation on fakes: the open sessions against what LiveKit says of its rooms.
import { encodeSnapshot, parseMessage } from '../../../../plugin';
import { activateSession } from '../../../../webhook-service/usecases/activateSession';
import { reconcileSessions } from '../../../../webhook-service/usecases/reconcileSessions';
import { loadSession } from '../../../../webhook-service/usecases/sessionState';
import { aSessionIn, T0, webhook, world, type World } from './world';

const active = (sid: string, identity: string, joinedAt: number) => ({ sid, identity, attributes: {}, joinedAt, active: true, canPublish: true });

async function startedSession(deps: World) {
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
  return session;
}

test("a counselor join whose webhook never came is recorded from LiveKit's own list, marked reconciled, and the session starts", async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  deps.rooms.live.set(session.roomName, { metadata: '', participants: [active('PA_s1', 'stu', T0), active('PA_c1', 'cou', T0 + 700)] });
  deps.clock.advance(30_000);

  const report = await reconcileSessions(deps);
  expect(report).toMatchObject({ sessions: 1, repaired: 1, joinsRecorded: 1, leavesRecorded: 0 });
  const records = await deps.store.loadRecords(session.id);
  expect(records?.events.find((event) => event.id === 'RC_joined_PA_c1')).toMatchObject({ reconciled: true, at: new Date(T0 + 700) });
  expect(deps.jobs.activations).toEqual([expect.objectContaining({ sessionId: session.id, eventId: 'RC_joined_PA_c1' })]);
  expect(deps.events.types()).toContain('participant.joined');
});

test('someone our records have connected but LiveKit does not (a lost leave, a lost room_finished) is closed now', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  deps.clock.advance(60_000);
  const report = await reconcileSessions(deps);
  expect(report).toMatchObject({ repaired: 1, leavesRecorded: 1 });
  const { state } = await loadSession(deps, session.id, deps.rules);
  expect(state.presences.PA_s1).toMatchObject({ outcome: 'left', leftAt: T0 + 60_000 });
});

test('a pair together with no activation recorded (the job failed or was lost) gets its activation queued again', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  deps.jobs.activations.length = 0;
  deps.rooms.live.set(session.roomName, { metadata: '', participants: [active('PA_s1', 'stu', T0), active('PA_c1', 'cou', T0 + 900)] });
  expect(await reconcileSessions(deps)).toMatchObject({ activationsQueued: 1, joinsRecorded: 0, leavesRecorded: 0 });
  expect(deps.jobs.activations).toHaveLength(1);
});

test("an active session whose room lacks its snapshot (LiveKit was away when the worker ran) gets it back, with session_started again", async () => {
  const deps = world();
  const session = await startedSession(deps);
  deps.rooms.live.set(session.roomName, { metadata: '', participants: [active('PA_s1', 'stu', T0), active('PA_c1', 'cou', T0 + 900)] });
  deps.rooms.calls.length = 0;
  expect(await reconcileSessions(deps)).toMatchObject({ snapshotsRewritten: 1 });
  const sent = deps.rooms.calls.find((call) => call.call === 'sendData');
  const message = sent && sent.call === 'sendData' ? parseMessage(sent.data) : null;
  expect(message).toMatchObject({ ok: true, value: { type: 'session_started', sessionId: session.id } });
});

test('sessions that are fine cost no LiveKit call beyond the one list, and no write', async () => {
  const deps = world();
  const session = await startedSession(deps);
  const { activation } = await loadSession(deps, session.id, deps.rules);
  const snapshot = encodeSnapshot({ v: 1, type: 'session_snapshot', sessionId: session.id, status: 'active', startedAt: new Date(T0 + 900).toISOString(), endedAt: null, reason: null, messageId: activation?.messageId ?? null });
  deps.rooms.live.set(session.roomName, { metadata: snapshot, participants: [active('PA_s1', 'stu', T0), active('PA_c1', 'cou', T0 + 900)] });
  deps.rooms.calls.length = 0;
  const writes = jest.spyOn(deps.store, 'recordEvent');
  expect(await reconcileSessions(deps)).toMatchObject({ sessions: 1, repaired: 0 });
  expect(deps.rooms.calls).toEqual([]);
  expect(writes).not.toHaveBeenCalled();
});

test('open sessions are walked in batches, every one of them', async () => {
  const deps = world();
  for (let index = 0; index < 7; index += 1) await aSessionIn(deps);
  expect(await reconcileSessions(deps, 3)).toMatchObject({ sessions: 7, repaired: 0 });
});

test('a page is checked a few sessions at once, never more than the limit', async () => {
  const deps = world();
  const sessions = [];
  for (let index = 0; index < 12; index += 1) sessions.push(await aSessionIn(deps));
  for (const session of sessions) await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  deps.clock.advance(60_000);
  // Every session disagrees with LiveKit (nobody listed), so each one lists its room: count how
  // many listings are in flight together, holding each one until four have started.
  let inFlight = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const listParticipants = deps.rooms.listParticipants.bind(deps.rooms);
  jest.spyOn(deps.rooms, 'listParticipants').mockImplementation(async (room) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    if (inFlight >= 4) for (const release of waiting.splice(0)) release();
    else await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight -= 1;
    return listParticipants(room);
  });
  const report = await reconcileSessions(deps, 200, 4);
  expect(most).toBe(4);
  expect(report).toMatchObject({ sessions: 12, repaired: 12, leavesRecorded: 12 });
});
