// The port through which use cases talk to LiveKit rooms. Results say what the caller must know
// (the room is gone: nobody left to tell); failures are ServiceErrors: `livekit_unavailable`
// (worth a retry) or `livekit_rejected` (a retry cannot help).
import type { PublishSource } from '../../../plugin';

export type RoomCallResult = 'done' | 'room_not_found';

export interface SendDataOptions {
  topic: string;
  /** Only these identities; everyone in the room when absent. */
  destinationIdentities?: string[];
}

export interface RoomSummary {
  name: string;
  metadata: string;
  numParticipants: number;
}

/** A participant LiveKit has in a room, connected (ACTIVE) or still joining. */
export interface ParticipantSummary {
  sid: string;
  identity: string;
  attributes: Record<string, string>;
  /** epoch ms */
  joinedAt: number;
  /** Fully connected: what a participant_joined webhook reports. */
  active: boolean;
  /** LiveKit lets them publish audio and video now (their token's grant, or a later update). */
  canPublish: boolean;
}

/** What a participant may do in the room, as LiveKit enforces it (every field is set at once). */
export interface ParticipantPermission {
  /** Audio and video tracks. */
  canPublish: boolean;
  /** Which tracks, with canPublish: LiveKit refuses any other source (a screen where the clinic does not allow one). */
  canPublishSources: readonly PublishSource[];
  canSubscribe: boolean;
  /** Data messages (the widget's own protocol needs none, but LiveKit's chat and RPC do). */
  canPublishData: boolean;
}

export interface RoomGateway {
  sendData(room: string, data: Uint8Array, options: SendDataOptions): Promise<RoomCallResult>;
  updateRoomMetadata(room: string, metadata: string): Promise<RoomCallResult>;
  /** Creates the room if it does not exist and leaves `metadata` in it either way. */
  openRoom(room: string, metadata: string): Promise<void>;
  /** Disconnects everyone and closes the room; a room already gone is fine. */
  deleteRoom(room: string): Promise<void>;
  listRooms(names?: string[]): Promise<RoomSummary[]>;
  listParticipants(room: string): Promise<ParticipantSummary[] | 'room_not_found'>;
  /**
   * Replaces a connected participant's permission; takes effect at once (a track already
   * published is unpublished when publishing is taken away). 'room_not_found' when the room or
   * the participant is gone. `attributes`, when given, are set in the same update (the others stay).
   */
  setPermission(room: string, identity: string, permission: ParticipantPermission, attributes?: Readonly<Record<string, string>>): Promise<RoomCallResult>;
  /**
   * Sets some of a connected participant's attributes, leaving the others as they are; an empty
   * value removes that attribute. Every client in the room sees the change. 'room_not_found'
   * when the room or the participant is gone.
   */
  setAttributes(room: string, identity: string, attributes: Readonly<Record<string, string>>): Promise<RoomCallResult>;
  /** Disconnects every connection of `identity` from the room; 'room_not_found' when the room or the participant is gone. */
  removeParticipant(room: string, identity: string): Promise<RoomCallResult>;
}
