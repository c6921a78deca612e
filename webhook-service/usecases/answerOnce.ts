// Idempotency-Key, as a story: the first request with a key claims it (a unique insert) and
// runs; its answer is kept and every repeat gets that answer again, without running anything. A
// repeat with another request (route or body) is refused. A repeat that arrives while the first
// still runs waits for its answer, a bounded time. A first request that failed on our side (5xx)
// or whose process died (its lease ran out) leaves the key to the next repeat, which runs it
// again as a new attempt (decided by a unique insert, so two repeats never both run it). Every
// attempt sees the same id minted at the claim, so a create run twice makes one session.
import { createHash } from 'node:crypto';
import { ServiceError } from '../errors';
import { newSessionId } from '../ids';
import type { Clock } from './ports/Clock';
import type { IdempotencyAnswer, IdempotencyKeys, IdempotencyRecord } from './ports/IdempotencyKeys';

export interface AnswerOnceDeps {
  idempotencyKeys: IdempotencyKeys;
  clock: Clock;
  /** Waits between two reads of a key being answered. @defaultValue setTimeout */
  pause?: (ms: number) => Promise<void>;
}

export interface AnswerOnceOptions {
  /** How long an attempt may run before a repeat may take it over (its process is presumed dead), in ms. */
  leaseMs: number;
  /** How long a repeat waits for the running attempt's answer before it gives up (idempotency_key_in_flight), in ms. */
  waitMs: number;
  /** How often a waiting repeat reads the key, in ms. */
  pollMs: number;
}

export interface IdempotentRequest {
  clinicId: string;
  /** The Idempotency-Key header's value. */
  key: string;
  /** The request's method, route and canonical body. */
  fingerprint: string;
}

/** Run the request (as `attempt`, with `mintedId` for what it creates), or answer it again. */
export type Begun = { kind: 'run'; recordId: string; attempt: number; mintedId: string } | { kind: 'replay'; answer: IdempotencyAnswer };

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Keys are each clinic's own: the same key from two clinics is two records. */
export const idempotencyRecordId = (clinicId: string, key: string): string => `idk_${digest(`${clinicId}\u001f${key}`)}`;

/** A request's fingerprint: its method, route and body, with object keys in a fixed order. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value as object).sort().map((name) => [name, canonical((value as Record<string, unknown>)[name])]));
    }
    return value;
  };
  return digest(JSON.stringify([method.toUpperCase(), path, canonical(body ?? null)]));
}

export async function beginIdempotent(deps: AnswerOnceDeps, request: IdempotentRequest, options: AnswerOnceOptions): Promise<Begun> {
  const pause = deps.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const id = idempotencyRecordId(request.clinicId, request.key);
  const now = new Date(deps.clock.now());
  const fresh: IdempotencyRecord = { id, fingerprint: request.fingerprint, mintedId: newSessionId(), createdAt: now, attempt: 1, attemptStartedAt: now, released: false, answer: null };
  const { claimed, record: first } = await deps.idempotencyKeys.claim(fresh);
  if (claimed) return { kind: 'run', recordId: id, attempt: 1, mintedId: fresh.mintedId };
  const giveUpAt = deps.clock.now() + options.waitMs;
  for (let record: IdempotencyRecord | null = first; ; record = await deps.idempotencyKeys.read(id)) {
    // Swept away meanwhile (older than the keys are kept): a first use again.
    if (record === null) return beginIdempotent(deps, request, options);
    if (record.fingerprint !== request.fingerprint) {
      throw new ServiceError('idempotency_key_reused', 'this Idempotency-Key was used with another request (another route or body); use a new key for a new request');
    }
    if (record.answer) return { kind: 'replay', answer: record.answer };
    const leaseOver = deps.clock.now() - record.attemptStartedAt.getTime() >= options.leaseMs;
    if (record.released || leaseOver) {
      const attempt = record.attempt + 1;
      if (await deps.idempotencyKeys.takeOver(id, attempt, new Date(deps.clock.now()))) return { kind: 'run', recordId: id, attempt, mintedId: record.mintedId };
    }
    if (deps.clock.now() >= giveUpAt) {
      throw new ServiceError('idempotency_key_in_flight', 'a request with this Idempotency-Key is still running; repeat it in a moment to get its answer');
    }
    await pause(options.pollMs);
  }
}

/** Keeps the attempt's answer for the repeats, or, for a failure on our side (5xx), lets the next repeat run again. */
export async function finishIdempotent(deps: Pick<AnswerOnceDeps, 'idempotencyKeys'>, run: { recordId: string; attempt: number }, answer: IdempotencyAnswer): Promise<void> {
  if (answer.status >= 500) await deps.idempotencyKeys.release(run.recordId, run.attempt);
  else await deps.idempotencyKeys.answer(run.recordId, run.attempt, answer);
}
