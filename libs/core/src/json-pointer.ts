/**
 * RFC 6901 JSON Pointers: `""` is the whole document, `/a/0/b` walks object
 * members and array indexes, `~1` stands for `/` and `~0` for `~`.
 */
export class JsonPointerError extends Error {
  override name = 'JsonPointerError';
}

/** The reference tokens of a pointer; throws when it is not valid RFC 6901 syntax. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPointerError('A JSON Pointer is empty or starts with "/"');
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) throw new JsonPointerError(`"~" must be followed by 0 or 1 (in "${token}")`);
      // ~1 first, then ~0, so "~01" decodes to "~1" and not to "/".
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** The value a pointer designates; throws, naming the token, when the document has no such value. */
export function resolveJsonPointer(document: unknown, pointer: string): unknown {
  let current = document;
  const walked: string[] = [];
  for (const token of parseJsonPointer(pointer)) {
    walked.push(token);
    const where = `/${walked.join('/')}`;
    if (Array.isArray(current)) {
      // RFC 6901 array indexes: "0" or digits without a leading zero; "-" names no element.
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= current.length) {
        throw new JsonPointerError(`${where}: no array element "${token}"`);
      }
      current = current[Number(token)];
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      throw new JsonPointerError(`${where}: no such member`);
    }
  }
  return current;
}
