// A join token for the session's student or counselor, and nobody else: the token's role
// attribute is what the widget and webhooks see, so it is only ever minted for the named seats.
import { ServiceError } from '../errors';
import type { JoinTokenMinter } from './ports/JoinTokenMinter';
import type { SessionStore } from './ports/SessionStore';
import { loadSession } from './sessionState';

export async function mintJoinToken(
  deps: { store: SessionStore; tokens: JoinTokenMinter },
  sessionId: string,
  identity: string,
): Promise<{ token: string; url: string }> {
  const session = await deps.store.findSession(sessionId);
  if (!session) throw ServiceError.notFound(sessionId);
  const role =
    identity === session.studentIdentity ? 'student' : identity === session.counselorIdentity ? 'counselor' : null;
  if (role === null) throw new ServiceError('identity_not_in_session', 'the identity is neither the student nor the counselor of this session');
  const { status } = await loadSession(deps.store, session);
  if (status === 'ended') throw new ServiceError('session_ended', `session ${sessionId} has ended`);
  return deps.tokens.mint({ identity, room: session.roomName, role });
}
