import 'reflect-metadata';

import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsOptional, ValidateNested } from 'class-validator';

import { nestedShapeErrors } from './nested-shape.js';

class Point {
  @IsNumber() x!: number;
}

class Shape {
  @IsOptional() @ValidateNested() @Type(() => Point) centre?: Point;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => Point) corners?: Point[];
}

const shape = (fields: Record<string, unknown>): Shape => Object.assign(new Shape(), fields);

/** Each error's place as the problem document names it: property, then its children's. */
const places = (errors: ReturnType<typeof nestedShapeErrors>): string[] =>
  errors.flatMap((error) => (error.children?.length ? places(error.children).map((child) => `${error.property}.${child}`) : [`${error.property}: ${Object.values(error.constraints ?? {}).join()}`]));

describe('nestedShapeErrors', () => {
  it('passes objects where a nested DTO is expected, and values left out', () => {
    expect(nestedShapeErrors(shape({ centre: Object.assign(new Point(), { x: 1 }), corners: [Object.assign(new Point(), { x: 2 })] }))).toEqual([]);
    expect(nestedShapeErrors(shape({}))).toEqual([]);
  });

  it('names an array or a scalar given for a nested object, and each such element of a nested array', () => {
    expect(places(nestedShapeErrors(shape({ centre: [] })))).toEqual(['centre: centre must be an object']);
    expect(places(nestedShapeErrors(shape({ centre: 3 })))).toEqual(['centre: centre must be an object']);
    expect(places(nestedShapeErrors(shape({ corners: [Object.assign(new Point(), { x: 1 }), [], 'a'] })))).toEqual([
      'corners.1: corners[1] must be an object',
      'corners.2: corners[2] must be an object',
    ]);
  });

  it('leaves alone what is not a DTO: a plain object and a null-prototype query object', () => {
    expect(nestedShapeErrors({ centre: [] })).toEqual([]);
    const query = Object.assign(Object.create(null) as Record<string, unknown>, { 'hub.mode': 'subscribe' });
    expect(nestedShapeErrors(query)).toEqual([]);
    expect(nestedShapeErrors([shape({ centre: [] })])).toEqual([]);
  });
});
