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

  it('defaults to UTF-8, survives bad bytes and unknown labels', () => {
    expect(decodeResponseText(Buffer.from('日本語', 'utf8'), null)).toBe('日本語');
    expect(decodeResponseText(Buffer.from([0x61, 0xff, 0x62]), 'text/xml')).toBe('a\ufffdb');
    expect(decodeResponseText(Buffer.from('ok'), 'text/xml; charset=no-such-charset')).toBe('ok');
  });

  it('reads Shift_JIS when declared', () => {
    const shiftJis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]);
    expect(decodeResponseText(shiftJis, 'text/xml; charset=Shift_JIS')).toBe('日本');
  });
});
