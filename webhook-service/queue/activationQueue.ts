// The BullMQ `activation` queue: names, job ids and retry policy, and the producer side used by
// the webhook intake. Job ids make a repeated request a no-op while the job exists (BullMQ ids
// must not contain ':'; ours are `activate-<sessionId>` and `notify-<eventId>`).
import { Queue, type JobsOptions, type RedisOptions } from 'bullmq';
import { ServiceError } from '../errors';
import type { ActivateJob, ActivationJobs, NotifyJob } from '../usecases/ports/ActivationJobs';

export const ACTIVATION_QUEUE = 'activation';
export const ACTIVATE_JOB = 'activate';
export const NOTIFY_JOB = 'notify';

export type ActivationJobName = typeof ACTIVATE_JOB | typeof NOTIFY_JOB;
export type ActivationJobData = ActivateJob | NotifyJob;

/** BullMQ rejects ':' in custom ids; LiveKit ids never contain it, but an id must never split a key. */
const safeId = (value: string): string => value.replaceAll(':', '_');

// Exponential from 1 s over 10 attempts covers about 8.5 minutes of LiveKit being unreachable.
const RETRY: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  // Kept a while so a late duplicate request still finds the id and is ignored.
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export type ActivationQueue = Queue<ActivationJobData, unknown, ActivationJobName>;

/** Reconnect quickly after a Redis restart: at most 2 s between tries. */
export const reconnectSoon = (times: number): number => Math.min(times * 200, 2000);

/**
 * The producer side serves HTTP handlers: with Redis away it must fail at once (-> 503, LiveKit
 * retries) instead of queueing commands in memory while the request hangs.
 */
export function createActivationQueue(redisUrl: string, prefix: string): ActivationQueue {
  const connection: RedisOptions = {
    url: redisUrl,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: reconnectSoon,
  };
  return new Queue(ACTIVATION_QUEUE, { connection, prefix });
}

export function bullActivationJobs(queue: ActivationQueue): ActivationJobs {
  const add = async (name: ActivationJobName, data: ActivationJobData, jobId: string): Promise<void> => {
    try {
      await queue.add(name, data, { ...RETRY, jobId: safeId(jobId) });
    } catch (error) {
      throw ServiceError.queueUnavailable(error);
    }
  };
  return {
    requestActivation: (job) => add(ACTIVATE_JOB, job, `activate-${job.sessionId}`),
    requestNotify: (job) => add(NOTIFY_JOB, job, `notify-${job.eventId}`),
  };
}
