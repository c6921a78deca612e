// RoomGateway over livekit-server-sdk's RoomServiceClient (Twirp over HTTP). Turns its errors
// into the service's codes: 404/not_found -> the room is gone; network errors, timeouts, 429 and
// 5xx -> livekit_unavailable (retry); any other 4xx -> livekit_rejected (permanent).
// LiveKit v1.13.5 answers SendData to a room that does not exist with 503 `unavailable` ("no
// response from servers"), not 404, and only after about 3 s: sendData asks listRooms at the same
// time, so a room that is gone is known at once and never retried for minutes.
import { DataPacket_Kind, ParticipantInfo_State, RoomServiceClient, ServerError, type SIPGrant, type VideoGrant } from 'livekit-server-sdk';
import { ServiceError } from '../errors';
import { ReusedTokens } from './reusedTokens';
import { trackSourcesOf } from './trackSources';
import type { ParticipantPermission, ParticipantSummary, RoomCallResult, RoomGateway, RoomSummary, SendDataOptions } from '../usecases/ports/RoomGateway';

export interface LiveKitRoomGatewayOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Per-call timeout in seconds (env LIVEKIT_REQUEST_TIMEOUT_SECONDS). */
  requestTimeoutSeconds: number;
}

function isRoomNotFound(error: unknown): boolean {
  return error instanceof ServerError && (error.status === 404 || error.code === 'not_found');
}

function classify(error: unknown, call: string): ServiceError {
  if (error instanceof ServerError && error.status !== 429 && error.status < 500) {
    return new ServiceError('livekit_rejected', `LiveKit rejected ${call} (${error.status} ${error.code ?? ''})`, { cause: error });
  }
  return new ServiceError('livekit_unavailable', `LiveKit ${call} failed`, { cause: error });
}

/** The SDK's client, signing one token per grant (per room) every few minutes instead of one per call (see reusedTokens). */
class TokenReusingClient extends RoomServiceClient {
  private readonly tokens = new ReusedTokens();

  override authHeader(grant: VideoGrant, sip?: SIPGrant): Promise<Record<string, string>> {
    if (sip) return super.authHeader(grant, sip);
    return this.tokens.header(grant as Record<string, unknown>, () => super.authHeader(grant));
  }
}

export class LiveKitRoomGateway implements RoomGateway {
  private readonly client: RoomServiceClient;

  constructor(options: LiveKitRoomGatewayOptions) {
    this.client = new TokenReusingClient(options.url, options.apiKey, options.apiSecret, {
      requestTimeout: options.requestTimeoutSeconds,
      // Region failover is for LiveKit Cloud; here a failure goes back to the job's own retries.
      failover: false,
    });
  }

  async sendData(room: string, data: Uint8Array, options: SendDataOptions): Promise<RoomCallResult> {
    // LiveKit holds a send to a missing room until its internal RPC times out (about 3 s here);
    // asking whether the room exists at the same time answers that case at once and costs the
    // happy path nothing (the two calls run together).
    const sent = this.roomCall('sendData', () =>
      this.client.sendData(room, data, DataPacket_Kind.RELIABLE, {
        topic: options.topic,
        ...(options.destinationIdentities ? { destinationIdentities: options.destinationIdentities } : {}),
      }),
    );
    const listed = this.listRooms([room]).then(
      (rooms) => (rooms.length === 0 ? ('room_not_found' as const) : ('exists' as const)),
      () => 'unknown' as const,
    );
    const first = await Promise.race([sent.then(() => 'sent' as const, () => 'sent' as const), listed]);
    if (first === 'room_not_found') {
      // The send still running is given up: nobody is in a room that does not exist.
      sent.catch(() => undefined);
      return 'room_not_found';
    }
    try {
      return await sent;
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof ServerError && cause.status === 503 && (await listed) === 'room_not_found') return 'room_not_found';
      throw error;
    }
  }

  async updateRoomMetadata(room: string, metadata: string): Promise<RoomCallResult> {
    return this.roomCall('updateRoomMetadata', () => this.client.updateRoomMetadata(room, metadata));
  }

  async openRoom(room: string, metadata: string): Promise<void> {
    try {
      await this.client.createRoom({ name: room, metadata });
    } catch (error) {
      throw classify(error, 'createRoom');
    }
    // createRoom leaves an existing room's metadata as it was.
    if ((await this.updateRoomMetadata(room, metadata)) === 'room_not_found') {
      throw new ServiceError('livekit_unavailable', `room ${room} vanished right after it was opened`);
    }
  }

  async deleteRoom(room: string): Promise<void> {
    await this.roomCall('deleteRoom', () => this.client.deleteRoom(room));
  }

  async listRooms(names?: string[]): Promise<RoomSummary[]> {
    try {
      const rooms = await this.client.listRooms(names);
      return rooms.map((room) => ({ name: room.name, metadata: room.metadata, numParticipants: room.numParticipants }));
    } catch (error) {
      throw classify(error, 'listRooms');
    }
  }

  async listParticipants(room: string): Promise<ParticipantSummary[] | 'room_not_found'> {
    try {
      const participants = await this.client.listParticipants(room);
      return participants.map((participant) => ({
        sid: participant.sid,
        identity: participant.identity,
        attributes: { ...participant.attributes },
        joinedAt: Number(participant.joinedAtMs) > 0 ? Number(participant.joinedAtMs) : Number(participant.joinedAt) * 1000,
        active: participant.state === ParticipantInfo_State.ACTIVE,
        canPublish: participant.permission?.canPublish ?? false,
      }));
    } catch (error) {
      if (isRoomNotFound(error)) return 'room_not_found';
      throw classify(error, 'listParticipants');
    }
  }

  async setPermission(room: string, identity: string, permission: ParticipantPermission, attributes: Readonly<Record<string, string>> = {}): Promise<RoomCallResult> {
    // LiveKit replaces the whole permission: what is not named here (hidden, canUpdateMetadata) stays off.
    // Attributes are merged: those named are set, the others stay.
    const named = Object.keys(attributes).length > 0 ? { attributes: { ...attributes } } : {};
    return this.roomCall('updateParticipant', () => this.client.updateParticipant(room, identity, { permission: { ...permission, canPublishSources: trackSourcesOf(permission.canPublishSources) }, ...named }));
  }

  async setAttributes(room: string, identity: string, attributes: Readonly<Record<string, string>>): Promise<RoomCallResult> {
    // Attributes alone: LiveKit leaves the permission, the metadata and the attributes not named as they are.
    return this.roomCall('updateParticipant', () => this.client.updateParticipant(room, identity, { attributes: { ...attributes } }));
  }

  async removeParticipant(room: string, identity: string): Promise<RoomCallResult> {
    return this.roomCall('removeParticipant', () => this.client.removeParticipant(room, identity));
  }

  private async roomCall(call: string, send: () => Promise<unknown>): Promise<RoomCallResult> {
    try {
      await send();
      return 'done';
    } catch (error) {
      if (isRoomNotFound(error)) return 'room_not_found';
      throw classify(error, call);
    }
  }
}
