// The ingest workload: a realistic mix of LiveKit webhooks for many rooms, in the order LiveKit
// delivers them for each room (one room's events in sequence, rooms interleaved). Each request
// names its room, so a generator can send a room's events one at a time, as LiveKit does.
import { newEventId, signWebhook, webhookBody, type EventSpec } from '../scripts/shared/livekitWebhooks';
import type { RoomRequest } from './roomQueues';

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
function roomScript(room: BenchRoom, nowSeconds: number): EventSpec[] {
  const at = (offset: number): number => nowSeconds + offset;
  const ms = (offset: number): number => (nowSeconds + offset) * 1000 + 137;
  const student = (n: number) => ({ sid: `PA_${room.room}_s${n}`, identity: room.studentIdentity });
  const counselor = { sid: `PA_${room.room}_c1`, identity: room.counselorIdentity };
  const rejoin: EventSpec = { id: newEventId(), event: 'participant_joined', room: room.room, createdAt: at(2), participant: student(2), joinedAtMs: ms(2) };
  return [
    { event: 'participant_joined', room: room.room, createdAt: at(0), participant: student(1), joinedAtMs: ms(0) },
    { event: 'participant_connection_aborted', room: room.room, createdAt: at(0), participant: { sid: `PA_${room.room}_g1`, identity: `guest-${room.room}` } },
    { event: 'participant_joined', room: room.room, createdAt: at(1), participant: counselor, joinedAtMs: ms(1) },
    { event: 'participant_left', room: room.room, createdAt: at(2), participant: student(1), joinedAtMs: ms(0) },
    rejoin,
    rejoin,
    { event: 'participant_left', room: room.room, createdAt: at(3), participant: counselor, joinedAtMs: ms(1) },
    { event: 'room_finished', room: room.room, createdAt: at(3) },
  ];
}

export async function buildIngestRequests(rooms: BenchRoom[], apiKey: string, apiSecret: string): Promise<RoomRequest[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const scripts = rooms.map((room) => roomScript(room, nowSeconds));
  const requests: RoomRequest[] = [];
  for (let step = 0; step < EVENTS_PER_ROOM; step += 1) {
    for (const [index, script] of scripts.entries()) {
      const body = webhookBody(script[step] as EventSpec);
      const authorization = await signWebhook(body, apiKey, apiSecret, '10m');
      requests.push({ room: (rooms[index] as BenchRoom).room, path: '/livekit/webhook', headers: { authorization, 'content-type': 'application/webhook+json' }, body });
    }
  }
  return requests;
}
