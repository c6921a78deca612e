// The webhook intake on fakes: what each LiveKit event makes the service do.
import { ServiceError } from '../../../../webhook-service/errors';
import { ingestWebhook } from '../../../../webhook-service/usecases/ingestWebhook';
import { aSessionIn, T0, webhook, world } from './world';

test('when the student connects first, then the clinic hears they joined and are waiting', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  const outcome = await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  expect(outcome).toMatchObject({ outcome: 'accepted', effects: ['waiting'] });
  expect(deps.events.types()).toEqual(['participant.joined', 'participant.waiting']);
  expect(deps.events.published[1]?.data).toMatchObject({ identity: 'stu', role: 'student', waitingFor: ['counselor'], waitingSince: new Date(T0).toISOString() });
  expect(deps.events.published[1]?.data.missing).toEqual([{ identity: session.counselor.identity, role: 'counselor' }]);
  expect(deps.jobs.activations).toEqual([]);
});

test('when the counselor completes the pair, then the activation is queued with the completing event', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  const outcome = await webhook(deps, { id: 'EV_completing', event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  expect(outcome).toMatchObject({ outcome: 'accepted', effects: ['activate'] });
  expect(deps.jobs.activations).toEqual([{ sessionId: session.id, eventId: 'EV_completing', receivedAt: T0 }]);
});

test('when LiveKit redelivers the completing event, then it is a duplicate and asks for the activation again', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  const spec = { id: 'EV_twice', event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 };
  await webhook(deps, spec);
  expect(await webhook(deps, spec)).toMatchObject({ outcome: 'duplicate', effects: ['activate'] });
  expect(deps.jobs.activations).toHaveLength(2);
});

test('when a pair is complete and no activation was recorded, then every later event asks for it again', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  // The job was lost: a guest's arrival is enough to ask again.
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.participant('guest', 'PA_g'), joinedAtMs: T0 + 5000 });
  expect(deps.jobs.activations.map((job) => job.sessionId)).toEqual([session.id, session.id]);
});

test('when both leave an active session, then the rejoin grace is armed from the last leave', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  await deps.store.recordDecision({ kind: 'activation', sessionId: session.id, startedAt: new Date(T0 + 900), messageId: 'msg_1', createdAt: new Date(T0) });
  deps.clock.advance(30_000);
  await webhook(deps, { event: 'participant_left', room: session.roomName, participant: session.student });
  expect(deps.jobs.graceChecks).toEqual([]);
  await webhook(deps, { event: 'participant_left', room: session.roomName, participant: session.counselor });
  const lastLeave = Math.floor((T0 + 30_000) / 1000) * 1000 + 999;
  expect(deps.jobs.graceChecks).toEqual([{ sessionId: session.id, dueAt: lastLeave + 60_000 }]);
});

test('when a room has no open session, or the event is of another kind, then it is ignored and nothing is written', async () => {
  const deps = world();
  expect(await webhook(deps, { event: 'participant_joined', room: 'no-such-room', participant: { sid: 'PA_x', identity: 'x', attributes: {} } })).toEqual({
    outcome: 'ignored',
    event: 'participant_joined',
    reason: 'no_session',
  });
  expect(await webhook(deps, { event: 'track_published', room: 'no-such-room' })).toMatchObject({ outcome: 'ignored', reason: 'event_type' });
  expect(deps.events.published).toEqual([]);
});

test('when an event is older than the replay window, or unsigned, then it is refused with its code', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  const stale = webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, createdAt: Math.floor(T0 / 1000) - 301 });
  await expect(stale).rejects.toMatchObject({ code: 'webhook_stale' });
  await expect(ingestWebhook(deps, '{}', undefined)).rejects.toBeInstanceOf(ServiceError);
  expect((await deps.store.loadRecords(session.id))?.events).toEqual([]);
});

test('when the store is down, then the intake fails as unavailable (LiveKit retries) and nothing is queued', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  deps.store.unavailable = true;
  await expect(webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student })).rejects.toMatchObject({ code: 'store_unavailable' });
  expect(deps.jobs.activations).toEqual([]);
  expect(deps.events.published).toEqual([]);
});

describe('the kept fold', () => {
  test('on the usual path the stored events are never read back: the kept fold is enough', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    const reads = jest.spyOn(deps.store, 'loadRecords');
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    for (let index = 0; index < 20; index += 1) {
      const flapping = session.participant('cou', `PA_c${index}`);
      await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: flapping, joinedAtMs: T0 + index * 1000 });
      await webhook(deps, { event: 'participant_left', room: session.roomName, participant: flapping });
    }
    expect(reads).not.toHaveBeenCalled();
    expect(deps.jobs.activations.length).toBeGreaterThan(0);
  });

  test('a fold that missed an event (a crash between storing and folding) is rebuilt from the events, and the pair still completes', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    // The counselor's join stored, but its fold never written.
    await deps.store.recordEvent({
      id: 'EV_unfolded',
      sessionId: session.id,
      kind: 'participant_joined',
      at: new Date(T0 + 500),
      participant: { sid: 'PA_c1', identity: 'cou', role: 'counselor', attributes: {} },
      receivedAt: new Date(T0 + 500),
    });
    const reads = jest.spyOn(deps.store, 'loadRecords');
    const outcome = await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.participant('guest', 'PA_g'), joinedAtMs: T0 + 900 });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(outcome).toMatchObject({ effects: ['activate'] });
    // The rebuilt fold now counts every event: the next one is cheap again.
    await webhook(deps, { event: 'participant_left', room: session.roomName, participant: session.participant('guest', 'PA_g') });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  test('a redelivery while the fold adds up refolds the copy\'s events, never rebuilding from the database; a fold that does not add up still is', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    const spec = { id: 'EV_again', event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 };
    await webhook(deps, spec);
    const rebuilds = jest.spyOn(deps.store, 'rebuildRecords');
    expect(await webhook(deps, spec)).toMatchObject({ outcome: 'duplicate', effects: ['activate'] });
    expect(rebuilds).not.toHaveBeenCalled();

    deps.store.damageFold(session.id);
    expect(await webhook(deps, spec)).toMatchObject({ outcome: 'duplicate', effects: ['activate'] });
    expect(rebuilds).toHaveBeenCalledTimes(1);
  });

  test('a fold that cannot be read is not trusted', async () => {
    const deps = world();
    const session = await aSessionIn(deps);
    await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
    deps.store.damageFold(session.id);
    expect(await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 })).toMatchObject({ effects: ['activate'] });
  });
});
