// The last reconciliation pass's view of the open sessions, kept in Redis by the worker that ran
// it, so that every instance's /metrics reports the same open-session gauges whichever instance
// ran the pass. It expires after a few intervals: a summary nobody refreshes is no summary.
import type { Logger } from '../logger';
import type { Metrics, OpenSessionsSummary, RepairKind } from '../metrics';
import type { ReconcileReport } from '../usecases/reconcileSessions';
import { JOB } from './lifecycleQueue';
import type { LifecycleWorker } from './lifecycleWorker';

/** The two commands used, as BullMQ's client interface has them, so the queue's own connection serves. */
export interface SummaryRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { PX: number }): Promise<unknown>;
}

const keyOf = (prefix: string): string => `${prefix}:reconcile:summary`;

export async function writeReconcileSummary(redis: SummaryRedis, prefix: string, report: ReconcileReport, at: number, keepMs: number): Promise<void> {
  const summary: OpenSessionsSummary = { at, count: report.open, oldest: report.oldest };
  await redis.set(keyOf(prefix), JSON.stringify(summary), { PX: keepMs });
}

export async function readReconcileSummary(redis: SummaryRedis, prefix: string): Promise<OpenSessionsSummary | null> {
  const text = await redis.get(keyOf(prefix));
  return text ? (JSON.parse(text) as OpenSessionsSummary) : null;
}

/**
 * The report's repairs by kind, for autostart_reconcile_repairs_total. Timers armed again are
 * not repairs (a pass re-arms every pending timer, a no-op while its job exists); a due timer
 * the pass had to run is (its job was lost).
 */
export function repairsOf(report: ReconcileReport): Record<RepairKind, number> {
  return {
    join: report.joinsRecorded,
    leave: report.leavesRecorded,
    presence: report.presencesReopened,
    activation: report.activationsQueued,
    snapshot: report.snapshotsRewritten,
    timer: report.timersRun,
    close: report.closesRequested,
    grant: report.grantsRepaired,
  };
}

export interface ObserveReconciliationDeps {
  metrics: Metrics;
  redis: SummaryRedis;
  prefix: string;
  now: () => number;
  /** How long the summary stays without a newer pass, in ms. */
  keepMs: number;
  logger: Logger;
}

/** Counts each finished reconciliation pass's repairs and keeps its view of the open sessions. */
export function observeReconciliation(worker: LifecycleWorker, deps: ObserveReconciliationDeps): void {
  worker.on('completed', (job, result) => {
    if (job.name !== JOB.reconcile) return;
    const report = result as ReconcileReport;
    for (const [kind, count] of Object.entries(repairsOf(report))) deps.metrics.reconcileRepairs.inc({ kind }, count);
    writeReconcileSummary(deps.redis, deps.prefix, report, deps.now(), deps.keepMs).catch((error: unknown) => deps.logger.warn({ err: error }, 'reconciliation summary not kept'));
  });
}
