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
  try {
    // An absolute link (most of them) needs no base parsed.
    const url = /^https?:\/\//i.test(trimmed) ? new URL(trimmed) : new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}
