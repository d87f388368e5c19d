import { decodeResponseText } from './response-text-decoding.js';

const latin1Feed = (declaration: string): Buffer => Buffer.from(`${declaration}<rss><channel><title>Caf\u00e9 \u00bd</title></channel></rss>`, 'latin1');

describe('decodeResponseText', () => {
  it('uses the charset of Content-Type', () => {
    expect(decodeResponseText(latin1Feed(''), 'application/rss+xml; charset=ISO-8859-1')).toContain('Café ½');
  });

  it('falls back to the XML declaration when Content-Type has no charset', () => {
    expect(decodeResponseText(latin1Feed('<?xml version="1.0" encoding="windows-1252"?>'), 'text/xml')).toContain('Café ½');
  });

  it('decodes Windows-1252 specials (curly quotes, euro) that Latin-1 lacks', () => {
    const bytes = Buffer.from([0x93, 0x80, 0x35, 0x94]);
    expect(decodeResponseText(bytes, 'text/plain; charset=windows-1252')).toBe('\u201c\u20ac5\u201d');
  });

  it('honours a byte-order mark over everything else, and strips it', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss>é</rss>', 'utf16le')]);
    expect(decodeResponseText(utf16, 'text/xml; charset=utf-8')).toBe('<rss>é</rss>');
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x', 'utf8')]);
    expect(decodeResponseText(utf8, null)).toBe('x');
  });

  it('defaults to UTF-8, falls back to Windows-1252 for bytes that are not UTF-8, survives unknown labels and unknown labels', () => {
    expect(decodeResponseText(Buffer.from('日本語', 'utf8'), null)).toBe('日本語');
    expect(decodeResponseText(Buffer.from([0x61, 0xff, 0x62]), 'text/xml')).toBe('a\u00ffb');
    expect(decodeResponseText(Buffer.from('ok'), 'text/xml; charset=no-such-charset')).toBe('ok');
  });

  it('reads Shift_JIS when declared', () => {
    const shiftJis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]);
    expect(decodeResponseText(shiftJis, 'text/xml; charset=Shift_JIS')).toBe('日本');
  });

  it('reads UTF-16 without a byte-order mark, from its first bytes', () => {
    const text = '<?xml version="1.0" encoding="utf-16"?><rss>\u00e9\u4e2d</rss>';
    expect(decodeResponseText(Buffer.from(text, 'utf16le'), 'application/xml')).toBe(text);
    const be = Buffer.from(text, 'utf16le').swap16();
    expect(decodeResponseText(be, null)).toBe(text);
  });

  it('lets the HTTP charset win over the XML declaration (RFC 7303), and the declaration over the UTF-8 default', () => {
    const declaredLatin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><t>'), Buffer.from('\u00e9', 'utf8'), Buffer.from('</t>')]);
    // The server says UTF-8 and the bytes are UTF-8: the declaration is overruled.
    expect(decodeResponseText(declaredLatin1, 'application/rss+xml; charset=utf-8')).toContain('<t>\u00e9</t>');
    // No charset from the server: the declaration decides, for application/* and text/* alike.
    expect(decodeResponseText(declaredLatin1, 'application/xml')).toContain('<t>\u00c3\u00a9</t>');
    expect(decodeResponseText(declaredLatin1, 'text/xml')).toContain('<t>\u00c3\u00a9</t>');
  });

  it('falls back to the declared encoding when the HTTP charset cannot decode the bytes', () => {
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1252"?><t>'), Buffer.from([0x93, 0x63, 0x61, 0x66, 0xe9, 0x94]), Buffer.from('</t>')]);
    expect(decodeResponseText(latin1, 'text/xml; charset=utf-8')).toContain('<t>\u201ccaf\u00e9\u201d</t>');
  });

  it('ignores a UTF-16 declaration in a document that is not UTF-16', () => {
    expect(decodeResponseText(Buffer.from('<?xml version="1.0" encoding="utf-16"?><t>caf\u00e9</t>', 'utf8'), null)).toContain('caf\u00e9');
  });
});
