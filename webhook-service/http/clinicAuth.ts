// Bearer-key check for the clinic API. Several named keys may be valid at once (a key is rotated
// by adding the new one, moving the portals, then removing the old one). Every key is compared,
// each by its SHA-256 digest in constant time, so neither the length nor the position of a
// match shows in the timing. The matching key's name (never its secret) is left in
// `res.locals.clinicKey` for the logs and the audit trail.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ServiceError } from '../errors';

export interface ClinicApiKey {
  name: string;
  secret: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function requireClinicKey(keys: readonly ClinicApiKey[]): RequestHandler {
  const digests = keys.map((key) => ({ name: key.name, digest: digest(key.secret) }));
  return (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const presented = digest(match?.[1] ?? '');
    let found: string | null = null;
    for (const key of digests) if (timingSafeEqual(presented, key.digest) && match) found = key.name;
    if (found === null) {
      next(new ServiceError('clinic_unauthorized', 'missing or invalid bearer token'));
      return;
    }
    res.locals.clinicKey = found;
    next();
  };
}
