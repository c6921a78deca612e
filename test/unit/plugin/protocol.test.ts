// The widget protocol's validator: what parseMessage, parseSnapshot and encodeMessage accept and
// refuse, since both the service and the widget trust only what passes it.

import {
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  encodeMessage,
  encodeSnapshot,
  messageIdFor,
  parseMessage,
  parseSnapshot,
  type ProtocolMessage,
  type SessionSnapshot,
  type SessionStartedMessage,
} from '../../../plugin/protocol';

const started = (): SessionStartedMessage => ({
  v: PROTOCOL_VERSION,
  type: 'session_started',
  messageId: 'act_sess-1',
  sessionId: 'sess-1',
  startedAt: '2024-06-10T06:13:20.437Z',
});
const snapshot = (): SessionSnapshot => ({
  v: PROTOCOL_VERSION,
  type: 'session_snapshot',
  sessionId: 'sess-1',
  status: 'active',
  startedAt: '2024-06-10T06:13:20.437Z',
  endedAt: null,
  reason: null,
  messageId: 'act_sess-1',
});
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('parseMessage', () => {
  test('accepts a session_started and a session_ended, as bytes or text', () => {
    expect(parseMessage(bytes(started()))).toEqual({ ok: true, value: started() });
    const ended = { v: 1, type: 'session_ended', messageId: 'end_sess-1', sessionId: 'sess-1', endedAt: '2024-06-10T07:00:00Z', reason: 'ended' };
    expect(parseMessage(JSON.stringify(ended))).toEqual({ ok: true, value: ended });
  });

  test.each([0, 2, '1', undefined])('refuses version %p', (v) => {
    expect(parseMessage(bytes({ ...started(), v }))).toMatchObject({ ok: false });
  });

  test('refuses an extra field', () => {
    expect(parseMessage(bytes({ ...started(), admin: true }))).toEqual({ ok: false, reason: 'unexpected field admin' });
  });

  test('refuses a snapshot, or an unknown type, on the message topic', () => {
    expect(parseMessage(bytes(snapshot()))).toMatchObject({ ok: false });
    expect(parseMessage(bytes({ ...started(), type: 'session_paused' }))).toMatchObject({ ok: false });
  });

  test.each<[string, unknown]>([
    ['a numeric sessionId', { ...started(), sessionId: 42 }],
    ['an empty messageId', { ...started(), messageId: '' }],
    ['a sessionId with spaces', { ...started(), sessionId: 'sess 1' }],
    ['a startedAt that is not ISO 8601', { ...started(), startedAt: 'yesterday' }],
    ['a startedAt as epoch ms', { ...started(), startedAt: 1718000000437 }],
    ['a missing startedAt', { v: 1, type: 'session_started', messageId: 'm', sessionId: 's' }],
    ['an array', [started()]],
    ['null', null],
    ['a string', 'session_started'],
  ])('refuses %s', (_label, value) => {
    expect(parseMessage(bytes(value))).toMatchObject({ ok: false });
  });

  test('refuses a payload over the size limit before parsing it', () => {
    const big = { ...started(), messageId: 'x'.repeat(MAX_PAYLOAD_BYTES) };
    expect(parseMessage(JSON.stringify(big))).toEqual({ ok: false, reason: 'payload too large' });
    expect(parseMessage(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toEqual({ ok: false, reason: 'payload too large' });
  });

  test('refuses bytes that are not UTF-8, and text that is not JSON', () => {
    const invalidUtf8 = Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect(parseMessage(invalidUtf8)).toEqual({ ok: false, reason: 'not UTF-8 JSON' });
    expect(parseMessage('{"v":1,')).toEqual({ ok: false, reason: 'not UTF-8 JSON' });
  });
});

describe('parseSnapshot', () => {
  test('accepts the snapshot of a waiting, an active and an ended session', () => {
    const waiting = { ...snapshot(), status: 'waiting', startedAt: null, messageId: null };
    const ended = { ...snapshot(), status: 'ended', endedAt: '2024-06-10T07:00:00.000Z', reason: 'ended' };
    for (const value of [waiting, snapshot(), ended]) expect(parseSnapshot(JSON.stringify(value))).toEqual({ ok: true, value });
  });

  test('says there is no snapshot for empty metadata', () => {
    for (const metadata of ['', undefined, null]) expect(parseSnapshot(metadata)).toEqual({ ok: false, reason: 'no snapshot' });
  });

  test('refuses an unknown status, a message, a wrong version and extra fields', () => {
    expect(parseSnapshot(JSON.stringify({ ...snapshot(), status: 'paused' }))).toMatchObject({ ok: false });
    expect(parseSnapshot(JSON.stringify(started()))).toMatchObject({ ok: false });
    expect(parseSnapshot(JSON.stringify({ ...snapshot(), v: 2 }))).toMatchObject({ ok: false });
    expect(parseSnapshot(JSON.stringify({ ...snapshot(), participants: [] }))).toMatchObject({ ok: false });
  });

  test('refuses oversized metadata', () => {
    expect(parseSnapshot(' '.repeat(MAX_PAYLOAD_BYTES + 1))).toEqual({ ok: false, reason: 'payload too large' });
  });

  test('measures text in UTF-8 bytes, so multi-byte characters cannot slip past the limit', () => {
    const text = '\u00e9'.repeat(MAX_PAYLOAD_BYTES / 2 + 1);
    expect(text.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(parseSnapshot(text)).toEqual({ ok: false, reason: 'payload too large' });
  });
});

describe('encodeMessage and encodeSnapshot', () => {
  test('what they encode parses back to the same value', () => {
    expect(parseMessage(encodeMessage(started()))).toEqual({ ok: true, value: started() });
    expect(parseSnapshot(encodeSnapshot(snapshot()))).toEqual({ ok: true, value: snapshot() });
  });

  test('they refuse to encode an invalid value', () => {
    expect(() => encodeMessage({ ...started(), startedAt: 'now' })).toThrow(/invalid startedAt/);
    expect(() => encodeMessage({ ...started(), extra: 1 } as ProtocolMessage)).toThrow(/unexpected field extra/);
    expect(() => encodeSnapshot({ ...snapshot(), status: 'paused' } as unknown as SessionSnapshot)).toThrow(/invalid status/);
  });
});

describe('messageIdFor', () => {
  test("a session's start and end each have one id, the protocol accepts it, and no other session or message shares it", () => {
    const sessionId = 'ses_AbC-12_xyzXYZ0123456789';
    const ids = [messageIdFor('session_started', sessionId), messageIdFor('session_ended', sessionId), messageIdFor('session_started', 'ses_other')];
    expect(new Set(ids).size).toBe(3);
    expect(messageIdFor('session_started', sessionId)).toBe(ids[0]);
    expect(parseMessage(encodeMessage({ ...started(), sessionId, messageId: ids[0] as string }))).toMatchObject({ ok: true });
  });
});
