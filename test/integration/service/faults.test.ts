// Faults on the real path: Redis going away while webhooks arrive, a worker killed in the middle
// of a job, LiveKit's API unreachable during the send. In each case nothing is lost: the session
// still starts and the room still gets told.
import { Queue } from 'bullmq';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parseSnapshot } from '../../../plugin';
import { startServiceProcess } from '../../../scripts/serviceProcess';
import { LIFECYCLE_QUEUE } from '../../../webhook-service/queue/lifecycleQueue';
import { closedAfter, waitFor } from '../../support/isolation';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { hangingServer, lateForwarder, OwnRedis } from './faultTools';
import {
  createAppointment,
  deliver,
  processEnv,
  sessionStatus,
  startService,
  testConfig,
  webhookBody,
  type Appointment,
  type RunningService,
} from './harness';

jest.setTimeout(90_000);

const stopAfter = closedAfter(afterEach);

const liveKit = () => new RoomServiceClient(process.env.LIVEKIT_URL as string, process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET);

/** A real LiveKit room for the appointment, so metadata and data have somewhere to go. */
async function openRoom(appointment: Appointment): Promise<void> {
  await liveKit().createRoom({ name: appointment.room, emptyTimeout: 120 });
  stopAfter.push(() => liveKit().deleteRoom(appointment.room));
}

const roomSnapshot = async (room: string) => {
  const [info] = await liveKit().listRooms([room]);
  const parsed = parseSnapshot(info?.metadata);
  return parsed.ok ? parsed.value : null;
};

function activationJobs(target: RunningService): Queue {
  const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: target.config.REDIS_URL }, prefix: target.config.BULLMQ_PREFIX });
  stopAfter.push(() => queue.close());
  return queue;
}

const joins = (appointment: Appointment, t0: number) => ({
  student: webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 }),
  counselor: webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 500 }),
});

test('when Redis stops while webhooks arrive, then they get 503, and once Redis is back the retried webhooks succeed and the session starts', async () => {
  const redis = new OwnRedis(await freeTcpPort());
  await redis.start();
  stopAfter.push(() => redis.stop());
  const target = await startService(testConfig({ REDIS_URL: redis.url }));
  stopAfter.push(() => target.stop());
  const appointment = await createAppointment(target);
  const { student, counselor } = joins(appointment, Date.now() - 3000);

  expect((await deliver(target, student)).status).toBe(200);
  await redis.stop();
  // The counselor's join completes the pair; with Redis away its room cannot be looked up in the
  // copy, nor its job queued: refused before anything is written, LiveKit must retry.
  const refused = await deliver(target, counselor);
  expect(refused).toMatchObject({ status: 503, json: { error: { code: 'store_unavailable' } } });
  const ready = await fetch(`${target.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toMatchObject({ failed: ['redis'] });
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('waiting');

  await redis.start();
  // LiveKit's retries: the same webhook again until it is accepted.
  const accepted = await waitFor(async () => {
    const response = await deliver(target, counselor);
    return response.status === 200 ? response : null;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  expect(accepted.json).toMatchObject({ outcome: 'accepted', effects: ['activate'] });
  await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active', { timeoutMs: 20_000 });
});

test('when the worker is killed in the middle of the activation, then another worker picks the job up and the room is told', async () => {
  const hung = await hangingServer();
  stopAfter.push(() => hung.close());
  const config = testConfig();
  const api = await startService(config, { api: true, worker: false });
  stopAfter.push(() => api.stop());

  // A worker whose LiveKit never answers: its job hangs in the middle of the send.
  const doomed = await startServiceProcess({
    port: await freeTcpPort(),
    args: ['--worker-only'],
    stdio: 'ignore',
    env: processEnv(config, {
      LIVEKIT_URL: `http://127.0.0.1:${hung.port}`,
      LIVEKIT_REQUEST_TIMEOUT_SECONDS: '600',
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
    }),
  });
  stopAfter.push(() => doomed.stop());

  const appointment = await createAppointment(api);
  await openRoom(appointment);
  const { student, counselor } = joins(appointment, Date.now() - 3000);
  await deliver(api, student);
  expect((await deliver(api, counselor)).json).toMatchObject({ effects: ['activate'] });

  const queue = activationJobs(api);
  const jobId = `activate-${appointment.sessionId}`;
  await waitFor(async () => hung.connections() > 0 && (await queue.getJob(jobId))?.isActive(), { timeoutMs: 20_000 });
  doomed.child.kill('SIGKILL');
  await doomed.stop();

  const healthy = await startService(config, { api: false, worker: true });
  stopAfter.push(() => healthy.stop());
  await waitFor(async () => (await queue.getJob(jobId))?.isCompleted(), { timeoutMs: 30_000, intervalMs: 200 });
  expect((await queue.getJob(jobId))?.returnvalue).toBe('sent');
  const snapshot = await roomSnapshot(appointment.room);
  const view = await sessionStatus(api, appointment.sessionId);
  expect(snapshot).toMatchObject({ sessionId: appointment.sessionId, status: 'active', startedAt: view.actualStart });
  expect(view.status).toBe('active');
});

test('when LiveKit refuses connections at first, then the job is retried and the room gets the snapshot once LiveKit is back', async () => {
  const proxyPort = await freeTcpPort();
  const liveKitPort = Number(new URL(process.env.LIVEKIT_URL as string).port);
  const proxy = lateForwarder(proxyPort, liveKitPort);
  stopAfter.push(() => proxy.close());
  const target = await startService(testConfig({ LIVEKIT_URL: `http://127.0.0.1:${proxyPort}` }));
  stopAfter.push(() => target.stop());

  const appointment = await createAppointment(target);
  await openRoom(appointment);
  const { student, counselor } = joins(appointment, Date.now() - 3000);
  await deliver(target, student);
  await deliver(target, counselor);

  const queue = activationJobs(target);
  const jobId = `activate-${appointment.sessionId}`;
  // At least one attempt failed on the refused connection and the job waits for its retry.
  const job = await waitFor(async () => {
    const current = await queue.getJob(jobId);
    return current && current.attemptsMade >= 1 ? current : null;
  }, { timeoutMs: 20_000 });
  // The activation's first LiveKit call: granting the seats publishing, before any snapshot.
  expect(job.failedReason).toMatch(/LiveKit updateParticipant failed/);
  expect(await roomSnapshot(appointment.room)).toBeNull();

  await proxy.start();
  await waitFor(async () => (await queue.getJob(jobId))?.isCompleted(), { timeoutMs: 30_000, intervalMs: 200 });
  expect((await queue.getJob(jobId))?.returnvalue).toBe('sent');
  expect(await roomSnapshot(appointment.room)).toMatchObject({ sessionId: appointment.sessionId, status: 'active' });
});

test('when the room is already gone when the job runs, then the job completes without retrying', async () => {
  const target = await startService(testConfig());
  stopAfter.push(() => target.stop());
  const appointment = await createAppointment(target);
  const { student, counselor } = joins(appointment, Date.now() - 3000);
  await deliver(target, student);
  await deliver(target, counselor);
  const queue = activationJobs(target);
  await waitFor(async () => (await queue.getJob(`activate-${appointment.sessionId}`))?.isCompleted(), { timeoutMs: 20_000 });
  const job = await queue.getJob(`activate-${appointment.sessionId}`);
  expect(job?.returnvalue).toBe('room_gone');
  expect(job?.attemptsMade).toBe(1);
});
