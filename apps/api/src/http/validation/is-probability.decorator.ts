import { registerDecorator, type ValidationArguments } from 'class-validator';

import { isAcceptedProbability, MAX_PROBABILITY, MIN_PROBABILITY } from '#core';

/**
 * A probability the engine accepts: a number within [MIN_PROBABILITY,
 * MAX_PROBABILITY]. A value such as 60 is most likely a percentage, and the
 * message says what to send instead.
 */
export function IsProbability(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isProbability',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: (args: ValidationArguments) => {
          const value: unknown = args.value;
          const range = `$property must be a probability within ${MIN_PROBABILITY}..${MAX_PROBABILITY}`;
          if (typeof value === 'number' && value > 1 && value < 100) return `${range}; ${value} looks like a percentage: send ${value / 100}`;
          return range;
        },
      },
      validator: { validate: (value: unknown) => typeof value === 'number' && isAcceptedProbability(value) },
    });
  };
}
