/**
 * Checks on what a client sends, before anything is parsed further or stored:
 * PostgreSQL cannot store a NUL character in text, and a lone UTF-16
 * surrogate is silently replaced by U+FFFD on its way to the database, so a
 * hash computed over the string as received would not match what is kept.
 * Both are refused at the edge rather than altered.
 */

/** Matches a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text from elsewhere (a feed) made storable the way PostgreSQL would keep it:
 * NUL removed, each lone surrogate replaced by U+FFFD. What is hashed or
 * compared afterwards is then exactly what is stored.
 */
export function toStorableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/** Why a string cannot be stored as it is, or null when it can. */
export function unstorableTextReason(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (it holds a lone UTF-16 surrogate)';
  return null;
}

export interface UnstorableText {
  /** Where, as the client wrote it: `title`, `impacts[0].prediction`, or the key itself for a bad key. */
  field: string;
  message: string;
}

/**
 * The first string (value or key) in a parsed JSON value that cannot be
 * stored as it is. Walks iteratively, so a deep document cannot overflow the
 * stack; the parser has already bounded its depth.
 */
export function findUnstorableText(value: unknown, root = ''): UnstorableText | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: root }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableTextReason(current);
      if (reason) return { field: path || 'body', message: `${path || 'body'} ${reason}` };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push({ value: current[index], path: `${path}[${index}]` });
    } else if (typeof current === 'object' && current !== null) {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const childPath = path ? `${path}.${key}` : key;
        const keyReason = unstorableTextReason(key);
        if (keyReason) return { field: childPath, message: `The key ${JSON.stringify(childPath)} ${keyReason}` };
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return null;
}

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by
 * one pass over the characters (strings skipped, escapes honoured) before
 * JSON.parse builds anything: a 2 MB body of a million `[` costs a
 * millisecond here instead of a blocked event loop and a stack overflow later.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c /* \ */) index += 1;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) depth -= 1;
  }
  return false;
}
