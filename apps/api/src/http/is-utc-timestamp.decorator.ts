import { isISO8601, ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * A date and time with its UTC offset: `Z` or `±hh:mm` (also `±hhmm`, `±hh`). Without
 * one, `new Date()` reads the time in the server's local time zone, so the same request
 * would mean different instants on differently configured machines.
 */
export const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function isUtcTimestamp(value: unknown): value is string {
  return typeof value === 'string' && UTC_TIMESTAMP.test(value) && isISO8601(value, { strict: true, strictSeparator: true });
}

/** Every timestamp the API takes: strict ISO 8601 with a time and an explicit UTC offset; a 400 names the field otherwise. */
export function IsUtcTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUtcTimestamp',
      validator: {
        validate: (value: unknown) => isUtcTimestamp(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be an ISO 8601 date and time with a UTC offset (Z or ±hh:mm), e.g. 2026-11-20T09:30:00Z`,
      },
    },
    options,
  );
}
