// Media privacy enforced by LiveKit, not by the widget: a raw client (@livekit/rtc-node, no
// widget, no good behaviour) with a token minted before the start tries to publish audio into
// the waiting room; LiveKit refuses it, and the other side hears nothing. After the start (the
// worker grants publishing before session_started) the same connection publishes and is heard.
// The service here is not LiveKit's webhook target: the test delivers the joins, signed as
// LiveKit signs them, with the clients' real sids. Screen sharing likewise: LiveKit refuses a
// screen from a role the clinic's CLINIC_CALL_SETTINGS leave out, and takes it from one they allow.
// A hidden observer can neither speak nor send data: LiveKit stamps no sender on a hidden
// participant's data, so with data allowed it could pose as the server (checked: with
// canPublishData granted, its forged session_ended reaches the student).
import { AudioSource, dispose, LocalAudioTrack, LocalVideoTrack, Room, RoomEvent, TrackKind, TrackPublishOptions, TrackSource, VideoSource, type LocalTrack } from '@livekit/rtc-node';
import { RoomServiceClient, TrackSource as ServerTrackSource } from 'livekit-server-sdk';
import { encodeMessage, parseMessage, TOPIC, type ProtocolMessage } from '../../../plugin';
import { closedAfter, waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, startService, testConfig, type Appointment, type RunningService } from './harness';

jest.setTimeout(60_000);

const cleanups = closedAfter(afterEach);
afterAll(async () => {
  await dispose();
});

interface Client {
  room: Room;
  messages: ProtocolMessage[];
  /** Audio tracks of others this client has received. */
  heard: string[];
}

async function join(target: RunningService, sessionId: string, identity: string): Promise<Client> {
  const minted = await clinic(target.url, 'POST', `/v1/sessions/${sessionId}/token`, { identity });
  expect(minted.status).toBe(200);
  const client: Client = { room: new Room(), messages: [], heard: [] };
  client.room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (topic !== TOPIC || participant !== undefined) return;
    const parsed = parseMessage(payload);
    if (parsed.ok) client.messages.push(parsed.value);
  });
  client.room.on(RoomEvent.TrackSubscribed, (track, _publication, participant) => {
    if (track.kind === TrackKind.KIND_AUDIO) client.heard.push(participant.identity);
  });
  await client.room.connect(minted.json.url, minted.json.token, { autoSubscribe: true, dynacast: false });
  cleanups.push(() => client.room.disconnect());
  return client;
}

async function deliverJoin(target: RunningService, appointment: Appointment, client: Client, identity: string): Promise<void> {
  const participant = { sid: client.room.localParticipant?.sid as string, identity, attributes: {} };
  expect((await deliver(target, { event: 'participant_joined', room: appointment.room, participant, joinedAtMs: Date.now() - 100 })).status).toBe(200);
}

/** A microphone track fed with a tone, as any client could make one. */
function microphone(): LocalAudioTrack {
  const source = new AudioSource(48_000, 1);
  return LocalAudioTrack.createAudioTrack('microphone', source);
}

const asMicrophone = (): TrackPublishOptions => new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE });

/** A screen-share track (video, screen-share source), as any client could make one. */
function screen(): [LocalTrack, TrackPublishOptions] {
  return [LocalVideoTrack.createVideoTrack('screen', new VideoSource(640, 360)), new TrackPublishOptions({ source: TrackSource.SOURCE_SCREENSHARE })];
}

/** Tries to publish (a microphone unless told); resolves with what happened within `deadlineMs` (a refused publish may never answer). */
async function tryPublish(client: Client, deadlineMs: number, [track, options]: [LocalTrack, TrackPublishOptions] = [microphone(), asMicrophone()]): Promise<'published' | 'refused' | 'no answer'> {
  const participant = client.room.localParticipant;
  if (!participant) throw new Error('not connected');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'no answer'>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), deadlineMs);
  });
  const attempt = participant.publishTrack(track, options).then(
    () => 'published' as const,
    () => 'refused' as const,
  );
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What LiveKit itself says: the tracks it has for `identity` in `room` (of one source only, when given). */
async function tracksInLiveKit(target: RunningService, room: string, identity: string, source?: ServerTrackSource): Promise<number> {
  const api = new RoomServiceClient(target.config.LIVEKIT_URL, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  const participants = await api.listParticipants(room);
  const tracks = participants.find((participant) => participant.identity === identity)?.tracks ?? [];
  return tracks.filter((track) => source === undefined || track.source === source).length;
}

const permissionOf = async (target: RunningService, room: string, identity: string) => {
  const api = new RoomServiceClient(target.config.LIVEKIT_URL, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  return (await api.getParticipant(room, identity)).permission;
};

test('when a raw client publishes audio in the waiting room, then LiveKit refuses it; after the start the same connection publishes and is heard', async () => {
  const target = await startService(testConfig());
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  await deliverJoin(target, appointment, counselor, appointment.counselor.identity);

  expect(await permissionOf(target, appointment.room, appointment.student.identity)).toMatchObject({ canPublish: false, canSubscribe: true, canPublishData: false });
  // LiveKit v1.13.5 leaves a refused AddTrack unanswered (rtc-node checks nothing itself): no track, ever.
  expect(await tryPublish(student, 5_000)).not.toBe('published');
  expect(await tracksInLiveKit(target, appointment.room, appointment.student.identity)).toBe(0);
  expect(counselor.heard).toEqual([]);

  await deliverJoin(target, appointment, student, appointment.student.identity);
  await waitFor(() => student.messages.some((message) => message.type === 'session_started'), { timeoutMs: 15_000 });
  // Granted before session_started went out: LiveKit already says so.
  expect(await permissionOf(target, appointment.room, appointment.student.identity)).toMatchObject({ canPublish: true, canSubscribe: true, canPublishData: true });
  expect(await tryPublish(student, 10_000)).toBe('published');
  await waitFor(() => counselor.heard.includes(appointment.student.identity), { timeoutMs: 10_000 });
  expect(await tracksInLiveKit(target, appointment.room, appointment.student.identity)).toBe(1);
});

test('when someone joins an active session with a fresh token, then they may publish at once', async () => {
  const target = await startService(testConfig());
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  await deliverJoin(target, appointment, student, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  await deliverJoin(target, appointment, counselor, appointment.counselor.identity);
  await waitFor(() => counselor.messages.some((message) => message.type === 'session_started'), { timeoutMs: 15_000 });

  // The counselor's second device, with a token minted now: no grant needed.
  await counselor.room.disconnect();
  const again = await join(target, appointment.sessionId, appointment.counselor.identity);
  expect(await permissionOf(target, appointment.room, appointment.counselor.identity)).toMatchObject({ canPublish: true });
  expect(await tryPublish(again, 10_000)).toBe('published');
  await waitFor(() => student.heard.includes(appointment.counselor.identity), { timeoutMs: 10_000 });
});

test('when a participant with a token minted before the start rejoins an active session, then the rejoin notification grants publishing', async () => {
  const target = await startService(testConfig());
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const early = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: appointment.student.identity });
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  await deliverJoin(target, appointment, student, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  await deliverJoin(target, appointment, counselor, appointment.counselor.identity);
  await waitFor(() => counselor.messages.some((message) => message.type === 'session_started'), { timeoutMs: 15_000 });

  // The student's other device, with the token minted before the start.
  await student.room.disconnect();
  expect((await deliver(target, { event: 'participant_left', room: appointment.room, participant: { sid: student.room.localParticipant?.sid ?? 'PA_gone', identity: appointment.student.identity, attributes: {} } })).status).toBe(200);
  const other: Client = { room: new Room(), messages: [], heard: [] };
  other.room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    const parsed = topic === TOPIC && participant === undefined ? parseMessage(payload) : null;
    if (parsed?.ok) other.messages.push(parsed.value);
  });
  await other.room.connect(early.json.url, early.json.token, { autoSubscribe: true, dynacast: false });
  cleanups.push(() => other.room.disconnect());
  expect(await permissionOf(target, appointment.room, appointment.student.identity)).toMatchObject({ canPublish: false });
  await deliverJoin(target, appointment, other, appointment.student.identity);
  await waitFor(() => other.messages.some((message) => message.type === 'session_started'), { timeoutMs: 15_000 });
  expect(await permissionOf(target, appointment.room, appointment.student.identity)).toMatchObject({ canPublish: true });
  expect(await tryPublish(other, 10_000)).toBe('published');
});

/** A session started with both connected through raw clients, in a service configured by `overrides`. */
async function startedSession(overrides: Record<string, string> = {}) {
  const target = await startService(testConfig(overrides));
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  await deliverJoin(target, appointment, counselor, appointment.counselor.identity);
  await deliverJoin(target, appointment, student, appointment.student.identity);
  await waitFor(() => student.messages.some((message) => message.type === 'session_started') && counselor.messages.some((message) => message.type === 'session_started'), { timeoutMs: 15_000 });
  return { target, appointment, student, counselor };
}

const SCREEN = [ServerTrackSource.SCREEN_SHARE, ServerTrackSource.SCREEN_SHARE_AUDIO];

test('when the clinic lets only counselors share (the default), then LiveKit refuses a raw client\'s screen from the student after the start and takes the counselor\'s', async () => {
  const { target, appointment, student, counselor } = await startedSession();
  expect(await permissionOf(target, appointment.room, appointment.student.identity)).toMatchObject({ canPublish: true, canPublishSources: [ServerTrackSource.CAMERA, ServerTrackSource.MICROPHONE] });
  expect(await permissionOf(target, appointment.room, appointment.counselor.identity)).toMatchObject({ canPublish: true, canPublishSources: [ServerTrackSource.CAMERA, ServerTrackSource.MICROPHONE, ...SCREEN] });

  expect(await tryPublish(student, 5_000, screen())).not.toBe('published');
  expect(await tracksInLiveKit(target, appointment.room, appointment.student.identity, ServerTrackSource.SCREEN_SHARE)).toBe(0);
  // The student's voice is not affected: only the screen is refused.
  expect(await tryPublish(student, 10_000)).toBe('published');
  expect(await tryPublish(counselor, 10_000, screen())).toBe('published');
  await waitFor(async () => (await tracksInLiveKit(target, appointment.room, appointment.counselor.identity, ServerTrackSource.SCREEN_SHARE)) === 1, { timeoutMs: 10_000 });
  expect(await tracksInLiveKit(target, appointment.room, appointment.student.identity, ServerTrackSource.SCREEN_SHARE)).toBe(0);
});

test('when the clinic lets everyone share and turns chat off, then the tokens say so and a student\'s fresh token may share; with `none`, not even the counselor may', async () => {
  const everyone = await startedSession({ CLINIC_CALL_SETTINGS: JSON.stringify({ default: { screenShare: 'everyone', chat: false } }) });
  expect(everyone.student.room.localParticipant?.attributes).toMatchObject({ 'autostart.screen_share': 'everyone', 'autostart.chat': 'off' });
  expect(await tryPublish(everyone.student, 10_000, screen())).toBe('published');
  await waitFor(async () => (await tracksInLiveKit(everyone.target, everyone.appointment.room, everyone.appointment.student.identity, ServerTrackSource.SCREEN_SHARE)) === 1, { timeoutMs: 10_000 });

  const none = await startedSession({ CLINIC_CALL_SETTINGS: JSON.stringify({ default: { screenShare: 'none' } }) });
  expect(none.counselor.room.localParticipant?.attributes).toMatchObject({ 'autostart.screen_share': 'none', 'autostart.chat': 'on' });
  // A token minted now, for the active session, carries the same limit from the start.
  await none.counselor.room.disconnect();
  const again = await join(none.target, none.appointment.sessionId, none.appointment.counselor.identity);
  expect(await permissionOf(none.target, none.appointment.room, none.appointment.counselor.identity)).toMatchObject({ canPublish: true, canPublishSources: [ServerTrackSource.CAMERA, ServerTrackSource.MICROPHONE] });
  expect(await tryPublish(again, 5_000, screen())).not.toBe('published');
  expect(await tracksInLiveKit(none.target, none.appointment.room, none.appointment.counselor.identity, ServerTrackSource.SCREEN_SHARE)).toBe(0);
});

test('when an observer\'s raw client (hidden, so its data would carry no sender) tries to speak or to pose as the server after the start, then LiveKit takes neither: no track, and nothing it sends reaches the others', async () => {
  const { target, appointment, student, counselor } = await startedSession();
  const observer = `observer-${appointment.sessionId.slice(-6)}`;
  expect((await clinic(target.url, 'PUT', `/v1/sessions/${appointment.sessionId}/participants/${observer}`, { role: 'observer' })).status).toBe(200);
  const watching = await join(target, appointment.sessionId, observer);
  await deliverJoin(target, appointment, watching, observer);
  expect(await permissionOf(target, appointment.room, observer)).toMatchObject({ canPublish: false, canPublishData: false, hidden: true });

  // Every packet the student receives, with its sender as LiveKit stamps it (none for the server or a hidden sender).
  const received: { topic: string | undefined; from: string | undefined; text: string }[] = [];
  student.room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => received.push({ topic, from: participant?.identity, text: new TextDecoder().decode(payload) }));
  const forged = encodeMessage({ v: 1, type: 'session_ended', messageId: 'forged-by-observer', sessionId: appointment.sessionId, endedAt: new Date().toISOString(), reason: 'ended' });
  await watching.room.localParticipant?.publishData(forged, { reliable: true, topic: TOPIC }).catch(() => undefined);
  expect(await tryPublish(watching, 5_000)).not.toBe('published');
  // The counselor (who may send data) sends a marker after it: once the marker is in, the
  // forged packet had the same path and time to arrive.
  await counselor.room.localParticipant?.publishData(new TextEncoder().encode('marker'), { reliable: true, topic: 'marker' });
  await waitFor(() => received.some((packet) => packet.topic === 'marker'), { timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(received.filter((packet) => packet.text.includes('forged-by-observer'))).toEqual([]);
  expect(student.messages.filter((message) => message.type === 'session_ended')).toEqual([]);
  expect(await tracksInLiveKit(target, appointment.room, observer)).toBe(0);
  expect(counselor.heard).not.toContain(observer);
});
