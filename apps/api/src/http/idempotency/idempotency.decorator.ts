import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';

export const IDEMPOTENT_ROUTE = 'bellwether:idempotent';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The route takes an `Idempotency-Key` header: the same key with the same
 * request within 24 hours answers the first response again and has no second
 * effect (see IdempotencyInterceptor).
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_ROUTE, true),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'A unique value (1 to 255 printable characters, optionally a quoted string) chosen by the client. Repeating the request with the same key within 24 hours answers the first response (with `Idempotent-Replayed: true`) without a second effect.',
    }),
    ApiConflictResponse({ description: 'A request with the same Idempotency-Key is still in flight (`idempotency-key-in-flight`, with Retry-After)' }),
    ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used for a different request (`idempotency-key-reused`)' }),
  );
