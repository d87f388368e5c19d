import { OutboundGuard, OutboundRequestRefusedError, type HostResolver } from './outbound-guard.js';

/** A DNS stand-in: the guard's decisions are about what DNS answers, so the answers are the test's input. */
const answers =
  (table: Record<string, string[]>): HostResolver =>
  (host) => {
    const addresses = table[host];
    if (!addresses) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) })));
  };

const dns = answers({
  'public.example': ['93.184.215.14'],
  'internal.example': ['10.0.0.7'],
  'rebind.example': ['93.184.215.14', '127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'v6.example': ['::1'],
  'feeds.corp': ['192.168.3.3'],
});

describe('OutboundGuard', () => {
  it('gives the same verdict when asked again about the same host and address (the verdict is remembered, refusals too)', async () => {
    const guard = new OutboundGuard('feeds.corp', dns);
    for (let round = 0; round < 3; round++) {
      await expect(guard.resolve(new URL('https://public.example/feed'))).resolves.toEqual({ address: '93.184.215.14', family: 4 });
      await expect(guard.resolve(new URL('http://feeds.corp/rss'))).resolves.toEqual({ address: '192.168.3.3', family: 4 });
      await expect(guard.resolve(new URL('http://rebind.example/'))).rejects.toThrow(/rebind\.example \(127\.0\.0\.1\): it is a loopback address/);
      // The same address under a name the allowlist does not hold stays refused: the verdict is per host and address.
      await expect(guard.resolve(new URL('http://192.168.3.3/rss'))).rejects.toThrow(/private address/);
    }
  });

  it('returns the checked address of a public host', async () => {
    await expect(new OutboundGuard('', dns).resolve(new URL('https://public.example/feed'))).resolves.toEqual({ address: '93.184.215.14', family: 4 });
  });

  it.each([
    ['http://internal.example/', /internal\.example \(10\.0\.0\.7\): it is a private address/],
    ['http://metadata.example/latest', /link-local/],
    ['http://v6.example/', /loopback/],
    ['http://127.0.0.1:8080/', /127\.0\.0\.1: it is a loopback address/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[fe80::1]/', /link-local/],
    ['http://0.0.0.0/', /unspecified/],
    // Decimal and hex spellings: the URL parser turns them into dotted quads before the guard looks.
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
  ])('refuses %s', async (url, message) => {
    const refusal = new OutboundGuard('', dns).resolve(new URL(url));
    await expect(refusal).rejects.toThrow(OutboundRequestRefusedError);
    await expect(new OutboundGuard('', dns).resolve(new URL(url))).rejects.toThrow(message);
  });

  it('refuses a host when any of its addresses is special, not only the first', async () => {
    await expect(new OutboundGuard('', dns).resolve(new URL('http://rebind.example/'))).rejects.toThrow(/loopback/);
  });

  it('says how to allow it, and the allowlist allows exactly what it names', async () => {
    await expect(new OutboundGuard('', dns).resolve(new URL('http://127.0.0.1/'))).rejects.toThrow(/OUTBOUND_ALLOWLIST/);
    const guard = new OutboundGuard('127.0.0.1, 10.0.0.0/24, feeds.corp', dns);
    await expect(guard.resolve(new URL('http://127.0.0.1:9/'))).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(guard.resolve(new URL('http://internal.example/'))).resolves.toEqual({ address: '10.0.0.7', family: 4 });
    await expect(guard.resolve(new URL('http://feeds.corp/'))).resolves.toEqual({ address: '192.168.3.3', family: 4 });
    await expect(guard.resolve(new URL('http://metadata.example/'))).rejects.toThrow(/link-local/);
  });

  it.each([['ftp://public.example/'], ['file:///etc/passwd'], ['http://user:pw@public.example/']])('refuses the URL %s', async (url) => {
    await expect(new OutboundGuard('', dns).resolve(new URL(url))).rejects.toThrow(OutboundRequestRefusedError);
  });

  it('reports a host that does not resolve', async () => {
    await expect(new OutboundGuard('', dns).resolve(new URL('http://nowhere.example/'))).rejects.toThrow(/could not be resolved \(ENOTFOUND\)/);
  });

  it('checks a saved URL without DNS: its shape, and a literal address', () => {
    const guard = new OutboundGuard('', dns);
    expect(() => guard.checkSavedUrl('http://10.1.1.1/')).toThrow(/private/);
    expect(() => guard.checkSavedUrl('http://internal.example/')).not.toThrow();
    expect(() => guard.checkSavedUrl('not a url', 'endpointUrl')).toThrow(expect.objectContaining({ field: 'endpointUrl', message: 'endpointUrl is not a valid URL' }));
    expect(() => guard.checkSavedUrl('ftp://example.org/', 'endpointUrl')).toThrow(expect.objectContaining({ field: 'endpointUrl' }));
  });
});
