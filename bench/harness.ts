// The benchmark harness: brings up (or is handed) the stack and a service process, runs the
// selected sections, prints the table and writes the JSON. Used by `npm run bench` and, with
// `smoke`, by a test in `npm test`.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { startServiceProcess } from '../scripts/serviceProcess';
import { databaseUri, serviceEnv } from '../scripts/shared/serviceEnv';
import { freeTcpPort } from '../scripts/stack/ports';
import { startStack, type StackEndpoints } from '../scripts/stack';
import { measureCostGrowth } from './costGrowth';
import { measureDatabaseFloor } from './databaseFloor';
import { groupCostRows, measureGroupCost } from './groupCost';
import { measureHistory } from './history';
import { measureServiceIngest, measureVerifyFloor, sustainedRate, type StepPlan } from './ingest';
import { writeReport, type ReportInput } from './htmlReport';
import { printTable, writeResults, type ReportRow } from './report';
import { measureStartLatency } from './startLatency';
import { measureSurge } from './surge';
import { measureWidget } from './widget';

/** The bench measures the service, not its rate limits: its portal calls as fast as it can. */
const UNLIMITED = { RATE_LIMIT_PER_KEY_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' };

/** Settings the bench's own environment hands to its services, to compare runs (`GROUP_COMMIT_WINDOW_MS=0 npm run bench`: without group commit; `WORKER_CONCURRENCY=32`: more jobs at once). */
const PASSED_ON = ['GROUP_COMMIT_WINDOW_MS', 'GROUP_COMMIT_MAX_WRITES', 'WORKER_CONCURRENCY'] as const;
const passedOn = (): Record<string, string> => Object.fromEntries(PASSED_ON.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]])));

export type Section = 'ingest' | 'start' | 'surge' | 'growth' | 'history' | 'group' | 'widget';

/** A running service the harness may use instead of starting its own. */
export interface BenchService {
  url: string;
  pid: number;
  clinicToken: string;
  mongoUri: string;
}

export interface BenchOptions {
  smoke: boolean;
  sections?: Section[];
  /** Stored past sessions for the large cost-growth run. @defaultValue 1,000,000 (smoke: 2,000) */
  pastSessions?: number;
  /** Sessions with two real clients each for start latency. @defaultValue 200 (smoke: 2) */
  startSessions?: number;
  /** Sessions whose pairs join within a minute in the surge. @defaultValue 10,000 (smoke: 20, within 2 s) */
  surgeSessions?: number;
  /** Where the intake-only service writes a V8 CPU profile (node --cpu-prof) when it stops; none: not profiled. */
  cpuProfileDir?: string;
  /** Endpoints of a running stack; without them the harness starts one. */
  stack?: StackEndpoints;
  /** A running service on the stack's webhook port; without it the harness starts one. */
  service?: BenchService;
  resultsDir?: string;
  log: (line: string) => void;
}


/**
 * A service process on a database and queue prefix of its own. On the stack's webhook port it
 * receives LiveKit's own webhooks (start latency); `apiOnly` runs the intake alone, so the
 * ingest figures are the intake's, not those of activation jobs for rooms that exist only in
 * the load generator (workers scale apart from it).
 */
async function ownService(stack: StackEndpoints, port: number, apiOnly: boolean, extra: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<BenchService & { stop(): Promise<void> }> {
  const clinicToken = randomBytes(24).toString('base64url');
  const database = `autostart_bench_${randomBytes(4).toString('hex')}`;
  const service = await startServiceProcess({
    port,
    args: apiOnly ? ['--api-only'] : [],
    nodeArgs,
    stdio: 'ignore',
    env: serviceEnv(stack, { database, clinicApiToken: clinicToken, prefix: `autostart-bench-${randomBytes(4).toString('hex')}`, extra: { LOG_LEVEL: 'warn', ...UNLIMITED, ...passedOn(), ...extra } }),
  });
  const mongoUri = databaseUri(stack.mongoUri, database);
  return { url: service.url, pid: service.pid, clinicToken, mongoUri, stop: service.stop };
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export async function runBench(options: BenchOptions): Promise<{ rows: ReportRow[]; results: Record<string, unknown> }> {
  const sections = new Set<Section>(options.sections ?? ['ingest', 'start', 'surge', 'growth', 'history', 'group', 'widget']);
  const log = options.log;
  const ownStack = options.stack ? undefined : await startStack();
  const stack = options.stack ?? (ownStack as StackEndpoints);
  const started = options.service ? undefined : await ownService(stack, stack.webhookPort, false);
  const service = options.service ?? (started as BenchService);
  const profiled = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const intake = sections.has('ingest') || sections.has('growth') || sections.has('group') ? await ownService(stack, await freeTcpPort(), true, {}, profiled) : undefined;
  const serviceDb = await mongoose.createConnection(service.mongoUri).asPromise();
  const intakeDb = intake ? await mongoose.createConnection(intake.mongoUri).asPromise() : undefined;
  const rows: ReportRow[] = [];
  const results: Record<string, unknown> = { smoke: options.smoke, startedAt: new Date().toISOString() };
  try {
    if (sections.has('ingest')) {
      const plan: StepPlan = options.smoke
        ? { rates: [50], secondsPerStep: 1, p99LimitMs: 100 }
        : { rates: [100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000], secondsPerStep: 5, p99LimitMs: 100 };
      const floorPlan: StepPlan = options.smoke ? plan : { ...plan, rates: [...plan.rates, 5000, 6000, 8000] };
      log('ingest: floor (b), the database alone');
      const dbFloor = await measureDatabaseFloor(stack.mongoUri, stack.redisUrl, options.smoke ? 200 : 10000);
      log(`  database floor: ${fixed(dbFloor.webhooksPerSecond, 0)} webhooks/s of writes (${dbFloor.refused} refused by the database)`);
      log('ingest: floor (a), signature verification alone');
      const verifySteps = await measureVerifyFloor(stack.livekitApiKey, stack.livekitApiSecret, floorPlan, log);
      log('ingest: the service (intake only: --api-only)');
      const serviceSteps = await measureServiceIngest({
        target: { baseUrl: (intake as BenchService).url, pid: (intake as BenchService).pid },
        clinicToken: (intake as BenchService).clinicToken,
        serviceDb: intakeDb as mongoose.Connection,
        apiKey: stack.livekitApiKey,
        apiSecret: stack.livekitApiSecret,
        plan,
        log,
      });
      const ours = sustainedRate(serviceSteps);
      const verifyFloor = sustainedRate(verifySteps);
      const best = serviceSteps.filter((step) => step.sustained).at(-1);
      results.ingest = { serviceSteps, verifySteps, dbFloor, sustainedRate: ours, verifyFloorRate: verifyFloor };
      rows.push(
        { section: 'ingest', measure: 'sustained webhooks/s (p99 < 100 ms, none lost)', value: fixed(ours, 0), target: '>= 2000', met: ours >= 2000 },
        { section: 'ingest', measure: 'p50 / p99 at that rate (ms)', value: best ? `${fixed(best.p50Ms)} / ${fixed(best.p99Ms)}` : 'n/a' },
        { section: 'ingest', measure: 'service CPU cores / peak RSS MiB', value: best ? `${fixed(best.cpuCores, 2)} / ${fixed(best.peakRssMiB, 0)}` : 'n/a' },
        { section: 'ingest', measure: 'floor (a) verify-only webhooks/s', value: fixed(verifyFloor, 0) },
        { section: 'ingest', measure: 'ours / floor (a) (ratio to the target: ours / (0.5 x floor (a)))', value: `${fixed(ours / verifyFloor, 2)} (${fixed(ours / (0.5 * verifyFloor), 2)})`, target: '>= 0.5 (>= 1)', met: ours / verifyFloor >= 0.5 },
        { section: 'ingest', measure: 'floor (b) database webhooks/s', value: fixed(dbFloor.webhooksPerSecond, 0) },
        { section: 'ingest', measure: 'ours / floor (b)', value: fixed(ours / dbFloor.webhooksPerSecond, 2) },
      );
    }
    if (sections.has('start')) {
      const count = options.startSessions ?? (options.smoke ? 2 : 200);
      log(`start latency: ${count} sessions, two real LiveKit clients each`);
      const start = await measureStartLatency({ serviceUrl: service.url, clinicToken: service.clinicToken, serviceDb, sessions: count, concurrency: options.smoke ? 1 : 2 });
      results.start = start;
      const d = start.serviceToClients;
      const p = start.peerSeenToClients;
      rows.push(
        { section: 'start', measure: 'sessions started / tried', value: `${start.sessions} / ${count}`, target: 'all', met: start.failures.length === 0 },
        { section: 'start', measure: 'webhook in -> session_started at both, p50/p95/p99 ms (ratio p99 / 50 ms)', value: `${fixed(d.p50)} / ${fixed(d.p95)} / ${fixed(d.p99)} (${fixed(d.p99 / 50, 2)})`, target: 'p99 < 50 (< 1)', met: d.p99 < 50 },
        { section: 'start', measure: 'counselor connected -> session_started at both, p50/p95/p99 ms', value: `${fixed(start.connectedToClients.p50)} / ${fixed(start.connectedToClients.p95)} / ${fixed(start.connectedToClients.p99)}` },
        { section: 'start', measure: 'peer seen (ParticipantConnected) -> session_started at both, p50/p95/p99 ms', value: `${fixed(p.p50)} / ${fixed(p.p95)} / ${fixed(p.p99)}` },
        { section: 'start', measure: 'peer seen -> webhook in (LiveKit), p50/p95/p99 ms', value: `${fixed(start.peerSeenToWebhook.p50)} / ${fixed(start.peerSeenToWebhook.p95)} / ${fixed(start.peerSeenToWebhook.p99)}` },
      );
    }
    if (sections.has('surge')) {
      const count = options.surgeSessions ?? (options.smoke ? 20 : 10_000);
      const windowSeconds = options.smoke ? 2 : 60;
      log(`surge: ${count.toLocaleString('en')} sessions whose pairs join within ${windowSeconds} s (signed synthetic webhooks, as LiveKit delivers them)`);
      // A service of its own with workers: its sessions' rooms exist only here, so no reconciliation pass may record their people gone.
      const surgeService = await ownService(stack, await freeTcpPort(), false, { RECONCILE_INTERVAL_SECONDS: '0' });
      const surgeDb = await mongoose.createConnection(surgeService.mongoUri).asPromise();
      try {
        const surge = await measureSurge({ serviceUrl: surgeService.url, clinicToken: surgeService.clinicToken, serviceDb: surgeDb, apiKey: stack.livekitApiKey, apiSecret: stack.livekitApiSecret, sessions: count, windowSeconds, settleMs: options.smoke ? 20_000 : 120_000, log });
        results.surge = surge;
        const a = surge.activation;
        rows.push(
          { section: 'surge', measure: `sessions active / pairs joined within ${windowSeconds} s`, value: `${surge.active} / ${surge.sessions}`, target: 'all', met: surge.active === surge.sessions },
          { section: 'surge', measure: 'completing webhook in -> activation recorded, p50/p95/p99/max ms (ratio p99 / 250 ms)', value: `${fixed(a.p50)} / ${fixed(a.p95)} / ${fixed(a.p99)} / ${fixed(a.max)} (${fixed(a.p99 / 250, 2)})`, target: 'p99 <= 250 (<= 1)', met: a.p99 <= 250 },
          { section: 'surge', measure: 'webhook answers p50 / p99 ms; first tries refused; given up', value: `${fixed(surge.answerP50Ms)} / ${fixed(surge.answerP99Ms)}; ${surge.refusedFirstTries}; ${surge.givenUp}`, target: 'none given up', met: surge.givenUp === 0 },
          { section: 'surge', measure: 'Sentinel failover during the surge', value: 'not run here (redisFailover.test.ts: 200 sessions)' },
        );
      } finally {
        await surgeDb.close();
        await surgeService.stop();
      }
    }
    if (sections.has('growth')) {
      const past = options.pastSessions ?? (options.smoke ? 2000 : 1_000_000);
      log(`cost growth: ingest with 1,000 and with ${past.toLocaleString('en')} past sessions stored`);
      const growth = await measureCostGrowth({
        service: intake as BenchService,
        serviceDb: intakeDb as mongoose.Connection,
        apiKey: stack.livekitApiKey,
        apiSecret: stack.livekitApiSecret,
        small: options.smoke ? 200 : 1000,
        large: past,
        rate: options.smoke ? 50 : 200,
        seconds: options.smoke ? 1 : 10,
        log,
      });
      results.growth = growth;
      rows.push(
        { section: 'growth', measure: `p50 / p99 ms with ${growth.small.past} past`, value: `${fixed(growth.small.p50Ms)} / ${fixed(growth.small.p99Ms)}` },
        { section: 'growth', measure: `p50 / p99 ms with ${growth.large.past} past`, value: `${fixed(growth.large.p50Ms)} / ${fixed(growth.large.p99Ms)}` },
        { section: 'growth', measure: 'ratio large / small (p50, p99)', value: `${fixed(growth.ratioP50, 2)} / ${fixed(growth.ratioP99, 2)}`, target: '<= 1.2', met: growth.ratioP50 <= 1.2 && growth.ratioP99 <= 1.2 },
      );
    }
    if (sections.has('history')) {
      const flaps = options.smoke ? 20 : 1000;
      const readEvents = options.smoke ? 60 : 10_000;
      log(`history: ${flaps} join/leave flaps of one student in one session, then reads at ${readEvents.toLocaleString('en')} events`);
      const history = await measureHistory({ service, apiKey: stack.livekitApiKey, apiSecret: stack.livekitApiSecret, flaps, readEvents, reads: options.smoke ? 5 : 100, log });
      results.history = history;
      rows.push(
        { section: 'history', measure: `webhook p50, first 100 / last 100 of ${history.webhooks} (ms)`, value: `${fixed(history.firstP50Ms)} / ${fixed(history.lastP50Ms)}` },
        { section: 'history', measure: 'ratio last / first', value: fixed(history.ratio, 2), target: '<= 1.5', met: history.ratio <= 1.5 },
        { section: 'history', measure: 'service event loop, largest delay (ms)', value: fixed(history.serviceLoopMaxMs), target: '< 50', met: history.serviceLoopMaxMs < 50 },
        { section: 'history', measure: `GET session p50 / p99 at ${history.readEvents.toLocaleString('en')} events (ms)`, value: `${fixed(history.readP50Ms)} / ${fixed(history.readP99Ms)}`, target: 'p99 < 100', met: history.readP99Ms < 100 },
      );
    }
    if (sections.has('group')) {
      log('group cost: webhooks of 16-person sessions against those of pairs, the same intake and rate');
      const group = await measureGroupCost({
        service: intake as BenchService,
        serviceDb: intakeDb as mongoose.Connection,
        apiKey: stack.livekitApiKey,
        apiSecret: stack.livekitApiSecret,
        rate: options.smoke ? 50 : 200,
        seconds: options.smoke ? 1 : 10,
        rounds: options.smoke ? 1 : 3,
        log,
      });
      results.group = group;
      rows.push(...groupCostRows(group));
    }
    if (sections.has('widget')) {
      log('widget: bundle sizes, time to the waiting room and from the start to the first remote frame in Chromium');
      const widget = await measureWidget({ service, stack, runs: options.smoke ? 1 : 10 });
      results.widget = widget;
      rows.push(
        { section: 'widget', measure: 'widget code alone, min+gzip KB', value: fixed(widget.widgetGzipKB, 1), target: '< 19.5 (20,000 B)', met: widget.widgetGzipKB * 1024 < 20_000 },
        { section: 'widget', measure: 'script-tag bundle, min+gzip KB', value: fixed(widget.bundleGzipKB, 1) },
        { section: 'widget', measure: 'script load -> waiting room, p50 / max ms', value: `${fixed(widget.toWaitingRoom.p50)} / ${fixed(widget.toWaitingRoom.max)}` },
        { section: 'widget', measure: `session-started -> remote first frame, p50 / max ms (${widget.startToFirstFrame.pages} pages)`, value: `${fixed(widget.startToFirstFrame.p50)} / ${fixed(widget.startToFirstFrame.max)}` },
      );
    }
    log('');
    printTable(rows, log);
    results.rows = rows;
    if (options.resultsDir) {
      const json = writeResults(options.resultsDir, results);
      log(`\nresults: ${json}\npicture: ${writeReport(json, results as ReportInput)}`);
    }
    return { rows, results };
  } finally {
    await serviceDb.close();
    await intakeDb?.close();
    await intake?.stop();
    await started?.stop();
    await ownStack?.stop();
  }
}
