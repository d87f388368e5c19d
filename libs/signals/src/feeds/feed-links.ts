import { decodeHTML } from 'entities';

/**
 * Links in feeds are resolved as XML Base (RFC 3986 with `xml:base`) says:
 * against the nearest `xml:base` in scope, which is itself resolved against
 * its parent's, up to the document's own address (its Content-Location when
 * the server sent one, else the URL it was fetched from).
 */

/** The document's base: Content-Location (itself relative to the fetched URL) when present and usable, else the fetched URL. */
export function documentBase(fetchedUrl: string, contentLocation?: string | null): string {
  if (!contentLocation?.trim()) return fetchedUrl;
  try {
    return new URL(contentLocation.trim(), fetchedUrl).toString();
  } catch {
    return fetchedUrl;
  }
}

/** The base in scope inside an element carrying `xmlBase` (raw attribute value), given its parent's. */
export function nestedBase(parentBase: string, xmlBase: string | undefined): string {
  if (xmlBase === undefined) return parentBase;
  const value = xmlBase.indexOf('&') === -1 ? xmlBase.trim() : decodeHTML(xmlBase).trim();
  if (!value) return parentBase;
  try {
    return new URL(value, parentBase).toString();
  } catch {
    return parentBase;
  }
}

/** An absolute http(s) link, resolved against `base`; null when there is none or it is unusable. */
export function absoluteLink(link: string, base: string): string | null {
  const trimmed = link.trim();
  if (!trimmed) return null;
  const resolved = alreadyNormalLink(trimmed, base);
  if (resolved !== null) return resolved;
  try {
    // An absolute link needs no base parsed.
    const url = /^https?:\/\//i.test(trimmed) ? new URL(trimmed) : new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * The characters a URL's path, query and fragment keep exactly as written
 * (the WHATWG URL parser neither escapes nor rewrites them); anything else
 * (`%`, `\`, spaces, quotes, non-ASCII, ...) is left to the parser.
 */
const VERBATIM_URL_REST = /^[A-Za-z0-9\-._~!$&()*+,;=:@/?#]*$/;

/**
 * An http(s) URL whose scheme and host the parser keeps as written:
 * lower-case, no user, no port, a host of plain ASCII labels whose last label
 * starts with a letter (one ending in a digit is read as an IPv4 address),
 * followed by a path.
 */
const VERBATIM_ABSOLUTE = /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\//;

/**
 * A link that `new URL` would return unchanged, or resolve by plain
 * concatenation with its base, resolved without parsing: the link of every
 * item goes through here, and parsing a URL (and, for a relative link, its
 * base again for each item) was a large part of normalising an item. Null
 * means "not that simple", for the general path to decide; the fast answer is
 * pinned to `new URL`'s by a property test.
 *
 * Taken fast: absolute http(s) links of the shape above, and links relative
 * to an http(s) base that start with a path segment or `/` (not `//`).
 * Never taken: anything with a dot segment (`/.` anywhere, or a leading
 * `.`), a percent escape, a character the parser would escape, IDNA
 * (`xn--`) labels, a port, a scheme-like first segment (`mailto:`).
 */
export function alreadyNormalLink(link: string, base: string): string | null {
  if (link.includes('/.') || link.charCodeAt(0) === 46 /* . */ || !VERBATIM_URL_REST.test(link)) return null;
  if (link.startsWith('http')) {
    const host = VERBATIM_ABSOLUTE.exec(link);
    if (host !== null) return host[0].includes('xn--') ? null : link;
  }
  const first = link.charCodeAt(0);
  if (first === 35 /* # */ || first === 63 /* ? */) return null;
  const parts = httpBaseParts(base);
  if (parts === null) return null;
  if (first === 47 /* / */) return link.charCodeAt(1) === 47 ? null : parts.origin + link;
  // A relative path, unless its first segment names a scheme (`mailto:x`, `http:x`).
  const colon = link.indexOf(':');
  if (colon !== -1 && !/[/?#]/.test(link.slice(0, colon))) return null;
  return parts.directory + link;
}

interface HttpBaseParts {
  /** Scheme, user and host: what an absolute path is appended to. */
  origin: string;
  /** The base up to the last `/` of its path: what a relative path is appended to. */
  directory: string;
}

/**
 * The last base parsed, and its parts: a document's items almost always
 * share one base, which was parsed again for every relative link. A memo of
 * a pure function, so no caller can tell it is there.
 */
let lastBase: { base: string; parts: HttpBaseParts | null } = { base: '', parts: null };

function httpBaseParts(base: string): HttpBaseParts | null {
  if (lastBase.base !== base) lastBase = { base, parts: readHttpBase(base) };
  return lastBase.parts;
}

function readHttpBase(base: string): HttpBaseParts | null {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const user = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const origin = `${url.protocol}//${user}${url.host}`;
  return { origin, directory: origin + url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1) };
}
