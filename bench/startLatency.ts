// Start latency with real LiveKit clients: for each session a student and a counselor join
// with @livekit/rtc-node; we time when the counselor's own connect() resolves and when the
// student sees the counselor connect (ParticipantConnected), the platform's own lower bounds,
// and when `session_started` reaches both, and read from the service's store when the
// completing `participant_joined` webhook reached the service.
import { Room, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import type mongoose from 'mongoose';
import { TOPIC, parseMessage } from '../plugin/protocol';
import { createClinicClient, must } from '../webhook-service/client';
import { inBatches } from './batches';
import { percentile } from './requests';

export interface StartSample {
  /** ms from the completing webhook reaching the service to session_started at both clients. */
  serviceToClients: number;
  /** ms from the student seeing the counselor connect to session_started at both clients. */
  peerSeenToClients: number;
  /** ms from the student seeing the counselor connect to the completing webhook reaching us. */
  peerSeenToWebhook: number;
  /** ms from the counselor's connect() resolving to session_started at both clients. */
  connectedToClients: number;
}

export interface StartLatencyOptions {
  serviceUrl: string;
  clinicToken: string;
  /** The service's own database, to read when the completing webhook was received. */
  serviceDb: mongoose.Connection;
  sessions: number;
  concurrency: number;
  deadlineMs?: number;
}

function awaitStart(room: Room, deadlineMs: number): Promise<number> {
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

async function oneSession(options: StartLatencyOptions, index: number): Promise<StartSample> {
  const api = createClinicClient({ baseUrl: options.serviceUrl, token: options.clinicToken });
  const tag = `${Date.now().toString(36)}-${index}`;
  const student = `bench-student-${tag}`;
  const counselor = `bench-counselor-${tag}`;
  const session = await api.createSession({ studentIdentity: student, counselorIdentity: counselor }).then(must);
  const [studentToken, counselorToken] = await Promise.all([api.mintJoinToken(session.id, student).then(must), api.mintJoinToken(session.id, counselor).then(must)]);
  const deadline = options.deadlineMs ?? 15000;
  const studentRoom = new Room();
  const counselorRoom = new Room();
  try {
    const peerSeen = new Promise<number>((resolve) => studentRoom.on(RoomEvent.ParticipantConnected, () => resolve(Date.now())));
    const studentStart = awaitStart(studentRoom, deadline);
    const counselorStart = awaitStart(counselorRoom, deadline);
    await studentRoom.connect(studentToken.url, studentToken.token, { autoSubscribe: false, dynacast: false });
    await counselorRoom.connect(counselorToken.url, counselorToken.token, { autoSubscribe: false, dynacast: false });
    const connectedAt = Date.now();
    const [seenAt, startedA, startedB] = await Promise.all([peerSeen, studentStart, counselorStart]);
    const bothStarted = Math.max(startedA, startedB);
    const completing = await options.serviceDb
      .collection('session_events')
      .findOne({ sessionId: session.id, kind: 'participant_joined', identity: counselor });
    if (!completing) throw new Error(`no stored participant_joined for the counselor of ${session.id}`);
    const receivedAt = new Date(completing.receivedAt as Date | string).getTime();
    return { serviceToClients: bothStarted - receivedAt, peerSeenToClients: bothStarted - seenAt, peerSeenToWebhook: receivedAt - seenAt, connectedToClients: bothStarted - connectedAt };
  } finally {
    await Promise.allSettled([studentRoom.disconnect(), counselorRoom.disconnect()]);
  }
}

export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
}

const distribution = (values: number[]): Distribution => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) });

export async function measureStartLatency(options: StartLatencyOptions): Promise<{ sessions: number; failures: string[]; serviceToClients: Distribution; peerSeenToClients: Distribution; peerSeenToWebhook: Distribution; connectedToClients: Distribution; timeline: { atMs: number; serviceToClientsMs: number }[] }> {
  const failures: string[] = [];
  const began = Date.now();
  const outcomes = await inBatches(Array.from({ length: options.sessions }, (_, i) => i), options.concurrency, (i) =>
    // A session that does not start is reported, not allowed to end the whole run.
    oneSession(options, i).then(
      (sample) => ({ ...sample, atMs: Date.now() - began }),
      (error: unknown) => {
        failures.push(error instanceof Error ? error.message : String(error));
        return null;
      },
    ),
  );
  const samples = outcomes.filter((sample): sample is StartSample & { atMs: number } => sample !== null);
  return {
    sessions: samples.length,
    failures,
    // Each session's latency at the moment it started, for the report's picture of the run.
    timeline: samples.map((sample) => ({ atMs: sample.atMs, serviceToClientsMs: sample.serviceToClients })).sort((a, b) => a.atMs - b.atMs),
    serviceToClients: distribution(samples.map((s) => s.serviceToClients)),
    peerSeenToClients: distribution(samples.map((s) => s.peerSeenToClients)),
    peerSeenToWebhook: distribution(samples.map((s) => s.peerSeenToWebhook)),
    connectedToClients: distribution(samples.map((s) => s.connectedToClients)),
  };
}
