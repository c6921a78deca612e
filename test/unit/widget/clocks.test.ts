// The widget's clocks without waiting: what they read at a moment, when they run, and the one
// pair of intervals behind them.

import { CLOCK_EVERY_MS, clockReadings, clocksRun, LEVEL_EVERY_MS, Ticker, type Intervals } from '../../../widget/clocks';
import { initialView, type WidgetState } from '../../../widget/sessionState';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');

describe('the clocks', () => {
  it('read the time waited, the session time from the snapshot start and the time the other party is away', () => {
    const view: WidgetState = { ...initialView, phase: 'active', waitingSince: T0, startedAt: '2026-01-05T10:02:00.000Z' };
    expect(clockReadings(view, T0 + 150_000, T0 + 185_000)).toEqual({ waited: expect.any(String) as string, sessionMs: 65_000, awayMs: 35_000 });
    expect(clockReadings(view, null, T0 + 185_000).awayMs).toBeNull();
    expect(clockReadings(null, null, T0)).toEqual({ waited: clockReadings({ ...initialView, waitingSince: T0 }, null, T0).waited, sessionMs: null, awayMs: null });
  });

  it('run in the waiting room and the call, through a reconnect, and stop otherwise', () => {
    expect(clocksRun({ ...initialView, phase: 'waiting' })).toBe(true);
    expect(clocksRun({ ...initialView, phase: 'active' })).toBe(true);
    expect(clocksRun({ ...initialView, phase: 'reconnecting', resumePhase: 'active' })).toBe(true);
    for (const phase of ['idle', 'connecting', 'ended', 'failed'] as const) expect(clocksRun({ ...initialView, phase })).toBe(false);
    expect(clocksRun({ ...initialView, phase: 'reconnecting', resumePhase: 'connecting' })).toBe(false);
    expect(clocksRun(null)).toBe(false);
  });

  it('are driven by one pair of intervals, started once and cleared on stop', () => {
    const running = new Map<number, { callback: () => void; ms: number }>();
    let next = 0;
    const intervals: Intervals = {
      set: (callback, ms) => {
        running.set(++next, { callback, ms });
        return next;
      },
      clear: (handle) => running.delete(handle as number),
    };
    const calls: string[] = [];
    const ticker = new Ticker(() => calls.push('clock'), () => calls.push('level'), intervals);
    ticker.set(true);
    ticker.set(true);
    expect([...running.values()].map(({ ms }) => ms)).toEqual([CLOCK_EVERY_MS, LEVEL_EVERY_MS]);
    for (const { callback } of running.values()) callback();
    expect(calls).toEqual(['clock', 'level']);
    ticker.set(false);
    expect(running.size).toBe(0);
    expect(ticker.running).toBe(false);
  });
});
