// Identifiers the service makes up: url-safe, unguessable, without ':' (BullMQ job ids are built
// from them) and matching the protocol's id pattern.
import { randomBytes } from 'node:crypto';

const random = (): string => randomBytes(16).toString('base64url');

/** A clinic webhook delivery's id (`dlv_` and 22 url-safe characters, derived from its endpoint and event). */
export const DELIVERY_ID_PATTERN = /^dlv_[A-Za-z0-9_-]{1,64}$/;

/** A new session's id; it matches the plugin's SESSION_ID_PATTERN, and names the session's room (plugin/rooms.ts). */
export const newSessionId = (): string => `ses_${random()}`;

let auditSequence = 0;

/**
 * Audit ids sort by creation: the time in ms, then a per-process sequence, then randomness. The
 * audit is read newest first by (time, id), so entries of one millisecond keep their order.
 */
export const newAuditId = (now: number = Date.now()): string => {
  auditSequence = (auditSequence + 1) % 36 ** 4;
  return `aud_${now.toString(36).padStart(9, '0')}${auditSequence.toString(36).padStart(4, '0')}${random()}`;
};
