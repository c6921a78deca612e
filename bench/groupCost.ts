// Group cost: what one webhook costs the intake in a 16-person session (a group of a counselor
// and 15 students) against a two-person session. The same intake, the same rate, the same script
// per person (join, reload: left and joined again, leave; then the room finishes), so a group
// sends 8x the webhooks of a pair per session and the comparison is per webhook: answer time
// (p50, p99) and the intake's CPU per webhook. Webhooks go as LiveKit sends them: one at a time
// per room, rooms in parallel (roomQueues.ts). Rounds alternate pairs and groups, so a burst of
// load from elsewhere on the machine falls on both.
import type mongoose from 'mongoose';
import { newEventId, signWebhook, webhookBody, type EventSpec } from '../scripts/shared/livekitWebhooks';
import { createClinicClient, must } from '../webhook-service/client';
import { inBatches } from './batches';
import { percentile } from './requests';
import { sampleProcess } from './processStats';
import type { ReportRow } from './report';
import { runRoomQueues, type RoomRequest } from './roomQueues';

/** Webhooks one person's script sends: joined, left and joined again (a reload), left. */
export const WEBHOOKS_PER_PERSON = 4;
export const GROUP_SIZE = 16;

export type SessionKind = 'pair' | 'group';

/** One session of the workload: its room and its people, counselor first. */
export interface CostSession {
  room: string;
  people: { identity: string; role: 'counselor' | 'student' }[];
}

/**
 * One session's webhooks in LiveKit's order for its room: everyone joins, everyone reloads,
 * everyone leaves, the room finishes (4 per person + 1).
 */
export function sessionScript(session: CostSession, nowSeconds: number): EventSpec[] {
  const sid = (index: number, connection: number) => `PA_${session.room}_${index}_${connection}`;
  let tick = 0;
  const at = () => {
    tick += 1;
    return { createdAt: nowSeconds + Math.floor(tick / 10), joinedAtMs: nowSeconds * 1000 + tick * 100 };
  };
  const person = (index: number, connection: number) => {
    const { identity, role } = session.people[index] as CostSession['people'][number];
    return { sid: sid(index, connection), identity, attributes: { 'autostart.role': role } };
  };
  const everyone = session.people.map((_, index) => index);
  return [
    ...everyone.map((index): EventSpec => ({ event: 'participant_joined', room: session.room, participant: person(index, 1), ...at() })),
    ...everyone.flatMap((index): EventSpec[] => [
      { event: 'participant_left', room: session.room, participant: person(index, 1), ...at() },
      { event: 'participant_joined', room: session.room, participant: person(index, 2), ...at() },
    ]),
    ...everyone.map((index): EventSpec => ({ event: 'participant_left', room: session.room, participant: person(index, 2), ...at() })),
    { event: 'room_finished', room: session.room, createdAt: nowSeconds + Math.ceil(tick / 10) + 1 },
  ].map((spec) => ({ id: newEventId(), ...spec }));
}

export const webhooksPerSession = (kind: SessionKind): number => (kind === 'pair' ? 2 : GROUP_SIZE) * WEBHOOKS_PER_PERSON + 1;

/** Rooms interleaved step by step, as LiveKit sends them (one room's events in order, rooms in parallel). */
export async function costRequests(sessions: CostSession[], apiKey: string, apiSecret: string): Promise<RoomRequest[]> {
  // A group's script spans 6.5 s of LiveKit time: it ends before now, inside the intake's clock tolerance.
  const nowSeconds = Math.floor(Date.now() / 1000) - 8;
  const scripts = sessions.map((session) => sessionScript(session, nowSeconds));
  const longest = Math.max(...scripts.map((script) => script.length));
  const requests: RoomRequest[] = [];
  for (let step = 0; step < longest; step += 1) {
    for (const script of scripts) {
      const spec = script[step];
      if (!spec) continue;
      const body = webhookBody(spec);
      requests.push({ room: spec.room, path: '/livekit/webhook', headers: { authorization: await signWebhook(body, apiKey, apiSecret, '10m'), 'content-type': 'application/webhook+json' }, body });
    }
  }
  return requests;
}

export interface KindCost {
  kind: SessionKind;
  sessions: number;
  webhooks: number;
  non2xx: number;
  /** Webhooks sent that are not in session_events after the run. */
  lostEvents: number;
  p50Ms: number;
  p99Ms: number;
  /** The intake's CPU time (its process tree) per webhook, in ms. */
  cpuMsPerWebhook: number;
}

export interface GroupCostResult {
  rate: number;
  rounds: number;
  pair: KindCost;
  group: KindCost;
  /** group / pair, per webhook. */
  ratioP50: number;
  ratioP99: number;
  ratioCpu: number;
}

export interface GroupCostOptions {
  service: { url: string; clinicToken: string; pid: number };
  serviceDb: mongoose.Connection;
  apiKey: string;
  apiSecret: string;
  /** Webhooks per second offered, the same for both kinds. */
  rate: number;
  /** Seconds of load per kind and round. */
  seconds: number;
  rounds: number;
  log: (line: string) => void;
}

interface RoundRun {
  sessions: number;
  latenciesMs: number[];
  non2xx: number;
  statuses: Record<string, number>;
  lostEvents: number;
  cpuMs: number;
}

async function runRound(options: GroupCostOptions, kind: SessionKind, tag: string): Promise<RoundRun> {
  const api = createClinicClient({ baseUrl: options.service.url, token: options.service.clinicToken });
  const count = Math.max(1, Math.round((options.rate * options.seconds) / webhooksPerSession(kind)));
  const sessions = await inBatches(Array.from({ length: count }, (_, index) => index), 8, async (index): Promise<CostSession & { id: string }> => {
    const counselor = `counselor-${tag}-${index}`;
    const students = Array.from({ length: kind === 'pair' ? 1 : GROUP_SIZE - 1 }, (_, n) => `student-${tag}-${index}-${n}`);
    const created = must(
      await api.createSession(
        kind === 'pair'
          ? { studentIdentity: students[0] as string, counselorIdentity: counselor }
          : { counselorIdentity: counselor, participants: students.map((identity) => ({ identity, role: 'student' as const })), group: { quorum: 3 } },
      ),
    );
    return { id: created.id, room: created.roomName, people: [{ identity: counselor, role: 'counselor' }, ...students.map((identity) => ({ identity, role: 'student' as const }))] };
  });
  const requests = await costRequests(sessions, options.apiKey, options.apiSecret);
  const startedAt = performance.now();
  const stopSampling = sampleProcess(options.service.pid);
  const result = await runRoomQueues({ baseUrl: options.service.url, ratePerSecond: options.rate, requests });
  const usage = stopSampling();
  const cpuMs = usage.cpuCores * (performance.now() - startedAt);
  const stored = await options.serviceDb.collection('session_events').countDocuments({ sessionId: { $in: sessions.map((session) => session.id) } });
  return { sessions: sessions.length, latenciesMs: result.latenciesMs, non2xx: result.failed, statuses: result.statuses, lostEvents: requests.length - stored, cpuMs };
}

function costOf(kind: SessionKind, runs: RoundRun[]): KindCost {
  const latencies = runs.flatMap((run) => run.latenciesMs);
  const sum = (pick: (run: RoundRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  return {
    kind,
    sessions: sum((run) => run.sessions),
    webhooks: latencies.length,
    non2xx: sum((run) => run.non2xx),
    lostEvents: sum((run) => run.lostEvents),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerWebhook: sum((run) => run.cpuMs) / Math.max(1, latencies.length),
  };
}

export async function measureGroupCost(options: GroupCostOptions): Promise<GroupCostResult> {
  const runs: Record<SessionKind, RoundRun[]> = { pair: [], group: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const kind of ['pair', 'group'] as const) {
      const run = await runRound(options, kind, `${kind}-${round}-${Date.now().toString(36)}`);
      runs[kind].push(run);
      options.log(
        `  round ${round + 1} ${kind}: ${run.sessions} sessions, ${run.latenciesMs.length} webhooks, p50 ${percentile(run.latenciesMs, 50).toFixed(1)} ms p99 ${percentile(run.latenciesMs, 99).toFixed(1)} ms, cpu ${(run.cpuMs / run.latenciesMs.length).toFixed(2)} ms/webhook, non-2xx ${run.non2xx}${run.non2xx > 0 ? ` ${JSON.stringify(run.statuses)}` : ''} lost ${run.lostEvents}`,
      );
    }
  }
  const pair = costOf('pair', runs.pair);
  const group = costOf('group', runs.group);
  return { rate: options.rate, rounds: options.rounds, pair, group, ratioP50: group.p50Ms / pair.p50Ms, ratioP99: group.p99Ms / pair.p99Ms, ratioCpu: group.cpuMsPerWebhook / pair.cpuMsPerWebhook };
}

/** The issue's aim: a webhook of a 16-person session costs no more than 1.5x one of a pair. */
export const GROUP_COST_LIMIT = 1.5;

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** The table's rows: both kinds' figures, then the ratios against the limit. */
export function groupCostRows(result: GroupCostResult): ReportRow[] {
  const { pair, group } = result;
  const within = (ratio: number) => Number.isFinite(ratio) && ratio <= GROUP_COST_LIMIT;
  return [
    { section: 'group', measure: `webhooks at ${result.rate}/s, pair / 16-person (sessions)`, value: `${pair.webhooks} (${pair.sessions}) / ${group.webhooks} (${group.sessions})`, target: 'none lost, all 2xx', met: pair.lostEvents + group.lostEvents + pair.non2xx + group.non2xx === 0 },
    { section: 'group', measure: 'p50 / p99 ms, pair', value: `${fixed(pair.p50Ms)} / ${fixed(pair.p99Ms)}` },
    { section: 'group', measure: 'p50 / p99 ms, 16-person', value: `${fixed(group.p50Ms)} / ${fixed(group.p99Ms)}` },
    { section: 'group', measure: 'intake CPU ms per webhook, pair / 16-person', value: `${fixed(pair.cpuMsPerWebhook, 2)} / ${fixed(group.cpuMsPerWebhook, 2)}` },
    { section: 'group', measure: 'ratio 16-person / pair, p50 and CPU per webhook', value: `${fixed(result.ratioP50, 2)} / ${fixed(result.ratioCpu, 2)}`, target: `<= ${GROUP_COST_LIMIT}`, met: within(result.ratioP50) && within(result.ratioCpu) },
    { section: 'group', measure: 'ratio 16-person / pair, p99', value: fixed(result.ratioP99, 2), target: `<= ${GROUP_COST_LIMIT}`, met: within(result.ratioP99) },
  ];
}
