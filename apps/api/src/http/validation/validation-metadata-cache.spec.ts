import { getMetadataStorage, IsInt, IsString, Max, MinLength, validate } from 'class-validator';

import { cacheValidationMetadata } from './validation-metadata-cache.js';

class PageBase {
  @IsInt()
  @Max(200)
  limit!: number;
}

class NamedPage extends PageBase {
  @IsString()
  @MinLength(2)
  name!: string;
}

const build = <T extends object>(type: new () => T, values: Record<string, unknown>): T => Object.assign(new type(), values);
const failedProperties = async (object: object): Promise<string[]> => (await validate(object)).map((error) => error.property).sort();

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('validates as before: own and inherited rules, on every call', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await failedProperties(build(NamedPage, { limit: 500, name: 'x' }))).toEqual(['limit', 'name']);
      expect(await failedProperties(build(NamedPage, { limit: 10, name: 'ok' }))).toEqual([]);
      expect(await failedProperties(build(PageBase, { limit: 1.5 }))).toEqual(['limit']);
    }
  });

  it('answers a class and options from the cache after the first lookup', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(NamedPage, '', false, false);
    expect(first).toHaveLength(4);
    expect(storage.getTargetValidationMetadatas(NamedPage, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    // Other options are another answer.
    expect(storage.getTargetValidationMetadatas(NamedPage, '', false, false, ['admin'])).not.toBe(first);
  });

  it('forgets what it knows when a class registers rules later, so that class and its bases validate in full', async () => {
    const before = getMetadataStorage().getTargetValidationMetadatas(PageBase, '', false, false);
    class LateQuery extends PageBase {
      @IsString()
      cursor!: string;
    }
    expect(getMetadataStorage().getTargetValidationMetadatas(PageBase, '', false, false)).not.toBe(before);
    expect(await failedProperties(build(LateQuery, { limit: 999, cursor: 7 }))).toEqual(['cursor', 'limit']);
  });
});
