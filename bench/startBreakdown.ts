// Where one start's time goes: `npx tsx bench/startBreakdown.ts [sessions=30] [at once=1]`
// starts a stack, a clinic receiver (so the clinic outbox's publish is real) and a service with
// its workers in this process (on LiveKit's webhook port), then for each session two real
// @livekit/rtc-node clients join. For each start it lays out, from the completing webhook
// reaching the service (its stored receivedAt), the intake's event insert, the activation job's
// add and pick-up by a worker (BullMQ's own timestamps), each call of the activation and
// `session_started` reaching each client; then prints, per step, when it began and how long it
// took (p50/p95 over the sessions), and the end-to-end figure as the `start` bench measures it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Room, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { Queue } from 'bullmq';
import mongoose from 'mongoose';
import { TOPIC, parseMessage } from '../plugin/protocol';
import { startStack } from '../scripts/stack';
import { serviceEnv } from '../scripts/shared/serviceEnv';
import { createClinicClient, must } from '../webhook-service/client';
import { loadConfig } from '../webhook-service/config';
import { createLogger } from '../webhook-service/logger';
import { createService } from '../webhook-service/main';
import { LIFECYCLE_QUEUE } from '../webhook-service/queue/lifecycleQueue';
import { migrateDatabase } from '../webhook-service/store/migrate';
import { activationJobTimes, describeMs, recordActivationCalls, type TimedCall } from './activationTimings';
import { inBatches } from './batches';
import { percentile } from './requests';

const CLINIC_TOKEN = 'breakdown-token-0123456789abcdef';

/** One step of one start: its label and its offsets from the completing webhook's arrival (ms). */
interface Step {
  label: string;
  from: number;
  to: number;
}

function receiptOf(room: Room, deadlineMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('session_started did not arrive in time')), deadlineMs);
    room.on(RoomEvent.DataReceived, (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== TOPIC || participant !== undefined) return;
      const message = parseMessage(payload);
      if (message.ok && message.value.type === 'session_started') {
        clearTimeout(timer);
        resolve(Date.now());
      }
    });
  });
}

/** A local clinic backend that takes every event (the outbox's deliveries then succeed). */
async function clinicReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 30);
  const atOnce = Number(process.argv[3] ?? 1);
  const stack = await startStack();
  const receiver = await clinicReceiver();
  const recorder = recordActivationCalls();
  try {
    const database = `start_breakdown_${randomBytes(4).toString('hex')}`;
    const prefix = `start-breakdown-${randomBytes(3).toString('hex')}`;
    const env = serviceEnv(stack, {
      database,
      clinicApiToken: CLINIC_TOKEN,
      prefix,
      extra: {
        RATE_LIMIT_PER_KEY_PER_MINUTE: '0',
        RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
        RECONCILE_INTERVAL_SECONDS: '0',
        LOG_LEVEL: 'silent',
        CLINIC_WEBHOOK_URLS: `bench=${receiver.url}`,
        CLINIC_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
        ...(process.env.WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY } : {}),
      },
    });
    const config = loadConfig({ ...process.env, ...env });
    await migrateDatabase(config.MONGODB_URI);
    const service = await createService(config, { api: true, worker: true }, createLogger('silent'));
    await service.listen(stack.webhookPort, '127.0.0.1');
    const url = `http://127.0.0.1:${stack.webhookPort}`;
    const api = createClinicClient({ baseUrl: url, token: CLINIC_TOKEN });
    const db = await mongoose.createConnection(config.MONGODB_URI).asPromise();
    const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: stack.redisUrl }, prefix });

    const oneStart = async (index: number): Promise<Step[]> => {
      const tag = `${Date.now().toString(36)}-${index}`;
      const student = `breakdown-student-${tag}`;
      const counselor = `breakdown-counselor-${tag}`;
      const session = await api.createSession({ studentIdentity: student, counselorIdentity: counselor }).then(must);
      const [studentToken, counselorToken] = await Promise.all([api.mintJoinToken(session.id, student).then(must), api.mintJoinToken(session.id, counselor).then(must)]);
      const studentRoom = new Room();
      const counselorRoom = new Room();
      try {
        const studentGot = receiptOf(studentRoom, 15000);
        const counselorGot = receiptOf(counselorRoom, 15000);
        await studentRoom.connect(studentToken.url, studentToken.token, { autoSubscribe: false, dynacast: false });
        await counselorRoom.connect(counselorToken.url, counselorToken.token, { autoSubscribe: false, dynacast: false });
        const [studentAt, counselorAt] = await Promise.all([studentGot, counselorGot]);
        const joins = await db.collection('session_events').find({ sessionId: session.id, kind: 'participant_joined' }).toArray();
        const receivedAt = Math.max(...joins.map((join) => new Date(join.receivedAt as Date).getTime()));
        // The job is finished a moment after its last call returned: wait for BullMQ to say so.
        let job = await activationJobTimes(queue, session.id);
        for (const deadline = Date.now() + 5000; !job && Date.now() < deadline; job = await activationJobTimes(queue, session.id)) await new Promise((resolve) => setTimeout(resolve, 20));
        if (!job) throw new Error(`no finished activation job for ${session.id}`);
        const mine = (call: TimedCall) => call.key === session.id || call.key === session.roomName || call.key === `activate-${session.id}`;
        const calls = recorder.calls.filter((call) => mine(call) && call.endedAt >= receivedAt);
        // A call that began once a worker held the job is the activation's; before, the intake's.
        const steps: Step[] = calls.map((call) => ({ label: `${call.startedAt >= job.takenAt ? 'activation' : 'intake'}: ${call.call}`, from: call.startedAt - receivedAt, to: call.endedAt - receivedAt }));
        steps.push({ label: 'BullMQ: added -> taken by a worker', from: job.addedAt - receivedAt, to: job.takenAt - receivedAt });
        steps.push({ label: 'BullMQ: job taken -> finished', from: job.takenAt - receivedAt, to: job.finishedAt - receivedAt });
        // The clients often have the message before LiveKit's API answers the send: timed from the call.
        const sent = calls.filter((call) => call.call === 'LiveKit sendData').map((call) => call.startedAt);
        const sentAt = sent.length > 0 ? Math.min(...sent) : job.finishedAt;
        steps.push({ label: 'LiveKit delivery: sendData called -> student', from: sentAt - receivedAt, to: studentAt - receivedAt });
        steps.push({ label: 'LiveKit delivery: sendData called -> counselor', from: sentAt - receivedAt, to: counselorAt - receivedAt });
        steps.push({ label: 'END TO END: webhook in -> both clients', from: 0, to: Math.max(studentAt, counselorAt) - receivedAt });
        return steps;
      } finally {
        await Promise.allSettled([studentRoom.disconnect(), counselorRoom.disconnect()]);
      }
    };

    const runs = await inBatches(Array.from({ length: count }, (_, i) => i), atOnce, (i) => oneStart(i));
    const byLabel = new Map<string, Step[]>();
    for (const steps of runs) for (const step of steps) byLabel.set(step.label, [...(byLabel.get(step.label) ?? []), step]);
    const rows = [...byLabel].sort((a, b) => percentile(a[1].map((s) => s.from), 50) - percentile(b[1].map((s) => s.from), 50));
    console.log(`${count} starts, ${atOnce} at once; offsets from the completing webhook reaching the service (ms)`);
    for (const [label, steps] of rows) {
      const begins = percentile(steps.map((step) => step.from), 50);
      console.log(`  ${label.padEnd(52)} begins p50 ${begins.toFixed(1).padStart(7)}  takes ${describeMs(steps.map((step) => step.to - step.from))}`);
    }
    await queue.close();
    await db.close();
    await service.stop();
  } finally {
    recorder.stop();
    await receiver.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
