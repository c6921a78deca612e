// The top of the hour: many sessions whose student and counselor all join within one minute.
// Each pair's joins are LiveKit-signed synthetic webhooks, delivered as LiveKit delivers them
// (one request at a time per room, rooms in parallel, again after 1, 2, 4, 8 s on a 5xx or a
// network error), the student at a random moment of the window and the counselor 0.2-2 s later.
// Measured: every session ends active, and each activation's delay from the completing webhook
// reaching the service to the activation being recorded (both the service's clock). The rooms
// exist only in the load generator, so the activation's LiveKit calls after the record (grant,
// snapshot, session_started) meet no room and are not part of the figure.
import http from 'node:http';
import type mongoose from 'mongoose';
import { signWebhook, webhookBody } from '../scripts/shared/livekitWebhooks';
import { createClinicClient, must } from '../webhook-service/client';
import { inBatches } from './batches';
import { percentile } from './requests';

export interface SurgeOptions {
  serviceUrl: string;
  clinicToken: string;
  serviceDb: mongoose.Connection;
  apiKey: string;
  apiSecret: string;
  sessions: number;
  /** The window all pairs join within, in seconds. */
  windowSeconds: number;
  /** How long after the last join to wait for every activation, in ms. */
  settleMs: number;
  log: (line: string) => void;
}

export interface SurgeResult {
  sessions: number;
  windowSeconds: number;
  createSeconds: number;
  webhooks: number;
  /** First attempts answered other than 2xx (LiveKit then retried them). */
  refusedFirstTries: number;
  /** Webhooks never answered 2xx after LiveKit's five attempts. */
  givenUp: number;
  answerP50Ms: number;
  answerP99Ms: number;
  active: number;
  activation: { p50: number; p95: number; p99: number; max: number };
  /** Per second of the surge: webhooks sent and the p99 of activations recorded in it. */
  timeline: { second: number; joins: number; activationP99Ms: number }[];
}

const BACKOFF_MS = [1000, 2000, 4000, 8000];

function post(agent: http.Agent, url: URL, body: string, authorization: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      { agent, method: 'POST', hostname: url.hostname, port: url.port, path: '/livekit/webhook', headers: { authorization, 'content-type': 'application/webhook+json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

const until = (at: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

export async function measureSurge(options: SurgeOptions): Promise<SurgeResult> {
  const api = createClinicClient({ baseUrl: options.serviceUrl, token: options.clinicToken });
  const tag = Date.now().toString(36);
  const createStarted = Date.now();
  const sessions = await inBatches(Array.from({ length: options.sessions }, (_, i) => i), 16, async (i) => {
    const studentIdentity = `surge-student-${tag}-${i}`;
    const counselorIdentity = `surge-counselor-${tag}-${i}`;
    const session = await api.createSession({ studentIdentity, counselorIdentity }).then(must);
    if ((i + 1) % 1000 === 0) options.log(`  surge: ${i + 1} sessions created`);
    return { id: session.id, room: session.roomName, studentIdentity, counselorIdentity };
  });
  const createSeconds = (Date.now() - createStarted) / 1000;

  // Signed ahead, so the generator's own work does not fall inside the window.
  const pairs = await inBatches(sessions, 64, async (session) => {
    const joins = [session.studentIdentity, session.counselorIdentity].map((identity, n) => {
      const body = webhookBody({ event: 'participant_joined', room: session.room, participant: { sid: `PA_${session.id}_${n}`, identity } });
      return signWebhook(body, options.apiKey, options.apiSecret, '10m').then((authorization) => ({ body, authorization }));
    });
    return { session, joins: await Promise.all(joins) };
  });

  const url = new URL(options.serviceUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const answersMs: number[] = [];
  const sentAt: number[] = [];
  let refusedFirstTries = 0;
  let givenUp = 0;
  const deliver = async (join: { body: string; authorization: string }): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      const started = Date.now();
      sentAt.push(started);
      const status = await post(agent, url, join.body, join.authorization);
      answersMs.push(Date.now() - started);
      if (status >= 200 && status < 300) return;
      if (attempt === 0) refusedFirstTries += 1;
      if ((status !== 0 && status < 500) || attempt >= BACKOFF_MS.length) {
        givenUp += 1;
        return;
      }
      await until(Date.now() + (BACKOFF_MS[attempt] as number));
    }
  };
  const surgeStarted = Date.now() + 500;
  options.log(`  surge: ${sessions.length} sessions created in ${createSeconds.toFixed(0)} s; their ${sessions.length * 2} joins now, within ${options.windowSeconds} s`);
  await Promise.all(
    pairs.map(async ({ joins: [student, counselor] }) => {
      const studentAt = surgeStarted + Math.random() * options.windowSeconds * 1000;
      await until(studentAt);
      await deliver(student as { body: string; authorization: string });
      // LiveKit's queue for the room sends the next event once the first is answered.
      await until(studentAt + 200 + Math.random() * 1800);
      await deliver(counselor as { body: string; authorization: string });
    }),
  );
  agent.destroy();
  const surgeEnded = Date.now();

  const ids = new Set(sessions.map((session) => session.id));
  const activations = async () =>
    (await options.serviceDb.collection('session_decisions').find({ kind: 'activation' }, { projection: { sessionId: 1, createdAt: 1 } }).toArray()).filter((doc) => ids.has(String(doc.sessionId)));
  let recorded = await activations();
  while (recorded.length < sessions.length && Date.now() < surgeEnded + options.settleMs) {
    await until(Date.now() + 1000);
    recorded = await activations();
  }
  // The completing webhook of each session: the later of its two joins, as received.
  const completedAt = new Map<string, number>();
  const joins = await options.serviceDb.collection('session_events').find({ kind: 'participant_joined' }, { projection: { sessionId: 1, receivedAt: 1 } }).toArray();
  for (const join of joins) {
    const sessionId = String(join.sessionId);
    if (!ids.has(sessionId)) continue;
    completedAt.set(sessionId, Math.max(completedAt.get(sessionId) ?? 0, new Date(join.receivedAt as Date).getTime()));
  }
  const delays = recorded.map((doc) => ({ at: new Date(doc.createdAt as Date).getTime(), ms: new Date(doc.createdAt as Date).getTime() - (completedAt.get(String(doc.sessionId)) ?? Number.NaN) }));
  const perSecond = new Map<number, number[]>();
  for (const delay of delays) {
    const second = Math.floor((delay.at - surgeStarted) / 1000);
    perSecond.set(second, [...(perSecond.get(second) ?? []), delay.ms]);
  }
  const joinsPerSecond = new Map<number, number>();
  for (const at of sentAt) joinsPerSecond.set(Math.floor((at - surgeStarted) / 1000), (joinsPerSecond.get(Math.floor((at - surgeStarted) / 1000)) ?? 0) + 1);
  const seconds = [...new Set([...perSecond.keys(), ...joinsPerSecond.keys()])].sort((a, b) => a - b);
  const ms = delays.map((delay) => delay.ms);
  return {
    sessions: sessions.length,
    windowSeconds: options.windowSeconds,
    createSeconds,
    webhooks: sessions.length * 2,
    refusedFirstTries,
    givenUp,
    answerP50Ms: percentile(answersMs, 50),
    answerP99Ms: percentile(answersMs, 99),
    active: recorded.length,
    activation: { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), max: Math.max(...ms) },
    timeline: seconds.map((second) => ({ second, joins: joinsPerSecond.get(second) ?? 0, activationP99Ms: percentile(perSecond.get(second) ?? [], 99) })),
  };
}
