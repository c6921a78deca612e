// The clinic API and the operations endpoints through HTTP, against the real stack.
import { freeTcpPort } from '../../../scripts/stack/ports';
import { uniqueName } from '../../support/isolation';
import {
  CLINIC_TOKEN,
  clinic,
  createAppointment,
  deliver,
  sessionStatus,
  startService,
  testConfig,
  type RunningService,
} from './harness';

let target: RunningService;

afterEach(async () => {
  await target?.stop();
});

const jwtClaims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));


describe('sessions', () => {
  beforeEach(async () => {
    target = await startService(testConfig());
  });

  test('when a portal creates a session, then it is waiting with both seats empty and can be read back', async () => {
    const body = { studentIdentity: 'stu-1', counselorIdentity: 'cou-1', scheduledStart: '2030-01-02T03:04:05+01:00' };
    const created = await clinic(target.url, 'POST', '/v1/sessions', body);
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^ses_[A-Za-z0-9_-]+$/),
      roomName: `autostart-${created.json.id}`,
      externalId: null,
      status: 'waiting',
      endReason: null,
      scheduledStart: '2030-01-02T02:04:05.000Z',
      actualStart: null,
      actualEnd: null,
      closedAt: null,
      // The default: the people in the call would be told of an observer.
      observersDisclosed: true,
      participants: [
        { identity: 'stu-1', role: 'student', connected: false, firstJoinedAt: null, lateSeconds: null, intervals: [] },
        { identity: 'cou-1', role: 'counselor', connected: false, firstJoinedAt: null, lateSeconds: null, intervals: [] },
      ],
    });
    const read = await clinic(target.url, 'GET', `/v1/sessions/${created.json.id}`);
    expect(read).toEqual({ status: 200, json: created.json });
  });

  test('when the same pair gets several sessions ahead of time (a weekly series), then each has a room of its own', async () => {
    const body = { studentIdentity: 'stu-1', counselorIdentity: 'cou-1' };
    const made = await Promise.all(['2030-01-07', '2030-01-14', '2030-01-21'].map((day) => clinic(target.url, 'POST', '/v1/sessions', { ...body, scheduledStart: `${day}T15:00:00Z` })));
    expect(made.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(new Set(made.map((answer) => answer.json.roomName)).size).toBe(3);
  });

  test('when a body still names the room, then 400 says the service chooses it now, and nothing is created', async () => {
    const response = await clinic(target.url, 'POST', '/v1/sessions', { roomName: 'office-3', studentIdentity: 'stu-x', counselorIdentity: 'cou-x', externalId: 'apt-roomname' });
    expect(response).toMatchObject({ status: 400, json: { error: { code: 'invalid_request', message: expect.stringContaining('the service names each session') } } });
    expect((await clinic(target.url, 'GET', '/v1/sessions?externalId=apt-roomname')).json.sessions).toEqual([]);
  });

  test('when the clinic creates with its appointment id again, then the same session (200); with other details, 409; and it can be found by that id', async () => {
    const body = { studentIdentity: 'stu-e', counselorIdentity: 'cou-e', scheduledStart: '2030-02-01T10:00:00Z', externalId: uniqueName('apt') };
    const first = await clinic(target.url, 'POST', '/v1/sessions', body);
    expect(first).toMatchObject({ status: 201, json: { externalId: body.externalId } });
    const again = await clinic(target.url, 'POST', '/v1/sessions', body);
    expect(again).toEqual({ status: 200, json: first.json });
    const other = await clinic(target.url, 'POST', '/v1/sessions', { ...body, counselorIdentity: 'cou-other' });
    expect(other).toMatchObject({ status: 409, json: { error: { code: 'external_id_conflict' } } });
    const found = await clinic(target.url, 'GET', `/v1/sessions?externalId=${encodeURIComponent(body.externalId)}`);
    expect(found.json.sessions.map((session: { id: string }) => session.id)).toEqual([first.json.id]);
  });

  test('when 20 creates of one appointment race, then one session exists and all 20 answer it', async () => {
    const body = { studentIdentity: 'stu-r', counselorIdentity: 'cou-r', externalId: uniqueName('apt-race') };
    const answers = await Promise.all(Array.from({ length: 20 }, () => clinic(target.url, 'POST', '/v1/sessions', body)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(19);
    expect(new Set(answers.map((answer) => answer.json.id)).size).toBe(1);
  });

  test.each([
    ['the student is the counselor', { studentIdentity: 'same', counselorIdentity: 'same' }],
    ['the student is missing', { counselorIdentity: 'b' }],
    ['an identity is empty', { studentIdentity: '', counselorIdentity: 'b' }],
    ['the appointment id holds a control character', { externalId: 'apt\u00071', studentIdentity: 'a', counselorIdentity: 'b' }],
    ['scheduledStart is not an ISO 8601 instant', { studentIdentity: 'a', counselorIdentity: 'b', scheduledStart: 'tomorrow' }],
  ])('when %s, then 400', async (_case, body) => {
    const response = await clinic(target.url, 'POST', '/v1/sessions', body);
    expect(response).toMatchObject({ status: 400, json: { error: { code: 'invalid_request', message: expect.any(String) } } });
  });

  test('when the body is not JSON, then 400', async () => {
    const response = await fetch(`${target.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLINIC_TOKEN}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  test('when the session does not exist, then 404 for reading it and for a token', async () => {
    expect(await clinic(target.url, 'GET', '/v1/sessions/ses_unknown')).toMatchObject({ status: 404, json: { error: { code: 'session_not_found' } } });
    expect((await clinic(target.url, 'POST', '/v1/sessions/ses_unknown/token', { identity: 'x' })).status).toBe(404);
  });

  test.each([
    ['no token', null],
    ['a wrong token', 'wrong-token-0123456789abcdef'],
  ])('when a call carries %s, then 401 and nothing happens', async (_case, token) => {
    expect((await clinic(target.url, 'POST', '/v1/sessions', { externalId: 'apt-401', studentIdentity: 'a', counselorIdentity: 'b' }, token)).status).toBe(401);
    expect((await clinic(target.url, 'GET', '/v1/sessions/ses_x', undefined, token)).status).toBe(401);
    expect((await clinic(target.url, 'POST', '/v1/sessions/ses_x/token', { identity: 'a' }, token)).status).toBe(401);
    // The refused creation wrote nothing: the appointment id is still free.
    expect((await clinic(target.url, 'POST', '/v1/sessions', { externalId: 'apt-401', studentIdentity: 'a', counselorIdentity: 'b' })).status).toBe(201);
  });
});

describe('join tokens', () => {
  beforeEach(async () => {
    target = await startService(testConfig({ LIVEKIT_PUBLIC_URL: 'wss://livekit.clinic.example', TOKEN_TTL_SECONDS: '120' }));
  });

  test('when the student asks before the start, then the token joins only this room, with the role attribute, short-lived, cannot hide or rewrite itself, and cannot publish', async () => {
    const appointment = await createAppointment(target);
    const minted = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: appointment.student.identity });
    expect(minted.status).toBe(200);
    expect(minted.json.url).toBe('wss://livekit.clinic.example');
    const claims = jwtClaims(minted.json.token);
    expect(claims).toMatchObject({ sub: appointment.student.identity, iss: target.config.LIVEKIT_API_KEY, attributes: { 'autostart.role': 'student' } });
    expect(claims.exp - claims.nbf).toBe(120);
    expect(claims.video).toEqual({ roomJoin: true, room: appointment.room, canPublish: false, canSubscribe: true, canPublishData: false });
  });

  test('when the counselor asks, then the role attribute says counselor', async () => {
    const appointment = await createAppointment(target);
    const minted = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: appointment.counselor.identity });
    expect(jwtClaims(minted.json.token).attributes).toEqual({ 'autostart.role': 'counselor', 'autostart.session': appointment.sessionId, 'autostart.screen_share': 'counselor', 'autostart.chat': 'on', 'autostart.awaits': 'student,counselor' });
  });

  test('when someone else asks, then 403', async () => {
    const appointment = await createAppointment(target);
    const response = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: 'intruder' });
    expect(response).toMatchObject({ status: 403, json: { error: { code: 'identity_not_in_session' } } });
  });

  test('when the body has no identity, then 400', async () => {
    const appointment = await createAppointment(target);
    expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, {})).status).toBe(400);
  });

  test('when the session was cancelled, then 409 session_cancelled', async () => {
    const appointment = await createAppointment(target);
    expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`)).status).toBe(200);
    const response = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: appointment.student.identity });
    expect(response).toMatchObject({ status: 409, json: { error: { code: 'session_cancelled' } } });
  });

  test('when LiveKit closed the empty room of a session that never started, then tokens are still minted', async () => {
    const appointment = await createAppointment(target);
    await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: Date.now() - 30_000 });
    await deliver(target, { event: 'participant_left', room: appointment.room, participant: appointment.student, createdAt: Math.floor(Date.now() / 1000) - 25 });
    await deliver(target, { event: 'room_finished', room: appointment.room, createdAt: Math.floor(Date.now() / 1000) - 5 });
    const response = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: appointment.counselor.identity });
    expect(response.status).toBe(200);
    expect((await sessionStatus(target, appointment.sessionId)).status).toBe('waiting');
  });
});

describe('CORS', () => {
  beforeEach(async () => {
    target = await startService(testConfig({ CORS_ORIGINS: 'https://portal.clinic.example, https://admin.clinic.example' }));
  });

  test('when an allowed origin sends a preflight, then it is allowed without a token', async () => {
    const response = await fetch(`${target.url}/v1/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://admin.clinic.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://admin.clinic.example');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  test('when another origin calls, then no CORS header is given', async () => {
    const response = await fetch(`${target.url}/v1/sessions/ses_x`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${CLINIC_TOKEN}` } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('when the webhook route is called from a browser origin, then it gets no CORS header', async () => {
    const response = await fetch(`${target.url}/livekit/webhook`, { method: 'OPTIONS', headers: { origin: 'https://portal.clinic.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('operations', () => {
  test('when everything is up, then /healthz and /readyz answer 200 and /metrics shows the service metrics', async () => {
    target = await startService(testConfig());
    expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${target.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { mongodb: 'ok', redis: 'ok', livekit: 'ok' } });

    await deliver(target, { event: 'participant_joined', room: 'room-without-session', participant: { sid: 'PA_m', identity: 'm' } });
    const metrics = await (await fetch(`${target.url}/metrics`)).text();
    expect(metrics).toContain('autostart_webhooks_total{event="participant_joined",outcome="ignored"} 1');
    expect(metrics).toMatch(/autostart_lifecycle_queue_jobs\{state="waiting"\} 0/);
    expect(metrics).toContain('autostart_activation_latency_seconds_bucket');
    expect(metrics).toContain('autostart_activations_total 0');
    const lastWebhook = Number(/^autostart_last_webhook_timestamp_seconds ([\d.e+]+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(lastWebhook - Date.now() / 1000)).toBeLessThan(30);
  });

  test('when LiveKit cannot be reached, then /readyz answers 503 naming livekit, and /healthz still 200', async () => {
    target = await startService(testConfig({ LIVEKIT_URL: `http://127.0.0.1:${await freeTcpPort()}` }));
    const ready = await fetch(`${target.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ failed: ['livekit'], checks: { mongodb: 'ok', redis: 'ok', livekit: 'failed' } });
    expect((await fetch(`${target.url}/healthz`)).status).toBe(200);
  });

  test('when LiveKit cannot be reached, then an --api-only process (whose intake never calls it) is still ready', async () => {
    target = await startService(testConfig({ LIVEKIT_URL: `http://127.0.0.1:${await freeTcpPort()}` }), { api: true, worker: false });
    const ready = await fetch(`${target.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok' }, failed: [], warnings: [] });
  });
});

describe('API keys', () => {
  const OLD = 'portal-2025:old-secret-0123456789abcdef';
  const NEW = 'portal-2026:new-secret-0123456789abcdef';
  const secretOf = (pair: string) => pair.slice(pair.indexOf(':') + 1);

  test('when a key is rotated, then both work while both are configured, and the removed one gets 401', async () => {
    const both = testConfig({ CLINIC_API_KEYS: `${OLD},${NEW}` });
    target = await startService(both);
    const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: 's', counselorIdentity: 'c' }, secretOf(OLD));
    expect(created.status).toBe(201);
    expect((await clinic(target.url, 'POST', `/v1/sessions/${created.json.id}/token`, { identity: 's' }, secretOf(NEW))).status).toBe(200);
    // The audit names the key of each call, never its secret.
    const audit = await clinic(target.url, 'GET', `/v1/sessions/${created.json.id}/audit`, undefined, secretOf(NEW));
    expect(audit.json.entries.map((entry: { keyName: string; action: string }) => [entry.keyName, entry.action])).toEqual([
      ['portal-2026', 'token.mint'],
      ['portal-2025', 'session.create'],
    ]);
    expect(JSON.stringify(audit.json)).not.toMatch(/secret-0123456789/);
    await target.stop();
    target = await startService({ ...both, CLINIC_API_KEYS: [{ name: 'portal-2026', secret: secretOf(NEW) }], CLINIC_API_TOKEN: undefined });
    expect((await clinic(target.url, 'GET', '/v1/sessions/ses_x', undefined, secretOf(OLD))).json).toEqual({ error: { code: 'clinic_unauthorized', message: 'missing or invalid bearer token' } });
    expect((await clinic(target.url, 'GET', '/v1/sessions/ses_x', undefined, secretOf(NEW))).status).toBe(404);
  });
});
