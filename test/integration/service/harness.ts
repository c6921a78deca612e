// Test harness for the webhook service against the real stack: a service instance per test on
// its own database and BullMQ prefix (port 0), webhooks signed the way LiveKit signs them, and
// small clients for the clinic API.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { loadConfig, type Config } from '../../../webhook-service/config';
import { createLogger } from '../../../webhook-service/logger';
import { createService, type Service, type ServiceRoles } from '../../../webhook-service/main';
import { migrateDatabase } from '../../../webhook-service/store/migrate';
import { mongoUriFor, uniqueName, waitFor } from '../../support/isolation';
import { signWebhook, webhookBody, type EventSpec, type ParticipantSpec } from '../../../scripts/shared/livekitWebhooks';
import { createClinicClient } from '../../../webhook-service/client';
import { checkAgainstDescription } from '../../support/apiDescription';

export const CLINIC_TOKEN = 'integration-clinic-token-0123456789';

/** A configuration on a fresh database and BullMQ prefix; `overrides` win. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    MONGODB_URI: mongoUriFor(uniqueName('autostart_it').replaceAll('-', '_')),
    BULLMQ_PREFIX: uniqueName('autostart-it'),
    SESSION_COPY_PREFIX: uniqueName('autostart-copy-it'),
    CLINIC_API_TOKEN: CLINIC_TOKEN,
    LOG_LEVEL: process.env.SERVICE_TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    // Short locks so a killed worker's job runs elsewhere quickly.
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    ...overrides,
  });
}

/**
 * The environment a service process (`startServiceProcess`) needs to run on `config`'s database,
 * Redis and LiveKit with the clinic key; `extra` adds or overrides settings.
 */
export function processEnv(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: config.MONGODB_URI,
    REDIS_URL: config.REDIS_URL as string,
    BULLMQ_PREFIX: config.BULLMQ_PREFIX,
    LIVEKIT_URL: config.LIVEKIT_URL,
    LIVEKIT_API_KEY: config.LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET: config.LIVEKIT_API_SECRET,
    CLINIC_API_TOKEN: CLINIC_TOKEN,
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export interface RunningService {
  url: string;
  config: Config;
  service: Service;
  stop(): Promise<void>;
}

export async function startService(config: Config, roles: ServiceRoles = { api: true, worker: true }): Promise<RunningService> {
  // As a deployment does before a version first serves (idempotent: a second instance on the same database changes nothing).
  await migrateDatabase(config.MONGODB_URI);
  const service = await createService(config, roles, createLogger(config.LOG_LEVEL));
  const port = await service.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, config, service, stop: () => service.stop() };
}

// ---- webhooks ----

export { signWebhook, webhookBody, type EventSpec, type ParticipantSpec } from '../../../scripts/shared/livekitWebhooks';

export async function postWebhook(url: string, body: string, authorization: string | null): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/webhook+json' };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(`${url}/livekit/webhook`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json().catch(() => null) };
}

/** Signs with the config's LiveKit key and posts. */
export async function deliver(target: RunningService, spec: EventSpec | string): Promise<{ status: number; json: unknown }> {
  const body = typeof spec === 'string' ? spec : webhookBody(spec);
  return postWebhook(target.url, body, await signWebhook(body, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET));
}

// ---- clinic API ----

/**
 * A raw HTTP probe of the clinic API, for the tests that send what no client would (bad tokens,
 * bodies, ids); everything else goes through the typed client. Every answer of a described route
 * is checked against the OpenAPI document: a status it does not list, or a body off its schema,
 * fails the test that got it.
 */
export async function clinic(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  token: string | null = CLINIC_TOKEN,
): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => null);
  checkAgainstDescription(method, path, response.status, json);
  return { status: response.status, json };
}

/**
 * The typed client on `target`, as a portal would use it; every JSON answer it gets is checked
 * against the OpenAPI document as well.
 */
export const clinicClient = (target: RunningService) =>
  createClinicClient({
    baseUrl: target.url,
    token: CLINIC_TOKEN,
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      if ((response.headers.get('content-type') ?? '').startsWith('application/json')) {
        checkAgainstDescription(request.method, new URL(request.url).pathname, response.status, await response.clone().json());
      }
      return response;
    },
  });

export interface Appointment {
  sessionId: string;
  room: string;
  student: ParticipantSpec;
  counselor: ParticipantSpec;
}

/** A new session (in its own room), with participant specs for its student and counselor. */
export async function createAppointment(target: RunningService): Promise<Appointment> {
  const studentIdentity = uniqueName('student');
  const counselorIdentity = uniqueName('counselor');
  const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity, counselorIdentity });
  if (created.status !== 201) throw new Error(`creating a session failed: ${created.status} ${JSON.stringify(created.json)}`);
  return {
    sessionId: created.json.id,
    // The service names the room.
    room: created.json.roomName,
    student: { sid: `PA_${randomBytes(5).toString('hex')}`, identity: studentIdentity, attributes: { 'autostart.role': 'student' } },
    counselor: { sid: `PA_${randomBytes(5).toString('hex')}`, identity: counselorIdentity, attributes: { 'autostart.role': 'counselor' } },
  };
}

// ---- direct reads, to prove what was (not) written ----

export interface Collections {
  count(collection: 'sessions' | 'session_events' | 'session_decisions' | 'audit_entries' | 'open_sessions', filter?: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export async function openCollections(config: Config): Promise<Collections> {
  const connection = await mongoose.createConnection(config.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  return {
    count: (collection, filter = {}) => connection.collection(collection).countDocuments(filter),
    close: () => connection.close(),
  };
}

export async function sessionStatus(target: RunningService, sessionId: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await clinic(target.url, 'GET', `/v1/sessions/${sessionId}`);
  if (response.status !== 200) throw new Error(`GET session: ${response.status}`);
  return response.json;
}

/** The session as the clinic reads it, once its status is `status` (15 s at the most). */
export const sessionWhen = (target: RunningService, sessionId: string, status: string): Promise<any> => // eslint-disable-line @typescript-eslint/no-explicit-any
  waitFor(
    async () => {
      const current = await sessionStatus(target, sessionId);
      return current.status === status ? current : null;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
