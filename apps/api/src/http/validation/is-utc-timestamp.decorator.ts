import { isISO8601, ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * A date and time with its UTC offset: `Z` or `±hh:mm` (also `±hhmm`, `±hh`). Without
 * one, `new Date()` reads the time in the server's local time zone, so the same request
 * would mean different instants on differently configured machines.
 */
export const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** A date and time that would be a UTC timestamp but for its missing offset. */
const WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;

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
        defaultMessage: (args?: ValidationArguments) => {
          const property = args?.property ?? 'value';
          const value: unknown = args?.value;
          // The likely mistake: a local time. Say what is missing and what to send.
          if (typeof value === 'string' && WITHOUT_OFFSET.test(value)) {
            return `${property} has no UTC offset, so its time zone is unknown: send ${value}Z if it is UTC, or add the offset (${value}+02:00)`;
          }
          if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
            return `${property} has a date but no time and UTC offset: send ${value}T00:00:00Z for midnight UTC`;
          }
          return `${property} must be an ISO 8601 date and time with a UTC offset (Z or ±hh:mm), e.g. 2026-11-20T09:30:00Z`;
        },
      },
    },
    options,
  );
}
