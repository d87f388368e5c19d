import { ValidationPipe } from '@nestjs/common';

import { RequestValidationError } from './request-validation.error.js';
import { cacheValidationMetadata } from './validation-metadata-cache.js';

/** Every body, query and path parameter is validated against its DTO; unknown fields are refused. */
export function createValidationPipe(): ValidationPipe {
  cacheValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(errors),
  });
}
