// Bearer-token check for the clinic API. Both sides are hashed first so the comparison is
// constant-time whatever the lengths.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ServiceError } from '../errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function requireClinicToken(expected: string): RequestHandler {
  const expectedDigest = digest(expected);
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match || !timingSafeEqual(digest(match[1] as string), expectedDigest)) {
      next(new ServiceError('clinic_unauthorized', 'missing or invalid bearer token'));
      return;
    }
    next();
  };
}
