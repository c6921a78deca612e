// Probe rooms: rooms the doctor (`npm run doctor`) opens on LiveKit to prove the whole webhook
// path. The doctor registers a probe in Redis before it joins; the webhook intake writes down
// what became of each webhook about a registered probe room (its event, the outcome, the key it
// was signed with), so the doctor can say which step failed. Only registered probes are written:
// an unsigned request naming a made-up probe room costs one EXISTS.
import type { WebhookOutcome } from '../metrics';

/** Every probe room's name starts with this; no session's room can (sessions' rooms are the service's or the clinic's names). */
export const PROBE_ROOM_PREFIX = 'autostart-doctor-';

export const isProbeRoom = (room: string): boolean => room.startsWith(PROBE_ROOM_PREFIX);

/** What the intake saw of one webhook about a probe room. */
export interface ProbeObservation {
  /** The event type the body names (unverified when the outcome is unauthorized). */
  event: string;
  outcome: WebhookOutcome;
  /** The API key the request's JWT names as its issuer (read, not trusted), or null. */
  signedWith: string | null;
  /** The key the service verifies webhooks with (LIVEKIT_WEBHOOK_API_KEY or LIVEKIT_API_KEY). */
  verifiedWith: string;
  /** The event's createdAt, epoch seconds, or null. */
  createdAt: number | null;
  /** When the intake answered it, epoch ms. */
  receivedAt: number;
}

/** Where the intake writes what it saw about probe rooms. */
export interface ProbeLog {
  observe(room: string, observation: ProbeObservation): Promise<void>;
}

/**
 * The probe's room name, event type, createdAt and JWT issuer read from a webhook request that
 * may be unsigned or forged: only a hint for the doctor's diagnosis, never for a decision.
 */
export function probeFacts(rawBody: string, authorization: string | undefined): { room: string; event: string; createdAt: number | null; signedWith: string | null } | null {
  if (!rawBody.includes(PROBE_ROOM_PREFIX)) return null;
  let body: { event?: unknown; room?: { name?: unknown }; createdAt?: unknown };
  try {
    body = JSON.parse(rawBody) as typeof body;
  } catch {
    return null;
  }
  const room = typeof body.room?.name === 'string' ? body.room.name : '';
  if (!isProbeRoom(room)) return null;
  const createdAt = Number(body.createdAt);
  return {
    room,
    event: typeof body.event === 'string' ? body.event : '',
    createdAt: Number.isFinite(createdAt) && createdAt > 0 ? createdAt : null,
    signedWith: issuerOf(authorization),
  };
}

function issuerOf(authorization: string | undefined): string | null {
  const payload = authorization?.replace(/^Bearer\s+/i, '').split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof claims.iss === 'string' ? claims.iss.slice(0, 128) : null;
  } catch {
    return null;
  }
}
