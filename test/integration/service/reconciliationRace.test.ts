// A busy clinic: hundreds or thousands of open sessions, a reconciliation pass every second, and
// pairs of real clients (@livekit/rtc-node) joining new sessions meanwhile, so their rooms are created while passes run. A pass used to list LiveKit's rooms
// once and then take people who connected after that listing as gone, stranding the pair in the
// waiting room. Every pair must start within 5 s and both must be told.
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { livekitHttpUrl } from '../../../scripts/stack';
import { parseMessage, parseSnapshot, roomNameFor, TOPIC } from '../../../plugin';
import { waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, openCollections, startService, testConfig, type Appointment, type RunningService } from './harness';

jest.setTimeout(240_000);
// 40 native WebRTC clients on a loaded 2-core machine: rtc-node has failed a connect once there
// ("handle not found" in its FFI layer) with nothing of ours involved. The whole test runs once
// more before it counts as failed; a stranded pair fails both runs.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

// npm test runs a small clinic (300 open sessions, 6 pairs, one pair at a time): the full size
// took 6+ minutes of a CI run on a loaded 2-core machine and its native clients failed there.
// The full size: RACE_BACKLOG=3000 RACE_PAIRS=20 RACE_AT_ONCE=2 npx jest test/integration/service/reconciliationRace.test.ts
const BACKLOG = Number(process.env.RACE_BACKLOG ?? 300);
const PAIRS = Number(process.env.RACE_PAIRS ?? 6);
const AT_ONCE = Number(process.env.RACE_AT_ONCE ?? 1);
let target: RunningService;
const rooms: Room[] = [];
let seededMs = 0;

beforeAll(async () => {
  target = await startService(testConfig({ RECONCILE_INTERVAL_SECONDS: '1' }));
  // Seeded once, outside the test, so a retry only runs the pairs again.
  const started = Date.now();
  const createdAt = new Date();
  for (let from = 0; from < BACKLOG; from += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, BACKLOG - from) }, (_, offset) => {
        const id = `ses_backlog_${from + offset}_${started.toString(36)}`;
        return target.service.store.createSession({ id, roomName: roomNameFor(id), clinicId: 'default', externalId: null, studentIdentity: `s-${from + offset}`, counselorIdentity: `c-${from + offset}`, scheduledStart: null, createdAt });
      }),
    );
  }
  seededMs = Date.now() - started;
});

afterAll(async () => {
  await Promise.allSettled(rooms.map((room) => room.disconnect()));
  await target.stop();
  await dispose();
});

/** Connects a real client with the session's token; resolves with its sid and a check for session_started. */
async function connect(appointment: Appointment, identity: string): Promise<{ sid: string; told: () => boolean }> {
  const minted = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity });
  expect(minted.status).toBe(200);
  const room = new Room();
  rooms.push(room);
  let told = false;
  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (topic !== TOPIC || participant !== undefined) return;
    const parsed = parseMessage(payload);
    if (parsed.ok && parsed.value.type === 'session_started' && parsed.value.sessionId === appointment.sessionId) told = true;
  });
  // Told by the data message or by the room's snapshot (the widget's authority): a client whose
  // join LiveKit has not finished yet misses a data message but always gets the snapshot.
  const snapshotActive = (metadata: string) => {
    const parsed = parseSnapshot(metadata);
    if (parsed.ok && parsed.value.sessionId === appointment.sessionId && parsed.value.status === 'active') told = true;
  };
  room.on(RoomEvent.RoomMetadataChanged, snapshotActive);
  await room.connect(minted.json.url, minted.json.token, { autoSubscribe: false, dynacast: false });
  snapshotActive(room.metadata ?? '');
  return { sid: room.localParticipant?.sid as string, told: () => told };
}

/** LiveKit sends participant_joined once the participant is ACTIVE (its media path up): so does the test. */
async function activeIn(room: string, sid: string): Promise<void> {
  const api = new RoomServiceClient(livekitHttpUrl(target.config.LIVEKIT_URL), target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  await waitFor(async () => (await api.listParticipants(room)).some((participant) => participant.sid === sid && participant.state === 2), { timeoutMs: 10_000, intervalMs: 25 });
}

/** One pair joins its new session as LiveKit would report it; returns ms from the second join to the recorded start, and to both told. */
async function pairJoins(): Promise<{ startMs: number; toldMs: number }> {
  const appointment = await createAppointment(target);
  const student = await connect(appointment, appointment.student.identity);
  await activeIn(appointment.room, student.sid);
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: { sid: student.sid, identity: appointment.student.identity, attributes: {} }, joinedAtMs: Date.now() - 50 });
  const counselor = await connect(appointment, appointment.counselor.identity);
  await activeIn(appointment.room, counselor.sid);
  const completed = Date.now();
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: { sid: counselor.sid, identity: appointment.counselor.identity, attributes: {} }, joinedAtMs: completed - 50 });
  // Waited for longer than the bound, so a failure says by how much it was missed.
  await waitFor(async () => (await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}`)).json.status === 'active', { timeoutMs: 20_000, intervalMs: 25 }).catch(() => undefined);
  const startMs = Date.now() - completed;
  await waitFor(() => student.told() && counselor.told(), { timeoutMs: 20_000, intervalMs: 25 }).catch(() => undefined);
  return { startMs, toldMs: student.told() && counselor.told() ? Date.now() - completed : Infinity };
}

test(`when ${PAIRS} pairs join new sessions while passes run every second over ${BACKLOG} open sessions, then every pair starts within 5 s, both are told, and nobody is recorded as gone`, async () => {
  const results: { startMs: number; toldMs: number }[] = [];
  for (let batch = 0; batch < PAIRS; batch += AT_ONCE) results.push(...(await Promise.all(Array.from({ length: Math.min(AT_ONCE, PAIRS - batch) }, () => pairJoins()))));
  const starts = results.map((result) => result.startMs).sort((a, b) => a - b);
  const latencies = results.map((result) => result.toldMs).sort((a, b) => a - b);
  const db = await openCollections(target.config);
  try {
    const repairs = await db.count('session_events', { reconciled: true });
    console.log(
      `race: ${BACKLOG} open sessions seeded in ${seededMs} ms; ${PAIRS} pairs: recorded start p50 ${starts[Math.floor(PAIRS / 2)]} ms, max ${starts.at(-1)} ms; both clients told p50 ${latencies[Math.floor(PAIRS / 2)]} ms, max ${latencies.at(-1)} ms; reconciled events recorded: ${repairs}`,
    );
    // Every webhook arrived: a pass must have found nothing to infer, least of all someone gone.
    expect(await db.count('session_events', { kind: 'participant_gone' })).toBe(0);
  } finally {
    await db.close();
  }
  expect(starts.at(-1)).toBeLessThanOrEqual(5_000);
  // Both told, every pair (the client side's figures depend on the machine's load: printed above).
  expect(latencies.every(Number.isFinite)).toBe(true);
});
