// The presence heartbeat: in the call every widget sends a byte a second over LiveKit's lossy
// data channel (no content, topic PRESENCE_TOPIC), and keeps when it last heard each remote
// participant's. A participant heard before and silent for SILENT_AFTER_MS is reported dropped,
// whatever they publish: LiveKit's connection rating needs media, lags the start and is slow to
// recover, while the first heartbeat after a return clears the notice.
//
// Pure: the controller feeds it the heartbeats it receives and the ticks of its own interval.
// Silence is measured on this page's own ticks, so a page that was itself frozen or offline
// (no ticks) does not report the others for its own gap: its first tick after one starts their
// clocks again.

/** The data topic of heartbeats; the room is the session's own, so they never cross sessions. */
export const PRESENCE_TOPIC = 'lwr.presence';

/** How often a page sends its heartbeat (and ticks). */
export const HEARTBEAT_EVERY_MS = 1000;

/**
 * A participant silent this long is reported dropped: a few lost packets of the lossy channel or
 * a hidden tab (timers throttled to once a second) stay well under it, and with the tick a freeze
 * is told within about 6 s, under the 10 s asked for.
 */
export const SILENT_AFTER_MS = 5000;

/** A tick this late after the previous one means this page itself stood still. */
export const OWN_GAP_MS = 2500;

/** The heartbeat's payload: one byte, nothing about anyone. */
export const HEARTBEAT: Uint8Array<ArrayBuffer> = new Uint8Array([1]);

export interface PresenceState {
  /** When a heartbeat was last heard, by participant sid (epoch ms). */
  heard: Readonly<Record<string, number>>;
  /** This page's last tick (epoch ms), null before the first. */
  lastTick: number | null;
}

export const noPresence: PresenceState = { heard: {}, lastTick: null };

export type Heartbeat = 'none' | 'live' | 'silent';

export function heardFrom(state: PresenceState, sid: string, now: number): PresenceState {
  return { ...state, heard: { ...state.heard, [sid]: now } };
}

/** One tick of this page's own interval; after a gap of its own, everyone's silence starts again. */
export function presenceTick(state: PresenceState, now: number): PresenceState {
  const gap = state.lastTick !== null && now - state.lastTick > OWN_GAP_MS;
  const heard = gap ? Object.fromEntries(Object.keys(state.heard).map((sid) => [sid, now])) : state.heard;
  return { heard, lastTick: now };
}

/** 'none': never heard (an older widget, or not yet); 'live'; 'silent' for SILENT_AFTER_MS by this page's ticks. */
export function heartbeatOf(state: PresenceState, sid: string): Heartbeat {
  const last = state.heard[sid];
  if (last === undefined) return 'none';
  return state.lastTick !== null && state.lastTick - last >= SILENT_AFTER_MS ? 'silent' : 'live';
}
