// Activation, closing, announcing and tokens on fakes: what the worker and the clinic API do.
import { parseMessage, parseSnapshot } from '../../../../plugin';
import { activateSession, notifyParticipant } from '../../../../webhook-service/usecases/activateSession';
import { announceClosure } from '../../../../webhook-service/usecases/announceClosure';
import { closeSession } from '../../../../webhook-service/usecases/closeSession';
import { mintJoinToken } from '../../../../webhook-service/usecases/mintJoinToken';
import { aSessionIn, T0, webhook, world, type World } from './world';

async function activeSession(deps: World) {
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('sent');
  return session;
}

const snapshotsSent = (deps: World) =>
  deps.rooms.calls.flatMap((call) => (call.call === 'updateRoomMetadata' || call.call === 'openRoom' ? [parseSnapshot(call.metadata)] : [])).map((parsed) => (parsed.ok ? parsed.value : null));
const messagesSent = (deps: World) => deps.rooms.calls.flatMap((call) => (call.call === 'sendData' ? [parseMessage(call.data)] : [])).map((parsed) => (parsed.ok ? parsed.value : null));

describe('activation', () => {
  test('records the start once, writes the snapshot, broadcasts session_started and tells the clinic once', async () => {
    const deps = world();
    const session = await activeSession(deps);
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_again', receivedAt: T0 })).toBe('sent');
    expect(deps.activationsRecorded).toBe(1);
    const [first, second] = messagesSent(deps);
    expect(first).toMatchObject({ type: 'session_started', sessionId: session.id, startedAt: new Date(T0 + 900).toISOString() });
    expect(second?.messageId).toBe(first?.messageId);
    expect(snapshotsSent(deps)[0]).toMatchObject({ status: 'active', messageId: first?.messageId });
    // Every run tells the clinic (a lost outbox entry comes back), always under the same event id,
    // which the outbox delivers once.
    expect(new Set(deps.events.published.filter((event) => event.type === 'session.started').map((event) => event.id))).toEqual(new Set([`started_${session.id}`]));
  });

  test('a run after one that recorded the start but could not tell the clinic tells it, under the same event id', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
    const publish = deps.events.publish.bind(deps.events);
    deps.events.publish = async () => {
      throw new Error('Redis is changing primary');
    };
    await expect(activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).rejects.toThrow('changing primary');
    deps.events.publish = publish;
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('sent');
    expect(deps.activationsRecorded).toBe(1);
    expect(deps.events.published.filter((event) => event.type === 'session.started').map((event) => event.id)).toEqual([`started_${session.id}`]);
    // The failed run had told the room already; the retry tells it again under the same message id.
    const started = messagesSent(deps).filter((message) => message?.type === 'session_started');
    expect(started).toHaveLength(2);
    expect(started[1]?.messageId).toBe(started[0]?.messageId);
  });

  test('the room hears session_started before the clinic outbox is written, and the job ends only once the clinic is told', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
    const publish = deps.events.publish.bind(deps.events);
    let outboxWritten!: () => void;
    const outboxWrite = new Promise<void>((resolve) => {
      outboxWritten = resolve;
    });
    deps.events.publish = async (events) => {
      await outboxWrite;
      await publish(events);
    };
    let finished = false;
    const run = activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 }).finally(() => {
      finished = true;
    });
    const deadline = Date.now() + 2000;
    while (!deps.rooms.calls.some((call) => call.call === 'sendData') && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    // Recorded, granted and announced while the outbox write is still pending.
    expect((await deps.store.loadRecords(session.id))?.activation).not.toBeNull();
    expect(deps.rooms.calls.map((call) => call.call)).toEqual(['setPermission', 'setPermission', 'updateRoomMetadata', 'sendData']);
    expect(finished).toBe(false);
    outboxWritten();
    expect(await run).toBe('sent');
    expect(deps.events.published.filter((event) => event.type === 'session.started')).toHaveLength(1);
  });

  test('a session cancelled before its activation ran stays cancelled and nothing is sent', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    await closeSession(deps, session.id, { kind: 'cancel_requested', at: T0 + 100 });
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 }).catch(() => undefined);
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('closed');
    expect(messagesSent(deps).filter((message) => message?.type === 'session_started')).toEqual([]);
  });

  test('an activation asked for on records that do not complete the pair does nothing and does not fail', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_x', receivedAt: T0 })).toBe('not_complete');
    expect((await deps.store.loadRecords(session.id))?.activation).toBeNull();
  });

  test('a returning participant gets session_started and the room gets its snapshot back', async () => {
    const deps = world();
    const session = await activeSession(deps);
    deps.rooms.calls.length = 0;
    expect(await notifyParticipant(deps, { sessionId: session.id, identity: 'stu', eventId: 'EV_back' })).toBe('sent');
    expect(deps.rooms.calls.map((call) => call.call).sort()).toEqual(['sendData', 'setPermission', 'updateRoomMetadata']);
    expect(deps.rooms.calls.find((call) => call.call === 'sendData')).toMatchObject({ options: { destinationIdentities: ['stu'] } });
  });
});

describe('closing', () => {
  test('the clinic ends an active session: recorded, announced by a job that deletes its room and finishes it, the clinic told', async () => {
    const deps = world();
    const session = await activeSession(deps);
    deps.clock.advance(600_000);
    const records = await closeSession(deps, session.id, { kind: 'end_requested', at: deps.clock.now() });
    expect(records.closure).toMatchObject({ status: 'ended', reason: 'ended', endedAt: new Date(T0 + 600_000) });
    expect(deps.jobs.closes).toEqual([{ sessionId: session.id }]);
    expect(deps.events.published.at(-1)).toMatchObject({ type: 'session.ended', data: { reason: 'ended' } });
    const open = async () => (await deps.store.listOpenSessions(null, 100)).map((entry) => entry.sessionId);
    // Still owed work until the close job ran: a close lost before then is asked for again.
    expect(await open()).toContain(session.id);
    expect(await announceClosure(deps, { sessionId: session.id })).toBe('announced');
    expect(await open()).not.toContain(session.id);
  });

  test('end before the start, cancel after it: refused with their codes, nothing recorded', async () => {
    const deps = world();
    const waiting = await aSessionIn(deps);
    await expect(closeSession(deps, waiting.id, { kind: 'end_requested', at: T0 })).rejects.toMatchObject({ code: 'session_not_active' });
    const active = await activeSession(deps);
    await expect(closeSession(deps, active.id, { kind: 'cancel_requested', at: T0 })).rejects.toMatchObject({ code: 'session_active' });
    expect((await deps.store.loadRecords(active.id))?.closure).toBeNull();
    expect(deps.jobs.closes).toEqual([]);
  });

  test('a repeated end repairs what a crash may have left undone, and changes nothing else', async () => {
    const deps = world();
    const session = await activeSession(deps);
    const first = await closeSession(deps, session.id, { kind: 'end_requested', at: T0 + 60_000 });
    const again = await closeSession(deps, session.id, { kind: 'end_requested', at: T0 + 90_000 });
    expect(again.closure).toEqual(first.closure);
    expect(deps.jobs.closes).toHaveLength(2);
  });

  test('a grace timer that fires early arms itself again instead of ending the session', async () => {
    const deps = world();
    const session = await activeSession(deps);
    deps.clock.advance(10_000);
    await webhook(deps, { event: 'participant_left', room: session.roomName, participant: session.student });
    await webhook(deps, { event: 'participant_left', room: session.roomName, participant: session.counselor });
    const [armed] = deps.jobs.graceChecks;
    const early = await closeSession(deps, session.id, { kind: 'grace_expired', at: (armed?.dueAt ?? 0) - 5 });
    expect(early.closure).toBeNull();
    expect(deps.jobs.graceChecks).toEqual([armed, armed]);
    const due = await closeSession(deps, session.id, { kind: 'grace_expired', at: armed?.dueAt ?? 0 });
    expect(due.closure).toMatchObject({ status: 'ended', reason: 'timeout' });
  });

  test('the announcement writes the final snapshot and session_ended, waits, then deletes the room', async () => {
    const deps = world();
    const session = await activeSession(deps);
    await closeSession(deps, session.id, { kind: 'end_requested', at: T0 + 60_000 });
    deps.rooms.calls.length = 0;
    expect(await announceClosure(deps, { sessionId: session.id })).toBe('announced');
    expect(snapshotsSent(deps)).toEqual([expect.objectContaining({ status: 'ended', reason: 'ended' })]);
    expect(messagesSent(deps)).toEqual([expect.objectContaining({ type: 'session_ended', reason: 'ended' })]);
    expect(deps.waits).toEqual([1000]);
    expect(deps.rooms.calls.at(-1)).toEqual({ call: 'deleteRoom', room: session.roomName });
  });

  test('an announcement for a room that is already gone deletes nothing', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await closeSession(deps, session.id, { kind: 'cancel_requested', at: T0 });
    deps.rooms.missing.add(session.roomName);
    expect(await announceClosure(deps, { sessionId: session.id })).toBe('room_gone');
    expect(deps.rooms.calls.some((call) => call.call === 'deleteRoom')).toBe(false);
  });

  test('a scheduled session gets its no-show timer before it exists, and the timer closes it when nobody came', async () => {
    const deps = world({ rejoinGraceMs: 60_000, noShowAfterMs: 30_000 });
    const session = await aSessionIn(deps, new Date(T0));
    expect(deps.jobs.noShowChecks).toEqual([{ sessionId: session.id, dueAt: T0 + 30_000 }]);
    const records = await closeSession(deps, session.id, { kind: 'no_show_due', at: T0 + 30_000 });
    expect(records.closure).toMatchObject({ status: 'no_show', reason: 'no_show' });
    expect(deps.events.published.at(-1)?.type).toBe('session.no_show');
  });
});

describe('join tokens', () => {
  test('a closed session mints nothing, with the way it closed as the code', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await closeSession(deps, session.id, { kind: 'cancel_requested', at: T0 });
    await expect(mintJoinToken(deps, session.id, 'stu')).rejects.toMatchObject({ code: 'session_cancelled' });
    expect(deps.tokens.minted).toEqual([]);
  });

  test('an active session opens its room with the active snapshot before the token goes out', async () => {
    const deps = world();
    const session = await activeSession(deps);
    deps.rooms.calls.length = 0;
    await mintJoinToken(deps, session.id, 'cou');
    expect(deps.rooms.calls[0]).toMatchObject({ call: 'openRoom', room: session.roomName });
    expect(snapshotsSent(deps)[0]).toMatchObject({ status: 'active', sessionId: session.id });
    expect(deps.tokens.minted).toEqual([{ identity: 'cou', sessionId: session.id, room: session.roomName, role: 'counselor', canPublish: true, publishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'], callSettings: { screenShare: 'counselor', chat: true }, awaits: ['student', 'counselor'] }]);
  });

  test('a token minted before the start cannot publish; one minted after it can', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await mintJoinToken(deps, session.id, 'stu');
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
    // The pair is complete but no activation is recorded yet: still no publishing.
    await mintJoinToken(deps, session.id, 'cou');
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    await mintJoinToken(deps, session.id, 'stu');
    expect(deps.tokens.minted.map(({ identity, canPublish }) => [identity, canPublish])).toEqual([
      ['stu', false],
      ['cou', false],
      ['stu', true],
    ]);
  });

  test('with LiveKit away the token is still minted; a waiting session opens no room', async () => {
    const deps = world();
    const waiting = await aSessionIn(deps);
    await mintJoinToken(deps, waiting.id, 'stu');
    expect(deps.rooms.calls).toEqual([]);
    const active = await activeSession(deps);
    deps.rooms.failing = new Error('LiveKit down');
    await expect(mintJoinToken(deps, active.id, 'stu')).resolves.toMatchObject({ token: 'token-for-stu' });
  });

  test('an identity outside the session gets nothing', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await expect(mintJoinToken(deps, session.id, 'someone-else')).rejects.toMatchObject({ code: 'identity_not_in_session' });
  });
});
