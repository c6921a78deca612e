// A two-node LiveKit cluster of the test's own (LiveKit's multi-node mode: two livekit-server
// processes sharing one Redis), with the webhook service listening where both nodes post, and the
// tools to put a room on a chosen node. Everything on loopback; stop() leaves nothing running.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { livekitBinary } from '../../../scripts/stack';
import { livekitHttpUrl, startLivekitCluster, type LivekitCluster, type LivekitNode } from '../../../scripts/stack/livekitCluster';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { createLogger } from '../../../webhook-service/logger';
import { createService } from '../../../webhook-service/main';
import { migrateDatabase } from '../../../webhook-service/store/migrate';
import { uniqueName } from '../../support/isolation';
import { OwnRedis } from './faultTools';
import { testConfig, type RunningService } from './harness';

export interface TwoNodes {
  cluster: LivekitCluster;
  /** The service, its LIVEKIT_URL on the first node (as behind a load balancer that picked it). */
  service: RunningService;
  /** The node LiveKit's Redis says hosts `room`, or null when none does. */
  nodeOf(room: string): Promise<LivekitNode | null>;
  /** A new room (name unique) that LiveKit placed on `node`; others it placed elsewhere are deleted. */
  /** Opens rooms named by `nextName` until LiveKit places one on `node`; returns that name. */
  roomOn(node: LivekitNode, nextName: () => Promise<string>): Promise<string>;
  stop(): Promise<void>;
}

export async function startTwoNodes(): Promise<TwoNodes> {
  const redis = new OwnRedis(await freeTcpPort());
  await redis.start();
  const webhookPort = await freeTcpPort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'livekit-nodes-'));
  const logDir = path.resolve(__dirname, '../../../.stack/logs', uniqueName('livekit-nodes'));
  fs.mkdirSync(logDir, { recursive: true });
  const cluster = await startLivekitCluster({ nodes: 2, redisUrl: redis.url, webhookPort, dataDir, logDir, command: livekitBinary() });
  const lookup = new Redis(redis.url, { lazyConnect: true });
  const stopAll = async () => {
    lookup.disconnect();
    await cluster.stop();
    await redis.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await cluster.waitReady();
    const config = testConfig({ LIVEKIT_URL: cluster.nodes[0]!.url, LIVEKIT_API_KEY: cluster.keys.apiKey, LIVEKIT_API_SECRET: cluster.keys.apiSecret });
    await migrateDatabase(config.MONGODB_URI);
    const service = await createService(config, { api: true, worker: true }, createLogger(config.LOG_LEVEL));
    const port = await service.listen(webhookPort, '127.0.0.1');
    const running: RunningService = { url: `http://127.0.0.1:${port}`, config, service, stop: () => service.stop() };
    const api = new RoomServiceClient(livekitHttpUrl(cluster.nodes[0]!.url), cluster.keys.apiKey, cluster.keys.apiSecret);
    const nodeOf = async (room: string) => {
      const id = await lookup.hget('room_node_map', room);
      return cluster.nodes.find((node) => node.nodeId() === id) ?? null;
    };
    return {
      cluster,
      service: running,
      nodeOf,
      async roomOn(node, nextName) {
        // LiveKit picks a node for each new room at random among the available ones.
        for (let attempt = 0; attempt < 40; attempt += 1) {
          const room = await nextName();
          await api.createRoom({ name: room, emptyTimeout: 120, departureTimeout: 20 });
          if ((await nodeOf(room)) === node) return room;
          await api.deleteRoom(room);
        }
        throw new Error(`LiveKit placed none of 40 rooms on ${node.nodeId()}`);
      },
      async stop() {
        await running.stop();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The TCP and UDP sockets a process has open, as `ss` lists them (local address:port). */
export function socketsOf(pid: number): string[] {
  const listing = execFileSync('ss', ['-tuanpH'], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[4] as string);
}
