import { randomUUID } from 'node:crypto';

import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';

import { DomainError, type DomainErrorKind } from '#core';

import { isDatabaseUnavailable } from './database-unavailable.js';
import { PROBLEM_CONTENT_TYPE, problemType, type ProblemDetails } from './problem-details.js';
import { RequestValidationError } from '../validation/request-validation.error.js';

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unsupported_media_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
};

/** Maps everything thrown while serving a request to problem+json. Unknown errors become a 500 with an errorId in the log. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    problem.instance = request.originalUrl;
    const requestId = (request as Request & { id?: unknown }).id;
    if (typeof requestId === 'string') problem.requestId = requestId;
    if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="bellwether"');
    if (problem.type === problemType('database-unavailable')) response.setHeader('Retry-After', '5');
    if (response.headersSent) return;
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  /** Also used by the web app's error page, so both say the same thing about the same error. */
  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof RequestValidationError) {
      const fields = exception.fields;
      return {
        type: problemType('validation-failed'),
        title: 'The request is not valid',
        status: HttpStatus.BAD_REQUEST,
        detail: fields.map((field) => field.message).join('; '),
        errors: fields,
      };
    }
    if (exception instanceof DomainError) {
      return {
        type: problemType(exception.code),
        title: exception.message,
        status: STATUS_OF_KIND[exception.kind],
        detail: exception.message,
        ...(exception.field ? { errors: [{ field: exception.field, message: exception.message }] } : {}),
      };
    }
    // Nest wraps body-parser's errors (malformed JSON, too large) in an HttpException; unwrap them.
    const bodyError = isBodyParserError(exception) ? exception : exception instanceof HttpException && isBodyParserError(exception.cause) ? exception.cause : null;
    if (bodyError) {
      const tooLarge = bodyError.type === 'entity.too.large';
      const tooDeep = bodyError.type === 'entity.too.deep';
      return {
        type: problemType(tooLarge ? 'payload-too-large' : tooDeep ? 'body-too-deep' : 'malformed-body'),
        title: tooLarge ? 'The request body is too large' : tooDeep ? 'The request body nests too deeply' : 'The request body is not valid JSON',
        status: bodyError.status,
        detail: bodyError.message,
        errors: [{ field: 'body', message: bodyError.message }],
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const detail = typeof message === 'string' ? message : exception.message;
      // A failed health check (terminus) names each check and its state: keep that, as an extension member.
      const checks = typeof body === 'object' ? (body as { details?: unknown }).details : undefined;
      // The router refuses a path segment it cannot percent-decode before any of our code runs.
      const errors = status === 400 && /decode param/i.test(detail) ? [{ field: 'path', message: detail }] : undefined;
      return { type: problemType(httpCode(status)), title: httpTitle(status), status, detail, ...(errors ? { errors } : {}), ...(checks ? { checks } : {}) };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception }, 'The database is unreachable');
      return {
        type: problemType('database-unavailable'),
        title: 'The database is unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: 'The database cannot be reached right now, so the request was not carried out. Retry shortly (with the same Idempotency-Key, if you sent one).',
      };
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, 'Unhandled error while serving a request');
    return {
      type: problemType('internal-error'),
      title: 'Something went wrong on our side',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: `Quote errorId ${errorId} when reporting this.`,
      errorId,
    };
  }
}

function httpTitle(status: number): string {
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status];
  return name ? name.replaceAll('_', ' ').toLowerCase() : 'error';
}

function httpCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 413:
      return 'payload-too-large';
    case 429:
      return 'too-many-requests';
    default:
      return `http-${status}`;
  }
}

/** body-parser's errors carry `type` and a 4xx `status`; Nest lets them through unwrapped. */
function isBodyParserError(error: unknown): error is { type: string; status: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number' &&
    (error as { status: number }).status >= 400 &&
    (error as { status: number }).status < 500
  );
}
