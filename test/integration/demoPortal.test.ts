// The demo portal's personal links, through HTTP against the real stack (service, LiveKit,
// MongoDB, Redis): each link mints its own person's token only, the student's cannot become the
// counselor's nor end the session, and an edited or foreign link opens nothing. A session with a
// guardian, an interpreter and an observer gives each their own link and token.
import os from 'node:os';
import { TokenVerifier } from 'livekit-server-sdk';
import { startPortal, type Portal } from '../../demo/portalServer';
import { personalLinks } from '../../demo/personalLinks';
import { waitFor } from '../support/isolation';
import { CLINIC_TOKEN, clinic, deliver, sessionStatus, startService, testConfig, type RunningService } from './service/harness';

let target: RunningService;
let portal: Portal;

beforeEach(async () => {
  target = await startService(testConfig({ SERVICE_PUBLIC_URL: 'http://127.0.0.1:1' }));
  portal = await startPortal({ clinicApiUrl: target.url, clinicApiToken: CLINIC_TOKEN, widgetDir: os.tmpdir() });
});
afterEach(async () => {
  await portal?.stop();
  await target?.stop();
});

interface Created {
  id: string;
  roomName: string;
  studentPass: string;
  counselorPass: string;
}

async function createInPortal(): Promise<Created> {
  const response = await fetch(`${portal.url}/api/sessions`, { method: 'POST' });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { id: string; roomName: string; studentUrl: string; counselorUrl: string };
  const passOf = (link: string) => new URL(link, portal.url).searchParams.get('pass') as string;
  return { id: body.id, roomName: body.roomName, studentPass: passOf(body.studentUrl), counselorPass: passOf(body.counselorUrl) };
}

const call = async (path: string, method = 'POST') => {
  const response = await fetch(`${portal.url}${path}`, { method });
  return { status: response.status, json: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const subjectOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')).sub;

test("when the student's link asks for a token, then it is the student's, whatever the page asks for", async () => {
  const session = await createInPortal();
  const counselorIdentity = (await sessionStatus(target, session.id)).participants[1].identity;
  const student = await call(`/api/links/${session.studentPass}/token?identity=${counselorIdentity}`);
  expect(student.status).toBe(200);
  expect(subjectOf(student.json.token)).toMatch(/^student-/);
  expect(student.json.endUrl).toBeUndefined();
  const counselor = await call(`/api/links/${session.counselorPass}/token`);
  expect(subjectOf(counselor.json.token)).toBe(counselorIdentity);
  expect(counselor.json.endUrl).toBe('http://127.0.0.1:1/v1/participant/end');
  // The old open route, which took any identity, is gone.
  expect((await call(`/api/sessions/${session.id}/token?identity=${counselorIdentity}`)).status).toBe(404);
});

test("when the student's link is edited to name the counselor, then it is refused", async () => {
  const session = await createInPortal();
  const [payload, signature] = session.studentPass.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...claims, i: claims.i.replace('student', 'counselor'), r: 'counselor' })).toString('base64url');
  expect(await call(`/api/links/${forged}.${signature}/token`)).toMatchObject({ status: 401, json: { error: { code: 'link_invalid' } } });
  // A link signed by another run's portal (another secret) opens nothing either.
  const elsewhere = personalLinks().issue({ sessionId: session.id, identity: claims.i.replace('student', 'counselor'), role: 'counselor' });
  expect((await call(`/api/links/${elsewhere}/token`)).status).toBe(401);
  expect((await call(`/api/links/${elsewhere}/end`)).status).toBe(401);
});

test("when the student's link asks to end the session, then 403 and the session goes on; the counselor's ends it", async () => {
  const session = await createInPortal();
  const view = await sessionStatus(target, session.id);
  const [student, counselor] = view.participants.map((participant: { identity: string }) => participant.identity);
  const at = Date.now() - 1000;
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: { sid: 'PA_demo_s', identity: student, attributes: {} }, joinedAtMs: at });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: { sid: 'PA_demo_c', identity: counselor, attributes: {} }, joinedAtMs: at + 100 });
  await waitFor(async () => (await sessionStatus(target, session.id)).status === 'active');

  expect(await call(`/api/links/${session.studentPass}/end`)).toMatchObject({ status: 403, json: { error: { code: 'not_counselor' } } });
  expect((await sessionStatus(target, session.id)).status).toBe('active');
  expect(await call(`/api/links/${session.counselorPass}/end`)).toMatchObject({ status: 200, json: { status: 'ended' } });
  expect((await sessionStatus(target, session.id)).status).toBe('ended');
});

test('when the clinic creates a session with a guardian, an interpreter and an observer, then each has a link that mints their own token, and the session waits for the guardian', async () => {
  const response = await fetch(`${portal.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ guardian: true, interpreter: true, observer: true, observersDisclosed: true }),
  });
  expect(response.status).toBe(201);
  const created = (await response.json()) as { id: string; roomName: string; observersDisclosed: boolean; people: { role: string; identity: string; required: boolean; url: string }[] };
  expect(created.observersDisclosed).toBe(true);
  expect(created.people.map((person) => [person.role, person.required])).toEqual([
    ['student', true],
    ['counselor', true],
    ['guardian', true],
    ['interpreter', false],
    ['observer', false],
  ]);
  // The service has the same people, in their roles.
  const view = await sessionStatus(target, created.id);
  expect(view.participants.map((entry: { identity: string; role: string }) => [entry.identity, entry.role])).toEqual(created.people.map((person) => [person.identity, person.role]));

  const verifier = new TokenVerifier(target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  for (const person of created.people) {
    const pass = new URL(person.url, portal.url).searchParams.get('pass') as string;
    const minted = await call(`/api/links/${pass}/token`);
    expect(minted.status).toBe(200);
    const claims = await verifier.verify(minted.json.token);
    expect(claims.sub).toBe(person.identity);
    expect(claims.attributes?.['autostart.role']).toBe(person.role);
    // The supervisor watches hidden; everyone else is told they do.
    if (person.role === 'observer') {
      expect(claims.video).toMatchObject({ hidden: true, canPublish: false });
      expect(claims.attributes).not.toHaveProperty('autostart.observed');
    } else {
      expect(claims.attributes?.['autostart.observed']).toBe('disclosed');
    }
  }

  // The pair alone does not start it: the guardian is required.
  const [student, counselor] = created.people.map((person) => person.identity) as [string, string];
  const at = Date.now() - 1000;
  await deliver(target, { event: 'participant_joined', room: created.roomName, participant: { sid: 'PA_demo_gs', identity: student, attributes: {} }, joinedAtMs: at });
  await deliver(target, { event: 'participant_joined', room: created.roomName, participant: { sid: 'PA_demo_gc', identity: counselor, attributes: {} }, joinedAtMs: at + 100 });
  expect((await sessionStatus(target, created.id)).status).toBe('waiting');
});

test('when the form is not what the page sends, then the portal answers 400 saying what is wrong, and creates nothing', async () => {
  const response = await fetch(`${portal.url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observer: 'yes' }) });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: { code: 'invalid_form', message: 'observer must be true or false' } });
  expect((await clinic(target.url, 'GET', '/v1/sessions')).json.sessions).toEqual([]);
});
