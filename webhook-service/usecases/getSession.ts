// Reading one session for the clinic API.
import type { LifecycleRules } from '../../plugin';
import type { SessionStore } from './ports/SessionStore';
import { loadSession } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export async function getSession(deps: { store: SessionStore; rules: LifecycleRules }, sessionId: string): Promise<SessionView> {
  return sessionView(await loadSession(deps.store, sessionId, deps.rules));
}
