// A clinic reaches its own sessions only. Another clinic's session is answered exactly as a
// session that does not exist (session_not_found), so a key cannot even learn that an id is taken.
import { ServiceError } from '../errors';
import type { SessionRecord, SessionStore } from './ports/SessionStore';

export async function clinicSession(store: SessionStore, clinicId: string, sessionId: string): Promise<SessionRecord> {
  const session = await store.findSession(sessionId);
  if (!session || session.clinicId !== clinicId) throw ServiceError.notFound(sessionId);
  return session;
}
