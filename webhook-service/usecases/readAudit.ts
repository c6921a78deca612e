// A session's audit, as a supervisor of its clinic reads it: newest first, a page at a time. The cursor is the
// position of the page's last entry (its time and id), so entries written while someone pages
// (always newer) neither repeat nor shift the pages that follow.
import { clinicSession } from './clinicSession';
import { decodeCursor, encodeCursor } from './pageCursor';
import type { AuditEntry, AuditTrail } from './ports/AuditTrail';
import type { SessionStore } from './ports/SessionStore';

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}


export async function readAudit(deps: { store: SessionStore; audit: AuditTrail }, clinicId: string, sessionId: string, query: { limit: number; cursor: string | null }): Promise<AuditPage> {
  const before = query.cursor ? decodeCursor(query.cursor) : null;
  await clinicSession(deps.store, clinicId, sessionId);
  // One more than asked: whether a next page exists, without an empty last page.
  const entries = await deps.audit.list(sessionId, { limit: query.limit + 1, before });
  const page = entries.slice(0, query.limit);
  const last = page.at(-1);
  return { entries: page, nextCursor: entries.length > query.limit && last ? encodeCursor(last) : null };
}
