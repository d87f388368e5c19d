import { fieldText, htmlToPlainText, repairText, xmlContentToString } from './feed-text.js';

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
