import { TextDecoder } from 'node:util';

/**
 * Turns a fetched body into text the way reference feed readers do (RFC 7303
 * and the XML specification's appendix F): a byte-order mark wins, then the
 * charset of Content-Type, then the encoding in the XML declaration, else
 * UTF-8; UTF-16 without a BOM is recognised from its first bytes (`<?` in
 * two-byte units). When the chosen encoding cannot decode the bytes (a feed
 * served as UTF-8 that is really Windows-1252, say), the next candidate is
 * tried: the XML declaration's, UTF-8, then Windows-1252, which decodes
 * anything. Decoding never throws.
 */
export function decodeResponseText(body: Uint8Array, contentType: string | null): string {
  const bom = bomEncoding(body);
  if (bom) return decoderFor(bom).decode(body);
  const sniffed = sniffedUtf16(body);
  const declared = xmlDeclarationEncoding(body, sniffed);
  const candidates = [charsetOf(contentType), declared, 'utf-8'].filter((label): label is string => label !== null);
  for (const label of candidates) {
    const text = tryDecode(body, sniffed ?? label);
    if (text !== null) return text;
  }
  return decodeWindows1252(body);
}

/** The text, or null when the bytes are not valid in that encoding. A one-byte Windows-1252 family label always succeeds. */
function tryDecode(body: Uint8Array, label: string): string | null {
  const decoder = decoderFor(label);
  // Latin-1, ASCII and their aliases all mean Windows-1252 (WHATWG Encoding); decoded by hand, see below.
  if (decoder.encoding === 'windows-1252') return decodeWindows1252(body);
  try {
    return new TextDecoder(decoder.encoding, { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

/** UTF-16 without a BOM, recognised from `<` followed by a NUL byte (or the reverse), as XML appendix F describes. */
function sniffedUtf16(body: Uint8Array): string | null {
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] !== 0x00) return 'utf-16le';
  if (body[0] === 0x00 && body[1] === 0x3c && body[3] !== 0x00) return 'utf-16be';
  return null;
}

/** 0x80..0x9F of Windows-1252; the bytes it leaves undefined map to the C1 control of the same number, as WHATWG says. */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

/**
 * Node 20's TextDecoder drops the bytes 0x80..0x9F in windows-1252 (curly
 * quotes, the euro sign, dashes: exactly what such feeds are full of), so
 * this one-byte encoding is decoded with its table instead.
 */
function decodeWindows1252(body: Uint8Array): string {
  let text = '';
  for (let start = 0; start < body.length; start += 8192) {
    const codes = Array.from(body.subarray(start, start + 8192), (byte) => (byte >= 0x80 && byte <= 0x9f ? (WINDOWS_1252_HIGH[byte - 0x80] ?? byte) : byte));
    text += String.fromCharCode(...codes);
  }
  return text;
}

function decoderFor(label: string): TextDecoder {
  try {
    // TextDecoder drops a BOM that matches its encoding.
    return new TextDecoder(label);
  } catch {
    // An unknown label (a typo, or an encoding ICU lacks): UTF-8 is the best guess for a modern feed.
    return new TextDecoder('utf-8');
  }
}

function bomEncoding(body: Uint8Array): string | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  return null;
}

export function charsetOf(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

/** `<?xml version="1.0" encoding="windows-1252"?>`: read as ASCII (or as UTF-16 when sniffed so); a UTF-16 claim in a document that is not UTF-16 is ignored. */
function xmlDeclarationEncoding(body: Uint8Array, sniffed: string | null): string | null {
  const bytes = body.subarray(0, sniffed ? 1024 : 512);
  const head = sniffed ? new TextDecoder(sniffed).decode(bytes) : Buffer.from(bytes).toString('latin1');
  const match = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  const label = match?.[1]?.toLowerCase() ?? null;
  if (label?.startsWith('utf-16') && !sniffed) return null;
  return label;
}
