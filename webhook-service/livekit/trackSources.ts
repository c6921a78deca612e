// The plugin's track-source names as LiveKit's protocol enum, for token grants and permission updates.
import { TrackSource } from 'livekit-server-sdk';
import type { PublishSource } from '../../plugin';

const TRACK_SOURCE: Readonly<Record<PublishSource, TrackSource>> = {
  camera: TrackSource.CAMERA,
  microphone: TrackSource.MICROPHONE,
  screen_share: TrackSource.SCREEN_SHARE,
  screen_share_audio: TrackSource.SCREEN_SHARE_AUDIO,
};

export function trackSourcesOf(sources: readonly PublishSource[]): TrackSource[] {
  return sources.map((source) => TRACK_SOURCE[source]);
}
