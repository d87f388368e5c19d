import type { ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

import { PROBLEM_CONTENT_TYPE, problemType } from '../problems/problem-details.js';

/** The one error body of the API (RFC 9457), as the OpenAPI document states it. */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details, served as application/problem+json. `type` is stable: branch on it, not on `title` or `detail`.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'https://bellwether.dev/problems/<code>, e.g. validation-failed, prediction-not-found, prediction-resolved', example: problemType('validation-failed') },
    title: { type: 'string', description: 'A short, human summary of the problem type' },
    status: { type: 'integer', description: 'The HTTP status code', example: 400 },
    detail: { type: 'string', description: 'What went wrong with this request' },
    instance: { type: 'string', description: 'The request path' },
    errors: {
      type: 'array',
      description: 'Each offending field, named as the client sent it (`limit`, `impacts[0].prediction`, `body`, `path`)',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string', example: 'prior' }, message: { type: 'string', example: 'prior must be within 0.001..0.999' } },
      },
    },
    errorId: { type: 'string', description: 'On a 500 only: quote it when reporting; the log has the cause' },
    requestId: { type: 'string', description: 'The X-Request-Id of the request' },
  },
};

const PROBLEM_REF: ReferenceObject = { $ref: '#/components/schemas/Problem' };

interface ProblemResponseSpec {
  name: string;
  status: number;
  description: string;
  codes: string[];
  example: { title: string; detail: string; errors?: { field: string; message: string }[] };
}

/** The problems every operation of a kind can give; the `type` codes each status carries. */
const SHARED_PROBLEMS: ProblemResponseSpec[] = [
  {
    name: 'BadRequest',
    status: 400,
    description: 'The request is not valid: a field, a query parameter, a path segment or the body. `errors` names each offending field.',
    codes: ['validation-failed', 'malformed-body', 'body-too-deep', 'invalid-cursor', 'unstorable-text', 'http-400'],
    example: { title: 'The request is not valid', detail: 'limit must not be greater than 200', errors: [{ field: 'limit', message: 'limit must not be greater than 200' }] },
  },
  {
    name: 'Unauthenticated',
    status: 401,
    description: 'No API key, or one that is unknown or revoked. Send `Authorization: Bearer bw_...`.',
    codes: ['unauthenticated'],
    example: { title: 'unauthorized', detail: 'Send an API key as "Authorization: Bearer bw_..."' },
  },
  {
    name: 'Forbidden',
    status: 403,
    description: "The key's role is below the role this operation needs (viewer < analyst < admin).",
    codes: ['forbidden'],
    example: { title: 'forbidden', detail: 'This needs the analyst role; the key has viewer' },
  },
  {
    name: 'NotFound',
    status: 404,
    description: 'Nothing has this id or slug. The `type` names the resource: `prediction-not-found`, `evidence-not-found`, `signal-not-found`, `indicator-not-found`, ...',
    codes: ['prediction-not-found', 'evidence-not-found', 'indicator-not-found', 'signal-not-found', 'source-not-found', 'rule-not-found', 'webhook-not-found', 'subscriber-not-found', 'not-found'],
    example: { title: 'Prediction "no-such-slug" does not exist', detail: 'Prediction "no-such-slug" does not exist', errors: [{ field: 'idOrSlug', message: 'Prediction "no-such-slug" does not exist' }] },
  },
  {
    name: 'PayloadTooLarge',
    status: 413,
    description: 'The body is larger than the API reads (2 MB of JSON).',
    codes: ['payload-too-large'],
    example: { title: 'The request body is too large', detail: 'request entity too large', errors: [{ field: 'body', message: 'request entity too large' }] },
  },
  {
    name: 'UnsupportedMediaType',
    status: 415,
    description: 'The body is not of a type this operation takes (`Content-Type: application/json` for /v1 bodies).',
    codes: ['unsupported-media-type'],
    example: { title: 'This endpoint takes application/json, not text/plain', detail: 'This endpoint takes application/json, not text/plain', errors: [{ field: 'Content-Type', message: 'This endpoint takes application/json, not text/plain' }] },
  },
  {
    name: 'InternalError',
    status: 500,
    description: 'Something failed on the server. `errorId` finds the cause in the log; bad input never gives a 500.',
    codes: ['internal-error'],
    example: { title: 'Something went wrong on our side', detail: 'Quote errorId 1b4e28ba-2fa1-11d2-883f-0016d3cca427 when reporting this.' },
  },
];

/** What each operation can conflict with (409), by operationId: the `type` codes it answers. */
export const CONFLICTS: Readonly<Record<string, string[]>> = {
  createPrediction: ['slug-taken'],
  updatePrediction: ['prediction-resolved'],
  overridePrediction: ['prediction-resolved'],
  resolvePrediction: ['prediction-resolved'],
  undoPredictionResolution: ['prediction-not-resolved'],
  recordForecast: ['prediction-resolved'],
  createIndicator: ['slug-taken'],
  recordEvidence: ['prediction-resolved', 'idempotency-key-in-flight'],
  retractEvidence: ['evidence-retracted', 'prediction-resolved'],
  acceptSignal: ['signal-already-accepted', 'signal-already-rejected', 'prediction-resolved'],
  rejectSignal: ['signal-already-accepted', 'signal-already-rejected'],
  createRule: ['rule-name-taken'],
  updateRule: ['rule-name-taken'],
  rerunRule: ['rule-disabled'],
  createSubscriber: ['subscriber-exists'],
  updateSubscriber: ['subscriber-exists'],
  redeliverWebhookDelivery: ['delivery-in-progress'],
  rotateAuditKey: ['signing-key-configured', 'signing-key-changed'],
};

function typeList(codes: string[]): string {
  return codes.map((code) => `\`${problemType(code)}\``).join(', ');
}

function problemResponse(status: number, description: string, codes: string[], example: ProblemResponseSpec['example']): ResponseObject {
  return {
    description: `${description} Problem types: ${typeList(codes)}.`,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: PROBLEM_REF,
        example: { type: problemType(codes[0]!), status, ...example },
      },
    },
  };
}

/** components.responses: one entry per shared problem, referenced by every operation that can give it. */
export function sharedProblemResponses(): Record<string, ResponseObject> {
  return Object.fromEntries(SHARED_PROBLEMS.map((spec) => [spec.name, problemResponse(spec.status, spec.description, spec.codes, spec.example)]));
}

export function sharedProblemRef(status: 400 | 401 | 403 | 404 | 413 | 415 | 500): ReferenceObject {
  return { $ref: `#/components/responses/${SHARED_PROBLEMS.find((spec) => spec.status === status)!.name}` };
}

export function conflictResponse(codes: string[]): ResponseObject {
  return problemResponse(409, 'The request conflicts with the current state of the resource.', codes, {
    title: 'Prediction "deepseek-blacklisted-12m" is already resolved true',
    detail: 'Prediction "deepseek-blacklisted-12m" is already resolved true',
    errors: [{ field: 'impacts[0].prediction', message: 'Prediction "deepseek-blacklisted-12m" is already resolved true' }],
  });
}
