// Join tokens for the session's student and counselor. What the token leaves out matters as much
// as what it grants: no `hidden` (a hidden participant's data looks like the server's) and no
// `canUpdateOwnMetadata` (so the role attribute we set stays trustworthy in webhooks), and no
// publishing before the start (the activation grants it to whoever is in the room then).
import { AccessToken } from 'livekit-server-sdk';
import { ROLE_ATTRIBUTE, SESSION_ATTRIBUTE } from '../../plugin';
import type { JoinTokenMinter } from '../usecases/ports/JoinTokenMinter';

export interface LiveKitJoinTokenOptions {
  apiKey: string;
  apiSecret: string;
  /** Token lifetime in seconds (env TOKEN_TTL_SECONDS): only long enough to connect. */
  ttlSeconds: number;
  /** The LiveKit URL browsers connect to (env LIVEKIT_PUBLIC_URL, else LIVEKIT_URL). */
  publicUrl: string;
}

/** The URL a browser connects to: LiveKit's http(s) API URL names the same server as ws(s). */
export function browserUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, (_match, secure: string) => `ws${secure.toLowerCase()}://`);
}

export function liveKitJoinTokens(options: LiveKitJoinTokenOptions): JoinTokenMinter {
  const url = browserUrl(options.publicUrl);
  return {
    async mint({ identity, sessionId, room, role, canPublish }) {
      const token = new AccessToken(options.apiKey, options.apiSecret, {
        identity,
        ttl: options.ttlSeconds,
        attributes: { [ROLE_ATTRIBUTE]: role, [SESSION_ATTRIBUTE]: sessionId },
      });
      token.addGrant({ roomJoin: true, room, canPublish, canSubscribe: true, canPublishData: canPublish });
      return { token: await token.toJwt(), url };
    },
  };
}
