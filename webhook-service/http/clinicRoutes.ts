// The clinic API (/v1): validates bodies with zod, calls a use case, answers JSON. Nothing else.
import { Router, json, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ServiceError } from '../errors';
import { auditClinicCall, type CallDone } from '../usecases/auditCalls';
import type { AuditAction, AuditTrail } from '../usecases/ports/AuditTrail';
import type { ClinicDeliveries } from '../usecases/ports/ClinicDeliveries';
import { answeredAudit, answerOf } from './auditAnswers';
import { changeParticipants, type ChangeParticipantsDeps, type ParticipantChange } from '../usecases/changeParticipants';
import { closeSession, type CloseSessionDeps } from '../usecases/closeSession';
import { createSession, type CreateSessionDeps } from '../usecases/createSession';
import { getSession } from '../usecases/getSession';
import { mintJoinToken, type MintJoinTokenDeps } from '../usecases/mintJoinToken';
import { sessionView } from '../usecases/sessionView';
import type { ClinicApiKey } from '../clinicKeys';
import { clinicAccessOf, requireClinicKey, requireScope } from './clinicAuth';
import { idempotent, mintedIdOf, type IdempotencyDeps } from './idempotency';
import { clinicSession } from '../usecases/clinicSession';
import { listFailedDeliveries, retryDelivery } from '../usecases/clinicDeliveries';
import { clinicCors } from './cors';
import { AuditQuery, CreateSessionBody, DeliveriesQuery, ParticipantIdentity, PutParticipantBody, SessionListQuery, TokenBody } from './schemas';
import { readAudit } from '../usecases/readAudit';
import { attendanceCsv, listSessions } from '../usecases/listSessions';

export interface ClinicRoutesDeps extends CreateSessionDeps, MintJoinTokenDeps, CloseSessionDeps, ChangeParticipantsDeps, IdempotencyDeps {
  audit: AuditTrail;
  deliveries: ClinicDeliveries;
  /** Every clinic API key in force (CLINIC_API_KEYS and CLINIC_API_TOKEN as `default`), with its clinic and scopes. */
  clinicApiKeys: readonly ClinicApiKey[];
  corsOrigins: readonly string[];
  /** Where a counselor's widget ends the session with its own join token (SERVICE_PUBLIC_URL + /v1/participant/end); null when the service does not know its public URL. */
  participantEndUrl: string | null;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const message = result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
  throw new ServiceError('invalid_request', message);
}

export function clinicRoutes(deps: ClinicRoutesDeps): Router {
  const router = Router();
  router.use(clinicCors(deps.corsOrigins));
  router.use(requireClinicKey(deps.clinicApiKeys));
  // Who called what: the key's name, never its secret; ids, never bodies.
  router.use((req, res, next) => {
    res.on('finish', () => {
      deps.logger.info({ clinicKey: res.locals.clinicKey, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode }, 'clinic API call');
    });
    next();
  });
  router.use(json({ limit: '16kb' }));

  const auditDeps = { ...deps, calls: answeredAudit(deps.audit) };
  // Idempotency-Key on every POST, PUT and DELETE: a repeat gets the first answer (http/idempotency.ts).
  const once = idempotent(deps);
  /** An audited call (usecases/auditCalls.ts), answered with the status its outcome maps to. */
  const audited =
    (action: AuditAction, run: (req: Request, res: Response) => Promise<CallDone<object>>): RequestHandler =>
    async (req, res) => {
      const call = {
        action,
        keyName: String(res.locals.clinicKey),
        sessionId: typeof req.params.id === 'string' ? req.params.id : null,
        identity:
          action === 'token.mint' && typeof req.body?.identity === 'string' ? req.body.identity : typeof req.params.identity === 'string' ? req.params.identity : null,
      };
      const done = await auditClinicCall(auditDeps, call, () => run(req, res));
      res.status(answerOf({ result: done.result }).status).json(done.value);
    };

  router.post(
    '/sessions',
    requireScope('sessions:write'),
    once,
    audited('session.create', async (req, res) => {
      if (typeof req.body === 'object' && req.body !== null && 'roomName' in req.body) {
        throw new ServiceError('invalid_request', "roomName: the service names each session's room now (one room per session, never reused); leave roomName out and use the roomName of the answer");
      }
      const body = parse(CreateSessionBody, req.body);
      const participants = body.participants ?? [];
      // The pair is the shorthand: without it, the first student and counselor listed.
      const studentIdentity = body.studentIdentity ?? participants.find((entry) => entry.role === 'student')?.identity;
      const counselorIdentity = body.counselorIdentity ?? participants.find((entry) => entry.role === 'counselor')?.identity;
      if (studentIdentity === undefined || counselorIdentity === undefined) {
        throw new ServiceError('invalid_request', 'studentIdentity and counselorIdentity: give them, or list a student and a counselor in participants');
      }
      const { created, session } = await createSession(deps, {
        clinicId: clinicAccessOf(res).clinicId,
        studentIdentity,
        counselorIdentity,
        participants,
        group: body.group ?? null,
        observersDisclosed: body.observersDisclosed ?? true,
        scheduledStart: body.scheduledStart ? new Date(body.scheduledStart) : null,
        externalId: body.externalId ?? null,
        sessionId: mintedIdOf(res),
      });
      return { result: created ? 'created' : 'done', value: session, sessionId: session.id };
    }),
  );

  router.get('/sessions', requireScope('sessions:read'), async (req, res) => {
    const query = parse(SessionListQuery, req.query);
    const page = await listSessions(deps, {
      clinicId: clinicAccessOf(res).clinicId,
      status: query.status ?? null,
      from: query.from ? new Date(query.from) : null,
      to: query.to ? new Date(query.to) : null,
      limit: query.limit,
      cursor: query.cursor ?? null,
      externalId: query.externalId ?? null,
    });
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      if (page.nextCursor) res.set('X-Next-Cursor', page.nextCursor);
      res.type('text/csv; charset=utf-8').send(attendanceCsv(page));
      return;
    }
    res.json(page);
  });

  router.get('/sessions/:id', requireScope('sessions:read'), async (req, res) => {
    res.json(await getSession(deps, clinicAccessOf(res).clinicId, req.params.id as string));
  });

  router.get('/sessions/:id/audit', requireScope('audit:read'), async (req, res) => {
    const query = parse(AuditQuery, req.query);
    const page = await readAudit(deps, clinicAccessOf(res).clinicId, req.params.id as string, { limit: query.limit, cursor: query.cursor ?? null });
    res.json({ entries: page.entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })), nextCursor: page.nextCursor });
  });

  router.get('/webhook-deliveries', requireScope('deliveries:read'), async (req, res) => {
    const { status, limit, cursor } = parse(DeliveriesQuery, req.query);
    const page = await listFailedDeliveries(deps, clinicAccessOf(res).clinicId, { limit, cursor: cursor ?? null });
    res.json({ status, deliveries: page.deliveries.map((delivery) => ({ ...delivery, failedAt: delivery.failedAt.toISOString() })), nextCursor: page.nextCursor });
  });

  router.post('/webhook-deliveries/:id/retry', requireScope('deliveries:write'), once, async (req, res) => {
    await retryDelivery(deps, clinicAccessOf(res).clinicId, req.params.id as string);
    res.status(202).json({ queued: true });
  });

  router.post(
    '/sessions/:id/token',
    requireScope('tokens:write'),
    once,
    audited('token.mint', async (req, res) => {
      const { identity: who } = parse(TokenBody, req.body);
      await clinicSession(deps.store, clinicAccessOf(res).clinicId, req.params.id as string);
      const { token, url, role } = await mintJoinToken(deps, req.params.id as string, who);
      const endUrl = role === 'counselor' && deps.participantEndUrl ? { endUrl: deps.participantEndUrl } : {};
      return { result: 'done', value: { token, url, ...endUrl }, sessionId: req.params.id as string };
    }),
  );

  // One person of the appointment, by identity: PUT adds or changes them, DELETE removes them.
  const changePeople = (action: 'participant.put' | 'participant.remove', changeOf: (req: Request) => ParticipantChange) =>
    audited(action, async (req, res) => {
      const sessionId = req.params.id as string;
      const loaded = await changeParticipants(deps, clinicAccessOf(res).clinicId, sessionId, changeOf(req));
      return { result: 'done', value: sessionView(loaded), sessionId };
    });
  const identityOf = (req: Request): string => parse(ParticipantIdentity, req.params.identity);
  router.put(
    '/sessions/:id/participants/:identity',
    requireScope('sessions:write'),
    once,
    changePeople('participant.put', (req) => ({ kind: 'put', participant: { identity: identityOf(req), ...parse(PutParticipantBody, req.body) } })),
  );
  router.delete(
    '/sessions/:id/participants/:identity',
    requireScope('sessions:write'),
    once,
    changePeople('participant.remove', (req) => ({ kind: 'remove', identity: identityOf(req) })),
  );

  // Ending and cancelling are one story with the clinic's command; the rules refuse the wrong one.
  const CLOSING = [
    { path: '/sessions/:id/end', action: 'session.end', kind: 'end_requested' },
    { path: '/sessions/:id/cancel', action: 'session.cancel', kind: 'cancel_requested' },
  ] as const;
  for (const { path, action, kind } of CLOSING) {
    router.post(
      path,
      requireScope('sessions:write'),
      once,
      audited(action, async (req, res) => {
        await clinicSession(deps.store, clinicAccessOf(res).clinicId, req.params.id as string);
        return {
          result: 'done',
          value: sessionView(await closeSession(deps, req.params.id as string, { kind, at: deps.clock.now() })),
          sessionId: req.params.id as string,
        };
      }),
    );
  }

  return router;
}
