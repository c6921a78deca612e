// The DOM-free heart of the widget: it owns (or borrows) a livekit-client Room, turns the
// room's events into inputs for the pure state machine in sessionState.ts, publishes the local
// camera and microphone, and emits typed events the element renders. The element never talks
// to the Room itself, so the rules stay in one place.

import {
  ConnectionState,
  DisconnectReason,
  MediaDeviceFailure,
  Room,
  RoomEvent,
  Track,
  type LocalTrackPublication,
  type LocalVideoTrack,
  type RemoteParticipant,
  type RemoteTrack,
  type RoomEventCallbacks,
} from 'livekit-client';
import { WaitingRoomError } from './errors';
import { advance, initialView, type DisconnectCause, type Notice, type SessionInput, type WidgetState } from './sessionState';
import type { TokenSource } from './tokenSource';

export type DeviceStatus = 'off' | 'starting' | 'on' | 'denied' | 'unavailable';

export interface MediaStatus {
  camera: DeviceStatus;
  microphone: DeviceStatus;
}

export interface RemoteTrackChange {
  track: RemoteTrack;
  participantIdentity: string;
  added: boolean;
}

/** Everything the controller tells its host, with the listener signature of each. */
export interface WaitingRoomControllerEvents {
  state: (view: WidgetState) => void;
  notice: (notice: Notice) => void;
  media: (status: MediaStatus) => void;
  localVideo: (track: LocalVideoTrack | null) => void;
  remoteTrack: (change: RemoteTrackChange) => void;
  /** false when the browser blocked autoplay of remote audio until a user gesture. */
  audioPlayback: (canPlay: boolean) => void;
  error: (error: WaitingRoomError) => void;
}

export interface WaitingRoomControllerOptions {
  /** Where credentials come from; required unless `room` is given. */
  tokenSource?: TokenSource;
  /** A Room the host page already connects and owns; the controller only listens and renders. */
  room?: Room;
  /**
   * Publish the local camera and microphone on connect, which gives the preview and lets the
   * call start at once. @defaultValue true for a Room the controller creates, false for a borrowed one.
   */
  publishMedia?: boolean;
  /** Clock port (epoch ms). @defaultValue Date.now */
  now?: () => number;
}

const DISCONNECT_CAUSES: Partial<Record<DisconnectReason, DisconnectCause>> = {
  [DisconnectReason.ROOM_DELETED]: 'room-deleted',
  [DisconnectReason.ROOM_CLOSED]: 'room-deleted',
  [DisconnectReason.PARTICIPANT_REMOVED]: 'room-deleted',
  [DisconnectReason.DUPLICATE_IDENTITY]: 'duplicate-identity',
  [DisconnectReason.CLIENT_INITIATED]: 'client-initiated',
};

type Listeners = { [K in keyof WaitingRoomControllerEvents]: Set<WaitingRoomControllerEvents[K]> };

export class WaitingRoomController {
  private view: WidgetState = initialView;
  private mediaStatus: MediaStatus = { camera: 'off', microphone: 'off' };
  private room: Room | null = null;
  private detach: (() => void) | null = null;
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every attempt so events from an abandoned Room are dropped. */
  private attempt = 0;
  private readonly now: () => number;
  private readonly listeners: Listeners = {
    state: new Set(),
    notice: new Set(),
    media: new Set(),
    localVideo: new Set(),
    remoteTrack: new Set(),
    audioPlayback: new Set(),
    error: new Set(),
  };

  constructor(private readonly options: WaitingRoomControllerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): WidgetState {
    return this.view;
  }

  get media(): MediaStatus {
    return this.mediaStatus;
  }

  /** Subscribes to one event; returns the unsubscribe function. */
  on<K extends keyof WaitingRoomControllerEvents>(event: K, listener: WaitingRoomControllerEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Connects (or attaches to the borrowed Room) and starts following the session. */
  async start(): Promise<void> {
    const attempt = ++this.attempt;
    this.release();
    this.dispatch({ type: 'connect', now: this.now() });
    try {
      const room = this.options.room ?? (await this.connectOwnRoom(attempt));
      if (room === null || attempt !== this.attempt) return;
      this.room = room;
      this.detach = this.follow(room, attempt);
      if (room.state === ConnectionState.Connected) this.onConnected(room);
    } catch (cause) {
      if (attempt !== this.attempt) return;
      const error = cause instanceof WaitingRoomError ? cause : new WaitingRoomError('connect-failed', 'Could not connect to the session.', { cause });
      this.emit('error', error);
      this.dispatch({ type: 'failed', code: error.code, message: error.message });
    }
  }

  /** Leaves the room; the state machine turns the client-initiated disconnect into `ended/left`. */
  async leave(): Promise<void> {
    await this.room?.disconnect();
  }

  /** Resumes remote audio after the browser blocked autoplay; call from a user gesture. */
  async startAudio(): Promise<void> {
    await this.room?.startAudio();
  }

  /** Stops listening and, if the controller created the Room, leaves it. */
  dispose(): void {
    this.attempt++;
    this.release();
  }

  private async connectOwnRoom(attempt: number): Promise<Room | null> {
    const source = this.options.tokenSource;
    if (!source) throw new WaitingRoomError('not-configured', 'Set token-url, token and server-url, tokenSource, or room.');
    const details = await source();
    if (attempt !== this.attempt) return null;
    const room = new Room({ adaptiveStream: true, dynacast: true });
    this.room = room;
    try {
      await room.connect(details.url, details.token);
    } catch (cause) {
      void room.disconnect();
      throw new WaitingRoomError('connect-failed', 'Could not connect to the session.', { cause });
    }
    return room;
  }

  private release(): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.detach?.();
    this.detach = null;
    if (this.room && this.room !== this.options.room) void this.room.disconnect();
    this.room = null;
  }

  private onConnected(room: Room): void {
    this.dispatch({ type: 'connected', metadata: room.metadata, now: this.now() });
    this.emit('audioPlayback', room.canPlaybackAudio);
    for (const participant of room.remoteParticipants.values()) this.announceExistingTracks(participant);
    this.showLocalVideo(room);
    if (this.options.publishMedia ?? this.options.room === undefined) void this.publishMedia(room);
  }

  private follow(room: Room, attempt: number): () => void {
    const live = () => attempt === this.attempt;
    const handlers: { [K in keyof RoomEventCallbacks]?: RoomEventCallbacks[K] } = {
      [RoomEvent.Connected]: () => live() && this.onConnected(room),
      [RoomEvent.RoomMetadataChanged]: (metadata) => live() && this.dispatch({ type: 'metadata', metadata, now: this.now() }),
      [RoomEvent.DataReceived]: (payload, participant, _kind, topic) =>
        live() && this.dispatch({ type: 'data', payload, fromServer: participant === undefined, topic, now: this.now() }),
      [RoomEvent.Reconnecting]: () => live() && this.dispatch({ type: 'reconnecting' }),
      [RoomEvent.SignalReconnecting]: () => live() && this.dispatch({ type: 'reconnecting' }),
      [RoomEvent.Reconnected]: () => live() && this.dispatch({ type: 'reconnected', metadata: room.metadata, now: this.now() }),
      [RoomEvent.Disconnected]: (reason) => live() && this.dispatch({ type: 'disconnected', cause: (reason !== undefined && DISCONNECT_CAUSES[reason]) || 'other' }),
      [RoomEvent.TrackSubscribed]: (track, _publication, participant) =>
        live() && this.emit('remoteTrack', { track, participantIdentity: participant.identity, added: true }),
      [RoomEvent.TrackUnsubscribed]: (track, _publication, participant) =>
        live() && this.emit('remoteTrack', { track, participantIdentity: participant.identity, added: false }),
      [RoomEvent.LocalTrackPublished]: () => live() && this.showLocalVideo(room),
      [RoomEvent.AudioPlaybackStatusChanged]: () => live() && this.emit('audioPlayback', room.canPlaybackAudio),
    };
    const entries = Object.entries(handlers) as [RoomEvent, (...args: unknown[]) => void][];
    for (const [event, handler] of entries) room.on(event, handler);
    return () => {
      for (const [event, handler] of entries) room.off(event, handler);
    };
  }

  private announceExistingTracks(participant: RemoteParticipant): void {
    for (const publication of participant.trackPublications.values()) {
      if (publication.track) this.emit('remoteTrack', { track: publication.track, participantIdentity: participant.identity, added: true });
    }
  }

  private showLocalVideo(room: Room): void {
    const publication: LocalTrackPublication | undefined = room.localParticipant.getTrackPublication(Track.Source.Camera);
    this.emit('localVideo', (publication?.videoTrack as LocalVideoTrack | undefined) ?? null);
  }

  /** Camera and microphone are tried separately: a denied one must not keep the other off. */
  private async publishMedia(room: Room): Promise<void> {
    const devices: [keyof MediaStatus, () => Promise<unknown>][] = [
      ['camera', () => room.localParticipant.setCameraEnabled(true)],
      ['microphone', () => room.localParticipant.setMicrophoneEnabled(true)],
    ];
    for (const [device, enable] of devices) {
      this.setMedia(device, 'starting');
      try {
        await enable();
        this.setMedia(device, 'on');
      } catch (cause) {
        const denied = MediaDeviceFailure.getFailure(cause) === MediaDeviceFailure.PermissionDenied;
        this.setMedia(device, denied ? 'denied' : 'unavailable');
        const code = denied ? 'media-denied' : 'media-unavailable';
        this.emit('error', new WaitingRoomError(code, `The ${device} could not be started (${code}).`, { cause }));
      }
    }
  }

  private setMedia(device: keyof MediaStatus, status: DeviceStatus): void {
    this.mediaStatus = { ...this.mediaStatus, [device]: status };
    this.emit('media', this.mediaStatus);
  }

  private dispatch(input: SessionInput): void {
    const { view, notices } = advance(this.view, input);
    const changed = view !== this.view;
    this.view = view;
    this.scheduleDeadline();
    if (changed) this.emit('state', view);
    for (const notice of notices) this.emit('notice', notice);
  }

  private scheduleDeadline(): void {
    if (this.deadlineTimer !== null || this.view.pendingStart === null) return;
    const wait = Math.max(0, this.view.pendingStart.deadline - this.now());
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      this.dispatch({ type: 'deadline', now: this.now() });
    }, wait);
  }

  private emit<K extends keyof WaitingRoomControllerEvents>(event: K, ...args: Parameters<WaitingRoomControllerEvents[K]>): void {
    for (const listener of this.listeners[event]) (listener as (...a: Parameters<WaitingRoomControllerEvents[K]>) => void)(...args);
  }
}
