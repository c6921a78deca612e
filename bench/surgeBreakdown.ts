// What limits the surge's activations a second: `npx tsx bench/surgeBreakdown.ts [sessions=2000] [window s=60]`
// (WORKER_CONCURRENCY from the environment) starts a stack and a service with its workers in
// this process, runs bench/surge.ts's surge against it (LiveKit-signed synthetic joins, one
// request at a time per room), and prints, from BullMQ's own timestamps of each activation job:
// the intake's part (completing webhook in -> job added), the wait for a free worker slot (added
// -> taken) and the slot's time (taken -> finished), second by second the joins completing, jobs
// taken and finished; each call of the activation (as bench/startBreakdown.ts times them); and
// the CPU each process of the stack used (this process is the service and the load generator).
// `SURGE_WORKER_PROCESS=1`: the workers run in a process of their own (`--worker-only`, as a
// deployment would run them), this process keeping the intake; the activation's calls are then
// not timed (they run in the other process), BullMQ's timestamps still are; with
// `SURGE_WORKER_CPU_PROF_DIR=DIR` that process writes its V8 CPU profile there (bench/profileSummary.ts reads it).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Job, Queue } from 'bullmq';
import mongoose from 'mongoose';
import { startServiceProcess } from '../scripts/serviceProcess';
import { startStack } from '../scripts/stack';
import { freeTcpPort } from '../scripts/stack/ports';
import { serviceEnv } from '../scripts/shared/serviceEnv';
import { loadConfig } from '../webhook-service/config';
import { createLogger } from '../webhook-service/logger';
import { createService } from '../webhook-service/main';
import { LIFECYCLE_QUEUE } from '../webhook-service/queue/lifecycleQueue';
import { migrateDatabase } from '../webhook-service/store/migrate';
import { describeMs, recordActivationCalls } from './activationTimings';
import { inBatches } from './batches';
import { percentile } from './requests';
import { measureSurge } from './surge';

const CLINIC_TOKEN = 'surge-breakdown-token-0123456789abcdef';

/** CPU seconds used so far by this process and each of its children, by command name. */
function cpuByCommand(): Map<string, number> {
  const used = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid !== process.pid && Number(fields[1]) !== process.pid) continue;
      const label = pid === process.pid ? 'this process (load generator + intake, + workers unless apart)' : name;
      used.set(label, (used.get(label) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // Gone between listing and reading.
    }
  }
  return used;
}

async function main(): Promise<void> {
  const sessions = Number(process.argv[2] ?? 2000);
  const windowSeconds = Number(process.argv[3] ?? 60);
  const stack = await startStack();
  const recorder = recordActivationCalls();
  try {
    const database = `surge_breakdown_${randomBytes(4).toString('hex')}`;
    const prefix = `surge-breakdown-${randomBytes(3).toString('hex')}`;
    const env = serviceEnv(stack, {
      database,
      clinicApiToken: CLINIC_TOKEN,
      prefix,
      extra: { RATE_LIMIT_PER_KEY_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0', RECONCILE_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent', PORT: '0', ...(process.env.WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY } : {}) },
    });
    const config = loadConfig({ ...process.env, ...env });
    await migrateDatabase(config.MONGODB_URI);
    const workerApart = process.env.SURGE_WORKER_PROCESS === '1';
    const service = await createService(config, { api: true, worker: !workerApart }, createLogger('silent'));
    const port = await service.listen(0, '127.0.0.1');
    const workers = workerApart ? await startServiceProcess({ port: await freeTcpPort(), env, args: ['--worker-only'], nodeArgs: process.env.SURGE_WORKER_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SURGE_WORKER_CPU_PROF_DIR}`] : [], stdio: 'ignore', migrate: false }) : null;
    const db = await mongoose.createConnection(config.MONGODB_URI).asPromise();
    const queue = new Queue(LIFECYCLE_QUEUE, { connection: { url: stack.redisUrl }, prefix });
    const cpuBefore = cpuByCommand();
    let surgeStartedAt = 0;
    const result = await measureSurge({
      serviceUrl: `http://127.0.0.1:${port}`,
      clinicToken: CLINIC_TOKEN,
      serviceDb: db,
      apiKey: stack.livekitApiKey,
      apiSecret: stack.livekitApiSecret,
      sessions,
      windowSeconds,
      settleMs: 120_000,
      log: (line) => {
        if (line.includes('joins now')) surgeStartedAt = Date.now() + 500;
        console.log(line);
      },
    });
    const cpuAfter = cpuByCommand();
    const elapsed = (Date.now() - surgeStartedAt) / 1000;

    const ids = (await db.collection('sessions').find({}, { projection: { _id: 1 } }).toArray()).map((doc) => String(doc._id));
    const joins = await db.collection('session_events').find({ kind: 'participant_joined' }, { projection: { sessionId: 1, receivedAt: 1 } }).toArray();
    const completedAt = new Map<string, number>();
    for (const join of joins) completedAt.set(String(join.sessionId), Math.max(completedAt.get(String(join.sessionId)) ?? 0, new Date(join.receivedAt as Date).getTime()));
    const jobs = (await inBatches(ids, 32, (id) => Job.fromId(queue, `activate-${id}`).then((job) => ({ id, job }))))
      .filter(({ job }) => job?.processedOn && job.finishedOn);
    const intake = jobs.map(({ id, job }) => (job as Job).timestamp - (completedAt.get(id) ?? Number.NaN)).filter(Number.isFinite);
    const waits = jobs.map(({ job }) => (job as Job).processedOn! - (job as Job).timestamp);
    const slots = jobs.map(({ job }) => (job as Job).finishedOn! - (job as Job).processedOn!);
    const meanSlot = slots.reduce((sum, ms) => sum + ms, 0) / Math.max(1, slots.length);
    console.log(`\n${result.active} / ${result.sessions} active; activation recorded p50 ${result.activation.p50} / p95 ${result.activation.p95} / p99 ${result.activation.p99} / max ${result.activation.max} ms; answers p50 ${result.answerP50Ms} / p99 ${result.answerP99Ms} ms; refused first tries ${result.refusedFirstTries}, given up ${result.givenUp}`);
    console.log(`worker concurrency ${config.WORKER_CONCURRENCY}${workerApart ? ', workers in a process of their own' : ', workers in the intake\'s process'}; ${jobs.length} activation jobs`);
    console.log(`  completing webhook in -> job added (intake)   ${describeMs(intake)}`);
    console.log(`  job added -> taken by a worker (queue wait)   ${describeMs(waits)}`);
    console.log(`  job taken -> finished (a slot's time)          ${describeMs(slots)}`);
    console.log(`  so at most ${((config.WORKER_CONCURRENCY * 1000) / meanSlot).toFixed(0)} activations/s with ${config.WORKER_CONCURRENCY} slots busy`);
    const perSecond = (times: number[]): Map<number, number> => {
      const counts = new Map<number, number>();
      for (const at of times) counts.set(Math.floor((at - surgeStartedAt) / 1000), (counts.get(Math.floor((at - surgeStartedAt) / 1000)) ?? 0) + 1);
      return counts;
    };
    const completing = perSecond([...completedAt.values()]);
    const taken = perSecond(jobs.map(({ job }) => (job as Job).processedOn!));
    const finished = perSecond(jobs.map(({ job }) => (job as Job).finishedOn!));
    const seconds = [...new Set([...completing.keys(), ...finished.keys()])].sort((a, b) => a - b);
    console.log('  second: pairs completed / jobs taken / jobs finished (every 5th second)');
    for (const second of seconds.filter((s) => s % 5 === 0)) console.log(`    ${String(second).padStart(4)}: ${completing.get(second) ?? 0} / ${taken.get(second) ?? 0} / ${finished.get(second) ?? 0}`);
    const byCall = new Map<string, number[]>();
    for (const call of recorder.calls) byCall.set(call.call, [...(byCall.get(call.call) ?? []), call.endedAt - call.startedAt]);
    console.log('  calls during the run:');
    for (const [call, durations] of [...byCall].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) console.log(`    ${call.padEnd(52)} ${describeMs(durations)}`);
    console.log(`  CPU over the surge and its settling (${elapsed.toFixed(0)} s), in cores:`);
    for (const [name, seconds] of cpuAfter) console.log(`    ${name.padEnd(42)} ${((seconds - (cpuBefore.get(name) ?? 0)) / elapsed).toFixed(2)}`);
    console.log(`  p99 of the per-second activation p99s: ${percentile(result.timeline.map((s) => s.activationP99Ms).filter(Number.isFinite), 99)} ms`);
    await queue.close();
    await db.close();
    await workers?.stop();
    await service.stop();
  } finally {
    recorder.stop();
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
