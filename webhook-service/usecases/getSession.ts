// Reading one session for the clinic API.
import { ServiceError } from '../errors';
import type { SessionStore } from './ports/SessionStore';
import { loadSession } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export async function getSession(deps: { store: SessionStore }, sessionId: string): Promise<SessionView> {
  const session = await deps.store.findSession(sessionId);
  if (!session) throw ServiceError.notFound(sessionId);
  return sessionView(await loadSession(deps.store, session));
}
