// "End session for everyone" bound to the participant's own credential, through HTTP against
// the real stack: the widget POSTs the token answer's endUrl with its join token as the bearer;
// the counselor's ends the session, the student's is refused, and no page can point elsewhere.
import { createParticipantClient } from '../../../webhook-service/client';
import { waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, sessionStatus, startService, testConfig, type Appointment, type RunningService } from './harness';

let target: RunningService;

beforeEach(async () => {
  target = await startService(testConfig({ SERVICE_PUBLIC_URL: 'https://autostart.clinic.example/counseling/', CORS_ORIGINS: 'https://portal.clinic.example' }));
});
afterEach(async () => {
  await target?.stop();
});

async function activeAppointment(): Promise<Appointment> {
  const appointment = await createAppointment(target);
  const at = Date.now() - 1000;
  expect((await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: at })).status).toBe(200);
  expect((await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: at + 100 })).status).toBe(200);
  await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active');
  return appointment;
}

const tokenOf = async (appointment: Appointment, identity: string) => {
  const minted = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity });
  expect(minted.status).toBe(200);
  return minted.json as { token: string; url: string; endUrl?: string };
};

/** POST /v1/participant/end with `credential` as the bearer, checked against the API description. */
const endWith = (credential: string | null) => clinic(target.url, 'POST', '/v1/participant/end', undefined, credential);

test("when the counselor's widget ends the session with its own join token, then it ends (200), and the audit says who", async () => {
  const appointment = await activeAppointment();
  const counselor = await tokenOf(appointment, appointment.counselor.identity);
  expect(counselor.endUrl).toBe('https://autostart.clinic.example/counseling/v1/participant/end');

  const ended = await createParticipantClient({ baseUrl: target.url, joinToken: counselor.token }).endSession();
  expect(ended).toEqual({ status: 200, data: { id: appointment.sessionId, status: 'ended', endReason: 'ended' } });
  expect(await sessionStatus(target, appointment.sessionId)).toMatchObject({ status: 'ended', endReason: 'ended' });
  // Again: unchanged.
  expect(await endWith(counselor.token)).toMatchObject({ status: 200, json: { status: 'ended' } });

  const audit = await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}/audit`);
  const ends = audit.json.entries.filter((entry: { action: string }) => entry.action === 'session.end');
  expect(ends).toEqual([
    expect.objectContaining({ keyName: 'participant', identity: appointment.counselor.identity, outcome: { status: 200, code: null } }),
    expect.objectContaining({ keyName: 'participant', identity: appointment.counselor.identity, outcome: { status: 200, code: null } }),
  ]);
});

test("when the student's credential asks to end the session, then 403 and the session goes on", async () => {
  const appointment = await activeAppointment();
  const student = await tokenOf(appointment, appointment.student.identity);
  expect(student.endUrl).toBeUndefined();

  expect(await endWith(student.token)).toMatchObject({ status: 403, json: { error: { code: 'participant_forbidden' } } });
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('active');
  const audit = await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}/audit`);
  expect(audit.json.entries[0]).toMatchObject({ keyName: 'participant', action: 'session.end', identity: appointment.student.identity, outcome: { status: 403, code: 'participant_forbidden' } });
});

test.each([
  ['no credential', null],
  ['a malformed credential', 'not-a-token'],
  ['the clinic API key', 'integration-clinic-token-0123456789'],
])('when %s is presented, then 401 and nothing is ended', async (_case, credential) => {
  const appointment = await activeAppointment();
  expect(await endWith(credential)).toMatchObject({ status: 401, json: { error: { code: 'participant_unauthorized' } } });
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('active');
});

test("when the counselor of one session presents their token, then only their own session ends, never another's", async () => {
  const mine = await activeAppointment();
  const other = await activeAppointment();
  const counselor = await tokenOf(mine, mine.counselor.identity);
  expect((await endWith(counselor.token)).status).toBe(200);
  expect((await sessionStatus(target, mine.sessionId)).status).toBe('ended');
  expect((await sessionStatus(target, other.sessionId)).status).toBe('active');
});

test('when the session has not started, then 409 session_not_active, as for the clinic', async () => {
  const appointment = await createAppointment(target);
  const counselor = await tokenOf(appointment, appointment.counselor.identity);
  expect(await endWith(counselor.token)).toMatchObject({ status: 409, json: { error: { code: 'session_not_active' } } });
});

test("when the portal's origin sends the widget's preflight, then it is allowed without a credential", async () => {
  const response = await fetch(`${target.url}/v1/participant/end`, {
    method: 'OPTIONS',
    headers: { origin: 'https://portal.clinic.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  expect(response.status).toBe(204);
  expect(response.headers.get('access-control-allow-origin')).toBe('https://portal.clinic.example');
  expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
});
