import { createHash } from 'node:crypto';

/** The source URLs the evidence engine accepts: absolute http(s), no whitespace. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\/\S+$/i.test(url);
}

/** Query parameters that only say how someone arrived at a page, never which page it is. */
const TRACKING_PARAMETER = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref_src)$/i;

/**
 * The form of a link two submissions of the same article agree on: http(s)
 * only, no fragment, no tracking parameters, the remaining parameters sorted.
 * Host case and default ports are already normalised by the URL parser.
 * Returns null for anything that is not an absolute http(s) URL.
 */
export function canonicalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([name]) => !TRACKING_PARAMETER.test(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  return url.toString();
}

/**
 * sha256 of the item's text with case and whitespace normalised, so the same
 * headline re-wrapped or re-cased is recognised as the same item.
 */
export function signalContentHash(item: { title: string; summary?: string | null }): string {
  const normalise = (text: string): string => text.normalize('NFKC').toLocaleLowerCase('en').replace(/\s+/gu, ' ').trim();
  return createHash('sha256')
    .update(`${normalise(item.title)}\n${normalise(item.summary ?? '')}`, 'utf8')
    .digest('hex');
}
