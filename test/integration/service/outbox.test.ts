// The outbox to the clinic's backend against real Redis and MongoDB (FerretDB) and a real HTTP
// receiver: durable in MongoDB (a Redis that lost everything still delivers), bounded in Redis (a
// receiver down for a day with thousands of events queued costs Redis one entry per session),
// ordered per session, named endpoints, no redirect followed, settled deliveries expired.
// Time is the outbox's own clock, moved by the test: a day passes in seconds, every try real.
import Redis from 'ioredis';
import { createLogger } from '../../../webhook-service/logger';
import { assignClinics, parseEndpoints } from '../../../webhook-service/outbox/deliveryPolicy';
import { ClinicOutbox } from '../../../webhook-service/outbox/clinicOutbox';
import type { ClinicEvent } from '../../../webhook-service/usecases/ports/ClinicEvents';
import { migrateDatabase } from '../../../webhook-service/store/migrate';
import { startClinicBackend, type ClinicBackend } from '../../support/clinicBackend';
import { closedAfter, mongoUriFor, uniqueName, waitFor } from '../../support/isolation';


const SECRET = `whsec_${Buffer.from('outbox-test-secret-0123456789').toString('base64')}`;
const HOUR = 3600_000;
/** The clinic whose sessions every event here is of. */
const CLINIC = 'default';
// Full size: OUTBOX_EVENTS=10000 (npm test runs 400: each delivery costs FerretDB a write).
const EVENTS = Number(process.env.OUTBOX_EVENTS ?? 400);
const SESSIONS = 20;
// The full size takes minutes on FerretDB: the bounds grow with it.
const LONG_MS = Math.max(180_000, EVENTS * 60);
jest.setTimeout(LONG_MS + 60_000);

const cleanups = closedAfter(afterEach);

interface Setup {
  outbox: ClinicOutbox;
  clock: { now: number };
  prefix: string;
  redis: Redis;
  mongoUri: string;
}

async function openOutbox(endpoints: string[], options: { mongoUri?: string; prefix?: string; retryForMs?: number; backoffMs?: number } = {}): Promise<Setup> {
  const mongoUri = options.mongoUri ?? mongoUriFor(uniqueName('outbox').replaceAll('-', '_'));
  if (!options.mongoUri) await migrateDatabase(mongoUri);
  const prefix = options.prefix ?? uniqueName('outbox');
  const clock = { now: Date.now() };
  const outbox = await ClinicOutbox.open({
    mongoUri,
    redis: { kind: 'server', url: process.env.REDIS_URL as string },
    prefix,
    endpoints: assignClinics(parseEndpoints(endpoints), null, CLINIC),
    secrets: [SECRET],
    policy: { retryForMs: options.retryForMs ?? 48 * HOUR, backoffMs: options.backoffMs ?? 1000 },
    pollMs: 20,
    now: () => clock.now,
  });
  outbox.startWorker(createLogger('silent'), () => undefined);
  const redis = new Redis(process.env.REDIS_URL as string);
  cleanups.push(() => outbox.close(), async () => redis.disconnect());
  return { outbox, clock, prefix, redis, mongoUri };
}

async function backend(): Promise<ClinicBackend> {
  const started = await startClinicBackend(SECRET);
  cleanups.push(started.close);
  return started;
}

const event = (sessionId: string, n: number): ClinicEvent => ({ id: `evt_${sessionId}_${n}`, type: 'participant.joined', sessionId, clinicId: CLINIC, occurredAt: new Date(), data: { n } });

/** Redis keys the outbox keeps under its prefix (the chains' locks aside: one per drain in progress, at most its concurrency), and their bytes (MEMORY USAGE). */
async function redisFootprint(setup: Setup): Promise<{ keys: number; bytes: number }> {
  const keys = (await setup.redis.keys(`${setup.prefix}:*`)).filter((key) => !key.includes(':lock:'));
  let bytes = 0;
  for (const key of keys) bytes += Number(await setup.redis.memory('USAGE', key, 'SAMPLES', '0'));
  return { keys: keys.length, bytes };
}

/** Waits until no chain is due at the outbox's current time (every due try was made). */
async function settled(setup: Setup): Promise<void> {
  await waitFor(async () => (await setup.redis.zrangebyscore(`${setup.prefix}:outbox:{index}:due`, '-inf', setup.clock.now)).length === 0 && (await setup.redis.keys(`${setup.prefix}:outbox:{index}:lock:*`)).length === 0, { timeoutMs: LONG_MS, intervalMs: 50 });
}

test(`when the receiver is down for a day with ${EVENTS} events of ${SESSIONS} sessions queued, then Redis holds one entry per session throughout, and on its return every event arrives once, in order`, async () => {
  const receiver = await backend();
  receiver.state.down = true;
  const setup = await openOutbox([`crm=${receiver.hooksUrl}`]);
  const sessions = Array.from({ length: SESSIONS }, (_, index) => `ses_day_${index}`);
  const publishRound = async (from: number, to: number) => {
    for (let n = from; n < to; n += 1) await setup.outbox.publish(sessions.map((sessionId) => event(sessionId, n)));
  };
  const perSession = Math.floor(EVENTS / SESSIONS);
  const tenth = Math.max(1, Math.floor(perSession / 10));
  const startedAt = Date.now();
  await publishRound(0, tenth);
  const afterTenth = await redisFootprint(setup);
  await publishRound(tenth, perSession);
  const afterAll = await redisFootprint(setup);
  const publishMs = Date.now() - startedAt;


  // A day passes, six hours at a time: each time every chain's head is tried again (its backoff is
  // at most an hour), never the events behind it.
  let peak = afterAll;
  const triesBeforeTheDay = receiver.state.refused;
  for (let quarter = 0; quarter < 4; quarter += 1) {
    setup.clock.now += 6 * HOUR;
    await settled(setup);
    const now = await redisFootprint(setup);
    if (now.bytes > peak.bytes) peak = now;
  }
  const triesWhileDown = receiver.state.refused;
  console.log(
    `outbox, receiver down a simulated day: ${EVENTS} events of ${SESSIONS} sessions published in ${publishMs} ms; Redis under the prefix: ${afterTenth.keys} keys ${afterTenth.bytes} B after ${tenth * SESSIONS} events, ${afterAll.keys} keys ${afterAll.bytes} B after ${EVENTS}, peak ${peak.bytes} B over the day; ${triesWhileDown} tries while down`,
  );
  // Flat: the same keys and about the same bytes for ten times the events (one entry per session).
  expect(afterAll.keys).toBe(afterTenth.keys);
  expect(peak.bytes).toBeLessThanOrEqual(afterTenth.bytes * 1.5);
  expect(peak.bytes).toBeLessThan(SESSIONS * 200 + 2048);
  // At each step of the day every session's head was tried once (its backoff is shorter than a
  // step), never the events behind it.
  expect(triesWhileDown - triesBeforeTheDay).toBe(SESSIONS * 4);
  expect(receiver.received).toEqual([]);

  receiver.state.down = false;
  const backAt = Date.now();
  setup.clock.now += HOUR;
  await waitFor(() => receiver.received.length >= perSession * SESSIONS, { timeoutMs: LONG_MS, intervalMs: 100 });
  await settled(setup);
  console.log(`outbox, after the receiver's return: ${receiver.received.length} events delivered in ${Date.now() - backAt} ms`);
  expect(receiver.received).toHaveLength(perSession * SESSIONS);
  expect(receiver.received.every((received) => received.verified)).toBe(true);
  for (const sessionId of sessions) {
    expect(receiver.received.filter((received) => received.sessionId === sessionId).map((received) => received.id)).toEqual(Array.from({ length: perSession }, (_, n) => `evt_${sessionId}_${n}`));
  }
  // Nothing left in Redis but the rebuild marker.
  expect((await redisFootprint(setup)).keys).toBeLessThanOrEqual(1);
});

test('when Redis loses the outbox (its keys are gone), then the events queued in MongoDB are still delivered, in order', async () => {
  const receiver = await backend();
  receiver.state.down = true;
  const setup = await openOutbox([`crm=${receiver.hooksUrl}`]);
  for (let n = 0; n < 5; n += 1) await setup.outbox.publish([event('ses_loss', n)]);
  await waitFor(() => receiver.state.refused >= 1, { timeoutMs: 10_000 });
  // Everything the outbox has in Redis, gone (a restart without persistence, a failover that lost writes).
  const keys = await setup.redis.keys(`${setup.prefix}:*`);
  await setup.redis.del(...keys);
  receiver.state.down = false;
  setup.clock.now += HOUR;
  await waitFor(() => receiver.received.length === 5, { timeoutMs: 20_000 });
  expect(receiver.received.map((received) => received.id)).toEqual([0, 1, 2, 3, 4].map((n) => `evt_ses_loss_${n}`));
});

test('when the same event is published twice, then it is delivered once to each endpoint', async () => {
  const [one, two] = [await backend(), await backend()];
  const setup = await openOutbox([`one=${one.hooksUrl}`, `two=${two.hooksUrl}`]);
  await setup.outbox.publish([event('ses_twice', 0)]);
  await setup.outbox.publish([event('ses_twice', 0), event('ses_twice', 1)]);
  await waitFor(() => one.received.length === 2 && two.received.length === 2, { timeoutMs: 10_000 });
  await settled(setup);
  expect(one.received.map((received) => received.id)).toEqual(['evt_ses_twice_0', 'evt_ses_twice_1']);
  expect(two.received.map((received) => received.id)).toEqual(['evt_ses_twice_0', 'evt_ses_twice_1']);
});

test('when the endpoints are reordered and one is added while events wait, then each queued event still goes to the endpoint it was queued for', async () => {
  const [crm, audit, added] = [await backend(), await backend(), await backend()];
  crm.state.down = true;
  audit.state.down = true;
  const first = await openOutbox([`crm=${crm.hooksUrl}`, `audit=${audit.hooksUrl}`]);
  await first.outbox.publish([event('ses_reorder', 0)]);
  await waitFor(() => crm.state.refused >= 1 && audit.state.refused >= 1, { timeoutMs: 10_000 });
  await first.outbox.close();
  // The same database and Redis, the list in another order with a new one first.
  crm.state.down = false;
  audit.state.down = false;
  const second = await openOutbox([`added=${added.hooksUrl}`, `audit=${audit.hooksUrl}`, `crm=${crm.hooksUrl}`], { mongoUri: first.mongoUri, prefix: first.prefix });
  second.clock.now += HOUR;
  await waitFor(() => crm.received.length === 1 && audit.received.length === 1, { timeoutMs: 15_000 });
  await second.outbox.publish([event('ses_reorder', 1)]);
  // Each endpoint's chain is sent on its own: wait for all three before reading any.
  await waitFor(() => added.received.length === 1 && crm.received.length === 2 && audit.received.length === 2, { timeoutMs: 15_000 });
  expect(crm.received.map((received) => received.id)).toEqual(['evt_ses_reorder_0', 'evt_ses_reorder_1']);
  expect(audit.received.map((received) => received.id)).toEqual(['evt_ses_reorder_0', 'evt_ses_reorder_1']);
  expect(added.received.map((received) => received.id)).toEqual(['evt_ses_reorder_1']);
});

test('when the receiver answers with a redirect, then it is not followed: the try fails, is recorded, and gives up at the end of the window', async () => {
  const [moved, elsewhere] = [await backend(), await backend()];
  moved.state.redirectTo = elsewhere.hooksUrl;
  const setup = await openOutbox([`crm=${moved.hooksUrl}`], { retryForMs: 3000, backoffMs: 1000 });
  await setup.outbox.publish([event('ses_redirect', 0)]);
  for (let step = 0; step < 4; step += 1) {
    await settled(setup);
    setup.clock.now += 2000;
  }
  await waitFor(async () => (await setup.outbox.listFailed(CLINIC, null, 10)).length === 1, { timeoutMs: 10_000 });
  const [failed] = await setup.outbox.listFailed(CLINIC, null, 10);
  expect(failed).toMatchObject({ eventId: 'evt_ses_redirect_0', sessionId: 'ses_redirect', endpoint: moved.hooksUrl, error: 'HTTP 302 (redirects are not followed)' });
  expect(moved.state.refused).toBeGreaterThanOrEqual(2);
  expect(elsewhere.received).toEqual([]);
});

test('when retention runs, then given-up deliveries and the ledger of queued ones before the cutoff go, and pending ones stay', async () => {
  const [good, gone] = [await backend(), await backend()];
  gone.state.down = true;
  const setup = await openOutbox([`good=${good.hooksUrl}`, `gone=${gone.hooksUrl}`], { retryForMs: 1000, backoffMs: 400 });
  await setup.outbox.publish([event('ses_retention', 0)]);
  await waitFor(() => good.received.length === 1, { timeoutMs: 10_000 });
  for (let step = 0; step < 4; step += 1) {
    await settled(setup);
    setup.clock.now += 1000;
  }
  await waitFor(async () => (await setup.outbox.listFailed(CLINIC, null, 10)).length === 1, { timeoutMs: 10_000 });
  await setup.outbox.publish([event('ses_retention', 1)]);
  // Cutoff after the first event settled: its failed delivery and both ledger entries go (the second event's were queued later).
  expect(await setup.outbox.expireSettled(new Date(setup.clock.now))).toBe(3);
  expect(await setup.outbox.listFailed(CLINIC, null, 10)).toEqual([]);
  const backlog = await setup.outbox.backlog();
  expect(backlog.endpoints.find((entry) => entry.endpoint === 'gone')?.pending).toBe(1);
});
