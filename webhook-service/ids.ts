// Identifiers the service makes up: url-safe, unguessable, without ':' (BullMQ job ids are built
// from them) and matching the protocol's id pattern.
import { randomBytes } from 'node:crypto';

const random = (): string => randomBytes(16).toString('base64url');

export const newSessionId = (): string => `ses_${random()}`;
export const newMessageId = (): string => `msg_${random()}`;
let auditSequence = 0;

/**
 * Audit ids sort by creation: the time in ms, then a per-process sequence, then randomness. The
 * audit is read newest first by (time, id), so entries of one millisecond keep their order.
 */
export const newAuditId = (now: number = Date.now()): string => {
  auditSequence = (auditSequence + 1) % 36 ** 4;
  return `aud_${now.toString(36).padStart(9, '0')}${auditSequence.toString(36).padStart(4, '0')}${random()}`;
};
