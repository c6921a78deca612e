// Actions a participant takes with their own credential (`Authorization: Bearer <their join
// token>`), not with the clinic's key: today "End session for everyone", which only the session's
// counselor may do. Called from the browser (CORS as for the clinic API). Audited like the
// clinic's calls, under the key name `participant` with the caller's identity; a call whose
// credential proves nobody is refused (401) without an entry, as nobody can be named.
import { Router, type Request } from 'express';
import { isServiceError, ServiceError } from '../errors';
import { newAuditId } from '../ids';
import type { Logger } from '../logger';
import { endForEveryone } from '../usecases/endForEveryone';
import type { CloseSessionDeps } from '../usecases/closeSession';
import { sessionView } from '../usecases/sessionView';
import type { AuditTrail } from '../usecases/ports/AuditTrail';
import type { ParticipantCredential, ParticipantCredentials } from '../usecases/ports/ParticipantCredentials';
import { clinicCors } from './cors';
import { ERROR_STATUS } from './errorStatus';

export interface ParticipantRoutesDeps extends CloseSessionDeps {
  credentials: ParticipantCredentials;
  audit: AuditTrail;
  logger: Logger;
  corsOrigins: readonly string[];
}

/** The key name audit entries of participants' own calls carry. */
export const PARTICIPANT_KEY_NAME = 'participant';

async function credentialOf(deps: ParticipantRoutesDeps, req: Request): Promise<ParticipantCredential> {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match?.[1]) throw new ServiceError('participant_unauthorized', 'missing bearer credential (the join token)');
  return deps.credentials.verify(match[1]);
}

export function participantRoutes(deps: ParticipantRoutesDeps): Router {
  const router = Router();
  router.use('/participant', clinicCors(deps.corsOrigins));

  router.post('/participant/end', async (req, res) => {
    const credential = await credentialOf(deps, req);
    const record = (status: number, code: string | null) =>
      deps.audit.record({
        id: newAuditId(),
        keyName: PARTICIPANT_KEY_NAME,
        action: 'session.end',
        sessionId: credential.sessionId,
        identity: credential.identity,
        at: new Date(deps.clock.now()),
        outcome: { status, code },
      });
    let ended: Awaited<ReturnType<typeof endForEveryone>>;
    try {
      ended = await endForEveryone(deps, credential);
    } catch (error) {
      const code = isServiceError(error) ? error.code : 'internal';
      // No entry for a session that does not exist: nothing to attach it to.
      if (code !== 'session_not_found') {
        await record(ERROR_STATUS[code], code).catch((failure: unknown) => deps.logger.error({ err: failure }, 'audit entry of a refused participant call not written'));
      }
      throw error;
    }
    await record(200, null);
    const view = sessionView(ended);
    res.json({ id: view.id, status: view.status, endReason: view.endReason });
  });

  return router;
}
