// Cost growth: the ingest p50/p99 at one fixed rate with a small and with a large history of
// past (ended) sessions stored, and the query plans the hot path's queries use. History is
// written straight into the service's collections in the shapes the store writes.
import type mongoose from 'mongoose';
import { createClinicClient, must } from '../webhook-service/client';
import { inBatches } from './batches';
import { buildIngestRequests, EVENTS_PER_ROOM, type BenchRoom } from './ingestWorkload';
import { percentile } from './requests';
import { runRoomQueues } from './roomQueues';

export interface GrowthPoint {
  past: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

export interface GrowthResult {
  small: GrowthPoint;
  large: GrowthPoint;
  ratioP50: number;
  ratioP99: number;
  explain: Record<string, unknown>;
}

export interface GrowthOptions {
  service: { url: string; clinicToken: string };
  serviceDb: mongoose.Connection;
  apiKey: string;
  apiSecret: string;
  small: number;
  large: number;
  rate: number;
  seconds: number;
  log: (line: string) => void;
}

const BATCH = 5000;

/** Adds ended sessions `from`..`to`-1, each with its two decisions (started, ended) and three events. */
async function seedPastSessions(db: mongoose.Connection, from: number, to: number, log: (line: string) => void): Promise<void> {
  const sessions = db.collection('sessions');
  const events = db.collection('session_events');
  const decisions = db.collection('session_decisions');
  const base = Date.now() - 90 * 24 * 3600 * 1000;
  for (let start = from; start < to; start += BATCH) {
    const ids = Array.from({ length: Math.min(BATCH, to - start) }, (_, i) => start + i);
    const at = (i: number, offset: number): Date => new Date(base + i * 1000 + offset);
    await sessions.insertMany(
      ids.map((i) => ({ _id: `ses_past_${i}`, roomName: `past-room-${i}`, studentIdentity: `past-student-${i}`, counselorIdentity: `past-counselor-${i}`, scheduledStart: null, createdAt: at(i, 0) })) as never[],
      { ordered: false },
    );
    const decision = { status: null, reason: null, at: null, endedAt: null, startedAt: null };
    await decisions.insertMany(
      ids.flatMap((i) => [
        { ...decision, _id: `ses_past_${i}.opening`, sessionId: `ses_past_${i}`, kind: 'activation', startedAt: at(i, 2000), messageId: `msg_past_${i}`, createdAt: at(i, 2100) },
        { ...decision, _id: `ses_past_${i}.closing`, sessionId: `ses_past_${i}`, kind: 'closure', status: 'ended', reason: 'ended', at: at(i, 600000), endedAt: at(i, 600000), messageId: `msg_past_${i}_end`, createdAt: at(i, 600100) },
      ]) as never[],
      { ordered: false },
    );
    await events.insertMany(
      ids.flatMap((i) => {
        const common = { sessionId: `ses_past_${i}`, attributes: [], receivedAt: at(i, 3000) };
        return [
          { ...common, _id: `EV_past_${i}_s`, kind: 'participant_joined', at: at(i, 1000), participantSid: `PA_past_${i}_s`, identity: `past-student-${i}`, role: 'student' },
          { ...common, _id: `EV_past_${i}_c`, kind: 'participant_joined', at: at(i, 2000), participantSid: `PA_past_${i}_c`, identity: `past-counselor-${i}`, role: 'counselor' },
          { ...common, _id: `EV_past_${i}_f`, kind: 'room_finished', at: at(i, 600000), participantSid: null, identity: null, role: null },
        ];
      }) as never[],
      { ordered: false },
    );
    if ((start - from) % 100_000 === 0 && start > from) log(`  seeded ${start.toLocaleString('en')} past sessions`);
  }
}

async function ingestAt(options: GrowthOptions, tag: string): Promise<Omit<GrowthPoint, 'past'>> {
  const count = Math.max(1, Math.ceil((options.rate * options.seconds) / EVENTS_PER_ROOM));
  const rooms: BenchRoom[] = Array.from({ length: count }, (_, i) => ({ room: `growth-${tag}-${i}`, studentIdentity: `s-${tag}-${i}`, counselorIdentity: `c-${tag}-${i}` }));
  const api = createClinicClient({ baseUrl: options.service.url, token: options.service.clinicToken });
  await inBatches(rooms, 16, (room) => api.createSession({ studentIdentity: room.studentIdentity, counselorIdentity: room.counselorIdentity }).then(must).then((session) => Object.assign(room, { room: session.roomName }) && session));
  const requests = await buildIngestRequests(rooms, options.apiKey, options.apiSecret);
  const result = await runRoomQueues({ baseUrl: options.service.url, ratePerSecond: options.rate, requests });
  return { p50Ms: percentile(result.latenciesMs, 50), p99Ms: percentile(result.latenciesMs, 99), non2xx: result.failed };
}

/** The plans of the hot path's queries, as the database reports them. */
async function explainHotQueries(db: mongoose.Connection): Promise<Record<string, unknown>> {
  const plan = async (collection: string, filter: Record<string, unknown>): Promise<unknown> => {
    const explained = (await db.collection(collection).find(filter).limit(1).explain()) as Record<string, unknown>;
    const planner = explained.queryPlanner as Record<string, unknown> | undefined;
    // MongoDB reports queryPlanner.winningPlan; FerretDB its SQL plan and whether the filter was pushed down.
    return { winningPlan: planner?.winningPlan ?? planner, filterPushdown: explained.filterPushdown, sortPushdown: explained.sortPushdown };
  };
  return {
    'room_slots by room (_id)': await plan('room_slots', { _id: 'past-room-1' }),
    'sessions by id (_id)': await plan('sessions', { _id: 'ses_past_1' }),
    'session_events by id (_id, dedupe)': await plan('session_events', { _id: 'EV_past_1_s' }),
    'session_decisions by key (_id)': await plan('session_decisions', { _id: 'ses_past_1.opening' }),
  };
}

export async function measureCostGrowth(options: GrowthOptions): Promise<GrowthResult> {
  const seeded = await options.serviceDb.collection('sessions').countDocuments({});
  if (seeded < options.small) await seedPastSessions(options.serviceDb, 0, options.small - seeded, options.log);
  const stored = (): Promise<number> => options.serviceDb.collection('sessions').countDocuments({});
  const small = { past: await stored(), ...(await ingestAt(options, `small-${Date.now().toString(36)}`)) };
  options.log(`  ${small.past} past: p50 ${small.p50Ms.toFixed(1)} ms p99 ${small.p99Ms.toFixed(1)} ms`);
  const seedStarted = performance.now();
  await seedPastSessions(options.serviceDb, options.small, options.large, options.log);
  options.log(`  seeded up to ${options.large.toLocaleString('en')} past sessions in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
  const large = { past: await stored(), ...(await ingestAt(options, `large-${Date.now().toString(36)}`)) };
  options.log(`  ${large.past} past: p50 ${large.p50Ms.toFixed(1)} ms p99 ${large.p99Ms.toFixed(1)} ms`);
  const explain = await explainHotQueries(options.serviceDb);
  for (const [query, planned] of Object.entries(explain)) options.log(`  plan ${query}: ${JSON.stringify(planned)}`);
  return { small, large, ratioP50: large.p50Ms / small.p50Ms, ratioP99: large.p99Ms / small.p99Ms, explain };
}
