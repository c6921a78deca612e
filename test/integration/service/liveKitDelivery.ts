// Webhooks delivered the way LiveKit delivers them, for the tests that take a dependency away in
// the middle of a burst: one request at a time per room, rooms in parallel, again after a 5xx or
// a network error (1, 2, 4, 8 s: protocol webhook/resource_url_notifier.go), never after another
// 4xx, and an answer later than 30 s counted as a hang (LiveKit sets no timeout, but drops an event
// that waited 30 s in its room's queue).
import { signWebhook, type RunningService } from './harness';

export const LIVEKIT_BACKOFF_MS = [1000, 2000, 4000, 8000];
const HUNG_MS = 30_000;

export interface Delivery {
  eventId: string;
  /** Each attempt's status: 0 for a network error, -1 for a hang. */
  statuses: number[];
  /** When each answer came, epoch ms, and how long it took. */
  answeredAt: number[];
  tookMs: number[];
  accepted: boolean;
}

/** One webhook as LiveKit delivers it: again after each 5xx or network error, up to five attempts. */
export async function deliverLikeLiveKit(target: RunningService, body: string): Promise<Delivery> {
  const delivery: Delivery = { eventId: (JSON.parse(body) as { id: string }).id, statuses: [], answeredAt: [], tookMs: [], accepted: false };
  for (let attempt = 0; attempt <= LIVEKIT_BACKOFF_MS.length; attempt += 1) {
    const authorization = await signWebhook(body, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
    const sentAt = Date.now();
    const status = await fetch(`${target.url}/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization }, body, signal: AbortSignal.timeout(HUNG_MS) })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      })
      .catch((error: unknown) => ((error as Error).name === 'TimeoutError' ? -1 : 0));
    delivery.answeredAt.push(Date.now());
    delivery.tookMs.push(Date.now() - sentAt);
    delivery.statuses.push(status);
    if (status === -1) return delivery;
    if (status >= 200 && status < 300) return { ...delivery, accepted: true };
    if (status !== 0 && status < 500) return delivery;
    if (attempt < LIVEKIT_BACKOFF_MS.length) await new Promise((resolve) => setTimeout(resolve, LIVEKIT_BACKOFF_MS[attempt]));
  }
  return delivery;
}

/** `work` on every item, `size` at a time, results in the items' order. */
export async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

/** Statuses other than 2xx and 503 that any attempt got: LiveKit retries a 503, and should see nothing else. */
export const refusalsOtherThan503 = (deliveries: readonly Delivery[]): number[] => [...new Set(deliveries.flatMap((delivery) => delivery.statuses).filter((status) => (status < 200 || status >= 300) && status !== 503))];
