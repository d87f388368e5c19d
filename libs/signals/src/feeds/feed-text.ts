import { decodeHTML } from 'entities';
import sanitizeHtml from 'sanitize-html';

/**
 * Text as feeds carry it, made into the plain text Bellwether keeps: markup
 * read as HTML only where it is HTML, entities decoded, C1 controls and
 * doubly-encoded UTF-8 repaired, whitespace collapsed.
 */

/**
 * How a field's markup is to be read: `text` is shown as written, `html` is
 * cleaned and has its tags removed, `xhtml` is inline markup as written in the
 * document (its entities not yet decoded, so escaped markup in it stays
 * text), `sniff` decides from the content (RSS, where text and HTML are both
 * common).
 */
export type TextKind = 'text' | 'html' | 'xhtml' | 'sniff';

const CDATA_SECTION = /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g;

/**
 * The character data of raw XML content (an element's inner XML, as written
 * in the document): CDATA sections opened, entity and character references
 * decoded (HTML's named entities too, as feeds use them freely). Child
 * elements are kept as markup.
 */
export function xmlContentToString(raw: string): string {
  const open = raw.indexOf('<![CDATA[');
  if (open === -1) return decodeEntities(raw);
  // The common case, one CDATA section and nothing else of substance: no decoding at all.
  const close = raw.indexOf(']]>', open);
  if (close !== -1 && raw.indexOf('<![CDATA[', close) === -1 && !raw.slice(0, open).trim() && !raw.slice(close + 3).trim()) return raw.slice(open + 9, close);
  let text = '';
  let last = 0;
  for (const match of raw.matchAll(CDATA_SECTION)) {
    text += decodeEntities(raw.slice(last, match.index));
    text += match[1];
    last = match.index + match[0].length;
  }
  return text + decodeEntities(raw.slice(last));
}

/**
 * Entity and character references decoded exactly as `decodeHTML` decodes
 * them (HTML's named entities, legacy ones without `;`, numeric references
 * with HTML's replacements). XML's five entities and plain numeric references
 * with their `;`, which are nearly all that feeds' escaped HTML holds, are
 * decoded here in one pass; text holding anything else goes to `decodeHTML`
 * whole. Every item's summary and title comes through here; a property test
 * pins this to `decodeHTML`.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let decoded = '';
  let from = 0;
  do {
    const reference = simpleReferenceAt(text, amp);
    if (reference === null) return decodeHTML(text);
    decoded += text.slice(from, amp) + reference.text;
    from = amp + reference.length;
    amp = text.indexOf('&', from);
  } while (amp !== -1);
  return decoded + text.slice(from);
}

/** A reference to one of XML's five entities, or a numeric one to a character `decodeHTML` takes as it is, at `amp`: its text and length. Null for anything else. */
function simpleReferenceAt(text: string, amp: number): { text: string; length: number } | null {
  switch (text.charCodeAt(amp + 1)) {
    case 108 /* l */:
      return text.startsWith('lt;', amp + 1) ? LESS_THAN : null;
    case 103 /* g */:
      return text.startsWith('gt;', amp + 1) ? GREATER_THAN : null;
    case 97 /* a */:
      return text.startsWith('amp;', amp + 1) ? AMPERSAND : text.startsWith('apos;', amp + 1) ? APOSTROPHE : null;
    case 113 /* q */:
      return text.startsWith('quot;', amp + 1) ? QUOTATION_MARK : null;
    case 35 /* # */:
      return numericReferenceAt(text, amp);
    default:
      return null;
  }
}

const LESS_THAN = { text: '<', length: 4 };
const GREATER_THAN = { text: '>', length: 4 };
const AMPERSAND = { text: '&', length: 5 };
const APOSTROPHE = { text: "'", length: 6 };
const QUOTATION_MARK = { text: '"', length: 6 };

/**
 * `&#DDD;` or `&#xHHH;` (up to 7 digits, 6 hex digits) naming a character
 * that HTML does not replace: not NUL, a C1 control (HTML reads those as
 * Windows-1252), a surrogate or beyond Unicode.
 */
function numericReferenceAt(text: string, amp: number): { text: string; length: number } | null {
  const hex = (text.charCodeAt(amp + 2) | 0x20) === 120; /* x or X */
  const digitsStart = amp + (hex ? 3 : 2);
  let index = digitsStart;
  let codePoint = 0;
  for (; index < digitsStart + (hex ? 6 : 7); index += 1) {
    const digit = digitValue(text.charCodeAt(index), hex);
    if (digit === -1) break;
    codePoint = codePoint * (hex ? 16 : 10) + digit;
  }
  if (index === digitsStart || text.charCodeAt(index) !== 59 /* ; */) return null;
  const isTakenAsIs = (codePoint >= 1 && codePoint <= 0x7f) || (codePoint >= 0xa0 && codePoint <= 0xd7ff) || (codePoint >= 0xe000 && codePoint <= 0x10ffff);
  return isTakenAsIs ? { text: String.fromCodePoint(codePoint), length: index + 1 - amp } : null;
}

function digitValue(code: number, hex: boolean): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (!hex) return -1;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** Known HTML elements: text in an RSS title or description is HTML when it holds one of these (or an entity), as reference readers decide. */
const LOOKS_LIKE_HTML =
  /<\/?(?:a|abbr|acronym|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|dd|del|dfn|div|dl|dt|em|figure|font|h[1-6]|head|hr|html|i|img|ins|kbd|li|ol|p|pre|q|s|samp|section|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|var|iframe|script|style|!--|!doctype)(?:[\s/>]|$)|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/** Plain text from a field's content, read as `kind` says (`xhtml` content is the markup as written, the rest already XML-decoded). */
export function fieldText(content: string, kind: TextKind): string {
  switch (kind) {
    case 'text':
      return repairText(collapseWhitespace(content));
    case 'html':
    case 'xhtml':
      return repairText(htmlToPlainText(content, kind));
    case 'sniff': {
      if (!LOOKS_LIKE_HTML.test(content)) return repairText(collapseWhitespace(content));
      // Markup and nothing else ("<br>", "<em></em>") is not HTML holding text but text naming markup: an item named only that is kept, as readers keep it.
      const text = htmlToPlainText(content);
      if (text || markupToText(content)) return repairText(text);
      return repairText(collapseWhitespace(content));
    }
  }
}

/**
 * Inline markup in raw XML content: an element start tag outside CDATA
 * sections. A text construct that holds real elements is XHTML whatever its
 * declared type says (Atom 0.3's default text/plain, an RSS title), as
 * reference readers read it.
 */
export function hasInlineElements(raw: string): boolean {
  let lt = raw.indexOf('<');
  while (lt !== -1) {
    if (raw.startsWith('<![CDATA[', lt)) {
      const close = raw.indexOf(']]>', lt + 9);
      if (close === -1) return false;
      lt = raw.indexOf('<', close + 3);
      continue;
    }
    const next = raw.charCodeAt(lt + 1);
    if (isAsciiLetter(next) || next === 95 /* _ */) return true;
    lt = raw.indexOf('<', lt + 1);
  }
  return false;
}

/** A namespace prefix on a start or end tag (`<xhtml:p>`, `</h:div>`). */
const TAG_PREFIX = /<(\/?)[A-Za-z_][\w.-]*:(?=[A-Za-z_])/g;

/**
 * Inline XHTML (raw XML content, as written) as the HTML source that means
 * the same: CDATA sections become escaped text and element names lose their
 * namespace prefix. Nothing is decoded here, so `&lt;blink&gt;` in XHTML stays
 * the text "<blink>", decoded once when the markup is read.
 */
export function inlineMarkupSource(raw: string): string {
  const opened = raw.indexOf('<![CDATA[') === -1 ? raw : raw.replace(CDATA_SECTION, (_section, text: string) => escapeMarkup(text));
  return opened.indexOf(':') === -1 ? opened : opened.replace(TAG_PREFIX, '<$1');
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Elements whose boundaries separate words: they become a space, other tags nothing. */
const BLOCK_ELEMENTS = ['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'td', 'th', 'blockquote', 'section', 'article', 'header', 'footer', 'dd', 'dt', 'pre', 'hr', 'table'];
const IS_BLOCK_ELEMENT = new Set(BLOCK_ELEMENTS);

/**
 * The one allow-list every HTML field is cleaned with, whatever the format
 * and field: only the elements that part words are kept, and no attribute at
 * all (so no event handler, style, link or source survives). Scripts, styles,
 * applets, frames and the other elements whose content is code or never
 * shown go with their content; every other element goes and leaves its text.
 * Comments, DOCTYPEs and processing instructions go.
 */
const CLEAN_HTML: sanitizeHtml.IOptions = {
  allowedTags: BLOCK_ELEMENTS,
  allowedAttributes: {},
  nonTextTags: ['script', 'style', 'textarea', 'option', 'xmp', 'title', 'applet', 'iframe', 'noembed', 'noframes', 'template'],
};
/** The same allow-list for inline XHTML, where `<script/>` closes itself rather than swallowing the rest. */
const CLEAN_XHTML: sanitizeHtml.IOptions = { ...CLEAN_HTML, parser: { decodeEntities: true, recognizeSelfClosing: true } };

/**
 * Plain text from a fragment of HTML (or, as `dialect` says, inline XHTML):
 * cleaned by sanitize-html with CLEAN_HTML, so scripts, styles, event and
 * style attributes, comments and DOCTYPEs never reach the text, then tags
 * removed (block boundaries become spaces so words do not run together),
 * entities decoded, whitespace collapsed. Markup that holds nothing a
 * sanitiser would have to judge (see plainMarkupToText), which is most
 * feeds' markup, is read without it: a property test pins that fast path to
 * the sanitiser.
 */
export function htmlToPlainText(html: string, dialect: 'html' | 'xhtml' = 'html'): string {
  if (html.indexOf('<') === -1) return collapseWhitespace(decodeEntities(html));
  return plainMarkupToText(html) ?? markupToText(cleanHtml(html, dialect));
}

/** The fragment as sanitize-html leaves it under CLEAN_HTML: elements that part words (bare), and escaped text. */
export function cleanHtml(html: string, dialect: 'html' | 'xhtml' = 'html'): string {
  // A CDATA section inside HTML (escaped HTML that wrapped itself in one) is read as the HTML it holds: an HTML parser would take it for a comment ending at its first ">".
  const opened = html.indexOf('<![CDATA[') === -1 ? html : html.replace(CDATA_SECTION, '$1');
  return sanitizeHtml(opened, dialect === 'xhtml' ? CLEAN_XHTML : CLEAN_HTML);
}

/**
 * Elements that may appear in markup read without the sanitiser: ones a
 * parser reads as ordinary elements holding text (never raw text, never
 * code, never dropped with their content).
 */
const PLAIN_ELEMENTS = new Set([
  ...BLOCK_ELEMENTS,
  'a', 'abbr', 'acronym', 'b', 'big', 'center', 'cite', 'code', 'del', 'dfn', 'dl', 'em', 'figcaption', 'figure', 'font', 'i', 'img', 'ins',
  'kbd', 'mark', 'q', 's', 'samp', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'tbody', 'tfoot', 'thead', 'time', 'tt', 'u', 'var', 'wbr',
]);
/** Elements that never have content or an end tag. */
const VOID_ELEMENTS = new Set(['br', 'hr', 'img', 'wbr']);
/** The rest of a tag after its name: attributes whose values hold no "<" or ">" (so the tag ends at its first ">"), then `>` or `/>`. */
const PLAIN_TAG_REST = /(?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>=`]+))?)*\s*(\/?)>/y;

/**
 * Text from markup that is only PLAIN_ELEMENTS tags with plain attributes,
 * each end tag closing the element open last, read as sanitising would
 * leave it; null as soon as it holds anything else (a comment, declaration,
 * CDATA section, processing instruction, script, style, stray or crossed end
 * tag, a ">" inside an attribute), which only the sanitiser may read.
 */
export function plainMarkupToText(html: string): string | null {
  const open: string[] = [];
  let text = '';
  let from = 0;
  let lt = html.indexOf('<');
  while (lt !== -1) {
    const next = html.charCodeAt(lt + 1);
    const isEndTag = next === 47; /* / */
    const nameStart = isEndTag ? lt + 2 : lt + 1;
    if (!isAsciiLetter(html.charCodeAt(nameStart))) {
      // `<` before a space or digit is text to a parser too; `<!`, `<?` and `</` before anything but a name are not.
      if (isEndTag || next === 33 /* ! */ || next === 63 /* ? */) return null;
      lt = html.indexOf('<', lt + 1);
      continue;
    }
    let nameEnd = nameStart + 1;
    while (isAsciiLetterOrDigit(html.charCodeAt(nameEnd))) nameEnd += 1;
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    if (!PLAIN_ELEMENTS.has(name)) return null;
    let end = nameEnd + 1;
    let selfClosing = false;
    // Most tags are a bare name: only a tag with more is matched against the pattern.
    if (html.charCodeAt(nameEnd) !== 62 /* > */) {
      PLAIN_TAG_REST.lastIndex = nameEnd;
      const rest = PLAIN_TAG_REST.exec(html);
      if (rest === null) return null;
      selfClosing = rest[1] === '/';
      end = PLAIN_TAG_REST.lastIndex;
    }
    if (isEndTag) {
      if (open.pop() !== name) return null;
    } else if (!selfClosing && !VOID_ELEMENTS.has(name)) {
      open.push(name);
    }
    text += html.slice(from, lt) + (IS_BLOCK_ELEMENT.has(name) ? ' ' : '');
    from = end;
    lt = html.indexOf('<', end);
  }
  text += html.slice(from);
  return collapseWhitespace(decodeEntities(text));
}

/**
 * Text from markup whose tags end at their first ">" (as sanitize-html
 * writes them): tags removed, the boundaries of BLOCK_ELEMENTS made spaces,
 * entities decoded, whitespace collapsed. Only `<letter` and `</letter`
 * start a tag, so text that merely contains "<" is left alone.
 */
function markupToText(markup: string): string {
  let lt = markup.indexOf('<');
  if (lt === -1) return collapseWhitespace(decodeEntities(markup));
  let text = '';
  let from = 0;
  while (lt !== -1) {
    const next = markup.charCodeAt(lt + 1);
    const isEndTag = next === 47; /* / */
    if (!isAsciiLetter(isEndTag ? markup.charCodeAt(lt + 2) : next)) {
      lt = markup.indexOf('<', lt + 1);
      continue;
    }
    const nameStart = isEndTag ? lt + 2 : lt + 1;
    let nameEnd = nameStart;
    while (nameEnd < markup.length && isNameChar(markup.charCodeAt(nameEnd))) nameEnd += 1;
    text += markup.slice(from, lt) + (IS_BLOCK_ELEMENT.has(markup.slice(nameStart, nameEnd).toLowerCase()) ? ' ' : '');
    from = endAfter(markup, '>', nameEnd);
    lt = markup.indexOf('<', from);
  }
  text += markup.slice(from);
  return collapseWhitespace(decodeEntities(text));
}

/** The index just past `marker` at or after `from`, or the end of the text when it never comes. */
function endAfter(text: string, marker: string, from: number): number {
  const index = text.indexOf(marker, from);
  return index === -1 ? text.length : index + marker.length;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isAsciiLetterOrDigit(code: number): boolean {
  return isAsciiLetter(code) || (code >= 48 && code <= 57);
}

function isNameChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 45 || code === 58 || code === 95;
}

/** Runs of whitespace and lone whitespace other than a space: what collapsing has to replace (a lone space is left as it is, which is most of them). */
const WHITESPACE_TO_COLLAPSE = /[\s\u00a0]{2,}|[^\S ]|\u00a0/g;
/** Whether WHITESPACE_TO_COLLAPSE has anything to replace (every run of two holds a non-space or two spaces); a plain test is about three times faster than a replace that replaces nothing. */
const HAS_WHITESPACE_TO_COLLAPSE = /[^\S ]| {2}/;

export function collapseWhitespace(text: string): string {
  return HAS_WHITESPACE_TO_COLLAPSE.test(text) ? text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim() : text.trim();
}

/** Windows-1252 for 0x80..0x9F; 0 where it defines nothing (those controls are dropped). */
const CP1252_FOR_C1 = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];
const C1_CONTROL = /[\u0080-\u009f]/g;
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g;
/** A lead byte of a two-to-four byte UTF-8 sequence followed by a continuation byte, both read as Windows-1252: the mark of UTF-8 decoded twice. */
const DOUBLE_ENCODED = /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/;
const CP1252_BYTE = new Map<number, number>(CP1252_FOR_C1.flatMap((code, index) => (code ? [[code, 0x80 + index] as const] : [])));

/**
 * C1 controls become the Windows-1252 characters they almost always stand
 * for (`&#147;` in a "latin-1" feed is a curly quote), other control
 * characters go, and text that is UTF-8 decoded twice ("cafÃ©") is decoded
 * once more.
 */
export function repairText(text: string): string {
  // Plain ASCII (the common case) needs nothing.
  if (!/[^\u0020-\u007e]/.test(text)) return text;
  // Undoubled first: the second byte of a doubly-encoded character is often a C1 control (U+009D in "â€\u009d").
  let repaired = DOUBLE_ENCODED.test(text) ? undoubleUtf8(text) : text;
  repaired = repaired.replace(C1_CONTROL, (char) => {
    const code = CP1252_FOR_C1[char.charCodeAt(0) - 0x80] ?? 0;
    return code ? String.fromCharCode(code) : '';
  });
  repaired = repaired.replace(OTHER_CONTROLS, ' ');
  return repaired;
}

/** Re-encodes the text as Windows-1252 and decodes the bytes as UTF-8; the text is left as it was unless that works for all of it. */
function undoubleUtf8(text: string): string {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const byte = code < 0x100 ? code : CP1252_BYTE.get(code);
    if (byte === undefined) return text;
    bytes[index] = byte;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return text;
  }
}

export function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}
