// jest globalSetup of the e2e project: the real local stack, then ONE webhook service process
// listening where LiveKit posts its webhooks, on a database of its own. Test workers inherit
// SERVICE_URL, SERVICE_PID, SERVICE_MONGODB_URI and CLINIC_API_TOKEN through process.env.
import { randomBytes } from 'node:crypto';
import { startServiceProcess, type ServiceProcess } from '../../scripts/serviceProcess';
import { databaseUri, serviceEnv } from '../../scripts/shared/serviceEnv';
import { startClinicBackend, type ClinicBackend } from './clinicBackend';
import { ensureStack } from './stackLifecycle';

interface ServiceHolder {
  __autostartE2eService?: ServiceProcess;
  __autostartE2eClinicBackend?: ClinicBackend;
}

export default async function e2eGlobalSetup(): Promise<void> {
  const stack = await ensureStack();
  const clinicApiToken = randomBytes(24).toString('base64url');
  const database = `autostart_e2e_${randomBytes(4).toString('hex')}`;
  // The clinic's backend, receiving the service's events (test files read it over HTTP).
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const backend = await startClinicBackend(webhookSecret);
  (globalThis as ServiceHolder).__autostartE2eClinicBackend = backend;
  process.env.CLINIC_BACKEND_URL = backend.url;
  const service = await startServiceProcess({
    port: stack.webhookPort,
    env: serviceEnv(stack, {
      database,
      clinicApiToken,
      prefix: `autostart-e2e-${randomBytes(4).toString('hex')}`,
      extra: {
        // Short enough for the lifecycle suite to watch it run out (LiveKit's departure_timeout here is 5 s).
        SESSION_REJOIN_GRACE_SECONDS: process.env.E2E_REJOIN_GRACE_SECONDS ?? '15',
        LOG_LEVEL: process.env.E2E_SERVICE_LOG_LEVEL ?? 'warn',
        CLINIC_WEBHOOK_URLS: backend.hooksUrl,
        CLINIC_WEBHOOK_SECRET: webhookSecret,
      },
    }),
  });
  const serviceMongoUri = databaseUri(stack.mongoUri, database);
  (globalThis as ServiceHolder).__autostartE2eService = service;
  process.env.SERVICE_URL = service.url;
  process.env.SERVICE_PID = String(service.pid);
  process.env.SERVICE_MONGODB_URI = serviceMongoUri;
  process.env.CLINIC_API_TOKEN = clinicApiToken;
}
