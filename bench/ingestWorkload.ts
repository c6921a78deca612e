// The ingest workload: a realistic mix of LiveKit webhooks for many rooms, in the order LiveKit
// delivers them for each room (one room's events in sequence, rooms interleaved).
import { newEventId, signBody, webhookBody, type WebhookSpec } from './signedWebhooks';
import type { LoadRequest } from './openLoop';

export interface BenchRoom {
  room: string;
  studentIdentity: string;
  counselorIdentity: string;
}

/** What one room's script stores: every event but the duplicate is a new record. */
export const EVENTS_PER_ROOM = 8;
export const STORED_EVENTS_PER_ROOM = 7;

/**
 * Per room: student joins, a guest's connection aborts, counselor joins (the session starts),
 * the student reloads (left old sid, joined new sid), a retried duplicate of that join, both
 * leave by the room closing.
 */
function roomScript(room: BenchRoom, nowSeconds: number): WebhookSpec[] {
  const at = (offset: number): number => nowSeconds + offset;
  const ms = (offset: number): number => (nowSeconds + offset) * 1000 + 137;
  const rejoinId = newEventId();
  return [
    { kind: 'participant_joined', room: room.room, createdAt: at(0), participant: { sid: `PA_${room.room}_s1`, identity: room.studentIdentity, joinedAtMs: ms(0) } },
    { kind: 'participant_connection_aborted', room: room.room, createdAt: at(0), participant: { sid: `PA_${room.room}_g1`, identity: `guest-${room.room}` } },
    { kind: 'participant_joined', room: room.room, createdAt: at(1), participant: { sid: `PA_${room.room}_c1`, identity: room.counselorIdentity, joinedAtMs: ms(1) } },
    { kind: 'participant_left', room: room.room, createdAt: at(2), participant: { sid: `PA_${room.room}_s1`, identity: room.studentIdentity, joinedAtMs: ms(0) } },
    { id: rejoinId, kind: 'participant_joined', room: room.room, createdAt: at(2), participant: { sid: `PA_${room.room}_s2`, identity: room.studentIdentity, joinedAtMs: ms(2) } },
    { id: rejoinId, kind: 'participant_joined', room: room.room, createdAt: at(2), participant: { sid: `PA_${room.room}_s2`, identity: room.studentIdentity, joinedAtMs: ms(2) } },
    { kind: 'participant_left', room: room.room, createdAt: at(3), participant: { sid: `PA_${room.room}_c1`, identity: room.counselorIdentity, joinedAtMs: ms(1) } },
    { kind: 'room_finished', room: room.room, createdAt: at(3) },
  ];
}

export async function buildIngestRequests(rooms: BenchRoom[], apiKey: string, apiSecret: string): Promise<LoadRequest[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const scripts = rooms.map((room) => roomScript(room, nowSeconds));
  const requests: LoadRequest[] = [];
  for (let step = 0; step < EVENTS_PER_ROOM; step += 1) {
    for (const script of scripts) {
      const spec = script[step] as WebhookSpec;
      const body = webhookBody({ ...spec, id: spec.id ?? newEventId() });
      const authorization = await signBody(apiKey, apiSecret, body);
      requests.push({ path: '/livekit/webhook', headers: { authorization, 'content-type': 'application/webhook+json' }, body });
    }
  }
  return requests;
}
