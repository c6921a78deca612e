// The typed client of the clinic API, for portals (a clinic's backend), the demo, the tests and
// the benchmark: openapi-fetch over the types generated from the service's OpenAPI document
// (openapi.ts, `npm run generate:client`). Every call answers `{ status, data }` on success and
// `{ status, error: { code, message } }` otherwise, so a caller acts on the error code.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi';

export type Session = components['schemas']['Session'];
export type CreateSession = components['schemas']['CreateSession'];
export type JoinToken = components['schemas']['JoinToken'];
export type ApiError = components['schemas']['Error']['error'];
export type AuditList = components['schemas']['AuditList'];
export type SessionPage = components['schemas']['SessionPage'];
export type ParticipantEnded = components['schemas']['ParticipantEnded'];
export type PutParticipant = components['schemas']['PutParticipant'];
export type SessionListQuery = NonNullable<paths['/v1/sessions']['get']['parameters']['query']>;
export type AuditQuery = NonNullable<paths['/v1/sessions/{id}/audit']['get']['parameters']['query']>;

export type Answer<T> = { status: number; data: T; error?: undefined } | { status: number; data?: undefined; error: ApiError };

export interface ClinicClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** A clinic API key (CLINIC_API_TOKEN). Keep it on your server, never in a browser. */
  token: string;
  fetch?: typeof fetch;
}

export interface ClinicClient {
  createSession(body: CreateSession): Promise<Answer<Session>>;
  getSession(id: string): Promise<Answer<Session>>;
  mintJoinToken(id: string, identity: string): Promise<Answer<JoinToken>>;
  endSession(id: string): Promise<Answer<Session>>;
  cancelSession(id: string): Promise<Answer<Session>>;
  /** Adds one person to the appointment, or changes their role, required or label. */
  putParticipant(id: string, identity: string, body: PutParticipant): Promise<Answer<Session>>;
  /** Removes one person from the appointment (disconnected if in the room; no more tokens). */
  removeParticipant(id: string, identity: string): Promise<Answer<Session>>;
  /** Newest first; `{ cursor: nextCursor }` for the older entries. */
  getAudit(id: string, query?: AuditQuery): Promise<Answer<AuditList>>;
  listSessions(query?: SessionListQuery): Promise<Answer<SessionPage>>;
  /** The openapi-fetch client itself, for anything else. */
  raw: Client<paths>;
}

type Fetched<T> = Promise<{ data?: T; error?: { error: ApiError }; response: Response }>;

async function answer<T>(fetched: Fetched<T>): Promise<Answer<T>> {
  const { data, error, response } = await fetched;
  if (response.ok && data !== undefined) return { status: response.status, data };
  const detail = error?.error ?? { code: 'unreadable_answer', message: `HTTP ${response.status}` };
  return { status: response.status, error: detail };
}

export function createClinicClient(options: ClinicClientOptions): ClinicClient {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const path = (id: string) => ({ params: { path: { id } } });
  return {
    raw,
    createSession: (body) => answer(raw.POST('/v1/sessions', { body }) as Fetched<Session>),
    getSession: (id) => answer(raw.GET('/v1/sessions/{id}', path(id)) as Fetched<Session>),
    mintJoinToken: (id, identity) => answer(raw.POST('/v1/sessions/{id}/token', { ...path(id), body: { identity } }) as Fetched<JoinToken>),
    endSession: (id) => answer(raw.POST('/v1/sessions/{id}/end', path(id)) as Fetched<Session>),
    cancelSession: (id) => answer(raw.POST('/v1/sessions/{id}/cancel', path(id)) as Fetched<Session>),
    putParticipant: (id, identity, body) => answer(raw.PUT('/v1/sessions/{id}/participants/{identity}', { params: { path: { id, identity } }, body }) as Fetched<Session>),
    removeParticipant: (id, identity) => answer(raw.DELETE('/v1/sessions/{id}/participants/{identity}', { params: { path: { id, identity } } }) as Fetched<Session>),
    getAudit: (id, query = {}) => answer(raw.GET('/v1/sessions/{id}/audit', { params: { path: { id }, query } }) as Fetched<AuditList>),
    listSessions: (query = {}) => answer(raw.GET('/v1/sessions', { params: { query } }) as Fetched<SessionPage>),
  };
}

export interface ParticipantClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** The participant's own LiveKit join token, as the service minted it: their credential. */
  joinToken: string;
  fetch?: typeof fetch;
}

/** What a participant does with their own credential (what the widget does in the browser). */
export interface ParticipantClient {
  /** "End session for everyone": the counselor's credential ends the session; a student's gets 403. */
  endSession(): Promise<Answer<ParticipantEnded>>;
}

export function createParticipantClient(options: ParticipantClientOptions): ParticipantClient {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.joinToken}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { endSession: () => answer(raw.POST('/v1/participant/end') as Fetched<ParticipantEnded>) };
}

/** Thrown by {@link must} for an answer that is an error: its status and the API's code. */
export class ClinicApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClinicApiError';
  }
}

/** The data of a successful answer, or a ClinicApiError. */
export function must<T>(answered: Answer<T>): T {
  if (answered.error) throw new ClinicApiError(answered.status, answered.error.code, `clinic API answered ${answered.status} ${answered.error.code}: ${answered.error.message}`);
  return answered.data;
}
