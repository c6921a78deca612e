// Idempotency-Key on the clinic API's POSTs, against the real service (FerretDB, Redis): the first
// answer replayed to a repeat, a key reused for another request refused, concurrent repeats
// through two instances making one session, an attempt whose process died taken over by the next
// repeat (and creating the session minted for the key), a repeat that waits for a running one.
import mongoose from 'mongoose';
import { idempotencyRecordId, requestFingerprint } from '../../../webhook-service/usecases/answerOnce';
import { checkAgainstDescription } from '../../support/apiDescription';
import { closedAfter, uniqueName } from '../../support/isolation';
import { CLINIC_TOKEN, openCollections, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(90_000);

const cleanups = closedAfter(afterEach);

async function service(config = testConfig()): Promise<RunningService> {
  const target = await startService(config);
  cleanups.push(() => target.stop());
  return target;
}

interface Answer {
  status: number;
  replayed: string | null;
  retryAfter: string | null;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function post(target: RunningService, path: string, body: unknown, key: string | null): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${CLINIC_TOKEN}`, 'content-type': 'application/json' };
  if (key !== null) headers['idempotency-key'] = key;
  const response = await fetch(`${target.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await response.json();
  checkAgainstDescription('POST', path, response.status, json);
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), retryAfter: response.headers.get('retry-after'), json };
}

const appointment = () => ({ studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor') });

test('when a create is repeated with its Idempotency-Key, then the first answer comes back and nothing runs again', async () => {
  const target = await service();
  const key = uniqueName('key');
  const body = appointment();
  const first = await post(target, '/v1/sessions', body, key);
  expect(first).toMatchObject({ status: 201, replayed: null });
  const again = await post(target, '/v1/sessions', { counselorIdentity: body.counselorIdentity, studentIdentity: body.studentIdentity }, key);
  expect(again).toMatchObject({ status: 201, replayed: 'true', json: first.json });

  const db = await openCollections(target.config);
  cleanups.push(() => db.close());
  expect(await db.count('sessions', { studentIdentity: body.studentIdentity })).toBe(1);
  expect(await db.count('audit_entries', { sessionId: first.json.id, action: 'session.create' })).toBe(1);

  // The same key on another call of the session, and the answers of end and cancel kept the same way.
  const cancel = await post(target, `/v1/sessions/${first.json.id}/cancel`, undefined, `${key}-cancel`);
  expect(cancel).toMatchObject({ status: 200, json: { status: 'cancelled' } });
  expect(await post(target, `/v1/sessions/${first.json.id}/cancel`, undefined, `${key}-cancel`)).toMatchObject({ status: 200, replayed: 'true', json: cancel.json });
  // Without a key, every call runs, as before.
  expect((await post(target, '/v1/sessions', body, null)).json.id).not.toBe(first.json.id);
});

test('when a key is reused for another request, then it is refused with 422 and nothing is written', async () => {
  const target = await service();
  const key = uniqueName('key');
  const created = await post(target, '/v1/sessions', appointment(), key);
  const db = await openCollections(target.config);
  cleanups.push(() => db.close());
  const sessions = await db.count('sessions');

  const otherBody = await post(target, '/v1/sessions', appointment(), key);
  expect({ status: otherBody.status, code: otherBody.json.error.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  const otherRoute = await post(target, `/v1/sessions/${created.json.id}/cancel`, undefined, key);
  expect({ status: otherRoute.status, code: otherRoute.json.error.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  expect(await db.count('sessions')).toBe(sessions);
  expect((await post(target, `/v1/sessions/${created.json.id}/cancel`, undefined, null)).json.status).toBe('cancelled');

  const bad = await post(target, '/v1/sessions', appointment(), 'has spaces in it');
  expect({ status: bad.status, code: bad.json.error.code }).toEqual({ status: 400, code: 'invalid_request' });
});

test('when the same create reaches two instances 12 times at once with one key, then there is one session and every answer is its', async () => {
  const config = testConfig();
  const [a, b] = [await service(config), await service(config)];
  const key = uniqueName('key');
  const body = appointment();
  const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => post(index % 2 === 0 ? a : b, '/v1/sessions', body, key)));
  const ids = new Set(answers.map((answer) => answer.json.id));
  expect({ statuses: [...new Set(answers.map((answer) => answer.status))], ids: ids.size }).toEqual({ statuses: [201], ids: 1 });
  expect(answers.filter((answer) => answer.replayed === null)).toHaveLength(1);
  const db = await openCollections(config);
  cleanups.push(() => db.close());
  expect(await db.count('sessions', { studentIdentity: body.studentIdentity })).toBe(1);
});

/** A key claimed as an earlier process left it: an attempt started `startedAgoMs` ago that never answered. */
async function leftBehind(target: RunningService, key: string, body: unknown, startedAgoMs: number): Promise<string> {
  const connection = await mongoose.createConnection(target.config.MONGODB_URI).asPromise();
  cleanups.push(() => connection.close());
  const mintedId = `ses_${uniqueName('minted').replaceAll('-', '_')}`;
  const startedAt = new Date(Date.now() - startedAgoMs);
  await connection.collection('idempotency_keys').insertOne({
    _id: idempotencyRecordId('default', key),
    fingerprint: requestFingerprint('POST', '/v1/sessions', body),
    mintedId,
    createdAt: startedAt,
    attempt: 1,
    attemptStartedAt: startedAt,
    released: false,
    status: null,
    body: null,
  } as never);
  return mintedId;
}

test('when the first attempt died before answering, then the next repeat after its lease runs it, creating the session minted for the key', async () => {
  const target = await service();
  const key = uniqueName('key');
  const body = appointment();
  const mintedId = await leftBehind(target, key, body, 60_000);
  const taken = await post(target, '/v1/sessions', body, key);
  expect(taken).toMatchObject({ status: 201, replayed: null, json: { id: mintedId } });
  expect(await post(target, '/v1/sessions', body, key)).toMatchObject({ status: 201, replayed: 'true', json: { id: mintedId } });
});

test('when a repeat comes while the first attempt still runs, then it waits, and after 10 s answers 409 with Retry-After', async () => {
  const target = await service();
  const key = uniqueName('key');
  const body = appointment();
  await leftBehind(target, key, body, 0);
  const started = Date.now();
  const waiting = await post(target, '/v1/sessions', body, key);
  expect({ status: waiting.status, code: waiting.json.error.code, retryAfter: waiting.retryAfter }).toEqual({ status: 409, code: 'idempotency_key_in_flight', retryAfter: '1' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
});
