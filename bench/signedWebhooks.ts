// Builds LiveKit webhook requests the way LiveKit's server does: a protojson body and an
// `Authorization` JWT (issuer = API key) whose `sha256` claim is the base64 SHA-256 of the body.
import { createHash, randomBytes } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';

export type WebhookKind =
  | 'participant_joined'
  | 'participant_left'
  | 'participant_connection_aborted'
  | 'room_started'
  | 'room_finished';

export interface WebhookSpec {
  kind: WebhookKind;
  room: string;
  /** Seconds since the epoch, as LiveKit's `createdAt`. */
  createdAt: number;
  participant?: { sid: string; identity: string; joinedAtMs?: number };
  /** Defaults to a fresh `EV_` id; pass one to build a duplicate. */
  id?: string;
}

export interface SignedWebhook {
  id: string;
  body: string;
  authorization: string;
}

export function newEventId(): string {
  return `EV_${randomBytes(9).toString('base64url')}`;
}

/** Protojson as LiveKit sends it: camelCase, int64 as strings, defaults omitted. */
export function webhookBody(spec: WebhookSpec & { id: string }): string {
  const event: Record<string, unknown> = {
    event: spec.kind,
    room: { sid: `RM_${spec.room}`, name: spec.room },
    id: spec.id,
    createdAt: String(spec.createdAt),
  };
  if (spec.participant) {
    const joinedAtMs = spec.participant.joinedAtMs ?? spec.createdAt * 1000;
    event.participant = {
      sid: spec.participant.sid,
      identity: spec.participant.identity,
      state: spec.kind === 'participant_joined' ? 'ACTIVE' : 'DISCONNECTED',
      joinedAt: String(Math.floor(joinedAtMs / 1000)),
      joinedAtMs: String(joinedAtMs),
    };
  }
  return JSON.stringify(event);
}

export async function signBody(apiKey: string, apiSecret: string, body: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '10m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

export async function signedWebhook(apiKey: string, apiSecret: string, spec: WebhookSpec): Promise<SignedWebhook> {
  const id = spec.id ?? newEventId();
  const body = webhookBody({ ...spec, id });
  return { id, body, authorization: await signBody(apiKey, apiSecret, body) };
}
