import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type ResponseObject,
} from '@nestjs/swagger';

import type { ApiKeyRole } from '#db';

import { PUBLIC_ROUTE, REQUIRED_ROLE } from '../../auth/auth.decorators.js';
import { REQUEST_EXAMPLES } from './openapi-examples.js';
import { PROBLEM_CONTENT_TYPE } from '../problems/problem-details.js';
import { operationIdOf, summaryOf } from './openapi-operation-ids.js';
import { conflictResponse, CONFLICTS, PROBLEM_SCHEMA, sharedProblemRef, sharedProblemResponses } from './openapi-problems.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** Who may call an operation: nobody needs a key, or a key of at least this role. */
export type OperationAccess = { public: true } | { public: false; role: ApiKeyRole };

/**
 * The OpenAPI document of the API, in one place: Nest's scan of the controllers, then a pass that
 * gives every operation a stable operationId and a summary, states its security and the role it
 * needs, lists the problem+json answers it can give (one shared `Problem` schema) and attaches the
 * examples of the main request bodies. Controllers keep their one-line decorators.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const controllers = controllerClasses(app);
  const access = new Map<string, OperationAccess>();
  const reflector = new Reflector();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Bellwether')
      .setDescription(
        'Predictions, the signals that bear on them, and explicit Bayesian confidence with an audit trail.\n\n' +
          'Every error is `application/problem+json` (RFC 9457) with a stable `type` URI, `https://bellwether.dev/problems/<code>`, ' +
          'and `errors: [{field, message}]` naming each offending field. Roles: viewer < analyst < admin; each operation states the one it needs.',
      )
      .setVersion('1')
      .setLicense('UNLICENSED', 'https://bellwether.dev/license')
      .addServer('/', 'This deployment')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'bw_<prefix>_<secret>', description: 'An API key: `Authorization: Bearer bw_...`' }, 'bearer')
      .build(),
    {
      operationIdFactory: (controllerKey, methodKey) => {
        const operationId = operationIdOf(controllerKey, methodKey);
        const controller = controllers.get(controllerKey);
        const handler = (controller?.prototype as Record<string, object | undefined> | undefined)?.[methodKey];
        const targets = [handler, controller].filter((target): target is NonNullable<typeof target> => target !== undefined) as (Type | (() => void))[];
        const isPublic = reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true;
        access.set(operationId, isPublic ? { public: true } : { public: false, role: reflector.getAllAndOverride<ApiKeyRole | undefined>(REQUIRED_ROLE, targets) ?? 'viewer' });
        return operationId;
      },
    },
  );
  return describeOperations(document, (operationId) => access.get(operationId) ?? { public: false, role: 'viewer' });
}

/** Adds to each operation what a client needs and Nest's scan cannot know. Exported for the document's tests. */
export function describeOperations(document: OpenAPIObject, accessOf: (operationId: string) => OperationAccess): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
    responses: { ...document.components?.responses, ...sharedProblemResponses() },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation?.operationId) continue;
      const access = accessOf(operation.operationId);
      operation.summary ??= summaryOf(operation.operationId);
      definePathParameters(path, operation);
      describeAccess(operation, access);
      describeProblems(path, operation, access);
      const example = REQUEST_EXAMPLES[operation.operationId];
      const json = operation.requestBody && 'content' in operation.requestBody ? operation.requestBody.content['application/json'] : undefined;
      if (example && json) json.examples = { [operation.operationId]: example };
    }
  }
  return document;
}

function describeAccess(operation: OperationObject & { 'x-required-role'?: string }, access: OperationAccess): void {
  if (access.public) {
    operation.security = [];
    operation['x-required-role'] = 'none';
    operation.description = appendSentence(operation.description, 'No API key needed.');
    return;
  }
  operation.security = [{ bearer: [] }];
  operation['x-required-role'] = access.role;
  operation.description = appendSentence(operation.description, `Role: **${access.role}** or higher.`);
}

function describeProblems(path: string, operation: OperationObject, access: OperationAccess): void {
  const responses = operation.responses;
  const add = (status: number, response: ResponseObject | ReferenceObject): void => {
    responses[String(status)] ??= response;
  };
  const underApi = path.startsWith('/v1/');
  const hasPathParameters = /\{\w+\}/.test(path);
  if (underApi) add(400, sharedProblemRef(400));
  if (!access.public) add(401, sharedProblemRef(401));
  if (!access.public && access.role !== 'viewer') add(403, sharedProblemRef(403));
  if (hasPathParameters) add(404, sharedProblemRef(404));
  if (operation.requestBody) add(413, sharedProblemRef(413));
  if (operation.requestBody) add(415, sharedProblemRef(415));
  add(500, sharedProblemRef(500));
  // A 409 a decorator documented already (an Idempotency-Key in flight) joins the conflicts of the operation.
  const declared = responses['409'] as ResponseObject | undefined;
  const declaredCodes = [...(declared?.description ?? '').matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((match) => match[1]!);
  const conflicts = [...new Set([...(CONFLICTS[operation.operationId!] ?? []), ...declaredCodes])];
  if (conflicts.length > 0) {
    const response = conflictResponse(conflicts);
    if (declared?.description) response.description = `${declared.description}. ${response.description}`;
    responses['409'] = response;
  }
  // Every error answer of the API is problem+json: say so where a decorator described one without a body.
  for (const [status, response] of Object.entries(responses) as [string, ResponseObject | ReferenceObject][]) {
    if (/^[45]\d\d$/.test(status) && !('$ref' in response) && !response.content?.[PROBLEM_CONTENT_TYPE]) {
      response.content = { ...response.content, [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } };
    }
  }
}

const PATH_PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  idOrSlug: 'The id or the slug',
  id: 'The id',
  deliveryId: 'The id of the delivery',
  token: 'The token of the unsubscribe link',
};

/** Routes take their path parameters as one validated class (`@Param() params: IdOrSlugParams`), which Nest's scan does not list: name each one. */
function definePathParameters(path: string, operation: OperationObject): void {
  const parameters = (operation.parameters ??= []);
  for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
    const defined = parameters.some((parameter) => 'in' in parameter && (parameter as ParameterObject).in === 'path' && (parameter as ParameterObject).name === name);
    if (!defined) parameters.push({ name: name!, in: 'path', required: true, description: PATH_PARAMETER_DESCRIPTIONS[name!] ?? name!, schema: { type: 'string' } });
  }
}

function appendSentence(description: string | undefined, sentence: string): string {
  return description ? `${description}\n\n${sentence}` : sentence;
}

/** Controller classes by name, as the operationIdFactory is given them. */
function controllerClasses(app: INestApplication): Map<string, Type> {
  const classes = new Map<string, Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const metatype = wrapper.metatype as Type | null;
      if (metatype) classes.set(metatype.name, metatype);
    }
  }
  return classes;
}
