import { ValidateIf } from 'class-validator';

/**
 * A field a request may leave out but not set to null: unlike @IsOptional,
 * which skips validation for null too, only `undefined` skips the field's
 * other rules. For PATCH fields whose column cannot be empty.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((object: object, value: unknown) => value !== undefined);
}
