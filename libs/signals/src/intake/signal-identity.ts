import { createHash } from 'node:crypto';

/** The source URLs the evidence engine accepts: absolute http(s), no whitespace. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\/\S+$/i.test(url);
}

/** The form of a link two submissions of the same article agree on: one function for items and evidence, in #core. */
export { canonicalUrl } from '#core';

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

/** The site a link is on (host without www.): names the source of an item submitted by hand. */
export function siteOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./u, '');
  } catch {
    return null;
  }
}
