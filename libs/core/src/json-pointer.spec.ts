import { JsonPointerError, parseJsonPointer, resolveJsonPointer } from './json-pointer.js';

// The examples of RFC 6901 section 5.
const RFC_DOCUMENT = { foo: ['bar', 'baz'], '': 0, 'a/b': 1, 'c%d': 2, 'e^f': 3, 'g|h': 4, 'i\\j': 5, 'k"l': 6, ' ': 7, 'm~n': 8 };

describe('JSON Pointer (RFC 6901)', () => {
  it.each([
    ['', RFC_DOCUMENT],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ])('resolves %j', (pointer, expected) => {
    expect(resolveJsonPointer(RFC_DOCUMENT, pointer)).toEqual(expected);
  });

  it('decodes ~01 as ~1, not as /', () => {
    expect(parseJsonPointer('/~01')).toEqual(['~1']);
  });

  it.each(['foo', '/bad~2', '/x~'])('rejects the syntax of %j', (pointer) => {
    expect(() => parseJsonPointer(pointer)).toThrow(JsonPointerError);
  });

  it.each([['/foo/2'], ['/foo/01'], ['/foo/-'], ['/missing'], ['/foo/0/deeper'], ['/constructor']])('finds nothing at %s', (pointer) => {
    expect(() => resolveJsonPointer(RFC_DOCUMENT, pointer)).toThrow(JsonPointerError);
  });
});
