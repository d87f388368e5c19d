import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';

/** How predictions and indicators are addressed in URLs: lower-case words joined by hyphens, at most 100 characters. */
export function IsSlug(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: '$property must be lower-case words joined by hyphens' }), MaxLength(100));
}
