import fc from 'fast-check';

import { absoluteLink, alreadyNormalLink } from './feed-links.js';

/** What absoluteLink returned before its fast path: `new URL`'s answer (an absolute link parsed without its base), http(s) only. */
function generalLink(link: string, base: string): string | null {
  try {
    const url = /^https?:\/\//i.test(link) ? new URL(link) : new URL(link, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

const BASES = [
  'https://news.example.org/section/feed.xml',
  'http://127.0.0.1:4000/feeds/1.xml',
  'http://user:secret@host.example:8080/a/b/c.xml?q=1#top',
  'https://bare.example',
  'http://empty-query.example/a?',
  'http://empty-fragment.example/a#',
  'https://xn--bcher-kva.example/dir/',
  'http://[::1]/x/',
  'file:///tmp/feed.xml',
  'not a url',
];

/** Pieces links are made of, chosen to reach every rule of the fast path: dot segments, escapes, IPv4-looking and IDNA hosts, ports, users, schemes, case, characters the parser escapes. */
const PIECES = [
  'a', 'Z', '0', '9', '-', '.', '..', '/', '//', '?', '#', ':', '@', '%', '%2e', '%41', '_', '~', '!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=',
  ' ', '\\', '|', '^', '`', '{', '}', '[', ']', '"', '<', '>', 'é', '\t', 'xn--', 'http', 'https', '://', 'http://', 'https://', 'HTTP://', 'mailto:',
  'javascript:', 'example', '.com', '1', '127', '0x', 'www.', ':80', ':443', ':8080', 'user@', 'u:p@',
];
const HOSTS = ['a', 'x-y', 'www.example', 'a.b.c', 'a1', '1a', 'a.1', '-a', 'ab--cd', 'A.example'];

const links = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join('')),
  fc
    .tuple(fc.constantFrom('http://', 'https://', '/', ''), fc.constantFrom(...HOSTS), fc.constantFrom('.com', '.org', '', '.'), fc.constantFrom('/', ''), fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }))
    .map(([scheme, host, tld, slash, rest]) => `${scheme}${host}${tld}${slash}${rest.join('')}`),
);

describe('alreadyNormalLink', () => {
  it('whenever it answers, answers what new URL does', () => {
    let answered = 0;
    fc.assert(
      fc.property(links, fc.constantFrom(...BASES), (link, base) => {
        const fast = alreadyNormalLink(link, base);
        if (fast === null) return;
        answered += 1;
        expect(fast).toBe(generalLink(link, base));
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches the fast path often enough for the comparison to mean something.
    expect(answered).toBeGreaterThan(2_000);
  });

  it('answers for the links feeds are made of, and leaves the rest to the parser', () => {
    const base = 'https://news.example.org/section/feed.xml';
    expect(alreadyNormalLink('https://news.example.org/2026/ascend?utm_source=rss#top', base)).toBe('https://news.example.org/2026/ascend?utm_source=rss#top');
    expect(alreadyNormalLink('/2026/ascend', base)).toBe('https://news.example.org/2026/ascend');
    expect(alreadyNormalLink('entries/1.html', base)).toBe('https://news.example.org/section/entries/1.html');
    expect(alreadyNormalLink('/feeds/1', 'http://user:pw@host.example:8080/a/b.xml?q#f')).toBe('http://user:pw@host.example:8080/feeds/1');
    for (const link of ['HTTPS://News.example.org/', 'https://news.example.org', 'https://news.example.org:443/', 'https://news.example.org/a%20b', 'https://news.example.org/a/../b', '../up', './here', '//cdn.example/x', '?page=2', '#top', 'mailto:x@example.org', 'https://xn--bcher-kva.example/', 'https://10.0.0.1/', 'https://news.example.org/a b']) {
      expect(alreadyNormalLink(link, base)).toBeNull();
    }
    expect(alreadyNormalLink('/x', 'file:///tmp/feed.xml')).toBeNull();
  });
});

describe('absoluteLink', () => {
  it('agrees with new URL on the generated links, fast path or not', () => {
    fc.assert(
      fc.property(links, fc.constantFrom(...BASES), (link, base) => {
        expect(absoluteLink(link, base)).toBe(link.trim() ? generalLink(link.trim(), base) : null);
      }),
      { numRuns: 5_000 },
    );
  });
});
