import fc from 'fast-check';

import { findUnstorableText, jsonNestingExceeds, toStorableText, unstorableTextReason } from './request-text.js';

describe('unstorableTextReason', () => {
  it('accepts ordinary text, astral characters and surrogate pairs', () => {
    expect(unstorableTextReason('DeepSeek 深度求索 🚀 naïve')).toBeNull();
    expect(unstorableTextReason('\uD83D\uDE80')).toBeNull();
  });

  it('refuses NUL and lone surrogates, high or low, anywhere', () => {
    expect(unstorableTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unstorableTextReason('x \uD800')).toMatch(/surrogate/);
    expect(unstorableTextReason('\uDC00x')).toMatch(/surrogate/);
    expect(unstorableTextReason('\uDE80\uD83D')).toMatch(/surrogate/);
  });

  it('agrees with what survives a round trip through UTF-8, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const survives = Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\u0000');
        expect(unstorableTextReason(text) === null).toBe(survives);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('toStorableText', () => {
  it('is what a UTF-8 round trip keeps, less NUL, and is then storable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const storable = toStorableText(text);
        expect(storable).toBe(Buffer.from(text, 'utf8').toString('utf8').replaceAll('\u0000', ''));
        expect(unstorableTextReason(storable)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('findUnstorableText', () => {
  it('names the field by its path, for values and keys', () => {
    expect(findUnstorableText({ summary: 'ok', impacts: [{ prediction: 'a' }, { prediction: 'b\u0000' }] })).toEqual({
      field: 'impacts[1].prediction',
      message: expect.stringContaining('NUL'),
    });
    expect(findUnstorableText({ reason: 'x \uD800' })?.field).toBe('reason');
    expect(findUnstorableText({ ['k\u0000']: 1 })?.field).toBe('k\u0000');
    expect(findUnstorableText('\uDC00')?.field).toBe('body');
    expect(findUnstorableText({ a: [1, true, null, { b: 'fine' }] })).toBeNull();
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'bad\u0000';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(findUnstorableText(deep)?.message).toMatch(/NUL/);
  });
});

describe('jsonNestingExceeds', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingExceeds('{"a":[[1]]}', 3)).toBe(false);
    expect(jsonNestingExceeds('{"a":[[[1]]]}', 3)).toBe(true);
    expect(jsonNestingExceeds('{"a":"[[[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonNestingExceeds('['.repeat(1_000_000), 32)).toBe(true);
  });

  it('agrees with the depth of any JSON value', () => {
    const depthOf = (value: unknown): number =>
      Array.isArray(value) ? 1 + Math.max(0, ...value.map(depthOf)) : typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, limit) => {
        expect(jsonNestingExceeds(JSON.stringify(value), limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 2000 },
    );
  });
});
