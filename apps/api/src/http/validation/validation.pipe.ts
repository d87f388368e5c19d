import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';

import { nestedShapeErrors } from './nested-shape.js';
import { RequestValidationError } from './request-validation.error.js';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

/** The pipe, and then the shape of nested DTOs, which class-validator does not check (nested-shape.ts). */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const transformed: unknown = await super.transform(value, metadata);
    const errors = nestedShapeErrors(transformed);
    if (errors.length > 0) throw new RequestValidationError(errors);
    return transformed;
  }
}

/** Every body, query and path parameter is validated against its DTO; unknown fields are refused. */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The value lets a missing or wrong-typed field be answered with one message; it goes no further than the error's messages.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => new RequestValidationError(errors),
  });
}
