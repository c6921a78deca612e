// Cost against a session's own history: one student whose network flaps (join, leave, join...)
// in a session the counselor stays in, every webhook signed and sent one at a time as LiveKit
// sends a room's. Measures each webhook's answer time, the first 100 against the last 100; the
// service's largest event-loop delay over the run (from its own /metrics, which resets the
// maximum at each scrape); and reading the session back (GET) once its history is long.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { signWebhook, webhookBody } from '../scripts/shared/livekitWebhooks';
import { createClinicClient, must } from '../webhook-service/client';
import { percentile } from './requests';

export interface HistoryOptions {
  service: { url: string; clinicToken: string };
  apiKey: string;
  apiSecret: string;
  /** Join/leave flaps measured. @defaultValue 1000 */
  flaps: number;
  /** Events the session holds when its reads are measured (more flaps are sent first). */
  readEvents: number;
  reads: number;
  log: (line: string) => void;
}

export interface HistoryResult {
  flaps: number;
  webhooks: number;
  firstP50Ms: number;
  lastP50Ms: number;
  ratio: number;
  serviceLoopMaxMs: number;
  /** This process's own loop, as a check that the load generator was not the one stalling. */
  generatorLoopMaxMs: number;
  readEvents: number;
  readP50Ms: number;
  readP99Ms: number;
}

async function scrapeLoopMaxMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^nodejs_eventloop_lag_max_seconds\s+([\d.e+-]+)$/m.exec(text);
  return match ? Number(match[1]) * 1000 : Number.NaN;
}

export async function measureHistory(options: HistoryOptions): Promise<HistoryResult> {
  const { service, log } = options;
  const api = createClinicClient({ baseUrl: service.url, token: service.clinicToken });
  const suffix = Math.random().toString(36).slice(2, 10);
  const student = `flapping-student-${suffix}`;
  const counselor = `steady-counselor-${suffix}`;
  const { id, roomName: room } = await api.createSession({ studentIdentity: student, counselorIdentity: counselor }).then(must);

  const send = async (spec: Parameters<typeof webhookBody>[0]): Promise<number> => {
    const body = webhookBody(spec);
    const authorization = await signWebhook(body, options.apiKey, options.apiSecret);
    const started = performance.now();
    const response = await fetch(`${service.url}/livekit/webhook`, { method: 'POST', headers: { authorization, 'content-type': 'application/webhook+json' }, body });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    return performance.now() - started;
  };
  const flap = async (index: number): Promise<number[]> => {
    const participant = { sid: `PA_flap_${suffix}_${index}`, identity: student, attributes: {} };
    return [await send({ event: 'participant_joined', room, participant, joinedAtMs: Date.now() }), await send({ event: 'participant_left', room, participant })];
  };

  await send({ event: 'participant_joined', room, participant: { sid: `PA_steady_${suffix}`, identity: counselor, attributes: {} }, joinedAtMs: Date.now() });
  const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
  await scrapeLoopMaxMs(service.url);
  generatorLoop.enable();
  const latencies: number[] = [];
  for (let index = 0; index < options.flaps; index += 1) {
    latencies.push(...(await flap(index)));
    if ((index + 1) % 250 === 0) log(`  ${index + 1} flaps, last webhook ${latencies.at(-1)?.toFixed(1)} ms`);
  }
  const serviceLoopMaxMs = await scrapeLoopMaxMs(service.url);
  generatorLoop.disable();
  const window = Math.min(100, Math.floor(latencies.length / 2));
  const firstP50Ms = percentile(latencies.slice(0, window), 50);
  const lastP50Ms = percentile(latencies.slice(-window), 50);

  // Grow the history to the read size, then read the session back.
  let events = 1 + latencies.length;
  for (let index = options.flaps; events < options.readEvents; index += 1, events += 2) await flap(index);
  const reads: number[] = [];
  for (let index = 0; index < options.reads; index += 1) {
    const started = performance.now();
    must(await api.getSession(id));
    reads.push(performance.now() - started);
  }
  return {
    flaps: options.flaps,
    webhooks: latencies.length,
    firstP50Ms,
    lastP50Ms,
    ratio: lastP50Ms / firstP50Ms,
    serviceLoopMaxMs,
    generatorLoopMaxMs: generatorLoop.max / 1e6,
    readEvents: events,
    readP50Ms: percentile(reads, 50),
    readP99Ms: percentile(reads, 99),
  };
}
