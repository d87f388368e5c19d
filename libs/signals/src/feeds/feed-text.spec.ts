import { decodeHTML } from 'entities';
import fc from 'fast-check';

import { cleanHtml, collapseWhitespace, decodeEntities, fieldText, hasInlineElements, htmlToPlainText, inlineMarkupSource, plainMarkupToText, repairText, xmlContentToString } from './feed-text.js';

describe('htmlToPlainText', () => {
  it('strips tags, scripts, comments and DOCTYPEs, decodes entities, keeps a lone "<"', () => {
    expect(htmlToPlainText('<p>One</p><p>two&nbsp;&amp; three</p><!-- x --><style>p{}</style>')).toBe('One two & three');
    expect(htmlToPlainText('<!DOCTYPE html><html><head><title>T</title></head><body>Body</body></html>')).toBe('Body');
    expect(htmlToPlainText('Text<!-- never closed')).toBe('Text');
    expect(htmlToPlainText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToPlainText('caf&eacute; &#8212; &#x263A;')).toBe('café — ☺');
  });
});

describe('htmlToPlainText on hostile HTML', () => {
  it.each([
    ['an event attribute beside a ">" in an attribute', `<img src="x.png" alt="a > b" onerror="alert('pwned')">Readable text`],
    ['an event handler holding ">"', '<a href="/x" onmouseover="if (a > b) { alert(1) }">Readable</a> text'],
    ['a CSS expression in a style attribute', `<span style="width: expression(alert('>'))">Readable</span> text`],
    ['a style element', '<style>p { width: expression(alert(1)) }</style>Readable text'],
    ['a script in a CDATA section of the HTML', '<![CDATA[<script>alert(1)</script>Readable text]]>'],
    ['markup hidden in an attribute inside noscript', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">Readable text</p></noscript>'],
    ['applets, frames, objects, embeds and templates', '<applet>alert(1)</applet><iframe>alert(1)</iframe><object data="x.swf"><embed src="alert(1).swf"></object><template>alert(1)</template>Readable text'],
    ['a script with attributes and odd case', '<ScRiPt type="text/javascript" src="a>b">alert(1)</sCrIpT>Readable text'],
    ['a javascript: link', '<a href="javascript:alert(1)">Readable</a> text'],
    ['a comment holding a script', '<!--<script>alert(1)</script>-->Readable text'],
  ])('%s: the text stays, the active part goes', (_name, html) => {
    expect(htmlToPlainText(html)).toBe('Readable text');
  });

  /** Self-contained active constructs, each carrying "alert" only where it is code, between readable pieces. */
  const HOSTILE = [
    '<script>alert(1)</script>', '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">', '<div style="x: expression(alert(1))">', '<style>p{x:expression(alert(1))}</style>',
    '<iframe src="javascript:alert(1)">alert(1)</iframe>', '<![CDATA[<script>alert(1)</script>]]>', '<!--alert(1)-->', '<svg onload=alert(1)>', '<applet>alert(1)</applet>',
    '<p title="a > b" onclick="alert(1)">', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', '<textarea>alert(1)</textarea>', '<template>alert(1)</template>',
  ];
  const READABLE = ['Readable', ' ', 'a > b', '<p>', '</p>', '<b>', '</b>', '<br>', '&amp;', '\n'];

  it('never lets an active part into the text, in any mixture', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HOSTILE, ...READABLE), { maxLength: 10 }), fc.constantFrom('html' as const, 'xhtml' as const), (pieces, dialect) => {
        expect(htmlToPlainText(pieces.join(''), dialect)).not.toMatch(/alert/);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the sanitiser\'s fast path (plainMarkupToText)', () => {
  /** Text, entities and a lone "<" between plain tags (attributes, case, self-closing, nesting) and tags that must go through the sanitiser (stray or crossed end tags, comments, scripts, declarations). */
  const PIECES = [
    'a', 'word', ' ', '\n', '\t', '<', '< 3', '>', '&amp;', '&lt;b&gt;', '&nbsp;', '&copy', '&unknown;', '&#8217;', '&#150;', 'caf\u00e9',
    '<p>', '</p>', '<P>', '</P>', '<b>', '</b>', '<br>', '<br/>', '<br />', '<div class="x">', '</div>', '<a href="/x?a=1&amp;b=2">', '</a>', "<img src='x.png' alt=''>",
    '<span title=plain>', '</span>', '<li>', '</li>', '<ul>', '</ul>', '<em>', '</em>', '<td>', '</td>', '<tr>', '<table>', '</table>', '<p/>', '<span/>', '<hr>', '<wbr>',
    '</x>', '<x>', '</ b>', '<!-- c -->', '<![CDATA[', ']]>', '<?pi?>', '<script>', '</script>', '<title>', '<a onclick="a>b">', '<p title=\'</p>\'>',
  ];
  const fragments = fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((pieces) => pieces.join(''));

  it('reads markup it takes straight to the same text as the sanitiser leaves', () => {
    fc.assert(
      fc.property(fragments, fc.constantFrom('html' as const, 'xhtml' as const), (html, dialect) => {
        expect(htmlToPlainText(html, dialect)).toBe(htmlToPlainText(cleanHtml(html, dialect), dialect));
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes only plain tags, nested as written, straight', () => {
    expect(plainMarkupToText('<p>A <b>bold</b> <a href="/x">link</a><br/></p>')).toBe('A bold link');
    expect(plainMarkupToText('a < b')).toBe('a < b');
    expect(plainMarkupToText('<p>a</div>')).toBeNull();
    expect(plainMarkupToText('<a title="a>b">x</a>')).toBeNull();
    expect(plainMarkupToText('<script>x</script>')).toBeNull();
    expect(plainMarkupToText('<!-- x -->')).toBeNull();
  });
});

describe('fieldText', () => {
  it('keeps plain text as written and sniffs RSS text for HTML', () => {
    expect(fieldText('Use <guid> here', 'text')).toBe('Use <guid> here');
    expect(fieldText('Use <guid> here', 'sniff')).toBe('Use <guid> here');
    expect(fieldText('<b>Bold</b> news', 'sniff')).toBe('Bold news');
    expect(fieldText('AT&amp;T', 'sniff')).toBe('AT&T');
  });

  it('keeps sniffed markup with no text at all as the text it is, and drops sniffed HTML whose only text was code', () => {
    expect(fieldText('<br>', 'sniff')).toBe('<br>');
    expect(fieldText('<em></em>', 'sniff')).toBe('<em></em>');
    expect(fieldText('<script>alert(1)</script>', 'sniff')).toBe('');
  });

  it('reads XHTML as written: its markup goes, its escaped markup is text, decoded once', () => {
    expect(fieldText('<div>History of the &lt;blink&gt; tag</div>', 'xhtml')).toBe('History of the <blink> tag');
    expect(fieldText('<p>Write &amp;lt; for &lt;</p>', 'xhtml')).toBe('Write &lt; for <');
    expect(fieldText('<script src="x.js"/>Text after a script that closes itself', 'xhtml')).toBe('Text after a script that closes itself');
  });
});

describe('inline XHTML', () => {
  it('finds real elements outside CDATA sections only', () => {
    expect(hasInlineElements('<div>x</div>')).toBe(true);
    expect(hasInlineElements('&lt;b&gt; and <![CDATA[<b>]]>')).toBe(false);
    expect(hasInlineElements('a <![CDATA[<b>]]> <i>c</i>')).toBe(true);
    expect(hasInlineElements('<!-- c --> <?pi?>')).toBe(false);
  });

  it('makes CDATA sections escaped text and drops namespace prefixes, decoding nothing', () => {
    expect(inlineMarkupSource('<x:p>a &lt;b&gt; <![CDATA[<i>&amp;]]></x:p>')).toBe('<p>a &lt;b&gt; &lt;i&gt;&amp;amp;</p>');
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
