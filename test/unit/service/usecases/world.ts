// The service's use cases wired on fakes (in-memory store, recording jobs, rooms, events and
// tokens) and a clock the test moves: the rules of the service run in milliseconds, no server.
import { createLogger } from '../../../../webhook-service/logger';
import { liveKitWebhookVerifier } from '../../../../webhook-service/livekit/webhookVerifier';
import { liveKitParticipantCredentials } from '../../../../webhook-service/livekit/participantCredentials';
import type { LifecycleRules } from '../../../../plugin';
import { callSettingsFor, type ClinicCallSettings } from '../../../../webhook-service/clinicCalls';
import { createSession } from '../../../../webhook-service/usecases/createSession';
import { ingestWebhook } from '../../../../webhook-service/usecases/ingestWebhook';
import { InMemoryIdempotencyKeys } from '../../../support/fakes/InMemoryIdempotencyKeys';
import { InMemorySessionStore } from '../../../support/fakes/InMemorySessionStore';
import { InMemoryAuditTrail, InProcessLocks, ManualClock, RecordingClinicEvents, RecordingJobs, RecordingRooms, RecordingTokens } from '../../../support/fakes/fakes';
import { signWebhook, webhookBody, type EventSpec } from '../../../../scripts/shared/livekitWebhooks';

/** The LiveKit key pair of the world: webhooks are signed and join tokens verified with it. */
export const KEY = 'unit-key';
export const SECRET = 'unit-secret-unit-secret-unit-secret';
export const T0 = Date.parse('2030-01-02T03:00:00.000Z');

export function world(rules: LifecycleRules = { rejoinGraceMs: 60_000, noShowAfterMs: 1_800_000 }) {
  const store = new InMemorySessionStore();
  const deps = {
    store,
    folds: store.folds,
    locks: new InProcessLocks(),
    audit: new InMemoryAuditTrail(),
    deliveries: { listFailed: async () => [], retry: async () => false, expireSettled: async () => 0 },
    idempotencyKeys: new InMemoryIdempotencyKeys(),
    idempotencyOptions: { leaseMs: 30_000, waitMs: 1000, pollMs: 10 },
    jobs: new RecordingJobs(),
    events: new RecordingClinicEvents(),
    rooms: new RecordingRooms(),
    tokens: new RecordingTokens(),
    clock: new ManualClock(T0),
    rules,
    logger: createLogger('silent'),
    verifier: liveKitWebhookVerifier(KEY, SECRET),
    credentials: liveKitParticipantCredentials({ apiKey: KEY, apiSecret: SECRET }),
    participantEndUrl: null as string | null,
    maxAgeSeconds: 300,
    deleteAfterMs: 1000,
    waits: [] as number[],
    wait: async (ms: number) => {
      deps.waits.push(ms);
    },
    activationsRecorded: 0,
    onActivationRecorded: () => {
      deps.activationsRecorded += 1;
    },
    onStartedSent: () => undefined,
    /** CLINIC_CALL_SETTINGS as a test sets it. */
    clinicCallSettings: null as ClinicCallSettings,
    callSettings: (clinicId: string) => callSettingsFor(deps.clinicCallSettings, clinicId),
  };
  return deps;
}

export type World = ReturnType<typeof world>;

export async function aSessionIn(deps: World, scheduledStart: Date | null = null) {
  const { session: view } = await createSession(deps, { clinicId: 'clinic-north', studentIdentity: 'stu', counselorIdentity: 'cou', scheduledStart, externalId: null });
  const participant = (identity: string, sid: string) => ({ sid, identity, attributes: {} });
  return { ...view, student: participant('stu', 'PA_s1'), counselor: participant('cou', 'PA_c1'), participant };
}

/** LiveKit delivers one webhook, signed, `createdAt` at the world's now. */
export async function webhook(deps: World, spec: EventSpec) {
  const body = webhookBody({ createdAt: Math.floor(deps.clock.now() / 1000), ...spec });
  return ingestWebhook(deps, body, await signWebhook(body, KEY, SECRET));
}
