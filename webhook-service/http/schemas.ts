// The clinic API's bodies and answers as zod schemas: the routes validate with them, and the
// OpenAPI document (openapi.ts) is generated from them, so the API and its description cannot
// drift apart. Each named schema is registered under its OpenAPI component name.
import { z } from 'zod';
import { MAX_GROUP_STUDENTS, MAX_PARTICIPANTS, PARTICIPANT_ROLES, SESSION_ID_PATTERN } from '../../plugin';
import { DELIVERY_ID_PATTERN } from '../ids';
import type { SessionView } from '../usecases/sessionView';

/**
 * The named schemas of the API, by component name. Descriptions and examples go in `.meta()`
 * (zod's global registry), which is where the document reads them from.
 */
export const apiSchemas = z.registry<{ id: string }>();

const identity = z.string().min(1).max(256);
/** Every instant the service answers is UTC with a `Z` (toISOString). */
const instant = z.iso.datetime();

export const SessionId = z.string().regex(SESSION_ID_PATTERN).meta({ description: 'A session id, made by the service.' }).register(apiSchemas, { id: 'SessionId' });
export const DeliveryId = z.string().regex(DELIVERY_ID_PATTERN).meta({ description: "A failed clinic webhook delivery's id." }).register(apiSchemas, { id: 'DeliveryId' });

/** The clinic's appointment id: printable, no control characters (a range, so fuzzers can generate it). */
const externalId = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex -- the point is to name the control characters
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .describe("the clinic's appointment id: creating again with the same one and the same details returns the same session");

const requiredField = z
  .boolean()
  .optional()
  .describe('whether the session waits for this person; default: true for a student or counselor, false for a guardian, interpreter or co_counselor; an observer can never be required');
/** The clinic's own word for the person's place, printable and short: never a name (it is shown back to the clinic only). */
const label = z
  .string()
  .min(1)
  .max(64)
  // eslint-disable-next-line no-control-regex -- the point is to name the control characters
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .optional()
  .describe("the clinic's own word for the person's place on top of the role (\"mother\", \"Spanish interpreter\"); never a name: it is stored and answered back, never logged or sent in events");

export const AppointmentParticipant = z
  .strictObject({
    identity,
    role: z.enum(PARTICIPANT_ROLES),
    required: requiredField,
    label,
  })
  .meta({ description: 'One person on the appointment. The token the service mints carries the role; an observer joins hidden and can only watch.' })
  .register(apiSchemas, { id: 'AppointmentParticipant' });

export const GroupStart = z
  .strictObject({
    startAt: z.enum(['quorum', 'scheduled']).optional().describe('quorum (default): a counselor and `quorum` students connected; scheduled: at scheduledStart with a counselor connected'),
    quorum: z.number().int().min(1).max(MAX_GROUP_STUDENTS).optional().describe('distinct students needed with a counselor (default 1)'),
  })
  .meta({ description: 'Makes the session a group session (up to 15 students) and says how it starts.' })
  .register(apiSchemas, { id: 'GroupStart' });

// Bodies refuse unknown properties: a misspelt `sheduledStart` must not create a session without its start.
export const CreateSessionBody = z
  .strictObject({
    studentIdentity: identity.optional().describe('shorthand for the pair; default: the first student in participants'),
    counselorIdentity: identity.optional().describe('shorthand for the pair; default: the first counselor in participants'),
    participants: z.array(AppointmentParticipant).max(MAX_PARTICIPANTS).optional().describe('everyone on the appointment besides (or including) the pair'),
    group: GroupStart.optional(),
    observersDisclosed: z
      .boolean()
      .optional()
      .describe(
        'whether the people in the call are told that an observer (a hidden, watch-only supervisor) is present: their join tokens carry the participant attribute autostart.observed = disclosed while the appointment names an observer, and the widget shows "A supervisor is observing this session"; false: nobody is told. The audit trail records the observer\'s joins and leaves either way. Default: true',
      ),
    scheduledStart: z.iso.datetime({ offset: true }).nullish(),
    externalId: externalId.nullish(),
  })
  .meta({
    description:
      "A session for an appointment: the pair (studentIdentity, counselorIdentity, two different identities) and anyone else in participants. It starts when every required participant is connected (a group: by its quorum or at its scheduled time). The service names the session's LiveKit room (the answer's roomName); a body with roomName, or any property not listed here, is refused.",
    examples: [
      { studentIdentity: 'student-ada', counselorIdentity: 'counselor-grace', scheduledStart: '2026-12-03T14:00:00Z', externalId: 'appointment-1042' },
      { studentIdentity: 'student-alan', counselorIdentity: 'counselor-grace' },
      {
        studentIdentity: 'student-ada',
        counselorIdentity: 'counselor-grace',
        participants: [
          { identity: 'guardian-ada', role: 'guardian', required: true },
          { identity: 'interpreter-lin', role: 'interpreter' },
          { identity: 'supervisor-sue', role: 'observer' },
        ],
        observersDisclosed: true,
      },
    ],
  })
  .register(apiSchemas, { id: 'CreateSession' });

/** A participant's identity in a path (express has decoded it). */
export const ParticipantIdentity = identity;

export const PutParticipantBody = z
  .strictObject({ role: z.enum(PARTICIPANT_ROLES), required: requiredField, label })
  .meta({
    description:
      "One person of the appointment, under the identity the path names: added, or changed (role, required, label). The session's student and counselor keep their role (remove them and add them again); removing or making optional the last counselor the session waits for is refused (409 appointment_conflict).",
    examples: [{ role: 'guardian', required: true, label: 'mother' }, { role: 'interpreter' }, { role: 'observer' }],
  })
  .register(apiSchemas, { id: 'PutParticipant' });

export const TokenBody = z
  .strictObject({ identity })
  .meta({ description: "The session's student's or counselor's identity.", examples: [{ identity: 'student-ada' }] })
  .register(apiSchemas, { id: 'TokenRequest' });

export const JoinToken = z
  .object({
    token: z.string(),
    url: z.url().describe('the LiveKit URL to connect to (ws:// or wss://)'),
    endUrl: z.url().optional().describe("counselor only, when the service knows its public URL: where the widget POSTs \"End session for everyone\" with this token as its bearer credential"),
  })
  .meta({ description: 'A short-lived LiveKit join token and the URL to connect to.' })
  .register(apiSchemas, { id: 'JoinToken' });

export const ParticipantEnded = z
  .object({
    id: SessionId,
    status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']),
    endReason: z.enum(['ended', 'timeout', 'cancelled', 'no_show']).nullable(),
  })
  .meta({ description: 'The session the credential belongs to, after the end.' })
  .register(apiSchemas, { id: 'ParticipantEnded' });

const Interval = z.object({ joinedAt: instant, leftAt: instant.nullable() });

const Participant = z
  .object({
    identity: z.string(),
    role: z.enum([...PARTICIPANT_ROLES, 'guest']),
    label: z.string().optional().describe("the clinic's own word for the person's place, when it gave one"),
    connected: z.boolean(),
    firstJoinedAt: instant.nullable(),
    lateSeconds: z.number().int().nullable().describe('first join minus scheduledStart, in whole seconds (negative: early)'),
    intervals: z.array(Interval),
  })
  .register(apiSchemas, { id: 'Attendance' });

export const Session = z
  .object({
    id: SessionId,
    roomName: z.string().describe("the session's own LiveKit room, named by the service and never reused"),
    externalId: z.string().nullable(),
    status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']),
    endReason: z.enum(['ended', 'timeout', 'cancelled', 'no_show']).nullable(),
    scheduledStart: instant.nullable(),
    actualStart: instant.nullable(),
    actualEnd: instant.nullable(),
    closedAt: instant.nullable(),
    observersDisclosed: z.boolean().describe('whether the people in the call are told that an observer is present (the setting the session was created with)'),
    participants: z.array(Participant).describe('the student first, then the counselor, then anyone else who joined the room'),
  })
  .meta({ description: 'A session with its lifecycle and attendance.' })
  .register(apiSchemas, { id: 'Session' });

const AuditEntry = z
  .object({
    id: z.string(),
    keyName: z.string().describe("the API key's name (never its secret); `participant` for a call made with a participant's own credential, `reconciliation` for what a pass inferred"),
    action: z.enum(['session.create', 'session.end', 'session.cancel', 'token.mint', 'participant.put', 'participant.remove', 'presence.reconciled']),
    sessionId: z.string().nullable().describe('the session the call named (a refused call records the id it was given)'),
    identity: z.string().nullable().describe("for token mints: whose token; for participant.put and participant.remove: whose place changed; for a participant's own call: who called"),
    at: instant,
    outcome: z.object({ status: z.number().int(), code: z.string().nullable() }),
    detail: z.string().optional().describe('for presence.reconciled: what the pass recorded and the LiveKit listing it inferred it from (JSON)'),
  })
  .register(apiSchemas, { id: 'AuditEntry' });

export const AuditList = z
  .object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .meta({ description: 'Newest first; pass nextCursor as cursor for the older entries (null: no more).' })
  .register(apiSchemas, { id: 'AuditList' });

/** Opaque: only what a previous page answered as nextCursor (base64url). */
const cursor = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/)
  .describe("the previous page's nextCursor");

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursor.optional(),
});

export const SessionListQuery = z.object({
  status: z.enum(['waiting', 'active', 'ended', 'cancelled', 'no_show']).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('created at or after (ISO 8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('created before (ISO 8601)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
  externalId: externalId.optional().describe("only the session of this appointment id (the clinic's)"),
});

export const DeliveriesQuery = z.object({
  status: z.literal('failed').describe('only the failed ones are kept to list'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursor.optional(),
});

export const SessionPage = z
  .object({ sessions: z.array(Session), nextCursor: z.string().nullable() })
  .meta({ description: 'Sessions in creation order; pass nextCursor as cursor for the next page.' })
  .register(apiSchemas, { id: 'SessionPage' });

const FailedDelivery = z
  .object({ id: DeliveryId, endpoint: z.string(), eventId: z.string(), type: z.string(), sessionId: SessionId, error: z.string(), failedAt: instant })
  .register(apiSchemas, { id: 'FailedDelivery' });

export const FailedDeliveries = z
  .object({ status: z.literal('failed'), deliveries: z.array(FailedDelivery), nextCursor: z.string().nullable() })
  .meta({ description: "The clinic's events the webhook gave up on, in the order they gave up; pass nextCursor as cursor for the next page." })
  .register(apiSchemas, { id: 'FailedDeliveries' });

export const RetryQueued = z.object({ queued: z.literal(true) }).register(apiSchemas, { id: 'RetryQueued' });

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ description: 'Every error answer: a code to act on and a message for people.' })
  .register(apiSchemas, { id: 'Error' });

/** The use case's view and the described answer are the same shape. */
export type SessionAnswer = z.infer<typeof Session>;
const sameShape = (view: SessionView): SessionAnswer => view;
void sameShape;
