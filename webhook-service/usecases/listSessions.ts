// The clinic's listing of sessions with their attendance, page by page: sessions in creation
// order (a new session always lands after every page already read, so paging while sessions are
// created neither repeats nor skips one), optionally only those of one status. A status filter
// can leave a page short: the cursor then points past everything examined, and a bounded scan
// per page keeps one request cheap.
import type { LifecycleRules, SessionStatus } from '../../plugin';
import { decodeCursor, encodeCursor } from './pageCursor';
import { loadSession, type SessionSources } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export interface SessionListQuery {
  /** Whose sessions: a clinic lists its own only. */
  clinicId: string;
  status: SessionStatus | null;
  /** Created at or after. */
  from: Date | null;
  /** Created before. */
  to: Date | null;
  limit: number;
  cursor: string | null;
  /** Only the session the clinic created under this appointment id. */
  externalId: string | null;
}

export interface SessionPage {
  sessions: SessionView[];
  /** Where the next page starts; null when there is nothing after. */
  nextCursor: string | null;
}

/** How many sessions one page may examine, in pages' worth, when a status filter skips most. */
const SCAN_PAGES = 20;

interface Position {
  createdAt: Date;
  id: string;
}

const cursorOf = ({ createdAt, id }: Position): string => encodeCursor({ at: createdAt, id });

function positionOf(cursor: string): Position {
  const { at, id } = decodeCursor(cursor);
  return { createdAt: at, id };
}

/** The page holding the session of one appointment id, if it exists and passes the other filters. */
async function byExternalId(deps: SessionSources & { rules: LifecycleRules }, query: SessionListQuery, externalId: string): Promise<SessionPage> {
  const claim = await deps.store.findExternalId(query.clinicId, externalId);
  const session = claim ? await deps.store.findSession(claim.sessionId) : null;
  if (!session || session.clinicId !== query.clinicId) return { sessions: [], nextCursor: null };
  const inRange = (!query.from || session.createdAt >= query.from) && (!query.to || session.createdAt < query.to);
  const view = sessionView(await loadSession(deps, session.id, deps.rules));
  return { sessions: inRange && (query.status === null || view.status === query.status) ? [view] : [], nextCursor: null };
}

export async function listSessions(deps: SessionSources & { rules: LifecycleRules }, query: SessionListQuery): Promise<SessionPage> {
  if (query.externalId !== null) return byExternalId(deps, query, query.externalId);
  let after = query.cursor ? positionOf(query.cursor) : null;
  const sessions: SessionView[] = [];
  for (let scanned = 0; scanned < query.limit * SCAN_PAGES; ) {
    const batch = await deps.store.listSessions({ clinicId: query.clinicId, from: query.from, to: query.to, after, limit: query.limit });
    for (const session of batch) {
      scanned += 1;
      after = { createdAt: session.createdAt, id: session.id };
      const view = sessionView(await loadSession(deps, session.id, deps.rules));
      if (query.status === null || view.status === query.status) sessions.push(view);
      if (sessions.length === query.limit) return { sessions, nextCursor: cursorOf(after) };
    }
    if (batch.length < query.limit) return { sessions, nextCursor: null };
  }
  return { sessions, nextCursor: after ? cursorOf(after) : null };
}

const CSV_COLUMNS = ['sessionId', 'roomName', 'status', 'role', 'identity', 'joinedAt', 'leftAt', 'lateSeconds'] as const;

/** A text that a spreadsheet would run as a formula (OWASP's list: = + - @, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One field. Texts come from the clinic's and LiveKit's data (identities, room names): one that
 * starts like a formula gets a leading `'` and quotes, as OWASP recommends for CSV injection, so
 * a spreadsheet shows it as text. Numbers are ours (a negative lateSeconds stays a number).
 */
const csvField = (value: string | number | null): string => {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const quoted = () => `"${(FORMULA_START.test(value) ? `'${value}` : value).replaceAll('"', '""')}"`;
  return FORMULA_START.test(value) || /[",\r\n]/.test(value) ? quoted() : value;
};

/** The page as CSV (RFC 4180): a header, then one row per presence interval; no cell runs as a formula. */
export function attendanceCsv(page: SessionPage): string {
  const rows = page.sessions.flatMap((session) =>
    session.participants.flatMap((participant) =>
      participant.intervals.map((interval) =>
        [session.id, session.roomName, session.status, participant.role, participant.identity, interval.joinedAt, interval.leftAt, participant.lateSeconds].map(csvField).join(','),
      ),
    ),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
