// Bearer-key check for the clinic API. Several named keys may be valid at once (a key is rotated
// by adding the new one, moving the portals, then removing the old one). Every key is compared,
// each by its SHA-256 digest in constant time, so neither the length nor the position of a
// match shows in the timing. The matching key's name (never its secret) is left in
// `res.locals.clinicKey` for the logs and the audit trail, its clinic and scopes in
// `res.locals.clinicAccess` for the routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { ClinicApiKey, ClinicScope } from '../clinicKeys';
import { ServiceError } from '../errors';

/** What the calling key may reach: its clinic's sessions, with these scopes. */
export interface ClinicAccess {
  clinicId: string;
  scopes: readonly ClinicScope[];
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function requireClinicKey(keys: readonly ClinicApiKey[]): RequestHandler {
  const digests = keys.map((key) => ({ key, digest: digest(key.secret) }));
  return (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    const presented = digest(match?.[1] ?? '');
    let found: ClinicApiKey | null = null;
    for (const candidate of digests) if (timingSafeEqual(presented, candidate.digest) && match) found = candidate.key;
    if (found === null) {
      next(new ServiceError('clinic_unauthorized', 'missing or invalid bearer token'));
      return;
    }
    res.locals.clinicKey = found.name;
    res.locals.clinicAccess = { clinicId: found.clinicId, scopes: found.scopes } satisfies ClinicAccess;
    next();
  };
}

/** The calling key's clinic and scopes (set by requireClinicKey). */
export const clinicAccessOf = (res: Response): ClinicAccess => res.locals.clinicAccess as ClinicAccess;

/** Refuses a key without `scope` (403 clinic_forbidden), before the route reads or writes anything. */
export function requireScope(scope: ClinicScope): RequestHandler {
  return (_req, res, next) => {
    if (clinicAccessOf(res).scopes.includes(scope)) next();
    else next(new ServiceError('clinic_forbidden', `this API key lacks the scope ${scope}`));
  };
}
