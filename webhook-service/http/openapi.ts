// The clinic API's OpenAPI 3.1 document, generated from the zod schemas the routes validate with
// (schemas.ts). Served at GET /openapi.json; the typed client (webhook-service/client) is
// generated from it.
import { z } from 'zod';
import { apiSchemas } from './schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ content: { 'application/json': { schema: ref(id) } } });
const answer = (description: string, id: string) => ({ description, ...json(id) });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), answer(ERROR_MEANING[status] as string, 'Error')]));

const ERROR_MEANING: Record<number, string> = {
  400: 'invalid_request: the body or a parameter does not match',
  401: 'clinic_unauthorized: missing or invalid bearer token',
  403: "identity_not_in_session: neither the student nor the counselor of the session; clinic_forbidden: the API key lacks the scope tokens:write",
  404: "session_not_found: no such session, or another clinic's (delivery_not_found for a delivery)",
  413: 'payload_too_large: the body is over 16 kB',
  409: 'the session is not in a status that allows this (the code says which), or idempotency_key_in_flight: the first call with this Idempotency-Key still runs',
  503: 'a dependency is unavailable: retry',
};

const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } } as const;

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
      description: 'Create counseling sessions, mint join tokens, end or cancel them, and read their attendance.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths: {
      '/v1/sessions': {
        get: {
          operationId: 'listSessions',
          description: 'Sessions with their attendance, in creation order, a page at a time. With Accept: text/csv, one row per presence interval (sessionId, roomName, status, role, identity, joinedAt, leftAt, lateSeconds) and the next cursor in X-Next-Cursor.',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['waiting', 'active', 'ended', 'cancelled', 'no_show'] } },
            { name: 'from', in: 'query', description: 'created at or after (ISO 8601)', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', description: 'created before (ISO 8601)', schema: { type: 'string', format: 'date-time' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            { name: 'externalId', in: 'query', description: "only the session of this appointment id (the clinic's)", schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'a page of sessions',
              headers: { 'X-Next-Cursor': { description: 'with text/csv: the next page\'s cursor', schema: { type: 'string' } } },
              content: { 'application/json': { schema: ref('SessionPage') }, 'text/csv': { schema: { type: 'string' } } },
            },
            ...errors(400, 401, 503),
          },
        },
        post: {
          operationId: 'createSession',
          requestBody: { required: true, ...json('CreateSession') },
          description: 'The service names the room. With externalId, a repeat of the same request answers 200 with the session it created; the same externalId with other details answers 409 external_id_conflict.',
          responses: {
            '201': answer('the session, waiting', 'Session'),
            '200': answer('the session this externalId created earlier, as it is now', 'Session'),
            ...errors(400, 401, 409, 413, 503),
          },
        },
      },
      '/v1/sessions/{id}': {
        get: {
          operationId: 'getSession',
          parameters: [sessionId],
          responses: { '200': answer('the session', 'Session'), ...errors(400, 401, 404, 503) },
        },
      },
      '/v1/webhook-deliveries': {
        get: {
          operationId: 'listFailedDeliveries',
          parameters: [{ name: 'status', in: 'query', required: true, schema: { type: 'string', enum: ['failed'] } }],
          responses: { '200': answer('the deliveries that gave up', 'FailedDeliveries'), ...errors(400, 401, 503) },
        },
      },
      '/v1/webhook-deliveries/{id}/retry': {
        post: {
          operationId: 'retryDelivery',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': answer('queued again, after the session\'s newer events', 'RetryQueued'), ...errors(401, 404, 503) },
        },
      },
      '/v1/sessions/{id}/audit': {
        get: {
          operationId: 'getAudit',
          description: "The session's audit entries, newest first, a page at a time.",
          parameters: [
            sessionId,
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', description: 'the nextCursor of the previous page', schema: { type: 'string' } },
          ],
          responses: { '200': answer('who created, ended, cancelled the session or minted its tokens, and how each call ended', 'AuditList'), ...errors(400, 401, 404, 503) },
        },
      },
      '/v1/sessions/{id}/token': {
        post: {
          operationId: 'mintJoinToken',
          parameters: [sessionId],
          requestBody: { required: true, ...json('TokenRequest') },
          responses: { '200': answer('a join token for the session', 'JoinToken'), ...errors(400, 401, 403, 404, 409, 413, 503) },
        },
      },
      '/v1/sessions/{id}/end': {
        post: {
          operationId: 'endSession',
          parameters: [sessionId],
          responses: { '200': answer('the session, ended (again: unchanged)', 'Session'), ...errors(400, 401, 404, 409, 503) },
        },
      },
      '/v1/participant/end': {
        post: {
          operationId: 'endSessionAsParticipant',
          description:
            "\"End session for everyone\", called by the counselor's widget with its own LiveKit join token (`Authorization: Bearer <join token>`; the token answer's endUrl), not a clinic key. The session and the identity come from the token; only the session's counselor may end it. Audited under the key name `participant`.",
          security: [{ participant: [] }],
          responses: {
            '200': answer('the session, ended (again: unchanged)', 'ParticipantEnded'),
            '401': answer('participant_unauthorized: no join token of this service, or one for another room', 'Error'),
            '403': answer("participant_forbidden: the credential is not the session's counselor's", 'Error'),
            ...errors(404, 409, 503),
          },
        },
      },
      '/v1/sessions/{id}/cancel': {
        post: {
          operationId: 'cancelSession',
          parameters: [sessionId],
          responses: { '200': answer('the session, cancelled (again: unchanged)', 'Session'), ...errors(400, 401, 404, 409, 503) },
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
            "a clinic API key (CLINIC_API_KEYS, CLINIC_API_TOKEN). Each key acts for one clinic and sees that clinic's sessions only; its scopes (CLINIC_API_KEY_GRANTS) say which calls it may make: sessions:read (GET /v1/sessions, /v1/sessions/{id}), sessions:write (create, end, cancel), tokens:write (mint), audit:read, deliveries:read, deliveries:write.",
        },
        participant: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "the participant's own LiveKit join token, minted by this service" },
      },
    },
  };
  // Every /v1 call may be over a rate limit (per address, per credential); every call with a
  // clinic key may lack the scope it needs.
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { responses: Record<string, unknown>; security?: unknown[] }>)) {
      operation.responses['429'] = RATE_LIMITED;
      if (!operation.security) operation.responses['403'] ??= FORBIDDEN;
    }
    const post = (operations as Record<string, { responses: Record<string, unknown>; security?: unknown[]; parameters?: unknown[] }>).post;
    if (post && !post.security) {
      post.parameters = [...(post.parameters ?? []), IDEMPOTENCY_KEY];
      post.responses['422'] = KEY_REUSED;
      post.responses['409'] ??= KEY_IN_FLIGHT;
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
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const KEY_REUSED = answer('idempotency_key_reused: this Idempotency-Key was used with another route or body', 'Error');
const KEY_IN_FLIGHT = answer('idempotency_key_in_flight: the first call with this Idempotency-Key is still running (Retry-After)', 'Error');

const FORBIDDEN = answer('clinic_forbidden: the API key lacks the scope this call needs (CLINIC_API_KEY_GRANTS)', 'Error');

const RATE_LIMITED = {
  description: 'rate_limited: too many requests from this address or with this credential (RATE_LIMIT_PER_ADDRESS_PER_MINUTE, RATE_LIMIT_PER_KEY_PER_MINUTE)',
  headers: { 'Retry-After': { description: 'seconds until a request would be accepted', schema: { type: 'integer', minimum: 1 } } },
  ...json('Error'),
};
