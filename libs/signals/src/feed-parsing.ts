import { decodeHTML } from 'entities';

import { jsonNestingExceeds } from '#core';

import { parseFeedDate } from './feed-dates.js';
import { absoluteLink, documentBase, nestedBase } from './feed-links.js';
import { fieldText, repairText, truncate, xmlContentToString, type TextKind } from './feed-text.js';
import { attributeOf, childrenOf, FeedDocumentError, firstChild, rawTextOf, readXmlDocument, type XmlElement } from './feed-xml-document.js';

export { parseFeedDate } from './feed-dates.js';
export { absoluteLink } from './feed-links.js';
export { htmlToPlainText } from './feed-text.js';

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

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'cdf' | 'json';

export interface ParsedFeed {
  format: FeedFormat;
  /** How long the feed asks readers to wait between fetches (RSS `<ttl>`), or null. */
  ttlSeconds: number | null;
  entries: FeedEntry[];
  skipped: SkippedEntry[];
}

export interface FeedDocumentContext {
  /** The response's Content-Location header: the document's own address, against which its relative links resolve. */
  contentLocation?: string | null;
}

/** The document is not a feed Bellwether can read at all (as opposed to single bad items, which are skipped); the message says why. */
export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

export const FEED_LIMITS = { maxEntries: 1000, maxTitleLength: 500, maxSummaryLength: 4000, titleFromSummaryLength: 120 } as const;

/** A field as found in the document: its content (XML-decoded) and how to read its markup. */
interface RawField {
  value: string;
  kind: TextKind;
}

/** What the format readers extract from one item, before normalisation. */
interface RawEntry {
  externalId: string;
  /** An absolute link, or null. */
  url: string | null;
  title: RawField | null;
  summary: RawField | null;
  /** The first readable of the item's candidate dates, in order of preference, or null. */
  publishedAt: Date | null;
}

/**
 * Reads RSS 0.9x, 2.0 and 1.0 (RDF), Atom 1.0 and 0.3, CDF and JSON Feed 1.0
 * and 1.1, detected from the document itself, the way reference feed readers
 * do: namespaces whatever their prefix, Dublin Core, content, Media RSS and
 * iTunes fields, `xml:base`, titles from summaries or links when an item has
 * none, and dates in the forms feeds write. A document that cannot be read
 * throws a FeedParseError saying why; an item with nothing to show is
 * skipped and reported.
 */
export function parseFeedDocument(text: string, feedUrl: string, context: FeedDocumentContext = {}): ParsedFeed {
  const base = documentBase(feedUrl, context.contentLocation);
  const document = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const { format, ttlMinutes, raw } = /^\s*[[{]/.test(document) ? readJsonFeed(document, base) : readXmlFeed(document, base);
  const entries: FeedEntry[] = [];
  const skipped: SkippedEntry[] = [];
  raw.forEach((item, index) => {
    if (index >= FEED_LIMITS.maxEntries) {
      skipped.push({ index, reason: `beyond the first ${FEED_LIMITS.maxEntries} items` });
      return;
    }
    const entry = normaliseEntry(item);
    if (typeof entry === 'string') skipped.push({ index, reason: entry });
    else entries.push(entry);
  });
  return { format, ttlSeconds: ttlMinutes !== null && Number.isFinite(ttlMinutes) && ttlMinutes > 0 ? Math.round(ttlMinutes * 60) : null, entries, skipped };
}

function normaliseEntry(item: RawEntry): FeedEntry | string {
  const summary = item.summary ? truncate(fieldText(item.summary.value, item.summary.kind), FEED_LIMITS.maxSummaryLength) : '';
  const externalId = repairText(item.externalId.trim());
  const { publishedAt } = item;
  // An item without a title (allowed in RSS) is still an item: named, as readers name it, by the start of its summary, else its link, else its id.
  const title =
    (item.title ? truncate(fieldText(item.title.value, item.title.kind), FEED_LIMITS.maxTitleLength) : '') ||
    truncate(summary, FEED_LIMITS.titleFromSummaryLength) ||
    (item.url ?? '') ||
    truncate(externalId, FEED_LIMITS.maxTitleLength) ||
    (publishedAt ? UNTITLED : '');
  if (!title) return 'the item has no title, summary, link, id or date';
  return { externalId: externalId || null, url: item.url, title, summary: summary || null, publishedAt };
}

/** The title of an item that has nothing else to be named by. */
export const UNTITLED = '(untitled)';

interface FormatReading {
  format: FeedFormat;
  ttlMinutes: number | null;
  raw: RawEntry[];
}

// ---- XML formats -----------------------------------------------------------

function readXmlFeed(text: string, base: string): FormatReading {
  let document: { rootName: string; root: XmlElement };
  try {
    document = readXmlDocument(text);
  } catch (error) {
    if (error instanceof FeedDocumentError) throw new FeedParseError(error.message);
    throw error;
  }
  const { rootName, root } = document;
  const rootBase = nestedBase(base, attributeOf(root, 'xml:base'));
  switch (rootName) {
    case 'rss':
    case 'rdf:rdf':
    case 'rss:rss': {
      const channel = firstChild(root, 'channel');
      const channelBase = nestedBase(rootBase, attributeOf(channel, 'xml:base'));
      // RSS 0.9x and RDF put items beside the channel, RSS 2.0 inside it; some feeds do both.
      const items = [...childrenOf(channel, 'item'), ...childrenOf(root, 'item')];
      const ttl = Number(decodeText(rawTextOf(firstChild(channel, 'ttl'))).trim());
      return {
        format: rootName === 'rdf:rdf' ? 'rdf' : 'rss',
        ttlMinutes: Number.isFinite(ttl) ? ttl : null,
        raw: items.map((item) => rssEntry(item, nestedBase(channelBase, attributeOf(item, 'xml:base')))),
      };
    }
    case 'atom:feed':
    case 'feed': {
      const prefix = rootName === 'feed' ? '' : 'atom:';
      return { format: 'atom', ttlMinutes: null, raw: childrenOf(root, `${prefix}entry`).map((entry) => atomEntry(entry, prefix, nestedBase(rootBase, attributeOf(entry, 'xml:base')))) };
    }
    case 'channel':
      // CDF: a channel of items and sub-channels, with links and dates as attributes.
      return { format: 'cdf', ttlMinutes: null, raw: cdfItems(root, nestedBase(rootBase, attributeOf(root, 'base'))) };
    case 'html':
    case 'xhtml:html':
      throw new FeedParseError('The document is an HTML page, not a feed');
    default:
      throw new FeedParseError(`The document's root element <${rootName}> is not RSS, RDF, Atom or CDF`);
  }
}

/** XML-decoded text of raw content. */
function decodeText(raw: string): string {
  return xmlContentToString(raw);
}

function field(element: XmlElement | undefined, kind: TextKind): RawField | null {
  if (element === undefined) return null;
  const value = decodeText(rawTextOf(element));
  return value.trim() ? { value, kind } : null;
}

/** The first of the named children that has content. */
function firstField(item: XmlElement, names: readonly (readonly [string, TextKind])[]): RawField | null {
  if (typeof item === 'string') return null;
  for (const [name, kind] of names) {
    const value = item[name];
    if (value === undefined) continue;
    // One element of the name is the rule: read it without making a list of one (this runs for every title and summary).
    if (!Array.isArray(value)) {
      const found = namedField(value, kind);
      if (found) return found;
      continue;
    }
    for (const element of value) {
      const found = namedField(element, kind);
      if (found) return found;
    }
  }
  return null;
}

function namedField(element: XmlElement, kind: TextKind): RawField | null {
  return kind === 'sniff' ? typedField(element, 'sniff') : field(element, kind);
}

/** A field whose `type` attribute (Media RSS, Atom-in-RSS) may say it is HTML or plain text. */
function typedField(element: XmlElement, fallback: TextKind): RawField | null {
  const type = attributeOf(element, 'type')?.toLowerCase();
  return field(element, type === 'html' || type === 'text/html' || type === 'xhtml' ? 'html' : type === 'plain' || type === 'text' ? 'text' : fallback);
}

const RSS_TITLES = [['title', 'sniff'], ['dc:title', 'sniff'], ['atom:title', 'sniff'], ['media:title', 'sniff'], ['itunes:title', 'text']] as const;
const RSS_SUMMARIES = [
  ['description', 'html'],
  ['atom:summary', 'sniff'],
  ['dc:description', 'sniff'],
  ['itunes:summary', 'sniff'],
  ['media:description', 'sniff'],
  ['content:encoded', 'html'],
  ['xhtml:body', 'html'],
  ['body', 'html'],
  ['fullitem', 'html'],
  ['atom:content', 'sniff'],
  ['itunes:subtitle', 'sniff'],
  ['dcterms:abstract', 'sniff'],
] as const;
const RSS_DATES = ['pubdate', 'dc:date', 'dcterms:issued', 'dcterms:created', 'atom:published', 'dcterms:date', 'dcterms:modified', 'atom:updated', 'lastbuilddate', 'date'];

function rssEntry(item: XmlElement, base: string): RawEntry {
  const guid = firstChild(item, 'guid');
  const guidText = decodeText(rawTextOf(guid)).trim();
  const about = decodeHTML(attributeOf(item, 'rdf:about') ?? '').trim();
  // A guid is a permalink unless it says otherwise (RSS 2.0): then it is the link of an item that has none.
  const guidIsPermalink = (attributeOf(guid, 'ispermalink') ?? 'true').trim().toLowerCase() !== 'false';
  const url =
    rssLink(item, base) ??
    alternateLink(childrenOf(item, 'atom:link'), base) ??
    (guidIsPermalink && /^https?:\/\//i.test(guidText) ? absoluteLink(guidText, base) : null) ??
    (about && /^https?:\/\//i.test(about) ? absoluteLink(about, base) : null) ??
    alternateLink(childrenOf(firstChild(item, 'media:group') ?? item, 'media:content').map((content) => (typeof content === 'string' ? content : { '@href': content['@url'] ?? '' })), base);
  const summary = firstField(item, RSS_SUMMARIES) ?? firstField(firstChild(item, 'media:group') ?? '', [['media:description', 'sniff']]);
  return {
    externalId: guidText || about || decodeText(rawTextOf(firstChild(item, 'atom:id'))),
    url,
    title: firstField(item, RSS_TITLES) ?? firstField(firstChild(item, 'media:group') ?? '', [['media:title', 'sniff']]),
    summary,
    publishedAt: firstDateOf(item, RSS_DATES),
  };
}

/** The first usable `<link>`: its text, else (Atom-style, in RSS) its `href`. */
function rssLink(item: XmlElement, base: string): string | null {
  for (const link of childrenOf(item, 'link')) {
    const url = absoluteLink(decodeText(rawTextOf(link)) || decodeHTML(attributeOf(link, 'href') ?? ''), nestedBase(base, attributeOf(link, 'xml:base')));
    if (url) return url;
  }
  return null;
}

/**
 * The first readable date among the named children, in the order named (of
 * several children of one name, the first). Read lazily: the first candidate
 * is nearly always there and readable, and each name looked up further is a
 * miss on the item.
 */
function firstDateOf(item: XmlElement, names: readonly string[]): Date | null {
  for (const name of names) {
    const element = firstChild(item, name);
    if (element === undefined) continue;
    const date = parseFeedDate(decodeText(rawTextOf(element)));
    if (date) return date;
  }
  return null;
}

function firstReadableDate(candidates: readonly string[]): Date | null {
  for (const candidate of candidates) {
    const date = parseFeedDate(candidate);
    if (date) return date;
  }
  return null;
}

function firstLink(candidates: readonly (readonly [string, string])[]): string | null {
  for (const [link, base] of candidates) {
    const url = absoluteLink(link, base);
    if (url) return url;
  }
  return null;
}

/** An Atom-style link list: the first `alternate` (or rel-less) link, else the first link that is not an enclosure or self. */
function alternateLink(links: readonly XmlElement[], base: string): string | null {
  const usable = links.map((link) => ({ rel: (attributeOf(link, 'rel') ?? 'alternate').trim().toLowerCase(), href: decodeHTML(attributeOf(link, 'href') ?? ''), base: nestedBase(base, attributeOf(link, 'xml:base')) }));
  const ordered = [...usable.filter((link) => link.rel === 'alternate'), ...usable.filter((link) => link.rel !== 'alternate' && link.rel !== 'self' && link.rel !== 'enclosure' && link.rel !== 'replies')];
  return firstLink(ordered.map((link) => [link.href, link.base] as const));
}

const atomDates = (prefix: string): string[] =>
  [`${prefix}published`, `${prefix}issued`, `${prefix}created`, 'dc:date', 'dcterms:issued', 'dcterms:created', `${prefix}updated`, `${prefix}modified`, 'dcterms:modified', 'pubdate'];
const ATOM_DATES = atomDates('');
/** In a document whose Atom namespace has a prefix, with the prefix the canonical names carry. */
const PREFIXED_ATOM_DATES = atomDates('atom:');

function atomEntry(entry: XmlElement, prefix: string, base: string): RawEntry {
  const named = (name: string): string => `${prefix}${name}`;
  return {
    externalId: decodeText(rawTextOf(firstChild(entry, named('id')))),
    url: alternateLink(childrenOf(entry, named('link')), base),
    title: atomText(firstChild(entry, named('title'))) ?? firstField(entry, [['dc:title', 'sniff'], ['media:title', 'sniff']]),
    summary:
      atomText(firstChild(entry, named('summary'))) ??
      atomText(firstChild(entry, named('content'))) ??
      firstField(entry, [['dc:description', 'sniff'], ['media:description', 'sniff'], ['content:encoded', 'html'], ['itunes:summary', 'sniff']]),
    publishedAt: firstDateOf(entry, prefix ? PREFIXED_ATOM_DATES : ATOM_DATES),
  };
}

/**
 * An Atom text construct: `type` text (the default), html or xhtml, or (in
 * `content`) a MIME type, whose non-XML, non-text forms are base64; Atom
 * 0.3's `mode` escaped, xml or base64.
 */
function atomText(element: XmlElement | undefined): RawField | null {
  if (element === undefined) return null;
  const type = (attributeOf(element, 'type') ?? 'text').trim().toLowerCase();
  const mode = attributeOf(element, 'mode')?.trim().toLowerCase();
  const isXml = type === 'xhtml' || type.endsWith('+xml') || type.endsWith('/xml');
  const isBase64 = mode === 'base64' || (type.includes('/') && !isXml && !type.startsWith('text/'));
  let value = decodeText(rawTextOf(element));
  if (isBase64) value = decodeBase64Text(value);
  if (!value.trim()) return null;
  const isHtml = type === 'html' || type === 'xhtml' || type === 'text/html' || isXml || mode === 'escaped' || mode === 'xml';
  return { value, kind: isHtml ? 'html' : type === 'text' && mode === undefined ? 'text' : 'sniff' };
}

function decodeBase64Text(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return value;
  return Buffer.from(compact, 'base64').toString('utf8');
}

function cdfItems(channel: XmlElement, base: string, depth = 0): RawEntry[] {
  const items = childrenOf(channel, 'item').map((item) => {
    const href = decodeHTML(attributeOf(item, 'href') ?? '');
    return {
      externalId: href,
      url: absoluteLink(href, base),
      title: field(firstChild(item, 'title'), 'sniff'),
      summary: field(firstChild(item, 'abstract'), 'sniff'),
      publishedAt: parseFeedDate(attributeOf(item, 'lastmod') ?? ''),
    };
  });
  if (depth >= 4) return items;
  return [...items, ...childrenOf(channel, 'channel').flatMap((sub) => cdfItems(sub, nestedBase(base, attributeOf(sub, 'base')), depth + 1))];
}

// ---- JSON Feed -------------------------------------------------------------

/** Deeper than any real JSON Feed nests; refused before parsing, as XML nesting is. */
const MAX_JSON_FEED_DEPTH = 64;

function readJsonFeed(text: string, base: string): FormatReading {
  if (jsonNestingExceeds(text, MAX_JSON_FEED_DEPTH)) throw new FeedParseError(`The document nests deeper than ${MAX_JSON_FEED_DEPTH} levels, which is refused`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FeedParseError(`The document is not valid JSON: ${(error as Error).message}`);
  }
  const feed = document as { version?: unknown; items?: unknown };
  if (typeof feed !== 'object' || feed === null || Array.isArray(feed) || !Array.isArray(feed.items) || (typeof feed.version === 'string' && !feed.version.includes('jsonfeed.org'))) {
    throw new FeedParseError('The document is JSON but not a JSON Feed (no "version" of jsonfeed.org and "items" list)');
  }
  const raw = (feed.items as unknown[]).map((value): RawEntry => {
    const item = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const text = (key: string): string => (typeof item[key] === 'string' ? item[key] : typeof item[key] === 'number' ? String(item[key]) : '');
    const contentHtml = text('content_html');
    const summary = text('summary') ? { value: text('summary'), kind: 'text' as const } : text('content_text') ? { value: text('content_text'), kind: 'text' as const } : contentHtml ? { value: contentHtml, kind: 'html' as const } : null;
    return {
      externalId: text('id'),
      url: absoluteLink(text('url'), base) ?? absoluteLink(text('external_url'), base),
      title: text('title') ? { value: text('title'), kind: 'text' } : null,
      summary,
      publishedAt: firstReadableDate([text('date_published'), text('date_modified')]),
    };
  });
  return { format: 'json', ttlMinutes: null, raw };
}
