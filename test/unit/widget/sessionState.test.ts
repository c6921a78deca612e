// The widget's state machine alone: when a session counts as started, resumed or ended, and
// which data messages it refuses.

import { encodeMessage, encodeSnapshot, TOPIC, type SessionSnapshot } from '../../../plugin/protocol';
import { advance, CONFIRM_WITHIN_MS, initialView, type SessionInput, type WidgetState, type Transition } from '../../../widget/sessionState';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const startedAt = '2026-01-05T10:00:03.000Z';

const snapshot = (status: SessionSnapshot['status'], overrides: Partial<SessionSnapshot> = {}): string =>
  encodeSnapshot({
    v: 1,
    type: 'session_snapshot',
    sessionId: 'sess-1',
    status,
    startedAt: status === 'waiting' ? null : startedAt,
    endedAt: status === 'waiting' || status === 'active' ? null : '2026-01-05T10:40:00.000Z',
    reason: ({ waiting: null, active: null, ended: 'ended', cancelled: 'cancelled', no_show: 'no_show' } as const)[status],
    messageId: status === 'waiting' ? null : 'msg-1',
    ...overrides,
  });

const started = (messageId = 'msg-1', sessionId = 'sess-1'): Uint8Array =>
  encodeMessage({ v: 1, type: 'session_started', messageId, sessionId, startedAt });

const data = (payload: Uint8Array, fromServer = true, topic: string | undefined = TOPIC, now = T0 + 3000): SessionInput => ({
  type: 'data', payload, fromServer, topic, now,
});

function run(inputs: SessionInput[], from: WidgetState = initialView): Transition & { all: Transition['notices'] } {
  let view = from;
  const all: Transition['notices'] = [];
  let last: Transition = { view, notices: [] };
  for (const input of inputs) {
    last = advance(view, input);
    view = last.view;
    all.push(...last.notices);
  }
  return { ...last, all };
}

const waitingRoom: SessionInput[] = [{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('waiting'), now: T0 }];

describe('widget session state', () => {
  it('when the room has no snapshot yet, then the widget waits and remembers since when', () => {
    const { view, all } = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: '', now: T0 }]);
    expect(view.phase).toBe('waiting');
    expect(view.waitingSince).toBe(T0);
    expect(all).toEqual([{ type: 'waiting' }]);
  });

  it('when the server message arrives after its snapshot, then the session starts at once', () => {
    const { view, all } = run([...waitingRoom, { type: 'metadata', metadata: snapshot('active'), now: T0 + 3000 }, data(started())]);
    expect(view.phase).toBe('active');
    expect(all.filter((n) => n.type === 'started')).toEqual([{ type: 'started', sessionId: 'sess-1', startedAt, resumed: false }]);
  });

  it('when the server message arrives before its snapshot, then it waits for the snapshot to confirm it', () => {
    const pending = run([...waitingRoom, data(started())]);
    expect(pending.view.phase).toBe('waiting');
    expect(pending.view.pendingStart?.messageId).toBe('msg-1');
    const confirmed = run([{ type: 'metadata', metadata: snapshot('active'), now: T0 + 3100 }], pending.view);
    expect(confirmed.view.phase).toBe('active');
    expect(confirmed.view.pendingStart).toBeNull();
  });

  it('when no snapshot confirms a server message before the deadline, then nothing starts', () => {
    const pending = run([...waitingRoom, data(started())]);
    const early = advance(pending.view, { type: 'deadline', now: T0 + 3000 + CONFIRM_WITHIN_MS - 1 });
    expect(early.view.pendingStart).not.toBeNull();
    const late = advance(pending.view, { type: 'deadline', now: T0 + 3000 + CONFIRM_WITHIN_MS });
    expect(late.view.phase).toBe('waiting');
    expect(late.view.pendingStart).toBeNull();
    expect(late.notices).toEqual([{ type: 'ignored', reason: 'unconfirmed' }]);
  });

  it('a peer cannot start the session with a look-alike message, even a well-formed one', () => {
    const { view, all } = run([...waitingRoom, data(started('forged-1'), false)]);
    expect(view.phase).toBe('waiting');
    expect(view.pendingStart).toBeNull();
    expect(all).toContainEqual({ type: 'ignored', reason: 'from-peer' });
  });

  it('messages on another topic or that fail validation are ignored', () => {
    const other = run([...waitingRoom, data(started(), true, 'chat')]);
    expect(other.notices).toEqual([{ type: 'ignored', reason: 'other-topic' }]);
    const invalid = run([...waitingRoom, data(new TextEncoder().encode('{"v":1,"type":"session_started"}'))]);
    expect(invalid.notices).toEqual([{ type: 'ignored', reason: 'invalid' }]);
    expect(invalid.view.pendingStart).toBeNull();
  });

  it('a repeated message (a retried send) is ignored by its messageId', () => {
    const first = run([...waitingRoom, { type: 'metadata', metadata: snapshot('active'), now: T0 + 3000 }]);
    const repeat = advance(first.view, data(started()));
    expect(repeat.notices).toEqual([{ type: 'ignored', reason: 'repeat' }]);
    expect(repeat.view.phase).toBe('active');
  });

  it('a message for another session is refused even when its snapshot is active', () => {
    const { view, notices } = run([...waitingRoom, data(started('msg-9', 'sess-other'))]);
    expect(notices).toEqual([{ type: 'ignored', reason: 'wrong-session' }]);
    expect(view.pendingStart).toBeNull();
  });

  describe('with a join token that names its session (SESSION_ATTRIBUTE)', () => {
    const connected = (metadata: string, now = T0): SessionInput => ({ type: 'connected', metadata, now, ownSessionId: 'sess-1' });
    const ownWaitingRoom: SessionInput[] = [{ type: 'connect', now: T0 }, connected(snapshot('waiting'))];

    it('when the room still holds another session’s snapshot on connect, then it waits for its own and counts the other', () => {
      for (const status of ['active', 'ended', 'cancelled'] as const) {
        const { view, all } = run([{ type: 'connect', now: T0 }, connected(snapshot(status, { sessionId: 'sess-other' }))]);
        expect([status, view.phase, view.snapshot, view.otherSessionIgnored]).toEqual([status, 'waiting', null, 1]);
        expect(all).toEqual([{ type: 'ignored', reason: 'wrong-session' }, { type: 'waiting' }]);
      }
    });

    it('another session’s start, snapshot and message alike, never starts this page', () => {
      const { view } = run([...ownWaitingRoom, { type: 'metadata', metadata: snapshot('active', { sessionId: 'sess-other', messageId: 'msg-9' }), now: T0 + 1000 }, data(started('msg-9', 'sess-other'))]);
      expect(view).toMatchObject({ phase: 'waiting', pendingStart: null, otherSessionIgnored: 2 });
      expect(view.snapshot?.sessionId).toBe('sess-1');
      // Its own start still works afterwards.
      const own = run([{ type: 'metadata', metadata: snapshot('active'), now: T0 + 3000 }, data(started())], view);
      expect(own.view.phase).toBe('active');
    });

    it('another session’s end, snapshot or message, never ends this call', () => {
      const active = run([{ type: 'connect', now: T0 }, connected(snapshot('active'))]).view;
      const endedOther = snapshot('ended', { sessionId: 'sess-other', messageId: 'msg-8' });
      const ended = encodeMessage({ v: 1, type: 'session_ended', messageId: 'msg-8', sessionId: 'sess-other', endedAt: startedAt, reason: 'ended' });
      const { view, all } = run([{ type: 'metadata', metadata: endedOther, now: T0 + 5000 }, data(ended)], active);
      expect(view).toMatchObject({ phase: 'active', otherSessionIgnored: 2 });
      expect(all.every((notice) => notice.type === 'ignored' && notice.reason === 'wrong-session')).toBe(true);
    });

    it('the count survives a reconnect and a new connection, and the token’s session is known before any snapshot', () => {
      const { view } = run([{ type: 'connect', now: T0 }, connected('')]);
      expect(view.sessionId).toBe('sess-1');
      const afterOther = run([{ type: 'metadata', metadata: snapshot('active', { sessionId: 'sess-other' }), now: T0 }, { type: 'reconnecting' }, { type: 'reconnected', metadata: snapshot('active', { sessionId: 'sess-other' }), now: T0 }], view).view;
      expect(afterOther).toMatchObject({ phase: 'waiting', otherSessionIgnored: 2 });
      expect(advance(afterOther, { type: 'connect', now: T0 }).view.otherSessionIgnored).toBe(2);
    });

    it('a token without the attribute keeps the older rule: the first snapshot’s session is ours', () => {
      const { view } = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active', { sessionId: 'sess-any' }), now: T0, ownSessionId: null }]);
      expect(view).toMatchObject({ phase: 'active', sessionId: 'sess-any', otherSessionIgnored: 0 });
    });
  });

  it('a reload into an active session skips the waiting room at once', () => {
    const reload = T0 + 60_000;
    const { view, all } = run([{ type: 'connect', now: reload }, { type: 'connected', metadata: snapshot('active'), now: reload }]);
    expect(view.phase).toBe('active');
    expect(view.waitingSince).toBeNull();
    expect(all).toEqual([{ type: 'started', sessionId: 'sess-1', startedAt, resumed: true }]);
  });

  it('a join that completes the pair, with the start already in the join snapshot, is a fresh start, not a resumed one', () => {
    const { all } = run([{ type: 'connect', now: Date.parse(startedAt) - 800 }, { type: 'connected', metadata: snapshot('active'), now: T0 + 3100 }]);
    expect(all).toEqual([{ type: 'started', sessionId: 'sess-1', startedAt, resumed: false }]);
  });

  it.each([
    ['ended', 'ended', 'ended-by-clinic'],
    ['ended', 'timeout', 'timed-out'],
    ['cancelled', 'cancelled', 'cancelled'],
    ['no_show', 'no_show', 'no-show'],
  ] as const)('a %s snapshot (reason %s) ends the waiting room or the call with the reason %s, once', (status, reason, shown) => {
    const waiting = run(waitingRoom).view;
    const active = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active'), now: T0 }]).view;
    for (const view of [waiting, active]) {
      const closed = advance(view, { type: 'metadata', metadata: snapshot(status, { reason, messageId: 'msg-9' }), now: T0 });
      expect(closed.view).toMatchObject({ phase: 'ended', endReason: shown });
      expect(closed.notices).toEqual([{ type: 'ended', reason: shown, sessionId: 'sess-1' }]);
      // The room deletion that follows changes nothing.
      expect(advance(closed.view, { type: 'disconnected', cause: 'room-deleted' }).notices).toEqual([]);
    }
  });

  it('an ended snapshot or a deleted room ends the session', () => {
    const active = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active'), now: T0 }]).view;
    expect(advance(active, { type: 'metadata', metadata: snapshot('ended'), now: T0 }).view.endReason).toBe('ended-by-clinic');
    expect(advance(active, { type: 'disconnected', cause: 'room-deleted' }).notices).toEqual([{ type: 'ended', reason: 'room-deleted', sessionId: 'sess-1' }]);
  });

  const sessionEnded = (messageId = 'msg-2', sessionId = 'sess-1'): Uint8Array =>
    encodeMessage({ v: 1, type: 'session_ended', messageId, sessionId, endedAt: startedAt, reason: 'ended' });

  it('a session_ended with no sender (server API, or a hidden participant) ends nothing while the snapshot says otherwise', () => {
    const waiting = run(waitingRoom).view;
    const active = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active'), now: T0 }]).view;
    for (const view of [waiting, active]) {
      const forged = advance(view, data(sessionEnded('forged-end')));
      expect(forged.view.phase).toBe(view.phase);
      expect(forged.notices).toEqual([{ type: 'ignored', reason: 'unconfirmed' }]);
    }
    expect(advance(active, data(sessionEnded(), false)).notices).toEqual([{ type: 'ignored', reason: 'from-peer' }]);
  });

  it('a server session_ended that arrives before its snapshot is ignored, and the ended snapshot then ends the session once', () => {
    const active = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active'), now: T0 }]).view;
    const { view, all } = run([data(sessionEnded()), { type: 'metadata', metadata: snapshot('ended', { messageId: 'msg-2' }), now: T0 + 4000 }, data(sessionEnded())], active);
    expect(view).toMatchObject({ phase: 'ended', endReason: 'ended-by-clinic' });
    expect(all.filter((notice) => notice.type === 'ended')).toEqual([{ type: 'ended', reason: 'ended-by-clinic', sessionId: 'sess-1' }]);
  });

  it('a session_ended is accepted when the snapshot already says that session ended', () => {
    const active = run([{ type: 'connect', now: T0 }, { type: 'connected', metadata: snapshot('active'), now: T0 }]).view;
    const endedSnapshot = { ...active.snapshot!, status: 'ended' as const, endedAt: startedAt, reason: 'ended' as const };
    expect(advance({ ...active, snapshot: endedSnapshot }, data(sessionEnded())).notices).toEqual([{ type: 'ended', reason: 'ended-by-clinic', sessionId: 'sess-1' }]);
    const otherEnded = advance({ ...active, snapshot: { ...endedSnapshot, sessionId: 'sess-other' } }, data(sessionEnded('msg-3')));
    expect(otherEnded.notices).toEqual([{ type: 'ignored', reason: 'unconfirmed' }]);
  });

  it('leaving, or being replaced by a second tab, ends this page; a lost connection fails with a way to retry', () => {
    const waiting = run(waitingRoom).view;
    expect(advance(waiting, { type: 'disconnected', cause: 'client-initiated' }).view.endReason).toBe('left');
    expect(advance(waiting, { type: 'disconnected', cause: 'duplicate-identity' }).view.endReason).toBe('replaced');
    const lost = advance(waiting, { type: 'disconnected', cause: 'other' });
    expect(lost.view.phase).toBe('failed');
    expect(advance(lost.view, { type: 'connect', now: T0 }).view.phase).toBe('connecting');
  });

  it('a token refused because the session closed ends the page with that reason before any connection', () => {
    const connecting = advance(initialView, { type: 'connect', now: T0 }).view;
    for (const reason of ['ended-by-clinic', 'cancelled', 'no-show'] as const) {
      const closed = advance(connecting, { type: 'closed', reason });
      expect(closed.view).toMatchObject({ phase: 'ended', endReason: reason });
      expect(closed.notices).toEqual([{ type: 'ended', reason, sessionId: null }]);
    }
  });

  it('a reconnect returns to where it was, and picks up a start that happened meanwhile', () => {
    const waiting = run(waitingRoom).view;
    const reconnecting = advance(waiting, { type: 'reconnecting' }).view;
    expect(reconnecting).toMatchObject({ phase: 'reconnecting', resumePhase: 'waiting' });
    const back = advance(reconnecting, { type: 'reconnected', metadata: snapshot('waiting'), now: T0 + 9000 });
    expect(back.view).toMatchObject({ phase: 'waiting', waitingSince: T0 });
    expect(advance(reconnecting, { type: 'reconnected', metadata: snapshot('active'), now: T0 + 9000 }).view.phase).toBe('active');
  });
});
