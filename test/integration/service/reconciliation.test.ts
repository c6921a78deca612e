// Reconciliation against the real LiveKit, with real clients (@livekit/rtc-node): the service
// here is not LiveKit's webhook target, so the test decides which webhooks "arrive" (signed as
// LiveKit signs them, with the clients' real sids) and which are lost; the reconciliation pass
// (every 2 s here) must repair what was lost from LiveKit's own API.
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { Queue } from 'bullmq';
import { livekitHttpUrl } from '../../../scripts/stack';
import { parseMessage, parseSnapshot, TOPIC, type ProtocolMessage } from '../../../plugin';
import { LIFECYCLE_QUEUE } from '../../../webhook-service/queue/lifecycleQueue';
import { closedAfter, waitFor } from '../../support/isolation';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { lateForwarder } from './faultTools';
import { clinic, createAppointment, deliver, openCollections, sessionStatus, startService, testConfig, type Appointment, type RunningService } from './harness';

jest.setTimeout(90_000);

const cleanups = closedAfter(afterEach);
afterAll(async () => {
  await dispose();
});

interface Client {
  room: Room;
  messages: ProtocolMessage[];
}

async function join(target: RunningService, sessionId: string, identity: string): Promise<Client> {
  const minted = await clinic(target.url, 'POST', `/v1/sessions/${sessionId}/token`, { identity });
  expect(minted.status).toBe(200);
  const client: Client = { room: new Room(), messages: [] };
  client.room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (topic !== TOPIC || participant !== undefined) return;
    const parsed = parseMessage(payload);
    if (parsed.ok) client.messages.push(parsed.value);
  });
  await client.room.connect(minted.json.url, minted.json.token, { autoSubscribe: false, dynacast: false });
  cleanups.push(() => client.room.disconnect());
  return client;
}

const started = (client: Client, sessionId: string) => client.messages.some((message) => message.type === 'session_started' && message.sessionId === sessionId);
const sidOf = (client: Client) => client.room.localParticipant?.sid as string;

/** The join webhook LiveKit would have sent for `client`, delivered to `target`. */
async function deliverJoin(target: RunningService, appointment: Appointment, client: Client, identity: string) {
  const answer = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: { sid: sidOf(client), identity, attributes: {} }, joinedAtMs: Date.now() - 200 });
  expect(answer.status).toBe(200);
}

test("when the counselor's participant_joined never reaches the service, then the session still starts within a reconciliation interval, for both real clients", async () => {
  const target = await startService(testConfig({ RECONCILE_INTERVAL_SECONDS: '2' }));
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  await deliverJoin(target, appointment, student, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  // ...and the counselor's webhook is lost.

  await waitFor(() => started(student, appointment.sessionId) && started(counselor, appointment.sessionId), { timeoutMs: 20_000, intervalMs: 100 });
  const view = await sessionStatus(target, appointment.sessionId);
  expect(view.status).toBe('active');
  expect(view.participants.map((entry: { connected: boolean }) => entry.connected)).toEqual([true, true]);
  const db = await openCollections(target.config);
  cleanups.push(() => db.close());
  expect(await db.count('session_events', { reconciled: true, participantSid: sidOf(counselor) })).toBe(1);

  // The operator sees it: the repair counted by kind, and the open session by status and age (from the pass's summary in Redis).
  const scrape = () => target.service.metrics.registry.metrics();
  await waitFor(async () => /^autostart_reconcile_repairs_total\{kind="join"\} [1-9]/m.test(await scrape()), { timeoutMs: 10_000, intervalMs: 200 });
  await waitFor(async () => /^autostart_open_sessions\{status="active"\} 1$/m.test(await scrape()), { timeoutMs: 10_000, intervalMs: 200 });
  const age = Number(/^autostart_open_session_oldest_age_seconds\{status="active"\} ([\d.]+)$/m.exec(await scrape())?.[1]);
  expect(age).toBeGreaterThan(0);
  expect(age).toBeLessThan(60);
  expect(await scrape()).toMatch(/^autostart_reconcile_last_pass_timestamp_seconds \d+/m);
});

test('when the activation job is deleted from Redis right after the 200, then the session still starts', async () => {
  const config = testConfig({ RECONCILE_INTERVAL_SECONDS: '1' });
  const intake = await startService(config, { api: true, worker: false });
  cleanups.push(() => intake.stop());
  const appointment = await createAppointment(intake);
  const t0 = Date.now() - 3000;
  await deliver(intake, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  expect((await deliver(intake, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 500 })).json).toMatchObject({ effects: ['activate'] });
  const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: config.REDIS_URL }, prefix: config.BULLMQ_PREFIX });
  cleanups.push(() => queue.close());
  await (await queue.getJob(`activate-${appointment.sessionId}`))?.remove();
  expect(await queue.getJob(`activate-${appointment.sessionId}`)).toBeUndefined();

  const worker = await startService(config, { api: false, worker: true });
  cleanups.push(() => worker.stop());
  const view = await waitFor(async () => {
    const current = await sessionStatus(intake, appointment.sessionId);
    return current.status === 'active' ? current : null;
  }, { timeoutMs: 20_000, intervalMs: 200 });
  expect(view.actualStart).toBe(new Date(t0 + 500).toISOString());
});

test('when the intake saw the pair complete and a leave stamped earlier is stored before the worker runs, then the worker decides as the intake did, and a rejoin keeps it active', async () => {
  const config = testConfig({ RECONCILE_INTERVAL_SECONDS: '0' });
  const intake = await startService(config, { api: true, worker: false });
  cleanups.push(() => intake.stop());
  const appointment = await createAppointment(intake);
  const t0 = Date.now() - 10_000;
  const { room, student, counselor } = appointment;
  await deliver(intake, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 });
  expect((await deliver(intake, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 2500 })).json).toMatchObject({ effects: ['activate'] });
  // The student's leave, stamped before the counselor came, is stored before the worker runs.
  await deliver(intake, { event: 'participant_left', room, participant: student, createdAt: Math.floor(t0 / 1000) + 1 });
  const worker = await startService(config, { api: false, worker: true });
  cleanups.push(() => worker.stop());
  const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: config.REDIS_URL }, prefix: config.BULLMQ_PREFIX });
  cleanups.push(() => queue.close());
  // The worker reads the state the intake kept: no replay of its own to disagree with.
  await waitFor(async () => (await queue.getJob(`activate-${appointment.sessionId}`))?.isCompleted(), { timeoutMs: 10_000 });
  expect((await queue.getJob(`activate-${appointment.sessionId}`))?.returnvalue).not.toBe('not_complete');
  expect(await sessionStatus(intake, appointment.sessionId)).toMatchObject({ status: 'active', actualStart: new Date(t0 + 2500).toISOString() });

  expect((await deliver(intake, { event: 'participant_joined', room, participant: { ...student, sid: 'PA_back' }, joinedAtMs: Date.now() - 500 })).json).toMatchObject({ effects: ['notify_active'] });
  expect((await sessionStatus(intake, appointment.sessionId)).status).toBe('active');
});

test('when LiveKit is unreachable for longer than all job retries, then once it is back both real clients get the start and the snapshot, and a reload skips the waiting room', async () => {
  const liveKitPort = Number(new URL(livekitHttpUrl(process.env.LIVEKIT_URL as string)).port);
  const proxyPort = await freeTcpPort();
  const proxy = lateForwarder(proxyPort, liveKitPort);
  cleanups.push(() => proxy.close());
  const target = await startService(
    testConfig({
      LIVEKIT_URL: `http://127.0.0.1:${proxyPort}`,
      LIVEKIT_PUBLIC_URL: process.env.LIVEKIT_URL as string,
      LIVEKIT_REQUEST_TIMEOUT_SECONDS: '2',
      JOB_ATTEMPTS: '2',
      JOB_BACKOFF_MS: '200',
      RECONCILE_INTERVAL_SECONDS: '2',
    }),
  );
  cleanups.push(() => target.stop());
  const appointment = await createAppointment(target);
  const student = await join(target, appointment.sessionId, appointment.student.identity);
  const counselor = await join(target, appointment.sessionId, appointment.counselor.identity);
  await deliverJoin(target, appointment, student, appointment.student.identity);
  await deliverJoin(target, appointment, counselor, appointment.counselor.identity);

  // The activation is recorded, but LiveKit never heard of it: every try of the job failed.
  const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: target.config.REDIS_URL }, prefix: target.config.BULLMQ_PREFIX });
  cleanups.push(() => queue.close());
  await waitFor(async () => (await queue.getJob(`activate-${appointment.sessionId}`))?.isFailed(), { timeoutMs: 30_000, intervalMs: 200 });
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('active');
  expect(started(student, appointment.sessionId) || started(counselor, appointment.sessionId)).toBe(false);

  await proxy.start();
  await waitFor(() => started(student, appointment.sessionId) && started(counselor, appointment.sessionId), { timeoutMs: 20_000, intervalMs: 100 });
  for (const client of [student, counselor]) {
    await waitFor(() => parseSnapshot(client.room.metadata).ok, { timeoutMs: 10_000 });
    expect(parseSnapshot(client.room.metadata)).toMatchObject({ ok: true, value: { status: 'active', sessionId: appointment.sessionId } });
  }
  await student.room.disconnect();
  const reloaded = await join(target, appointment.sessionId, appointment.student.identity);
  expect(parseSnapshot(reloaded.room.metadata)).toMatchObject({ ok: true, value: { status: 'active' } });
});
