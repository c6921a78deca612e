// A load generator shaped like LiveKit's webhook delivery: one queue per room, one request at a
// time per room (the next leaves only once the previous is answered), rooms in parallel. Each
// request is due on a fixed schedule over all rooms (the offered rate); a room whose previous
// answer is late sends when it comes. Latency is the service's answer time from the moment the
// request left, so a room's queue does not charge one webhook's wait to the next.
import http from 'node:http';
import { sendRequest, type LoadRequest } from './requests';

export interface RoomRequest extends LoadRequest {
  room: string;
}

export interface RoomQueuesResult {
  sent: number;
  failed: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  durationMs: number;
  /** Requests sent per second over the run. */
  achievedRate: number;
}

/** Sends `requests` (in due order) at `ratePerSecond`, each room's strictly one after another. */
export async function runRoomQueues(options: { baseUrl: string; ratePerSecond: number; requests: RoomRequest[] }): Promise<RoomQueuesResult> {
  const url = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const lastOfRoom = new Map<string, Promise<void>>();
  const intervalMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  for (let i = 0; i < options.requests.length; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = options.requests[i] as RoomRequest;
    const previous = lastOfRoom.get(request.room) ?? Promise.resolve();
    lastOfRoom.set(
      request.room,
      previous.then(async () => {
        const sentAt = performance.now();
        const status = await sendRequest(agent, url, request);
        latencies.push(performance.now() - sentAt);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(lastOfRoom.values());
  const durationMs = performance.now() - started;
  agent.destroy();
  const ok = Object.entries(statuses)
    .filter(([status]) => status.startsWith('2'))
    .reduce((total, [, count]) => total + count, 0);
  return { sent: options.requests.length, failed: options.requests.length - ok, statuses, latenciesMs: latencies, durationMs, achievedRate: options.requests.length / (durationMs / 1000) };
}
