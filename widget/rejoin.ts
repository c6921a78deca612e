// When LiveKit gives up reconnecting (its own retries reuse the old token), the widget joins
// again with a fresh token from its token source, after these waits, before it shows "failed".
// Pure, so the schedule and the decision to rejoin are tested without a network.

import type { DisconnectCause, Phase } from './sessionState';

/**
 * Waits before each fresh-token attempt, in ms: quick at first (a short blip), then spaced out;
 * about 45 s in all, on top of LiveKit's own ~45 s of retries.
 */
export const REJOIN_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000];

/** The wait before attempt `tries` (0-based), or null: give up and show the failure. */
export function rejoinDelay(tries: number): number | null {
  return Number.isInteger(tries) && tries >= 0 ? (REJOIN_DELAYS_MS[tries] ?? null) : null;
}

/**
 * Whether a lost connection is joined again with a fresh token: only a loss LiveKit gives no
 * reason for ('other': it gave up reconnecting), of a room the widget owns (a borrowed Room is the
 * host's to reconnect), while the page shows the waiting room or the call. Anything else (the
 * room deleted, a second tab, Leave, a loss before the waiting room) goes to the state machine.
 */
export function rejoinsAfter(cause: DisconnectCause, shownPhase: Phase | null, ownsRoom: boolean): boolean {
  return cause === 'other' && ownsRoom && (shownPhase === 'waiting' || shownPhase === 'active');
}
