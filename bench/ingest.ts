// Ingest benchmark: LiveKit-signed webhooks at rising rates against one service process, and the
// same load against floor (a), a bare endpoint that only verifies signatures. Delivered as LiveKit
// delivers them: a room's next webhook leaves once its previous one is answered, rooms in
// parallel (roomQueues.ts); a duplicate still races nothing but its own room's order. A step
// counts as sustained when its p99 answer time is under the limit and every event is in MongoDB after.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type mongoose from 'mongoose';
import { createClinicClient, must } from '../webhook-service/client';
import { inBatches } from './batches';
import { buildIngestRequests, STORED_EVENTS_PER_ROOM, EVENTS_PER_ROOM, type BenchRoom } from './ingestWorkload';
import { percentile } from './requests';
import { runRoomQueues, type RoomRequest } from './roomQueues';
import { sampleProcess } from './processStats';

export interface IngestStep {
  rate: number;
  achievedRate: number;
  sent: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  lostEvents: number;
  cpuCores: number;
  peakRssMiB: number;
  sustained: boolean;
}

export interface IngestTarget {
  baseUrl: string;
  pid: number;
}

export interface StepPlan {
  rates: number[];
  secondsPerStep: number;
  p99LimitMs: number;
}

async function runStep(target: IngestTarget, rate: number, requests: RoomRequest[], plan: StepPlan, lost: () => Promise<number>): Promise<IngestStep> {
  const stopSampling = sampleProcess(target.pid);
  const result = await runRoomQueues({ baseUrl: target.baseUrl, ratePerSecond: rate, requests });
  const usage = stopSampling();
  const lostEvents = await lost();
  const p99Ms = percentile(result.latenciesMs, 99);
  return {
    rate,
    achievedRate: result.achievedRate,
    sent: result.sent,
    non2xx: result.failed,
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms,
    lostEvents,
    cpuCores: usage.cpuCores,
    peakRssMiB: usage.peakRssMiB,
    sustained: p99Ms < plan.p99LimitMs && result.failed === 0 && lostEvents === 0,
  };
}

function roomsFor(rate: number, seconds: number, tag: string): BenchRoom[] {
  const count = Math.max(1, Math.ceil((rate * seconds) / EVENTS_PER_ROOM));
  return Array.from({ length: count }, (_, i) => ({
    room: `bench-${tag}-${i}`,
    studentIdentity: `student-${tag}-${i}`,
    counselorIdentity: `counselor-${tag}-${i}`,
  }));
}

export interface ServiceIngestOptions {
  target: IngestTarget;
  clinicToken: string;
  serviceDb: mongoose.Connection;
  apiKey: string;
  apiSecret: string;
  plan: StepPlan;
  log: (line: string) => void;
}

/** Rising rates against the service until a step is not sustained. */
export async function measureServiceIngest(options: ServiceIngestOptions): Promise<IngestStep[]> {
  const api = createClinicClient({ baseUrl: options.target.baseUrl, token: options.clinicToken });
  const steps: IngestStep[] = [];
  for (const rate of options.plan.rates) {
    const tag = `${rate}-${Date.now().toString(36)}`;
    const rooms = roomsFor(rate, options.plan.secondsPerStep, tag);
    const sessions = await inBatches(rooms, 16, (room) => api.createSession({ studentIdentity: room.studentIdentity, counselorIdentity: room.counselorIdentity }).then(must).then((session) => Object.assign(room, { room: session.roomName }) && session));
    const requests = await buildIngestRequests(rooms, options.apiKey, options.apiSecret);
    const ids = sessions.map((session) => session.id);
    const lost = async (): Promise<number> => {
      const stored = await options.serviceDb.collection('session_events').countDocuments({ sessionId: { $in: ids } });
      return rooms.length * STORED_EVENTS_PER_ROOM - stored;
    };
    const step = await runStep(options.target, rate, requests, options.plan, lost);
    options.log(`  service @${rate}/s: achieved ${step.achievedRate.toFixed(0)}/s p50 ${step.p50Ms.toFixed(1)} ms p99 ${step.p99Ms.toFixed(1)} ms non-2xx ${step.non2xx} lost ${step.lostEvents} cpu ${step.cpuCores.toFixed(2)} rss ${step.peakRssMiB.toFixed(0)} MiB`);
    steps.push(step);
    if (!step.sustained) break;
  }
  return steps;
}

/** Floor (a): the same signed load against a process that only verifies signatures. */
export async function measureVerifyFloor(apiKey: string, apiSecret: string, plan: StepPlan, log: (line: string) => void): Promise<IngestStep[]> {
  const tsxCli = path.resolve(__dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [tsxCli, path.join(__dirname, 'floorVerifyServer.ts')], {
    env: { PATH: process.env.PATH ?? '', LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
    });
    const target = { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid as number };
    const steps: IngestStep[] = [];
    for (const rate of plan.rates) {
      const rooms = roomsFor(rate, plan.secondsPerStep, `floor-${rate}`);
      const requests = await buildIngestRequests(rooms, apiKey, apiSecret);
      const step = await runStep(target, rate, requests, plan, async () => 0);
      log(`  floor (a) @${rate}/s: achieved ${step.achievedRate.toFixed(0)}/s p50 ${step.p50Ms.toFixed(1)} ms p99 ${step.p99Ms.toFixed(1)} ms cpu ${step.cpuCores.toFixed(2)}`);
      steps.push(step);
      if (!step.sustained) break;
    }
    return steps;
  } finally {
    child.kill('SIGTERM');
  }
}

/** The highest sustained achieved rate of a series of steps (0 when none was sustained). */
export function sustainedRate(steps: IngestStep[]): number {
  return steps.filter((step) => step.sustained).reduce((best, step) => Math.max(best, step.achievedRate), 0);
}
