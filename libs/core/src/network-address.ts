import { BlockList, isIP } from 'node:net';

/**
 * Address ranges an outbound fetch must not reach unless an operator allows
 * them: everything IANA lists as special-purpose, not only RFC 1918, because
 * each of these can lead to the machine itself or to a network behind it.
 */
const SPECIAL_RANGES: readonly { name: string; cidr: string }[] = [
  { name: 'unspecified ("this network")', cidr: '0.0.0.0/8' },
  { name: 'private', cidr: '10.0.0.0/8' },
  { name: 'shared address space (carrier-grade NAT)', cidr: '100.64.0.0/10' },
  { name: 'loopback', cidr: '127.0.0.0/8' },
  { name: 'link-local', cidr: '169.254.0.0/16' },
  { name: 'private', cidr: '172.16.0.0/12' },
  { name: 'IETF protocol assignment', cidr: '192.0.0.0/24' },
  { name: 'documentation', cidr: '192.0.2.0/24' },
  { name: '6to4 relay anycast', cidr: '192.88.99.0/24' },
  { name: 'private', cidr: '192.168.0.0/16' },
  { name: 'benchmarking', cidr: '198.18.0.0/15' },
  { name: 'documentation', cidr: '198.51.100.0/24' },
  { name: 'documentation', cidr: '203.0.113.0/24' },
  { name: 'multicast', cidr: '224.0.0.0/4' },
  { name: 'reserved', cidr: '240.0.0.0/4' },
  { name: 'unspecified', cidr: '::/128' },
  { name: 'loopback', cidr: '::1/128' },
  { name: 'local-use NAT64', cidr: '64:ff9b:1::/48' },
  { name: 'discard-only', cidr: '100::/64' },
  { name: 'IETF protocol assignment', cidr: '2001::/23' },
  { name: 'documentation', cidr: '2001:db8::/32' },
  { name: '6to4', cidr: '2002::/16' },
  { name: 'unique local (private)', cidr: 'fc00::/7' },
  { name: 'link-local', cidr: 'fe80::/10' },
  { name: 'site-local', cidr: 'fec0::/10' },
  { name: 'multicast', cidr: 'ff00::/8' },
];

const SPECIAL_BLOCKS = SPECIAL_RANGES.map(({ name, cidr }) => ({ name, block: blockOf([cidr]) }));

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

function blockOf(cidrs: readonly string[]): BlockList {
  const block = new BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/') as [string, string | undefined];
    const family = familyOf(network);
    if (prefix === undefined) block.addAddress(network, family);
    else block.addSubnet(network, Number(prefix), family);
  }
  return block;
}

/** The eight 16-bit groups of an IPv6 address, with an embedded dotted quad converted. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad?.[1]) {
    const [a, b, c, d] = quad[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -quad[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  return tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The IPv4 address an IPv6 address stands for, where it is only a wrapper
 * (IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64
 * `64:ff9b::a.b.c.d`): such an address reaches the IPv4 host, so it is judged as that host.
 */
export function embeddedIpv4(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const groups = ipv6Groups(address);
  const prefix = groups.slice(0, 6);
  const zeros = (count: number): boolean => prefix.slice(0, count).every((group) => group === 0);
  const mapped = zeros(5) && prefix[5] === 0xffff;
  const compatible = zeros(6) && (groups[6] !== 0 || (groups[7] ?? 0) > 1);
  // SIIT's IPv4-translated addresses (::ffff:0:a.b.c.d, RFC 2765) reach the IPv4 host as well.
  const translated = zeros(4) && prefix[4] === 0xffff && prefix[5] === 0;
  const nat64 = prefix[0] === 0x64 && prefix[1] === 0xff9b && prefix.slice(2).every((group) => group === 0);
  if (!mapped && !compatible && !translated && !nat64) return null;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * Why an IP address is not a public internet address ("loopback", "private",
 * "link-local"...), or null when it is public. Throws on something that is not an IP address.
 */
export function specialAddressKind(address: string): string | null {
  if (isIP(address) === 0) throw new Error(`"${address}" is not an IP address`);
  const ipv4 = embeddedIpv4(address);
  if (ipv4 !== null) return specialAddressKind(ipv4);
  const family = familyOf(address);
  return SPECIAL_BLOCKS.find(({ block }) => block.check(address, family))?.name ?? null;
}

/**
 * The operator's exceptions (`OUTBOUND_ALLOWLIST`): comma-separated IP
 * addresses, CIDR ranges and host names. A host name allows whatever that
 * name resolves to; an address or range allows those addresses under any name.
 */
export class OutboundAllowlist {
  private readonly hostNames: ReadonlySet<string>;
  private readonly addresses: BlockList;
  readonly isEmpty: boolean;

  constructor(entries: string) {
    const items = entries.split(',').map((entry) => entry.trim().toLowerCase()).filter((entry) => entry.length > 0);
    const isAddressEntry = (entry: string): boolean => isIP(entry.split('/')[0] ?? '') !== 0;
    for (const entry of items.filter(isAddressEntry)) {
      const prefix = entry.split('/')[1];
      const bits = isIP(entry.split('/')[0] ?? '') === 4 ? 32 : 128;
      if (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits)) {
        throw new Error(`OUTBOUND_ALLOWLIST entry "${entry}" has an invalid prefix length`);
      }
    }
    this.addresses = blockOf(items.filter(isAddressEntry));
    this.hostNames = new Set(items.filter((entry) => !isAddressEntry(entry)).map((entry) => entry.replace(/\.$/, '')));
    this.isEmpty = items.length === 0;
  }

  allows(hostName: string, address: string): boolean {
    const host = hostName.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (this.hostNames.has(host)) return true;
    const candidates = [address, embeddedIpv4(address)].filter((candidate): candidate is string => candidate !== null);
    return candidates.some((candidate) => this.addresses.check(candidate, familyOf(candidate)));
  }
}
