// Checks an answer of the clinic API against the service's OpenAPI document: the status must be
// one the operation lists, and the body must match that answer's schema (ajv, JSON Schema
// 2020-12, formats on). Routes the document does not describe (ops, webhooks) are not checked.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../webhook-service/http/openapi';

interface Operation {
  method: string;
  pattern: RegExp;
  template: string;
  responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }>;
}

const document = openApiDocument() as { paths: Record<string, Record<string, { responses: Operation['responses'] }>>; components: unknown };
const operations: Operation[] = Object.entries(document.paths).flatMap(([template, byMethod]) =>
  Object.entries(byMethod).map(([method, operation]) => ({
    method: method.toUpperCase(),
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    responses: operation.responses,
  })),
);
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

function validatorOf(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ components: document.components, $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

export function checkAgainstDescription(method: string, path: string, status: number, body: unknown): void {
  const bare = path.split('?')[0] as string;
  const operation = operations.find((candidate) => candidate.method === method && candidate.pattern.test(bare));
  if (!operation) return;
  const described = operation.responses[String(status)];
  if (!described) throw new Error(`${method} ${operation.template} answered ${status}, a status the API description does not list`);
  const ref = described.content?.['application/json']?.schema.$ref;
  if (!ref) return;
  const validate = validatorOf(ref);
  if (!validate(body)) throw new Error(`${method} ${operation.template} ${status} does not match ${ref}: ${ajv.errorsText(validate.errors)}`);
}
