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
  if (raw.indexOf('<![CDATA[') === -1) return raw.indexOf('&') === -1 ? raw : decodeHTML(raw);
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

const BLOCK_BOUNDARY = /<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|blockquote|section|article|header|footer|dd|dt|pre|hr|table)\b[^>]*>/gi;

/**
 * Plain text from a fragment of HTML: scripts, styles, comments, DOCTYPE and
 * processing instructions dropped (also when left unclosed), tags removed
 * (block boundaries become spaces so words do not run together), entities
 * decoded, whitespace collapsed. Text that merely contains "<" is left alone:
 * only `<letter...>` counts as a tag.
 */
export function htmlToPlainText(html: string): string {
  if (html.indexOf('<') === -1 && html.indexOf('&') === -1) return collapseWhitespace(html);
  return collapseWhitespace(
    decodeHTML(
      html
        .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
        .replace(/<(script|style|head|title)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
        .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
        .replace(/<![a-z][^>]*(?:>|$)/gi, ' ')
        .replace(/<\?[\s\S]*?(?:\?>|$)/g, ' ')
        .replace(BLOCK_BOUNDARY, ' ')
        .replace(/<\/?[a-zA-Z][^>]*(?:>|$)/g, ''),
    ),
  );
}

function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
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
