import { decodeHTML } from 'entities';

import { jsonNestingExceeds } from '#core';

import { parseFeedDate } from './feed-dates.js';
import { absoluteLink, documentBase, nestedBase } from './feed-links.js';
import { fieldText, hasInlineElements, inlineMarkupSource, repairText, truncate, xmlContentToString, type TextKind } from './feed-text.js';
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
  /** The WebSub hub the feed names (`<link rel="hub">`, a JSON Feed's `hubs`), resolved; null when none. */
  hubUrl: string | null;
  /** The feed's own address as it names it (`rel="self"`, `feed_url`): the topic to subscribe to at the hub. */
  selfUrl: string | null;
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
  const { format, ttlMinutes, raw, hubUrl = null, selfUrl = null } = /^\s*[[{]/.test(document) ? readJsonFeed(document, base) : readXmlFeed(document, base);
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
  return { format, ttlSeconds: ttlMinutes !== null && Number.isFinite(ttlMinutes) && ttlMinutes > 0 ? Math.round(ttlMinutes * 60) : null, entries, skipped, hubUrl, selfUrl };
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
  hubUrl?: string | null;
  selfUrl?: string | null;
}

/** WebSub discovery (W3C WebSub, 4): the first `rel="hub"` and `rel="self"` links among the feed's own links (Atom's, or atom:link in an RSS channel). */
function webSubLinks(parent: XmlElement | undefined, names: readonly string[], base: string): { hubUrl: string | null; selfUrl: string | null } {
  let hubUrl: string | null = null;
  let selfUrl: string | null = null;
  for (const name of names) {
    for (const link of childrenOf(parent, name)) {
      const rels = decodeText(attributeOf(link, 'rel') ?? '').toLowerCase().split(/\s+/);
      const href = absoluteLink(decodeText(attributeOf(link, 'href') ?? ''), base);
      if (!href) continue;
      if (rels.includes('hub')) hubUrl ??= href;
      if (rels.includes('self')) selfUrl ??= href;
    }
  }
  return { hubUrl, selfUrl };
}

// ---- XML formats -----------------------------------------------------------

function readXmlFeed(text: string, base: string): FormatReading {
  let parsed: ReturnType<typeof readXmlDocument>;
  try {
    parsed = readXmlDocument(text);
  } catch (error) {
    if (error instanceof FeedDocumentError) throw new FeedParseError(error.message);
    throw error;
  }
  const { rootName, root, document } = parsed;
  const rootBase = nestedBase(base, attributeOf(root, 'xml:base'));
  switch (rootName) {
    case 'rss':
    case 'rdf:rdf':
    case 'rss:rss': {
      const channel = firstChild(root, 'channel');
      const channelBase = nestedBase(rootBase, attributeOf(channel, 'xml:base'));
      // RSS 0.9x and RDF put items beside the channel, RSS 2.0 inside it; some feeds do both, and some write them after the root has closed.
      const items = [...childrenOf(channel, 'item'), ...childrenOf(root, 'item'), ...childrenOf(document, 'item')];
      const ttl = Number(decodeText(rawTextOf(firstChild(channel, 'ttl'))).trim());
      return {
        format: rootName === 'rdf:rdf' ? 'rdf' : 'rss',
        ttlMinutes: Number.isFinite(ttl) ? ttl : null,
        raw: items.map((item) => rssEntry(item, nestedBase(channelBase, attributeOf(item, 'xml:base')))),
        ...webSubLinks(channel, ['atom:link', 'atom10:link', 'link'], channelBase),
      };
    }
    case 'atom:feed':
    case 'feed': {
      const prefix = rootName === 'feed' ? '' : 'atom:';
      return {
        format: 'atom',
        ttlMinutes: null,
        raw: childrenOf(root, `${prefix}entry`).map((entry) => atomEntry(entry, prefix, nestedBase(rootBase, attributeOf(entry, 'xml:base')))),
        ...webSubLinks(root, [`${prefix}link`], rootBase),
      };
    }
    case 'item':
      // Items and nothing around them: what is left of an RSS feed, read as its items.
      return { format: 'rss', ttlMinutes: null, raw: childrenOf(document, 'item').map((item) => rssEntry(item, nestedBase(base, attributeOf(item, 'xml:base')))) };
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
  const raw = rawTextOf(element);
  // Real elements inside a field make it inline XHTML, whatever it was declared: its markup is read as written, its escaped markup stays text.
  const inline = kind === 'xhtml' || hasInlineElements(raw);
  const value = inline ? inlineMarkupSource(raw) : decodeText(raw);
  return value.trim() ? { value, kind: inline ? 'xhtml' : kind } : null;
}

/** The first of the named children that has content, in the order named. */
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

/** A field whose `type` attribute (Media RSS, Atom-in-RSS) may say it is HTML, XHTML or plain text. */
function typedField(element: XmlElement, fallback: TextKind): RawField | null {
  const type = attributeOf(element, 'type')?.toLowerCase();
  return field(element, type === 'html' || type === 'text/html' ? 'html' : type === 'xhtml' || type === 'application/xhtml+xml' ? 'xhtml' : type === 'plain' || type === 'text' ? 'text' : fallback);
}

/**
 * The first with content, in the item's own order, of elements that each
 * are the item's summary: readers take whichever the feed wrote first (an
 * `<itunes:summary>` before a `<description>` is the summary). Looked up by
 * name first, since nearly every item has one of them at most.
 */
function firstInDocumentOrder(item: XmlElement, names: readonly (readonly [string, TextKind])[]): RawField | null {
  if (typeof item === 'string') return null;
  let only: readonly [string, TextKind] | undefined;
  let count = 0;
  for (const named of names) {
    if (item[named[0]] === undefined) continue;
    only = named;
    count += 1;
  }
  if (count <= 1) return only === undefined ? null : firstField(item, [only]);
  const kinds = new Map(names);
  return firstField(
    item,
    Object.keys(item).flatMap((name) => {
      const kind = kinds.get(name);
      return kind === undefined ? [] : [[name, kind] as const];
    }),
  );
}

const RSS_TITLES = [['title', 'sniff'], ['dc:title', 'sniff'], ['atom:title', 'sniff'], ['media:title', 'sniff'], ['itunes:title', 'text']] as const;
/** Each the item's summary, whichever the item has first. */
const RSS_SUMMARIES = [
  ['description', 'html'],
  ['atom:summary', 'sniff'],
  ['dc:description', 'sniff'],
  ['itunes:summary', 'sniff'],
] as const;
/** In this order, for an item with none of RSS_SUMMARIES. */
const RSS_SUMMARY_FALLBACKS = [
  ['media:description', 'sniff'],
  ['content:encoded', 'html'],
  ['xhtml:body', 'xhtml'],
  ['body', 'xhtml'],
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
  const summary = firstInDocumentOrder(item, RSS_SUMMARIES) ?? firstField(item, RSS_SUMMARY_FALLBACKS) ?? mediaDescription(item);
  return {
    externalId: guidText || about || decodeText(rawTextOf(firstChild(item, 'atom:id'))),
    url,
    title: firstField(item, RSS_TITLES) ?? firstField(firstChild(item, 'media:group') ?? '', [['media:title', 'sniff']]),
    summary,
    publishedAt: firstDateOf(item, RSS_DATES),
  };
}

const MEDIA_DESCRIPTION = [['media:description', 'sniff']] as const;

/** A Media RSS description held in `<media:group>` or `<media:content>` (itself in the group or the item), where video feeds put the only one. */
function mediaDescription(item: XmlElement): RawField | null {
  const group = firstChild(item, 'media:group');
  const contents = [...childrenOf(group, 'media:content'), ...childrenOf(item, 'media:content')];
  return firstField(group ?? '', MEDIA_DESCRIPTION) ?? contents.reduce<RawField | null>((found, content) => found ?? firstField(content, MEDIA_DESCRIPTION), null);
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
 * The first readable date among the named children, in the order named. Of
 * several children of one name, the last readable one, as readers keep the
 * last `<updated>` they read. Read lazily: the first candidate is nearly
 * always there, alone and readable, and each name looked up further is a miss
 * on the item.
 */
function firstDateOf(item: XmlElement, names: readonly string[]): Date | null {
  if (typeof item === 'string') return null;
  for (const name of names) {
    const value = item[name];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      const date = parseFeedDate(decodeText(rawTextOf(value)));
      if (date) return date;
      continue;
    }
    for (let index = value.length - 1; index >= 0; index -= 1) {
      const date = parseFeedDate(decodeText(rawTextOf(value[index])));
      if (date) return date;
    }
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
    externalId: atomId(firstChild(entry, named('id')), base),
    url: alternateLink(childrenOf(entry, named('link')), base),
    title: atomText(firstChild(entry, named('title'))) ?? firstField(entry, [['dc:title', 'sniff'], ['media:title', 'sniff']]),
    summary: atomSummary(entry, named('summary')) ?? atomText(firstChild(entry, named('content'))) ?? firstField(entry, ATOM_SUMMARY_FALLBACKS) ?? mediaDescription(entry),
    publishedAt: firstDateOf(entry, prefix ? PREFIXED_ATOM_DATES : ATOM_DATES),
  };
}

const ATOM_SUMMARY_FALLBACKS = [['media:description', 'sniff'], ['content:encoded', 'html']] as const;

/** The entry's summary: its `<summary>`, or a `dc:description` or `itunes:summary` the entry has before it (readers take whichever comes first). */
function atomSummary(entry: XmlElement, summaryName: string): RawField | null {
  if (typeof entry === 'string') return null;
  if (entry['dc:description'] === undefined && entry['itunes:summary'] === undefined) return atomText(firstChild(entry, summaryName));
  for (const name of Object.keys(entry)) {
    const found = name === summaryName ? atomText(firstChild(entry, name)) : name === 'dc:description' || name === 'itunes:summary' ? firstField(entry, [[name, 'sniff']]) : null;
    if (found) return found;
  }
  return null;
}

/** A URI scheme: what an absolute IRI (`tag:`, `urn:`, `http:`) starts with. */
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** An Atom id, an IRI: a relative one is resolved against the base in scope (its own `xml:base`, the entry's, the feed's, Content-Location, the feed's URL), as readers resolve it; an absolute one is kept as written. */
function atomId(element: XmlElement | undefined, base: string): string {
  const id = decodeText(rawTextOf(element)).trim();
  if (!id || HAS_SCHEME.test(id)) return id;
  try {
    return new URL(id, nestedBase(base, attributeOf(element, 'xml:base'))).toString();
  } catch {
    return id;
  }
}

/**
 * An Atom text construct: `type` text (the default), html or xhtml, or (in
 * `content`) a media type; Atom 0.3's `mode` escaped, xml (its default) or
 * base64. Read as reference readers read it:
 * - base64 (`mode="base64"`, or a media type that is neither text nor XML)
 *   is decoded to the text it holds, which is text unless the type says HTML
 *   or XML; bytes that are not text are dropped;
 * - XHTML, XML types, and content of any type that holds real elements are
 *   inline markup, read as written, so escaped markup in them stays text;
 * - html and text/html are HTML; Atom 0.3's escaped content of no declared
 *   type is sniffed; every other type, text and text/plain included, is text.
 */
function atomText(element: XmlElement | undefined): RawField | null {
  if (element === undefined) return null;
  const declared = attributeOf(element, 'type')?.trim().toLowerCase();
  const type = atomMediaType(declared);
  const mode = attributeOf(element, 'mode')?.trim().toLowerCase();
  const isXml = type.endsWith('+xml') || type.endsWith('/xml');
  const raw = rawTextOf(element);
  let field: RawField | null;
  if (mode === 'base64' || (!isXml && !type.startsWith('text/'))) {
    const value = decodeBase64Text(decodeText(raw));
    field = value === null ? null : { value, kind: type === 'text/html' ? 'html' : isXml ? 'xhtml' : 'text' };
  } else if (isXml || hasInlineElements(raw)) {
    field = { value: inlineMarkupSource(raw), kind: 'xhtml' };
  } else {
    field = { value: decodeText(raw), kind: type === 'text/html' ? 'html' : mode === 'escaped' && declared === undefined ? 'sniff' : 'text' };
  }
  return field?.value.trim() ? field : null;
}

/** The media type an Atom `type` stands for (Atom 1.0's text, html and xhtml; no type is text), without parameters. */
function atomMediaType(declared: string | undefined): string {
  switch (declared) {
    case undefined:
    case '':
    case 'text':
      return 'text/plain';
    case 'html':
      return 'text/html';
    case 'xhtml':
      return 'application/xhtml+xml';
    default:
      return declared.split(';')[0]!.trim();
  }
}

/** Control characters that plain text never holds (tab, line feed and carriage return aside): their presence means bytes, not text. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const BINARY_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * The UTF-8 text that base64 content encodes; null when the bytes are not
 * text (an image), which is dropped rather than shown as garbage. Content
 * that is not base64 at all is kept as written, as readers keep it.
 */
function decodeBase64Text(value: string): string | null {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return value;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(compact, 'base64'));
  } catch {
    return null;
  }
  return BINARY_CONTROLS.test(text) ? null : text;
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
  // JSON Feed names its hubs as {type, url}; WebSub is the kind this reader subscribes to.
  const hubs = Array.isArray((feed as { hubs?: unknown }).hubs) ? ((feed as { hubs: unknown[] }).hubs as { type?: unknown; url?: unknown }[]) : [];
  const hub = hubs.find((entry) => typeof entry?.url === 'string' && (typeof entry.type !== 'string' || /websub|pubsubhubbub/i.test(entry.type)));
  const feedUrl = (feed as { feed_url?: unknown }).feed_url;
  return {
    format: 'json',
    ttlMinutes: null,
    raw,
    hubUrl: hub ? absoluteLink(hub.url as string, base) : null,
    selfUrl: typeof feedUrl === 'string' ? absoluteLink(feedUrl, base) : null,
  };
}
