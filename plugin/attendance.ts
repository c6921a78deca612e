// Attendance: who was connected, from when to when, per identity over all its sids (devices,
// reloads), and how late each one first came against the scheduled start.

import { intervalOf, type PresenceInterval } from './presence';
import type { Role } from './roles';
import type { SessionState } from './session';

export interface Attendance {
  identity: string;
  role: Role;
  /** Connected now through at least one of its sids. */
  connected: boolean;
  /** The first moment it was connected (epoch ms), or null if it never was. */
  firstJoinedAt: number | null;
  /** First join minus the scheduled start, in whole seconds (negative: early); null without both. */
  lateSeconds: number | null;
  /** Every sid's connected span, sorted by `joinedAt`. */
  intervals: PresenceInterval[];
}

const byJoinThenLeave = (a: PresenceInterval, b: PresenceInterval): number =>
  a.joinedAt - b.joinedAt || (a.leftAt ?? Number.MAX_SAFE_INTEGER) - (b.leftAt ?? Number.MAX_SAFE_INTEGER);

/**
 * Everyone the appointment names, whether they came or not, in its order (the student and the
 * counselor of the pair first), then everyone else by identity. Aborted connections add no
 * interval. An identity the appointment does not name takes the role of its earliest sid.
 */
export function attendance(state: SessionState): Attendance[] {
  const byIdentity = new Map<string, Attendance & { roleSince: number }>();
  const entryFor = (identity: string, role: Role, since: number) => {
    const existing = byIdentity.get(identity);
    if (existing) {
      if (since < existing.roleSince) Object.assign(existing, { role, roleSince: since });
      return existing;
    }
    const created = { identity, role, roleSince: since, connected: false, firstJoinedAt: null, lateSeconds: null, intervals: [] };
    byIdentity.set(identity, created);
    return created;
  };
  for (const person of state.roster.people) entryFor(person.identity, person.role, -Infinity);
  for (const presence of Object.values(state.presences)) {
    const entry = entryFor(presence.identity, presence.role, presence.joinedAt ?? presence.leftAt ?? Infinity);
    if (presence.outcome === 'connected') entry.connected = true;
    const interval = intervalOf(presence);
    if (interval) entry.intervals.push(interval);
  }
  const named = state.roster.people.map((person) => person.identity);
  const others = [...byIdentity.keys()].filter((identity) => !named.includes(identity)).sort();
  return [...new Set([...named, ...others])].map((identity) => {
    const { roleSince: _ignored, ...entry } = byIdentity.get(identity) as Attendance & { roleSince: number };
    entry.intervals.sort(byJoinThenLeave);
    const first = entry.intervals[0]?.joinedAt ?? null;
    const late = first !== null && state.scheduledStart !== null ? Math.round((first - state.scheduledStart) / 1000) : null;
    return { ...entry, firstJoinedAt: first, lateSeconds: late };
  });
}
