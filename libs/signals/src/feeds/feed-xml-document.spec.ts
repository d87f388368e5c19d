import { expandDeclaredEntities, FeedDocumentError, readXmlDocument } from './feed-xml-document.js';

describe('readXmlDocument', () => {
  it('names elements by canonical prefix, whatever prefix the document chose', () => {
    const { rootName, root } = readXmlDocument('<r:rss xmlns:r="http://backend.userland.com/rss2" xmlns:d="http://purl.org/dc/elements/1.1/"><r:channel><d:date>x</d:date></r:channel></r:rss>');
    expect(rootName).toBe('rss');
    expect(root).toMatchObject({ channel: { 'dc:date': 'x' } });
  });

  it('keeps text elements as raw inner XML', () => {
    const { root } = readXmlDocument('<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div>a <b>b</b></div></title></feed>');
    expect(root).toMatchObject({ 'atom:title': { '#text': '<div>a <b>b</b></div>' } });
  });

  it('names the cause of a refusal', () => {
    expect(() => readXmlDocument('<rss>\n<channel>\n<item><title>a</ti')).toThrow(/line 3/);
    expect(() => readXmlDocument(`<rss>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</rss>`)).toThrow(/too deeply/);
    expect(() => readXmlDocument('')).toThrow(FeedDocumentError);
  });
});

describe('expandDeclaredEntities', () => {
  it('expands internal entities, keeps line numbers, refuses external ones in use', () => {
    expect(expandDeclaredEntities('<!DOCTYPE r [\n<!ENTITY a "A">\n]>\n<r>&a;&amp;</r>')).toBe('\n\n\n<r>A&amp;</r>');
    expect(() => expandDeclaredEntities('<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>')).toThrow(/external entity "e"/);
  });
});

describe('truncated documents', () => {
  it('refuses a document whose root element is never closed, naming the line', () => {
    expect(() => readXmlDocument('<rss>\n<channel>\n<item><title>a</title></item>\n<item><title>half a tit')).toThrow(/not well-formed XML.*line \d/);
  });
});
