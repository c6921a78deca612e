// The clinic API (/v1): validates bodies with zod, calls a use case, answers JSON. Nothing else.
import { Router, json } from 'express';
import { z } from 'zod';
import { ServiceError } from '../errors';
import { closeSession, type CloseSessionDeps } from '../usecases/closeSession';
import { createSession, type CreateSessionDeps } from '../usecases/createSession';
import { getSession } from '../usecases/getSession';
import { mintJoinToken, type MintJoinTokenDeps } from '../usecases/mintJoinToken';
import { sessionView } from '../usecases/sessionView';
import { requireClinicToken } from './clinicAuth';
import { clinicCors } from './cors';
import { CreateSessionBody, TokenBody } from './schemas';

export interface ClinicRoutesDeps extends CreateSessionDeps, MintJoinTokenDeps, CloseSessionDeps {
  clinicApiToken: string;
  corsOrigins: readonly string[];
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
  router.use(requireClinicToken(deps.clinicApiToken));
  router.use(json({ limit: '16kb' }));

  router.post('/sessions', async (req, res) => {
    const body = parse(CreateSessionBody, req.body);
    const view = await createSession(deps, { ...body, scheduledStart: body.scheduledStart ? new Date(body.scheduledStart) : null });
    res.status(201).location(`/v1/sessions/${view.id}`).json(view);
  });

  router.get('/sessions/:id', async (req, res) => {
    res.json(await getSession(deps, req.params.id));
  });

  router.post('/sessions/:id/token', async (req, res) => {
    const { identity: who } = parse(TokenBody, req.body);
    res.json(await mintJoinToken(deps, req.params.id, who));
  });

  router.post('/sessions/:id/end', async (req, res) => {
    res.json(sessionView(await closeSession(deps, req.params.id, { kind: 'end_requested', at: deps.clock.now() })));
  });

  router.post('/sessions/:id/cancel', async (req, res) => {
    res.json(sessionView(await closeSession(deps, req.params.id, { kind: 'cancel_requested', at: deps.clock.now() })));
  });

  return router;
}
