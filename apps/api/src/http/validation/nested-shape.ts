import { getMetadataStorage, type ValidationError } from 'class-validator';

/**
 * What class-validator lets through for a nested DTO (`@ValidateNested`): an
 * array where an object is expected is validated element by element, so `[]`
 * and `[[]]` pass as "an impact" and reach the service as arrays. Every value
 * a nested rule covers must be an object (each element of it, for `each`); the
 * errors name the place, as class-validator names the rest.
 */
export function nestedShapeErrors(instance: unknown): ValidationError[] {
  if (typeof instance !== 'object' || instance === null || Array.isArray(instance)) return [];
  // Only DTO instances carry rules; a plain or null-prototype object (a raw query a route reads itself) has none.
  const target: unknown = instance.constructor;
  if (typeof target !== 'function' || target === Object) return [];
  const rules = getMetadataStorage()
    .getTargetValidationMetadatas(target, '', true, false)
    .filter((rule) => rule.type === 'nestedValidation');
  const errors: ValidationError[] = [];
  for (const rule of rules) {
    const value = (instance as Record<string, unknown>)[rule.propertyName];
    if (value === undefined || value === null) continue;
    if (rule.each) {
      // Not an array at all: @IsArray says so.
      if (!Array.isArray(value)) continue;
      const children = value.flatMap((item: unknown, index) => shapeError(item, String(index), `${rule.propertyName}[${index}]`));
      if (children.length > 0) errors.push({ property: rule.propertyName, value, constraints: {}, children });
    } else errors.push(...shapeError(value, rule.propertyName, rule.propertyName));
  }
  return errors;
}

function shapeError(value: unknown, property: string, field: string): ValidationError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ property, value, constraints: { isObject: `${field} must be an object` }, children: [] }];
  }
  const children = nestedShapeErrors(value);
  return children.length > 0 ? [{ property, value, constraints: {}, children }] : [];
}
