// The API description: a valid OpenAPI 3.1 document (checked by a real validator), naming every
// clinic route the service serves, and the typed client's committed types are what the document
// generates today (`npm run generate:client` after any change).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../../../webhook-service/http/openapi';
import { newSessionId } from '../../../webhook-service/ids';
import { appOnFakes } from './appOnFakes';

/** @seriousme/openapi-schema-validator is an ES module only, so it runs in a Node of its own. */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const script = "import('@seriousme/openapi-schema-validator').then(async ({ Validator }) => { let text = ''; for await (const chunk of process.stdin) text += chunk; process.stdout.write(JSON.stringify(await new Validator().validate(JSON.parse(text)))); })";
  const run = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..', '..'), input: JSON.stringify(document), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the validator failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { valid: boolean; errors?: unknown };
}

test('the document is valid OpenAPI 3.1', () => {
  expect(validateOpenApi(openApiDocument())).toEqual({ valid: true });
});

test('the validator does reject a broken document', () => {
  const broken = { ...openApiDocument(), openapi: '3.1.0', paths: { '/v1/sessions': { post: { responses: { '201': { content: {} } } } } } };
  expect(validateOpenApi(broken).valid).toBe(false);
});

test('the document describes exactly the clinic routes the app serves', () => {
  const { app } = appOnFakes();
  // Express 5 keeps its routers' layers; the clinic router is the one mounted under /v1.
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; matchers?: unknown };
  const served: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) served.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack, prefix === '' && layer.handle.stack.some((inner) => /^\/(sessions|participant)\//.test(inner.route?.path ?? '')) ? '/v1' : prefix);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  const clinicRoutes = served.filter((route) => route.includes('/v1/')).map((route) => route.replace(/:(\w+)/g, '{$1}')).sort();
  const described = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  expect(clinicRoutes).toEqual(described);
});

test('the typed client is generated from the document as it is today', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-client.ts', '--check'], { cwd: root, encoding: 'utf8' });
  expect(check.stdout.trim()).toBe('webhook-service/client/openapi.ts is current');
  expect(check.status).toBe(0);
  expect(fs.readFileSync(path.join(root, 'webhook-service/client/openapi.ts'), 'utf8')).toContain('"/v1/sessions/{id}/cancel"');
});

type Operation = { operationId: string; parameters?: { name: string; in: string; schema: { $ref?: string; pattern?: string; minLength?: number; maxLength?: number } }[]; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }>; links?: Record<string, { operationId: string }> }> };
const operations = (): Operation[] => Object.values(openApiDocument().paths as Record<string, Record<string, Operation>>).flatMap((methods) => Object.values(methods));

test('every error answer of every operation is described, with the one Error body', () => {
  for (const operation of operations()) {
    const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
    expect([operation.operationId, errors.map(([status]) => status)]).toEqual([operation.operationId, expect.arrayContaining(['401', '429', '500', '503'])]);
    for (const [status, response] of errors) expect([operation.operationId, status, response.content?.['application/json']?.schema.$ref]).toEqual([operation.operationId, status, '#/components/schemas/Error']);
  }
});

test('every id in a path has the pattern of the ids the service makes', () => {
  const document = openApiDocument() as { components: { schemas: Record<string, { pattern?: string }> } };
  for (const operation of operations()) {
    // A participant's identity is the clinic's, not one the service makes.
    for (const parameter of (operation.parameters ?? []).filter((candidate) => candidate.in === 'path' && candidate.name !== 'identity')) {
      const ref = parameter.schema.$ref?.split('/').pop() ?? '';
      expect(document.components.schemas[ref]?.pattern).toMatch(/^\^(ses|dlv)_/);
    }
  }
  expect(new RegExp(document.components.schemas.SessionId?.pattern as string).test(newSessionId())).toBe(true);
});

test('links lead from a created session to reading it, its tokens, and ending or cancelling it', () => {
  const byId = Object.fromEntries(operations().map((operation) => [operation.operationId, operation]));
  const next = (operationId: string, status: string) => Object.values(byId[operationId]?.responses[status]?.links ?? {}).map((link) => link.operationId);
  expect(next('createSession', '201')).toEqual(expect.arrayContaining(['getSession', 'mintJoinToken', 'endSession', 'cancelSession', 'getAudit']));
  expect(next('getSession', '200')).toEqual(expect.arrayContaining(['mintJoinToken', 'endSession', 'cancelSession']));
  expect(next('mintJoinToken', '200')).toEqual(expect.arrayContaining(['endSession', 'cancelSession']));
  expect(next('listFailedDeliveries', '200')).toEqual(['retryDelivery']);
  // Every link names an operation of the document.
  for (const operation of operations()) for (const status of Object.keys(operation.responses)) for (const target of next(operation.operationId, status)) expect(Object.keys(byId)).toContain(target);
});

test('the query parameters are the ones the routes parse, with their limits (an empty cursor is not allowed)', () => {
  const list = operations().find((operation) => operation.operationId === 'listSessions');
  expect(list?.parameters?.map((parameter) => parameter.name)).toEqual(['status', 'from', 'to', 'limit', 'cursor', 'externalId']);
  expect(list?.parameters?.find((parameter) => parameter.name === 'cursor')?.schema).toMatchObject({ minLength: 1, maxLength: 512 });
  expect(JSON.stringify(openApiDocument())).not.toContain('\\p{');
});
