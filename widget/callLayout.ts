// Where each person's video goes in the call: a pure rule. Two people keep the pair's layout (the
// other person large, the self view small in a corner). From three on (up to the 16 an
// appointment holds, or more), a grid of equal tiles; on a phone-sized widget the active speaker
// large and the others small beneath, the rest off-screen (LiveKit's adaptive stream then stops
// sending them). Hidden observers never reach this rule: LiveKit does not list them to clients.

import type { WaitingRoomTexts } from './texts';

/** The key of this page's own tile among the remote participants' identities. */
export const SELF = '';
/** Narrower than this (CSS px), the call follows the active speaker instead of a grid. */
export const PHONE_WIDTH = 480;
/** Small tiles under the speaker on a phone; the others are off-screen. */
export const SMALL_TILES = 3;

export type TilePlace = 'main' | 'small' | 'tile' | 'off';

export interface CallLayout {
  mode: 'pair' | 'grid' | 'speaker';
  /** Grid columns (in speaker mode, for the small row). */
  columns: number;
  /** Every tile, remote ones and {@link SELF}, in display order. */
  tiles: { key: string; place: TilePlace; speaking: boolean }[];
  /** The remote participant the phone shows large; kept through silences (pass it back in). */
  featured: string | null;
}

/**
 * The layout for the visible remote participants (in the order they joined), LiveKit's active
 * speakers (loudest first), the widget's width and the participant featured before.
 */
export function callLayout(remotes: readonly string[], speakers: readonly string[], width: number, featured: string | null): CallLayout {
  const speaking = (key: string) => speakers.includes(key);
  if (remotes.length < 2) {
    return { mode: 'pair', columns: 1, tiles: [...remotes.map((key) => ({ key, place: 'main' as const, speaking: false })), { key: SELF, place: 'small', speaking: false }], featured: null };
  }
  // The loudest remote speaker; in a silence, or while only this page speaks, whoever was featured stays.
  const next = speakers.find((key) => remotes.includes(key)) ?? (featured !== null && remotes.includes(featured) ? featured : (remotes[0] as string));
  if (width >= PHONE_WIDTH) {
    const tiles = [...remotes, SELF].map((key) => ({ key, place: 'tile' as const, speaking: speaking(key) }));
    return { mode: 'grid', columns: Math.ceil(Math.sqrt(tiles.length)), tiles, featured: next };
  }
  // Under the speaker: this page's own view, then those who spoke lately, then the rest as they joined.
  const rest = [SELF, ...speakers.filter((key) => key !== next && remotes.includes(key)), ...remotes.filter((key) => key !== next && !speaking(key))];
  const tiles = [{ key: next, place: 'main' as const, speaking: speaking(next) }, ...rest.map((key, index) => ({ key, place: index < SMALL_TILES ? ('small' as const) : ('off' as const), speaking: speaking(key) }))];
  return { mode: 'speaker', columns: SMALL_TILES, tiles, featured: next };
}

const VIDEO_LABEL: Readonly<Record<string, keyof WaitingRoomTexts>> = {
  counselor: 'remoteVideoLabelCounselor',
  student: 'remoteVideoLabelStudent',
  guardian: 'remoteVideoLabelGuardian',
  interpreter: 'remoteVideoLabelInterpreter',
  co_counselor: 'remoteVideoLabelCoCounselor',
};

/** The accessible name of a remote tile, by the role its token names (without one: the pair's other side). */
export function videoLabelKey(role: string | null | undefined, localRole: 'student' | 'counselor'): keyof WaitingRoomTexts {
  return VIDEO_LABEL[role ?? ''] ?? (localRole === 'student' ? 'remoteVideoLabelCounselor' : 'remoteVideoLabelStudent');
}
