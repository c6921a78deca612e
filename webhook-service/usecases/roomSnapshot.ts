// What the room is told: the snapshot kept in its metadata (the durable truth every participant
// gets on connect) and the data messages that announce a change at once.
import { encodeMessage, encodeSnapshot, type SessionSnapshot } from '../../plugin';
import type { ActivationRecord, ClosureRecord, SessionHead } from './ports/SessionStore';

export function snapshotOf({ session, activation, closure }: Pick<SessionHead, 'session' | 'activation' | 'closure'>): string {
  const snapshot: SessionSnapshot = {
    v: 1,
    type: 'session_snapshot',
    sessionId: session.id,
    status: closure?.status ?? (activation ? 'active' : 'waiting'),
    startedAt: activation?.startedAt.toISOString() ?? null,
    endedAt: closure ? (closure.endedAt ?? closure.at).toISOString() : null,
    reason: closure?.reason ?? null,
    messageId: closure?.messageId ?? activation?.messageId ?? null,
  };
  return encodeSnapshot(snapshot);
}

/** The start as the room is told it: the snapshot for its metadata and the session_started message. */
export const startAnnouncement = (head: Pick<SessionHead, 'session' | 'closure'> & { activation: ActivationRecord }): { snapshot: string; message: Uint8Array } => ({
  snapshot: snapshotOf(head),
  message: startedMessage(head.activation),
});

export const startedMessage = (activation: ActivationRecord): Uint8Array =>
  encodeMessage({
    v: 1,
    type: 'session_started',
    messageId: activation.messageId,
    sessionId: activation.sessionId,
    startedAt: activation.startedAt.toISOString(),
  });

export const endedMessage = (closure: ClosureRecord): Uint8Array =>
  encodeMessage({
    v: 1,
    type: 'session_ended',
    messageId: closure.messageId,
    sessionId: closure.sessionId,
    endedAt: (closure.endedAt ?? closure.at).toISOString(),
    reason: closure.reason,
  });
