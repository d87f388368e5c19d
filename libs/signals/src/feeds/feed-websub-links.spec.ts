import { parseFeedDocument } from './feed-parsing.js';

describe('WebSub discovery in feeds', () => {
  it('reads the hub and self links of an Atom feed, resolved against the feed', () => {
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <link rel="hub" href="https://hub.example.org/"/><link rel="self" href="/feeds/atom.xml?a=1&amp;b=2"/><link rel="alternate" href="/"/>
      <entry><id>1</id><title>One</title></entry></feed>`;
    expect(parseFeedDocument(atom, 'https://news.example.org/feeds/atom.xml')).toMatchObject({ hubUrl: 'https://hub.example.org/', selfUrl: 'https://news.example.org/feeds/atom.xml?a=1&b=2' });
  });

  it('reads atom:link in an RSS channel, and a JSON Feed hub; none when the feed names none', () => {
    const rss = `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://news.example.org/</link>
      <atom:link rel="hub" href="http://127.0.0.1:9/hub"/><atom:link rel="self" type="application/rss+xml" href="http://127.0.0.1:9/rss.xml"/>
      <item><title>One</title><guid>1</guid></item></channel></rss>`;
    expect(parseFeedDocument(rss, 'http://127.0.0.1:9/rss.xml')).toMatchObject({ hubUrl: 'http://127.0.0.1:9/hub', selfUrl: 'http://127.0.0.1:9/rss.xml' });
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', feed_url: 'https://j.example.org/feed.json', hubs: [{ type: 'WebSub', url: 'https://hub.example.org/j' }], items: [{ id: '1', title: 'x' }] });
    expect(parseFeedDocument(json, 'https://j.example.org/feed.json')).toMatchObject({ hubUrl: 'https://hub.example.org/j', selfUrl: 'https://j.example.org/feed.json' });
    expect(parseFeedDocument('<rss><channel><item><title>x</title></item></channel></rss>', 'https://n.example.org/')).toMatchObject({ hubUrl: null, selfUrl: null });
  });
});
