import { decodeHTML } from 'entities';

/**
 * Text as feeds carry it, made into the plain text Bellwether keeps: markup
 * read as HTML only where it is HTML, entities decoded, C1 controls and
 * doubly-encoded UTF-8 repaired, whitespace collapsed.
 */

/** How a field's markup is to be read: `text` is shown as written, `html` has its tags removed, `sniff` decides from the content (RSS, where either is common). */
export type TextKind = 'text' | 'html' | 'sniff';

const CDATA_SECTION = /<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)/g;

/**
 * The character data of raw XML content (an element's inner XML, as written
 * in the document): CDATA sections opened, entity and character references
 * decoded (HTML's named entities too, as feeds use them freely). Child
 * elements are kept as markup.
 */
export function xmlContentToString(raw: string): string {
  const open = raw.indexOf('<![CDATA[');
  if (open === -1) return raw.indexOf('&') === -1 ? raw : decodeHTML(raw);
  // The common case, one CDATA section and nothing else of substance: no decoding at all.
  const close = raw.indexOf(']]>', open);
  if (close !== -1 && raw.indexOf('<![CDATA[', close) === -1 && !raw.slice(0, open).trim() && !raw.slice(close + 3).trim()) return raw.slice(open + 9, close);
  let text = '';
  let last = 0;
  for (const match of raw.matchAll(CDATA_SECTION)) {
    text += decodeHTML(raw.slice(last, match.index));
    text += match[1];
    last = match.index + match[0].length;
  }
  return text + decodeHTML(raw.slice(last));
}

/** Known HTML elements: text in an RSS title or description is HTML when it holds one of these (or an entity), as reference readers decide. */
const LOOKS_LIKE_HTML =
  /<\/?(?:a|abbr|acronym|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|dd|del|dfn|div|dl|dt|em|figure|font|h[1-6]|head|hr|html|i|img|ins|kbd|li|ol|p|pre|q|s|samp|section|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|var|iframe|script|style|!--|!doctype)(?:[\s/>]|$)|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/** Plain text from a field's content (already XML-decoded), read as `kind` says. */
export function fieldText(content: string, kind: TextKind): string {
  const isHtml = kind === 'html' || (kind === 'sniff' && LOOKS_LIKE_HTML.test(content));
  return repairText(isHtml ? htmlToPlainText(content) : collapseWhitespace(content));
}

/** Elements whose boundaries separate words: they become a space, other tags nothing. */
const BLOCK_ELEMENTS = new Set(['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'td', 'th', 'blockquote', 'section', 'article', 'header', 'footer', 'dd', 'dt', 'pre', 'hr', 'table']);

/** Elements whose content is not text: dropped with their content. */
const SKIPPED_ELEMENTS = new Set(['script', 'style', 'head', 'title']);

/**
 * Plain text from a fragment of HTML: scripts, styles, comments, DOCTYPE and
 * processing instructions dropped (also when left unclosed), CDATA sections
 * opened, tags removed (block boundaries become spaces so words do not run
 * together), entities decoded, whitespace collapsed. Only `<letter...>`
 * counts as a tag, so text that merely contains "<" is left alone. One scan,
 * no regular expressions: this runs for every summary.
 */
export function htmlToPlainText(html: string): string {
  let lt = html.indexOf('<');
  if (lt === -1) return collapseWhitespace(html.indexOf('&') === -1 ? html : decodeHTML(html));
  let text = '';
  let from = 0;
  while (lt !== -1) {
    const next = html.charCodeAt(lt + 1);
    let end: number;
    let replacement = ' ';
    if (next === 33 /* ! */ && html.startsWith('<!--', lt)) {
      end = endAfter(html, '-->', lt + 4);
    } else if (next === 33 && html.startsWith('<![CDATA[', lt)) {
      const close = html.indexOf(']]>', lt + 9);
      replacement = html.slice(lt + 9, close === -1 ? html.length : close);
      end = close === -1 ? html.length : close + 3;
    } else if (next === 33 || next === 63 /* ? */) {
      end = endAfter(html, '>', lt + 2);
    } else if (isAsciiLetter(next) || (next === 47 /* / */ && isAsciiLetter(html.charCodeAt(lt + 2)))) {
      const nameStart = next === 47 ? lt + 2 : lt + 1;
      let nameEnd = nameStart;
      while (nameEnd < html.length && isNameChar(html.charCodeAt(nameEnd))) nameEnd += 1;
      const name = html.slice(nameStart, nameEnd).toLowerCase();
      end = endAfter(html, '>', nameEnd);
      if (next !== 47 && SKIPPED_ELEMENTS.has(name)) {
        const close = html.toLowerCase().indexOf(`</${name}`, end);
        end = close === -1 ? html.length : endAfter(html, '>', close);
      } else if (!BLOCK_ELEMENTS.has(name)) {
        replacement = '';
      }
    } else {
      lt = html.indexOf('<', lt + 1);
      continue;
    }
    text += html.slice(from, lt) + replacement;
    from = end;
    lt = html.indexOf('<', end);
  }
  text += html.slice(from);
  return collapseWhitespace(text.indexOf('&') === -1 ? text : decodeHTML(text));
}

/** The index just past `marker` at or after `from`, or the end of the text when it never comes. */
function endAfter(text: string, marker: string, from: number): number {
  const index = text.indexOf(marker, from);
  return index === -1 ? text.length : index + marker.length;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isNameChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 45 || code === 58 || code === 95;
}

/** Runs of whitespace and lone whitespace other than a space: what collapsing has to replace (a lone space is left as it is, which is most of them). */
const WHITESPACE_TO_COLLAPSE = /[\s\u00a0]{2,}|[^\S ]|\u00a0/g;

function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim();
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
