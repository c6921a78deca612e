// decodeWebhookEvent on what LiveKit really sends: protojson bodies (int64 as strings), the
// protobuf messages livekit-server-sdk's WebhookReceiver returns (int64 as bigint), and junk.

import { createHash } from 'node:crypto';
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk';
import { decodeWebhookEvent, type WebhookEventLike } from '../../../plugin/events';
import { roomNameFor, sessionIdOfRoom } from '../../../plugin/rooms';
import { newSession, replay } from '../../../plugin/session';

/** A participant_joined body as LiveKit v1.13 posts it (protojson: camelCase, int64 as strings). */
const joinedBody = () => ({
  event: 'participant_joined',
  id: 'EV_h2bXk9sQm3Zt',
  createdAt: '1718000001',
  room: { sid: 'RM_Tq8vLm2', name: 'session-42', emptyTimeout: 300, creationTime: '1717999990', numParticipants: 1 },
  participant: {
    sid: 'PA_Yc3fN1r',
    identity: 'student-ana',
    state: 'ACTIVE',
    joinedAt: '1718000000',
    joinedAtMs: '1718000000437',
    name: 'Ana',
    version: 2,
    permission: { canSubscribe: true, canPublish: true, canPublishData: true },
    attributes: { 'autostart.role': 'student' },
  },
});

describe('decodeWebhookEvent', () => {
  test('a protojson participant_joined takes its millisecond join time', () => {
    expect(decodeWebhookEvent(joinedBody())).toEqual({
      ok: true,
      event: {
        kind: 'participant_joined',
        id: 'EV_h2bXk9sQm3Zt',
        at: 1_718_000_000_437,
        room: 'session-42',
        participant: { sid: 'PA_Yc3fN1r', identity: 'student-ana', attributes: { 'autostart.role': 'student' } },
      },
      sessionId: null,
    });
  });

  test('a join without joinedAtMs (older servers, or 0) falls back to createdAt in ms', () => {
    const body = joinedBody();
    body.participant.joinedAtMs = '0';
    expect(decodeWebhookEvent(body)).toMatchObject({ ok: true, event: { at: 1_718_000_001_000 } });
    const { joinedAtMs: _dropped, ...withoutMs } = joinedBody().participant;
    expect(decodeWebhookEvent({ ...joinedBody(), participant: withoutMs })).toMatchObject({ ok: true, event: { at: 1_718_000_001_000 } });
  });

  test('participant_left and connection_aborted take the end of their createdAt second, even when joinedAtMs is present', () => {
    for (const kind of ['participant_left', 'participant_connection_aborted']) {
      expect(decodeWebhookEvent({ ...joinedBody(), event: kind })).toMatchObject({ ok: true, event: { kind, at: 1_718_000_001_999 } });
    }
  });

  test('a leave in the same second as a later-stamped join still overlaps it once decoded', () => {
    // Seen with a real LiveKit: the counselor joined at x.256 s, the student left at x.549 s,
    // stamped x s. Replaying the log must still find the two together.
    const appointment = { studentIdentity: 'stu', counselorIdentity: 'cou' };
    const body = (event: string, id: string, identity: string, sid: string, joinedAtMs: string) => ({
      event, id, createdAt: '1718000001', room: { name: 'r' }, participant: { sid, identity, joinedAtMs },
    });
    const decoded = [
      body('participant_joined', 'EV_1', 'stu', 'PA_s', '1718000000100'),
      body('participant_joined', 'EV_2', 'cou', 'PA_c', '1718000001256'),
      body('participant_left', 'EV_3', 'stu', 'PA_s', '1718000000100'),
    ].map((raw) => {
      const result = decodeWebhookEvent(raw);
      if (!result.ok) throw new Error(result.reason);
      return result.event;
    });
    // Delivered in LiveKit's order, and replayed from a store that sorts by time: both start.
    const byTime = [...decoded].sort((a, b) => a.at - b.at);
    for (const order of [decoded, byTime]) {
      const state = replay(newSession('ses_1', appointment), order);
      expect(state.status).toBe('active');
      expect(state.actualStart).toBe(1_718_000_001_256);
    }
  });

  test('room events need no participant', () => {
    const body = { event: 'room_finished', id: 'EV_fin', createdAt: 1_718_000_900, room: { sid: 'RM_Tq8vLm2', name: 'session-42' } };
    expect(decodeWebhookEvent(body)).toEqual({
      ok: true,
      event: { kind: 'room_finished', id: 'EV_fin', at: 1_718_000_900_000, room: 'session-42' },
      sessionId: null,
    });
  });

  test("an event names the session its room was named for, and none for a room the service did not name", () => {
    const sessionId = 'ses_Qw3-rT_9yU';
    const inRoom = (name: string) => decodeWebhookEvent({ ...joinedBody(), room: { sid: 'RM_1', name } });
    expect(inRoom(roomNameFor(sessionId))).toMatchObject({ ok: true, sessionId, event: { room: `autostart-${sessionId}` } });
    expect(decodeWebhookEvent({ event: 'room_finished', id: 'EV_fin', createdAt: 1_718_000_900, room: { sid: 'RM_1', name: roomNameFor(sessionId) } })).toMatchObject({ ok: true, sessionId });
    for (const name of ['session-42', 'autostart-doctor-5f3a', 'autostart-ses_', 'autostart-ses_a:b', `x${roomNameFor(sessionId)}`, sessionId]) {
      expect(inRoom(name)).toMatchObject({ ok: true, sessionId: null });
    }
    expect(sessionIdOfRoom(roomNameFor(sessionId))).toBe(sessionId);
  });

  test('int64 fields as bigint decode like their strings', () => {
    const body: WebhookEventLike = { ...joinedBody(), createdAt: 1_718_000_001n };
    body.participant = { ...joinedBody().participant, joinedAtMs: 1_718_000_000_437n, joinedAt: 1_718_000_000n };
    expect(decodeWebhookEvent(body)).toEqual(decodeWebhookEvent(joinedBody()));
  });

  test('the exact object WebhookReceiver returns for a signed body decodes', async () => {
    const key = 'devkey';
    const secret = 'a-test-secret-of-at-least-32-characters';
    const body = JSON.stringify(joinedBody());
    const token = new AccessToken(key, secret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    const received = await new WebhookReceiver(key, secret).receive(body, await token.toJwt());
    expect(typeof received.createdAt).toBe('bigint');
    expect(decodeWebhookEvent(received)).toEqual(decodeWebhookEvent(joinedBody()));
  });

  test('only string attributes are kept, and the copy cannot be changed', () => {
    const body = joinedBody();
    (body.participant as { attributes: unknown }).attributes = { 'autostart.role': 'student', n: 3 };
    const decoded = decodeWebhookEvent(body);
    if (!decoded.ok || !('participant' in decoded.event)) throw new Error('expected a participant event');
    expect(decoded.event.participant.attributes).toEqual({ 'autostart.role': 'student' });
    expect(Object.isFrozen(decoded.event.participant.attributes)).toBe(true);
  });

  test.each(['track_published', 'egress_started', 'ingress_ended', 'room_metadata_changed'])('%s is ignored, not an error', (event) => {
    expect(decodeWebhookEvent({ ...joinedBody(), event })).toMatchObject({ ok: false, code: 'ignored_event_type' });
  });

  const malformedCases: [string, WebhookEventLike][] = [
    ['no event type', { ...joinedBody(), event: undefined }],
    ['an empty id (protobuf default)', { ...joinedBody(), id: '' }],
    ['no id', { ...joinedBody(), id: undefined }],
    ['no room name', { ...joinedBody(), room: { sid: 'RM_x' } }],
    ['no room at all', { ...joinedBody(), room: undefined }],
    ['no participant', { ...joinedBody(), participant: undefined }],
    ['no participant sid', { ...joinedBody(), participant: { identity: 'student-ana' } }],
    ['no participant identity', { ...joinedBody(), participant: { sid: 'PA_x' } }],
    ['a room event without createdAt', { event: 'room_finished', id: 'EV_f', room: { name: 'r' } }],
    ['a left without createdAt', { ...joinedBody(), event: 'participant_left', createdAt: undefined }],
    ['a non-numeric createdAt', { event: 'room_finished', id: 'EV_f', room: { name: 'r' }, createdAt: '17e8' }],
    ['a negative createdAt', { event: 'room_finished', id: 'EV_f', room: { name: 'r' }, createdAt: -5 }],
    ['a fractional createdAt', { event: 'room_finished', id: 'EV_f', room: { name: 'r' }, createdAt: 1.5 }],
    ['a createdAt past safe integers in ms', { event: 'room_finished', id: 'EV_f', room: { name: 'r' }, createdAt: 9_007_199_254_740_991n }],
    ['a garbage joinedAtMs', { ...joinedBody(), participant: { ...joinedBody().participant, joinedAtMs: 'soon' } }],
  ];
  test.each(malformedCases)('an event with %s is malformed', (_label, body) => {
    expect(decodeWebhookEvent(body)).toMatchObject({ ok: false, code: 'malformed_event' });
  });

  test('a value that is not an object is malformed', () => {
    expect(decodeWebhookEvent(null as unknown as WebhookEventLike)).toMatchObject({ ok: false, code: 'malformed_event' });
  });
});
