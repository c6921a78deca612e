// The BullMQ worker of the `activation` queue. It runs the activation use cases and decides what
// a failure means: the store or LiveKit unreachable -> throw, BullMQ retries with backoff;
// anything a retry cannot fix -> UnrecoverableError, the job fails at once (and is logged).
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isServiceError, type ServiceErrorCode } from '../errors';
import type { Logger } from '../logger';
import { activateSession, notifyParticipant, type ActivateSessionDeps } from '../usecases/activateSession';
import type { ActivateJob, NotifyJob } from '../usecases/ports/ActivationJobs';
import { ACTIVATE_JOB, ACTIVATION_QUEUE, NOTIFY_JOB, reconnectSoon, type ActivationJobData, type ActivationJobName } from './activationQueue';

const RETRYABLE: readonly ServiceErrorCode[] = ['store_unavailable', 'livekit_unavailable'];

export interface ActivationWorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** ms a job lock lives without renewal: how soon a crashed worker's job runs elsewhere. */
  lockDurationMs: number;
  /** ms between checks for stalled jobs. */
  stalledIntervalMs: number;
}

export function createActivationWorker(deps: ActivateSessionDeps, options: ActivationWorkerOptions): Worker<ActivationJobData, unknown, ActivationJobName> {
  const process = async (job: Job<ActivationJobData, unknown, ActivationJobName>): Promise<unknown> => {
    try {
      switch (job.name) {
        case ACTIVATE_JOB:
          return await activateSession(deps, job.data as ActivateJob);
        case NOTIFY_JOB:
          return await notifyParticipant(deps, job.data as NotifyJob);
        default:
          throw new UnrecoverableError(`unknown job ${String(job.name)}`);
      }
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      if (isServiceError(error) && RETRYABLE.includes(error.code)) throw error;
      // Keep the cause in the log: UnrecoverableError only carries a message.
      deps.logger.error({ jobId: job.id, err: error }, 'activation job failed permanently');
      throw new UnrecoverableError(isServiceError(error) ? `${error.code}: ${error.message}` : String(error));
    }
  };

  const worker = new Worker<ActivationJobData, unknown, ActivationJobName>(ACTIVATION_QUEUE, process, {
    // BullMQ makes its own connections (blocking ones need maxRetriesPerRequest: null, which it sets).
    connection: { url: options.redisUrl, retryStrategy: reconnectSoon },
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
  });
  const log: Logger = deps.logger;
  worker.on('failed', (job, error) => {
    log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, code: isServiceError(error) ? error.code : undefined, err: error }, 'activation job attempt failed');
  });
  worker.on('error', (error) => log.error({ err: error }, 'activation worker error'));
  return worker;
}
