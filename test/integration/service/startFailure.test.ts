// A start that fails half way closes what it opened: the service is a stack of resources, each
// opened in order and closed in reverse (webhook-service/resourceStack.ts). Each test fails one
// dependency of the real stack in turn (Redis, MongoDB, a port already taken after everything else
// opened) and checks that the error names it and that nothing stays open: the process's own
// sockets and timers, and Redis's own list of clients.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { createLogger } from '../../../webhook-service/logger';
import { describeFailure, StartFailure } from '../../../webhook-service/resourceStack';
import { createService, type ServiceRoles } from '../../../webhook-service/main';
import { migrateDatabase } from '../../../webhook-service/store/migrate';
import { mongoUriFor, uniqueName, waitFor } from '../../support/isolation';
import { testConfig } from './harness';

const root = path.resolve(__dirname, '../../..');
const both: ServiceRoles = { api: true, worker: true };

/** What keeps a Node process alive: sockets, servers and timers, by kind. */
function openResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The clients connected to the stack's Redis, less the one asking. */
async function redisClients(): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL as string);
  try {
    return String(await redis.client('LIST')).trim().split('\n').length - 1;
  } finally {
    redis.disconnect();
  }
}

/** The config on a fresh, migrated database, with outbox endpoints so that it opens too. */
async function migratedConfig(overrides: Record<string, string> = {}) {
  const config = testConfig({ CLINIC_WEBHOOK_URLS: 'backend=http://127.0.0.1:9/events', CLINIC_WEBHOOK_SECRET: 'whsec_c3RhcnQtZmFpbHVyZS10ZXN0LXNlY3JldA==', ...overrides });
  await migrateDatabase(config.MONGODB_URI);
  return config;
}

/** What is open now, for comparing before and after a start. */
async function snapshot(): Promise<{ resources: Record<string, number>; clients: number }> {
  return { resources: openResources(), clients: await redisClients() };
}

/** Only what grew since `before` (sockets, servers, timers, Redis clients): empty when nothing was left open. */
function grownSince(before: Awaited<ReturnType<typeof snapshot>>, now: Awaited<ReturnType<typeof snapshot>>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [kind, count] of Object.entries(now.resources)) if (count > (before.resources[kind] ?? 0)) grown[kind] = count - (before.resources[kind] ?? 0);
  if (now.clients > before.clients) grown['Redis clients'] = now.clients - before.clients;
  return grown;
}

/** Waits (closing sockets takes a turn of the event loop) until nothing is open that was not open `before`. */
async function expectNothingLeftOpen(before: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  const left = await waitFor(async () => (Object.keys(grownSince(before, await snapshot())).length === 0 ? 'nothing' : null), { timeoutMs: 5000 }).catch(async () => grownSince(before, await snapshot()));
  expect(left).toBe('nothing');
}

test('when Redis does not answer, then the start fails naming it, and the MongoDB connections it opened first are closed', async () => {
  const deadRedis = `redis://127.0.0.1:${await freeTcpPort()}`;
  const config = await migratedConfig({ REDIS_URL: deadRedis });
  const before = await snapshot();
  const failure = await createService(config, both, createLogger('silent')).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(StartFailure);
  expect((failure as StartFailure).dependency).toBe(`Redis (session copy) at ${deadRedis}`);
  await expectNothingLeftOpen(before);
});

test('when MongoDB does not answer, then the start fails naming it and opens nothing', async () => {
  const deadMongo = `mongodb://127.0.0.1:${await freeTcpPort()}/autostart_absent`;
  const config = testConfig({ MONGODB_URI: deadMongo });
  const before = await snapshot();
  await expect(createService(config, both, createLogger('silent'))).rejects.toMatchObject({ name: 'StartFailure', dependency: `MongoDB (sessions) at ${deadMongo}` });
  await expectNothingLeftOpen(before);
});

test('when the database was never migrated, then the start fails naming MongoDB and saying to run the migration', async () => {
  const config = testConfig({ MONGODB_URI: mongoUriFor(uniqueName('autostart_unmigrated').replaceAll('-', '_')) });
  const before = await snapshot();
  const failure = await createService(config, both, createLogger('silent')).then(
    () => null,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ dependency: `MongoDB (sessions) at ${config.MONGODB_URI}` });
  expect(describeFailure(failure)).toContain('run `npm run migrate`');
  await expectNothingLeftOpen(before);
});

test('when the HTTP port is taken after everything else opened, then listen fails naming the port and closes MongoDB, Redis, the queue, the outbox and the worker', async () => {
  const config = await migratedConfig();
  const before = await snapshot();
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const service = await createService(config, both, createLogger('silent'));
    // Everything is open now: the sessions' copy and locks, the queue, the outbox, the probe log, the limiter, the worker.
    expect(await redisClients()).toBeGreaterThanOrEqual(before.clients + 7);
    await expect(service.listen(port, '127.0.0.1')).rejects.toMatchObject({ name: 'StartFailure', dependency: `the HTTP port 127.0.0.1:${port}` });
    // Stopping a service whose start failed is harmless: everything was closed once already.
    await service.stop();
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
  await expectNothingLeftOpen(before);
});

test('when the process cannot reach Redis, then it exits 1 with a message naming Redis and why', async () => {
  const config = await migratedConfig();
  const deadRedis = `redis://127.0.0.1:${await freeTcpPort()}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'webhook-service/main.ts', '--api-only'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', MONGODB_URI: config.MONGODB_URI, REDIS_URL: deadRedis, LIVEKIT_URL: config.LIVEKIT_URL, LIVEKIT_API_KEY: config.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: config.LIVEKIT_API_SECRET, CLINIC_API_TOKEN: 'start-failure-clinic-token-0123456789', LOG_LEVEL: 'silent', PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain(`webhook service failed to start: could not open Redis (session copy) at ${deadRedis}: `);
  // ioredis reports a refused connect as a closed connection.
  expect(stderr).toMatch(/the session store is unavailable: Connection is closed/);
});
