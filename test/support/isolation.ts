// Helpers that keep tests apart on shared servers (own database, queue, room names) and wait
// for effects with a deadline instead of sleeping.
import { randomBytes } from 'node:crypto';
import { databaseUri } from '../../scripts/shared/serviceEnv';

/** `prefix` plus a short random suffix, e.g. `room-3f9a1c0b`; safe in db, queue and room names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** MONGODB_URI with `dbName` as its database, keeping credentials and any query string. */
export function mongoUriFor(dbName: string): string {
  const base = process.env.MONGODB_URI;
  if (!base) throw new Error('MONGODB_URI is not set: run the tests through jest, whose global setup starts the stack');
  return databaseUri(base, dbName);
}

export interface WaitForOptions {
  /** Give up after this many milliseconds. @defaultValue 10000 */
  timeoutMs?: number;
  /** Pause between attempts, in milliseconds. @defaultValue 50 */
  intervalMs?: number;
}

/**
 * Polls `predicate` until it returns a truthy value, which is returned. Throws after the
 * deadline with the last error the predicate threw, if any.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50 }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * What a test (with `afterEach`) or a file (with `afterAll`) opened, closed after it in the
 * reverse order (a failure to close one never keeps the others open): push a closer as soon as
 * something is opened.
 */
export function closedAfter(hook: (run: () => Promise<void>) => void): (() => Promise<unknown>)[] {
  const closers: (() => Promise<unknown>)[] = [];
  hook(async () => {
    while (closers.length > 0) await (closers.pop() as () => Promise<unknown>)().catch(() => undefined);
  });
  return closers;
}
