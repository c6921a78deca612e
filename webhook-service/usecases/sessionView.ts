// The session as the clinic API shows it: status, why and when it closed, times as ISO 8601 (or
// null), and the attendance per identity from the plugin's attendance().
import { attendance, type EndReason, type Role, type SessionStatus } from '../../plugin';
import type { LoadedSession } from './sessionState';

export interface SessionView {
  id: string;
  roomName: string;
  externalId: string | null;
  status: SessionStatus;
  endReason: EndReason | null;
  scheduledStart: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  closedAt: string | null;
  /** Whether the people in the call are told that an observer is present. */
  observersDisclosed: boolean;
  participants: {
    identity: string;
    role: Role;
    /** The clinic's own word for the person's place, when it gave one. */
    label?: string;
    connected: boolean;
    firstJoinedAt: string | null;
    lateSeconds: number | null;
    intervals: { joinedAt: string; leftAt: string | null }[];
  }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const labelOf = (listed: LoadedSession['session']['participants'], identity: string): { label?: string } => {
  const label = listed?.find((entry) => entry.identity === identity)?.label;
  return label === undefined ? {} : { label };
};

export function sessionView({ session, activation, closure, state }: LoadedSession): SessionView {
  return {
    id: session.id,
    roomName: session.roomName,
    externalId: session.externalId,
    status: state.status,
    endReason: closure?.reason ?? null,
    scheduledStart: session.scheduledStart?.toISOString() ?? null,
    actualStart: activation?.startedAt.toISOString() ?? null,
    actualEnd: closure?.endedAt?.toISOString() ?? null,
    closedAt: closure?.at.toISOString() ?? null,
    observersDisclosed: session.observersDisclosed ?? true,
    participants: attendance(state).map((entry) => ({
      identity: entry.identity,
      role: entry.role,
      ...labelOf(session.participants, entry.identity),
      connected: entry.connected,
      firstJoinedAt: iso(entry.firstJoinedAt),
      lateSeconds: entry.lateSeconds,
      intervals: entry.intervals.map((interval) => ({ joinedAt: iso(interval.joinedAt) as string, leftAt: iso(interval.leftAt) })),
    })),
  };
}
