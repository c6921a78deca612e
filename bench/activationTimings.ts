// Where an activation's time goes, for the breakdown benches (startBreakdown, surgeBreakdown):
// wraps, in the bench's own process, the methods a start passes through (the intake's event
// insert and job request, the activation's session load, decision insert, clinic outbox publish
// and LiveKit calls) so each call is recorded with its start and end. Measurement only: every
// call still goes to the real service it went to, with its arguments and result unchanged.
import { Job, Queue } from 'bullmq';
import { LiveKitRoomGateway } from '../webhook-service/livekit/LiveKitRoomGateway';
import { ClinicOutbox } from '../webhook-service/outbox/clinicOutbox';
import { CopiedSessionFolds } from '../webhook-service/store/CopiedSessionFolds';
import { CopiedSessionStore } from '../webhook-service/store/CopiedSessionStore';
import { percentile } from './requests';

/** One call: what it was, which session or room it was for, and when it ran (Date.now ms). */
export interface TimedCall {
  call: string;
  key: string;
  startedAt: number;
  endedAt: number;
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/** Replaces `name` on `proto` by a timed call to the original; `keyOf` names the session or room from the arguments. */
function timeMethod(calls: TimedCall[], proto: object, name: string, label: string, keyOf: (args: unknown[]) => string, detailOf?: (args: unknown[]) => string): () => void {
  const target = proto as Record<string, AnyMethod>;
  const original = target[name] as AnyMethod;
  target[name] = async function timed(this: unknown, ...args: unknown[]): Promise<unknown> {
    const startedAt = Date.now();
    try {
      return await original.apply(this, args);
    } finally {
      calls.push({ call: detailOf ? `${label} (${detailOf(args)})` : label, key: keyOf(args), startedAt, endedAt: Date.now() });
    }
  };
  return () => {
    target[name] = original;
  };
}

const first = (args: unknown[]): string => String(args[0]);
const sessionOf = (args: unknown[]): string => String((args[0] as { sessionId: string }).sessionId);

/** Starts recording; `stop()` puts every method back. */
export function recordActivationCalls(): { calls: TimedCall[]; stop(): void } {
  const calls: TimedCall[] = [];
  const restore = [
    timeMethod(calls, CopiedSessionStore.prototype, 'recordEvent', 'event insert (group commit) + copy', sessionOf),
    timeMethod(calls, Queue.prototype, 'getJob', 'queue.getJob (a failed job in the way?)', first),
    timeMethod(calls, Queue.prototype, 'add', 'queue.add', (args) => String((args[2] as { jobId?: string } | undefined)?.jobId ?? '')),
    timeMethod(calls, CopiedSessionStore.prototype, 'loadHead', 'load: head (Redis copy)', first),
    timeMethod(calls, CopiedSessionFolds.prototype, 'read', 'load: fold (Redis copy)', first),
    timeMethod(calls, CopiedSessionStore.prototype, 'recordDecision', 'recordDecision (insert + copy)', sessionOf),
    timeMethod(calls, ClinicOutbox.prototype, 'publish', 'clinic outbox publish', (args) => String((args[0] as { sessionId: string }[])[0]?.sessionId ?? ''), (args) => (args[0] as { type: string }[]).map((event) => event.type).join('+')),
    timeMethod(calls, LiveKitRoomGateway.prototype, 'setPermission', 'LiveKit updateParticipant (grant)', first),
    timeMethod(calls, LiveKitRoomGateway.prototype, 'updateRoomMetadata', 'LiveKit updateRoomMetadata', first),
    timeMethod(calls, LiveKitRoomGateway.prototype, 'sendData', 'LiveKit sendData', first),
  ];
  return { calls, stop: () => restore.forEach((undo) => undo()) };
}

/** An activation job as BullMQ kept it: added, taken by a worker, finished (ms). */
export interface JobTimes {
  addedAt: number;
  takenAt: number;
  finishedAt: number;
}

export async function activationJobTimes(queue: Queue, sessionId: string): Promise<JobTimes | null> {
  // Job.fromId, not queue.getJob: the bench's own reads must not show among the service's calls.
  const job = await Job.fromId(queue, `activate-${sessionId}`);
  if (!job?.processedOn || !job.finishedOn) return null;
  return { addedAt: job.timestamp, takenAt: job.processedOn, finishedAt: job.finishedOn };
}

/** p50 / p95 / p99 / mean of a list of ms, printed. */
export function describeMs(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return `p50 ${percentile(values, 50).toFixed(1)} / p95 ${percentile(values, 95).toFixed(1)} / p99 ${percentile(values, 99).toFixed(1)} / mean ${mean.toFixed(1)} ms (n=${values.length})`;
}
