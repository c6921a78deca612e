// A participant's credential is the LiveKit join token the service minted for them: signed with
// our LiveKit key, naming the identity (`sub`), the room, and the session (the `autostart.session`
// attribute). Join tokens live only long enough to connect (TOKEN_TTL_SECONDS), while the
// counselor presses "End session for everyone" up to hours later, so an action accepts a token
// within `actionWindowSeconds` past its expiry; the session it names bounds it anyway (a closed
// session takes no more actions).
import { TokenVerifier } from 'livekit-server-sdk';
import { SESSION_ATTRIBUTE } from '../../plugin';
import { ServiceError } from '../errors';
import type { ParticipantCredential, ParticipantCredentials } from '../usecases/ports/ParticipantCredentials';

export interface ParticipantCredentialOptions {
  apiKey: string;
  apiSecret: string;
  /** How long past its expiry a join token still carries its holder's actions, in seconds. @defaultValue 43200 (12 hours) */
  actionWindowSeconds?: number;
}

const unauthorized = (message: string, cause?: unknown) => new ServiceError('participant_unauthorized', message, { cause });

export function liveKitParticipantCredentials(options: ParticipantCredentialOptions): ParticipantCredentials {
  const tokens = new TokenVerifier(options.apiKey, options.apiSecret);
  const window = options.actionWindowSeconds ?? 12 * 3600;
  return {
    async verify(credential) {
      let claims: Awaited<ReturnType<TokenVerifier['verify']>>;
      try {
        claims = await tokens.verify(credential, window);
      } catch (error) {
        throw unauthorized('the credential is not a valid join token of this service', error);
      }
      const sessionId = claims.attributes?.[SESSION_ATTRIBUTE];
      const room = claims.video?.room;
      if (typeof claims.sub !== 'string' || claims.sub === '' || typeof sessionId !== 'string' || typeof room !== 'string' || claims.video?.roomJoin !== true) {
        throw unauthorized('the credential is not a join token for a session');
      }
      const verified: ParticipantCredential = { identity: claims.sub, sessionId, room };
      return verified;
    },
  };
}
