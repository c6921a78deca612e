// The widget's clocks, apart from the element: what the clocks read at a moment (pure), when they
// run, and the one pair of intervals that drives them (the clocks every second, the microphone
// level ten times a second). The interval functions are a port, so tests need not wait.

import { shownPhase, type WidgetState } from './sessionState';
import { formatWaited } from './texts';

export interface ClockReadings {
  /** Time waited in the waiting room, as shown ("3 min"). */
  waited: string;
  /** Time since the session started (ms), or null before the start. */
  sessionMs: number | null;
  /** How long the other party has been away (ms), or null while they are there. */
  awayMs: number | null;
}

/** The clocks at `now` (epoch ms), for a view and the other party's `awaySince`. */
export function clockReadings(view: WidgetState | null | undefined, awaySince: number | null, now: number): ClockReadings {
  const since = view?.waitingSince;
  const started = view?.startedAt ? Date.parse(view.startedAt) : null;
  return {
    waited: formatWaited(since == null ? 0 : now - since),
    sessionMs: started === null ? null : now - started,
    awayMs: awaySince === null ? null : now - awaySince,
  };
}

/** The clocks run while the page shows the waiting room or the call (through a reconnect too). */
export function clocksRun(view: WidgetState | null | undefined): boolean {
  const shown = shownPhase(view);
  return shown === 'waiting' || shown === 'active';
}

export const CLOCK_EVERY_MS = 1000;
export const LEVEL_EVERY_MS = 100;

export interface Intervals {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserIntervals: Intervals = {
  set: (callback, ms) => setInterval(callback, ms),
  clear: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** One switch for both intervals: on starts them once, off stops them. */
export class Ticker {
  private handles: [unknown, unknown] | null = null;

  constructor(
    private readonly onClock: () => void,
    private readonly onLevel: () => void,
    private readonly intervals: Intervals = browserIntervals,
  ) {}

  get running(): boolean {
    return this.handles !== null;
  }

  set(on: boolean): void {
    if (on && this.handles === null) this.handles = [this.intervals.set(this.onClock, CLOCK_EVERY_MS), this.intervals.set(this.onLevel, LEVEL_EVERY_MS)];
    if (!on && this.handles !== null) {
      for (const handle of this.handles) this.intervals.clear(handle);
      this.handles = null;
    }
  }
}
