// Where an ingest webhook's time goes: `npx tsx bench/ingestBreakdown.ts [rate=100] [GROUP_COMMIT_WINDOW_MS=5] [lost-copies]`
// starts a stack and an intake in this process with MongoDB's command monitoring on, runs one
// step of the ingest workload (bench/ingestWorkload.ts) at the rate, and prints each MongoDB
// command's count per webhook and its durations (as the driver saw them), and each Redis
// command's calls per webhook (INFO commandstats): a lock that waits shows as SET NX retries;
// this process's CPU per webhook and Redis's read events per webhook (the clients' writes: round
// trips) during the step; and, for each shape of read the step sent to
// the database, whether FerretDB pushes its filter down (its `explain`; v1.24's SQLite backend
// pushes down only `{ _id: <string or ObjectId> }`, and then still scans the table in SQLite).
// `lost-copies` deletes the sessions' Redis copies before the step, as a Redis that lost them.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { startStack } from '../scripts/stack';
import { serviceEnv } from '../scripts/shared/serviceEnv';
import { loadConfig } from '../webhook-service/config';
import { createLogger } from '../webhook-service/logger';
import { createService } from '../webhook-service/main';
import { migrateDatabase } from '../webhook-service/store/migrate';
import { createClinicClient, must } from '../webhook-service/client';
import { buildIngestRequests, EVENTS_PER_ROOM } from './ingestWorkload';
import { percentile } from './requests';
import { runRoomQueues } from './roomQueues';

const READS = new Set(['find', 'count', 'aggregate', 'distinct']);

/** `total_reads_processed` from `INFO stats`. */
const readsProcessed = (info: string): number => Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1] ?? Number.NaN);

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 100);
  const windowMs = process.argv[3] ?? '5';
  const lostCopies = process.argv[4] === 'lost-copies';
  const stack = await startStack();
  try {
    const database = `where_${randomBytes(4).toString('hex')}`;
    const env = serviceEnv(stack, { database, clinicApiToken: 'where-token-0123456789abcdef', prefix: `where-${randomBytes(3).toString('hex')}`, extra: { RATE_LIMIT_PER_KEY_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0', RECONCILE_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent', GROUP_COMMIT_WINDOW_MS: windowMs, PORT: '0' } });
    env.MONGODB_URI = `${env.MONGODB_URI}?monitorCommands=true`;
    const config = loadConfig({ ...process.env, ...env });
    await migrateDatabase(config.MONGODB_URI);
    const service = await createService(config, { api: true, worker: false }, createLogger('silent'));
    const port = await service.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const stats = new Map<string, number[]>();
    const names = new Map<number, string>();
    // One command of each read shape (command, collection, filter fields), to ask FerretDB afterwards whether it pushes the filter down.
    const readShapes = new Map<string, { db: mongoose.mongo.Db; command: Record<string, unknown> }>();
    for (const connection of mongoose.connections.filter((connection) => connection.readyState === mongoose.ConnectionStates.connected)) {
      const client = connection.getClient();
      client.on('commandStarted', (e) => {
        names.set(e.requestId, `${e.commandName} ${String(e.command[e.commandName] ?? '')}`);
        const filter = (e.command.filter ?? e.command.query) as Record<string, unknown> | undefined;
        if (!READS.has(e.commandName) || !filter) return;
        const shape = `${e.commandName} ${String(e.command[e.commandName])} ${JSON.stringify(Object.keys(filter).map((field) => [field, typeof filter[field] === 'object' && filter[field] !== null ? Object.keys(filter[field] as object) : 'value']))}`;
        if (!readShapes.has(shape)) readShapes.set(shape, { db: client.db(e.databaseName), command: { [e.commandName]: e.command[e.commandName], [e.commandName === 'count' ? 'query' : 'filter']: filter } });
      });
      const done = (e: { requestId: number; duration: number }): void => {
        const name = names.get(e.requestId) ?? '?';
        stats.set(name, [...(stats.get(name) ?? []), e.duration]);
      };
      client.on('commandSucceeded', done);
      client.on('commandFailed', done);
    }
    const api = createClinicClient({ baseUrl: url, token: 'where-token-0123456789abcdef' });
    const rooms = Array.from({ length: Math.ceil((rate * 5) / EVENTS_PER_ROOM) }, (_, i) => ({ room: '', studentIdentity: `s-${i}`, counselorIdentity: `c-${i}` }));
    for (const room of rooms) room.room = (await api.createSession({ studentIdentity: room.studentIdentity, counselorIdentity: room.counselorIdentity }).then(must)).roomName;
    const requests = await buildIngestRequests(rooms, stack.livekitApiKey, stack.livekitApiSecret);
    const redis = new Redis(stack.redisUrl);
    if (lostCopies) {
      // As after a Redis that lost its data: every session's first webhook rebuilds its copy from the database.
      const keys = await redis.keys(`${config.SESSION_COPY_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.config('RESETSTAT');
    stats.clear();
    readShapes.clear();
    const readsBefore = readsProcessed(await redis.info('stats'));
    const cpuBefore = process.cpuUsage();
    const result = await runRoomQueues({ baseUrl: url, ratePerSecond: rate, requests });
    const cpu = process.cpuUsage(cpuBefore);
    const readsAfter = readsProcessed(await redis.info('stats'));
    const info = await redis.info('commandstats');
    console.log(`rate ${rate}/s window ${windowMs} ms: achieved ${result.achievedRate.toFixed(0)}/s p50 ${percentile(result.latenciesMs, 50).toFixed(1)} p99 ${percentile(result.latenciesMs, 99).toFixed(1)} statuses ${JSON.stringify(result.statuses)} webhooks ${requests.length}`);
    // The intake and the load generator share this process (the requests were signed before the step).
    console.log(`  cpu of this process (intake + generator): ${((cpu.user + cpu.system) / 1000 / requests.length).toFixed(2)} ms per webhook (user ${(cpu.user / 1000 / requests.length).toFixed(2)}, system ${(cpu.system / 1000 / requests.length).toFixed(2)})`);
    for (const [name, durations] of [...stats].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) {
      console.log(`  mongo ${name.padEnd(40)} n=${String(durations.length).padStart(5)} per webhook ${(durations.length / requests.length).toFixed(2)} mean ${(durations.reduce((x, y) => x + y, 0) / durations.length).toFixed(1)} ms p99 ${percentile(durations, 99).toFixed(1)} ms`);
    }
    // Each is one write of a client that Redis read (a command, a pipeline or a MULTI): the round trips, whatever the machine's load.
    console.log(`  redis reads processed (client writes, BullMQ's included): ${((readsAfter - readsBefore) / requests.length).toFixed(2)} per webhook`);
    for (const [shape, { db, command }] of readShapes) {
      // FerretDB answers `filterPushdown`; MongoDB a plan (an index scan or a COLLSCAN).
      const explained = await db.command({ explain: command, verbosity: 'queryPlanner' }).catch((error: unknown) => ({ error: String(error) }));
      const verdict = 'filterPushdown' in explained ? `FerretDB pushes the filter down: ${String(explained.filterPushdown)}` : JSON.stringify(explained).includes('COLLSCAN') ? 'MongoDB: COLLSCAN' : 'MongoDB: no COLLSCAN';
      console.log(`  read ${shape}: ${verdict}`);
    }
    for (const line of info.split('\n').filter((entry) => entry.startsWith('cmdstat_'))) {
      const stat = /cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(line);
      if (stat) console.log(`  redis ${(stat[1] as string).padEnd(12)} calls ${stat[2]} per webhook ${(Number(stat[2]) / requests.length).toFixed(2)} server usec ${stat[3]}`);
    }
    redis.disconnect();
    await service.stop();
  } finally {
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
