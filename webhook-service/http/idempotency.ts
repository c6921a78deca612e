// Idempotency-Key on the clinic API's POST, PUT and DELETE calls (usecases/answerOnce.ts): the header is optional; with
// it, a repeat of the request gets the first answer again (`Idempotent-Replayed: true`) and runs
// nothing. The answer is written down before it is sent, so a repeat can never find the effect
// without its answer. Placed after the key and scope checks: a refused key claims nothing.
import type { RequestHandler, Response } from 'express';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import { beginIdempotent, finishIdempotent, requestFingerprint, type AnswerOnceDeps, type AnswerOnceOptions } from '../usecases/answerOnce';
import { clinicAccessOf } from './clinicAuth';

export interface IdempotencyDeps extends AnswerOnceDeps {
  logger: Logger;
  idempotencyOptions: AnswerOnceOptions;
}

/** Printable ASCII, as the IETF draft's examples and the common clients send (UUIDs, random strings). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The id minted for this request's creation when it carries an Idempotency-Key (the same on every attempt), else null. */
export const mintedIdOf = (res: Response): string | null => (typeof res.locals.idempotentMintedId === 'string' ? res.locals.idempotentMintedId : null);

export function idempotent(deps: IdempotencyDeps): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) {
      next();
      return;
    }
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new ServiceError('invalid_request', 'Idempotency-Key: expected 1-255 printable ASCII characters (a UUID, say)');
    const fingerprint = requestFingerprint(req.method, `${req.baseUrl}${req.path}`, req.body);
    const begun = await beginIdempotent(deps, { clinicId: clinicAccessOf(res).clinicId, key, fingerprint }, deps.idempotencyOptions).catch((error: unknown) => {
      if (error instanceof ServiceError && error.code === 'idempotency_key_in_flight') res.set('Retry-After', '1');
      throw error;
    });
    if (begun.kind === 'replay') {
      res.set('Idempotent-Replayed', 'true').status(begun.answer.status).type('application/json').send(begun.answer.body);
      return;
    }
    res.locals.idempotentMintedId = begun.mintedId;
    const send = res.json.bind(res);
    // Every answer of this request passes here, the error handler's too.
    res.json = ((body: unknown) => {
      const text = JSON.stringify(body);
      finishIdempotent(deps, begun, { status: res.statusCode, body: text })
        .catch((error: unknown) => {
          // The answer still goes out: a repeat then runs again (a lease later), as after a crash.
          deps.logger.error({ err: error }, 'the answer of an Idempotency-Key request could not be kept');
        })
        .finally(() => send(body));
      return res;
    }) as typeof res.json;
    next();
  };
}
