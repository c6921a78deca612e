// The DOM-free heart of the widget: it owns (or borrows) a livekit-client Room, turns the
// room's events into inputs for the pure state machine in sessionState.ts, keeps the local
// camera and microphone (LocalMedia: captured in the waiting room once the join token is known,
// never on an observer's page: ownRole.ts; published at the start),
// follows the other party (connected, dropped, muted: otherParty.ts, with the presence heartbeat
// of presence.ts sent and heard in the call), and emits typed events the element renders. The element never talks to the Room itself, so the rules stay in one place.
//
// Nothing of the other party reaches the page before the session starts: a Room the widget
// creates subscribes to nothing until then, and remote tracks are handed to the element only
// once the call shows.

import {
  ConnectionQuality,
  ConnectionState,
  DisconnectReason,
  Room,
  RoomEvent,
  Track,
  type LocalTrack,
  type LocalVideoTrack,
  type RemoteParticipant,
  type RemoteTrack,
  type RoomEventCallbacks,
} from 'livekit-client';
import { CHAT_ATTRIBUTE, SCREEN_SHARE_ATTRIBUTE } from '../plugin/callSettings';
import { SESSION_ATTRIBUTE } from '../plugin/protocol';
import { OBSERVED_ATTRIBUTE, OBSERVED_DISCLOSED } from '../plugin/observers';
import { ROLE_ATTRIBUTE } from '../plugin/roles';
import { AWAITS_ATTRIBUTE } from '../plugin/waitingFor';
import { parseAwaits, stillAwaited } from './waitingFor';
import { ownControls, tokenRole } from './ownRole';
import { SELF } from './callLayout';
import { AudioLevel } from './audioLevel';
import { WaitingRoomError } from './errors';
import { LocalMedia, type MediaKind, type MediaStatus } from './localMedia';
import { addToChat, CHAT_TOPIC, chatEnabled, chatText, encodeChat, parseChat, type ChatMessage } from './chat';
import { followedRoles, followParty, initialParty, NOBODY, partyEntersCall, SETTLE_MS, shownParty, type OtherParty, type PartySighting, type PartyState } from './otherParty';
import { HEARTBEAT, HEARTBEAT_EVERY_MS, heardFrom, heartbeatOf, noPresence, PRESENCE_TOPIC, presenceTick, type PresenceState } from './presence';
import { rejoinDelay, rejoinsAfter } from './rejoin';
import { advance, initialView, shownPhase, type DisconnectCause, type Notice, type SessionInput, type WidgetState } from './sessionState';
import type { ConnectionDetails, TokenSource } from './tokenSource';

export type { DeviceStatus, MediaKind, MediaStatus } from './localMedia';
export type { OtherParty } from './otherParty';

export interface RemoteTrackChange {
  track: RemoteTrack;
  participantIdentity: string;
  /** camera, microphone or screen_share (LiveKit's Track.Source). */
  source: Track.Source;
  added: boolean;
}

/** A visible remote participant: their identity and the role their token names (null for tokens without one). */
export interface Person {
  identity: string;
  role: string | null;
}

export type DeviceLists = Record<'audioinput' | 'videoinput' | 'audiooutput', MediaDeviceInfo[]>;

/** Everything the controller tells its host, with the listener signature of each. */
export interface WaitingRoomControllerEvents {
  state: (view: WidgetState) => void;
  notice: (notice: Notice) => void;
  media: (status: MediaStatus) => void;
  localVideo: (track: LocalVideoTrack | null) => void;
  remoteTrack: (change: RemoteTrackChange) => void;
  otherParty: (party: OtherParty) => void;
  /** The roles the start still waits for (waitingFor.ts), as this page sees the room; empty when nothing is known. */
  awaited: (missing: readonly string[]) => void;
  /** The visible remote participants (hidden observers are never listed), in the order they joined, with their token's role. */
  people: (people: readonly Person[]) => void;
  /** Whether this page's join token says a hidden observer may watch (the clinic discloses it: plugin/observers.ts); read at connect and on change. */
  observed: (observed: boolean) => void;
  /** LiveKit's active speakers, loudest first, by identity (this page's own as callLayout's SELF). */
  speakers: (identities: readonly string[]) => void;
  /** The in-call chat's messages so far (chat.ts): only this call's, forgotten when it ends. */
  chat: (log: readonly ChatMessage[]) => void;
  /** Whether this page shares its screen now (also false when the browser's own "Stop sharing" ended it). */
  screenShare: (sharing: boolean) => void;
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
   * Capture the local camera and microphone (the waiting room's preview) and publish them when
   * the session starts. @defaultValue true for a Room the controller creates, false for a borrowed one.
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
  private room: Room | null = null;
  private localMedia: LocalMedia | null = null;
  private meter: AudioLevel | null = null;
  /** The others as otherParty.ts follows them, by role (followedRoles), and the one shown. */
  private parties = new Map<string, PartyState>();
  private party: OtherParty = NOBODY;
  /** Heartbeats heard from the others, and this page's own ticks (presence.ts). */
  private presence: PresenceState = noPresence;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private inCall = false;
  private callSince = 0;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private outputDeviceId: string | undefined;
  private detach: (() => void) | null = null;
  private deadlineTimer: ReturnType<typeof setTimeout> | null = null;
  /** A publish waits for LiveKit to grant it (see publishWhenAllowed). */
  private awaitingPublish = false;
  /** The credentials of the connection now: the join token is the bearer of "End session for everyone". */
  private details: ConnectionDetails | null = null;
  /** The wait before the next fresh-token rejoin (see rejoin). */
  private rejoinTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every attempt so events from an abandoned Room are dropped. */
  private attempt = 0;
  private readonly now: () => number;
  private readonly listeners: Listeners = {
    state: new Set(),
    notice: new Set(),
    media: new Set(),
    localVideo: new Set(),
    remoteTrack: new Set(),
    otherParty: new Set(),
    awaited: new Set(),
    people: new Set(),
    speakers: new Set(),
    observed: new Set(),
    audioPlayback: new Set(),
    screenShare: new Set(),
    chat: new Set(),
    error: new Set(),
  };
  private chatLog: readonly ChatMessage[] = [];
  private awaited: readonly string[] = [];
  private people: readonly Person[] = [];
  private observedNow = false;
  /** The screen this page shares (LiveKit stops it on unpublish only if told; the widget stops it itself). */
  private screenTrack: LocalTrack | null = null;

  constructor(private readonly options: WaitingRoomControllerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): WidgetState {
    return this.view;
  }

  get media(): MediaStatus {
    return this.localMedia?.status ?? { camera: 'off', microphone: 'off' };
  }

  get otherParty(): OtherParty {
    return this.party;
  }

  /** The token and, when the token answer gave one, the `endUrl` of the connection now (null for a borrowed Room). */
  get credentials(): ConnectionDetails | null {
    return this.details;
  }

  /** Snapshots and data messages of another session this page ignored (the join token names its own). */
  get otherSessionIgnored(): number {
    return this.view.otherSessionIgnored;
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
      this.capture(attempt);
      this.detach = this.follow(room, attempt);
      if (room.state === ConnectionState.Connected) this.onConnected(room);
    } catch (cause) {
      if (attempt !== this.attempt) return;
      if (cause instanceof WaitingRoomError && cause.reason) {
        this.dispatch({ type: 'closed', reason: cause.reason });
        return;
      }
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

  /** Turns the local camera or microphone on or off (in the waiting room: what the call starts with). */
  async setEnabled(kind: MediaKind, on: boolean): Promise<void> {
    await this.localMedia?.setEnabled(kind, on);
    this.showLocalVideo();
  }

  /**
   * The clinic's call settings as the join token carries them (attributes a client cannot
   * change); null each before connecting, or with a token that does not say.
   */
  get clinicSettings(): { screenShare: string | null; chat: string | null } {
    const attributes = this.room?.localParticipant.attributes ?? {};
    return { screenShare: attributes[SCREEN_SHARE_ATTRIBUTE] ?? null, chat: attributes[CHAT_ATTRIBUTE] ?? null };
  }

  /** This page's own role as its join token names it (before connecting, read from the token itself); null without one. */
  get ownRole(): string | null {
    return this.room?.localParticipant.attributes[ROLE_ATTRIBUTE] ?? tokenRole(this.details?.token);
  }

  /** The in-call chat so far. */
  get chat(): readonly ChatMessage[] {
    return this.chatLog;
  }

  /**
   * Sends a chat message to the others in the call (LiveKit's reliable data channel, the
   * session's own room); false when there is nothing to send or no call. Rejects when LiveKit
   * refused it. Never stored anywhere but in the pages.
   */
  async sendChat(input: string): Promise<boolean> {
    const text = chatText(input);
    const room = this.room;
    if (text === null || !room || !this.inCall || !chatEnabled(null, this.clinicSettings.chat)) return false;
    const id = crypto.randomUUID();
    await room.localParticipant.publishData(encodeChat(id, text), { reliable: true, topic: CHAT_TOPIC });
    this.addChat({ id, text, from: 'me' });
    return true;
  }

  /** Whether this page shares its screen now. */
  get screenSharing(): boolean {
    return this.screenTrack !== null;
  }

  /**
   * Shares a screen or window (the browser asks which) or stops sharing: only in the call, in a
   * Room the widget owns, never before the start. A picker the user cancelled changes nothing
   * and is no error; any other failure is a non-fatal `media-unavailable`.
   */
  async setScreenShareEnabled(on: boolean): Promise<void> {
    const room = this.room;
    if (on === this.screenSharing) return;
    if (!on) {
      this.stopScreenShare();
      return;
    }
    if (!room || !this.inCall || !this.ownsRoom()) return;
    try {
      const publication = await room.localParticipant.setScreenShareEnabled(true, { audio: false, selfBrowserSurface: 'exclude', surfaceSwitching: 'include' });
      const track = publication?.track ?? null;
      if (room !== this.room || !this.inCall) {
        // The call ended while the browser's picker was open: nothing of it may stay live.
        track?.stop();
        return;
      }
      this.screenTrack = track;
      if (track) this.emit('screenShare', true);
    } catch (cause) {
      if ((cause as { name?: unknown } | null)?.name === 'NotAllowedError') return;
      this.emit('error', new WaitingRoomError('media-unavailable', 'The screen could not be shared.', { cause }));
    }
  }

  /** Switches the camera, the microphone or (where the browser can) the speaker. */
  async selectDevice(kind: MediaDeviceKind, deviceId: string): Promise<void> {
    if (kind === 'audiooutput') {
      this.outputDeviceId = deviceId;
      if (this.room) await this.room.switchActiveDevice(kind, deviceId);
      return;
    }
    await this.localMedia?.selectDevice(kind === 'videoinput' ? 'camera' : 'microphone', deviceId);
    this.showLocalVideo();
  }

  /** The selectable devices (labels once permission is granted) and the ones in use. */
  async devices(): Promise<{ lists: DeviceLists; selected: Partial<Record<MediaDeviceKind, string>> }> {
    const all = await navigator.mediaDevices.enumerateDevices();
    const of = (kind: MediaDeviceKind) => all.filter((device) => device.kind === kind && device.deviceId !== '');
    return {
      lists: { audioinput: of('audioinput'), videoinput: of('videoinput'), audiooutput: of('audiooutput') },
      selected: { audioinput: this.localMedia?.deviceId('microphone'), videoinput: this.localMedia?.deviceId('camera'), audiooutput: this.outputDeviceId },
    };
  }

  /** How loud the local microphone is now, 0 to 1, whether muted or not (null without one). */
  microphoneLevel(): number | null {
    const track = this.localMedia?.microphone?.mediaStreamTrack;
    if (!track || track.readyState !== 'live') return null;
    if (this.meter?.source !== track) {
      this.meter?.close();
      this.meter = new AudioLevel(track);
    }
    return this.meter.level();
  }

  /** Stops listening and, if the controller created the Room, leaves it. */
  dispose(): void {
    this.attempt++;
    this.release();
  }

  /**
   * Starts the camera and microphone (once per start): only when this controller publishes, and
   * never on an observer's page (ownRole.ts), which must not even ask for the devices.
   */
  private capture(attempt: number): void {
    if (this.localMedia || !(this.options.publishMedia ?? this.options.room === undefined) || !ownControls(this.ownRole).media) return;
    this.localMedia = new LocalMedia(
      (status) => attempt === this.attempt && this.onMediaStatus(status),
      (error) => attempt === this.attempt && this.emit('error', error),
    );
    void this.localMedia.capture();
  }

  private async connectOwnRoom(attempt: number): Promise<Room | null> {
    const source = this.options.tokenSource;
    if (!source) throw new WaitingRoomError('not-configured', 'Set token-url, token and server-url, tokenSource, or room.');
    const details = await source();
    if (attempt !== this.attempt) return null;
    this.details = details;
    // The preview and level meter come up while the connection is still being made.
    this.capture(attempt);
    // The widget stops its own tracks when the call ends (release); LiveKit must not stop them when
    // it gives up a connection, or a rejoin would have nothing left to publish.
    const room = new Room({ adaptiveStream: true, dynacast: true, stopLocalTrackOnUnpublish: false });
    this.room = room;
    try {
      // Nothing of the other party is received until the call shows (see enterCall).
      await room.connect(details.url, details.token, { autoSubscribe: false });
    } catch (cause) {
      void room.disconnect();
      throw new WaitingRoomError('connect-failed', 'Could not connect to the session.', { cause });
    }
    return room;
  }

  /** Stops the shared screen and its publication; said to the host when there was one. */
  private stopScreenShare(): void {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.stop();
    const room = this.room;
    if (room && room.localParticipant.getTrackPublication(Track.Source.ScreenShare)?.track === track) void room.localParticipant.unpublishTrack(track).catch(() => undefined);
    this.emit('screenShare', false);
  }

  private release(): void {
    // The screen first, while the Room is still there to unpublish it from.
    this.stopScreenShare();
    // The chat is forgotten with the call: nothing of it outlives the session on the page.
    if (this.chatLog.length > 0) {
      this.chatLog = [];
      this.emit('chat', this.chatLog);
    }
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    if (this.rejoinTimer !== null) clearTimeout(this.rejoinTimer);
    this.rejoinTimer = null;
    this.detach?.();
    this.detach = null;
    if (this.room && this.room !== this.options.room) void this.room.disconnect();
    this.room = null;
    this.localMedia?.release();
    this.localMedia = null;
    this.meter?.close();
    this.meter = null;
    this.inCall = false;
    this.awaitingPublish = false;
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.stopHeartbeat();
    this.party = NOBODY;
    for (const [role, state] of this.parties) this.parties.set(role, { ...state, party: { ...NOBODY, role: state.party.role } });
    this.people = [];
  }

  private onConnected(room: Room): void {
    const ownSessionId = room.localParticipant.attributes[SESSION_ATTRIBUTE] ?? null;
    this.dispatch({ type: 'connected', metadata: room.metadata, now: this.now(), ownSessionId });
    this.emit('audioPlayback', room.canPlaybackAudio);
    this.updateParty();
  }

  private follow(room: Room, attempt: number): () => void {
    const live = () => attempt === this.attempt;
    const party = () => live() && this.updateParty();
    const handlers: { [K in keyof RoomEventCallbacks]?: RoomEventCallbacks[K] } = {
      [RoomEvent.Connected]: () => live() && this.onConnected(room),
      [RoomEvent.RoomMetadataChanged]: (metadata) => live() && this.dispatch({ type: 'metadata', metadata, now: this.now() }),
      [RoomEvent.DataReceived]: (payload, participant, _kind, topic) => {
        if (!live()) return;
        if (topic === PRESENCE_TOPIC) this.onHeartbeat(participant?.sid);
        else if (topic === CHAT_TOPIC) this.onChat(payload, participant !== undefined);
        else this.dispatch({ type: 'data', payload, fromServer: participant === undefined, topic, now: this.now() });
      },
      [RoomEvent.Reconnecting]: () => live() && this.dispatch({ type: 'reconnecting' }),
      [RoomEvent.SignalReconnecting]: () => live() && this.dispatch({ type: 'reconnecting' }),
      [RoomEvent.Reconnected]: () => live() && this.dispatch({ type: 'reconnected', metadata: room.metadata, now: this.now() }),
      [RoomEvent.Disconnected]: (reason) => live() && this.onDisconnected((reason !== undefined && DISCONNECT_CAUSES[reason]) || 'other', attempt),
      [RoomEvent.TrackPublished]: (publication) => {
        if (live() && this.inCall && this.ownsRoom()) publication.setSubscribed(true);
        party();
      },
      [RoomEvent.TrackSubscribed]: (track, publication, participant) => {
        if (live() && this.inCall) this.emit('remoteTrack', { track, participantIdentity: participant.identity, source: publication.source, added: true });
        party();
      },
      [RoomEvent.TrackUnsubscribed]: (track, publication, participant) =>
        live() && this.emit('remoteTrack', { track, participantIdentity: participant.identity, source: publication.source, added: false }),
      // The browser's own "Stop sharing" ends the track and LiveKit unpublishes it.
      [RoomEvent.LocalTrackUnpublished]: (publication) => {
        if (live() && publication.source === Track.Source.ScreenShare && publication.track === this.screenTrack) this.stopScreenShare();
      },
      [RoomEvent.TrackUnpublished]: party,
      [RoomEvent.TrackMuted]: party,
      [RoomEvent.TrackUnmuted]: party,
      [RoomEvent.ParticipantConnected]: party,
      [RoomEvent.ParticipantDisconnected]: party,
      [RoomEvent.ConnectionQualityChanged]: party,
      [RoomEvent.ParticipantAttributesChanged]: party,
      [RoomEvent.ParticipantPermissionsChanged]: (_before, participant) => {
        if (live() && participant === room.localParticipant && this.awaitingPublish && this.inCall && participant.permissions?.canPublish) this.publishWhenAllowed(room);
      },
      [RoomEvent.ActiveSpeakersChanged]: (speakers) => live() && this.emit('speakers', speakers.map((speaker) => (speaker === room.localParticipant ? SELF : speaker.identity))),
      [RoomEvent.AudioPlaybackStatusChanged]: () => live() && this.emit('audioPlayback', room.canPlaybackAudio),
    };
    const entries = Object.entries(handlers) as [RoomEvent, (...args: unknown[]) => void][];
    for (const [event, handler] of entries) room.on(event, handler);
    return () => {
      for (const [event, handler] of entries) room.off(event, handler);
    };
  }

  /**
   * LiveKit gave up reconnecting (its retries reuse the old token): a room the widget owns joins
   * again with a fresh token, with the waits of rejoin.ts, before the page shows "failed". The
   * camera and microphone stay on meanwhile and are published again in the new connection.
   */
  private onDisconnected(cause: DisconnectCause, attempt: number): void {
    if (!rejoinsAfter(cause, shownPhase(this.view), this.ownsRoom())) {
      this.dispatch({ type: 'disconnected', cause });
      return;
    }
    // A shared screen is not shared again in the new connection: the user shares anew if they wish.
    this.stopScreenShare();
    this.detach?.();
    this.detach = null;
    this.room = null;
    // The new connection is a new call as far as publishing and subscribing go (enterCall again).
    this.inCall = false;
    this.dispatch({ type: 'reconnecting' });
    this.scheduleRejoin(0, attempt);
  }

  private scheduleRejoin(tries: number, attempt: number): void {
    const delay = rejoinDelay(tries);
    if (delay === null) {
      const error = new WaitingRoomError('disconnected', 'The connection was lost.');
      this.emit('error', error);
      this.dispatch({ type: 'failed', code: error.code, message: error.message });
      return;
    }
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = null;
      void this.rejoin(tries, attempt);
    }, delay);
  }

  private async rejoin(tries: number, attempt: number): Promise<void> {
    let room: Room | null;
    try {
      room = await this.connectOwnRoom(attempt);
    } catch (cause) {
      if (attempt !== this.attempt) return;
      this.room = null;
      if (cause instanceof WaitingRoomError && cause.reason) this.dispatch({ type: 'closed', reason: cause.reason });
      else this.scheduleRejoin(tries + 1, attempt);
      return;
    }
    if (room === null || attempt !== this.attempt) {
      void room?.disconnect();
      return;
    }
    this.detach = this.follow(room, attempt);
    this.dispatch({ type: 'reconnected', metadata: room.metadata, now: this.now() });
    this.emit('audioPlayback', room.canPlaybackAudio);
    this.updateParty();
  }

  private ownsRoom(): boolean {
    return this.room !== null && this.room !== this.options.room;
  }

  /** The call shows: publish the local media, subscribe to the other party, hand their tracks over. */
  private enterCall(): void {
    const room = this.room;
    if (this.inCall || !room) return;
    this.inCall = true;
    this.callSince = this.now();
    for (const [role, state] of this.parties) this.parties.set(role, partyEntersCall(state));
    this.settleTimer = setTimeout(() => this.updateParty(), SETTLE_MS + 50);
    this.startHeartbeat();
    this.publishWhenAllowed(room);
    if (this.outputDeviceId) void room.switchActiveDevice('audiooutput', this.outputDeviceId).catch(() => undefined);
    for (const participant of room.remoteParticipants.values()) {
      for (const publication of participant.trackPublications.values()) {
        if (publication.track) this.emit('remoteTrack', { track: publication.track, participantIdentity: participant.identity, source: publication.source, added: true });
        else if (this.ownsRoom()) publication.setSubscribed(true);
      }
    }
  }

  /**
   * Publishes the local camera and microphone, or waits for the right to. Tokens minted before
   * the start cannot publish: the service grants it through LiveKit's API at the start, and that
   * grant may reach this page after session_started. A publish refused for want of it waits for
   * LiveKit's ParticipantPermissionsChanged (see follow) and is tried again then.
   */
  private publishWhenAllowed(room: Room): void {
    const media = this.localMedia;
    if (!media) return;
    const participant = room.localParticipant;
    this.awaitingPublish = participant.permissions?.canPublish === false;
    if (this.awaitingPublish) return;
    media.publish(participant).catch((cause: unknown) => {
      if (room !== this.room) return;
      if (participant.permissions?.canPublish === false || (cause as { status?: unknown } | null)?.status === 403) {
        this.awaitingPublish = true;
        return;
      }
      this.emit('error', new WaitingRoomError('media-unavailable', 'Could not send the camera or microphone.', { cause }));
    });
  }

  /** The other party, as far as the call is concerned: the remote participant holding the other role (any remote one, for tokens without roles). */
  private updateParty(): void {
    this.updateAwaited();
    this.updatePeople();
    const observed = this.room?.localParticipant.attributes[OBSERVED_ATTRIBUTE] === OBSERVED_DISCLOSED;
    if (observed !== this.observedNow) this.emit('observed', (this.observedNow = observed));
    const attributes = this.room?.localParticipant.attributes ?? {};
    const others = this.room ? [...this.room.remoteParticipants.values()] : [];
    const clock = { inCall: this.inCall, callSince: this.callSince, now: this.now() };
    const shown = followedRoles(parseAwaits(attributes[AWAITS_ATTRIBUTE]), attributes[ROLE_ATTRIBUTE]).map((role) => {
      const state = this.parties.get(role) ?? { ...initialParty, party: { ...NOBODY, role: role || null } };
      const other = role ? others.find((participant) => participant.attributes[ROLE_ATTRIBUTE] === role) : (others.find((participant) => participant.attributes[ROLE_ATTRIBUTE] !== undefined) ?? others[0]);
      const next = followParty(state, other ? this.sightParty(other) : null, clock);
      this.parties.set(role, next);
      return next.party;
    });
    const party = shownParty(shown);
    if (party === this.party) return;
    this.party = party;
    this.emit('otherParty', party);
  }

  /** Whom the start still waits for: the token's awaited roles less the roles connected (hidden observers are never listed). */
  private updateAwaited(): void {
    const room = this.room;
    if (!room) return;
    const own = room.localParticipant.attributes[ROLE_ATTRIBUTE];
    const connected = [own, ...[...room.remoteParticipants.values()].map((participant) => participant.attributes[ROLE_ATTRIBUTE])].filter((role): role is string => role !== undefined);
    const missing = stillAwaited(parseAwaits(room.localParticipant.attributes[AWAITS_ATTRIBUTE]), connected);
    if (missing.join(',') === this.awaited.join(',')) return;
    this.awaited = missing;
    this.emit('awaited', missing);
  }

  private updatePeople(): void {
    const people = [...(this.room?.remoteParticipants.values() ?? [])].map(({ identity, attributes }) => ({ identity, role: attributes[ROLE_ATTRIBUTE] ?? null }));
    if (people.map((person) => `${person.identity}:${person.role}`).join() === this.people.map((person) => `${person.identity}:${person.role}`).join()) return;
    this.people = people;
    this.emit('people', people);
  }

  /** What the room shows of one followed party now, for otherParty.ts. */
  private sightParty(other: RemoteParticipant): PartySighting {
    const quality = other.connectionQuality;
    const live = (source: Track.Source) => {
      const publication = other.getTrackPublication(source);
      return publication !== undefined && !publication.isMuted;
    };
    return {
      sid: other.sid,
      ratedFine: other.trackPublications.size > 0 && quality !== ConnectionQuality.Lost && quality !== ConnectionQuality.Unknown,
      ratedLost: quality === ConnectionQuality.Lost,
      heartbeat: heartbeatOf(this.presence, other.sid),
      microphone: live(Track.Source.Microphone),
      camera: live(Track.Source.Camera),
    };
  }

  /**
   * In the call, once a second: tick this page's presence clock, send a heartbeat, and look at
   * the other party again (their silence grows with the ticks). Hidden tabs still run timers once
   * a second, and Chrome exempts pages with WebRTC from its stronger throttling.
   */
  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.presence = noPresence;
    const beat = () => {
      const room = this.room;
      // While this page's own connection is down it neither sends nor judges: its first tick back
      // starts everyone's silence again (presenceTick), so the others are not blamed for our gap.
      if (!room || room.state !== ConnectionState.Connected) return;
      this.presence = presenceTick(this.presence, this.now());
      // Lossy and unacknowledged on purpose: a heartbeat lost, or refused before LiveKit granted
      // this participant data, is exactly what the other side's silence rule is for.
      room.localParticipant.publishData(HEARTBEAT, { reliable: false, topic: PRESENCE_TOPIC }).catch(() => undefined);
      this.updateParty();
    };
    this.heartbeatTimer = setInterval(beat, HEARTBEAT_EVERY_MS);
    beat();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** A chat message from a participant in the call (the SFU stamps the sender; the server sends none). */
  private onChat(payload: Uint8Array, fromParticipant: boolean): void {
    // The clinic turned chat off: LiveKit cannot refuse it by topic (presence needs the data channel), so nothing of it is shown.
    const message = fromParticipant && this.inCall && chatEnabled(null, this.clinicSettings.chat) ? parseChat(payload) : null;
    if (message) this.addChat({ ...message, from: 'them' });
  }

  private addChat(message: ChatMessage): void {
    const log = addToChat(this.chatLog, message);
    if (log === this.chatLog) return;
    this.chatLog = log;
    this.emit('chat', log);
  }

  /** A heartbeat from a participant (the SFU stamps the sender; one without a sender is nobody's). */
  private onHeartbeat(sid: string | undefined): void {
    if (!sid) return;
    this.presence = heardFrom(this.presence, sid, this.now());
    this.updateParty();
  }

  private showLocalVideo(): void {
    const camera = this.localMedia?.camera;
    this.emit('localVideo', camera && !camera.isMuted ? camera : null);
  }

  private onMediaStatus(status: MediaStatus): void {
    this.showLocalVideo();
    this.emit('media', status);
  }

  private dispatch(input: SessionInput): void {
    const { view, notices } = advance(this.view, input);
    const changed = view !== this.view;
    const finished = (view.phase === 'ended' || view.phase === 'failed') && view.phase !== this.view.phase;
    this.view = view;
    // However the call ends, the camera and microphone go off at once (the browser's recording
    // light with them) and the room is left: an ended page must hold nothing live.
    if (finished) this.release();
    this.scheduleDeadline();
    if ((view.phase === 'active' || view.resumePhase === 'active') && !this.inCall) this.enterCall();
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
