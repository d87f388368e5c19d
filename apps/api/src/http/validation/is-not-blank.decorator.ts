import { Matches } from 'class-validator';

/** Text that says something: not empty, not only white space. */
export function IsNotBlank(): PropertyDecorator {
  return Matches(/\S/, { message: '$property must not be blank' });
}
