// The session lives on the clinic's clock, not on the LiveKit room's: with real clients, LiveKit's
// own webhooks and the real timers (LiveKit closes an empty room after 5 s in the test stack; the
// service's rejoin grace is 15 s here), a room closing never kills a session, the grace ends an
// abandoned one at the moment the last person left, and cancel and no-show close the session,
// tell whoever is connected, refuse tokens and free the room.
import { RoomServiceClient } from 'livekit-server-sdk';
import { uniqueName, waitFor } from '../support/isolation';
import { must } from '../../webhook-service/client';
import { clinic, disposeClients, env, join, received, snapshotOf, type Client } from '../support/rtcClients';

jest.setTimeout(150_000);

const GRACE_MS = Number(process.env.E2E_REJOIN_GRACE_SECONDS ?? '15') * 1000;
/** The service's default no-show window; the tests place scheduledStart so it runs out within seconds. */
const NO_SHOW_AFTER_MS = 1800 * 1000;

afterAll(async () => {
  await disposeClients();
});

const liveKit = () => new RoomServiceClient(env('LIVEKIT_URL'), env('LIVEKIT_API_KEY'), env('LIVEKIT_API_SECRET'));
const roomExists = async (roomName: string) => (await liveKit().listRooms([roomName])).length > 0;
// Read loosely on purpose: the assertions below index into it freely.
const view = async (sessionId: string): Promise<any> => must(await clinic().getSession(sessionId)); // eslint-disable-line @typescript-eslint/no-explicit-any

async function newSession(scheduledStart?: Date) {
  const names = { studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor') };
  const created = await clinic().createSession({ ...names, ...(scheduledStart ? { scheduledStart: scheduledStart.toISOString() } : {}) });
  expect(created.status).toBe(201);
  return { ...names, roomName: must(created).roomName, sessionId: must(created).id };
}

/** Waits until the service has seen `identity` connected (or not). */
const seen = (sessionId: string, identity: string, connected: boolean) =>
  waitFor(async () => (await view(sessionId)).participants.find((entry: { identity: string }) => entry.identity === identity)?.connected === connected, {
    timeoutMs: 30_000,
    intervalMs: 200,
  });

/** Both leave, and LiveKit closes the empty room (departure_timeout) and says so. */
async function leaveAndLetTheRoomClose(session: { sessionId: string; roomName: string; studentIdentity: string; counselorIdentity: string }, clients: Client[]) {
  for (const client of clients) await client.room.disconnect();
  await seen(session.sessionId, session.studentIdentity, false);
  await seen(session.sessionId, session.counselorIdentity, false);
  await waitFor(async () => !(await roomExists(session.roomName)), { timeoutMs: 30_000, intervalMs: 250 });
}

const lastLeave = (current: { participants: { intervals: { leftAt: string | null }[] }[] }) =>
  Math.max(...current.participants.flatMap((entry) => entry.intervals.map((interval) => Date.parse(interval.leftAt as string))));

async function expectClosedFor(client: Client, sessionId: string, reason: string) {
  await waitFor(() => received(client, 'session_ended', sessionId), { timeoutMs: 20_000 });
  expect(received(client, 'session_ended', sessionId)).toMatchObject({ reason });
  await waitFor(() => client.disconnectReason !== null, { timeoutMs: 20_000 });
}

test('an early student who steps away while LiveKit closes the empty room still starts the session when both are back', async () => {
  const session = await newSession();
  const early = await join(session.sessionId, session.studentIdentity);
  await seen(session.sessionId, session.studentIdentity, true);
  await early.room.disconnect();
  await seen(session.sessionId, session.studentIdentity, false);
  await waitFor(async () => !(await roomExists(session.roomName)), { timeoutMs: 30_000, intervalMs: 250 });
  // LiveKit's room_finished has been and gone: the session still waits, and still mints tokens.
  await waitFor(async () => (await view(session.sessionId)).status === 'waiting');

  const student = await join(session.sessionId, session.studentIdentity);
  const counselor = await join(session.sessionId, session.counselorIdentity);
  await waitFor(() => received(student, 'session_started', session.sessionId) && received(counselor, 'session_started', session.sessionId), { timeoutMs: 20_000 });
  const active = await view(session.sessionId);
  expect(active.status).toBe('active');
  // The start is when both were present: the later of the two current connections, not the early visit.
  const currentJoins = active.participants.map((entry: { intervals: { joinedAt: string }[] }) => Date.parse(entry.intervals.at(-1)?.joinedAt as string));
  expect(Date.parse(active.actualStart)).toBe(Math.max(...currentJoins));
  expect(active.participants[0].intervals).toHaveLength(2);
  await Promise.all([student.room.disconnect(), counselor.room.disconnect()]);
});

test('an active session survives its room closing: the first back skips the waiting room, and the grace ends it at the last leave', async () => {
  const session = await newSession();
  const student = await join(session.sessionId, session.studentIdentity);
  const counselor = await join(session.sessionId, session.counselorIdentity);
  await waitFor(() => received(student, 'session_started', session.sessionId) && received(counselor, 'session_started', session.sessionId), { timeoutMs: 20_000 });
  const { actualStart } = await view(session.sessionId);

  await leaveAndLetTheRoomClose(session, [student, counselor]);
  // Back within the grace, into a room LiveKit re-creates: the snapshot is there on connect.
  const back = await join(session.sessionId, session.studentIdentity);
  expect(snapshotOf(back)).toMatchObject({ sessionId: session.sessionId, status: 'active', startedAt: actualStart });
  const otherBack = await join(session.sessionId, session.counselorIdentity);
  expect(snapshotOf(otherBack)).toMatchObject({ status: 'active' });
  await seen(session.sessionId, session.counselorIdentity, true);
  expect(await view(session.sessionId)).toMatchObject({ status: 'active', actualStart });

  // Then both go for good: the grace runs out and the session ends when the last of them left.
  await Promise.all([back.room.disconnect(), otherBack.room.disconnect()]);
  await seen(session.sessionId, session.studentIdentity, false);
  await seen(session.sessionId, session.counselorIdentity, false);
  const ended = await waitFor(
    async () => {
      const current = await view(session.sessionId);
      return current.status === 'ended' ? current : null;
    },
    { timeoutMs: GRACE_MS + 30_000, intervalMs: 500 },
  );
  expect(ended).toMatchObject({ endReason: 'timeout', actualStart });
  expect(Date.parse(ended.actualEnd)).toBe(lastLeave(ended));
  expect(Date.parse(ended.closedAt) - Date.parse(ended.actualEnd)).toBeGreaterThanOrEqual(GRACE_MS);
  expect((await clinic().mintJoinToken(session.sessionId, session.studentIdentity)).error?.code).toBe('session_ended');
});

test('a cancel before the start tells the waiting student, refuses tokens and frees the room', async () => {
  const session = await newSession();
  const student = await join(session.sessionId, session.studentIdentity);
  await seen(session.sessionId, session.studentIdentity, true);
  expect((await clinic().endSession(session.sessionId)).error?.code).toBe('session_not_active');

  const cancelled = await clinic().cancelSession(session.sessionId);
  expect(cancelled).toMatchObject({ status: 200, data: { status: 'cancelled', endReason: 'cancelled', actualStart: null } });
  await expectClosedFor(student, session.sessionId, 'cancelled');
  expect(student.snapshots.at(-1)).toMatchObject({ status: 'cancelled', reason: 'cancelled' });
  expect((await clinic().mintJoinToken(session.sessionId, session.counselorIdentity)).error?.code).toBe('session_cancelled');
  expect((await clinic().createSession({ studentIdentity: 'next-student', counselorIdentity: 'next-counselor' })).status).toBe(201);
});

test('a no-show when only the student came: the record says who came and how late, and the student is told', async () => {
  const scheduledStart = new Date(Date.now() - NO_SHOW_AFTER_MS + 8_000);
  const session = await newSession(scheduledStart);
  const student = await join(session.sessionId, session.studentIdentity);
  await seen(session.sessionId, session.studentIdentity, true);
  await expectClosedFor(student, session.sessionId, 'no_show');
  const record = await view(session.sessionId);
  expect(record).toMatchObject({ status: 'no_show', endReason: 'no_show', actualStart: null, actualEnd: null });
  const [came, absent] = record.participants;
  expect(came.identity).toBe(session.studentIdentity);
  expect(came.lateSeconds).toBe(Math.round((Date.parse(came.firstJoinedAt) - scheduledStart.getTime()) / 1000));
  expect(came.lateSeconds).toBeGreaterThan(NO_SHOW_AFTER_MS / 1000 - 60);
  expect(absent).toMatchObject({ identity: session.counselorIdentity, firstJoinedAt: null, lateSeconds: null });
  expect((await clinic().mintJoinToken(session.sessionId, session.counselorIdentity)).error?.code).toBe('session_no_show');
  expect((await clinic().createSession({ studentIdentity: 'next-student', counselorIdentity: 'next-counselor' })).status).toBe(201);
});

test('a no-show when nobody came, and a session whose pair met is never one', async () => {
  // The pair meets well before its window runs out; the empty session's window runs out first.
  const metDue = Date.now() + 12_000;
  const met = await newSession(new Date(metDue - NO_SHOW_AFTER_MS));
  const nobody = await newSession(new Date(Date.now() - NO_SHOW_AFTER_MS + 3_000));
  const student = await join(met.sessionId, met.studentIdentity);
  const counselor = await join(met.sessionId, met.counselorIdentity);
  await waitFor(() => received(student, 'session_started', met.sessionId), { timeoutMs: 20_000 });

  const record = await waitFor(
    async () => {
      const current = await view(nobody.sessionId);
      return current.status === 'no_show' ? current : null;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  expect(record.participants.map((entry: { firstJoinedAt: string | null }) => entry.firstJoinedAt)).toEqual([null, null]);
  // Past the met session's own no-show moment (its timer has run), it is still active.
  await waitFor(() => Date.now() > metDue + 3_000, { timeoutMs: 30_000, intervalMs: 500 });
  expect((await view(met.sessionId)).status).toBe('active');
  expect(received(student, 'session_ended', met.sessionId)).toBeUndefined();
  await Promise.all([student.room.disconnect(), counselor.room.disconnect()]);
});
