import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * An XML feed document made into a tree that the format readers can walk
 * without caring how the document spelled its namespaces: every element is
 * named by a canonical prefix for the namespaces feeds use (`dc:date`,
 * `atom:link`, `content:encoded`; RSS's own namespaces and no namespace give
 * the bare name), lower-cased. Text-bearing elements are kept as raw inner
 * XML, so their markup and CDATA are read by the text rules, not lost.
 *
 * Safe by construction: no external entity is ever fetched or expanded,
 * entities declared in the document's own DOCTYPE are expanded within a
 * small budget, nesting is capped, and the caller caps the size.
 */

export class FeedDocumentError extends Error {
  override name = 'FeedDocumentError';
}

/** An element: a string when it holds only text, else its children by name (an array when repeated), attributes as `@name`, text as `#text`. */
export type XmlElement = string | { [name: string]: XmlValue };
export type XmlValue = XmlElement | XmlElement[];

export const XML_LIMITS = { maxDepth: 64, maxEntityDeclarations: 64, maxEntityExpansionChars: 64 * 1024 } as const;

/** Namespace URI -> canonical prefix ('' for RSS's own namespaces). Trailing slashes and `#` are not significant when matching. */
const CANONICAL_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['http://purl.org/rss/1.0', ''],
  ['http://my.netscape.com/rdf/simple/0.9', ''],
  ['http://channel.netscape.com/rdf/simple/0.9', ''],
  ['http://backend.userland.com/rss2', ''],
  ['http://backend.userland.com/rss', ''],
  ['http://blogs.law.harvard.edu/tech/rss', ''],
  ['http://purl.org/net/rss1.1', ''],
  ['http://www.w3.org/2005/atom', 'atom'],
  ['http://purl.org/atom/ns', 'atom'],
  ['http://purl.org/dc/elements/1.1', 'dc'],
  ['http://purl.org/dc/terms', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/content', 'content'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://www.w3.org/1999/xhtml', 'xhtml'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns', 'rdf'],
  ['http://www.w3.org/xml/1998/namespace', 'xml'],
]);

/** Elements whose content is text (or HTML, XHTML, base64): kept raw, whatever their children. */
const TEXT_ELEMENTS = [
  'title', 'description', 'summary', 'content', 'body', 'fullitem', 'abstract', 'subtitle', 'tagline', 'info',
  'atom:title', 'atom:summary', 'atom:content', 'atom:subtitle', 'atom:tagline', 'atom:info',
  'content:encoded', 'xhtml:body', 'xhtml:div', 'dc:title', 'dc:description', 'dcterms:abstract',
  'media:title', 'media:description', 'itunes:summary', 'itunes:subtitle',
];

/**
 * The namespace context of the document being parsed, read by the parser's
 * tag-name hook. Parsing is synchronous, so one document at a time uses it.
 */
let currentNames = new Map<string, string>();

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: XML_LIMITS.maxDepth,
  // No path strings built for callbacks that do not use them.
  jPath: false,
  stopNodes: TEXT_ELEMENTS.map((name) => `*.${name}`),
  transformTagName: (name: string) => currentNames.get(name) ?? canonicalName(name),
  transformAttributeName: (name: string) => name.toLowerCase(),
});

/**
 * The document's root element as a tree, with its canonical name, and the
 * document itself, whose children are the root and any element written after
 * it (an `<item>` after `</rss>`, which lenient readers keep). Throws a
 * FeedDocumentError naming the cause when it cannot be read.
 */
export function readXmlDocument(text: string): { rootName: string; root: XmlElement; document: XmlElement } {
  const prepared = expandDeclaredEntities(text);
  currentNames = namespaceNames(prepared);
  let tree: Record<string, XmlValue>;
  try {
    tree = parser.parse(prepared) as Record<string, XmlValue>;
  } catch (error) {
    throw new FeedDocumentError(wellFormednessCause(prepared, error as Error));
  } finally {
    currentNames = new Map();
  }
  for (const [name, value] of Object.entries(tree)) {
    if (name.startsWith('#') || name.startsWith('@') || name === '?xml') continue;
    if (!closesRoot(prepared)) throw new FeedDocumentError(wellFormednessCause(prepared, new Error(`the root element <${name}> is never closed (a truncated document?)`)));
    return { rootName: name, root: Array.isArray(value) ? (value[0] ?? '') : value, document: tree };
  }
  throw new FeedDocumentError(prepared.trim() ? 'The document holds no XML element' : 'The document is empty');
}

/**
 * The parser forgives unclosed elements; a document whose root is never
 * closed is a truncated download, whose last item would be stored cut short,
 * so it is refused (a later fetch will bring it whole).
 */
function closesRoot(text: string): boolean {
  const root = rootStartTag(text);
  if (!root || root.tag.endsWith('/>')) return true;
  const name = /^<([^\s/>]+)/.exec(root.tag)?.[1] ?? '';
  return text.lastIndexOf(`</${name}`) > root.index;
}

/** The root element's start tag, past the prolog's comments, processing instructions and declarations. */
function rootStartTag(text: string): { tag: string; index: number } | null {
  let index = text.indexOf('<');
  while (index !== -1) {
    const next = text.charAt(index + 1);
    if (text.startsWith('<!--', index)) index = text.indexOf('-->', index + 4);
    else if (next === '?' || next === '!') index = text.indexOf('>', index + 2);
    else {
      const end = text.indexOf('>', index);
      return end === -1 ? null : { tag: text.slice(index, end + 1), index };
    }
    if (index === -1) return null;
    index = text.indexOf('<', index);
  }
  return null;
}

/** Why the parser gave up, with a line number from a validating pass (run only on failure, so a good document pays nothing for it). */
function wellFormednessCause(text: string, error: Error): string {
  if (/nested tags/i.test(error.message)) return `The document nests elements too deeply (more than ${XML_LIMITS.maxDepth} levels)`;
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (validation !== true) return `The document is not well-formed XML: ${validation.err.msg.replace(/\.$/, '')} at line ${validation.err.line}`;
  return `The document is not well-formed XML: ${error.message.replace(/\.$/, '')}`;
}

let defaultPrefix = '';
const declaredPrefixes = new Map<string, string>();

/** Each prefix the document declares, mapped to its canonical prefix; the default namespace is the root element's. Returns a fresh cache of element names. */
function namespaceNames(text: string): Map<string, string> {
  declaredPrefixes.clear();
  // A plain search first: a document that declares no prefix (many RSS feeds) is not scanned with the pattern, and one that does is scanned from its first declaration.
  const first = text.indexOf('xmlns:');
  const declarations = /\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2/g;
  declarations.lastIndex = Math.max(0, first - 1);
  for (const match of first === -1 ? [] : text.matchAll(declarations)) {
    const [, prefix = '', , uri = ''] = match;
    const key = prefix.toLowerCase();
    if (!declaredPrefixes.has(key)) declaredPrefixes.set(key, canonicalPrefix(uri) ?? key);
  }
  const rootTag = rootStartTag(text)?.tag ?? '';
  const rootDefault = /\sxmlns\s*=\s*(["'])(.*?)\1/.exec(rootTag)?.[2];
  const canonical = rootDefault === undefined ? '' : canonicalPrefix(rootDefault);
  defaultPrefix = canonical === undefined || canonical === 'xhtml' ? '' : canonical;
  return new Map();
}

function canonicalPrefix(uri: string): string | undefined {
  return CANONICAL_PREFIXES.get(
    uri
      .trim()
      .toLowerCase()
      .replace(/^https:/, 'http:')
      .replace(/[/#]+$/, ''),
  );
}

function canonicalName(name: string): string {
  const colon = name.indexOf(':');
  let canonical: string;
  if (colon === -1) {
    const local = name.toLowerCase();
    canonical = defaultPrefix ? `${defaultPrefix}:${local}` : local;
  } else {
    const prefix = name.slice(0, colon).toLowerCase();
    const local = name.slice(colon + 1).toLowerCase();
    const mapped = declaredPrefixes.get(prefix) ?? prefix;
    canonical = mapped ? `${mapped}:${local}` : local;
  }
  currentNames.set(name, canonical);
  return canonical;
}

/**
 * Removes the DOCTYPE (keeping line numbers) and expands the internal
 * entities it declares, as XML requires, within a small budget (a "billion
 * laughs" document is refused, not expanded). An external entity is never
 * fetched: a document that uses one is refused with that reason.
 */
export function expandDeclaredEntities(text: string): string {
  // A DOCTYPE after the root element's start is not one: only the prolog is searched, not the whole document.
  const root = text.search(/<[A-Za-z_]/);
  const start = (root === -1 ? text : text.slice(0, root)).search(/<!DOCTYPE\b/i);
  if (start === -1) return text;
  const end = doctypeEnd(text, start);
  const doctype = text.slice(start, end);
  const body = text.slice(end);
  const blanked = text.slice(0, start) + doctype.replace(/[^\n]/g, '') + body;
  const subset = /\[([\s\S]*)\]/.exec(doctype)?.[1];
  if (!subset) return blanked;
  const internal = new Map<string, string>();
  const external = new Set<string>();
  let count = 0;
  for (const match of subset.matchAll(/<!ENTITY\s+(%\s+)?([A-Za-z_][\w.-]*)\s+(?:(["'])([\s\S]*?)\3|(SYSTEM|PUBLIC)\b[^>]*)\s*>/gi)) {
    const [, parameter, name = '', , value, externalKind] = match;
    if (parameter) continue;
    if ((count += 1) > XML_LIMITS.maxEntityDeclarations) throw new FeedDocumentError(`The document declares more than ${XML_LIMITS.maxEntityDeclarations} entities`);
    if (externalKind) external.add(name);
    else if (!internal.has(name)) internal.set(name, value ?? '');
  }
  if (internal.size === 0 && external.size === 0) return blanked;
  let budget: number = XML_LIMITS.maxEntityExpansionChars;
  const expand = (value: string, depth: number): string =>
    value.replace(/&([A-Za-z_][\w.-]*);/g, (reference, name: string) => {
      if (external.has(name)) throw new FeedDocumentError(`The document uses the external entity "${name}", which is refused`);
      const replacement = internal.get(name);
      if (replacement === undefined) return reference;
      if (depth >= 4) throw new FeedDocumentError(`The document's entities nest more than 4 deep ("${name}"), which is refused`);
      const expanded = expand(replacement, depth + 1);
      budget -= expanded.length;
      if (budget < 0) throw new FeedDocumentError(`The document's entities expand beyond ${XML_LIMITS.maxEntityExpansionChars} characters`);
      return expanded;
    });
  return text.slice(0, start) + doctype.replace(/[^\n]/g, '') + expand(body, 0);
}

function doctypeEnd(text: string, start: number): number {
  const bracket = text.indexOf('[', start);
  const close = text.indexOf('>', start);
  if (close === -1) throw new FeedDocumentError('The document is not well-formed XML: the DOCTYPE is not closed');
  if (bracket === -1 || bracket > close) return close + 1;
  const subsetEnd = text.indexOf(']', bracket);
  const after = subsetEnd === -1 ? -1 : text.indexOf('>', subsetEnd);
  if (after === -1) throw new FeedDocumentError('The document is not well-formed XML: the DOCTYPE is not closed');
  return after + 1;
}

/** The children of an element named `name`, in document order. */
export function childrenOf(element: XmlElement | undefined, name: string): XmlElement[] {
  if (element === undefined || typeof element === 'string') return [];
  const value = element[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function firstChild(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (element === undefined || typeof element === 'string') return undefined;
  const value = element[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An attribute's raw value (entities still encoded), or undefined. */
export function attributeOf(element: XmlElement | undefined, name: string): string | undefined {
  if (element === undefined || typeof element === 'string') return undefined;
  const value = element[`@${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The raw inner XML of a text element (or the text of any element). */
export function rawTextOf(element: XmlElement | undefined): string {
  if (element === undefined) return '';
  if (typeof element === 'string') return element;
  const text = element['#text'];
  if (typeof text === 'string') return text;
  return Array.isArray(text) ? text.filter((part): part is string => typeof part === 'string').join('') : '';
}
