// The presence heartbeat's rule: who is silent, measured on this page's own ticks.

import fc from 'fast-check';
import { HEARTBEAT, HEARTBEAT_EVERY_MS, heardFrom, heartbeatOf, noPresence, OWN_GAP_MS, presenceTick, SILENT_AFTER_MS, type PresenceState } from '../../../widget/presence';

const T0 = 1_767_600_000_000;

/** Ticks once a second from `from` to `to` (inclusive). */
function tickThrough(state: PresenceState, from: number, to: number): PresenceState {
  let next = state;
  for (let now = from; now <= to; now += HEARTBEAT_EVERY_MS) next = presenceTick(next, now);
  return next;
}

describe('the presence heartbeat', () => {
  it('carries one byte and nothing else', () => {
    expect([...HEARTBEAT]).toEqual([1]);
  });

  it('a participant never heard is "none" (the connection rating decides for them)', () => {
    expect(heartbeatOf(tickThrough(noPresence, T0, T0 + 20_000), 'PA_1')).toBe('none');
  });

  it('a participant heard, then silent, is reported within SILENT_AFTER_MS plus one tick, and live again at the next heartbeat', () => {
    let state = heardFrom(presenceTick(noPresence, T0), 'PA_1', T0 + 500);
    const ticks: number[] = [];
    for (let now = T0 + 1_000; heartbeatOf(state, 'PA_1') !== 'silent'; now += HEARTBEAT_EVERY_MS) {
      state = presenceTick(state, now);
      ticks.push(now);
    }
    const reportedAfter = (ticks.at(-1) ?? 0) - (T0 + 500);
    expect(reportedAfter).toBeGreaterThanOrEqual(SILENT_AFTER_MS);
    expect(reportedAfter).toBeLessThanOrEqual(SILENT_AFTER_MS + HEARTBEAT_EVERY_MS);
    expect(reportedAfter).toBeLessThan(10_000);
    expect(heartbeatOf(heardFrom(state, 'PA_1', (ticks.at(-1) ?? 0) + 10), 'PA_1')).toBe('live');
  });

  it('a page that itself stood still does not report the others for its own gap', () => {
    let state = heardFrom(presenceTick(noPresence, T0), 'PA_1', T0 + 500);
    state = presenceTick(state, T0 + 1_000);
    // This page froze for 30 s: its next tick comes late, and the other party is not silent for it.
    state = presenceTick(state, T0 + 31_000);
    expect(heartbeatOf(state, 'PA_1')).toBe('live');
    // If they still say nothing, they are silent SILENT_AFTER_MS later.
    state = tickThrough(state, T0 + 32_000, T0 + 31_000 + SILENT_AFTER_MS);
    expect(heartbeatOf(state, 'PA_1')).toBe('silent');
  });

  it('property: with heartbeats at most OWN_GAP_MS apart and ticks every second, nobody is ever silent', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: OWN_GAP_MS }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let state = presenceTick(noPresence, T0);
        let now = T0;
        let nextTick = T0 + HEARTBEAT_EVERY_MS;
        for (const gap of gaps) {
          const beat = now + gap;
          for (; nextTick < beat; nextTick += HEARTBEAT_EVERY_MS) {
            state = presenceTick(state, nextTick);
            expect(heartbeatOf(state, 'PA_1')).not.toBe('silent');
          }
          state = heardFrom(state, 'PA_1', beat);
          now = beat;
        }
      }),
    );
  });
});
