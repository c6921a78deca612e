// The clinic API's OpenAPI 3.1 document, generated from the zod schemas the routes validate with
// (schemas.ts): bodies, answers and query parameters alike, so the API and its description cannot
// drift apart. Served at GET /openapi.json; the typed client (webhook-service/client) is
// generated from it, and test/integration/service/apiConformance.test.ts fuzzes the running
// service against it (Schemathesis). Links chain create -> get -> token -> end / cancel for
// tools that test call sequences.
import { z } from 'zod';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
import { apiSchemas, AuditQuery, DeliveriesQuery, SessionListQuery } from './schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ content: { 'application/json': { schema: ref(id) } } });
const answer = (description: string, id: string) => ({ description, ...json(id) });

/** What each error status means; every error answer has the one `Error` body. */
const ERROR_MEANING: Record<number, string> = {
  400: 'invalid_request: a parameter, the body or the path does not match (the message names which)',
  401: 'clinic_unauthorized: missing or invalid bearer token',
  403: "identity_not_in_session: not on the session's appointment; clinic_forbidden: the API key lacks the scope tokens:write",
  404: "session_not_found: no such session, or another clinic's (delivery_not_found for a delivery)",
  409: 'the session is not in a status that allows this (the code says which: session_ended, session_cancelled, session_no_show, session_not_active, session_active, external_id_conflict, appointment_conflict), or idempotency_key_in_flight: the first call with this Idempotency-Key still runs',
  413: 'payload_too_large: the body is over 16 kB',
  500: "internal: the service's own fault, logged under the answer's X-Request-Id",
  503: 'a dependency is unavailable (store_unavailable, queue_unavailable): retry',
};
/** Any clinic call can be malformed, unauthenticated, hit a fault or find a dependency down. */
const ALWAYS = [400, 401, 500, 503];
const errors = (...statuses: number[]) =>
  Object.fromEntries([...new Set([...ALWAYS, ...statuses])].sort((a, b) => a - b).map((status) => [String(status), answer(ERROR_MEANING[status] as string, 'Error')]));

/** The query parameters of a zod object schema, as the route parses them (`io: input`: defaults are optional). */
function queryParameters(schema: z.ZodObject): object[] {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as { properties: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(generated.properties).map(([name, { description, ...rest }]) => ({
    name,
    in: 'query',
    required: generated.required?.includes(name) ?? false,
    ...(description ? { description } : {}),
    schema: rest,
  }));
}

const sessionId = { name: 'id', in: 'path', required: true, description: 'the session id (POST /v1/sessions answers it)', schema: ref('SessionId') } as const;
const participantIdentity = {
  name: 'identity',
  in: 'path',
  required: true,
  description: "the participant's LiveKit identity, as the clinic names it in tokens (URL-encoded)",
  schema: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

/** From an answer that is a session (or the request that named one) to what can be done next with it. */
function sessionLinks(id: string, seats?: { student: string; counselor: string }) {
  const parameters = { id };
  return {
    getSession: { operationId: 'getSession', parameters, description: 'the session as it is now' },
    getAudit: { operationId: 'getAudit', parameters, description: "the session's audit" },
    ...(seats && {
      mintStudentToken: { operationId: 'mintJoinToken', parameters, requestBody: { identity: seats.student }, description: "the student's join token" },
      mintCounselorToken: { operationId: 'mintJoinToken', parameters, requestBody: { identity: seats.counselor }, description: "the counselor's join token" },
    }),
    endSession: { operationId: 'endSession', parameters, description: 'end it (once active)' },
    cancelSession: { operationId: 'cancelSession', parameters, description: 'cancel it (before the start)' },
  };
}

const createdSessionLinks = sessionLinks('$response.body#/id', { student: '$request.body#/studentIdentity', counselor: '$request.body#/counselorIdentity' });
const readSessionLinks = sessionLinks('$response.body#/id', { student: '$response.body#/participants/0/identity', counselor: '$response.body#/participants/1/identity' });
const pathSessionLinks = sessionLinks('$request.path.id');

export function openApiDocument(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(apiSchemas, { target: 'draft-2020-12', io: 'output', uri: (id) => `#/components/schemas/${id}` });
  // Components are placed by the document itself: no dialect or identifier of their own.
  for (const schema of Object.values(schemas)) {
    delete (schema as { $schema?: string }).$schema;
    delete (schema as { $id?: string }).$id;
  }
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'LiveKit session autostart: clinic API',
      version: '1',
      description:
        'Create counseling sessions, mint join tokens, end or cancel them, and read their attendance. Every error answer is an `Error` body; a method a path does not take answers 405 with `Allow`, an unknown path 404 `route_not_found`. Every answer carries `X-Request-Id`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/v1/sessions': {
        get: {
          operationId: 'listSessions',
          description:
            'Sessions with their attendance, in creation order, a page at a time. With Accept: text/csv, one row per presence interval (sessionId, roomName, status, role, identity, joinedAt, leftAt, lateSeconds) and the next cursor in X-Next-Cursor.',
          parameters: queryParameters(SessionListQuery),
          responses: {
            '200': {
              description: 'a page of sessions',
              headers: { 'X-Next-Cursor': { description: "with text/csv: the next page's cursor", schema: { type: 'string' } } },
              content: { 'application/json': { schema: ref('SessionPage') }, 'text/csv': { schema: { type: 'string' } } },
              links: { getFirstSession: { operationId: 'getSession', parameters: { id: '$response.body#/sessions/0/id' }, description: 'the first session of the page' } },
            },
            ...errors(),
          },
        },
        post: {
          operationId: 'createSession',
          requestBody: { required: true, ...json('CreateSession') },
          description:
            'The service names the room. With externalId, a repeat of the same request answers 200 with the session it created; the same externalId with other details answers 409 external_id_conflict. The same identity as student and counselor answers 400.',
          responses: {
            '201': { ...answer('the session, waiting', 'Session'), links: createdSessionLinks },
            '200': { ...answer('the session this externalId created earlier, as it is now', 'Session'), links: createdSessionLinks },
            ...errors(409, 413),
          },
        },
      },
      '/v1/sessions/{id}': {
        get: {
          operationId: 'getSession',
          parameters: [sessionId],
          responses: { '200': { ...answer('the session', 'Session'), links: readSessionLinks }, ...errors(404) },
        },
      },
      '/v1/webhook-deliveries': {
        get: {
          operationId: 'listFailedDeliveries',
          parameters: queryParameters(DeliveriesQuery),
          responses: {
            '200': {
              ...answer('the deliveries that gave up', 'FailedDeliveries'),
              links: { retryFirstDelivery: { operationId: 'retryDelivery', parameters: { id: '$response.body#/deliveries/0/id' }, description: 'send the oldest one again' } },
            },
            ...errors(),
          },
        },
      },
      '/v1/webhook-deliveries/{id}/retry': {
        post: {
          operationId: 'retryDelivery',
          parameters: [{ name: 'id', in: 'path', required: true, description: 'a failed delivery id (GET /v1/webhook-deliveries?status=failed lists them)', schema: ref('DeliveryId') }],
          responses: { '202': answer("queued again, after the session's newer events", 'RetryQueued'), ...errors(404, 413) },
        },
      },
      '/v1/sessions/{id}/audit': {
        get: {
          operationId: 'getAudit',
          description: "The session's audit entries, newest first, a page at a time.",
          parameters: [sessionId, ...queryParameters(AuditQuery)],
          responses: { '200': answer('who created, ended, cancelled the session or minted its tokens, and how each call ended', 'AuditList'), ...errors(404) },
        },
      },
      '/v1/sessions/{id}/participants/{identity}': {
        put: {
          operationId: 'putParticipant',
          description:
            "Adds one person to the appointment, or changes them (role, required, label), before or during the session. A required person added to a waiting session is waited for; a change that leaves everyone required connected starts the session (from the moment of the change). A person whose role changes is disconnected from the room, to rejoin with a token of the new role. The same change again answers the session unchanged. Audited (participant.put).",
          parameters: [sessionId, participantIdentity],
          requestBody: { required: true, ...json('PutParticipant') },
          responses: { '200': { ...answer('the session with its people as they are now', 'Session'), links: pathSessionLinks }, ...errors(404, 409, 413) },
        },
        delete: {
          operationId: 'removeParticipant',
          description:
            "Removes one person from the appointment, before or during the session: they can no longer get a token, and if they are in the room they are disconnected. Removing the last missing required person of a waiting session starts it if everyone else required is connected. Removing the session's student or counselor hands the seat to the next listed person of that role; removing the last of them, or the last counselor the session waits for, answers 409 appointment_conflict. Removing someone not on the appointment changes nothing. Audited (participant.remove).",
          parameters: [sessionId, participantIdentity],
          responses: { '200': { ...answer('the session with its people as they are now', 'Session'), links: pathSessionLinks }, ...errors(404, 409) },
        },
      },
      '/v1/sessions/{id}/token': {
        post: {
          operationId: 'mintJoinToken',
          parameters: [sessionId],
          requestBody: { required: true, ...json('TokenRequest') },
          responses: { '200': { ...answer('a join token for the session', 'JoinToken'), links: pathSessionLinks }, ...errors(403, 404, 409, 413) },
        },
      },
      '/v1/sessions/{id}/end': {
        post: {
          operationId: 'endSession',
          parameters: [sessionId],
          responses: { '200': { ...answer('the session, ended (again: unchanged)', 'Session'), links: readSessionLinks }, ...errors(404, 409, 413) },
        },
      },
      '/v1/participant/end': {
        post: {
          operationId: 'endSessionAsParticipant',
          description:
            "\"End session for everyone\", called by the counselor's widget with its own LiveKit join token (`Authorization: Bearer <join token>`; the token answer's endUrl), not a clinic key. The session and the identity come from the token; only the session's counselor may end it. Audited under the key name `participant`.",
          security: [{ participant: [] }],
          // No body, no parameter: nothing of the request can be malformed.
          responses: {
            '200': answer('the session, ended (again: unchanged)', 'ParticipantEnded'),
            '401': answer('participant_unauthorized: no join token of this service, or one for another room', 'Error'),
            '403': answer("participant_forbidden: the credential is not the session's counselor's", 'Error'),
            '404': answer(ERROR_MEANING[404] as string, 'Error'),
            '409': answer(ERROR_MEANING[409] as string, 'Error'),
            '500': answer(ERROR_MEANING[500] as string, 'Error'),
            '503': answer(ERROR_MEANING[503] as string, 'Error'),
          },
        },
      },
      '/v1/sessions/{id}/cancel': {
        post: {
          operationId: 'cancelSession',
          parameters: [sessionId],
          responses: { '200': { ...answer('the session, cancelled (again: unchanged)', 'Session'), links: readSessionLinks }, ...errors(404, 409, 413) },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "a clinic API key (CLINIC_API_KEYS, CLINIC_API_TOKEN). Each key acts for one clinic and sees that clinic's sessions only; its scopes (CLINIC_API_KEY_GRANTS) say which calls it may make: sessions:read (GET /v1/sessions, /v1/sessions/{id}), sessions:write (create, end, cancel, put and remove participants), tokens:write (mint), audit:read, deliveries:read, deliveries:write.",
        },
        participant: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "the participant's own LiveKit join token, minted by this service" },
      },
      headers: {
        'X-Request-Id': { description: 'the id every log line about this request carries (the caller\'s own X-Request-Id when it sent a usable one)', schema: { type: 'string' } },
      },
    },
  };
  // Every /v1 call may be over a rate limit (per address, per credential); every call with a
  // clinic key may lack the scope it needs, and every POST of the clinic's takes an
  // Idempotency-Key, as does every PUT and DELETE. Then every answer names its request id.
  for (const operations of Object.values(document.paths)) {
    const byMethod = operations as Record<string, { responses: Record<string, unknown>; security?: unknown[]; parameters?: unknown[] }>;
    for (const change of [byMethod.post, byMethod.put, byMethod.delete]) {
      if (!change || change.security) continue;
      change.parameters = [...(change.parameters ?? []), IDEMPOTENCY_KEY];
      change.responses['422'] = KEY_REUSED;
      change.responses['409'] ??= KEY_IN_FLIGHT;
    }
    for (const operation of Object.values(operations as Record<string, { responses: Record<string, { headers?: Record<string, unknown>; description?: string }>; security?: unknown[] }>)) {
      operation.responses['429'] = { ...RATE_LIMITED, headers: { ...RATE_LIMITED.headers } };
      if (!operation.security) operation.responses['403'] ??= FORBIDDEN;
      for (const [status, response] of Object.entries(operation.responses)) {
        operation.responses[status] = { ...response, headers: { ...response.headers, 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } } };
      }
    }
  }
  return document;
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    "Makes the call safe to repeat (a retry after a timeout or a 5xx): the first call with a key runs and its answer is kept (IDEMPOTENCY_KEY_TTL_HOURS, 24 h); a repeat with the same key, route and body gets that answer again, with Idempotent-Replayed: true, and runs nothing; with another route or body, 422 idempotency_key_reused; while the first still runs, the repeat waits for its answer up to 10 s, then 409 idempotency_key_in_flight. An answer 5xx is not kept: the repeat runs again (a create then makes the same session). Keys are each clinic's own. 1-255 printable ASCII characters (a UUID).",
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source },
};

const KEY_REUSED = answer('idempotency_key_reused: this Idempotency-Key was used with another route or body', 'Error');
const KEY_IN_FLIGHT = answer('idempotency_key_in_flight: the first call with this Idempotency-Key is still running (Retry-After)', 'Error');

const FORBIDDEN = answer('clinic_forbidden: the API key lacks the scope this call needs (CLINIC_API_KEY_GRANTS)', 'Error');

const RATE_LIMITED = {
  description: 'rate_limited: too many requests from this address or with this credential (RATE_LIMIT_PER_ADDRESS_PER_MINUTE, RATE_LIMIT_PER_KEY_PER_MINUTE)',
  headers: { 'Retry-After': { description: 'seconds until a request would be accepted', schema: { type: 'integer', minimum: 1 } } } as Record<string, unknown>,
  ...json('Error'),
};
