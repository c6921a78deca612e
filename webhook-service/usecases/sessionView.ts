// The session as the clinic API shows it: status, times as ISO 8601 (or null) and attendance per
// identity from the plugin's attendance().
import { attendance, type Role, type SessionStatus } from '../../plugin';
import type { LoadedSession } from './sessionState';

export interface SessionView {
  id: string;
  roomName: string;
  status: SessionStatus;
  scheduledStart: string | null;
  actualStart: string | null;
  actualEnd: string | null;
  participants: {
    identity: string;
    role: Role;
    connected: boolean;
    intervals: { joinedAt: string; leftAt: string | null }[];
  }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function sessionView({ session, state, activation, status }: LoadedSession): SessionView {
  return {
    id: session.id,
    roomName: session.roomName,
    status,
    scheduledStart: session.scheduledStart?.toISOString() ?? null,
    actualStart: activation?.startedAt.toISOString() ?? null,
    actualEnd: iso(state.actualEnd),
    participants: attendance(state).map((entry) => ({
      identity: entry.identity,
      role: entry.role,
      connected: entry.connected,
      intervals: entry.intervals.map((interval) => ({ joinedAt: iso(interval.joinedAt) as string, leftAt: iso(interval.leftAt) })),
    })),
  };
}
