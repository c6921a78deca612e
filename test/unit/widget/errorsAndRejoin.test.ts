// Which errors stop the widget, and which lost connections it joins again with a fresh token.

import { isFatal, type WaitingRoomErrorCode } from '../../../widget/errors';
import { rejoinsAfter } from '../../../widget/rejoin';
import type { DisconnectCause, Phase } from '../../../widget/sessionState';

describe('which errors are fatal', () => {
  it('the call survives a camera or microphone that would not start and a refused end; nothing else', () => {
    const all: WaitingRoomErrorCode[] = ['not-configured', 'token-fetch-failed', 'token-invalid', 'connect-failed', 'disconnected', 'media-denied', 'media-unavailable', 'session-closed', 'end-failed'];
    expect(all.filter((code) => !isFatal(code))).toEqual(['media-denied', 'media-unavailable', 'end-failed']);
  });
});

describe('joining again after LiveKit gave up', () => {
  it('only an unexplained loss of a room the widget owns, while waiting or in the call', () => {
    expect(rejoinsAfter('other', 'waiting', true)).toBe(true);
    expect(rejoinsAfter('other', 'active', true)).toBe(true);
    const causes: DisconnectCause[] = ['room-deleted', 'duplicate-identity', 'client-initiated'];
    for (const cause of causes) expect(rejoinsAfter(cause, 'active', true)).toBe(false);
    expect(rejoinsAfter('other', 'active', false)).toBe(false);
    const elsewhere: (Phase | null)[] = ['idle', 'connecting', 'ended', 'failed', null];
    for (const phase of elsewhere) expect(rejoinsAfter('other', phase, true)).toBe(false);
  });
});
