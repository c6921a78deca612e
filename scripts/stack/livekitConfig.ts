// The livekit.yaml the launcher generates: random keys, free ports, and everything pinned to
// loopback. Key names checked against livekit-server v1.13.5 (pkg/config/config.go) and
// livekit/mediatransportutil (pkg/rtcconfig).
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { loopback } from './ports';

export interface LivekitConfigInput {
  httpPort: number;
  udpPort: number;
  webhookPort: number;
  /**
   * The Redis that makes several nodes one cluster (LiveKit's multi-node mode): rooms, nodes and
   * the routing of API calls and signalling live there. Absent: a single node on its own.
   */
  redis?: LivekitRedis;
}

/** LiveKit's `redis:` block, from a redis:// URL. */
export interface LivekitRedis {
  address: string;
  username?: string;
  password?: string;
  db?: number;
}

export function livekitRedisFromUrl(url: string): LivekitRedis {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error('LiveKit nodes need a plain redis:// URL for their shared Redis');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    address: `${parsed.hostname}:${parsed.port || '6379'}`,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db } : {}),
  };
}

export interface LivekitKeys {
  apiKey: string;
  apiSecret: string;
}

export function randomLivekitKeys(): LivekitKeys {
  return {
    apiKey: `API${randomBytes(6).toString('hex')}`,
    apiSecret: randomBytes(32).toString('base64url'),
  };
}

export function livekitConfigYaml(input: LivekitConfigInput, keys: LivekitKeys): string {
  return stringify({
    port: input.httpPort,
    bind_addresses: [loopback],
    rtc: {
      // One UDP port for all ICE traffic. ICE over TCP off (0 overrides the default 7881):
      // that listener ignores bind_addresses and would listen on every interface.
      udp_port: input.udpPort,
      tcp_port: 0,
      use_external_ip: false,
      // An explicit node IP also keeps LiveKit from asking public STUN servers for one.
      node_ip: loopback,
      enable_loopback_candidate: true,
      // Only loopback: the UDP mux binds one socket per allowed address, and ICE gathers
      // candidates on allowed addresses only.
      interfaces: { includes: ['lo'] },
      ips: { includes: [`${loopback}/32`] },
    },
    ...(input.redis ? { redis: input.redis } : {}),
    keys: { [keys.apiKey]: keys.apiSecret },
    webhook: {
      api_key: keys.apiKey,
      urls: [`http://${loopback}:${input.webhookPort}/livekit/webhook`],
    },
    // Seconds. Short, so tests see rooms close without waiting minutes.
    room: { empty_timeout: 10, departure_timeout: 5 },
    logging: { level: 'info', json: false },
  });
}
