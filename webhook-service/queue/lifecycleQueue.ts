// The BullMQ `lifecycle` queue: names, job ids and retry policy, and the producer side the use
// cases ask through (the LifecycleJobs port). Job ids make a repeated request a no-op while the
// job exists; BullMQ ids must not contain ':' (ours: `activate-<session>`, `notify-<event>`,
// `close-<session>`, `grace-<session>-<due>`, `noshow-<session>-<due>`). A failed job keeps its id
// for inspection, which would swallow every later request: an activation asked for again after a
// failure replaces the failed job.
import { Queue, type JobsOptions } from 'bullmq';
import { queueCall } from '../errors';
import { failFastOptions, type RedisTarget } from '../redis/connections';
import type { Clock } from '../usecases/ports/Clock';
import type { ActivateJob, CloseJob, LifecycleJobs, NotifyJob, TimerJob } from '../usecases/ports/LifecycleJobs';

export const LIFECYCLE_QUEUE = 'lifecycle';
export const JOB = { activate: 'activate', notify: 'notify', close: 'close', grace: 'grace', start: 'start', noShow: 'no_show', reconcile: 'reconcile', retention: 'retention' } as const;

export type LifecycleJobName = (typeof JOB)[keyof typeof JOB];
/** A reconciliation pass; nothing to say beyond that it is one. */
export interface ReconcileJob {
  every: number;
}

export type LifecycleJobData = ActivateJob | NotifyJob | CloseJob | TimerJob | ReconcileJob;

/** BullMQ rejects ':' in custom ids; LiveKit ids never contain it, but an id must never split a key. */
const safeId = (value: string): string => value.replaceAll(':', '_');

/** Retry policy of every job. @defaultValue 10 attempts, exponential from 1 s (about 8.5 minutes). */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 10, backoffMs: 1000 };

export type LifecycleQueue = Queue<LifecycleJobData, unknown, LifecycleJobName>;

/**
 * The producer side serves HTTP handlers: with Redis away it must fail at once (-> 503, LiveKit
 * retries) instead of queueing commands in memory while the request hangs.
 */
export function createLifecycleQueue(redis: RedisTarget, prefix: string): LifecycleQueue {
  return new Queue(LIFECYCLE_QUEUE, { connection: failFastOptions(redis), prefix });
}

export function bullLifecycleJobs(queue: LifecycleQueue, clock: Clock, retry: RetryPolicy = DEFAULT_RETRY): LifecycleJobs {
  const options: JobsOptions = {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // Kept a while so a late duplicate request still finds the id and is ignored.
    removeOnComplete: { age: 24 * 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  const add = async (name: LifecycleJobName, data: LifecycleJobData, jobId: string, extra: { delay?: number; retryAfterFailure?: boolean } = {}): Promise<void> => {
    const id = safeId(jobId);
    await queueCall(async () => {
      if (extra.retryAfterFailure) {
        const previous = await queue.getJob(id);
        // An activation that found the start rule not met (the appointment's people changed
        // before it ran) must not keep its id from the one asked for when the rule holds again.
        if (previous && ((await previous.isFailed()) || previous.returnvalue === 'not_complete')) await previous.remove();
      }
      await queue.add(name, data, { ...options, jobId: id, ...(extra.delay ? { delay: extra.delay } : {}) });
    });
  };
  const delayUntil = (dueAt: number): number => Math.max(0, dueAt - clock.now());
  return {
    requestActivation: (job) => add(JOB.activate, job, `activate-${job.sessionId}`, { retryAfterFailure: true }),
    requestNotify: (job) => add(JOB.notify, job, `notify-${job.eventId}`),
    requestClose: (job) => add(JOB.close, job, `close-${job.sessionId}`, { retryAfterFailure: true }),
    scheduleGraceCheck: (job) => add(JOB.grace, job, `grace-${job.sessionId}-${job.dueAt}`, { delay: delayUntil(job.dueAt) }),
    scheduleStartCheck: (job) => add(JOB.start, job, `start-${job.sessionId}-${job.dueAt}`, { delay: delayUntil(job.dueAt) }),
    scheduleNoShowCheck: (job) => add(JOB.noShow, job, `noshow-${job.sessionId}-${job.dueAt}`, { delay: delayUntil(job.dueAt) }),
  };
}

/**
 * One `name` job every `everyMs` across any number of instances: a BullMQ job scheduler is one
 * per queue and id, and each instance running a worker upserts the same one. `everyMs` 0 removes it.
 */
async function scheduleEvery(queue: LifecycleQueue, name: LifecycleJobName, everyMs: number): Promise<void> {
  await queueCall(async () => {
    if (everyMs === 0) {
      await queue.removeJobScheduler(name);
      return;
    }
    await queue.upsertJobScheduler(name, { every: everyMs }, { name, data: { every: everyMs }, opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 50 } });
  });
}

/** Reconciliation with LiveKit every `everyMs` (0: off). */
export const scheduleReconciliation = (queue: LifecycleQueue, everyMs: number) => scheduleEvery(queue, JOB.reconcile, everyMs);

/** Retention every `everyMs` (0: off). */
export const scheduleRetention = (queue: LifecycleQueue, everyMs: number) => scheduleEvery(queue, JOB.retention, everyMs);

export interface Schedules {
  reconcileEveryMs: number;
  retentionEveryMs: number;
}

/**
 * Makes sure both job schedulers exist, as any worker does every so often: a Redis that lost its
 * data (a flush, a failover to a lagging replica, an old snapshot) loses them with everything else,
 * and nothing would run a pass again. A reconciliation scheduler found missing also gets one pass
 * at once, so the repairs start within one interval of the loss. Returns what it re-created.
 */
export async function ensureSchedules(queue: LifecycleQueue, schedules: Schedules): Promise<LifecycleJobName[]> {
  const wanted: [LifecycleJobName, number][] = [
    [JOB.reconcile, schedules.reconcileEveryMs],
    [JOB.retention, schedules.retentionEveryMs],
  ];
  const recreated: LifecycleJobName[] = [];
  await queueCall(async () => {
    for (const [name, everyMs] of wanted) {
      if (everyMs === 0 || (await queue.getJobScheduler(name))) continue;
      await scheduleEvery(queue, name, everyMs);
      recreated.push(name);
      if (name === JOB.reconcile) await queue.add(name, { every: everyMs }, { jobId: `reconcile-now-${Date.now()}`, attempts: 1, removeOnComplete: 50, removeOnFail: 50 });
    }
  });
  return recreated;
}
