// Clinics and key scopes against the real service (FerretDB, Redis, the worker): a session
// belongs to the clinic whose key created it; another clinic's key gets 404 for it and never sees
// it in a listing, an export, an audit or the failed deliveries; a key without the scope a call
// needs gets 403 and changes nothing.
import mongoose from 'mongoose';
import { deliveryId } from '../../../webhook-service/outbox/deliveryPolicy';
import { startClinicBackend } from '../../support/clinicBackend';
import { closedAfter, uniqueName, waitFor } from '../../support/isolation';
import { clinic, deliver, openCollections, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(60_000);

const NORTH = 'north-portal-secret-0123456789';
const NORTH_REPORTS = 'north-reports-secret-0123456789';
const SOUTH = 'south-portal-secret-0123456789';
const WEBHOOK_SECRET = `whsec_${Buffer.from('clinic-webhook-secret-0123456789').toString('base64')}`;
/** A signing secret of one endpoint's own (CLINIC_WEBHOOK_ENDPOINT_SECRETS). */
const endpointSecret = (endpoint: string) => `whsec_${Buffer.from(`${endpoint}-endpoint-secret-0123456789`).toString('base64')}`;

const cleanups = closedAfter(afterEach);

/** Two clinics: north with a portal key (every scope) and a reports key (reading only), south with a portal key. */
async function twoClinics(extra: Record<string, string> = {}): Promise<RunningService> {
  const target = await startService(
    testConfig({
      CLINIC_API_TOKEN: '',
      CLINIC_API_KEYS: `north-portal:${NORTH},north-reports:${NORTH_REPORTS},south-portal:${SOUTH}`,
      CLINIC_API_KEY_GRANTS: JSON.stringify({
        'north-portal': { clinic: 'north' },
        'north-reports': { clinic: 'north', scopes: ['sessions:read'] },
        'south-portal': { clinic: 'south' },
      }),
      ...extra,
    }),
  );
  cleanups.push(() => target.stop());
  return target;
}

const create = async (target: RunningService, key: string, body: Record<string, unknown> = {}) => {
  const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor'), ...body }, key);
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.json)}`);
  return created.json as { id: string; roomName: string; externalId: string | null; participants: unknown[] } & Record<string, unknown>;
};

const csv = async (target: RunningService, key: string): Promise<string> => {
  const response = await fetch(`${target.url}/v1/sessions?limit=200`, { headers: { authorization: `Bearer ${key}`, accept: 'text/csv' } });
  expect(response.status).toBe(200);
  return response.text();
};

test("when south's key asks for north's session by id, then every route answers 404 as for no session, and nothing is written", async () => {
  const target = await twoClinics();
  const session = await create(target, NORTH);
  const before = await openCollections(target.config);
  cleanups.push(() => before.close());
  const decisions = await before.count('session_decisions');

  const calls = [
    await clinic(target.url, 'GET', `/v1/sessions/${session.id}`, undefined, SOUTH),
    await clinic(target.url, 'GET', `/v1/sessions/${session.id}/audit`, undefined, SOUTH),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/token`, { identity: 'anyone' }, SOUTH),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/end`, undefined, SOUTH),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/cancel`, undefined, SOUTH),
  ];
  for (const call of calls) expect({ status: call.status, code: call.json.error.code }).toEqual({ status: 404, code: 'session_not_found' });
  // The same answer as for an id nobody has: the key learns nothing about north's ids.
  const unknown = await clinic(target.url, 'GET', '/v1/sessions/ses_nobody_has_this', undefined, SOUTH);
  expect(unknown.json.error.message).toBe(calls[0]?.json.error.message.replace(session.id, 'ses_nobody_has_this'));

  expect(await before.count('session_decisions')).toBe(decisions);
  const mine = await clinic(target.url, 'GET', `/v1/sessions/${session.id}`, undefined, NORTH);
  expect(mine).toMatchObject({ status: 200, json: { id: session.id, status: 'waiting' } });
  // North's audit holds the create and nothing south did succeeded.
  const audit = await clinic(target.url, 'GET', `/v1/sessions/${session.id}/audit`, undefined, NORTH);
  expect(audit.json.entries.filter((entry: { outcome: { status: number } }) => entry.outcome.status < 400).map((entry: { keyName: string; action: string }) => [entry.keyName, entry.action])).toEqual([['north-portal', 'session.create']]);
});

test("when each clinic lists and exports, then it sees its own sessions only, and an appointment id is each clinic's own", async () => {
  const target = await twoClinics();
  const appointment = uniqueName('apt');
  const northBody = { studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor'), externalId: appointment };
  const north = await create(target, NORTH, northBody);
  const southStudent = uniqueName('south-student');
  const south = await create(target, SOUTH, { studentIdentity: southStudent, externalId: appointment });
  expect(south.id).not.toBe(north.id);
  // Attendance so the export has rows to leak.
  await deliver(target, { event: 'participant_joined', room: south.roomName, participant: { sid: 'PA_south1', identity: southStudent, attributes: { 'autostart.role': 'student' } }, joinedAtMs: Date.now() - 1000 });
  const connected = async () => (await clinic(target.url, 'GET', `/v1/sessions/${south.id}`, undefined, SOUTH)).json.participants.some((participant: { connected: boolean }) => participant.connected);
  await waitFor(connected, { timeoutMs: 10_000 });

  const listed = async (key: string) => (await clinic(target.url, 'GET', '/v1/sessions?limit=200', undefined, key)).json.sessions.map((session: { id: string }) => session.id);
  expect(await listed(NORTH)).toEqual([north.id]);
  expect(await listed(SOUTH)).toEqual([south.id]);
  expect(await listed(NORTH_REPORTS)).toEqual([north.id]);

  const byAppointment = async (key: string) => (await clinic(target.url, 'GET', `/v1/sessions?externalId=${encodeURIComponent(appointment)}`, undefined, key)).json.sessions.map((session: { id: string }) => session.id);
  expect(await byAppointment(NORTH)).toEqual([north.id]);
  expect(await byAppointment(SOUTH)).toEqual([south.id]);

  expect(await csv(target, NORTH)).not.toContain(south.id);
  expect(await csv(target, SOUTH)).toContain(south.id);
  expect(await csv(target, SOUTH)).toContain(southStudent);
  expect(await csv(target, NORTH)).not.toContain(southStudent);

  // A repeat of north's create is north's session again, never south's.
  const again = await clinic(target.url, 'POST', '/v1/sessions', northBody, NORTH);
  expect({ status: again.status, id: again.json.id }).toEqual({ status: 200, id: north.id });
});

test('when a key lacks the scope a call needs, then it gets 403 clinic_forbidden and nothing is written', async () => {
  const target = await twoClinics();
  const session = await create(target, NORTH);
  const collections = await openCollections(target.config);
  cleanups.push(() => collections.close());
  const sessionsBefore = await collections.count('sessions');
  const auditBefore = await collections.count('audit_entries');

  const refused = [
    await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: 'a', counselorIdentity: 'b' }, NORTH_REPORTS),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/token`, { identity: 'a' }, NORTH_REPORTS),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/end`, undefined, NORTH_REPORTS),
    await clinic(target.url, 'POST', `/v1/sessions/${session.id}/cancel`, undefined, NORTH_REPORTS),
    await clinic(target.url, 'GET', `/v1/sessions/${session.id}/audit`, undefined, NORTH_REPORTS),
    await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed', undefined, NORTH_REPORTS),
    await clinic(target.url, 'POST', '/v1/webhook-deliveries/dlv_any/retry', undefined, NORTH_REPORTS),
  ];
  for (const call of refused) expect({ status: call.status, code: call.json.error.code }).toEqual({ status: 403, code: 'clinic_forbidden' });
  expect(refused[1]?.json.error.message).toBe('this API key lacks the scope tokens:write');

  expect(await collections.count('sessions')).toBe(sessionsBefore);
  expect(await collections.count('audit_entries')).toBe(auditBefore);
  expect((await clinic(target.url, 'GET', `/v1/sessions/${session.id}`, undefined, NORTH_REPORTS)).status).toBe(200);
  expect((await clinic(target.url, 'GET', `/v1/sessions/${session.id}`, undefined, NORTH)).json.status).toBe('waiting');
});

test("when deliveries give up for both clinics, then each clinic lists and retries its own only", async () => {
  const backend = await startClinicBackend(WEBHOOK_SECRET);
  cleanups.push(backend.close);
  backend.state.down = true;
  // A retry window of about a second: a few quick tries, then it gives up.
  const target = await twoClinics({
    CLINIC_WEBHOOK_URLS: `north=${backend.hooksUrl},south=${backend.hooksUrl}`,
    CLINIC_WEBHOOK_ENDPOINT_CLINICS: JSON.stringify({ north: 'north', south: 'south' }),
    CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ north: endpointSecret('north'), south: endpointSecret('south') }),
    CLINIC_WEBHOOK_BACKOFF_MS: '100',
    CLINIC_WEBHOOK_RETRY_HOURS: '0.0003',
  });
  const north = await create(target, NORTH);
  const south = await create(target, SOUTH);
  for (const [session, sid] of [[north, 'PA_north1'], [south, 'PA_south1']] as const) {
    await deliver(target, { event: 'participant_joined', room: session.roomName, participant: { sid, identity: `student-${sid}`, attributes: { 'autostart.role': 'student' } }, joinedAtMs: Date.now() - 1000 });
  }
  const failedOf = async (key: string) => (await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed', undefined, key)).json.deliveries as { id: string; sessionId: string }[];
  await waitFor(async () => (await failedOf(NORTH)).length >= 1 && (await failedOf(SOUTH)).length >= 1, { timeoutMs: 20_000, intervalMs: 200 });

  const northFailed = await failedOf(NORTH);
  const southFailed = await failedOf(SOUTH);
  expect(new Set(northFailed.map((delivery) => delivery.sessionId))).toEqual(new Set([north.id]));
  expect(new Set(southFailed.map((delivery) => delivery.sessionId))).toEqual(new Set([south.id]));

  const southDelivery = southFailed[0] as { id: string };
  const crossRetry = await clinic(target.url, 'POST', `/v1/webhook-deliveries/${southDelivery.id}/retry`, undefined, NORTH);
  expect({ status: crossRetry.status, code: crossRetry.json.error.code }).toEqual({ status: 404, code: 'delivery_not_found' });
  expect((await failedOf(SOUTH)).map((delivery) => delivery.id)).toContain(southDelivery.id);
  expect((await clinic(target.url, 'POST', `/v1/webhook-deliveries/${southDelivery.id}/retry`, undefined, SOUTH)).status).toBe(202);
});

test("when each clinic has its own endpoint, then each receiver gets its own clinic's events only, and the operator's `*` endpoint gets both", async () => {
  // Each receiver knows only its own endpoint's secret: an event signed with any other fails its check.
  const secrets = { north: endpointSecret('north'), south: endpointSecret('south'), ops: endpointSecret('ops') };
  const [northBackend, southBackend, opsBackend] = await Promise.all([startClinicBackend(secrets.north), startClinicBackend(secrets.south), startClinicBackend(secrets.ops)]);
  cleanups.push(northBackend.close, southBackend.close, opsBackend.close);
  const target = await twoClinics({
    CLINIC_WEBHOOK_URLS: `crm-north=${northBackend.hooksUrl},crm-south=${southBackend.hooksUrl},ops=${opsBackend.hooksUrl}`,
    CLINIC_WEBHOOK_ENDPOINT_CLINICS: JSON.stringify({ 'crm-north': 'north', 'crm-south': 'south', ops: '*' }),
    CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ 'crm-north': secrets.north, 'crm-south': secrets.south, ops: secrets.ops }),
  });
  const students = { north: uniqueName('student-north'), south: uniqueName('student-south') };
  const north = await create(target, NORTH, { studentIdentity: students.north });
  const south = await create(target, SOUTH, { studentIdentity: students.south });
  for (const [session, identity] of [[north, students.north], [south, students.south]] as const) {
    await deliver(target, { event: 'participant_joined', room: session.roomName, participant: { sid: `PA_${identity}`, identity, attributes: { 'autostart.role': 'student' } }, joinedAtMs: Date.now() - 1000 });
  }
  // Every event of both sessions reached the operator's endpoint, so every delivery was queued by then.
  const sessionsOf = (received: { sessionId: string }[]) => new Set(received.map((event) => event.sessionId));
  await waitFor(() => opsBackend.received.filter((event) => event.type === 'participant.waiting').length === 2, { timeoutMs: 20_000, intervalMs: 100 });
  const events = opsBackend.received;
  expect(sessionsOf(events)).toEqual(new Set([north.id, south.id]));
  await waitFor(() => northBackend.received.length === events.filter((event) => event.sessionId === north.id).length && southBackend.received.length === events.filter((event) => event.sessionId === south.id).length, { timeoutMs: 20_000, intervalMs: 100 });
  expect(sessionsOf(northBackend.received)).toEqual(new Set([north.id]));
  expect(sessionsOf(southBackend.received)).toEqual(new Set([south.id]));
  expect([...northBackend.received, ...southBackend.received, ...opsBackend.received].every((event) => event.verified)).toBe(true);
  // The outbox's ledger of every delivery ever queued: none of one clinic's events for the other's endpoint.
  const connection = await mongoose.createConnection(target.config.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  cleanups.push(() => connection.close());
  const ledger = new Set((await connection.collection('published_deliveries').find({}).toArray()).map((entry) => String(entry._id)));
  const expected = events.flatMap((event) => [deliveryId('ops', event.id), deliveryId(event.sessionId === north.id ? 'crm-north' : 'crm-south', event.id)]);
  expect(new Set(expected)).toEqual(ledger);
});

test("when one clinic has more than a thousand failed deliveries, then another clinic's are still listed, and each pages through its own exactly once", async () => {
  const backend = await startClinicBackend(WEBHOOK_SECRET);
  cleanups.push(backend.close);
  const target = await twoClinics({
    CLINIC_WEBHOOK_URLS: `crm-north=${backend.hooksUrl},crm-south=${backend.hooksUrl}`,
    CLINIC_WEBHOOK_ENDPOINT_CLINICS: JSON.stringify({ 'crm-north': 'north', 'crm-south': 'south' }),
    CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ 'crm-north': endpointSecret('north'), 'crm-south': endpointSecret('south') }),
  });
  const connection = await mongoose.createConnection(target.config.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  cleanups.push(() => connection.close());
  const t0 = Date.now() - 3600_000;
  // As the outbox records them when they give up; north's 1,200 all older than south's 2.
  const failed = (clinicId: string, n: number, settledAt: Date) => ({
    _id: deliveryId(`crm-${clinicId}`, `evt_${clinicId}_${n}`),
    endpoint: `crm-${clinicId}`,
    sessionId: `ses_${clinicId}_${n % 7}`,
    clinicId,
    eventId: `evt_${clinicId}_${n}`,
    type: 'participant.joined',
    payload: { v: 1 },
    state: 'failed',
    orderAt: settledAt,
    orderIndex: 0,
    nextAttemptAt: settledAt,
    attempts: 5,
    firstTriedAt: settledAt,
    error: 'HTTP 503',
    settledAt,
    createdAt: settledAt,
  });
  // Every ten share one instant: the page's order must break ties by id, never repeat nor skip.
  const northDocs = Array.from({ length: 1200 }, (_, n) => failed('north', n, new Date(t0 + Math.floor(n / 10) * 1000)));
  await connection.collection('deliveries').insertMany([...northDocs, failed('south', 1, new Date(t0 + 7200_000)), failed('south', 2, new Date(t0 + 7200_000))] as never[]);

  const page = async (key: string, query: string) => {
    const answer = await clinic(target.url, 'GET', `/v1/webhook-deliveries?status=failed&${query}`, undefined, key);
    expect(answer.status).toBe(200);
    return answer.json as { deliveries: { id: string; failedAt: string }[]; nextCursor: string | null };
  };
  const south = await page(SOUTH, 'limit=10');
  expect({ ids: south.deliveries.map((delivery) => delivery.id).sort(), nextCursor: south.nextCursor }).toEqual({ ids: [deliveryId('crm-south', 'evt_south_1'), deliveryId('crm-south', 'evt_south_2')].sort(), nextCursor: null });

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const next = await page(NORTH, `limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...next.deliveries.map((delivery) => delivery.id));
    cursor = next.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  expect(pages).toBe(3);
  const inOrder = [...northDocs].sort((a, b) => a.settledAt.getTime() - b.settledAt.getTime() || (a._id < b._id ? -1 : 1));
  expect(seen).toEqual(inOrder.map((doc) => doc._id));
  expect(new Set(seen).size).toBe(1200);
  // A bad cursor is the caller's error; another clinic's delivery cannot be sent again.
  expect((await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed&cursor=nonsense', undefined, NORTH)).status).toBe(400);
  expect((await clinic(target.url, 'POST', `/v1/webhook-deliveries/${deliveryId('crm-south', 'evt_south_1')}/retry`, undefined, NORTH)).status).toBe(404);
});

test('when a database from before tenancy is migrated, then its sessions, appointment ids and failed deliveries are the default clinic\'s, as they were', async () => {
  const config = testConfig({ CLINIC_WEBHOOK_URLS: 'crm=http://127.0.0.1:9/hooks', CLINIC_WEBHOOK_SECRET: WEBHOOK_SECRET });
  const connection = await mongoose.createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  cleanups.push(() => connection.close());
  const id = uniqueName('ses_legacy').replaceAll('-', '_');
  const appointment = uniqueName('apt-legacy');
  const createdAt = new Date();
  // As an earlier version wrote them: no clinicId, the appointment id bare.
  await connection.collection('sessions').insertOne({ _id: id, roomName: `autostart-${id}`, externalId: appointment, studentIdentity: 'legacy-student', counselorIdentity: 'legacy-counselor', scheduledStart: null, createdAt } as never);
  await connection.collection('external_ids').insertOne({ _id: appointment, sessionId: id, fingerprint: JSON.stringify(['legacy-student', 'legacy-counselor', null]), createdAt } as never);
  // A delivery that gave up before deliveries carried their clinic; another whose session is gone.
  const legacyDelivery = (eventId: string, sessionId: string) => ({ _id: deliveryId('crm', eventId), endpoint: 'crm', sessionId, eventId, type: 'participant.joined', payload: { v: 1 }, state: 'failed', orderAt: createdAt, orderIndex: 0, nextAttemptAt: createdAt, attempts: 3, firstTriedAt: createdAt, error: 'HTTP 503', settledAt: createdAt, createdAt });
  await connection.collection('deliveries').insertMany([legacyDelivery('evt_legacy_1', id), legacyDelivery('evt_legacy_2', 'ses_gone')] as never[]);

  const target = await startService(config);
  cleanups.push(() => target.stop());
  expect((await connection.collection('sessions').findOne({ _id: id } as never))?.clinicId).toBe('default');
  expect((await clinic(target.url, 'GET', `/v1/sessions/${id}`)).status).toBe(200);
  expect((await clinic(target.url, 'GET', `/v1/sessions?externalId=${appointment}`)).json.sessions.map((session: { id: string }) => session.id)).toEqual([id]);
  const repeat = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: 'legacy-student', counselorIdentity: 'legacy-counselor', externalId: appointment });
  expect({ status: repeat.status, id: repeat.json.id }).toEqual({ status: 200, id });
  const failed = await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed');
  expect(failed.json.deliveries.map((delivery: { id: string }) => delivery.id)).toEqual([deliveryId('crm', 'evt_legacy_1')]);
  expect((await connection.collection('deliveries').findOne({ _id: deliveryId('crm', 'evt_legacy_2') } as never))?.clinicId).toBeNull();
});
