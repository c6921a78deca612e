// Identifiers the service makes up: url-safe, unguessable, without ':' (BullMQ job ids are built
// from them) and matching the protocol's id pattern.
import { randomBytes } from 'node:crypto';

const random = (): string => randomBytes(16).toString('base64url');

export const newSessionId = (): string => `ses_${random()}`;
export const newMessageId = (): string => `msg_${random()}`;
export const newAuditId = (): string => `aud_${random()}`;
