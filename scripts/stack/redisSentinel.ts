// Redis with failover, from Debian's redis-server: a primary, a replica and three Sentinels, all on
// loopback ports of their own. The Sentinels watch the primary under one name, agree it is down
// after a second of silence (quorum 2) and promote the replica; clients ask them where the primary
// is (REDIS_SENTINELS, REDIS_SENTINEL_NAME).
import fs from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { askRedisOnce } from '../../webhook-service/redis/connections';
import { freeTcpPort, loopback } from './ports';
import { redisAnswersPing } from './probes';
import { ServerProcess } from './ServerProcess';

export interface RedisSentinelSet {
  /** The name the Sentinels monitor the primary under. */
  name: string;
  sentinels: { host: string; port: number }[];
  /** `host:port,...`, as REDIS_SENTINELS takes it. */
  sentinelList: string;
  /** The two data servers, by the port each listens on. */
  dataServers: Map<number, ServerProcess>;
  /** The port of the server the Sentinels call primary now. */
  currentPrimaryPort(): Promise<number>;
  /** Resolves once every Sentinel knows the other two and sees the replica in sync. */
  waitSettled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  dataDir: string;
  logDir: string;
  /** @defaultValue 'autostart' */
  name?: string;
  /** How long the primary may be silent before a Sentinel calls it down, in ms. @defaultValue 1000 */
  downAfterMs?: number;
}

const readyTimeoutMs = 30_000;

const dataArgs = (port: number, dir: string) => ['--bind', loopback, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];

function sentinelConfig(port: number, dir: string, name: string, primaryPort: number, downAfterMs: number): string {
  return [
    `port ${port}`,
    `bind ${loopback}`,
    `dir ${dir}`,
    `sentinel monitor ${name} ${loopback} ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
    `sentinel failover-timeout ${name} 10000`,
    `sentinel parallel-syncs ${name} 1`,
    '',
  ].join('\n');
}

const ask = <T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> => askRedisOnce({ host: loopback, port }, work);

const fields = (flat: string[]): Record<string, string> => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));

export async function startRedisSentinel(options: RedisSentinelOptions): Promise<RedisSentinelSet> {
  const name = options.name ?? 'autostart';
  const downAfterMs = options.downAfterMs ?? 1000;
  const started: ServerProcess[] = [];
  const dataServers = new Map<number, ServerProcess>();
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    const [primaryPort, replicaPort] = [await freeTcpPort(), await freeTcpPort()];
    for (const [role, port] of [['primary', primaryPort], ['replica', replicaPort]] as const) {
      const dir = path.join(options.dataDir, `redis-${role}`);
      fs.mkdirSync(dir, { recursive: true });
      const args = [...dataArgs(port, dir), ...(role === 'replica' ? ['--replicaof', loopback, String(primaryPort)] : [])];
      const server = ServerProcess.start(
        { name: `redis-${role}`, command: 'redis-server', args, cwd: dir, ready: () => redisAnswersPing(`redis://${loopback}:${port}`), readyTimeoutMs, stopSignals: ['SIGTERM'] },
        options.logDir,
      );
      started.push(server);
      dataServers.set(port, server);
    }
    await Promise.all(started.map((server) => server.waitReady()));

    const sentinels: { host: string; port: number }[] = [];
    for (let index = 1; index <= 3; index += 1) {
      const port = await freeTcpPort();
      const dir = path.join(options.dataDir, `sentinel-${index}`);
      fs.mkdirSync(dir, { recursive: true });
      // Sentinel rewrites its own file as it learns the topology: one writable file each.
      const file = path.join(dir, 'sentinel.conf');
      fs.writeFileSync(file, sentinelConfig(port, dir, name, primaryPort, downAfterMs));
      const server = ServerProcess.start(
        { name: `sentinel-${index}`, command: 'redis-server', args: [file, '--sentinel'], cwd: dir, ready: () => ask(port, async (redis) => (await redis.ping()) === 'PONG'), readyTimeoutMs, stopSignals: ['SIGTERM'] },
        options.logDir,
      );
      started.push(server);
      sentinels.push({ host: loopback, port });
    }
    await Promise.all(started.map((server) => server.waitReady()));

    const currentPrimaryPort = async (): Promise<number> => {
      const [, port] = (await ask(sentinels[0]!.port, (redis) => redis.call('SENTINEL', 'get-master-addr-by-name', name))) as [string, string];
      return Number(port);
    };
    return {
      name,
      sentinels,
      sentinelList: sentinels.map((sentinel) => `${sentinel.host}:${sentinel.port}`).join(','),
      dataServers,
      currentPrimaryPort,
      async waitSettled(timeoutMs = 20_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const views = await Promise.all(
            sentinels.map((sentinel) =>
              ask(sentinel.port, async (redis) => {
                const peers = (await redis.call('SENTINEL', 'sentinels', name)) as string[][];
                const replicas = ((await redis.call('SENTINEL', 'replicas', name)) as string[][]).map(fields);
                return peers.length === 2 && replicas.length >= 1 && replicas.some((replica) => !/down|disconnected/.test(replica.flags ?? '') && replica['master-link-status'] === 'ok');
              }).catch(() => false),
            ),
          );
          if (views.every(Boolean)) return;
          if (Date.now() > deadline) throw new Error(`the Sentinels did not settle within ${timeoutMs} ms (see ${options.logDir})`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
