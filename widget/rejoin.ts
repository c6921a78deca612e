// When LiveKit gives up reconnecting (its own retries reuse the old token), the widget joins
// again with a fresh token from its token source, after these waits, before it shows "failed".
// Pure, so the schedule is tested without a network.

/**
 * Waits before each fresh-token attempt, in ms: quick at first (a short blip), then spaced out;
 * about 45 s in all, on top of LiveKit's own ~45 s of retries.
 */
export const REJOIN_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000];

/** The wait before attempt `tries` (0-based), or null: give up and show the failure. */
export function rejoinDelay(tries: number): number | null {
  return Number.isInteger(tries) && tries >= 0 ? (REJOIN_DELAYS_MS[tries] ?? null) : null;
}
