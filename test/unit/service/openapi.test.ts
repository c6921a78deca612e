// The API description: a valid OpenAPI 3.1 document (checked by a real validator), naming every
// clinic route the service serves, and the typed client's committed types are what the document
// generates today (`npm run generate:client` after any change).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openApiDocument } from '../../../webhook-service/http/openapi';
import { world } from './usecases/world';
import { createApp } from '../../../webhook-service/http/app';
import { createMetrics } from '../../../webhook-service/metrics';
import pino from 'pino';
import { grantKeys } from '../../../webhook-service/clinicKeys';

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
  const deps = world();
  const app = createApp({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    readiness: {},
    api: { webhook: { maxBytes: 1024, intake: deps }, clinic: { ...deps, clinicApiKeys: grantKeys([{ name: 'default', secret: 'x'.repeat(16) }], null), corsOrigins: [] }, participant: { ...deps, corsOrigins: [] } },
  });
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
  const clinicRoutes = served.filter((route) => route.includes('/v1/')).map((route) => route.replace(':id', '{id}')).sort();
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
