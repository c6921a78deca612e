// The request a log line belongs to: an id per HTTP request (the caller's `X-Request-Id` when it
// is a sane token, else a fresh one), carried through the request's async work so that every
// log line written on its behalf names it, whichever module writes it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const context = new AsyncLocalStorage<{ requestId: string }>();

const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The id for a request: the caller's own when it is safe to log, else a fresh UUID. */
export const requestIdFor = (given: string | undefined): string => (given && SANE_ID.test(given) ? given : randomUUID());

export function withRequestId<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

export const currentRequestId = (): string | undefined => context.getStore()?.requestId;
