import { FeedParseError, htmlToPlainText, parseFeedDocument, parseFeedDate } from './feed-parsing.js';

const FEED_URL = 'https://news.example.org/section/feed.xml';

const RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Example</title><link>https://news.example.org/</link><ttl>90</ttl>
    <item>
      <title><![CDATA[Huawei <b>Ascend</b> &amp; the cluster]]></title>
      <link>/2026/ascend?utm_source=rss</link>
      <guid isPermaLink="false">ascend-1</guid>
      <pubDate>Fri, 27 Nov 2026 09:30:00 GMT</pubDate>
      <description>&lt;p&gt;Shipments &lt;em&gt;doubled&lt;/em&gt;.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
    </item>
    <item>
      <description>An item without a title, only a summary that is long enough to be cut into a title for the reviewer</description>
      <dc:date>2026-11-26T08:00:00Z</dc:date>
    </item>
    <item><title>Bad date</title><link>https://other.example/x</link><pubDate>sometime last week</pubDate></item>
    <item><category>empty</category></item>
  </channel>
</rss>`;

const ATOM = `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom</title><id>urn:feed</id><updated>2026-11-27T00:00:00Z</updated>
  <entry>
    <id>urn:entry:1</id>
    <title type="html">DeepSeek &lt;i&gt;hiring&lt;/i&gt;</title>
    <link rel="enclosure" href="/audio.mp3"/>
    <link rel="alternate" href="entries/1.html"/>
    <updated>2026-11-27T10:00:00Z</updated>
    <published>2026-11-27T09:00:00Z</published>
    <summary>Hardware roles</summary>
  </entry>
  <entry><id>urn:entry:2</id><title>No dates</title><link href="https://a.example/2"/><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry>
</feed>`;

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link></channel>
  <item rdf:about="https://rdf.example/1"><title>Subsidy round</title><link>https://rdf.example/1</link><dc:date>2026-11-20</dc:date><description>Provincial funds</description></item>
</rdf:RDF>`;

const JSON_FEED = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'JSON',
  items: [
    { id: 'j1', url: 'posts/1', title: 'Chip fabs', content_html: '<p>New <b>fab</b></p>', date_published: '2026-11-25T12:00:00+01:00' },
    { id: 'j2', content_text: 'Text only item' },
  ],
});

describe('parseFeedDocument', () => {
  it('reads RSS 2.0: CDATA and HTML titles become text, relative links resolve, bad dates are empty, empty items are reported', () => {
    const feed = parseFeedDocument(RSS, FEED_URL);
    expect(feed.format).toBe('rss');
    expect(feed.ttlSeconds).toBe(90 * 60);
    expect(feed.entries).toHaveLength(3);
    expect(feed.entries[0]).toEqual({
      externalId: 'ascend-1',
      url: 'https://news.example.org/2026/ascend?utm_source=rss',
      title: 'Huawei Ascend & the cluster',
      summary: 'Shipments doubled.',
      publishedAt: new Date('2026-11-27T09:30:00Z'),
    });
    expect(feed.entries[1]?.title).toMatch(/^An item without a title/);
    expect(feed.entries[1]?.publishedAt).toEqual(new Date('2026-11-26T08:00:00Z'));
    expect(feed.entries[2]?.publishedAt).toBeNull();
    expect(feed.skipped).toEqual([{ index: 3, reason: 'the item has no title, summary, link, id or date' }]);
  });

  it('reads Atom 1.0, preferring the alternate link and the published date', () => {
    const feed = parseFeedDocument(ATOM, FEED_URL);
    expect(feed.format).toBe('atom');
    expect(feed.entries[0]).toMatchObject({
      externalId: 'urn:entry:1',
      url: 'https://news.example.org/section/entries/1.html',
      title: 'DeepSeek hiring',
      summary: 'Hardware roles',
      publishedAt: new Date('2026-11-27T09:00:00Z'),
    });
    expect(feed.entries[1]).toMatchObject({ summary: 'Body', publishedAt: null });
  });

  it('reads RSS 1.0 (RDF)', () => {
    const feed = parseFeedDocument(RDF, FEED_URL);
    expect(feed.format).toBe('rdf');
    expect(feed.entries).toEqual([
      { externalId: 'https://rdf.example/1', url: 'https://rdf.example/1', title: 'Subsidy round', summary: 'Provincial funds', publishedAt: new Date('2026-11-20T00:00:00Z') },
    ]);
  });

  it('reads JSON Feed 1.1', () => {
    const feed = parseFeedDocument(JSON_FEED, 'https://j.example/feed.json');
    expect(feed.format).toBe('json');
    expect(feed.entries[0]).toEqual({
      externalId: 'j1',
      url: 'https://j.example/posts/1',
      title: 'Chip fabs',
      summary: 'New fab',
      publishedAt: new Date('2026-11-25T11:00:00Z'),
    });
    expect(feed.entries[1]).toMatchObject({ externalId: 'j2', title: 'Text only item', url: null });
  });

  it.each([
    ['HTML', '<html><body>Not a feed</body></html>'],
    ['truncated XML', '<rss version="2.0"><channel><item><title>a</title></item><item><title>b</ti'],
    ['nothing', ''],
    ['JSON that is not a feed', '{"hello": "world"}'],
  ])('refuses %s with a FeedParseError', (_name, text) => {
    expect(() => parseFeedDocument(text, FEED_URL)).toThrow(FeedParseError);
  });

  it('keeps only http(s) links', () => {
    const rss = '<rss version="2.0"><channel><title>x</title><item><title>t</title><link>javascript:alert(1)</link></item></channel></rss>';
    expect(parseFeedDocument(rss, FEED_URL).entries[0]?.url).toBeNull();
  });
});

describe('htmlToPlainText', () => {
  it('strips tags, scripts and comments, decodes entities, keeps a lone "<"', () => {
    expect(htmlToPlainText('<p>One</p><p>two&nbsp;&amp; three</p><!-- x --><style>p{}</style>')).toBe('One two & three');
    expect(htmlToPlainText('a < b and c > d')).toBe('a < b and c > d');
    expect(htmlToPlainText('caf&eacute; &#8212; &#x263A;')).toBe('café — ☺');
  });
});

describe('parseFeedDate', () => {
  const now = Date.parse('2026-11-28T00:00:00Z');
  it('reads RFC 822 and ISO 8601 and rejects the implausible', () => {
    expect(parseFeedDate('Tue, 10 Jun 2003 04:00:00 GMT', now)).toEqual(new Date('2003-06-10T04:00:00Z'));
    expect(parseFeedDate('2026-11-27T10:00:00+02:00', now)).toEqual(new Date('2026-11-27T08:00:00Z'));
    expect(parseFeedDate('', now)).toBeNull();
    expect(parseFeedDate('yesterday', now)).toBeNull();
    expect(parseFeedDate('1970-01-01T00:00:00Z', now)).toBeNull();
    expect(parseFeedDate('2030-01-01T00:00:00Z', now)).toBeNull();
  });
});
