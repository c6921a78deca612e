// Readiness probes: each asks its server the question a client would, so "ready" means a client
// can work, not merely that a port is open.
import net from 'node:net';
import { askRedisOnce } from '../../webhook-service/redis/connections';
import mongoose from 'mongoose';

export const redisAnswersPing = (url: string): Promise<boolean> => askRedisOnce({ url }, async (redis) => (await redis.ping()) === 'PONG');

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function mongoAnswersPing(uri: string): Promise<boolean> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2000 });
  try {
    await connection.asPromise();
    const reply = await connection.db!.admin().ping();
    return reply.ok === 1;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** LiveKit's HTTP root answers 200 "OK" once the server accepts clients. */
export async function livekitAnswersOk(httpUrl: string): Promise<boolean> {
  const response = await fetch(httpUrl, { signal: AbortSignal.timeout(2000) });
  return response.status === 200 && (await response.text()).trim() === 'OK';
}
