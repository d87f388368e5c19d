import type { ValidationError } from 'class-validator';

/** Raised by the global ValidationPipe; carries every offending field by its path in the request. */
export class RequestValidationError extends Error {
  readonly fields: { field: string; message: string }[];

  constructor(errors: ValidationError[]) {
    super('The request is not valid');
    this.fields = flatten(errors, '');
  }
}

function flatten(errors: ValidationError[], parent: string): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: withField(message, error.property, field) }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator names the bare property; name the full path instead so nested fields are unambiguous. */
function withField(message: string, property: string, field: string): string {
  return message.startsWith(property) ? field + message.slice(property.length) : message;
}
