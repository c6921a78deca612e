// LiveKit's clock as the webhooks show it: each signed event's createdAt against our clock, as a
// metric (the last offset, and a distribution), and a warning in the log when the offset nears
// the replay window (WEBHOOK_MAX_AGE_SECONDS), beyond which events are refused as stale. The
// offset includes the delivery's delay (LiveKit queues and retries up to about 30 s) and
// createdAt's whole seconds, so a small one is normal; a growing one is a clock drifting.
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

/** The share of the replay window past which an offset is worth a warning. */
export const NEAR_WINDOW = 0.5;

/** Whether an offset (ms, either way) has come near the replay window. */
export const nearReplayWindow = (ageMs: number, windowSeconds: number): boolean => Math.abs(ageMs) >= NEAR_WINDOW * windowSeconds * 1000;

export interface WebhookClockOptions {
  metrics: Pick<Metrics, 'webhookClockOffset' | 'webhookAge'>;
  logger: Logger;
  /** WEBHOOK_MAX_AGE_SECONDS. */
  windowSeconds: number;
  /** At most one warning per this many ms, so a skewed clock does not flood the log. @defaultValue 60000 */
  warnEveryMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** The observer the intake calls with each signed event's age (ms). */
export function webhookClock(options: WebhookClockOptions): (ageMs: number) => void {
  const now = options.now ?? Date.now;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  let lastWarning = -Infinity;
  return (ageMs) => {
    options.metrics.webhookClockOffset.set(ageMs / 1000);
    options.metrics.webhookAge.observe(Math.abs(ageMs) / 1000);
    if (!nearReplayWindow(ageMs, options.windowSeconds) || now() - lastWarning < warnEveryMs) return;
    lastWarning = now();
    options.logger.warn(
      { offsetSeconds: Math.round(ageMs / 1000), windowSeconds: options.windowSeconds },
      "LiveKit's webhooks arrive far from our clock (createdAt): check both clocks (NTP) and LiveKit's webhook delivery; past WEBHOOK_MAX_AGE_SECONDS they are refused as stale",
    );
  };
}
