import { decodeHTML } from 'entities';
import fc from 'fast-check';

import { collapseWhitespace, decodeEntities, fieldText, htmlToPlainText, repairText, xmlContentToString } from './feed-text.js';

describe('htmlToPlainText', () => {
  it('strips tags, scripts, comments and DOCTYPEs, decodes entities, keeps a lone "<"', () => {
    expect(htmlToPlainText('<p>One</p><p>two&nbsp;&amp; three</p><!-- x --><style>p{}</style>')).toBe('One two & three');
    expect(htmlToPlainText('<!DOCTYPE html><html><head><title>T</title></head><body>Body</body></html>')).toBe('Body');
    expect(htmlToPlainText('Text<!-- never closed')).toBe('Text');
    expect(htmlToPlainText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToPlainText('caf&eacute; &#8212; &#x263A;')).toBe('café — ☺');
  });
});

describe('fieldText', () => {
  it('keeps plain text as written and sniffs RSS text for HTML', () => {
    expect(fieldText('Use <guid> here', 'text')).toBe('Use <guid> here');
    expect(fieldText('Use <guid> here', 'sniff')).toBe('Use <guid> here');
    expect(fieldText('<b>Bold</b> news', 'sniff')).toBe('Bold news');
    expect(fieldText('AT&amp;T', 'sniff')).toBe('AT&T');
  });
});

describe('xmlContentToString', () => {
  it('opens CDATA sections and decodes references outside them only', () => {
    expect(xmlContentToString('a &amp; <![CDATA[<b>&amp;</b>]]> c')).toBe('a & <b>&amp;</b> c');
  });
});

describe('repairText', () => {
  it('maps C1 controls to Windows-1252 and undoes doubly-encoded UTF-8', () => {
    expect(repairText('\u0093Quoted\u0094')).toBe('\u201cQuoted\u201d');
    expect(repairText('Caf\u00c3\u00a9')).toBe('Café');
    expect(repairText('\u00e2\u20ac\u0153Q\u00e2\u20ac\u009d')).toBe('\u201cQ\u201d');
    expect(repairText('Grüße, À bientôt')).toBe('Grüße, À bientôt');
  });
});

describe('decodeEntities', () => {
  /** Pieces of text around references: the five XML entities, numeric references at the edges of what is decoded in place (NUL, C1, surrogates, beyond Unicode, too many digits), HTML-only and legacy names, stray `&`, `#` and `;`. */
  const PIECES = [
    'a', ' ', 'é', '<', '\n', '&', ';', '#', 'x', 'X', 'lt', 'amp', 'quot', '&lt;', '&gt;', '&amp;', '&quot;', '&apos;', '&#', '&#x', '&#X', '0', '1', '9', '39',
    '128', '150', '159', '160', '8217', '55295', '55296', '57344', '1114111', '1114112', '99999999', 'd7ff', 'D800', 'e000', '10ffff', '110000', 'f', 'g',
    '&&', '&nbsp;', '&eacute;', '&ltimes;', '&amplt;', '&lt', '&copy', '&ampx;', '&#39;', '&#x2019;', '&#0;', '&#150;',
  ];
  const texts = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((pieces) => pieces.join(''));

  it('decodes what decodeHTML decodes, the same way', () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(decodeEntities(text)).toBe(decodeHTML(text));
      }),
      { numRuns: 10_000 },
    );
  });

  it('decodes XML entities and plain numeric references itself', () => {
    expect(decodeEntities('&lt;p&gt;AT&amp;T&apos;s &quot;fab&quot; &#8217; &#x263A;&lt;/p&gt;')).toBe('<p>AT&T\'s "fab" \u2019 \u263a</p>');
  });
});

describe('collapseWhitespace', () => {
  const WHITESPACE_TO_COLLAPSE = /[\s\u00a0]{2,}|[^\S ]|\u00a0/g;

  it('collapses as a replace of every run and lone non-space whitespace does, and trims', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', 'b', '.'), { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(collapseWhitespace(text)).toBe(text.replace(WHITESPACE_TO_COLLAPSE, ' ').trim());
      }),
      { numRuns: 10_000 },
    );
  });
});
