import { decodeHTML } from 'entities';
import { parseFeed, type AnyFeed } from 'feedsmith';

/** One item of a feed, reduced to what Bellwether keeps: plain text, absolute link, a date or null. */
export interface FeedEntry {
  externalId: string | null;
  url: string | null;
  title: string;
  summary: string | null;
  publishedAt: Date | null;
}

export interface SkippedEntry {
  /** Position of the item in the feed, from 0. */
  index: number;
  reason: string;
}

export interface ParsedFeed {
  format: AnyFeed['format'];
  /** How long the feed asks readers to wait between fetches (RSS `<ttl>`), or null. */
  ttlSeconds: number | null;
  entries: FeedEntry[];
  skipped: SkippedEntry[];
}

/** The document is not a feed Bellwether can read at all (as opposed to single bad items, which are skipped). */
export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

export const FEED_LIMITS = { maxEntries: 1000, maxTitleLength: 500, maxSummaryLength: 4000 } as const;

/** Structure the item mapping reads; every field optional, since real feeds omit anything. */
interface RawEntry {
  externalId?: string | undefined;
  link?: string | undefined;
  title?: string | undefined;
  summary?: string | undefined;
  date?: string | undefined;
}

/**
 * Parses RSS 2.0, RSS 1.0 (RDF), Atom 1.0 or JSON Feed 1.1, detected from the
 * document itself. Items are made tolerant of real-world feeds: HTML stripped
 * from titles and summaries, links resolved against the feed's URL, missing or
 * unreadable dates left empty. Items with nothing to show are skipped and reported.
 */
export function parseFeedDocument(text: string, feedUrl: string): ParsedFeed {
  let parsed: AnyFeed;
  try {
    parsed = parseFeed(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const detail = (error as Error).message || 'unreadable';
    throw new FeedParseError(`The document is not an RSS, RDF, Atom or JSON feed (${detail})`);
  }
  const raw = rawEntries(parsed);
  const entries: FeedEntry[] = [];
  const skipped: SkippedEntry[] = [];
  raw.forEach((item, index) => {
    if (index >= FEED_LIMITS.maxEntries) {
      skipped.push({ index, reason: `beyond the first ${FEED_LIMITS.maxEntries} items` });
      return;
    }
    const entry = toEntry(item, feedUrl);
    if (typeof entry === 'string') skipped.push({ index, reason: entry });
    else entries.push(entry);
  });
  const ttlMinutes = parsed.format === 'rss' ? Number(parsed.feed.ttl) : NaN;
  return { format: parsed.format, ttlSeconds: Number.isFinite(ttlMinutes) && ttlMinutes > 0 ? ttlMinutes * 60 : null, entries, skipped };
}

function rawEntries(parsed: AnyFeed): RawEntry[] {
  switch (parsed.format) {
    case 'rss':
      return (parsed.feed.items ?? []).map((item) => ({
        externalId: item.guid?.value,
        link: item.link,
        title: item.title,
        summary: item.description ?? item.content?.encoded,
        date: item.pubDate ?? item.dc?.dates?.[0],
      }));
    case 'atom':
      return (parsed.feed.entries ?? []).map((entry) => ({
        externalId: entry.id,
        link: (entry.links?.find((link) => !link.rel || link.rel === 'alternate') ?? entry.links?.[0])?.href,
        title: entry.title?.value,
        summary: entry.summary?.value ?? entry.content?.value,
        date: entry.published ?? entry.updated ?? entry.dc?.dates?.[0],
      }));
    case 'rdf':
      return (parsed.feed.items ?? []).map((item) => ({
        externalId: item.rdf?.about,
        link: item.link,
        title: item.title,
        summary: item.description ?? item.content?.encoded,
        date: item.dc?.dates?.[0],
      }));
    case 'json':
      return (parsed.feed.items ?? []).map((item) => ({
        externalId: typeof item.id === 'number' ? String(item.id) : item.id,
        link: item.url ?? item.external_url,
        title: item.title,
        summary: item.summary ?? item.content_text ?? item.content_html,
        date: item.date_published ?? item.date_modified,
      }));
  }
}

function toEntry(item: RawEntry, feedUrl: string): FeedEntry | string {
  const url = absoluteLink(asText(item.link), feedUrl);
  const summary = truncate(htmlToPlainText(asText(item.summary)), FEED_LIMITS.maxSummaryLength);
  // A title-less item (allowed in RSS) is named by the start of its summary.
  const title = truncate(htmlToPlainText(asText(item.title)), FEED_LIMITS.maxTitleLength) || truncate(summary, 120);
  if (!title && !url) return 'the item has no title, summary or link';
  const externalId = asText(item.externalId).trim();
  return {
    externalId: externalId || null,
    url,
    title: title || url || '',
    summary: summary || null,
    publishedAt: parseFeedDate(asText(item.date)),
  };
}

/** Parsers hand back whatever the document held; anything but a string counts as absent. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}

/** An absolute http(s) link, resolved against the feed's URL; null when there is none or it is unusable. */
export function absoluteLink(link: string, feedUrl: string): string | null {
  const trimmed = link.trim();
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed, feedUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

const EARLIEST_PLAUSIBLE = Date.UTC(1990, 0, 1);

/** RFC 822 or ISO 8601 dates; null for missing, unreadable or implausible ones (before 1990, or more than a day ahead). */
export function parseFeedDate(value: string, now = Date.now()): Date | null {
  const trimmed = value.trim();
  if (!trimmed) return null;
  const time = Date.parse(trimmed);
  if (Number.isNaN(time) || time < EARLIEST_PLAUSIBLE || time > now + 24 * 3600 * 1000) return null;
  return new Date(time);
}

const BLOCK_BOUNDARY = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|section|article|header|footer)\b[^>]*>/gi;

/**
 * Plain text from a fragment of HTML: scripts, styles and comments dropped,
 * tags removed (block boundaries become spaces so words do not run together),
 * entities decoded, whitespace collapsed. Text that merely contains "<" is
 * left alone: only `<letter...>` counts as a tag.
 */
export function htmlToPlainText(html: string): string {
  return decodeHTML(
    html
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(BLOCK_BOUNDARY, ' ')
      .replace(/<\/?[a-zA-Z][^>]*>/g, ''),
  )
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}
