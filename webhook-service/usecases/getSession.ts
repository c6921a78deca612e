// Reading one session for the clinic API: the calling clinic's own, or none.
import type { LifecycleRules } from '../../plugin';
import { clinicSession } from './clinicSession';
import { loadSession, type SessionSources } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export async function getSession(deps: SessionSources & { rules: LifecycleRules }, clinicId: string, sessionId: string): Promise<SessionView> {
  await clinicSession(deps.store, clinicId, sessionId);
  return sessionView(await loadSession(deps, sessionId, deps.rules));
}
