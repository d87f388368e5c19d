import type { ValidationError } from 'class-validator';

/** Raised by the global ValidationPipe; carries every offending field by its path in the request. */
export class RequestValidationError extends Error {
  readonly fields: { field: string; message: string }[];

  constructor(errors: ValidationError[]) {
    super('The request is not valid');
    this.fields = flatten(errors, '');
  }
}

/**
 * Rules that say what type a value must have. When one fails, the value's other rules (its length,
 * its range, how many elements) say nothing true about it: the type's message stands alone.
 */
const TYPE_RULES = new Set(['isArray', 'isString', 'isNumber', 'isInt', 'isBoolean', 'isObject', 'nestedValidation']);

function flatten(errors: ValidationError[], parent: string): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = fieldMessages(error).map((message) => ({ field, message: withField(message, error.property, field) }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * One message for a missing value ("impacts is required") or one of the wrong type ("impacts must
 * be an array"), rather than every rule the value fails; every message for a value of the right
 * type that breaks its rules.
 */
function fieldMessages(error: ValidationError): string[] {
  const constraints = Object.entries(error.constraints ?? {});
  if (constraints.length === 0) return [];
  if (error.value === undefined) return [`${error.property} is required`];
  if (error.value === null) return [`${error.property} must not be null`];
  const typeRule = constraints.find(([rule]) => TYPE_RULES.has(rule));
  if (typeRule) return [typeRule[1]];
  return constraints.map(([, message]) => message);
}

/** class-validator names the bare property; name the full path instead so nested fields are unambiguous. */
function withField(message: string, property: string, field: string): string {
  return message.startsWith(property) ? field + message.slice(property.length) : message;
}
