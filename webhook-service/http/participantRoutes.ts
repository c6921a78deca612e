// Actions a participant takes with their own credential (`Authorization: Bearer <their join
// token>`), not with the clinic's key: today "End session for everyone", which only the session's
// counselor may do. Called from the browser (CORS as for the clinic API). Audited like the
// clinic's calls (usecases/auditCalls.ts), under the key name `participant` with the caller's
// identity; a call whose credential proves nobody is refused (401) without an entry, as nobody
// can be named.
import { Router, type Request } from 'express';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import { auditParticipantCall } from '../usecases/auditCalls';
import { endForEveryone } from '../usecases/endForEveryone';
import type { CloseSessionDeps } from '../usecases/closeSession';
import { sessionView } from '../usecases/sessionView';
import type { AuditTrail } from '../usecases/ports/AuditTrail';
import type { ParticipantCredential, ParticipantCredentials } from '../usecases/ports/ParticipantCredentials';
import { answeredAudit } from './auditAnswers';
import { clinicCors } from './cors';

export interface ParticipantRoutesDeps extends CloseSessionDeps {
  credentials: ParticipantCredentials;
  audit: AuditTrail;
  logger: Logger;
  corsOrigins: readonly string[];
}

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
    const { value: ended } = await auditParticipantCall({ ...deps, calls: answeredAudit(deps.audit) }, 'session.end', credential, async () => ({
      value: await endForEveryone(deps, credential),
      sessionId: credential.sessionId,
      result: 'done',
    }));
    const view = sessionView(ended);
    res.json({ id: view.id, status: view.status, endReason: view.endReason });
  });

  return router;
}
