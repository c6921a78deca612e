// The whole webhook path, proven the way production uses it: the doctor registers a probe, opens
// a probe room on LiveKit, joins it with a real WebRTC participant (@livekit/rtc-node), and waits
// for the service to write down the participant_joined LiveKit signed and posted to it. Then it
// leaves, deletes the room and the probe, whatever happened.
import { randomBytes } from 'node:crypto';
import { setTimeout as wait } from 'node:timers/promises';
import { dispose, Room } from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { redisTarget, type Config } from '../config';
import { PROBE_ROOM_PREFIX, type ProbeObservation } from '../probe/probeRooms';
import { RedisProbeLog } from '../probe/RedisProbeLog';
import { diagnoseWebhookPath } from './diagnoseWebhookPath';
import type { CheckResult } from './report';
import { rtcLogsToStderr } from './rtcLogsToStderr';

export interface WebhookPathOptions {
  serviceUrl: string;
  serviceAnswers: boolean | null;
  clockOffsetSeconds: number | null;
  /** How long to wait for the participant_joined webhook, in ms. */
  timeoutMs: number;
}

const POLL_MS = 250;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function checkWebhookPath(config: Config, options: WebhookPathOptions): Promise<CheckResult[]> {
  rtcLogsToStderr();
  const roomName = `${PROBE_ROOM_PREFIX}${randomBytes(6).toString('hex')}`;
  const probes = new RedisProbeLog({ redis: redisTarget(config), prefix: config.BULLMQ_PREFIX });
  const rooms = new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, { requestTimeout: 5, failover: false });
  const participant = new Room();
  const results: CheckResult[] = [];
  try {
    await probes.connect();
    await probes.register(roomName, options.timeoutMs + 60_000);
    // A short empty timeout: should the cleanup below fail, LiveKit closes the room soon anyway.
    await rooms.createRoom({ name: roomName, emptyTimeout: 30, departureTimeout: 1 });
    const token = new AccessToken(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, { identity: 'autostart-doctor', ttl: 120 });
    token.addGrant({ roomJoin: true, room: roomName, canPublish: false, canSubscribe: false, canPublishData: false });
    const joinedAt = Date.now();
    try {
      await participant.connect(config.LIVEKIT_URL, await token.toJwt(), { autoSubscribe: false, dynacast: false });
    } catch (error) {
      results.push({
        name: 'webhook-path',
        status: 'fail',
        detail: `the probe participant could not join room ${roomName}: ${messageOf(error)}`,
        cause: "LiveKit's media ports (rtc.udp_port / rtc.tcp_port, or TURN) are not reachable from here, or its node_ip is an address this machine cannot reach.",
      });
      return results;
    }
    let observations: ProbeObservation[] = [];
    const deadline = joinedAt + options.timeoutMs;
    while (Date.now() < deadline) {
      observations = await probes.observations(roomName);
      if (observations.some((seen) => seen.event === 'participant_joined')) break;
      await wait(POLL_MS);
    }
    results.push(diagnoseWebhookPath({ ...options, observations, joinedAt, waitedMs: Date.now() - joinedAt, clockToleranceSeconds: config.WEBHOOK_CLOCK_TOLERANCE_SECONDS }));
    return results;
  } catch (error) {
    results.push({ name: 'webhook-path', status: 'fail', detail: `the probe could not run: ${messageOf(error)}`, cause: 'see the redis and livekit-api checks above.' });
    return results;
  } finally {
    results.push(await cleanUp(participant, rooms, probes, roomName));
  }
}

async function cleanUp(participant: Room, rooms: RoomServiceClient, probes: RedisProbeLog, roomName: string): Promise<CheckResult> {
  const problems: string[] = [];
  if (participant.isConnected) await participant.disconnect().catch((error: unknown) => problems.push(`leave: ${messageOf(error)}`));
  await dispose().catch((error: unknown) => problems.push(`rtc: ${messageOf(error)}`));
  await rooms.deleteRoom(roomName).catch((error: unknown) => {
    // A room that never opened, or already closed, is clean.
    if (!/not.?found|404/i.test(messageOf(error))) problems.push(`room: ${messageOf(error)}`);
  });
  await probes.remove(roomName).catch((error: unknown) => problems.push(`probe: ${messageOf(error)}`));
  await probes.close();
  if (problems.length > 0) return { name: 'cleanup', status: 'warn', detail: `left behind (LiveKit closes the room within 30 s, the probe keys expire): ${problems.join('; ')}` };
  return { name: 'cleanup', status: 'ok', detail: `probe room ${roomName} deleted, probe removed` };
}
