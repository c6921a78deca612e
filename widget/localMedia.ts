// The local camera and microphone, owned by the widget from the waiting room on. Before the
// session starts they are captured for the preview and the level meter only, never published:
// nobody can see or hear a person still in the waiting room. At the start they are published
// (the microphone muted when the user chose to enter muted; a camera turned off is published
// when it is turned on), and from then on the toggles mute the published tracks, which the
// other side sees as muted.

import {
  createLocalAudioTrack,
  createLocalVideoTrack,
  MediaDeviceFailure,
  type LocalAudioTrack,
  type LocalParticipant,
  type LocalVideoTrack,
} from 'livekit-client';
import { WaitingRoomError } from './errors';

export type DeviceStatus = 'off' | 'starting' | 'on' | 'denied' | 'unavailable';
export type MediaKind = 'camera' | 'microphone';
export type MediaStatus = Record<MediaKind, DeviceStatus>;

type Tracks = { camera: LocalVideoTrack | null; microphone: LocalAudioTrack | null };

const CAPTURE: { [K in MediaKind]: (deviceId?: string) => Promise<NonNullable<Tracks[K]>> } = {
  camera: (deviceId) => createLocalVideoTrack({ deviceId }),
  microphone: (deviceId) => createLocalAudioTrack({ deviceId, echoCancellation: true, noiseSuppression: true }),
};

export class LocalMedia {
  status: MediaStatus = { camera: 'off', microphone: 'off' };
  private readonly tracks: Tracks = { camera: null, microphone: null };
  private readonly wanted: Record<MediaKind, boolean> = { camera: true, microphone: true };
  private readonly deviceIds: Partial<Record<MediaKind, string>> = {};
  private participant: LocalParticipant | null = null;
  private released = false;

  constructor(
    private readonly changed: (status: MediaStatus) => void,
    private readonly failed: (error: WaitingRoomError) => void,
  ) {}

  get camera(): LocalVideoTrack | null {
    return this.tracks.camera;
  }

  get microphone(): LocalAudioTrack | null {
    return this.tracks.microphone;
  }

  /** Captures both devices, each on its own: a denied camera must not keep the microphone off. */
  async capture(): Promise<void> {
    await Promise.all((['camera', 'microphone'] as const).map((kind) => this.captureOne(kind)));
  }

  /** Turns a device on or off; before the start only the preview changes. */
  async setEnabled(kind: MediaKind, on: boolean): Promise<void> {
    this.wanted[kind] = on;
    const track = this.tracks[kind];
    if (!track) {
      if (on) await this.captureOne(kind);
      return;
    }
    this.set(kind, on ? 'starting' : 'off');
    try {
      if (on) await track.unmute();
      else await track.mute();
      // Turning the camera on captures it again: a release meanwhile must not leave it running.
      if (this.released) {
        track.stop();
        return;
      }
      if (this.participant && !this.participant.getTrackPublication(track.source)) await this.participant.publishTrack(track);
      this.set(kind, this.wanted[kind] ? 'on' : 'off');
    } catch (cause) {
      this.fail(kind, cause);
    }
  }

  /** Uses another camera or microphone from now on (a muted track switches when turned on). */
  async selectDevice(kind: MediaKind, deviceId: string): Promise<void> {
    this.deviceIds[kind] = deviceId;
    const track = this.tracks[kind];
    await track?.setDeviceId({ exact: deviceId });
    // The switch captured the new device: stop it if the widget let go meanwhile.
    if (this.released) track?.stop();
  }

  /** The device a track captures from now (a turned-off one: the device it will use). */
  deviceId(kind: MediaKind): string | undefined {
    const track = this.tracks[kind];
    return track && !track.isMuted ? track.mediaStreamTrack.getSettings().deviceId : this.deviceIds[kind];
  }

  /**
   * The session started: publish what is on, and the microphone muted if it is off. Called again
   * after a refusal (no permission yet) or in a new connection: what is already published there stays.
   */
  async publish(participant: LocalParticipant): Promise<void> {
    // Until this connection accepted them, toggles do not publish (they would be refused too).
    this.participant = null;
    const { camera, microphone } = this.tracks;
    const unpublished = (track: LocalVideoTrack | LocalAudioTrack | null) => track !== null && participant.getTrackPublication(track.source)?.track !== track;
    await Promise.all([
      camera && !camera.isMuted && unpublished(camera) ? participant.publishTrack(camera) : null,
      microphone && unpublished(microphone) ? participant.publishTrack(microphone) : null,
    ]);
    if (!this.released) this.participant = participant;
  }

  /** Stops the devices (the camera light goes off); published tracks are the Room's to unpublish. */
  release(): void {
    this.released = true;
    this.participant = null;
    for (const track of Object.values(this.tracks)) track?.stop();
    this.tracks.camera = null;
    this.tracks.microphone = null;
  }

  private async captureOne(kind: MediaKind): Promise<void> {
    this.set(kind, 'starting');
    try {
      const track = await CAPTURE[kind](this.deviceIds[kind]);
      if (this.released) {
        track.stop();
        return;
      }
      if (!this.wanted[kind]) await track.mute();
      (this.tracks as Record<MediaKind, typeof track | null>)[kind] = track;
      if (this.participant && this.wanted[kind]) await this.participant.publishTrack(track);
      this.set(kind, this.wanted[kind] ? 'on' : 'off');
    } catch (cause) {
      this.fail(kind, cause);
    }
  }

  private fail(kind: MediaKind, cause: unknown): void {
    const denied = MediaDeviceFailure.getFailure(cause) === MediaDeviceFailure.PermissionDenied;
    this.set(kind, denied ? 'denied' : 'unavailable');
    const code = denied ? 'media-denied' : 'media-unavailable';
    this.failed(new WaitingRoomError(code, `The ${kind} could not be started (${code}).`, { cause }));
  }

  private set(kind: MediaKind, status: DeviceStatus): void {
    if (this.released) return;
    this.status = { ...this.status, [kind]: status };
    this.changed(this.status);
  }
}
