// "End session for everyone", asked by a participant with their own credential: the session and
// the identity come from the credential, the right to end from the service's record (only the
// session's counselor). A page cannot point the button elsewhere, and a student's credential,
// whatever the page does, ends nothing.
import { ServiceError } from '../errors';
import { closeSession, type CloseSessionDeps } from './closeSession';
import type { ParticipantCredential } from './ports/ParticipantCredentials';
import type { LoadedSession } from './sessionState';
import { loadHead } from './sessionState';

export async function endForEveryone(deps: CloseSessionDeps, credential: ParticipantCredential): Promise<LoadedSession> {
  const { session } = await loadHead(deps.store, credential.sessionId);
  // A token of another room naming this session was not minted by us for it.
  if (session.roomName !== credential.room) throw new ServiceError('participant_unauthorized', 'the credential does not belong to this session');
  if (credential.identity !== session.counselorIdentity) {
    throw new ServiceError('participant_forbidden', "only the session's counselor may end it for everyone");
  }
  return closeSession(deps, session.id, { kind: 'end_requested', at: deps.clock.now() });
}
