// LiveKit webhooks as LiveKit sends them, for tests and benchmarks: the protojson body of a
// WebhookEvent (camelCase, int64 as strings) and the `Authorization` JWT whose `sha256` claim
// covers the body, signed with the API key's secret.
import { createHash, randomBytes } from 'node:crypto';
import { AccessToken, WebhookEvent } from 'livekit-server-sdk';

export interface ParticipantSpec {
  sid: string;
  identity: string;
  attributes?: Record<string, string>;
}

export interface EventSpec {
  event: string;
  room: string;
  id?: string;
  /** Epoch seconds. @defaultValue now */
  createdAt?: number;
  participant?: ParticipantSpec;
  /** Epoch ms for participant.joinedAtMs (joins only). */
  joinedAtMs?: number;
}

/** The protojson body LiveKit would post (camelCase, int64 as strings). */
export function webhookBody(spec: EventSpec): string {
  const createdAt = spec.createdAt ?? Math.floor(Date.now() / 1000);
  const event = new WebhookEvent({
    id: spec.id ?? newEventId(),
    createdAt: BigInt(createdAt),
    room: { name: spec.room, sid: `RM_${spec.room}` },
    ...(spec.participant
      ? {
          participant: {
            sid: spec.participant.sid,
            identity: spec.participant.identity,
            attributes: spec.participant.attributes ?? {},
            joinedAt: BigInt(Math.floor((spec.joinedAtMs ?? createdAt * 1000) / 1000)),
            ...(spec.joinedAtMs !== undefined ? { joinedAtMs: BigInt(spec.joinedAtMs) } : {}),
          },
        }
      : {}),
  });
  // livekit-server-sdk's WebhookEvent resets `event` in its constructor; set it afterwards.
  event.event = spec.event as WebhookEvent['event'];
  return event.toJsonString();
}

/** Authorization header value as LiveKit sends it: a JWT whose sha256 claim covers the body. */
export async function signWebhook(body: string, key: string, secret: string, ttl: number | string = '5m'): Promise<string> {
  const token = new AccessToken(key, secret, { ttl });
  token.sha256 = createHash('sha256').update(body, 'utf8').digest('base64');
  return token.toJwt();
}


/** A fresh LiveKit-like event id. */
export function newEventId(): string {
  return `EV_${randomBytes(9).toString('base64url')}`;
}
