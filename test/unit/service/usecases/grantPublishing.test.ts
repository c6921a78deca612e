// Publishing comes with the start: the activation and a rejoin's notification grant it through
// LiveKit's API before session_started goes out, and grantPublishing repairs a missed grant.
import { activateSession, notifyParticipant } from '../../../../webhook-service/usecases/activateSession';
import { closeSession } from '../../../../webhook-service/usecases/closeSession';
import { grantPublishing } from '../../../../webhook-service/usecases/grantPublishing';
import type { ParticipantSummary } from '../../../../webhook-service/usecases/ports/RoomGateway';
import { aSessionIn, T0, webhook, world, type World } from './world';

const inRoom = (sid: string, identity: string, canPublish = false): ParticipantSummary => ({ sid, identity, attributes: {}, joinedAt: T0, active: true, canPublish });

async function pairTogether(deps: World) {
  const session = await aSessionIn(deps);
  deps.rooms.live.set(session.roomName, { metadata: '', participants: [inRoom('PA_s1', 'stu'), inRoom('PA_c1', 'cou')] });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.student, joinedAtMs: T0 });
  await webhook(deps, { event: 'participant_joined', room: session.roomName, participant: session.counselor, joinedAtMs: T0 + 900 });
  return session;
}

/** The permission of a student (voice and video) and of a counselor (a screen too) under the default settings. */
const STUDENT = { canPublish: true, canPublishSources: ['camera', 'microphone'], canSubscribe: true, canPublishData: true };
const COUNSELOR = { ...STUDENT, canPublishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'] };

const grantsIn = (deps: World) => deps.rooms.calls.flatMap((call) => (call.call === 'setPermission' ? [[call.identity, call.permission] as const] : []));

describe('publishing granted by the start', () => {
  test('the activation grants publishing to the student and the counselor before session_started goes out', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('sent');
    expect(grantsIn(deps).sort()).toEqual([
      ['cou', COUNSELOR],
      ['stu', STUDENT],
    ]);
    const order = deps.rooms.calls.map((call) => call.call);
    expect(order.lastIndexOf('setPermission')).toBeLessThan(order.indexOf('sendData'));
    expect(order.lastIndexOf('setPermission')).toBeLessThan(order.indexOf('updateRoomMetadata'));
  });

  test('the activation asks LiveKit nothing before the grant: the seats are granted at once, one call each', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    expect(deps.rooms.calls.map((call) => call.call).slice(0, 2)).toEqual(['setPermission', 'setPermission']);
  });

  test('a seat that is not in the room when the activation runs is skipped, not a failure', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    deps.rooms.live.get(session.roomName)?.participants.splice(0, 1);
    expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('sent');
    expect(deps.rooms.live.get(session.roomName)?.participants.map((participant) => [participant.identity, participant.canPublish])).toEqual([['cou', true]]);
  });

  test('someone in the room who is neither the student nor the counselor is granted nothing', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    deps.rooms.live.get(session.roomName)?.participants.push(inRoom('PA_x', 'observer'));
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    expect(grantsIn(deps).map(([identity]) => identity).sort()).toEqual(['cou', 'stu']);
  });

  test('a rejoining student whose token was minted before the start is granted before they are told', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    deps.rooms.live.get(session.roomName)?.participants.splice(0, 1, inRoom('PA_s2', 'stu'));
    deps.rooms.calls.length = 0;
    expect(await notifyParticipant(deps, { sessionId: session.id, identity: 'stu', eventId: 'EV_back' })).toBe('sent');
    expect(deps.rooms.calls.map((call) => call.call)).toEqual(['setPermission', expect.any(String), expect.any(String)]);
    expect(grantsIn(deps)).toEqual([['stu', STUDENT]]);
  });

  test('grantPublishing repairs a grant the activation missed, and only that one', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    // The counselor's second device connected while the activation ran, with a token minted before it.
    deps.rooms.live.get(session.roomName)?.participants.splice(1, 1, inRoom('PA_c2', 'cou'));
    deps.rooms.calls.length = 0;
    expect(await grantPublishing(deps, session.id)).toEqual({ outcome: 'granted', granted: ['cou'] });
    expect(await grantPublishing(deps, session.id)).toEqual({ outcome: 'granted', granted: [] });
    expect(grantsIn(deps)).toEqual([['cou', COUNSELOR]]);
  });

  test('grantPublishing grants nothing before the start, after the close, or in a room that is gone', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    expect(await grantPublishing(deps, session.id)).toEqual({ outcome: 'not_active', granted: [] });
    await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 });
    deps.rooms.live.delete(session.roomName);
    expect(await grantPublishing(deps, session.id)).toEqual({ outcome: 'room_gone', granted: [] });
    await closeSession(deps, session.id, { kind: 'end_requested', at: T0 + 60_000 });
    expect(await grantPublishing(deps, session.id)).toEqual({ outcome: 'closed', granted: [] });
    await expect(grantPublishing(deps, 'ses_unknown')).rejects.toMatchObject({ code: 'session_not_found' });
  });

  test('LiveKit away: the grant fails, so the activation job fails and is retried', async () => {
    const deps = world();
    const session = await pairTogether(deps);
    deps.rooms.failing = Object.assign(new Error('LiveKit down'), { code: 'livekit_unavailable' });
    await expect(activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).rejects.toThrow('LiveKit down');
    expect(deps.rooms.calls.filter((call) => call.call === 'sendData')).toEqual([]);
  });
});

test("when the clinic lets everyone share, then the start's grant lets the student share a screen too", async () => {
  const deps = world();
  deps.clinicCallSettings = { 'clinic-north': { screenShare: 'everyone' } };
  const session = await pairTogether(deps);
  expect(await activateSession(deps, { sessionId: session.id, eventId: 'EV_c', receivedAt: T0 })).toBe('sent');
  expect(grantsIn(deps).sort()).toEqual([
    ['cou', COUNSELOR],
    ['stu', { ...STUDENT, canPublishSources: COUNSELOR.canPublishSources }],
  ]);
});
