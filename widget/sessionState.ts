// The widget's state machine, pure: what the room tells us goes in, the next view and the
// notices to announce come out. No DOM, no livekit-client, no timers (the caller feeds `now`
// and a `deadline` input), so every rule about when a session counts as started is tested alone.
//
// The room metadata snapshot is the authority. A data message is accepted only when it has no
// sender participant, parses, is not a repeat, and the snapshot confirms it: "no sender" is also
// what a hidden participant looks like. A `session_started` that arrives before its snapshot
// waits for it until a deadline; a `session_ended` the snapshot does not (yet) say is ignored,
// since the ended snapshot, or the room's deletion, ends the session by itself.
//
// A token minted by the service names its session (the SESSION_ATTRIBUTE participant attribute):
// then a snapshot or message of any other session is ignored and counted, never shown, whatever
// its timing (a room that held another session, a close of another session). A token without it
// keeps the older rule: the first snapshot's session is ours.

import { CLOSED_STATUSES, parseMessage, parseSnapshot, TOPIC, type EndReason as ProtocolEndReason, type SessionSnapshot } from '../plugin/protocol';

export type Phase = 'idle' | 'connecting' | 'waiting' | 'active' | 'reconnecting' | 'ended' | 'failed';

/**
 * Why the widget shows its ended state: the session closed (ended by the clinic, after the
 * rejoin grace, cancelled, a no-show: what the service's snapshot says), the room was deleted
 * without a word, the user left, or the user joined again from another tab or device.
 */
export type EndReason = 'ended-by-clinic' | 'timed-out' | 'cancelled' | 'no-show' | 'room-deleted' | 'left' | 'replaced';

const CLOSED_REASONS: Record<ProtocolEndReason, EndReason> = {
  ended: 'ended-by-clinic',
  timeout: 'timed-out',
  cancelled: 'cancelled',
  no_show: 'no-show',
};

/** The widget's reason for a snapshot that says the session closed, or null while it is open. */
function closedReason(snapshot: SessionSnapshot | null): EndReason | null {
  if (!snapshot || !CLOSED_STATUSES.includes(snapshot.status)) return null;
  return CLOSED_REASONS[snapshot.reason ?? (snapshot.status === 'no_show' ? 'no_show' : snapshot.status === 'cancelled' ? 'cancelled' : 'ended')];
}

/** Why a disconnect happened, reduced to what changes the widget's behaviour. */
export type DisconnectCause = 'room-deleted' | 'duplicate-identity' | 'client-initiated' | 'other';

export interface WidgetState {
  phase: Phase;
  /** Phase to return to when a reconnect succeeds. */
  resumePhase: Phase | null;
  sessionId: string | null;
  startedAt: string | null;
  endReason: EndReason | null;
  /** Epoch ms when the waiting room first showed (kept across reconnects). */
  waitingSince: number | null;
  /** Epoch ms when this connection attempt began: a start before it is a resumed session. */
  connectingSince: number | null;
  failure: { code: string; message: string } | null;
  snapshot: SessionSnapshot | null;
  /** A server `session_started` not yet confirmed by the snapshot. */
  pendingStart: { messageId: string; sessionId: string; deadline: number } | null;
  seenMessageIds: readonly string[];
  /** The session the join token names (SESSION_ATTRIBUTE); null for a token without it. */
  ownSessionId: string | null;
  /** Snapshots and messages of another session ignored so far (kept across reconnects). */
  otherSessionIgnored: number;
}

/** The phase the page shows: while reconnecting, the one it will return to. */
export function shownPhase(view: WidgetState | null | undefined): Phase | null {
  if (!view) return null;
  return view.phase === 'reconnecting' ? view.resumePhase : view.phase;
}

export type SessionInput =
  | { type: 'connect'; now: number }
  /** `ownSessionId`: the join token's SESSION_ATTRIBUTE, when it has one. */
  | { type: 'connected'; metadata: string | undefined; now: number; ownSessionId?: string | null }
  | { type: 'metadata'; metadata: string | undefined; now: number }
  | { type: 'data'; payload: Uint8Array; fromServer: boolean; topic: string | undefined; now: number }
  | { type: 'deadline'; now: number }
  | { type: 'reconnecting' }
  | { type: 'reconnected'; metadata: string | undefined; now: number }
  | { type: 'disconnected'; cause: DisconnectCause }
  /** The host's backend refused a token because the session closed (409 with its code). */
  | { type: 'closed'; reason: EndReason }
  | { type: 'failed'; code: string; message: string };

export type Notice =
  | { type: 'waiting' }
  | { type: 'started'; sessionId: string; startedAt: string; resumed: boolean }
  | { type: 'ended'; reason: EndReason; sessionId: string | null }
  | { type: 'failed'; code: string; message: string }
  | { type: 'ignored'; reason: 'other-topic' | 'from-peer' | 'invalid' | 'repeat' | 'unconfirmed' | 'wrong-session' };

export interface Transition {
  view: WidgetState;
  notices: Notice[];
}

/** How long a server message may wait for the snapshot that confirms it. */
export const CONFIRM_WITHIN_MS = 5000;

/**
 * Slack for the server's clock against ours when telling "started as we joined" (our join is what
 * completed the pair, often before our connect call returns) from "already running" (reload).
 */
export const CLOCK_SLACK_MS = 2000;

/** Bounded so a long session cannot grow the list without end. */
const MAX_SEEN_IDS = 64;

export const initialView: WidgetState = {
  phase: 'idle',
  resumePhase: null,
  sessionId: null,
  startedAt: null,
  endReason: null,
  waitingSince: null,
  connectingSince: null,
  failure: null,
  snapshot: null,
  pendingStart: null,
  seenMessageIds: [],
  ownSessionId: null,
  otherSessionIgnored: 0,
};

const ignoreOtherSession = (view: WidgetState): Transition => ({
  view: { ...view, otherSessionIgnored: view.otherSessionIgnored + 1 },
  notices: [{ type: 'ignored', reason: 'wrong-session' }],
});

const rememberId = (ids: readonly string[], id: string | null): readonly string[] =>
  id === null || ids.includes(id) ? ids : [...ids, id].slice(-MAX_SEEN_IDS);

function toActive(view: WidgetState, sessionId: string, startedAt: string, resumed: boolean): Transition {
  if (view.phase === 'active') return { view: { ...view, pendingStart: null }, notices: [] };
  return {
    view: { ...view, phase: 'active', sessionId, startedAt, pendingStart: null, resumePhase: null },
    notices: [{ type: 'started', sessionId, startedAt, resumed }],
  };
}

function toEnded(view: WidgetState, reason: EndReason): Transition {
  if (view.phase === 'ended') return { view, notices: [] };
  return {
    view: { ...view, phase: 'ended', endReason: reason, pendingStart: null, resumePhase: null },
    notices: [{ type: 'ended', reason, sessionId: view.sessionId }],
  };
}

/** Applies the room's snapshot; `resumed` says it came with a (re)join, not as a live change. */
function applySnapshot(view: WidgetState, metadata: string | undefined, now: number, resumed: boolean): Transition {
  const parsed = parseSnapshot(metadata);
  if (parsed.ok && view.ownSessionId !== null && parsed.value.sessionId !== view.ownSessionId) {
    // Another session's state: counted, and this page goes on from what its own session last said.
    const ignored = ignoreOtherSession(view);
    const own = applyOwnSnapshot(ignored.view, view.snapshot, now, resumed);
    return { view: own.view, notices: [...ignored.notices, ...own.notices] };
  }
  return applyOwnSnapshot(view, parsed.ok ? parsed.value : null, now, resumed);
}

function applyOwnSnapshot(view: WidgetState, snapshot: SessionSnapshot | null, now: number, resumed: boolean): Transition {
  const next: WidgetState = {
    ...view,
    snapshot,
    sessionId: snapshot?.sessionId ?? view.sessionId,
    seenMessageIds: rememberId(view.seenMessageIds, snapshot?.messageId ?? null),
  };
  const closed = closedReason(snapshot);
  if (closed) return toEnded(next, closed);
  if (snapshot?.status === 'active' && snapshot.startedAt !== null) {
    const startedBeforeUs = next.connectingSince !== null && Date.parse(snapshot.startedAt) < next.connectingSince - CLOCK_SLACK_MS;
    return toActive(next, snapshot.sessionId, snapshot.startedAt, resumed && startedBeforeUs);
  }
  if (next.phase === 'connecting' || next.phase === 'reconnecting') {
    return { view: { ...next, phase: 'waiting', waitingSince: next.waitingSince ?? now }, notices: [{ type: 'waiting' }] };
  }
  return { view: next, notices: [] };
}

function applyData(view: WidgetState, input: Extract<SessionInput, { type: 'data' }>): Transition {
  const ignore = (reason: Extract<Notice, { type: 'ignored' }>['reason']): Transition => ({ view, notices: [{ type: 'ignored', reason }] });
  if (input.topic !== TOPIC) return ignore('other-topic');
  // The SFU stamps the real sender on peer packets: only the server API arrives without one.
  if (!input.fromServer) return ignore('from-peer');
  const parsed = parseMessage(input.payload);
  if (!parsed.ok) return ignore('invalid');
  const message = parsed.value;
  const ours = view.ownSessionId ?? view.sessionId;
  if (ours !== null && message.sessionId !== ours) return ignoreOtherSession(view);
  if (view.seenMessageIds.includes(message.messageId)) return ignore('repeat');
  const seen = { ...view, seenMessageIds: rememberId(view.seenMessageIds, message.messageId) };
  if (message.type === 'session_ended') {
    // Only the snapshot, which only the service can write, confirms an end.
    const closed = view.snapshot?.sessionId === message.sessionId ? closedReason(view.snapshot) : null;
    return closed ? toEnded(seen, closed) : { view: seen, notices: [{ type: 'ignored', reason: 'unconfirmed' }] };
  }
  if (view.phase !== 'waiting') return { view: seen, notices: [{ type: 'ignored', reason: 'repeat' }] };
  const snapshot = view.snapshot;
  if (snapshot?.status === 'active' && snapshot.sessionId === message.sessionId && snapshot.startedAt !== null) {
    return toActive(seen, snapshot.sessionId, snapshot.startedAt, false);
  }
  return {
    view: { ...seen, pendingStart: { messageId: message.messageId, sessionId: message.sessionId, deadline: input.now + CONFIRM_WITHIN_MS } },
    notices: [],
  };
}

const DISCONNECT_REASONS: Record<Exclude<DisconnectCause, 'other'>, EndReason> = {
  'room-deleted': 'room-deleted',
  'duplicate-identity': 'replaced',
  'client-initiated': 'left',
};

/** The one transition function: every input the controller sees goes through here. */
export function advance(view: WidgetState, input: SessionInput): Transition {
  switch (input.type) {
    case 'connect':
      return { view: { ...initialView, phase: 'connecting', connectingSince: input.now, otherSessionIgnored: view.otherSessionIgnored }, notices: [] };
    case 'connected': {
      const ownSessionId = input.ownSessionId || null;
      return applySnapshot({ ...view, ownSessionId, sessionId: ownSessionId ?? view.sessionId }, input.metadata, input.now, true);
    }
    case 'metadata':
      if (view.phase === 'ended' || view.phase === 'failed' || view.phase === 'idle') return { view, notices: [] };
      return applySnapshot(view, input.metadata, input.now, false);
    case 'data':
      if (view.phase === 'ended' || view.phase === 'failed' || view.phase === 'idle') return { view, notices: [] };
      return applyData(view, input);
    case 'deadline':
      if (view.pendingStart === null || input.now < view.pendingStart.deadline) return { view, notices: [] };
      return { view: { ...view, pendingStart: null }, notices: [{ type: 'ignored', reason: 'unconfirmed' }] };
    case 'reconnecting':
      if (view.phase === 'reconnecting' || view.phase === 'ended' || view.phase === 'failed') return { view, notices: [] };
      return { view: { ...view, phase: 'reconnecting', resumePhase: view.phase }, notices: [] };
    case 'reconnected': {
      if (view.phase !== 'reconnecting') return { view, notices: [] };
      const back = { ...view, phase: view.resumePhase ?? 'waiting', resumePhase: null };
      return applySnapshot(back, input.metadata, input.now, true);
    }
    case 'disconnected':
      if (view.phase === 'ended' || view.phase === 'failed') return { view, notices: [] };
      if (input.cause === 'other') return advance(view, { type: 'failed', code: 'disconnected', message: 'The connection was lost.' });
      return toEnded(view, DISCONNECT_REASONS[input.cause]);
    case 'closed':
      return toEnded(view, input.reason);
    case 'failed':
      return {
        view: { ...view, phase: 'failed', failure: { code: input.code, message: input.message }, pendingStart: null, resumePhase: null },
        notices: [{ type: 'failed', code: input.code, message: input.message }],
      };
  }
}
