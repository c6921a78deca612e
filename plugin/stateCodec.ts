// A compact text form of SessionState, for the service to keep a session's folded state between
// events. Presences are most of a long session's state (one per connection ever made), so each
// is one array row with its identity as an index into a table, and the seats are row numbers:
// about a third of the size of plain JSON, and as much faster to parse and write.

import type { Presence } from './presence';
import type { Role } from './roles';
import type { SessionState } from './session';

// Appended only: a row's role is its index here.
const ROLES: readonly Role[] = ['student', 'counselor', 'guest', 'guardian', 'interpreter', 'co_counselor', 'observer'];
const OUTCOMES: readonly Presence['outcome'][] = ['connected', 'left', 'aborted'];

/** sid, identity index, role index, joinedAt, closedAt, seenAt, outcome index, then inferred absences if any */
type Row = [string, number, number, number | null, number | null, number | null, number, ...number[]];

/** The form's version: a fold kept in another form is not read (the service rebuilds it). */
const VERSION = 2;

interface Encoded {
  v: typeof VERSION;
  state: Omit<SessionState, 'presences' | 'seats'>;
  identities: string[];
  rows: Row[];
  seats: Record<string, number[]>;
}

export function encodeState(state: SessionState): string {
  const { presences, seats, ...rest } = state;
  const identities: string[] = [];
  const identityIndex = new Map<string, number>();
  const rowOf = new Map<string, number>();
  const rows: Row[] = [];
  for (const presence of Object.values(presences)) {
    let identity = identityIndex.get(presence.identity);
    if (identity === undefined) {
      identity = identities.push(presence.identity) - 1;
      identityIndex.set(presence.identity, identity);
    }
    rowOf.set(presence.sid, rows.length);
    rows.push([presence.sid, identity, ROLES.indexOf(presence.role), presence.joinedAt, presence.closedAt, presence.seenAt, OUTCOMES.indexOf(presence.outcome), ...presence.absences]);
  }
  const seatRows = (sids: readonly string[]) => sids.map((sid) => rowOf.get(sid) as number);
  const seatsAsRows: Record<string, number[]> = {};
  for (const [seat, sids] of Object.entries(seats)) seatsAsRows[seat] = seatRows(sids);
  const encoded: Encoded = { v: VERSION, state: rest, identities, rows, seats: seatsAsRows };
  return JSON.stringify(encoded);
}

/** The state `encodeState` wrote, or null for anything else (another version, a damaged text). */
export function decodeState(text: string): SessionState | null {
  let encoded: Encoded;
  try {
    encoded = JSON.parse(text) as Encoded;
  } catch {
    return null;
  }
  if (encoded?.v !== VERSION || !Array.isArray(encoded.rows) || !Array.isArray(encoded.identities)) return null;
  // Written before the roster was part of the state: rebuilt from the events instead.
  if (typeof encoded.state?.roster !== 'object' || encoded.state.roster === null) return null;
  const presences: Record<string, Presence> = {};
  for (const [sid, identity, role, joinedAt, closedAt, seenAt, outcome, ...absences] of encoded.rows) {
    const standing = absences.filter((at) => seenAt === null || at > seenAt);
    presences[sid] = {
      sid,
      identity: encoded.identities[identity] as string,
      role: ROLES[role] as Role,
      joinedAt,
      leftAt: closedAt === null ? (standing[0] ?? null) : Math.min(closedAt, standing[0] ?? closedAt),
      outcome: OUTCOMES[outcome] as Presence['outcome'],
      closedAt,
      seenAt,
      absences,
    };
  }
  const sidsOf = (rows: number[]) => rows.map((row) => (encoded.rows[row] as Row)[0]);
  const seats: SessionState['seats'] & Record<string, string[]> = { student: [], counselor: [] };
  for (const [seat, rows] of Object.entries(encoded.seats)) seats[seat] = sidsOf(rows);
  return { ...encoded.state, presences, seats };
}

/** A session's kept fold: its events folded by the rules, and how many events that is. */
export interface KeptFold {
  state: SessionState;
  events: number;
}

/** How a fold is kept as text: the number of events it folds, then the state in the compact form. */
export const encodeFold = ({ state, events }: KeptFold): string => `${events}:${encodeState(state)}`;

/** The fold `encodeFold` wrote, or null for anything else (a damaged text, another form, a count that is no count). */
export function decodeFold(text: string): KeptFold | null {
  const colon = text.indexOf(':');
  if (colon < 1) return null;
  const events = Number(text.slice(0, colon));
  if (!Number.isSafeInteger(events) || events < 0) return null;
  const state = decodeState(text.slice(colon + 1));
  return state ? { state, events } : null;
}
