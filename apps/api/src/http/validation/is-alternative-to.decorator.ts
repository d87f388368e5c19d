import { registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * A field that stands instead of others: given together with any of them, the
 * request is refused naming this field (an impact gives a likelihood ratio or a
 * direction with a strength, never both).
 */
export function IsAlternativeTo(others: readonly string[]): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isAlternativeTo',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [...others],
      options: { message: `$property and ${others.join('/')} are alternatives; give one` },
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined || others.every((other) => (args.object as Record<string, unknown>)[other] === undefined),
      },
    });
  };
}
