// Rate limits of /v1: per client address (every call, before any credential is checked) and
// per credential (a clinic API key, or a participant's join token), each a number of requests
// per window. Over a limit: 429 `rate_limited` with Retry-After in seconds. The webhook intake
// is not limited: LiveKit's signed deliveries must never be refused for their rate. A limiter
// that cannot answer (Redis away) lets the request through, logged: the route then meets the
// same Redis and answers for itself.
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';

export interface RateSubject {
  /** Who is counted, e.g. `address:203.0.113.7`. */
  name: string;
  /** Requests allowed per window. */
  limit: number;
}

export interface RateLimiter {
  /** Counts one request against every subject when all allow it; otherwise counts nothing and answers the ms to wait. 0 = allowed. */
  take(subjects: readonly RateSubject[]): Promise<number>;
}

export interface RateLimitsOptions {
  limiter: RateLimiter;
  /** Requests per window per client address; 0 = no limit (env RATE_LIMIT_PER_ADDRESS_PER_MINUTE). */
  perAddress: number;
  /** Requests per window per credential; 0 = no limit (env RATE_LIMIT_PER_KEY_PER_MINUTE). */
  perKey: number;
  logger: Logger;
}

/** A credential is counted by its digest: the secret itself is never a Redis key. */
const credentialOf = (authorization: string | undefined): string | null => {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  return match?.[1] ? createHash('sha256').update(match[1], 'utf8').digest('base64url') : null;
};

export function rateLimits(options: RateLimitsOptions): RequestHandler {
  return (req, res, next) => {
    const subjects: RateSubject[] = [];
    if (options.perAddress > 0) subjects.push({ name: `address:${req.ip ?? 'unknown'}`, limit: options.perAddress });
    const credential = credentialOf(req.get('authorization'));
    if (options.perKey > 0 && credential) subjects.push({ name: `key:${credential}`, limit: options.perKey });
    if (subjects.length === 0) {
      next();
      return;
    }
    options.limiter.take(subjects).then(
      (waitMs) => {
        if (waitMs <= 0) {
          next();
          return;
        }
        res.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
        next(new ServiceError('rate_limited', 'too many requests: retry after the time in Retry-After'));
      },
      (error: unknown) => {
        options.logger.warn({ err: error }, 'rate limits could not be checked; the request goes through');
        next();
      },
    );
  };
}
