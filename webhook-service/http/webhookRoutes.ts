// POST /livekit/webhook: hands the RAW body (the signature covers its exact bytes) to the
// intake and answers fast; counts every outcome, and writes down the outcome of webhooks about
// the doctor's probe rooms (see probe/probeRooms.ts).
import { Router, raw, type ErrorRequestHandler } from 'express';
import { ServiceError, isServiceError, type ServiceErrorCode } from '../errors';
import type { Logger } from '../logger';
import { SIGNED_OUTCOMES, type Metrics, type WebhookOutcome } from '../metrics';
import { probeFacts, type ProbeLog } from '../probe/probeRooms';
import { ingestWebhook, type IngestWebhookDeps } from '../usecases/ingestWebhook';
import { webhookClock } from './webhookClock';

export interface WebhookRoutesDeps {
  intake: IngestWebhookDeps;
  maxBytes: number;
  metrics: Metrics;
  logger: Logger;
  /** Where the outcome of a webhook about a probe room is written, and the key webhooks are verified with. */
  probes?: { log: ProbeLog; verifiedWith: string };
}

/**
 * LiveKit sets no timeout, but a slow answer stalls the room's queue and events that wait there
 * over 30 s are dropped. An intake that has not answered within this (after a Redis failover every
 * session's first read is a MongoDB load, and FerretDB scans) answers 503 so LiveKit retries; the
 * work goes on, and the retry finds its event stored (the event id dedupes).
 */
const ANSWER_WITHIN_MS = 10_000;

/** The intake's outcome, or `store_unavailable` once `ms` have passed; the intake's later failure is logged. */
async function withinDeadline<T>(work: Promise<T>, ms: number, logger: Logger): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(ServiceError.storeUnavailable(new Error(`the webhook was not stored within ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    work.catch((failure: unknown) => logger.warn({ err: failure }, 'a webhook answered 503 for its deadline then failed'));
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const OUTCOME_OF: Partial<Record<ServiceErrorCode, WebhookOutcome>> = {
  webhook_unauthorized: 'unauthorized',
  webhook_malformed: 'malformed',
  webhook_stale: 'stale',
  payload_too_large: 'too_large',
  store_unavailable: 'unavailable',
  queue_unavailable: 'unavailable',
};

export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const intake: IngestWebhookDeps = { ...deps.intake, observeAge: webhookClock({ metrics: deps.metrics, logger: deps.logger, windowSeconds: deps.intake.maxAgeSeconds }) };
  // Any content type: LiveKit sends application/webhook+json, which no JSON parser claims.
  router.post('/livekit/webhook', raw({ type: () => true, limit: deps.maxBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const count = (event: string, outcome: WebhookOutcome): void => {
      deps.metrics.webhooks.inc({ event, outcome });
      // A request whose signature held came from LiveKit: the path works, whatever became of the event.
      if (SIGNED_OUTCOMES.includes(outcome)) deps.metrics.lastWebhook.setToCurrentTime();
    };
    const observeProbe = async (outcome: WebhookOutcome): Promise<void> => {
      const facts = deps.probes && probeFacts(body, req.get('authorization'));
      if (!facts || !deps.probes) return;
      const { room, ...seen } = facts;
      // The doctor then reports "nothing arrived"; the webhook itself is answered as it would be.
      await deps.probes.log.observe(room, { ...seen, outcome, verifiedWith: deps.probes.verifiedWith, receivedAt: Date.now() }).catch((error: unknown) => deps.logger.warn({ err: error }, 'probe observation not written'));
    };
    try {
      const result = await withinDeadline(ingestWebhook(intake, body, req.get('authorization')), ANSWER_WITHIN_MS, deps.logger);
      count(result.event || 'unknown', result.outcome);
      await observeProbe(result.outcome);
      if (result.outcome === 'ignored') {
        res.json({ ignored: result.reason });
        return;
      }
      deps.logger.info({ sessionId: result.sessionId, event: result.event, outcome: result.outcome, effects: result.effects }, 'webhook stored');
      res.json({ outcome: result.outcome, sessionId: result.sessionId, effects: result.effects });
    } catch (error) {
      const outcome = (isServiceError(error) && OUTCOME_OF[error.code]) || 'error';
      count('unknown', outcome);
      await observeProbe(outcome);
      throw error;
    }
  });
  // The body parser refuses oversized bodies before the handler runs; count them here.
  const countRefusedBody: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
    if ((error as { type?: unknown }).type === 'entity.too.large') deps.metrics.webhooks.inc({ event: 'unknown', outcome: 'too_large' });
    next(error);
  };
  router.use('/livekit/webhook', countRefusedBody);
  return router;
}
