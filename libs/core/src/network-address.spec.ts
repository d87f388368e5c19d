import { embeddedIpv4, OutboundAllowlist, specialAddressKind } from './network-address.js';

describe('specialAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared address space (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local (private)'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
  ])('%s is %s', (address, kind) => {
    expect(specialAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:81c::200e'])(
    '%s is public',
    (address) => {
      expect(specialAddressKind(address)).toBeNull();
    },
  );

  it('judges IPv6 wrappers of an IPv4 address by the address they wrap', () => {
    expect(specialAddressKind('::ffff:127.0.0.1')).toBe('loopback');
    expect(specialAddressKind('::ffff:7f00:1')).toBe('loopback');
    expect(specialAddressKind('::ffff:a9fe:a9fe')).toBe('link-local');
    expect(specialAddressKind('64:ff9b::10.0.0.1')).toBe('private');
    expect(specialAddressKind('::ffff:8.8.8.8')).toBeNull();
    expect(embeddedIpv4('::ffff:c0a8:101')).toBe('192.168.1.1');
    // IPv4-translated (::ffff:0:0/96) addresses are judged as the IPv4 host too.
    expect(specialAddressKind('::ffff:0:7f00:1')).toBe('loopback');
    expect(specialAddressKind('::ffff:0:10.0.0.1')).toBe('private');
    expect(embeddedIpv4('::ffff:0:808:808')).toBe('8.8.8.8');
    expect(embeddedIpv4('2606:4700::1')).toBeNull();
  });

  it('refuses something that is not an address', () => {
    expect(() => specialAddressKind('localhost')).toThrow(/not an IP address/);
  });
});

describe('OutboundAllowlist', () => {
  it('allows listed addresses, ranges and host names, nothing else', () => {
    const allowlist = new OutboundAllowlist(' 127.0.0.1, 10.20.0.0/16 ,feeds.internal,fd00::/8');
    expect(allowlist.allows('example', '127.0.0.1')).toBe(true);
    expect(allowlist.allows('example', '127.0.0.2')).toBe(false);
    expect(allowlist.allows('example', '10.20.3.4')).toBe(true);
    expect(allowlist.allows('example', '10.21.0.1')).toBe(false);
    expect(allowlist.allows('FEEDS.internal.', '192.168.0.5')).toBe(true);
    expect(allowlist.allows('other.internal', '192.168.0.5')).toBe(false);
    expect(allowlist.allows('example', 'fd00::5')).toBe(true);
    expect(allowlist.allows('example', '::ffff:127.0.0.1')).toBe(true);
  });

  it('is empty for an empty setting and rejects a bad prefix length', () => {
    expect(new OutboundAllowlist('').isEmpty).toBe(true);
    expect(new OutboundAllowlist(' , ').allows('localhost', '127.0.0.1')).toBe(false);
    expect(() => new OutboundAllowlist('10.0.0.0/33')).toThrow(/prefix length/);
  });
});
