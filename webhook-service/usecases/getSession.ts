// Reading one session for the clinic API.
import type { LifecycleRules } from '../../plugin';
import type { SessionStore } from './ports/SessionStore';
import { loadRecords, stateOf } from './sessionState';
import { sessionView, type SessionView } from './sessionView';

export async function getSession(deps: { store: SessionStore; rules: LifecycleRules }, sessionId: string): Promise<SessionView> {
  const records = await loadRecords(deps.store, sessionId);
  return sessionView(records, stateOf(records, deps.rules));
}
