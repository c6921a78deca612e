// The clinic API's bodies and answers as zod schemas: the routes validate with them, and the
// OpenAPI document (openapi.ts) is generated from them, so the API and its description cannot
// drift apart. Each named schema is registered under its OpenAPI component name.
import { z } from 'zod';
import { PARTICIPANT_ROLES } from '../../plugin';
import type { SessionView } from '../usecases/sessionView';

/** The named schemas of the API, by component name. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const identity = z.string().min(1).max(256);
const instant = z.string().describe('ISO 8601');

/** The clinic's appointment id: printable, no control characters (a range, so fuzzers can generate it). */
const externalId = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex -- the point is to name the control characters
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .describe("the clinic's appointment id: creating again with the same one and the same details returns the same session");

export const CreateSessionBody = z
  .object({
    studentIdentity: identity,
    counselorIdentity: identity,
    scheduledStart: z.iso.datetime({ offset: true }).nullish(),
    externalId: externalId.nullish(),
  })
  .register(apiSchemas, {
    id: 'CreateSession',
    description: "A session for an appointment. The service names the session's LiveKit room (the answer's roomName); a body with roomName is refused.",
  });

export const TokenBody = z.object({ identity }).register(apiSchemas, { id: 'TokenRequest' });

export const JoinToken = z
  .object({
    token: z.string(),
    url: z.string(),
    endUrl: z.string().optional().describe("counselor only, when the service knows its public URL: where the widget POSTs \"End session for everyone\" with this token as its bearer credential"),
  })
  .register(apiSchemas, { id: 'JoinToken', description: 'A short-lived LiveKit join token and the URL to connect to.' });

export const ParticipantEnded = z
  .object({
    id: z.string(),
    status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']),
    endReason: z.enum(['ended', 'timeout', 'cancelled', 'no_show']).nullable(),
  })
  .register(apiSchemas, { id: 'ParticipantEnded', description: 'The session the credential belongs to, after the end.' });

const Interval = z.object({ joinedAt: instant, leftAt: instant.nullable() });

const Participant = z
  .object({
    identity: z.string(),
    role: z.enum([...PARTICIPANT_ROLES, 'guest']),
    connected: z.boolean(),
    firstJoinedAt: instant.nullable(),
    lateSeconds: z.number().int().nullable().describe('first join minus scheduledStart, in whole seconds (negative: early)'),
    intervals: z.array(Interval),
  })
  .register(apiSchemas, { id: 'Attendance' });

export const Session = z
  .object({
    id: z.string(),
    roomName: z.string().describe("the session's own LiveKit room, named by the service and never reused"),
    externalId: z.string().nullable(),
    status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']),
    endReason: z.enum(['ended', 'timeout', 'cancelled', 'no_show']).nullable(),
    scheduledStart: instant.nullable(),
    actualStart: instant.nullable(),
    actualEnd: instant.nullable(),
    closedAt: instant.nullable(),
    participants: z.array(Participant),
  })
  .register(apiSchemas, { id: 'Session', description: 'A session with its lifecycle and attendance.' });

const AuditEntry = z
  .object({
    id: z.string(),
    keyName: z.string().describe("the API key's name (never its secret); `participant` for a call made with a participant's own credential, `reconciliation` for what a pass inferred"),
    action: z.enum(['session.create', 'session.end', 'session.cancel', 'token.mint', 'presence.reconciled']),
    sessionId: z.string().nullable(),
    identity: z.string().nullable().describe("for token mints: whose token; for a participant's own call: who called"),
    at: instant,
    outcome: z.object({ status: z.number().int(), code: z.string().nullable() }),
    detail: z.string().optional().describe('for presence.reconciled: what the pass recorded and the LiveKit listing it inferred it from (JSON)'),
  })
  .register(apiSchemas, { id: 'AuditEntry' });

export const AuditList = z
  .object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .register(apiSchemas, { id: 'AuditList', description: 'Newest first; pass nextCursor as cursor for the older entries (null: no more).' });

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(512).optional(),
});

export const SessionListQuery = z.object({
  status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('created at or after'),
  to: z.iso.datetime({ offset: true }).optional().describe('created before'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
  externalId: externalId.optional(),
});

export const SessionPage = z
  .object({ sessions: z.array(Session), nextCursor: z.string().nullable() })
  .register(apiSchemas, { id: 'SessionPage', description: 'Sessions in creation order; pass nextCursor as cursor for the next page.' });

const FailedDelivery = z
  .object({ id: z.string(), endpoint: z.string(), eventId: z.string(), type: z.string(), sessionId: z.string(), error: z.string(), failedAt: instant })
  .register(apiSchemas, { id: 'FailedDelivery' });

export const FailedDeliveries = z
  .object({ status: z.literal('failed'), deliveries: z.array(FailedDelivery) })
  .register(apiSchemas, { id: 'FailedDeliveries', description: 'Events the clinic webhook gave up on, oldest first.' });

export const RetryQueued = z.object({ queued: z.literal(true) }).register(apiSchemas, { id: 'RetryQueued' });

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .register(apiSchemas, { id: 'Error', description: 'Every error answer: a code to act on and a message for people.' });

/** The use case's view and the described answer are the same shape. */
export type SessionAnswer = z.infer<typeof Session>;
const sameShape = (view: SessionView): SessionAnswer => view;
void sameShape;
