// Join tokens for the people of a session's appointment. What the token leaves out matters as much
// as what it grants: no `canUpdateOwnMetadata` (so the role attribute we set stays trustworthy in
// webhooks), no publishing before the start (the activation grants it to whoever is in the room
// then), and `hidden` only with no publishing at all, data included (a hidden participant's data
// would look like the server's): an observer watches and never speaks.
import { AccessToken } from 'livekit-server-sdk';
import { AWAITS_ATTRIBUTE, callAttributes, ROLE_ATTRIBUTE, SESSION_ATTRIBUTE } from '../../plugin';
import { trackSourcesOf } from './trackSources';
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
    async mint({ identity, sessionId, room, role, canPublish, publishSources, callSettings, awaits, disclosure = {}, hidden = false }) {
      if (hidden && canPublish) throw new Error('a hidden participant may not publish: its data would look like the server\'s');
      const token = new AccessToken(options.apiKey, options.apiSecret, {
        identity,
        ttl: options.ttlSeconds,
        attributes: { [ROLE_ATTRIBUTE]: role, [SESSION_ATTRIBUTE]: sessionId, ...callAttributes(callSettings), ...(awaits ? { [AWAITS_ATTRIBUTE]: awaits.join(',') } : {}), ...disclosure },
      });
      // Sources only with publishing: an empty list would mean "every source" to LiveKit.
      const sources = canPublish && publishSources.length > 0 ? { canPublishSources: trackSourcesOf(publishSources) } : {};
      token.addGrant({ roomJoin: true, room, canPublish, ...sources, canSubscribe: true, canPublishData: canPublish, ...(hidden ? { hidden: true } : {}) });
      return { token: await token.toJwt(), url };
    },
  };
}
