// The BullMQ worker of the `lifecycle` queue. It runs the use cases and decides what a failure
// means: the store or LiveKit unreachable -> throw, BullMQ retries with backoff; anything a retry
// cannot fix -> UnrecoverableError, the job fails at once (and is logged).
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { TimerFired } from '../../plugin';
import { isServiceError, type ServiceErrorCode } from '../errors';
import { activateSession, notifyParticipant, type ActivateSessionDeps } from '../usecases/activateSession';
import { announceClosure, type AnnounceClosureDeps } from '../usecases/announceClosure';
import { applyRetention, type RetentionDeps } from '../usecases/applyRetention';
import { closeSession, type CloseSessionDeps } from '../usecases/closeSession';
import { reconcileSessions, type ReconcileDeps } from '../usecases/reconcileSessions';
import type { ActivateJob, CloseJob, NotifyJob, TimerJob } from '../usecases/ports/LifecycleJobs';
import { waitingOptions, type RedisTarget } from '../redis/connections';
import { JOB, LIFECYCLE_QUEUE, type LifecycleJobData, type LifecycleJobName } from './lifecycleQueue';

const RETRYABLE: readonly ServiceErrorCode[] = ['store_unavailable', 'queue_unavailable', 'livekit_unavailable'];

export type LifecycleWorkerDeps = ActivateSessionDeps &
  AnnounceClosureDeps &
  CloseSessionDeps &
  ReconcileDeps &
  RetentionDeps & {
    /** Re-creates the job schedulers if Redis lost them. */
    ensureSchedules(): Promise<unknown>;
  };

export interface LifecycleWorkerOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  prefix: string;
  concurrency: number;
  /** ms a job lock lives without renewal: how soon a crashed worker's job runs elsewhere. */
  lockDurationMs: number;
  /** ms between checks for stalled jobs. */
  stalledIntervalMs: number;
}

export type LifecycleWorker = Worker<LifecycleJobData, unknown, LifecycleJobName>;

/** The plugin's timer each timer job fires. */
const TIMER_OF: Readonly<Record<string, TimerFired['kind']>> = { [JOB.grace]: 'grace_expired', [JOB.start]: 'start_due', [JOB.noShow]: 'no_show_due' };

/** What one worker keeps between jobs. */
interface WorkerState {
  /** A reconciliation pass is running in this worker. */
  passRunning: boolean;
}

async function run(deps: LifecycleWorkerDeps, job: Job<LifecycleJobData, unknown, LifecycleJobName>, token: string | undefined, state: WorkerState): Promise<unknown> {
  switch (job.name) {
    case JOB.activate:
      return activateSession(deps, job.data as ActivateJob);
    case JOB.notify:
      return notifyParticipant(deps, job.data as NotifyJob);
    case JOB.close:
      return announceClosure(deps, job.data as CloseJob);
    case JOB.grace:
    case JOB.start:
    case JOB.noShow: {
      const { sessionId, dueAt } = job.data as TimerJob;
      const kind = TIMER_OF[job.name] as TimerFired['kind'];
      const at = deps.clock.now();
      // Taken early (this instance's clock is behind the one that armed it): back to its due time.
      if (at < dueAt) {
        await job.moveToDelayed(dueAt, token);
        throw new DelayedError();
      }
      const records = await closeSession(deps, sessionId, { kind, at });
      const outcome = records.closure?.status ?? 'still_open';
      deps.logger.info({ sessionId, timer: kind, dueAt, lateMs: at - dueAt, outcome }, 'timer fired');
      return outcome;
    }
    case JOB.reconcile: {
      // Every pass also makes sure the schedulers are there (a Redis that lost its data lost them).
      await deps.ensureSchedules();
      // A pass longer than the interval must not pile up behind itself in this process: the
      // scheduler adds the next job as soon as this one starts, and passes sharing one event loop
      // would slow the activations that run beside them.
      if (state.passRunning) return 'pass_already_running';
      state.passRunning = true;
      try {
        return await reconcileSessions(deps);
      } finally {
        state.passRunning = false;
      }
    }
    case JOB.retention:
      return applyRetention(deps);
    default:
      throw new UnrecoverableError(`unknown job ${String(job.name)}`);
  }
}

export function createLifecycleWorker(deps: LifecycleWorkerDeps, options: LifecycleWorkerOptions): LifecycleWorker {
  const state: WorkerState = { passRunning: false };
  const process = async (job: Job<LifecycleJobData, unknown, LifecycleJobName>, token?: string): Promise<unknown> => {
    try {
      return await run(deps, job, token, state);
    } catch (error) {
      if (error instanceof UnrecoverableError || error instanceof DelayedError) throw error;
      if (isServiceError(error) && RETRYABLE.includes(error.code)) throw error;
      // A timer for a session that was never created (its create failed after arming it).
      if (isServiceError(error) && error.code === 'session_not_found' && job.name in TIMER_OF) return 'no_session';
      // Keep the cause in the log: UnrecoverableError only carries a message.
      deps.logger.error({ jobId: job.id, err: error }, 'lifecycle job failed permanently');
      throw new UnrecoverableError(isServiceError(error) ? `${error.code}: ${error.message}` : String(error));
    }
  };

  const worker = new Worker<LifecycleJobData, unknown, LifecycleJobName>(LIFECYCLE_QUEUE, process, {
    // BullMQ makes its own connections (blocking ones need maxRetriesPerRequest: null, which it sets).
    connection: waitingOptions(options.redis),
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
  });
  worker.on('failed', (job, error) => {
    deps.logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, code: isServiceError(error) ? error.code : undefined, err: error }, 'lifecycle job attempt failed');
  });
  worker.on('error', (error) => deps.logger.error({ err: error }, 'lifecycle worker error'));
  return worker;
}
