// The doctor's checks of each dependency on its own: MongoDB, Redis, LiveKit's API with the
// configured key, the clocks' offset, the service's own /healthz. Each answers a CheckResult and
// never throws; each names the likely cause of a failure.
import { RoomServiceClient, ServerError } from 'livekit-server-sdk';
import mongoose from 'mongoose';
import { databaseNameOf, redisTarget, type Config } from '../config';
import { askRedisOnce, failFastOptions } from '../redis/connections';
import type { CheckResult } from './report';

const TIMEOUT_MS = 5000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\/\/[^@/]*@/g, '//***@');

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

export async function checkMongo(config: Config): Promise<CheckResult> {
  const connection = mongoose.createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: TIMEOUT_MS });
  try {
    const { ms } = await timed(async () => {
      await connection.asPromise();
      await connection.db?.command({ ping: 1 });
    });
    return { name: 'mongodb', status: 'ok', detail: `answers in ${ms} ms (database ${databaseNameOf(config.MONGODB_URI)})` };
  } catch (error) {
    return { name: 'mongodb', status: 'fail', detail: `no answer: ${messageOf(error)}`, cause: 'MONGODB_URI names a server this machine cannot reach, or its credentials are refused.' };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export async function checkRedis(config: Config): Promise<CheckResult> {
  const started = performance.now();
  try {
    const { ms, policy } = await askRedisOnce({ ...failFastOptions(redisTarget(config)), connectTimeout: TIMEOUT_MS }, async (redis) => {
      await redis.ping();
      const answeredMs = Math.round(performance.now() - started);
      const readPolicy = await redis.config('GET', 'maxmemory-policy').then(
        (answer) => String((answer as string[])[1] ?? ''),
        () => null,
      );
      return { ms: answeredMs, policy: readPolicy };
    });
    if (policy !== null && policy !== 'noeviction') {
      return { name: 'redis', status: 'warn', detail: `answers in ${ms} ms, maxmemory-policy ${policy}`, cause: 'BullMQ needs maxmemory-policy noeviction: under memory pressure Redis would evict queued jobs and timers.' };
    }
    return { name: 'redis', status: 'ok', detail: `answers in ${ms} ms${policy === null ? ' (maxmemory-policy not readable here: make sure it is noeviction)' : ', maxmemory-policy noeviction'}` };
  } catch (error) {
    return { name: 'redis', status: 'fail', detail: `no answer: ${messageOf(error)}`, cause: 'REDIS_URL names a server this machine cannot reach, or its password is refused.' };
  }
}

export async function checkLiveKitApi(config: Config): Promise<CheckResult> {
  const client = new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, { requestTimeout: TIMEOUT_MS / 1000, failover: false });
  try {
    const { ms } = await timed(() => client.listRooms(['autostart-doctor-api-check']));
    return { name: 'livekit-api', status: 'ok', detail: `answers in ${ms} ms with the key "${config.LIVEKIT_API_KEY}"` };
  } catch (error) {
    if (error instanceof ServerError && (error.status === 401 || error.status === 403)) {
      return { name: 'livekit-api', status: 'fail', detail: `LiveKit refused the key "${config.LIVEKIT_API_KEY}" (${error.status})`, cause: "LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not a key pair in LiveKit's keys (livekit.yaml `keys`, or the LiveKit Cloud project's API keys)." };
    }
    return { name: 'livekit-api', status: 'fail', detail: `no answer from ${config.LIVEKIT_URL}: ${messageOf(error)}`, cause: 'LIVEKIT_URL is not reachable from here (address, port, TLS).' };
  }
}

/** LiveKit's clock minus ours, from its HTTP Date header (1 s resolution) at the middle of the round trip. */
export async function liveKitClockOffset(livekitUrl: string): Promise<number> {
  const url = livekitUrl.replace(/^ws(s?):/, 'http$1:');
  const sent = Date.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const received = Date.now();
  await response.arrayBuffer();
  const date = response.headers.get('date');
  if (!date) throw new Error('LiveKit answered without a Date header');
  // The header truncates to the second: its middle is half a second later.
  return (Date.parse(date) + 500 - (sent + received) / 2) / 1000;
}

export async function checkClock(config: Config): Promise<{ result: CheckResult; offsetSeconds: number | null }> {
  try {
    const offset = await liveKitClockOffset(config.LIVEKIT_URL);
    const detail = `LiveKit's clock is ${offset >= 0 ? '+' : ''}${offset.toFixed(1)} s from this machine's (±1 s)`;
    const tolerance = config.WEBHOOK_CLOCK_TOLERANCE_SECONDS;
    if (Math.abs(offset) > tolerance) {
      return { offsetSeconds: offset, result: { name: 'clock', status: 'fail', detail, cause: `beyond WEBHOOK_CLOCK_TOLERANCE_SECONDS=${tolerance}: webhooks' signatures will be refused as not yet valid or expired. Synchronise both clocks (NTP).` } };
    }
    if (Math.abs(offset) > tolerance / 2) {
      return { offsetSeconds: offset, result: { name: 'clock', status: 'warn', detail, cause: `more than half of WEBHOOK_CLOCK_TOLERANCE_SECONDS=${tolerance}: check NTP on both machines.` } };
    }
    return { offsetSeconds: offset, result: { name: 'clock', status: 'ok', detail } };
  } catch (error) {
    return { offsetSeconds: null, result: { name: 'clock', status: 'warn', detail: `not measured: ${messageOf(error)}` } };
  }
}

export async function checkService(serviceUrl: string): Promise<CheckResult> {
  try {
    const response = await fetch(`${serviceUrl}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.arrayBuffer();
    if (response.ok) return { name: 'service', status: 'ok', detail: `answers at ${serviceUrl}` };
    return { name: 'service', status: 'warn', detail: `${serviceUrl}/healthz answered ${response.status}` };
  } catch (error) {
    return { name: 'service', status: 'warn', detail: `no answer at ${serviceUrl}/healthz: ${messageOf(error)}`, cause: 'the service is not running here; give --service-url if it runs elsewhere.' };
  }
}
