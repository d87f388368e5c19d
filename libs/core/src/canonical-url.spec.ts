import { canonicalUrl } from './canonical-url.js';

describe('canonicalUrl', () => {
  it('drops the fragment, tracking parameters and default port and sorts the rest', () => {
    expect(canonicalUrl('HTTPS://Example.COM:443/a/b?z=1&utm_source=x&a=2#top')).toBe('https://example.com/a/b?a=2&z=1');
  });

  it('gives the same form for links that differ only in tracking', () => {
    expect(canonicalUrl('https://example.com/story?fbclid=abc')).toBe(canonicalUrl('https://example.com/story'));
    expect(canonicalUrl('https://example.com/story?utm_campaign=x&gclid=1&msclkid=2&mc_eid=3')).toBe('https://example.com/story');
  });

  it('keeps the path as it is: /a and /a/ may be different pages', () => {
    expect(canonicalUrl('https://example.com/a/')).not.toBe(canonicalUrl('https://example.com/a'));
  });

  it.each([
    ['https://www.cnbc.com/amp/2026/02/19/us-adds-deepseek-to-entity-list.html', 'https://www.cnbc.com/2026/02/19/us-adds-deepseek-to-entity-list.html'],
    ['https://www.theguardian.com/technology/2026/feb/19/deepseek/amp', 'https://www.theguardian.com/technology/2026/feb/19/deepseek'],
    ['https://amp.theguardian.com/technology/2026/feb/19/deepseek', 'https://www.theguardian.com/technology/2026/feb/19/deepseek'],
    ['https://m.example.com/news/1?utm_source=x', 'https://example.com/news/1'],
    ['https://mobile.example.com/news/1', 'http://www.example.com/news/1'],
    ['https://example.com/news/1.amp.html', 'https://example.com/news/1.html'],
    ['https://example.com/news/1?amp=1', 'https://example.com/news/1'],
    ['https://example.com/news/1?outputType=amp', 'https://example.com/news/1'],
    ['https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/1', 'https://example.com/news/1'],
    ['https://www.google.com/amp/s/example.com/news/1', 'https://example.com/news/1'],
  ])('reads the AMP or mobile edition %s as %s', (edition, page) => {
    expect(canonicalUrl(edition)).toBe(canonicalUrl(page));
  });

  it('keeps what names a different page: other hosts, ports, a page called amp, other parameters', () => {
    expect(canonicalUrl('https://example.com/amp')).toBe('https://example.com/amp');
    expect(canonicalUrl('https://example.com:8443/a')).toBe('https://example.com:8443/a');
    expect(canonicalUrl('https://news.example.com/a')).not.toBe(canonicalUrl('https://example.com/a'));
    expect(canonicalUrl('https://m.com/a')).toBe('https://m.com/a');
    expect(canonicalUrl('https://example.com/a?id=1')).not.toBe(canonicalUrl('https://example.com/a?id=2'));
  });

  it.each([['not a url'], ['ftp://example.com/file'], ['javascript:alert(1)'], ['/relative/path']])('refuses %s', (raw) => {
    expect(canonicalUrl(raw)).toBeNull();
  });
});
