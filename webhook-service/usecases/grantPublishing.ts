// Media privacy is LiveKit's to enforce, not the page's: a join token minted before the session
// is active lets its holder join and subscribe, but not publish audio, video or data (a modified
// page cannot stream into the waiting room). The start grants publishing, through LiveKit's API,
// to everyone on the appointment but observers connected then, before session_started goes out
// (activateSession); a rejoin's notification grants again; and this function repairs a grant a
// race missed (someone who connected while the activation ran), so reconciliation can call it for
// any active session. Who may publish what is the plugin's rule (publishersOf).
import { publishersOf, type CallSettings } from '../../plugin';
import type { Logger } from '../logger';
import type { RoomGateway } from './ports/RoomGateway';
import type { SessionHead, SessionStore } from './ports/SessionStore';
import { appointmentOf, loadHead } from './sessionState';

/** A clinic's call settings (CLINIC_CALL_SETTINGS): what its people may publish besides voice and video. */
export type CallSettingsOf = (clinicId: string) => CallSettings;

export interface GrantPublishingDeps {
  store: SessionStore;
  rooms: RoomGateway;
  logger: Logger;
  callSettings: CallSettingsOf;
}

export interface GrantReport {
  /** `granted`: every seat connected now may publish; the others say why nothing was granted. */
  outcome: 'granted' | 'room_gone' | 'not_active' | 'closed';
  /** The identities that were granted publishing by this call (those who already could are left alone). */
  granted: string[];
}

/**
 * Grants publishing to the session's student and counselor wherever LiveKit has them in the
 * room without it. Costs one listParticipants call, and one updateParticipant per missing grant.
 */
export async function grantPublishingIn(deps: GrantPublishingDeps, head: Pick<SessionHead, 'session' | 'activation' | 'closure'>): Promise<GrantReport> {
  if (head.closure) return { outcome: 'closed', granted: [] };
  if (!head.activation) return { outcome: 'not_active', granted: [] };
  const { session } = head;
  const listed = await deps.rooms.listParticipants(session.roomName);
  if (listed === 'room_not_found') return { outcome: 'room_gone', granted: [] };
  const terms = { callSettings: deps.callSettings(session.clinicId), observersDisclosed: session.observersDisclosed ?? true };
  const grants = new Map(publishersOf(appointmentOf(session), terms).map((publisher) => [publisher.identity, publisher]));
  const missing = [...new Set(listed.filter((participant) => grants.has(participant.identity) && !participant.canPublish).map((participant) => participant.identity))];
  const results = await Promise.all(
    missing.map(async (identity) => {
      const { grant, attributes } = grants.get(identity)!;
      // With the observer notice, as the activation grants it (see activateSession).
      return { identity, result: await deps.rooms.setPermission(session.roomName, identity, grant, attributes) };
    }),
  );
  // A participant who left between the listing and the grant needs none: their next token may publish.
  const granted = results.filter(({ result }) => result === 'done').map(({ identity }) => identity);
  if (granted.length > 0) deps.logger.info({ sessionId: session.id, granted: granted.length }, 'publishing granted');
  return { outcome: 'granted', granted };
}

/** Repairs the publishing grants of one session (for reconciliation): a no-op unless it is active. */
export async function grantPublishing(deps: GrantPublishingDeps, sessionId: string): Promise<GrantReport> {
  return grantPublishingIn(deps, await loadHead(deps.store, sessionId));
}
