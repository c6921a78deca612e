// LiveKit as the stack runs it: one node, or several livekit-server processes that share one
// Redis and so form one cluster (LiveKit's multi-node mode). Each node has its own HTTP and UDP
// ports, its own node id (LiveKit draws one at start; read back from its log), and listens on
// loopback only. Every room lives on one node, which sends that room's webhooks; API calls and
// clients may go to any node and are routed to it through Redis.
import fs from 'node:fs';
import path from 'node:path';
import { livekitConfigYaml, livekitRedisFromUrl, randomLivekitKeys, type LivekitKeys } from './livekitConfig';
import { freeTcpPort, freeUdpPort, loopback } from './ports';
import { livekitAnswersOk } from './probes';
import { ServerProcess } from './ServerProcess';

export interface LivekitNode {
  /** `ws://127.0.0.1:PORT`, for clients and the server SDK alike. */
  url: string;
  httpPort: number;
  udpPort: number;
  server: ServerProcess;
  /** LiveKit's own id of this node (`ND_...`), as it appears in Redis' `room_node_map`. Known once ready. */
  nodeId(): string;
}

export interface LivekitClusterOptions {
  /** How many nodes. More than one needs `redisUrl`. */
  nodes: number;
  /** The Redis the nodes share (LiveKit's keys are its own: `nodes`, `rooms`, `room_node_map`, ...). */
  redisUrl?: string;
  /** LiveKit posts every node's webhooks to `http://127.0.0.1:<webhookPort>/livekit/webhook`. */
  webhookPort: number;
  /** Where each node's `livekit.yaml` goes (holds the secret: mode 0600). */
  dataDir: string;
  /** Where each node writes `livekit-<n>.log` (`livekit.log` for a single node). */
  logDir: string;
  /** Path of the livekit-server binary. */
  command: string;
  /** @defaultValue fresh random keys */
  keys?: LivekitKeys;
  /** @defaultValue 30000 */
  readyTimeoutMs?: number;
}

export interface LivekitCluster {
  nodes: LivekitNode[];
  keys: LivekitKeys;
  /** Every node ready: its HTTP root answers and its node id is known. */
  waitReady(): Promise<void>;
  stop(): Promise<void>;
}

/** `ws://host:port` -> `http://host:port`, for LiveKit's HTTP API. */
export function livekitHttpUrl(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):/, 'http$1:');
}

const NODE_ID = /"nodeID": "(ND_[A-Za-z0-9]+)"/;

export async function startLivekitCluster(options: LivekitClusterOptions): Promise<LivekitCluster> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1) throw new Error(`LiveKit nodes must be a positive integer, got ${options.nodes}`);
  if (options.nodes > 1 && !options.redisUrl) throw new Error('several LiveKit nodes need a Redis to share (redisUrl)');
  const keys = options.keys ?? randomLivekitKeys();
  const redis = options.redisUrl ? livekitRedisFromUrl(options.redisUrl) : undefined;
  const nodes: LivekitNode[] = [];
  for (let index = 0; index < options.nodes; index += 1) {
    const [httpPort, udpPort] = [await freeTcpPort(), await freeUdpPort()];
    const name = options.nodes === 1 ? 'livekit' : `livekit-${index + 1}`;
    const configFile = path.join(options.dataDir, `${name}.yaml`);
    fs.writeFileSync(configFile, livekitConfigYaml({ httpPort, udpPort, webhookPort: options.webhookPort, redis }, keys), { mode: 0o600 });
    const url = `ws://${loopback}:${httpPort}`;
    const server = ServerProcess.start(
      {
        name,
        command: options.command,
        args: ['--config', configFile],
        cwd: options.dataDir,
        ready: () => livekitAnswersOk(livekitHttpUrl(url)),
        readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
        // LiveKit drains on its first SIGTERM (waiting for participants) and stops at once on the second.
        stopSignals: ['SIGTERM', 'SIGTERM'],
      },
      options.logDir,
    );
    let nodeId: string | undefined;
    nodes.push({
      url,
      httpPort,
      udpPort,
      server,
      nodeId() {
        nodeId ??= NODE_ID.exec(fs.readFileSync(server.logFile, 'utf8'))?.[1];
        if (!nodeId) throw new Error(`${name} has not logged its node id yet (see ${server.logFile})`);
        return nodeId;
      },
    });
  }
  return {
    nodes,
    keys,
    async waitReady() {
      await Promise.all(nodes.map((node) => node.server.waitReady()));
      // Logged before the HTTP listener opens, so known by now.
      nodes.forEach((node) => node.nodeId());
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.server.stop()));
    },
  };
}
